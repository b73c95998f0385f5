"""Back office: the account-security records, read-only (their acts write them)."""

from django.contrib import admin

from jigong.core.admin import ReadOnlyAdmin
from jigong.security.models import RoleSecurity, SessionRecord


@admin.register(SessionRecord)
class SessionRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "address", "user_agent", "started_at", "ended_at")
    search_fields = ("user__username",)
    exclude = ("session_key",)


@admin.register(RoleSecurity)
class RoleSecurityAdmin(ReadOnlyAdmin):
    list_display = ("role", "otp_required")
