"""Enterprises, school–enterprise cooperation, alliances and 帮扶 pairings."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.choices import RegionGroup
from jigong.core.models import Role, ScopedManager


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=128)
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("所在区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry_chain = models.ForeignKey(
        "reference.IndustryChain",
        verbose_name=_("所属产业链"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_integration_enterprise = models.BooleanField(_("产教融合型企业"), default=False)

    objects = ScopedManager()

    class Scope:
        # A shared register: every staff user sees and adds enterprises; the
        # municipal bureau corrects them.
        shared = ("view", "add")
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from jigong.core.errors import from_standard
        from jigong.standards import uscc
        from jigong.standards.errors import StandardError

        try:
            self.credit_code = uscc.validate(self.credit_code)
        except StandardError as exc:
            raise from_standard(exc) from exc


class CooperationKind(models.TextChoices):
    ORDER_CLASS = "order_class", _("订单班")
    NAMED_CLASS = "named_class", _("冠名班")
    APPRENTICESHIP = "apprenticeship", _("企业新型学徒制")
    ENTERPRISE_IN_SCHOOL = "enterprise_in_school", _("引企入校")
    MASTER_STUDIO = "master_studio", _("技能大师工作室")
    TRAINING_STATION = "training_station", _("企业培训工作站")
    TRAINING_BASE = "training_base", _("实训基地")


class CooperationAgreement(models.Model):
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("合作企业"), on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(_("合作形式"), max_length=24, choices=CooperationKind.choices)
    title = models.CharField(_("项目名称"), max_length=128)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("校企合作协议")
        verbose_name_plural = _("校企合作协议")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError(
                {
                    "ended_on": [
                        _("结束日期“%(e)s”早于开始日期“%(s)s”：结束日期不得早于开始日期")
                        % {"e": self.ended_on, "s": self.started_on}
                    ]
                }
            )


class Alliance(models.Model):
    """技工教育联盟（集团）(（十二）)."""

    class LeadKind(models.TextChoices):
        INDUSTRY = "industry", _("行业企业牵头")
        SCHOOL = "school", _("技工院校牵头")
        HR_SERVICE = "hr_service", _("人力资源服务公司牵头")

    name = models.CharField(_("联盟（集团）名称"), max_length=128, unique=True)
    lead_kind = models.CharField(_("牵头方式"), max_length=16, choices=LeadKind.choices)
    founded_on = models.DateField(_("成立日期"))

    objects = ScopedManager()

    class Scope:
        shared = ("view",)
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("技工教育联盟")
        verbose_name_plural = _("技工教育联盟")
        ordering = ["founded_on"]

    def __str__(self) -> str:
        return self.name


class AllianceMember(models.Model):
    alliance = models.ForeignKey(
        Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="members"
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("成员学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("成员企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
    )
    joined_on = models.DateField(_("加入日期"))

    objects = ScopedManager()

    Scope = Alliance.Scope

    class Meta:
        verbose_name = _("联盟成员")
        verbose_name_plural = _("联盟成员")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False) | models.Q(enterprise__isnull=False),
                name="alliance_member_has_party",
            )
        ]

    def __str__(self) -> str:
        return str(self.school or self.enterprise)


class Pairing(models.Model):
    """帮扶: a 主城都市区 school supports a school of the two 群 (（十五））."""

    mentor = models.ForeignKey(
        "schools.School", verbose_name=_("帮扶学校"), on_delete=models.PROTECT, related_name="+"
    )
    supported = models.ForeignKey(
        "schools.School", verbose_name=_("受帮扶学校"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("开始日期"))

    objects = ScopedManager()

    class Scope:
        school = ("mentor", "supported")
        district = ("mentor__district", "supported__district")
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("帮扶结对")
        verbose_name_plural = _("帮扶结对")
        constraints = [
            models.UniqueConstraint(fields=["mentor", "supported"], name="pairing_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.supported}"

    def clean(self):
        errors = {}
        if self.mentor_id and self.mentor.district.group != RegionGroup.MAIN_METRO:
            errors["mentor"] = [
                _("帮扶学校“%(s)s”不在主城都市区：帮扶学校须为主城都市区技工院校（依据（十五））")
                % {"s": self.mentor}
            ]
        if self.supported_id and self.supported.district.group not in (
            RegionGroup.NORTHEAST,
            RegionGroup.SOUTHEAST,
        ):
            errors["supported"] = [
                _("受帮扶学校“%(s)s”不在渝东北或渝东南：受帮扶学校须位于两群（依据（十五））")
                % {"s": self.supported}
            ]
        if errors:
            raise ValidationError(errors)
