from django.contrib import admin

from jigong.core.admin import ReadOnlyAdmin
from jigong.jobs.models import FileJob, ImportJob, ReportJob, WorkerHeartbeat


@admin.register(ImportJob, ReportJob, FileJob)
class JobAdmin(ReadOnlyAdmin):
    """Read-only: jobs change only through the worker and the services."""

    list_display = ("__str__", "user", "state", "created_at", "finished_at")
    list_filter = ("state",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Read-only: written by the workers (which one is alive, since when, where)."""

    list_display = ("worker_id", "seen_at", "started_at", "machine", "process")
