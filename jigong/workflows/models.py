"""Workflow items (enrolment plans, brochure and internship filings, the enrolment
qualification list), their steps (the timeline) and the documents attached to steps.

Every item inherits ``WorkflowItem`` (state, deadline) and names its ``Workflow``
(``jigong.workflows.flows``); it moves only through ``services.transition``.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jigong.core.choices import Tier
from jigong.core.models import Role, ScopedManager
from jigong.core.permissions import STAFF_ROLES
from jigong.workflows import flows

SCHOOL_ITEM_ROLES = {
    "view": STAFF_ROLES,
    "add": {Role.MUNICIPAL, Role.SCHOOL},
    "change": STAFF_ROLES,
    "delete": {Role.MUNICIPAL},
}
# Workflow kind -> item model, filled as the item models are declared.
ITEM_MODELS: dict[str, type] = {}
IMMUTABLE_ROLES = {"view": STAFF_ROLES, "add": STAFF_ROLES, "change": set(), "delete": set()}


class WorkflowItem(models.Model):
    """Base of every workflow item: its state, when it entered it, and the due date."""

    workflow: flows.Workflow  # set by each subclass

    state = models.CharField(_("状态"), max_length=24, default="draft", db_index=True)
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        workflow = cls.__dict__.get("workflow")
        if workflow is not None:
            ITEM_MODELS[workflow.kind] = cls

    def get_state_display(self) -> str:
        return self.workflow.label_of(self.state)

    @property
    def is_final(self) -> bool:
        return self.workflow.state(self.state).final

    @property
    def overdue(self) -> bool:
        return bool(self.due_on and not self.is_final and self.due_on < timezone.localdate())

    @property
    def due_basis(self) -> str:
        """The basis of ``due_on`` (see ``Deadline.basis``): the deadline of the state the
        item is in, read on the day it entered it."""
        deadline = self.workflow.state(self.state).deadline
        if not self.due_on or deadline is None:
            return ""
        entered = self.state_changed_at or self.created_at
        on = timezone.localdate(entered) if entered else timezone.localdate()
        return deadline.basis(on)

    def scope_ids(self) -> tuple[int | None, int | None]:
        """(school id, district id) that scope the item's steps and documents."""
        school = getattr(self, "school", None)
        return (school.pk, school.district_id) if school is not None else (None, None)


class SchoolItem(WorkflowItem):
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


# --- enrolment plans （九） ---------------------------------------------------------


