from django.contrib import admin

from jigong.cooperation.models import (
    Alliance,
    AllianceMember,
    CooperationAgreement,
    Enterprise,
    Pairing,
)
from jigong.core.admin import AuditedAdmin


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ("name", "credit_code", "district", "is_integration_enterprise")
    list_filter = ("is_integration_enterprise",)
    search_fields = ("name", "credit_code")
    list_select_related = ("district",)


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(AuditedAdmin):
    list_display = ("title", "school", "enterprise", "kind", "started_on", "ended_on")
    list_filter = ("kind",)
    search_fields = ("title", "enterprise__name")
    list_select_related = ("school", "enterprise")
    raw_id_fields = ("enterprise",)


class AllianceMemberInline(admin.TabularInline):
    model = AllianceMember
    extra = 0
    raw_id_fields = ("school", "enterprise")


@admin.register(Alliance)
class AllianceAdmin(AuditedAdmin):
    list_display = ("name", "lead_kind", "founded_on")
    search_fields = ("name",)
    inlines = [AllianceMemberInline]


@admin.register(AllianceMember)
class AllianceMemberAdmin(AuditedAdmin):
    list_display = ("alliance", "school", "enterprise", "joined_on")
    list_select_related = ("alliance", "school", "enterprise")
    raw_id_fields = ("school", "enterprise")


@admin.register(Pairing)
class PairingAdmin(AuditedAdmin):
    list_display = ("mentor", "supported", "started_on")
    list_select_related = ("mentor", "supported")
