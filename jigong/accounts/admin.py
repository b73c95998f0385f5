"""Back office: one-time password links, read-only (the account acts issue them; only a
digest of each link is stored)."""

from django.contrib import admin

from jigong.accounts.models import PasswordLink, SsoIdentity
from jigong.core.admin import ReadOnlyAdmin


@admin.register(PasswordLink)
class PasswordLinkAdmin(ReadOnlyAdmin):
    list_display = ("user", "purpose", "created_by", "created_at", "expires_at", "used_at")
    search_fields = ("user__username",)
    exclude = ("digest",)


@admin.register(SsoIdentity)
class SsoIdentityAdmin(ReadOnlyAdmin):
    """Set through the account pages (act ``account.set_sso_id``), read-only here."""

    list_display = ("user", "value", "updated_at")
    search_fields = ("user__username", "value")
