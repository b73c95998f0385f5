from django.contrib import admin

from jigong.core.admin import AuditedAdmin
from jigong.employment.models import EmploymentOutcome


@admin.register(EmploymentOutcome)
class EmploymentOutcomeAdmin(AuditedAdmin):
    list_display = ("registration", "school", "graduation_year", "status", "employer_name")
    list_filter = ("status", "graduation_year", "in_field")
    list_select_related = ("registration__person", "registration__school", "school")
    raw_id_fields = ("registration", "enterprise")
