from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jigong.core.admin import AuditedAdmin, SealedIdForm
from jigong.staff.models import Teacher


class TeacherForm(SealedIdForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)

    class Meta:
        model = Teacher
        fields = "__all__"


@admin.register(Teacher)
class TeacherAdmin(AuditedAdmin):
    form = TeacherForm
    list_display = ("name", "school", "kind", "integrated_qualified", "ideological", "hired_on")
    list_filter = ("kind", "integrated_qualified", "ideological")
    search_fields = ("name", "id_number")
    list_select_related = ("school",)
    raw_id_fields = ("enterprise",)
