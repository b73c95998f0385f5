"""Correction pages of a 学籍 and of a student (issue 19 point 3) and their history.

The forms check types only; the acts ``registration.correct`` and ``person.correct``
decide (the rules of registration and of the import, the scope, the reason). The history
shown on the record pages is the audit rows of those acts: who, when, the reason, and
each changed field before → after, masked as the page masks (``viewsets.detail_masks``).
"""

from types import SimpleNamespace

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts, pii
from jigong.core.choices import Level
from jigong.core.viewsets import Col, Related, detail_masks, form_page, get_or_404
from jigong.reference.models import Major
from jigong.schools.models import SchoolMajor
from jigong.standards.regions import PROVINCES
from jigong.students import selectors, services
from jigong.students.models import EntryPoint, Person, Registration, Source, Track
from jigong.students.views import registrations, students

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON_HELP = gettext_lazy("必填：更正的依据，例如户籍证明、录取名册；记入更正记录")


def _reason_field(act_code: str) -> forms.CharField:
    spec = acts.get(act_code)
    return forms.CharField(
        label=gettext_lazy("更正原因"),
        max_length=128,
        help_text=REASON_HELP,
        # the act's own message, so the page and the act refuse alike
        error_messages={"required": _("办理“%(act)s”须填写原因") % {"act": spec.label}},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _MajorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}（{obj.edition.code}）"


class PersonCorrectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=32)
    home_province = forms.ChoiceField(label=gettext_lazy("生源省份"), choices=PROVINCES.items())

    PERSONAL = ("name", "home_province")
    act = "person.correct"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = _reason_field(self.act)

    def changes(self, current: dict) -> dict:
        """The fields whose value differs from ``current``; a form error if none does."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "reason"}
        changed = {k: v for k, v in data.items() if v != current[k]}
        if not changed:
            raise ValidationError(_("没有需要更正的内容：请先修改要更正的项目"))
        return changed


class RegistrationCorrectionForm(PersonCorrectionForm):
    major = _MajorChoice(label=gettext_lazy("专业"), queryset=Major.objects.none())
    level = forms.ChoiceField(label=gettext_lazy("班级层次"), choices=Level.choices)
    entry_point = forms.ChoiceField(label=gettext_lazy("入学起点"), choices=EntryPoint.choices)
    duration_months = forms.IntegerField(
        label=gettext_lazy("学制（月）"), min_value=1, max_value=32767
    )
    track = forms.ChoiceField(label=gettext_lazy("学习形式"), choices=Track.choices)
    source = forms.ChoiceField(label=gettext_lazy("生源类别"), choices=Source.choices)
    enrolled_on = forms.DateField(label=gettext_lazy("入学日期"), widget=DATE)

    field_order = ["name", "major", "level", "entry_point", "duration_months", "track"]
    act = "registration.correct"

    def __init__(self, *args, registration: Registration, **kwargs):
        super().__init__(*args, **kwargs)
        run = SchoolMajor.objects.filter(school_id=registration.school_id).values("major_id")
        self.fields["major"].queryset = (
            (Major.objects.filter(pk__in=run) | Major.objects.filter(pk=registration.major_id))
            .select_related("edition")
            .order_by("edition__code", "code")
        )
        self.fields["major"].help_text = gettext_lazy("本校开设的专业；须已开设该专业的该层次")


def _current(registration: Registration) -> dict:
    person = registration.person
    return {
        "name": person.name,
        "home_province": person.home_province,
        "major": registration.major,
        "level": registration.level,
        "entry_point": registration.entry_point,
        "duration_months": registration.duration_months,
        "track": registration.track,
        "source": registration.source,
        "enrolled_on": registration.enrolled_on,
    }


def _save(form, current: dict, call):
    """Call the act with the changed fields; “nothing changed” lands on the form."""

    def save(data):
        return call(form.changes(current), data["reason"])

    return save


@login_required
def registration_correct(request, pk: int):
    registration = get_or_404(selectors.registration_get, user=request.user, pk=pk, action="change")
    acts.ensure_role(request.user, services.registration_update.act)
    current = _current(registration)
    form = RegistrationCorrectionForm(
        request.POST or None, initial=current, registration=registration
    )

    def call(changes, reason):
        services.registration_update(
            actor=request.user, registration=registration, reason=reason, **changes
        )
        return registrations.detail_url(registration.pk)

    subtitle = _("%(name)s，%(school)s，%(major)s") % {
        "name": registration.person.name,
        "school": registration.school.name,
        "major": registration.major.name,
    }
    return form_page(
        request,
        form=form,
        title=_("更正学籍信息"),
        cancel_url=registrations.detail_url(registration.pk),
        save=_save(form, current, call),
        register=registrations,
        context={"subtitle": subtitle},
    )


@login_required
def person_correct(request, pk: int):
    person = get_or_404(selectors.person_get, user=request.user, pk=pk, action="change")
    acts.ensure_role(request.user, services.person_correct.act)
    current = {"name": person.name, "home_province": person.home_province}
    form = PersonCorrectionForm(request.POST or None, initial=current)

    def call(changes, reason):
        services.person_correct(actor=request.user, person=person, reason=reason, **changes)
        return students.detail_url(person.pk)

    return form_page(
        request,
        form=form,
        title=_("更正学生信息"),
        cancel_url=students.detail_url(person.pk),
        save=_save(form, current, call),
        register=students,
    )


# --- the history on the record pages --------------------------------------------------

MODELS = {"students.registration": Registration, "students.person": Person}
MASKED = {"name": "name"}  # personal fields of these acts and their mask (pii.MASKS)


def _shown(model, attname: str, value, masks) -> str:
    if value in (None, ""):
        return "—"
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is None:
        return str(value)
    if field.is_relation:
        try:
            return str(field.related_model._base_manager.get(pk=value))
        except ObjectDoesNotExist:
            return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if attname == "home_province":
        return PROVINCES.get(value, value)
    kind = MASKED.get(attname)
    if kind in masks:
        return pii.MASKS[kind](str(value))
    return str(value)


def _label(model, attname: str) -> str:
    try:
        name = attname.removesuffix("_id") if attname.endswith("_id") else attname
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return attname


def describe(row, masks) -> str:
    """“label：before → after” for each field the audit row changed."""
    model = MODELS.get(row.object_type)
    before, after = row.before or {}, row.after or {}
    if model is None:
        return "—"
    return "；".join(
        f"{_label(model, k)}：{_shown(model, k, before.get(k), masks)} → "
        f"{_shown(model, k, after.get(k), masks)}"
        for k in after
    )


def history(user, *, registration=None, person=None) -> list:
    """The rows of the 更正记录 table (see ``selectors.correction_history``)."""
    masks = detail_masks(user)
    prefix = _("原因：%(r)s") % {"r": ""}
    return [
        SimpleNamespace(
            at=row.at,
            act_label=str(acts.REGISTRY[row.act].label) if row.act in acts.REGISTRY else row.act,
            actor_name=row.actor_name,
            changes=describe(row, masks),
            reason=row.message.removeprefix(prefix),
        )
        for row in selectors.correction_history(user=user, registration=registration, person=person)
    ]


HISTORY_COLUMNS = [
    Col("at", gettext_lazy("时间")),
    Col("act_label", gettext_lazy("事项")),
    Col("changes", gettext_lazy("更正内容")),
    Col("reason", gettext_lazy("原因")),
    Col("actor_name", gettext_lazy("操作人")),
]


# The record pages offer the corrections (to the roles of the acts, on a record the user
# may change) and show their history.
registrations.add_related(
    Related(
        gettext_lazy("更正记录"),
        lambda obj, user: history(user, registration=obj),
        HISTORY_COLUMNS,
    )
)
registrations.actions = [
    *registrations.actions,
    (
        gettext_lazy("更正学籍信息"),
        "students:registration_correct",
        services.registration_update.act.roles,
    ),
]
students.add_related(
    Related(gettext_lazy("更正记录"), lambda obj, user: history(user, person=obj), HISTORY_COLUMNS)
)
students.actions = [
    *students.actions,
    (gettext_lazy("更正学生信息"), "students:person_correct", services.person_correct.act),
]
