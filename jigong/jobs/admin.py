from django.contrib import admin

from jigong.jobs.models import ImportJob, ReportJob


@admin.register(ImportJob, ReportJob)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs change only through the worker and the services."""

    list_display = ("__str__", "user", "state", "created_at", "finished_at")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
