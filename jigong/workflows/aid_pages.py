"""Pages of the student-aid applications (（二十一）): the applications register (the
workflow page: timeline, the district's 核准 with the approved amount, 退回, 不予资助,
the school's 登记发放 with the payment date), the entry form on a programme, the edit
form of a draft or returned application and the batch submission."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts
from jigong.core.viewsets import Col, form_page, get_or_404
from jigong.workflows import aid, records
from jigong.workflows import filters as F
from jigong.workflows.models import AidApplication, AidGround
from jigong.workflows.views import DUE, STATE, WorkflowRegister, _date, _edit_view

NAME = Col("registration__person__name", gettext_lazy("学生姓名"), link=True)

applications = WorkflowRegister(
    model=AidApplication,
    name="aid_application",
    prefix="aid-applications",
    list_selector=aid.application_list,
    get_selector=aid.application_get,
    filterset_class=F.AidApplicationFilterSet,
    columns=[
        NAME,
        "programme",
        "school",
        "amount_requested",
        "grounds",
        "applied_on",
        "amount_approved",
        "paid_on",
        STATE,
        DUE,
    ],
    detail_fields=[
        Col("registration__person__name", gettext_lazy("学生姓名")),
        "school",
        "school__district",
        "programme",
        Col("programme__amount_per_person", gettext_lazy("资助标准（元/人）")),
        "amount_requested",
        "grounds",
        "grounds_note",
        "applied_on",
        STATE,
        DUE,
        "amount_approved",
        "paid_on",
    ],
    extra={"edit_url_name": "workflows:aid_application_edit"},
)


class ApplicationForm(forms.Form):
    amount_requested = forms.DecimalField(
        label=gettext_lazy("申请金额（元）"), max_digits=10, decimal_places=2
    )
    grounds = forms.ChoiceField(label=gettext_lazy("申请理由"), choices=AidGround.choices)
    grounds_note = forms.CharField(label=gettext_lazy("理由说明"), max_length=255, required=False)
    applied_on = _date(forms.DateField(label=gettext_lazy("申请日期")))


class NewApplicationForm(ApplicationForm):
    id_number = forms.CharField(label=gettext_lazy("学生身份证号"), max_length=18)
    enrolled_on = _date(
        forms.DateField(
            label=gettext_lazy("入学日期"),
            required=False,
            help_text=gettext_lazy("学生在本校有多条学籍时填写"),
        )
    )
    field_order = ["id_number", "enrolled_on"]


def _student(user, programme, number: str, enrolled_on):
    """The programme school's registration of the ID number that the user may see."""
    from jigong.students.models import Registration

    qs = (
        Registration.objects.restrict(user, "view")
        .filter(school=programme.school)
        .by_id_number(number, "person__id_number")
    )
    if enrolled_on:
        qs = qs.filter(enrolled_on=enrolled_on)
    found = list(qs.order_by("-enrolled_on")[:2])
    if not found:
        raise ValidationError(
            {"id_number": [_("身份证号“%(n)s”：本校没有该学生的学籍") % {"n": number}]}
        )
    if len(found) > 1:
        raise ValidationError({"enrolled_on": [_("该学生在本校有多条学籍：请填写入学日期")]})
    return found[0]


@login_required
def application_create(request, pk: int):
    acts.ensure_role(request.user, "aid_application.create")
    programme = get_or_404(records.aid_programme_get, user=request.user, pk=pk, action="change")
    form = NewApplicationForm(request.POST or None)

    def save(data):
        number = data.pop("id_number").strip().upper()
        reg = _student(request.user, programme, number, data.pop("enrolled_on"))
        item = aid.application_create(
            actor=request.user, programme=programme, registration=reg, **data
        )
        messages.success(request, _("已保存草稿，核对后请提交区县审核。"))
        return applications.detail_url(item.pk)

    return form_page(
        request,
        form=form,
        title=_("录入资助申请：%(p)s") % {"p": programme},
        cancel_url=_programme_url(programme.pk),
        save=save,
    )


class _Confirm(forms.Form):
    pass


@login_required
def applications_submit(request, pk: int):
    acts.ensure_role(request.user, "aid_application.submit_batch")
    programme = get_or_404(records.aid_programme_get, user=request.user, pk=pk, action="change")
    pending = aid.programme_summary(user=request.user, programme=programme)["drafts"]

    def save(data):
        n = aid.applications_submit(actor=request.user, programme=programme)
        messages.success(request, _("已提交%(n)s份资助申请，等待区县审核。") % {"n": n})
        return _programme_url(programme.pk)

    return form_page(
        request,
        form=_Confirm(request.POST if request.method == "POST" else None),
        title=_("提交区县审核：%(p)s（待提交%(n)s份）") % {"p": programme, "n": pending},
        cancel_url=_programme_url(programme.pk),
        save=save,
    )


def _programme_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("workflows:aid_detail", args=[pk])


def _edit_form(request, initial=None):
    return ApplicationForm(request.POST or None, initial=initial)


application_edit = _edit_view(
    AidApplication,
    ["amount_requested", "grounds", "grounds_note", "applied_on"],
    applications,
    aid.application_get,
    aid.application_update,
    "application",
    make_form=_edit_form,
)


# --- on the programme's page ------------------------------------------------------------


def programme_figures(programme, user) -> list:
    """The programme page's table: applied / approved / paid, counts and amounts."""
    from types import SimpleNamespace

    s = aid.programme_summary(user=user, programme=programme)
    return [
        SimpleNamespace(
            label=_("已申请（已提交）"), count=s["applied"], amount=s["applied_amount"]
        ),
        SimpleNamespace(label=_("已核准"), count=s["approved"], amount=s["approved_amount"]),
        SimpleNamespace(label=_("已发放"), count=s["paid"], amount=s["paid_amount"]),
        SimpleNamespace(label=_("待提交（草稿、已退回）"), count=s["drafts"], amount=None),
    ]


def programme_applications(programme, user):
    return aid.programme_applications(user=user, programme=programme)
