"""Online enrolment (招生报名, （九）(十), issue 16): the city's season, an applicant's
application with up to ``Season.max_choices`` choices, each choice decided by the
school it names, and the 学籍 the confirmed choice becomes on registration day.

Every change goes through the acts of ``jigong.admissions.services``. Applicants are
anonymous: they reach their application by its reference number and their ID number
(the same proof as the graduates' self-service); schools see only the choices that
name them.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core import pii
from jigong.core.models import Role, ScopedManager
from jigong.core.permissions import STAFF_ROLES


class Season(models.Model):
    """The city's enrolment season of one year: when applications are open, how many
    choices an applicant may make."""

    year = models.PositiveSmallIntegerField(_("招生年度"), unique=True)
    opens_on = models.DateField(_("报名开始日期"))
    closes_on = models.DateField(_("报名截止日期"))
    max_choices = models.PositiveSmallIntegerField(
        _("可填志愿数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )

    objects = ScopedManager()

    class Scope:
        shared = ("view",)
        roles = {
            "view": STAFF_ROLES,
            "add": {Role.MUNICIPAL},
            "change": {Role.MUNICIPAL},
            "delete": {Role.MUNICIPAL},
        }

    class Meta:
        verbose_name = _("招生季")
        verbose_name_plural = _("招生季")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(y)s年招生季") % {"y": self.year}

    def is_open(self, on) -> bool:
        return self.opens_on <= on <= self.closes_on


class Schooling(models.TextChoices):
    """前置学历: the previous schooling an applicant states."""

    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("普通高中")
    VOCATIONAL = "vocational", _("中等职业学校")
    HIGHER = "higher", _("大专及以上")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上报名")
    OFFLINE = "offline", _("现场报名（学校录入）")


class Application(models.Model):
    """One applicant's application in one season (one per ID number and season)."""

    season = models.ForeignKey(
        Season, verbose_name=_("招生季"), on_delete=models.PROTECT, related_name="applications"
    )
    reference = models.CharField(_("报名号"), max_length=20, unique=True)
    id_number_enc = pii.SealedField(_("身份证号（加密）"), plain="id_number")
    id_number_hmac = pii.DigestField(_("身份证号"), plain="id_number")
    id_number = pii.Sealed("admissions.application.id_number")
    name = models.CharField(_("姓名"), max_length=32)
    phone = models.CharField(_("联系电话"), max_length=20)
    # The applicant groups of （九）, the same codes as the 学籍's 生源类别.
    category = models.CharField(_("报名类别"), max_length=24)
    schooling = models.CharField(_("前置学历"), max_length=12, choices=Schooling.choices)
    home_province = models.CharField(_("生源省份"), max_length=2)
    # 非全日制 企业在岗职工 （十）: the employer and the arrangement of at least a year.
    enterprise_code = models.CharField(_("所在企业统一社会信用代码"), max_length=18, blank=True)
    arrangement_months = models.PositiveSmallIntegerField(
        _("工学安排（月）"), null=True, blank=True
    )
    channel = models.CharField(
        _("报名方式"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by_school = models.ForeignKey(
        "schools.School",
        verbose_name=_("录入学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    pii_names = ("name",)

    objects = ScopedManager()

    class Scope:
        school = "choices__school"
        district = "choices__school__district"
        multi = True

    class Meta:
        verbose_name = _("招生报名")
        verbose_name_plural = _("招生报名")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "id_number_hmac"], name="application_one_per_season"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ChoiceState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    WAITLISTED = "waitlisted", _("候补")
    ADMITTED = "admitted", _("已录取")
    REFUSED = "refused", _("未录取")
    CONFIRMED = "confirmed", _("已确认")
    RELEASED = "released", _("已放弃")  # the applicant confirmed another admission
    ENROLLED = "enrolled", _("已注册学籍")


# States that hold a place within the plan line.
HOLDS_PLACE = (ChoiceState.ADMITTED, ChoiceState.CONFIRMED, ChoiceState.ENROLLED)


class Choice(models.Model):
    """One choice (志愿) of an application: a school's major at one level and track.
    The school it names decides it."""

    application = models.ForeignKey(
        Application, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="choices"
    )
    rank = models.PositiveSmallIntegerField(
        _("志愿序号"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    school = models.ForeignKey(
        "schools.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    school_major = models.ForeignKey(
        "schools.SchoolMajor",
        verbose_name=_("专业及层次"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.CharField(_("学习形式"), max_length=12)
    state = models.CharField(
        _("状态"), max_length=12, choices=ChoiceState.choices, default=ChoiceState.SUBMITTED
    )
    reason = models.CharField(_("原因"), max_length=255, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    registration = models.OneToOneField(
        "students.Registration",
        verbose_name=_("学籍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admission",
    )

    objects = ScopedManager()

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("报名志愿")
        verbose_name_plural = _("报名志愿")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_unique"),
            models.UniqueConstraint(
                fields=["application", "school_major", "track"], name="choice_once"
            ),
        ]
        indexes = [
            # the plan line's places held, and a school's list by state
            models.Index(fields=["school_major", "state"], name="choice_line_state"),
            models.Index(fields=["school", "state"], name="choice_school_state"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}-{self.rank}"
