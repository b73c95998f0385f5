"""Quality evaluation (（二十四））: scores per school and year, reviewed scores,
supervision findings (督导) and the annual quality report."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jigong.core.models import Role, ScopedManager

STAFF = {Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL}
MUNICIPAL_ONLY = {
    "view": STAFF,
    "add": {Role.MUNICIPAL},
    "change": {Role.MUNICIPAL},
    "delete": {Role.MUNICIPAL},
}


class Dimension(models.TextChoices):
    """The four dimensions of （二十四）; codes match policy.rules.QUALITY_DIMENSIONS."""

    PROFESSIONAL_ETHICS = "professional_ethics", _("职业道德")
    SKILL_LEVEL = "skill_level", _("技能水平")
    EMPLOYMENT_QUALITY = "employment_quality", _("就业质量")
    SCHOOL_ENTERPRISE = "school_enterprise", _("校企合作水平")


DIMENSIONS = [d.value for d in Dimension]


class QualityScore(models.Model):
    """One school's evaluation for one year: dimension scores (0–100, None = 无数据),
    the weighted total, the city rank as a position, and every input used."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    professional_ethics = models.DecimalField(
        _("职业道德"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    skill_level = models.DecimalField(
        _("技能水平"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    employment_quality = models.DecimalField(
        _("就业质量"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    school_enterprise = models.DecimalField(
        _("校企合作水平"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField(_("全市排名"), null=True, blank=True)
    ranked = models.PositiveSmallIntegerField(_("参评学校数"), default=0)
    inputs = models.JSONField(_("计算依据"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = ScopedManager()

    # Computed, never edited (jigong.core.acts): a reviewed score is entered instead.
    procedure_fields = dict.fromkeys(
        (*DIMENSIONS, "total", "rank", "ranked", "inputs", "computed_at"),
        "quality.scores_compute",
    )

    class Scope:
        school = "school"
        district = "school__district"
        roles = MUNICIPAL_ONLY

    class Meta:
        verbose_name = _("质量评价得分")
        verbose_name_plural = _("质量评价得分")
        ordering = ["year", "rank", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="quality_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school}{self.year}年质量评价"

    def dimension_scores(self) -> dict:
        return {d: getattr(self, d) for d in DIMENSIONS}


class QualityReview(models.Model):
    """A score the bureau entered after review, for a dimension the platform has no
    (or not enough) data on — typically 职业道德. It replaces the computed score."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    dimension = models.CharField(_("评价维度"), max_length=24, choices=Dimension.choices)
    score = models.DecimalField(
        _("审定得分"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    basis = models.TextField(_("评定依据"))
    reviewed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("审定人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审定时间"), default=timezone.now)

    objects = ScopedManager()

    # Changed by the act that also recomputes the year's totals and ranks.
    procedure_fields = dict.fromkeys(
        ("score", "basis", "reviewed_by", "reviewed_at"), "quality.review_set"
    )

    class Scope:
        school = "school"
        district = "school__district"
        roles = MUNICIPAL_ONLY

    class Meta:
        verbose_name = _("质量评价审定得分")
        verbose_name_plural = _("质量评价审定得分")
        ordering = ["-year", "school__code", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "dimension"], name="quality_review_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school}{self.year}年{self.get_dimension_display()}审定得分"


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    CRITICAL = "critical", _("严重")


class FindingState(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已销号")


class FindingArea(models.TextChoices):
    PROFESSIONAL_ETHICS = "professional_ethics", _("职业道德")
    SKILL_LEVEL = "skill_level", _("技能水平")
    EMPLOYMENT_QUALITY = "employment_quality", _("就业质量")
    SCHOOL_ENTERPRISE = "school_enterprise", _("校企合作水平")
    MANAGEMENT = "management", _("办学管理与安全")


class Finding(models.Model):
    """A supervision finding (督导发现问题) against a school and its follow-up:
    待整改 → 整改中 (the school states its measures) → 已销号 (the bureau checks the
    evidence); the bureau may send 整改中 back to 待整改."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    found_on = models.DateField(_("督导日期"))
    area = models.CharField(_("评价维度"), max_length=24, choices=FindingArea.choices)
    finding = models.TextField(_("发现问题"))
    severity = models.CharField(_("严重程度"), max_length=12, choices=Severity.choices)
    required_action = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"), db_index=True)
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=FindingState.choices,
        default=FindingState.OPEN,
        db_index=True,
    )
    rectification = models.TextField(_("整改措施"), blank=True)
    evidence = models.TextField(_("销号意见与证明材料"), blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("督导人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    # The follow-up moves only by its acts, each recording a step (jigong.core.acts).
    procedure_fields = dict.fromkeys(
        ("state", "rectification", "evidence", "closed_on"),
        ("quality.finding_rectify", "quality.finding_return", "quality.finding_close"),
    )

    class Scope:
        school = "school"
        district = "school__district"
        roles = {
            "view": STAFF,
            "add": {Role.MUNICIPAL, Role.DISTRICT},
            "change": STAFF,  # which state change each role may make: services.TRANSITIONS
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("督导问题")
        verbose_name_plural = _("督导问题")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return _("%(s)s %(d)s督导问题") % {"s": self.school, "d": self.found_on}

    @property
    def overdue(self) -> bool:
        return self.state != FindingState.CLOSED and self.deadline < timezone.localdate()


class FindingStep(models.Model):
    """One state change of a finding: who, when, from/to, and what they wrote."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("督导问题"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=16)
    from_state = models.CharField(_("原状态"), max_length=12, choices=FindingState.choices)
    to_state = models.CharField(_("新状态"), max_length=12, choices=FindingState.choices)
    comment = models.TextField(_("说明"))
    acted_by = models.ForeignKey(
        "core.User",
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedManager()

    class Scope:
        school = "finding__school"
        district = "finding__school__district"
        roles = {"view": STAFF, "add": STAFF, "change": set(), "delete": set()}

    class Meta:
        verbose_name = _("督导办理记录")
        verbose_name_plural = _("督导办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class AnnualReport(models.Model):
    """A generated annual quality report (city-wide when ``school`` is empty). Files are
    stored under MEDIA_ROOT/reports/<year>/<random hex>.{html,pdf}; only selectors read
    them, and the public sees published reports only."""

    year = models.PositiveSmallIntegerField(_("年度"))
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=128)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    html_path = models.CharField(_("HTML 文件"), max_length=128)
    pdf_path = models.CharField(_("PDF 文件"), max_length=128)
    pages = models.PositiveSmallIntegerField(_("页数"), default=0)
    pdf_sha256 = models.CharField(_("PDF 摘要"), max_length=64)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(
        "core.User",
        verbose_name=_("生成人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        "core.User",
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    # Published and withdrawn by their acts; the files are the generated ones.
    procedure_fields = {
        **dict.fromkeys(
            ("status", "published_at", "published_by"),
            ("annual_report.publish", "annual_report.withdraw"),
        ),
        **dict.fromkeys(
            ("title", "html_path", "pdf_path", "pages", "pdf_sha256"), "annual_report.generate"
        ),
    }

    class Scope:
        school = "school"
        district = "school__district"
        roles = MUNICIPAL_ONLY

    class Meta:
        verbose_name = _("年度质量报告")
        verbose_name_plural = _("年度质量报告")
        ordering = ["-year", "-generated_at", "-id"]

    def __str__(self) -> str:
        return self.title
