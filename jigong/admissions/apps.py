from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "jigong.admissions"
    label = "admissions"
    verbose_name = _("招生报名")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # registration day's job task (in jobs.tasks.JOB_TASKS for recovery) and the
        # undo acts (acts.autodiscover imports services modules only)
        from jigong.admissions import register_job, undo  # noqa: F401
