from django.contrib import admin

from jigong.core.admin import ReadOnlyAdmin
from jigong.core.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Issued and revoked by services (audited); the back office only reads."""

    list_display = ("name", "prefix", "scopes", "rate_per_minute", "created_at", "revoked_at")
    search_fields = ("name", "prefix")
    exclude = ("digest",)
