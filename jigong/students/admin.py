from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jigong.core.admin import AuditedAdmin, ReadOnlyAdmin, SealedIdForm
from jigong.students.models import Person, Registration, StatusChange, Transfer


class PersonForm(SealedIdForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)

    class Meta:
        model = Person
        fields = "__all__"


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    form = PersonForm
    list_display = ("name", "id_number", "sex", "birth_date")
    search_fields = ("name", "id_number")


@admin.register(Registration)
class RegistrationAdmin(AuditedAdmin):
    list_display = ("person", "school", "major", "level", "track", "status", "enrolled_on")
    list_filter = ("status", "level", "track")
    search_fields = ("person__name", "person__id_number")
    list_select_related = ("person", "school", "major")
    raw_id_fields = ("person", "major", "cooperation")


@admin.register(StatusChange)
class StatusChangeAdmin(AuditedAdmin):
    list_display = ("registration", "status", "changed_on", "reason")
    list_filter = ("status",)
    list_select_related = ("registration__person", "registration__school")
    raw_id_fields = ("registration", "counterpart_school")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    """转学 cases are asked, accepted, refused and cancelled by their acts (/transfers/)."""

    list_display = ("registration", "from_school", "to_school", "transfer_on", "state")
    list_filter = ("state",)
    list_select_related = ("registration__person", "from_school", "to_school")
