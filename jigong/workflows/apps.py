from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "jigong.workflows"
    label = "workflows"
    verbose_name = _("审批与备案")
