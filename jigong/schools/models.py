"""Technical schools (技工院校) in three tiers, their designations and the majors they run."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.choices import Level, Tier
from jigong.core.models import Role, ScopedManager


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")
    ENTERPRISE = "enterprise", _("企业办")
    INDUSTRY = "industry", _("行业办")
    JOINT_STOCK = "joint_stock", _("股份制")
    MIXED = "mixed", _("混合所有制")


class SchoolStatus(models.TextChoices):
    OPERATING = "operating", _("正常办学")
    FOUNDING = "founding", _("筹建期")
    SUSPENDED = "suspended", _("暂停招生")
    CLOSED = "closed", _("已撤销")


class School(models.Model):
    code = models.CharField(_("学校代码"), max_length=16, unique=True)
    name = models.CharField(_("学校名称"), max_length=64, unique=True)
    tier = models.CharField(_("层次"), max_length=20, choices=Tier.choices, db_index=True)
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("所在区县"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    ownership = models.CharField(_("举办性质"), max_length=16, choices=Ownership.choices)
    sponsor = models.CharField(_("举办者"), max_length=128)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    status = models.CharField(
        _("办学状态"), max_length=16, choices=SchoolStatus.choices, default=SchoolStatus.OPERATING
    )
    founded_on = models.DateField(_("设立日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=128, blank=True)
    campus_network_coverage = models.DecimalField(
        _("校园网覆盖率"),
        max_digits=4,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0–1，1 表示 100%"),
    )

    objects = ScopedManager()

    # Fields changed only by their licensing acts (jigong.core.acts), never by an edit,
    # an import row or the admin.
    procedure_fields = {
        # raised only by an approved 晋级申请 (its approval runs school.change_tier);
        # withdrawn (退出) by the city bureau's school.change_tier
        "tier": ("workflow.tier_upgrade.approve", "school.change_tier"),
        "district": "school.move_district",
        "status": (
            "school.suspend_enrolment",
            "school.restore_enrolment",
            "workflow.founding.district_approve",
            "workflow.founding.municipal_approve",
        ),
    }

    class Scope:
        school = "pk"
        district = "district"
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL, Role.DISTRICT},
            "change": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("技工院校")
        verbose_name_plural = _("技工院校")
        ordering = ["code"]

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


TIER_ORDER = (Tier.SCHOOL, Tier.SENIOR_SCHOOL, Tier.TECHNICIAN_COLLEGE)  # 晋级 goes up


class TierChange(models.Model):
    """One change of a school's tier (晋级 or 退出, （二十一）): the old and new tier, the
    date from which it holds and the decision; written only by ``school.change_tier``.
    The tier a school had on a date (``selectors.tier_on``) is read from these rows."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="tier_changes"
    )
    from_tier = models.CharField(_("原层次"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("新层次"), max_length=20, choices=Tier.choices)
    effective_on = models.DateField(_("生效日期"))
    decision = models.CharField(_("决定"), max_length=255)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL},
            "change": set(),
            "delete": set(),
        }

    class Meta:
        verbose_name = _("层次变更记录")
        verbose_name_plural = _("层次变更记录")
        ordering = ["school", "-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.get_from_tier_display()}→{self.get_to_tier_display()}"

    @property
    def kind(self) -> str:
        up = TIER_ORDER.index(self.to_tier) > TIER_ORDER.index(self.from_tier)
        return str(_("晋级") if up else _("退出"))


class Designation(models.TextChoices):
    QUALITY_SCHOOL = "quality_school", _("优质院校")
    EVALUATION_INSTITUTION = "evaluation_institution", _("备案职业技能等级评价机构")
    TRAINING_ACADEMY = "training_academy", _("职业培训学院")
    ENTERPRISE_TRAINING_STATION = "enterprise_training_station", _("企业培训工作站")
    VOCATIONAL_TRAINING_INSTITUTE = "vocational_training_institute", _("职业训练院")


class SchoolDesignation(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.CASCADE, related_name="designations"
    )
    kind = models.CharField(_("认定类型"), max_length=32, choices=Designation.choices)
    year = models.PositiveSmallIntegerField(_("年度"))

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"
        roles = {
            "view": {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL},
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("院校认定")
        verbose_name_plural = _("院校认定")
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "year"], name="designation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()}（{self.year}）"


class MajorStatus(models.TextChoices):
    OPEN = "open", _("招生")
    SUSPENDED = "suspended", _("暂停招生")
    CLOSED = "closed", _("撤销")


class SchoolMajor(models.Model):
    """A major a school runs at one class level, mapped to industry chains."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="majors"
    )
    major = models.ForeignKey(
        "reference.Major", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("班级层次"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=MajorStatus.choices, default=MajorStatus.OPEN
    )
    opened_year = models.PositiveSmallIntegerField(_("开设年度"))
    chains = models.ManyToManyField(
        "reference.IndustryChain", verbose_name=_("对接产业链"), blank=True, related_name="+"
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("开设专业")
        verbose_name_plural = _("开设专业")
        ordering = ["school", "major__code", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "major", "level"], name="school_major_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.major.name}（{self.get_level_display()}）"

    def clean(self):
        from jigong.policy import rules
        from jigong.policy.rules import PolicyViolation
        from jigong.schools.selectors import tier_on

        if not self.school_id or not self.level:
            return
        errors = {}
        on = self._policy_date()
        try:
            rules.check_level_for_tier(tier_on(self.school, on), self.level, on)
        except PolicyViolation as exc:
            errors["level"] = [exc.message]
        if self.major_id and self.level not in self.major.levels:
            errors.setdefault("level", []).append(
                _("专业“%(m)s”在专业目录中不设“%(l)s”层次")
                % {"m": self.major.name, "l": self.get_level_display()}
            )
        if errors:
            raise ValidationError(errors)

    def _policy_date(self):
        import datetime

        return datetime.date(self.opened_year or datetime.date.today().year, 9, 1)


class QualityMajorDesignation(models.Model):
    school_major = models.ForeignKey(
        SchoolMajor,
        verbose_name=_("开设专业"),
        on_delete=models.CASCADE,
        related_name="quality_designations",
    )
    year = models.PositiveSmallIntegerField(_("年度"))

    objects = ScopedManager()

    class Scope:
        school = "school_major__school"
        district = "school_major__school__district"
        roles = SchoolDesignation.Scope.roles

    class Meta:
        verbose_name = _("优质专业")
        verbose_name_plural = _("优质专业")
        constraints = [
            models.UniqueConstraint(fields=["school_major", "year"], name="quality_major_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_major}（{self.year}）"
