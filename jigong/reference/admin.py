from django.contrib import admin

from jigong.core.admin import AuditedAdmin, ReadOnlyAdmin
from jigong.reference.models import (
    CatalogueEdition,
    District,
    IndustryChain,
    IndustryCluster,
    Major,
    ParameterAdjustment,
)


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "group", "subgroup")
    list_filter = ("kind", "group")
    search_fields = ("code", "name")


@admin.register(IndustryCluster)
class IndustryClusterAdmin(AuditedAdmin):
    list_display = ("year", "code", "name", "is_key")
    list_filter = ("year",)


@admin.register(IndustryChain)
class IndustryChainAdmin(AuditedAdmin):
    list_display = ("year", "code", "name", "cluster")
    list_filter = ("year",)
    search_fields = ("code", "name")
    list_select_related = ("cluster",)


@admin.register(CatalogueEdition)
class CatalogueEditionAdmin(AuditedAdmin):
    list_display = ("code", "name", "effective_from")


@admin.register(Major)
class MajorAdmin(AuditedAdmin):
    list_display = ("code", "name", "category", "edition")
    list_filter = ("edition",)
    search_fields = ("code", "name", "category")
    list_select_related = ("edition",)


@admin.register(ParameterAdjustment)
class ParameterAdjustmentAdmin(ReadOnlyAdmin):
    """The bureau's changes of platform values, made by their act (/platform-settings/)."""

    list_display = ("start", "reason", "created_at", "created_by")
