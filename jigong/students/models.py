"""Students (a person) and their registrations (学籍) with dated status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core import pii
from jigong.core.choices import Level
from jigong.core.models import ScopedManager


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    id_number_enc = pii.SealedField(_("身份证号（加密）"), plain="id_number")
    id_number_hmac = pii.DigestField(_("身份证号"), plain="id_number", unique=True)
    id_number = pii.Sealed("students.person.id_number")
    name = models.CharField(_("姓名"), max_length=32, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    home_province = models.CharField(_("生源省份"), max_length=2, default="50")

    pii_names = ("name",)  # masked as a person's name (jigong.core.pii)

    objects = ScopedManager()

    class Scope:
        school = "registrations__school"
        district = "registrations__school__district"
        multi = True

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")

    def __str__(self) -> str:
        return self.name

    def certifying_school_id(self) -> int | None:
        """The school that issued the newest certificate naming this person (a
        graduation certificate, else a skill certificate it evaluated), or None."""
        issued = (
            self.registrations.filter(certificates__isnull=False)
            .order_by("-certificates__issued_on")
            .values_list("certificates__school_id", flat=True)
            .first()
        )
        if issued is None:
            issued = (
                self.skill_certificates.exclude(evaluator=None)
                .order_by("-issued_on")
                .values_list("evaluator_id", flat=True)
                .first()
            )
        return issued

    def procedure_fields(self) -> dict[str, str]:
        """Once a certificate names the person, the name, sex and birth date on it are
        changed only by the correction act (jigong.core.acts)."""
        if self.pk is None or (
            not self.registrations.filter(certificates__isnull=False).exists()
            and not self.skill_certificates.exists()
        ):
            return {}
        return dict.fromkeys(("name", "sex", "birth_date"), "person.correct")

    @property
    def home_province_name(self) -> str:
        from jigong.standards.regions import PROVINCES

        return PROVINCES.get(self.home_province, self.home_province)


class EntryPoint(models.TextChoices):
    JUNIOR = "junior", _("初中起点")
    SENIOR = "senior", _("高中起点")


class Track(models.TextChoices):
    FULL_TIME = "full_time", _("全日制")
    PART_TIME = "part_time", _("非全日制")


class Source(models.TextChoices):
    JUNIOR_GRADUATE = "junior_graduate", _("应届初中毕业生")
    SENIOR_GRADUATE = "senior_graduate", _("应届高中毕业生")
    PREVIOUS_GRADUATE = "previous_graduate", _("往届毕业生")
    ENTERPRISE_EMPLOYEE = "enterprise_employee", _("企业在岗职工")
    VETERAN = "veteran", _("退役军人")
    POVERTY_FAMILY = "poverty_family", _("脱贫家庭新成长劳动力")
    UNEMPLOYED_GRADUATE = "unemployed_graduate", _("离校未就业高校毕业生")


class Status(models.TextChoices):
    ENROLLED = "enrolled", _("在校")
    SUSPENDED = "suspended", _("休学")
    RESUMED = "resumed", _("复学")
    TRANSFERRED_OUT = "transferred_out", _("转出")
    TRANSFERRED_IN = "transferred_in", _("转入")
    WITHDRAWN = "withdrawn", _("退学")
    GRADUATED = "graduated", _("毕业")
    COMPLETED = "completed", _("结业")


# Statuses that count as “in school” (在校生).
IN_SCHOOL = (Status.ENROLLED, Status.RESUMED, Status.TRANSFERRED_IN, Status.SUSPENDED)


class Registration(models.Model):
    person = models.ForeignKey(
        Person, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="registrations"
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("学校"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    major = models.ForeignKey(
        "reference.Major", verbose_name=_("专业"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("班级层次"), max_length=16, choices=Level.choices)
    entry_point = models.CharField(_("入学起点"), max_length=8, choices=EntryPoint.choices)
    duration_months = models.PositiveSmallIntegerField(_("学制（月）"))
    track = models.CharField(_("学习形式"), max_length=12, choices=Track.choices)
    source = models.CharField(_("生源类别"), max_length=24, choices=Source.choices)
    enrolled_on = models.DateField(_("入学日期"))
    status = models.CharField(
        _("学籍状态"),
        max_length=16,
        choices=Status.choices,
        default=Status.ENROLLED,
        db_index=True,
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    left_on = models.DateField(_("离校日期"), null=True, blank=True)
    cooperation = models.ForeignKey(
        "cooperation.CooperationAgreement",
        verbose_name=_("订单班/学徒制协议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["enrolled_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.school.name} {self.get_level_display()}）"

    @property
    def entry_year(self) -> int:
        return self.enrolled_on.year

    @property
    def expected_end(self):
        from jigong.core.dates import add_months

        return add_months(self.enrolled_on, self.duration_months)


class StatusChange(models.Model):
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    status = models.CharField(_("变更为"), max_length=16, choices=Status.choices)
    changed_on = models.DateField(_("变更日期"))
    reason = models.CharField(_("原因"), max_length=128, blank=True)
    counterpart_school = models.ForeignKey(
        "schools.School",
        verbose_name=_("转入/转出学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the day the change was recorded: the school's window to revert it starts here
    recorded_on = models.DateField(_("登记日期"), null=True, blank=True)
    reverted_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revert_reason = models.CharField(_("撤销原因"), max_length=128, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "registration__school"
        district = "registration__school__district"

    class Meta:
        verbose_name = _("学籍异动")
        verbose_name_plural = _("学籍异动")
        ordering = ["registration", "changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.changed_on}"


class TransferState(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REFUSED = "refused", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")
    REVERTED = "reverted", _("已撤销")


class Transfer(models.Model):
    """A 转学 case: asked by the school the student leaves (转出), accepted or refused by
    the receiving school (by the bureau when the schools are in different districts).
    Accepting it records 转出 at the old school and creates the 转入 registration at the
    new one, with the enrolment carried over (no new enrolment)."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("转出学籍"),
        on_delete=models.CASCADE,
        related_name="transfers_out",
    )
    from_school = models.ForeignKey(
        "schools.School",
        verbose_name=_("转出学校"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_school = models.ForeignKey(
        "schools.School",
        verbose_name=_("转入学校"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    transfer_on = models.DateField(_("转学日期"))
    reason = models.CharField(_("转学原因"), max_length=128)
    state = models.CharField(
        _("办理状态"),
        max_length=12,
        choices=TransferState.choices,
        default=TransferState.PENDING,
        db_index=True,
    )
    requested_on = models.DateField(_("申请日期"))
    decided_on = models.DateField(_("办结日期"), null=True, blank=True)
    decision_note = models.CharField(_("办理意见"), max_length=128, blank=True)
    new_registration = models.OneToOneField(
        Registration,
        verbose_name=_("转入学籍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfer_in",
    )

    objects = ScopedManager()

    class Scope:
        school = ("from_school", "to_school")
        district = ("from_school__district", "to_school__district")

    class Meta:
        verbose_name = _("转学")
        verbose_name_plural = _("转学")
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"{self.registration.person.name}：{self.from_school.name} → {self.to_school.name}"

    @property
    def across_districts(self) -> bool:
        return self.from_school.district_id != self.to_school.district_id
