from django.contrib import admin

from jigong.jobs.models import ImportJob, ReportJob, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob, ReportJob)
class JobAdmin(ReadOnlyAdmin):
    """Read-only: jobs change only through the worker and the services."""

    list_display = ("__str__", "user", "state", "created_at", "finished_at")
    list_filter = ("state",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Read-only: written by the workers (which one is alive, since when, where)."""

    list_display = ("worker_id", "seen_at", "started_at", "machine", "process")
