"""Back office: graduates' invitation links, read-only (the act graduate_account.invite
issues them; only a digest of each link is stored)."""

from django.contrib import admin

from jigong.core.admin import ReadOnlyAdmin
from jigong.graduates.models import GraduateInvitation


@admin.register(GraduateInvitation)
class GraduateInvitationAdmin(ReadOnlyAdmin):
    list_display = ("school", "registration", "created_by", "created_at", "expires_at", "used_at")
    list_select_related = ("school", "registration__person", "created_by")
    exclude = ("digest",)
