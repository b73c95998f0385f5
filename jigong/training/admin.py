from django.contrib import admin

from jigong.core.admin import AuditedAdmin
from jigong.training.models import TrainingRecord


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    list_display = ("trainee_name", "school", "kind", "occupation_name", "hours", "year")
    list_filter = ("kind", "year", "is_social")
    search_fields = ("trainee_name", "trainee_id_number", "occupation_name")
    list_select_related = ("school",)
