from django.contrib import admin

from jigong.core.admin import AuditedAdmin, ReadOnlyAdmin
from jigong.schools.models import (
    QualityMajorDesignation,
    School,
    SchoolDesignation,
    SchoolMajor,
    TierChange,
)


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ("code", "name", "tier", "district", "ownership", "status")
    list_filter = ("tier", "status", "ownership")
    search_fields = ("code", "name", "credit_code")
    list_select_related = ("district",)


@admin.register(SchoolDesignation)
class SchoolDesignationAdmin(AuditedAdmin):
    list_display = ("school", "kind", "year")
    list_filter = ("kind", "year")
    list_select_related = ("school",)


@admin.register(SchoolMajor)
class SchoolMajorAdmin(AuditedAdmin):
    list_display = ("school", "major", "level", "status", "opened_year")
    list_filter = ("level", "status")
    search_fields = ("school__name", "major__name", "major__code")
    list_select_related = ("school", "major")
    raw_id_fields = ("major",)


@admin.register(QualityMajorDesignation)
class QualityMajorDesignationAdmin(AuditedAdmin):
    list_display = ("school_major", "year")
    list_select_related = ("school_major__school", "school_major__major")


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    """Written only by the act school.change_tier (晋级申请 or 退出)."""

    list_display = ("school", "from_tier", "to_tier", "effective_on", "decision")
    list_select_related = ("school",)
