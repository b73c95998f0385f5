"""Platform models: users with a role and a scope, and the audit log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MUNICIPAL = "municipal", _("市人社局")
    DISTRICT = "district", _("区县人社局")
    SCHOOL = "school", _("学校管理员")
    DEPARTMENT = "department", _("部门接口用户")
    GRADUATE = "graduate", _("毕业生")


class Duty(models.TextChoices):
    """What an account does within its role (issue 15): an act may need one."""

    RECORDS = "records", _("学籍")
    ENROLMENT = "enrolment", _("招生")
    CERTIFICATES = "certificates", _("证书")
    TRAINING = "training", _("培训与就业")
    REVIEW = "review", _("审核")
    STATISTICS = "statistics", _("统计")
    ADMIN = "admin", _("管理员")


# The duties each role's accounts may hold. A duty narrows only the accounts of a role it
# belongs to: an act needing 学籍 asks it of a school account, not of a bureau's.
ROLE_DUTIES: dict[str, tuple[str, ...]] = {
    Role.SCHOOL: (Duty.RECORDS, Duty.ENROLMENT, Duty.CERTIFICATES, Duty.TRAINING, Duty.ADMIN),
    Role.DISTRICT: (Duty.REVIEW, Duty.STATISTICS, Duty.ADMIN),
    Role.MUNICIPAL: (Duty.REVIEW, Duty.STATISTICS, Duty.ADMIN),
}


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see or do."""

    def restrict(self, user, action: str = "view"):
        from jigong.core.permissions import restrict_queryset

        return restrict_queryset(self, user, action)

    def by_id_number(self, number: str, path: str = "id_number"):
        """Rows whose sealed ID number at ``path`` ("person__id_number") is ``number``:
        an exact match on its keyed hash (jigong.core.pii)."""
        from jigong.core import pii

        return self.filter(**{f"{path}_hmac": pii.digest(number)})


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class UserQuerySet(ScopedQuerySet):
    pass


class JigongUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.SCHOOL)
    district = models.ForeignKey(
        "reference.District",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("所属学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    person = models.ForeignKey(
        "students.Person",
        verbose_name=_("本人学籍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        help_text=_("毕业生账号对应的学生"),
    )
    # Counts the changes that end the account's other sessions (enabling TOTP): part of
    # the session's auth hash, as the password is (``_get_session_auth_hash``).
    session_epoch = models.PositiveIntegerField(_("会话代次"), default=0, editable=False)
    # The account's duties within its role (Duty values); None (the accounts made before
    # duties, the demo's) holds every duty of the role.
    duties = models.JSONField(_("职责"), null=True, blank=True, default=None)

    objects = JigongUserManager()

    class Scope:
        # a district manages the accounts of its district's schools (jigong.accounts)
        school = "school"
        district = "school__district"

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_municipal(self) -> bool:
        return self.role == Role.MUNICIPAL or self.is_superuser

    def duty_set(self) -> frozenset[str]:
        """The duties the account holds (every duty of its role when none are listed)."""
        allowed = ROLE_DUTIES.get(self.role, ())
        if self.duties is None:
            return frozenset(allowed)
        return frozenset(d for d in self.duties if d in allowed)

    def has_duty(self, duty: str) -> bool:
        """Whether the account holds ``duty``; a duty of another role does not narrow it."""
        if not duty or self.is_superuser or duty not in ROLE_DUTIES.get(self.role, ()):
            return True
        return duty in self.duty_set()

    def duty_labels(self) -> list[str]:
        return [str(Duty(d).label) for d in ROLE_DUTIES.get(self.role, ()) if d in self.duty_set()]

    def _get_session_auth_hash(self, secret=None):
        """Django's HMAC of the password, and of ``session_epoch`` once it has moved: a
        password change or a new epoch (``jigong.security.sessions.end_others``) logs
        out every session that has not been given the new hash."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            f"{self.password}\x00{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class AuditLogProtected(Exception):
    """Raised when application code tries to change or delete audit rows."""

    def __init__(self, what: str = ""):
        super().__init__(
            _(
                "审计日志只能新增，不能修改或删除%(what)s；"
                "保存期满的日志由 jigong purge_audit_log 清理。"
            )
            % {"what": what}
        )


class AuditLogQuerySet(ScopedQuerySet):
    """Append-only: bulk updates and deletes are refused. The one change allowed is
    detaching a deleted user (actor → NULL; actor_name keeps who it was)."""

    def update(self, **kwargs):
        if kwargs == {"actor": None} or kwargs == {"actor_id": None}:
            return super().update(**kwargs)
        raise AuditLogProtected(_("（批量修改）"))

    def delete(self):
        raise AuditLogProtected(_("（批量删除）"))

    delete.queryset_only = True

    def purge_before(self, cutoff) -> int:
        """Delete rows older than ``cutoff`` (a datetime). Only the retention command calls
        this, after checking the retention period (jigong.security.retention)."""
        return self.filter(at__lt=cutoff)._raw_delete(self.db)


class AuditLog(models.Model):
    """One row per change: who did what to which record, when, with before/after values.
    Append-only through the application (AuditLogQuerySet, save, delete)."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        BULK_CREATE = "bulk_create", _("批量新增")
        LOGIN = "login", _("登录")
        EXPORT = "export", _("导出")
        OTHER = "other", _("其他")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    school_id = models.BigIntegerField(_("学校"), null=True, blank=True, db_index=True)
    district_id = models.BigIntegerField(_("区县"), null=True, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=255, blank=True)
    # The registered act (jigong.core.acts) the change was made by; empty for log-ins,
    # exports and writes outside any act (the system's reference data).
    act = models.CharField(_("事项"), max_length=64, blank=True, db_index=True)

    objects = models.Manager.from_queryset(AuditLogQuerySet)()

    class Scope:
        # Only the municipal bureau searches the audit log.
        roles = {"view": {Role.MUNICIPAL}}

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogProtected()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogProtected()


class ApiKeyScope(models.TextChoices):
    VERIFY = "verify", _("单个核验")
    VERIFY_BATCH = "verify:batch", _("批量核验")
    EQUIVALENCE = "equivalence", _("学历对应查询")


class ApiKey(models.Model):
    """A department's key for the certificate query API (（十八）信息互联互认).

    Only a SHA-256 digest of the key is stored: keys are 256-bit random, so a fast hash
    is as strong as a slow one, and the key is shown once, when it is created. ``prefix``
    (public, unique) finds the row; the digest is compared in constant time."""

    name = models.CharField(_("使用部门"), max_length=64)
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    digest = models.CharField(_("密钥摘要"), max_length=64)
    scopes = models.JSONField(_("授权范围"), default=list)
    rate_per_minute = models.PositiveIntegerField(_("每分钟限额"), default=600)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # The department's account that holds the key: its home page lists the key (masked),
    # its scopes, limit and last use (public.selectors.my_api_keys).
    holder = models.ForeignKey(
        User,
        verbose_name=_("部门账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_keys",
        limit_choices_to={"role": Role.DEPARTMENT},
    )

    objects = ScopedManager()

    class Scope:
        # Issued, listed and revoked by the municipal bureau only.
        roles = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        labels = dict(ApiKeyScope.choices)
        return [str(labels.get(s, s)) for s in self.scopes]
