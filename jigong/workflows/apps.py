from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "jigong.workflows"
    label = "workflows"
    verbose_name = _("审批与备案")

    def ready(self):
        # The acts declared outside services.py (jigong.core.acts.autodiscover imports
        # only each app's services module).
        from jigong.students.services import provide_cross_province_quota
        from jigong.workflows import (  # noqa: F401
            aid,
            catalogue,
            designations,
            licensing,
            records,
            registers,
            upgrades,
        )
        from jigong.workflows.selectors import approved_cross_province_quota

        # enrolment (（九）) holds cross-province students to the approved plans' quota
        provide_cross_province_quota(approved_cross_province_quota)
