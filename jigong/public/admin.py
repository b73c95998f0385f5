from django.contrib import admin

from jigong.core.models import ApiKey


class ReadOnlyAdmin(admin.ModelAdmin):
    """Issued, revoked and written by services (audited); the back office only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "scopes", "rate_per_minute", "created_at", "revoked_at")
    search_fields = ("name", "prefix")
    exclude = ("digest",)
