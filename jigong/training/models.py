"""Vocational training records (职业技能培训), each one 人次."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core import pii
from jigong.core.models import ScopedManager


class TrainingKind(models.TextChoices):
    EMPLOYMENT = "employment", _("就业技能培训")
    UPGRADING = "upgrading", _("岗位技能提升培训")
    ENTREPRENEURSHIP = "entrepreneurship", _("创业培训")
    APPRENTICESHIP = "apprenticeship", _("企业新型学徒制培训")
    TECHNICIAN = "technician", _("技师研修")
    RURAL = "rural", _("乡村振兴技能培训")


class TrainingRecord(models.Model):
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("培训学校"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    trainee_name = models.CharField(_("学员姓名"), max_length=32)
    trainee_id_number_enc = pii.SealedField(_("学员身份证号（加密）"), plain="trainee_id_number")
    trainee_id_number_hmac = pii.DigestField(
        _("学员身份证号"), plain="trainee_id_number", db_index=True
    )
    trainee_id_number = pii.Sealed("training.trainingrecord.trainee_id_number")
    kind = models.CharField(_("培训类型"), max_length=20, choices=TrainingKind.choices)
    occupation_code = models.CharField(_("职业编码"), max_length=10)
    occupation_name = models.CharField(_("职业（工种）"), max_length=64)
    hours = models.PositiveSmallIntegerField(_("学时"))
    started_on = models.DateField(_("开班日期"))
    ended_on = models.DateField(_("结业日期"))
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    revenue = models.DecimalField(_("培训收入（元）"), max_digits=10, decimal_places=2, default=0)
    is_social = models.BooleanField(_("社会培训"), default=True)

    pii_names = ("trainee_name",)  # masked as a person's name (jigong.core.pii)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-ended_on", "-id"]
        indexes = [
            models.Index(fields=["school", "year"]),
            # the list's order, in the city and in a school (a full sort took 14 s)
            models.Index(fields=["-ended_on", "-id"], name="training_rec_order"),
            models.Index(fields=["school", "-ended_on", "-id"], name="training_rec_school_order"),
            # the year's social revenue per school, from the index alone (（七）)
            models.Index(
                fields=["year", "school", "is_social", "revenue"], name="training_rec_revenue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee_name} {self.occupation_name}"
