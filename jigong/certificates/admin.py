from django.contrib import admin

from jigong.certificates.models import GraduationCertificate, SkillCertificate
from jigong.core.admin import AuditedAdmin


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
