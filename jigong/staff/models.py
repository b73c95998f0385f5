"""Teachers (专任 and 兼职 from enterprises)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core import pii
from jigong.core.models import ScopedManager


class TeacherKind(models.TextChoices):
    FULL_TIME = "full_time", _("专任教师")
    PART_TIME = "part_time", _("兼职教师")


class Teacher(models.Model):
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="teachers"
    )
    name = models.CharField(_("姓名"), max_length=32)
    id_number_enc = pii.SealedField(_("身份证号（加密）"), plain="id_number")
    id_number_hmac = pii.DigestField(_("身份证号"), plain="id_number")
    id_number = pii.Sealed("staff.teacher.id_number")
    kind = models.CharField(_("类别"), max_length=12, choices=TeacherKind.choices)
    enterprise = models.ForeignKey(
        "cooperation.Enterprise",
        verbose_name=_("来源企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    integrated_qualified = models.BooleanField(_("一体化教师"), default=False)
    ideological = models.BooleanField(_("思政课教师"), default=False)
    hired_on = models.DateField(_("聘用日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)

    pii_names = ("name",)  # masked as a person's name (jigong.core.pii)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "id_number_hmac"], name="teacher_unique")
        ]

    def __str__(self) -> str:
        return self.name
