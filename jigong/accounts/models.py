"""One-time password links: issued by the next level up when it creates an account or
resets its password (issue 15). Only a SHA-256 digest of the token is stored (256-bit
random tokens: a fast hash is as strong as a slow one); the link is shown once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jigong.core.models import Role


class PasswordLink(models.Model):
    class Purpose(models.TextChoices):
        CREATE = "create", _("新建账号")
        RESET = "reset", _("重置密码")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="password_links",
    )
    digest = models.CharField(_("链接摘要"), max_length=64, unique=True)
    purpose = models.CharField(_("用途"), max_length=8, choices=Purpose.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Scope:
        # read only by its token (selectors.password_link_get) and by the city's back office
        roles = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}
        school = "user__school"
        district = "user__school__district"

    class Meta:
        verbose_name = _("一次性密码链接")
        verbose_name_plural = _("一次性密码链接")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_purpose_display()}）"


class SsoIdentity(models.Model):
    """The staff account an identity provider's staff claim maps to (single sign-on,
    docs/ops.md): set through ``account.set_sso_id``; never creates an account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="sso_identity",
    )
    value = models.CharField(_("统一身份认证账号"), max_length=128, unique=True)
    updated_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Scope:
        roles = {a: {Role.MUNICIPAL} for a in ("view", "add", "change", "delete")}
        school = "user__school"
        district = "user__school__district"

    class Meta:
        verbose_name = _("统一身份认证账号")
        verbose_name_plural = _("统一身份认证账号")

    def __str__(self) -> str:
        return f"{self.user}（{self.value}）"
