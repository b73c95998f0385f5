"""Student and 学籍 pages: the registers and the status-change (学籍异动) form."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts
from jigong.core.models import Role
from jigong.core.viewsets import Col, Register, Related, form_page, get_or_404
from jigong.schools.models import School
from jigong.students import filters, selectors, services
from jigong.students.models import Person, Registration, Status

students = Register(
    model=Person,
    name="person",
    prefix="students",
    title=gettext_lazy("学生"),
    list_selector=selectors.person_list,
    get_selector=selectors.person_get,
    filterset_class=filters.PersonFilterSet,
    columns=[
        Col("name", mask="name", link=True),
        Col("id_number", mask="id"),
        "sex",
        "birth_date",
        Col("home_province_name", gettext_lazy("生源省份")),
    ],
    related=[
        Related(
            gettext_lazy("学籍"),
            lambda obj, user: selectors.registration_list(user=user).filter(person=obj),
            ["school", "major__name", "level", "track", "enrolled_on", "status"],
            register="students.Registration",
        ),
    ],
)

registrations = Register(
    model=Registration,
    name="registration",
    prefix="registrations",
    list_selector=selectors.registration_list,
    get_selector=selectors.registration_get,
    filterset_class=filters.RegistrationFilterSet,
    columns=[
        Col("person__name", gettext_lazy("姓名"), mask="name", link=True),
        Col("person__id_number", mask="id"),
        "school",
        "major__name",
        "level",
        "track",
        "enrolled_on",
        "status",
    ],
    detail_fields=[
        Col("person__name", gettext_lazy("姓名")),
        "person__id_number",
        "person__sex",
        "school",
        "major",
        "level",
        "entry_point",
        "duration_months",
        "track",
        "source",
        "enrolled_on",
        Col("expected_end", gettext_lazy("预计毕业日期")),
        "status",
        "status_changed_on",
        "left_on",
        "cooperation",
    ],
    related=[
        Related(
            gettext_lazy("学籍异动记录"),
            lambda obj, user: selectors.status_change_list(user=user, registration=obj),
            ["changed_on", "status", "reason", "counterpart_school"],
        ),
    ],
    # 学籍异动 and graduation are the school's acts; the bureaus read the registration.
    # (certificates/views.py adds the certificate tables: add_related)
    actions=[
        (gettext_lazy("学籍异动"), "students:registration_status", {Role.SCHOOL}),
        (gettext_lazy("毕业/结业"), "certificates:registration_graduate", {Role.SCHOOL}),
    ],
)


class StatusChangeForm(forms.Form):
    """学籍异动. The form checks types only; the service decides what is allowed."""

    status = forms.ChoiceField(label=gettext_lazy("变更为"), choices=Status.choices)
    changed_on = forms.DateField(
        label=gettext_lazy("变更日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=128, required=False)
    counterpart_school = forms.CharField(
        label=gettext_lazy("转入/转出学校代码"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("仅转入、转出时填写对方学校的学校代码"),
    )

    def clean_counterpart_school(self):
        code = self.cleaned_data["counterpart_school"].strip()
        if not code:
            return None
        school = School.objects.filter(code=code).first()
        if school is None:
            raise ValidationError(_("学校代码“%(c)s”：未找到该学校") % {"c": code})
        return school


@login_required
def registration_status(request, pk: int):
    registration = get_or_404(selectors.registration_get, user=request.user, pk=pk, action="change")
    acts.ensure_role(request.user, services.registration_change_status.act)
    form = StatusChangeForm(request.POST or None, initial={"changed_on": datetime.date.today()})

    def save(data):
        services.registration_change_status(actor=request.user, registration=registration, **data)
        return registrations.detail_url(registration.pk)

    subtitle = _("%(name)s，%(school)s，当前状态：%(status)s") % {
        "name": registration.person.name,
        "school": registration.school.name,
        "status": registration.get_status_display(),
    }
    return form_page(
        request,
        form=form,
        title=_("学籍异动"),
        cancel_url=registrations.detail_url(registration.pk),
        save=save,
        register=registrations,
        context={"subtitle": subtitle},
    )
