from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "jigong.quality"
    label = "quality"
    verbose_name = _("质量评价与年度质量报告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from jigong.quality import jobs  # noqa: F401  (its task in jobs.tasks.JOB_TASKS)