class EnrolmentPlan(SchoolItem):
    """A school's enrolment plan for one year; lines give the quota per major."""

    workflow = flows.ENROLMENT_PLAN
    year = models.PositiveSmallIntegerField(_("计划年度"))
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("招生计划")
        verbose_name_plural = _("招生计划")
        ordering = ["-year", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="enrolment_plan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school}{self.year}年招生计划"

    @property
    def total_quota(self) -> int:
        return sum(line.quota for line in self.lines.all())


class EnrolmentPlanLine(models.Model):
    plan = models.ForeignKey(
        EnrolmentPlan, verbose_name=_("招生计划"), on_delete=models.CASCADE, related_name="lines"
    )
    school_major = models.ForeignKey(
        "schools.SchoolMajor", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveIntegerField(_("计划数"))

    objects = ScopedManager()

    class Scope:
        school = "plan__school"
        district = "plan__school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("招生计划（专业）")
        verbose_name_plural = _("招生计划（专业）")
        ordering = ["plan", "school_major__major__code", "school_major__level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "school_major"], name="plan_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school_major}：{self.quota}"

    def clean(self):
        if (
            self.plan_id
            and self.school_major_id
            and (self.school_major.school_id != self.plan.school_id)
        ):
            raise ValidationError(
                {"school_major": [_("专业“%(m)s”不是本校开设的专业") % {"m": self.school_major}]}
            )


class CrossProvinceQuota(models.Model):
    """Quota of a plan reserved for one cross-province partner (云南、贵州、四川)."""

    plan = models.ForeignKey(
        EnrolmentPlan,
        verbose_name=_("招生计划"),
        on_delete=models.CASCADE,
        related_name="cross_province",
    )
    province = models.CharField(_("合作省份"), max_length=2)
    quota = models.PositiveIntegerField(_("计划数"))

    objects = ScopedManager()

    class Scope:
        school = "plan__school"
        district = "plan__school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("跨省招生计划")
        verbose_name_plural = _("跨省招生计划")
        ordering = ["plan", "province"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "province"], name="cross_province_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province_name}：{self.quota}"

    @property
    def province_name(self) -> str:
        from jigong.standards.regions import PROVINCES

        return PROVINCES.get(self.province, self.province)


# --- filings （二十一） ----------------------------------------------------------------


class OfferedTracks(models.TextChoices):
    """The tracks a brochure enrols for (（二十一）: 全日制 and 非全日制 学籍)."""

    FULL_TIME = "full_time", _("全日制")
    PART_TIME = "part_time", _("非全日制")
    BOTH = "both", _("全日制、非全日制")

    @classmethod
    def offering(cls, track: str) -> tuple[str, ...]:
        """The values that offer ``track`` (a ``students.Track`` value)."""
        return (track, cls.BOTH) if track in (cls.FULL_TIME, cls.PART_TIME) else ()

    @classmethod
    def tracks(cls, value: str) -> tuple[str, ...]:
        """The ``students.Track`` values ``value`` offers."""
        return (cls.FULL_TIME, cls.PART_TIME) if value == cls.BOTH else (value,)


class BrochureFiling(SchoolItem):
    """招生简章备案: the brochure document and its key facts, filed with the district."""

    workflow = flows.BROCHURE
    year = models.PositiveSmallIntegerField(_("招生年度"))
    title = models.CharField(_("简章名称"), max_length=128)
    total_quota = models.PositiveIntegerField(_("计划招生人数"), validators=[MinValueValidator(1)])
    target_groups = models.CharField(
        _("招生对象"), max_length=255, help_text=_("如：应往届初高中毕业生、企业在岗职工")
    )
    tracks = models.CharField(
        _("学习形式"),
        max_length=12,
        choices=OfferedTracks.choices,
        default=OfferedTracks.FULL_TIME,
        help_text=_("本简章招收全日制、非全日制或两者"),
        error_messages={
            "invalid_choice": _(
                "学习形式“%(value)s”：应为“全日制”“非全日制”或“全日制、非全日制”之一"
            )
        },
    )
    cross_province = models.BooleanField(_("含跨省招生"), default=False)
    contact = models.CharField(_("招生咨询电话"), max_length=64)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("招生简章备案")
        verbose_name_plural = _("招生简章备案")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.year}）"


CHONGQING = "50"


class InternshipFiling(SchoolItem):
    """实习计划备案: where, when and how many; cross-province ones are filed in advance."""

    workflow = flows.INTERNSHIP
    title = models.CharField(_("实习计划名称"), max_length=128)
    enterprise = models.CharField(_("实习单位"), max_length=128)
    province = models.CharField(
        _("实习地点（省份）"), max_length=2, default=CHONGQING, help_text=_("GB/T 2260 省级代码")
    )
    location = models.CharField(_("实习地点"), max_length=128)
    start_on = models.DateField(_("实习开始日期"))
    end_on = models.DateField(_("实习结束日期"))
    students = models.PositiveIntegerField(_("实习学生人数"), validators=[MinValueValidator(1)])
    majors = models.CharField(_("涉及专业"), max_length=255)

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("实习计划备案")
        verbose_name_plural = _("实习计划备案")
        ordering = ["-start_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.start_on:%Y-%m-%d}）"

    @property
    def cross_province(self) -> bool:
        return self.province != CHONGQING

    @property
    def province_name(self) -> str:
        from jigong.standards.regions import PROVINCES

        return PROVINCES.get(self.province, self.province)

    def clean(self):
        from jigong.standards.regions import PROVINCES

        errors = {}
        if self.province not in PROVINCES:
            errors["province"] = [
                _("实习地点省份代码“%(p)s”不是有效的GB/T 2260省级代码") % {"p": self.province}
            ]
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = [
                _("实习结束日期“%(e)s”早于开始日期“%(s)s”")
                % {"e": self.end_on.isoformat(), "s": self.start_on.isoformat()}
            ]
        if errors:
            raise ValidationError(errors)


# --- the enrolment qualification list （九） -----------------------------------------


class QualificationList(WorkflowItem):
    """The year's list of schools qualified to enrol, computed, reviewed and published
    by the municipal bureau; published lists are public at /qualifications/."""

    workflow = flows.QUALIFICATION
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Scope:
        shared = ("view",)
        roles = {
            "view": STAFF_ROLES,
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("招生资质名单")
        verbose_name_plural = _("招生资质名单")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(y)s年技工院校招生资质名单") % {"y": self.year}


class QualificationEntry(models.Model):
    """One school on a list, with the facts as they were when the list was computed."""

    qualification_list = models.ForeignKey(
        QualificationList, verbose_name=_("名单"), on_delete=models.CASCADE, related_name="entries"
    )
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    school_code = models.CharField(_("学校代码"), max_length=16)
    school_name = models.CharField(_("学校名称"), max_length=64)
    tier = models.CharField(_("层次"), max_length=20)
    district_name = models.CharField(_("所在区县"), max_length=32)
    school_status = models.CharField(_("办学状态"), max_length=16)
    brochure_approved = models.BooleanField(_("招生简章已备案"))
    qualified = models.BooleanField(_("具备招生资质"))
    reasons = models.CharField(_("不具备资质原因"), max_length=255, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"
        roles = {
            "view": STAFF_ROLES,
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("招生资质名单条目")
        verbose_name_plural = _("招生资质名单条目")
        ordering = ["qualification_list", "school_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["qualification_list", "school"], name="qualification_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return self.school_name

    def get_tier_display(self) -> str:
        from jigong.core.choices import Tier

        return str(dict(Tier.choices).get(self.tier, self.tier))


# --- the timeline and the documents ---------------------------------------------------


class Step(models.Model):
    """One transition of one item: who, when, from which state to which, and why."""

    kind = models.CharField(_("事项类型"), max_length=32)
    item_id = models.BigIntegerField(_("事项编号"))
    action = models.CharField(_("操作"), max_length=32)
    action_label = models.CharField(_("操作"), max_length=32)
    from_state = models.CharField(_("原状态"), max_length=24, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24)
    acted_by = models.ForeignKey(
        "core.User",
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    actor_role = models.CharField(_("角色"), max_length=16, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见/说明"), blank=True)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "district"
        roles = IMMUTABLE_ROLES

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "item_id"])]

    def __str__(self) -> str:
        return f"{self.action_label}（{self.actor_name}）"


class Document(models.Model):
    """A file attached to a step; ``path`` is generated, ``name`` is for display only."""

    step = models.ForeignKey(
        Step, verbose_name=_("办理记录"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("事项类型"), max_length=32)
    item_id = models.BigIntegerField(_("事项编号"))
    name = models.CharField(_("文件名"), max_length=128)
    ext = models.CharField(_("类型"), max_length=8)
    path = models.CharField(_("存储位置"), max_length=80, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "core.User",
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "reference.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "district"
        roles = IMMUTABLE_ROLES

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["kind", "item_id"])]

    def __str__(self) -> str:
        return self.name


def item_model(kind: str) -> type[WorkflowItem]:
    """The model of a workflow kind (LookupError if unknown)."""
    return ITEM_MODELS[kind]


def item_models() -> list[type[WorkflowItem]]:
    return list(ITEM_MODELS.values())


# --- licensing （二十一） -------------------------------------------------------------

# Rounds rank every school against the others: the municipal bureau's work only.
CITY_ROLES = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}


class FoundingApplication(SchoolItem):
    """申请正式设立: a school in its founding period (筹建期) applies to be founded; a
    技工学校 is reviewed by its district bureau, the higher tiers by the municipal bureau
    (（二十一）). Approval sets the school's status to 正常办学."""

    workflow = flows.FOUNDING
    founding_started_on = models.DateField(_("批准筹建日期"))
    planned_students = models.PositiveIntegerField(_("规划办学规模（人）"))
    summary = models.TextField(_("办学条件说明"))

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("设立申请")
        verbose_name_plural = _("设立申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("%(s)s设立申请") % {"s": self.school}

    def clean(self):
        super().clean()
        started, today = self.founding_started_on, timezone.localdate()
        if started and started > today:  # the founding period cannot begin in the future
            raise ValidationError(
                {
                    "founding_started_on": _("批准筹建日期“%(d)s”晚于今天（%(t)s）")
                    % {"d": started.isoformat(), "t": today.isoformat()}
                }
            )

    @property
    def founding_deadline(self):
        from jigong.policy import rules

        return rules.founding_deadline(self.founding_started_on, timezone.localdate())

    @property
    def authority(self) -> str:
        from jigong.policy import rules

        return rules.AUTHORITY_LABELS[
            rules.licensing_authority(self.school.tier, timezone.localdate())
        ]


class TierUpgradeApplication(SchoolItem):
    """晋级申请 (（二十一） 完善晋级和退出机制): a school applies to move exactly one tier up
    (技工学校 → 高级技校 → 技师学院) with documents and the figures it states; the district
    bureau reviews first, the municipal bureau decides (approve with the date the new
    tier holds from, return, refuse). Approval changes the tier through the act
    ``school.change_tier`` (its ``TierChange`` row is kept here)."""

    workflow = flows.TIER_UPGRADE
    from_tier = models.CharField(_("原层次"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("申请层次"), max_length=20, choices=Tier.choices)
    stated_students = models.PositiveIntegerField(_("申报全日制在校生（人）"))
    stated_teachers = models.PositiveIntegerField(_("申报专任教师（人）"))
    stated_majors = models.PositiveIntegerField(_("申报开设专业（个）"))
    summary = models.TextField(_("办学条件说明"))
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    tier_change = models.ForeignKey(
        "schools.TierChange",
        verbose_name=_("层次变更记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("晋级申请")
        verbose_name_plural = _("晋级申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("%(s)s晋级申请（%(a)s→%(b)s）") % {
            "s": self.school,
            "a": self.get_from_tier_display(),
            "b": self.get_to_tier_display(),
        }


# --- 双优计划 （十四） ---------------------------------------------------------------


class DesignationKind(models.TextChoices):
    QUALITY_SCHOOL = "quality_school", _("优质技工院校")
    QUALITY_MAJOR = "quality_major", _("优质专业")


class DesignationRound(WorkflowItem):
    """One year's round of 优质院校 or 优质专业 designations (双优计划, （十四））: the
    municipal bureau designates ranked candidates up to the cap, then closes the round."""

    workflow = flows.DESIGNATION_ROUND
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("认定类型"), max_length=16, choices=DesignationKind.choices)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Scope:
        roles = CITY_ROLES

    class Meta:
        verbose_name = _("双优计划认定")
        verbose_name_plural = _("双优计划认定")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="designation_round_unique")
        ]

    def __str__(self) -> str:
        return _("%(y)s年%(k)s认定") % {"y": self.year, "k": self.get_kind_display()}


# --- bases, titles and textbooks （四）（十七）（二十） ------------------------------------


class BaseKind(models.TextChoices):
    IDEOLOGY_BASE = "ideology_base", _("思政课师资研修基地")
    INTEGRATED_BASE = "integrated_base", _("一体化师资研修基地")
    DIGITAL_SCHOOL = "digital_school", _("数字化资源建设与应用优秀院校")


class BaseLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    MUNICIPAL = "municipal", _("市级")


class BaseDesignation(models.Model):
    """A designation the bureau records for a host school: a 思政课 (（四）) or 一体化
    (（二十）) teacher training base, national or municipal, or the national title
    技工教育数字化资源建设与应用优秀院校 (（十七）). A national one is recorded by the
    municipal bureau from the ministry's document; a municipal one is its own decision.
    Withdrawn with a date and a reason; current while not withdrawn."""

    kind = models.CharField(_("类别"), max_length=16, choices=BaseKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=BaseLevel.choices)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("依托学校"),
        on_delete=models.PROTECT,
        related_name="base_designations",
    )
    name = models.CharField(_("基地名称"), max_length=128, blank=True)
    designated_on = models.DateField(_("认定日期"))
    document_no = models.CharField(_("文号"), max_length=64)
    withdrawn_on = models.DateField(_("撤销日期"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()
    procedure_fields = {
        "withdrawn_on": ("base_designation.withdraw",),
        "withdrawn_reason": ("base_designation.withdraw",),
    }

    class Scope:
        school = "school"
        district = "school__district"
        roles = {**CITY_ROLES, "view": STAFF_ROLES}

    class Meta:
        verbose_name = _("研修基地与优秀院校认定")
        verbose_name_plural = _("研修基地与优秀院校认定")
        ordering = ["-designated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()}（{self.school}）"

    def is_current(self, on) -> bool:
        return self.designated_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)

    def clean(self):
        errors = {}
        if self.kind == BaseKind.DIGITAL_SCHOOL and self.level != BaseLevel.NATIONAL:
            errors["level"] = [
                _("“%(k)s”是国家级称号（（十七））：级别应为国家级，不能为“%(l)s”")
                % {"k": BaseKind(self.kind).label, "l": self.get_level_display()}
            ]
        if self.withdrawn_on and self.withdrawn_on < self.designated_on:
            errors["withdrawn_on"] = [
                _("撤销日期“%(w)s”早于认定日期“%(d)s”")
                % {"w": self.withdrawn_on.isoformat(), "d": self.designated_on.isoformat()}
            ]
        if errors:
            raise ValidationError(errors)


class TextbookKind(models.TextChoices):
    PLANNED = "planned", _("规划教材")
    SCHOOL = "school", _("校本教材")


class Textbook(models.Model):
    """A textbook of （十七）: a 规划教材 developed or selected at city level (recorded by
    the municipal bureau, lead school optional) or a school's own 校本教材 (recorded by
    the school). Withdrawn with a date and a reason."""

    kind = models.CharField(_("教材类别"), max_length=16, choices=TextbookKind.choices)
    title = models.CharField(_("教材名称"), max_length=128)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校（牵头学校）"),
        on_delete=models.PROTECT,
        related_name="textbooks",
        null=True,
        blank=True,
    )
    major = models.ForeignKey(
        "reference.Major",
        verbose_name=_("专业"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_on = models.DateField(_("审定（出版）日期"))
    publisher = models.CharField(_("出版社"), max_length=64, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    withdrawn_on = models.DateField(_("停用日期"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("停用原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()
    procedure_fields = {
        "withdrawn_on": ("textbook.withdraw",),
        "withdrawn_reason": ("textbook.withdraw",),
    }

    class Scope:
        school = "school"
        district = "school__district"
        roles = {
            "view": STAFF_ROLES,
            "add": {Role.MUNICIPAL, Role.SCHOOL},
            "change": {Role.MUNICIPAL, Role.SCHOOL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("教材")
        verbose_name_plural = _("教材")
        ordering = ["-approved_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}《{self.title}》"

    def clean(self):
        errors = {}
        if self.kind == TextbookKind.SCHOOL and self.school_id is None:
            errors["school"] = [_("校本教材须填写所属学校")]
        if self.withdrawn_on and self.withdrawn_on < self.approved_on:
            errors["withdrawn_on"] = [
                _("停用日期“%(w)s”早于审定日期“%(d)s”")
                % {"w": self.withdrawn_on.isoformat(), "d": self.approved_on.isoformat()}
            ]
        if errors:
            raise ValidationError(errors)


# --- major catalogue adjustment （十六） -----------------------------------------------


class AdjustmentAction(models.TextChoices):
    OPEN = "open", _("开设（恢复）招生")
    SUSPEND = "suspend", _("暂停招生")
    CLOSE = "close", _("撤销")


class MajorAdjustment(SchoolItem):
    """A school's application to open, suspend or close a major; the municipal bureau
    decides (（十六） 专业目录动态调整). Approval changes the SchoolMajor through the
    schools services and records the school's major–industry match before and after."""

    workflow = flows.MAJOR_ADJUSTMENT
    action = models.CharField(_("调整类型"), max_length=8, choices=AdjustmentAction.choices)
    school_major = models.ForeignKey(
        "schools.SchoolMajor",
        verbose_name=_("开设专业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("暂停、撤销或恢复招生时选择本校已有专业"),
    )
    major = models.ForeignKey(
        "reference.Major",
        verbose_name=_("新开专业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("新开设专业时选择专业目录中的专业"),
    )
    level = models.CharField(_("班级层次"), max_length=16, blank=True)
    chains = models.ManyToManyField(
        "reference.IndustryChain", verbose_name=_("对接产业链"), blank=True, related_name="+"
    )
    reason = models.TextField(_("调整理由"))
    match_before = models.DecimalField(
        _("调整前匹配度"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    match_after = models.DecimalField(
        _("调整后匹配度"), max_digits=5, decimal_places=4, null=True, blank=True
    )

    class Scope:
        school = "school"
        district = "school__district"
        roles = SCHOOL_ITEM_ROLES

    class Meta:
        verbose_name = _("专业设置调整")
        verbose_name_plural = _("专业设置调整")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        what = self.school_major or self.major or ""
        return f"{self.get_action_display()}：{what}"

    def clean(self):
        from jigong.core.choices import Level
        from jigong.schools.models import MajorStatus

        if self.state in ("approved", "rejected"):
            return  # decided: the major has changed since, as it should
        errors = {}
        sm = self.school_major if self.school_major_id else None
        if sm is not None and self.school_id and sm.school_id != self.school_id:
            errors["school_major"] = [_("专业“%(m)s”不是本校开设的专业") % {"m": sm}]
        elif self.action == AdjustmentAction.OPEN:
            if sm is None and not self.major_id:
                errors["major"] = [_("开设专业：须选择专业目录中的专业，或选择本校暂停招生的专业")]
            elif sm is None and self.level not in Level.values:
                errors["level"] = [
                    _("班级层次“%(l)s”：须为中级工班、高级工班或预备技师（技师）班")
                    % {"l": self.level}
                ]
            elif sm is not None and sm.status != MajorStatus.SUSPENDED:
                errors["school_major"] = [
                    _("专业“%(m)s”状态为“%(s)s”：只有暂停招生的专业可以恢复招生")
                    % {"m": sm, "s": sm.get_status_display()}
                ]
        elif sm is None:
            errors["school_major"] = [
                _("%(a)s：须选择本校已开设的专业") % {"a": self.get_action_display()}
            ]
        elif self.action == AdjustmentAction.SUSPEND and sm.status != MajorStatus.OPEN:
            errors["school_major"] = [
                _("专业“%(m)s”状态为“%(s)s”：只有招生中的专业可以暂停招生")
                % {"m": sm, "s": sm.get_status_display()}
            ]
        elif self.action == AdjustmentAction.CLOSE and sm.status == MajorStatus.CLOSED:
            errors["school_major"] = [_("专业“%(m)s”已撤销") % {"m": sm}]
        if errors:
            raise ValidationError(errors)


# --- training revenue and the performance-pay supplement （七） -----------------------


class OtherTrainingRevenue(models.Model):
    """Social training revenue not captured by training records (e.g. 培训包 projects)."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    description = models.CharField(_("收入说明"), max_length=128)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("其他社会培训收入")
        verbose_name_plural = _("其他社会培训收入")
        ordering = ["-year", "school__code", "id"]

    def __str__(self) -> str:
        return f"{self.school} {self.year} {self.description}"


class PaySupplementCalc(models.Model):
    """The year's performance-pay supplement of a school (（七）): revenue as computed
    from the records and other revenue, the chosen rate, and the rule's steps."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rate = models.DecimalField(_("追加比例"), max_digits=5, decimal_places=4)
    excellent = models.BooleanField(_("绩效考核优秀"), default=False)
    revenue_records = models.DecimalField(_("培训记录收入（元）"), max_digits=14, decimal_places=2)
    revenue_other = models.DecimalField(
        _("其他社会培训收入（元）"), max_digits=14, decimal_places=2
    )
    revenue = models.DecimalField(_("社会培训收入合计（元）"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("追加绩效工资总量（元）"), max_digits=14, decimal_places=2)
    # Optional, separate from the rate: the growth control of per-capita excess
    # performance pay, which a unit rated 优秀 may raise by ≤ 5 points (（七））
    control_base = models.DecimalField(
        _("调控基数（人均，元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    control_growth = models.DecimalField(
        _("控制增幅"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    growth_extra = models.DecimalField(
        _("考核优秀上浮（占调控基数）"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    growth_ceiling = models.DecimalField(
        _("超额绩效年人均水平上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    steps = models.JSONField(_("计算过程"), default=list)
    clause = models.CharField(_("依据"), max_length=16)
    calculated_at = models.DateTimeField(_("测算时间"), auto_now=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("绩效工资追加测算")
        verbose_name_plural = _("绩效工资追加测算")
        ordering = ["-year", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="pay_supplement_unique")
        ]

    def __str__(self) -> str:
        return _("%(s)s%(y)s年绩效工资追加测算") % {"s": self.school, "y": self.year}

    def steps_text(self) -> str:
        return "\n".join(self.steps)


# --- teachers （二十） ---------------------------------------------------------------


class TeacherHiring(models.Model):
    """A public hiring (公开招聘); for a skill post the practical test weighs ≥ 50%."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("招聘岗位"), max_length=64)
    skill_post = models.BooleanField(
        _("技能操作或技能指导岗位"), default=True, help_text=_("以技能操作或技能指导履行职责的岗位")
    )
    practical_weight = models.DecimalField(
        _("实际操作能力测试比重"),
        max_digits=4,
        decimal_places=3,
        help_text=_("0–1，0.6 表示 60%"),
    )
    skill_level_required = models.CharField(_("职业技能等级要求"), max_length=32, blank=True)
    positions = models.PositiveSmallIntegerField(_("招聘人数"), validators=[MinValueValidator(1)])
    announced_on = models.DateField(_("公告日期"))
    hired = models.PositiveSmallIntegerField(_("实际聘用人数"), default=0)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("教师招聘")
        verbose_name_plural = _("教师招聘")
        ordering = ["-announced_on", "-id"]

    def __str__(self) -> str:
        return f"{self.school} {self.post}（{self.announced_on:%Y-%m-%d}）"


class TrainingLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区县级")
    SCHOOL = "school", _("校级")


class IntegratedTraining(models.Model):
    """一体化师资培训 a teacher attended (（二十） 一体化师资专项培训计划)."""

    teacher = models.ForeignKey(
        "staff.Teacher", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("培训项目"), max_length=128)
    organiser = models.CharField(_("主办单位"), max_length=64)
    level = models.CharField(_("级别"), max_length=12, choices=TrainingLevel.choices)
    hours = models.PositiveSmallIntegerField(_("学时"), validators=[MinValueValidator(1)])
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))
    online = models.BooleanField(_("网络研修"), default=False)

    objects = ScopedManager()

    class Scope:
        school = "teacher__school"
        district = "teacher__school__district"

    class Meta:
        verbose_name = _("一体化师资培训")
        verbose_name_plural = _("一体化师资培训")
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.teacher} {self.title}"

    def clean(self):
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError(
                {
                    "ended_on": [
                        _("结束日期“%(e)s”早于开始日期“%(s)s”：日期顺序错误")
                        % {"e": self.ended_on, "s": self.started_on}
                    ]
                }
            )


class TeacherCompetition(models.Model):
    """A teacher's entry in a teacher competition (（二十） 定期举办教师职业能力大赛)."""

    teacher = models.ForeignKey(
        "staff.Teacher", verbose_name=_("教师"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("赛事名称"), max_length=128)
    level = models.CharField(_("级别"), max_length=12, choices=TrainingLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    award = models.CharField(_("获奖等次"), max_length=32, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "teacher__school"
        district = "teacher__school__district"

    class Meta:
        verbose_name = _("教师职业能力大赛")
        verbose_name_plural = _("教师职业能力大赛")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"{self.teacher} {self.name}"


# --- labour education and 思政 （四）（五） -------------------------------------------


class CurriculumRecord(models.Model):
    """A school's curriculum for one school year: the labour-education course, the
    hours of 劳模/劳动/工匠精神 education (≥ 16) and the unified textbooks used."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("学年（起始年）"))
    labour_course = models.BooleanField(_("开设劳动教育必修课"), default=True)
    labour_spirit_hours = models.DecimalField(
        _("劳模精神、劳动精神、工匠精神专题教育（学时）"), max_digits=5, decimal_places=1
    )
    ideology_textbook = models.BooleanField(_("使用思想政治统编教材"), default=False)
    chinese_textbook = models.BooleanField(_("使用语文统编教材"), default=False)
    history_textbook = models.BooleanField(_("使用历史统编教材"), default=False)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("劳动教育与思政课程")
        verbose_name_plural = _("劳动教育与思政课程")
        ordering = ["-year", "school__code"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="curriculum_unique")]

    def __str__(self) -> str:
        return _("%(s)s%(y)s学年课程") % {"s": self.school, "y": self.year}

    @property
    def unified_textbooks(self) -> bool:
        return self.ideology_textbook and self.chinese_textbook and self.history_textbook


# --- student aid （二十一） -----------------------------------------------------------


class AidKind(models.TextChoices):
    GRANT = "grant", _("国家助学金")
    FREE_TUITION = "free_tuition", _("免学费")
    SCHOLARSHIP = "scholarship", _("奖学金")
    SKILL_EAGLET = "skill_eaglet", _("“技能雏鹰”奖助学金")
    SOCIAL = "social", _("社会捐赠奖助学金")
    OTHER = "other", _("其他")


class AidProgramme(models.Model):
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("资助项目"), max_length=64)
    kind = models.CharField(_("资助类型"), max_length=16, choices=AidKind.choices)
    funder = models.CharField(_("资金来源"), max_length=64)
    amount_per_person = models.DecimalField(
        _("资助标准（元/人）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("学生资助项目")
        verbose_name_plural = _("学生资助项目")
        ordering = ["-year", "school__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "name"], name="aid_programme_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class AidRecipient(models.Model):
    programme = models.ForeignKey(
        AidProgramme,
        verbose_name=_("资助项目"),
        on_delete=models.PROTECT,
        related_name="recipients",
    )
    registration = models.ForeignKey(
        "students.Registration", verbose_name=_("学籍"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("资助金额（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    granted_on = models.DateField(_("发放日期"))

    objects = ScopedManager()

    class Scope:
        school = "programme__school"
        district = "programme__school__district"

    class Meta:
        verbose_name = _("受助学生")
        verbose_name_plural = _("受助学生")
        ordering = ["programme", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "registration"], name="aid_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.person.name} {self.programme}"

    def clean(self):
        if (
            self.programme_id
            and self.registration_id
            and self.registration.school_id != self.programme.school_id
        ):
            raise ValidationError(
                {
                    "registration": [
                        _("学籍“%(r)s”不属于资助项目所在学校") % {"r": self.registration}
                    ]
                }
            )


class AidGround(models.TextChoices):
    HARDSHIP_SEVERE = "hardship_severe", _("家庭经济特别困难")
    HARDSHIP = "hardship", _("家庭经济困难")
    POVERTY_ALLEVIATED = "poverty_alleviated", _("脱贫家庭（含防返贫监测对象）")
    DISABILITY = "disability", _("残疾学生")
    OTHER = "other", _("其他")


AID_APPLICATION_ROLES = {
    "view": STAFF_ROLES,
    "add": {Role.SCHOOL},
    "change": STAFF_ROLES,
    "delete": set(),
}


class AidApplication(SchoolItem):
    """A student's application for a programme of the school, entered by the school and
    reviewed by its district bureau (（二十一）); payment makes the student a recipient."""

    workflow = flows.AID_APPLICATION
    programme = models.ForeignKey(
        AidProgramme,
        verbose_name=_("资助项目"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    registration = models.ForeignKey(
        "students.Registration", verbose_name=_("学籍"), on_delete=models.PROTECT, related_name="+"
    )
    amount_requested = models.DecimalField(_("申请金额（元）"), max_digits=10, decimal_places=2)
    grounds = models.CharField(_("申请理由"), max_length=24, choices=AidGround.choices)
    grounds_note = models.CharField(_("理由说明"), max_length=255, blank=True)
    applied_on = models.DateField(_("申请日期"))
    amount_approved = models.DecimalField(
        _("核定金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    class Scope:
        school = "school"
        district = "school__district"
        roles = AID_APPLICATION_ROLES

    class Meta:
        verbose_name = _("学生资助申请")
        verbose_name_plural = _("学生资助申请")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "registration"], name="aid_application_unique"
            )
        ]

    def __str__(self) -> str:
        return _("%(n)s的%(p)s申请") % {"n": self.registration.person.name, "p": self.programme}

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        programme = self.programme if self.programme_id else None
        reg = self.registration if self.registration_id else None
        if programme is not None and self.school_id and programme.school_id != self.school_id:
            errors.setdefault("programme", []).append(
                _("资助项目“%(p)s”不是本校的资助项目") % {"p": programme}
            )
        if reg is not None and self.school_id and reg.school_id != self.school_id:
            errors.setdefault("registration", []).append(
                _("学籍“%(r)s”不属于资助项目所在学校") % {"r": reg}
            )
        if programme is not None and self.applied_on and self.applied_on.year != programme.year:
            errors.setdefault("applied_on", []).append(
                _("申请日期“%(d)s”不在资助项目“%(p)s”的年度（%(y)s年）内")
                % {"d": self.applied_on.isoformat(), "p": programme.name, "y": programme.year}
            )
        if reg is not None and self.applied_on:
            reason = on_roll_refusal(reg, self.applied_on)
            if reason:
                errors.setdefault("registration", []).append(reason)
        standard = programme.amount_per_person if programme is not None else None
        for name, ceilings in (
            ("amount_requested", [(_("资助标准"), standard)]),
            (
                "amount_approved",
                [(_("申请金额"), self.amount_requested), (_("资助标准"), standard)],
            ),
        ):
            value = getattr(self, name)
            if value is None:
                continue
            label = self._meta.get_field(name).verbose_name
            if value <= 0:
                errors.setdefault(name, []).append(
                    _("%(f)s“%(v)s”应大于0") % {"f": label, "v": _yuan(value)}
                )
            for what, ceiling in ceilings:
                if ceiling is not None and value > ceiling:
                    errors.setdefault(name, []).append(
                        _("%(f)s“%(v)s”超过%(w)s%(c)s元")
                        % {"f": label, "v": _yuan(value), "w": what, "c": _yuan(ceiling)}
                    )
        if self.grounds == AidGround.OTHER and not (self.grounds_note or "").strip():
            errors.setdefault("grounds_note", []).append(_("申请理由为“其他”时须填写理由说明"))
        if self.paid_on:
            today = timezone.localdate()
            if self.applied_on and self.paid_on < self.applied_on:
                errors.setdefault("paid_on", []).append(
                    _("发放日期“%(d)s”早于申请日期“%(a)s”")
                    % {"d": self.paid_on.isoformat(), "a": self.applied_on.isoformat()}
                )
            if self.paid_on > today:
                errors.setdefault("paid_on", []).append(
                    _("发放日期“%(d)s”晚于今天（%(t)s）")
                    % {"d": self.paid_on.isoformat(), "t": today.isoformat()}
                )
        if errors:
            raise ValidationError(errors)


def _yuan(value) -> str:
    """An amount as messages show it, the same whichever door it came through."""
    from decimal import Decimal

    return f"{Decimal(str(value)):.2f}"


def on_roll_refusal(registration, on) -> str:
    """Why the registration was not 在籍 on ``on`` ("" when it was): enrolled later, or
    left (退学, 转出, 毕业 …) on or before that day."""
    from jigong.students.models import IN_SCHOOL

    if registration.enrolled_on > on:
        return _("学籍“%(r)s”入学日期为%(e)s，申请日期“%(d)s”时尚不在籍") % {
            "r": registration,
            "e": registration.enrolled_on.isoformat(),
            "d": on.isoformat(),
        }
    left = registration.left_on or (
        registration.status_changed_on if registration.status not in IN_SCHOOL else None
    )
    if registration.status not in IN_SCHOOL and (left is None or left <= on):
        return _("学籍“%(r)s”状态为“%(s)s”（%(l)s），申请日期“%(d)s”时已不在籍") % {
            "r": registration,
            "s": registration.get_status_display(),
            "l": left.isoformat() if left else "—",
            "d": on.isoformat(),
        }
    return ""
