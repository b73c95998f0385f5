"""Graduation certificates (stating the class level) and 职业技能等级证书."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.choices import Level
from jigong.core.models import ScopedManager


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    REPLACED = "replaced", _("已补发换证")


class Outcome(models.TextChoices):
    GRADUATED = "graduated", _("毕业")
    COMPLETED = "completed", _("结业")


class GraduationCertificate(models.Model):
    registration = models.ForeignKey(
        "students.Registration",
        verbose_name=_("学籍"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("发证学校"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    number = models.CharField(_("证书编号"), max_length=32, unique=True)
    outcome = models.CharField(
        _("类别"), max_length=12, choices=Outcome.choices, default=Outcome.GRADUATED
    )
    level = models.CharField(_("班级层次"), max_length=16, choices=Level.choices)
    issued_on = models.DateField(_("发证日期"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=128, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("毕业证书")
        verbose_name_plural = _("毕业证书")
        ordering = ["-issued_on", "number"]

    def __str__(self) -> str:
        return self.number

    @property
    def equivalence(self) -> str:
        """中专 / 大专 / 本科, read from the policy parameters at the issue date (（十八））."""
        from jigong.policy import rules

        return rules.equivalence(self.level, self.issued_on)

    @property
    def equivalence_label(self) -> str:
        from jigong.policy import rules

        return rules.equivalence_label(self.level, self.issued_on)


class SkillLevel(models.IntegerChoices):
    LEVEL_5 = 5, _("五级/初级工")
    LEVEL_4 = 4, _("四级/中级工")
    LEVEL_3 = 3, _("三级/高级工")
    LEVEL_2 = 2, _("二级/技师")
    LEVEL_1 = 1, _("一级/高级技师")


class SkillCertificate(models.Model):
    person = models.ForeignKey(
        "students.Person",
        verbose_name=_("持证人"),
        on_delete=models.PROTECT,
        related_name="skill_certificates",
    )
    number = models.CharField(_("证书编号"), max_length=22, unique=True)
    occupation_code = models.CharField(_("职业编码"), max_length=10)
    occupation_name = models.CharField(_("职业（工种）"), max_length=64)
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    issued_on = models.DateField(_("发证日期"), db_index=True)
    evaluator = models.ForeignKey(
        "schools.School",
        verbose_name=_("评价机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="skill_certificates",
    )

    objects = ScopedManager()

    class Scope:
        school = "evaluator"
        district = "evaluator__district"

    class Meta:
        verbose_name = _("职业技能等级证书")
        verbose_name_plural = _("职业技能等级证书")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.number
