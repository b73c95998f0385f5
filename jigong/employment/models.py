"""Employment outcomes of graduates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.models import ScopedManager


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("就业")
    FURTHER_STUDY = "further_study", _("升学")
    ENLISTED = "enlisted", _("参军入伍")
    SELF_EMPLOYED = "self_employed", _("自主创业")
    UNEMPLOYED = "unemployed", _("未就业")


# Outcomes counted as employed in the employment rate (documented in docs/glossary.md).
COUNTED_AS_EMPLOYED = (
    EmploymentStatus.EMPLOYED,
    EmploymentStatus.FURTHER_STUDY,
    EmploymentStatus.ENLISTED,
    EmploymentStatus.SELF_EMPLOYED,
)


class EmploymentOutcome(models.Model):
    registration = models.OneToOneField(
        "students.Registration",
        verbose_name=_("学籍"),
        on_delete=models.PROTECT,
        related_name="employment",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        related_name="employment_outcomes",
    )
    graduation_year = models.PositiveSmallIntegerField(_("毕业年度"), db_index=True)
    status = models.CharField(_("去向"), max_length=16, choices=EmploymentStatus.choices)
    employer_name = models.CharField(_("就业单位"), max_length=128, blank=True)
    enterprise = models.ForeignKey(
        "cooperation.Enterprise",
        verbose_name=_("合作企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    in_field = models.BooleanField(_("专业对口"), default=False)
    recorded_on = models.DateField(_("统计日期"))

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("就业去向")
        verbose_name_plural = _("就业去向")
        indexes = [models.Index(fields=["school", "graduation_year"])]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.get_status_display()}"
