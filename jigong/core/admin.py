"""Back office (/admin/, superusers). Saves and deletes go through the audited helpers
of jigong.core.services, so the admin writes the same audit rows as the portal."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from jigong.core import services
from jigong.core.models import AuditLog, User


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes are audited with the acting superuser."""

    def save_model(self, request, obj, form, change):
        model = type(obj)
        concrete = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        if change:
            current = model._default_manager.get(pk=obj.pk)
            fields = {name: getattr(obj, name) for name in form.changed_data if name in concrete}
            services.update(request.user, current, **fields)
        else:
            values = {name: getattr(obj, name) for name in concrete}
            created = services.create(request.user, model, **values)
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db

    def delete_model(self, request, obj):
        services.delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete(request.user, obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "district", "school", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("district", "school")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色与数据范围"), {"fields": ("role", "display_name", "district", "school")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色与数据范围"), {"fields": ("role", "display_name", "district", "school")}),
    )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "school_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id", "message")
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
