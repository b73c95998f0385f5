from django.contrib import admin

from jigong.core.admin import AuditedAdmin
from jigong.staff.models import Teacher


@admin.register(Teacher)
class TeacherAdmin(AuditedAdmin):
    list_display = ("name", "school", "kind", "integrated_qualified", "ideological", "hired_on")
    list_filter = ("kind", "integrated_qualified", "ideological")
    search_fields = ("name", "id_number")
    list_select_related = ("school",)
    raw_id_fields = ("enterprise",)
