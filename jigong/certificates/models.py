"""Graduation certificates (stating the class level) and 职业技能等级证书."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.certificates import numbering
from jigong.core.choices import Level
from jigong.core.models import Role, ScopedManager


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

    # A certificate is revoked, replaced or exchanged only by its acts (jigong.core.acts),
    # never by an edit in the admin (which may still correct a mistyped number or date).
    procedure_fields = {
        **dict.fromkeys(
            ("status", "revoked_on", "revoked_reason"),
            ("certificate.revoke", "certificate.reissue", "certificate.exchange_completion"),
        ),
        "outcome": "certificate.exchange_completion",
    }

    class Scope:
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("毕业证书")
        verbose_name_plural = _("毕业证书")
        ordering = ["-issued_on", "number"]
        indexes = [
            # the list's order, in the city and in a school (one issue date holds
            # thousands of certificates: sorting them by number took 2.1 s)
            models.Index(fields=["-issued_on", "number"], name="gradcert_order"),
            models.Index(fields=["school", "-issued_on", "number"], name="gradcert_school_order"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean_fields(self, exclude=None):
        """The number rule (``numbering.check``) wherever a number is written: a new
        certificate, or a changed number. Every audited write (``core.services``: the
        certificate services, the admin) runs ``full_clean``. A number stored before the
        rule is not re-checked when other fields change (a revocation must still work);
        its printing is refused instead (``printing.certificates_pdf``)."""
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "number" not in (exclude or ()) and self._number_is_new():
            try:
                numbering.check(self.number)
            except numbering.NumberError as exc:
                # one message naming field, value and rule (instead of Django's length/
                # blank message for the same value)
                errors["number"] = [ValidationError(exc.message, code="number_rule")]
        if errors:
            raise ValidationError(errors)

    def _number_is_new(self) -> bool:
        if self._state.adding or self.pk is None:
            return True
        stored = (
            type(self)._base_manager.filter(pk=self.pk).values_list("number", flat=True).first()
        )
        return stored != self.number

    @property
    def equivalence(self) -> str | None:
        """中专 / 大专 / 本科, read from the policy parameters at the issue date (（十八））;
        None for a certificate issued before the rule took effect."""
        from jigong.policy import rules

        return rules.equivalence(self.level, self.issued_on)

    @property
    def equivalence_label(self) -> str | None:
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
        # The indicators read a holder's certificates by date and level (graduates who
        # hold a skill certificate, the highest level reached by a cut-off date).
        indexes = [
            models.Index(
                fields=["person", "issued_on", "level"], name="skillcert_person_date_level"
            )
        ]

    def __str__(self) -> str:
        return self.number


class VerificationCode(models.Model):
    """An online verification code (在线验证码, as 学信网 issues them): whoever holds it
    may read the certificate's verification report until it expires or is revoked."""

    code = models.CharField(_("验证码"), max_length=16, unique=True)
    certificate = models.ForeignKey(
        GraduationCertificate,
        verbose_name=_("毕业证书"),
        on_delete=models.CASCADE,
        related_name="verification_codes",
    )
    days = models.PositiveSmallIntegerField(_("有效期（天）"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"), db_index=True)
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ScopedManager()

    class Scope:
        school = "certificate__school"
        district = "certificate__school__district"

    class Meta:
        verbose_name = _("在线验证码")
        verbose_name_plural = _("在线验证码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        from jigong.certificates.codes import display

        return display(self.code)

    def state(self, now=None) -> str:
        from django.utils import timezone

        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > (now or timezone.now()) else "expired"

    def state_label(self, now=None) -> str:
        return str(CODE_STATES[self.state(now)])


CODE_STATES = {"active": _("有效"), "expired": _("已过期"), "revoked": _("已撤销")}


class QueryChannel(models.TextChoices):
    API_SINGLE = "api_single", _("接口单个核验")
    API_BATCH = "api_batch", _("接口批量核验")
    API_FILE = "api_file", _("接口文件核验")
    API_EQUIVALENCE = "api_equivalence", _("接口学历对应查询")
    PUBLIC_PAGE = "public_page", _("公众查询页面")
    PUBLIC_API = "public_api", _("公众查询接口")
    PUBLIC_CODE = "public_code", _("在线验证码查询")
    TERMINAL = "terminal", _("命令行查询")
    # graduates' self-service (issue 15): each proof of identity checked against the register
    GRADUATE_REGISTER = "grad_register", _("毕业生注册")
    GRADUATE_RECOVER = "grad_recover", _("毕业生找回密码")


class QueryLog(models.Model):
    """One row per query of the department API: who, when, what, result. Kept at least
    ``certificates.query_log_retention_months`` (the purge command refuses newer rows);
    read by the municipal bureau only. Append-only, like the audit log."""

    at = models.DateTimeField(_("时间"), db_index=True)
    api_key = models.ForeignKey(
        "core.ApiKey",
        verbose_name=_("接口密钥"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="queries",
        db_index=False,  # led by the (api_key, -at) index below: no extra index to write
    )
    client = models.CharField(_("查询方"), max_length=100)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    channel = models.CharField(_("方式"), max_length=16, choices=QueryChannel.choices)
    kind = models.CharField(_("证书类型"), max_length=16, blank=True)
    number = models.CharField(_("查询的证书编号"), max_length=40, blank=True)
    name = models.CharField(_("查询的姓名（隐藏）"), max_length=40, blank=True)
    found = models.BooleanField(_("查到"))
    batch = models.CharField(_("批次"), max_length=32, blank=True, db_index=True)

    objects = ScopedManager()

    class Scope:
        roles = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("查询日志")
        verbose_name_plural = _("查询日志")
        ordering = ["-at", "-id"]
        # a key's last use (the department's home page) without reading all its rows
        indexes = [models.Index(fields=["api_key", "-at"], name="querylog_key_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.client} {self.number}"
