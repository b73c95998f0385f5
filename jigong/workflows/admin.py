"""Back office: workflow rows are read-only here. States change only through
``workflows.services.transition`` (the portal's buttons), so the timeline and the
audit log stay complete."""

from django.contrib import admin

from jigong.core.admin import ReadOnlyAdmin
from jigong.workflows import models as m


@admin.register(m.EnrolmentPlan, m.BrochureFiling, m.InternshipFiling)
class SchoolItemAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "school", "state", "due_on", "created_at")
    list_filter = ("state",)
    list_select_related = ("school",)
    search_fields = ("school__name",)


@admin.register(m.QualificationList)
class QualificationListAdmin(ReadOnlyAdmin):
    list_display = ("year", "state", "computed_at", "published_at")


@admin.register(m.EnrolmentPlanLine, m.CrossProvinceQuota, m.QualificationEntry)
class LineAdmin(ReadOnlyAdmin):
    pass


@admin.register(m.Step)
class StepAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "item_id", "action_label", "from_state", "to_state", "actor_name")
    list_filter = ("kind", "action")


@admin.register(m.Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("uploaded_at", "kind", "item_id", "name", "size")
    list_filter = ("kind", "ext")


@admin.register(
    m.FoundingApplication, m.MajorAdjustment, m.TierUpgradeApplication, m.AidApplication
)
class SchoolItemBAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "school", "state", "due_on", "created_at")
    list_filter = ("state",)
    list_select_related = ("school",)


@admin.register(
    m.DesignationRound,
    m.OtherTrainingRevenue,
    m.PaySupplementCalc,
    m.TeacherHiring,
    m.IntegratedTraining,
    m.TeacherCompetition,
    m.CurriculumRecord,
    m.AidProgramme,
    m.AidRecipient,
    m.BaseDesignation,
    m.Textbook,
)
class RecordAdmin(ReadOnlyAdmin):
    """Records change through the portal's services (audited), not here."""
