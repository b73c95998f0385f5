from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jigong.core.admin import AuditedAdmin, SealedIdForm
from jigong.training.models import TrainingRecord


class TrainingRecordForm(SealedIdForm):
    trainee_id_number = forms.CharField(label=_("学员身份证号"), max_length=18)

    class Meta:
        model = TrainingRecord
        fields = "__all__"


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedAdmin):
    form = TrainingRecordForm
    list_display = ("trainee_name", "school", "kind", "occupation_name", "hours", "year")
    list_filter = ("kind", "year", "is_social")
    search_fields = ("trainee_name", "trainee_id_number", "occupation_name")
    list_select_related = ("school",)
