"""Account security records: each log-in's session (to list and end one's sessions) and
the roles that must use TOTP (set by the municipal bureau, issue 15)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.models import Role


class SessionRecord(models.Model):
    """A log-in's session: the device and address it came from. Its last activity is
    read from the session itself (jigong.security.sessions.SEEN_AT)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="session_records",
    )
    session_key = models.CharField(_("会话标识"), max_length=64, unique=True)
    user_agent = models.CharField(_("设备（浏览器）"), max_length=255, blank=True)
    address = models.CharField(_("登录地址"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Scope:
        # one's own sessions only (jigong.security.selectors.my_sessions)
        roles = {a: frozenset() for a in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user}（{self.address}）"


class RoleSecurity(models.Model):
    """A role's account-security rule: whether its accounts must use TOTP."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, unique=True)
    otp_required = models.BooleanField(_("必须使用两步验证"), default=False)

    class Scope:
        roles = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}

    class Meta:
        verbose_name = _("角色安全要求")
        verbose_name_plural = _("角色安全要求")

    def __str__(self) -> str:
        return str(self.get_role_display())
