from django.contrib import admin

from jigong.certificates.models import (
    GraduationCertificate,
    QueryLog,
    SkillCertificate,
    VerificationCode,
)
from jigong.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(GraduationCertificate)
class GraduationCertificateAdmin(AuditedAdmin):
    list_display = ("number", "school", "level", "outcome", "issued_on", "status")
    list_filter = ("level", "outcome", "status")
    search_fields = ("number", "registration__person__name")
    list_select_related = ("school",)
    raw_id_fields = ("registration",)


@admin.register(SkillCertificate)
class SkillCertificateAdmin(AuditedAdmin):
    list_display = ("number", "person", "occupation_name", "level", "issued_on", "evaluator")
    list_filter = ("level",)
    search_fields = ("number", "person__name", "occupation_name")
    list_select_related = ("person", "evaluator")
    raw_id_fields = ("person",)


@admin.register(VerificationCode)
class VerificationCodeAdmin(ReadOnlyAdmin):
    list_display = ("certificate", "days", "created_at", "expires_at", "revoked_at")
    search_fields = ("certificate__number",)
    list_select_related = ("certificate",)
    exclude = ("code",)


@admin.register(QueryLog)
class QueryLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "client", "channel", "kind", "number", "name", "found", "ip")
    list_filter = ("channel", "kind", "found")
    search_fields = ("number", "client", "batch")
    date_hierarchy = "at"
