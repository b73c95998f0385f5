"""Pages of the registers behind the targets of （四）（十七）（二十）: teacher training
bases and the digital title (the municipal bureau records, every staff role reads its
scope), textbooks (规划教材 the city's, 校本教材 a school's own). List with filters,
what is left of each cap, Excel export of the listed rows, record and withdraw forms.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts
from jigong.core.models import Role
from jigong.core.permissions import restrict
from jigong.core.viewsets import Col, Register, form_page, get_or_404
from jigong.workflows import models as m
from jigong.workflows import registers
from jigong.workflows.pages import _date, _school_field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bases = Register(
    model=m.BaseDesignation,
    name="base_designation",
    prefix="teacher-bases",
    list_selector=registers.base_list,
    get_selector=registers.base_get,
    filterset_class=None,  # set below (filters import the models)
    columns=[
        Col("kind", link=True),
        "level",
        "school",
        "name",
        "designated_on",
        "document_no",
        "withdrawn_on",
    ],
    detail_fields=[
        "kind",
        "level",
        "school",
        "school__district",
        "name",
        "designated_on",
        "document_no",
        "withdrawn_on",
        "withdrawn_reason",
        "created_at",
    ],
    actions=[(gettext_lazy("撤销认定"), "workflows:base_designation_withdraw", {Role.MUNICIPAL})],
    list_actions=[(gettext_lazy("登记认定"), "workflows:base_designation_create", "add")],
    list_template="workflows/target_register_list.html",
    extra={"export": "workflows:base_designation_export"},
)

textbooks = Register(
    model=m.Textbook,
    name="textbook",
    prefix="textbooks",
    list_selector=registers.textbook_list,
    get_selector=registers.textbook_get,
    filterset_class=None,
    columns=[
        Col("title", link=True),
        "kind",
        "school",
        "major",
        "approved_on",
        "publisher",
        "withdrawn_on",
    ],
    detail_fields=[
        "title",
        "kind",
        "school",
        "major",
        "approved_on",
        "publisher",
        "isbn",
        "withdrawn_on",
        "withdrawn_reason",
        "created_at",
    ],
    actions=[(gettext_lazy("停用教材"), "workflows:textbook_withdraw")],
    list_actions=[(gettext_lazy("登记教材"), "workflows:textbook_create", "add")],
    list_template="workflows/target_register_list.html",
    extra={"export": "workflows:textbook_export"},
)


def _set_filters():
    from jigong.workflows import filters as F

    bases.filterset_class = F.BaseDesignationFilterSet
    textbooks.filterset_class = F.TextbookFilterSet


_set_filters()


# --- forms ---------------------------------------------------------------------------


class BaseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=m.BaseKind.choices)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=m.BaseLevel.choices)
    designated_on = _date(forms.DateField(label=gettext_lazy("认定日期")))
    document_no = forms.CharField(label=gettext_lazy("文号"), max_length=64)
    name = forms.CharField(label=gettext_lazy("基地名称"), max_length=128, required=False)


class WithdrawForm(forms.Form):
    withdrawn_on = _date(forms.DateField(label=gettext_lazy("撤销（停用）日期")))
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=255, required=False)


def _textbook_form(user, data=None):
    from jigong.reference.models import Major

    class TextbookForm(forms.Form):
        kind = forms.ChoiceField(label=gettext_lazy("教材类别"), choices=m.TextbookKind.choices)
        title = forms.CharField(label=gettext_lazy("教材名称"), max_length=128)
        approved_on = _date(forms.DateField(label=gettext_lazy("审定（出版）日期")))
        major = forms.ModelChoiceField(
            label=gettext_lazy("专业"),
            queryset=restrict(user, Major, "view").order_by("code"),
            required=False,
        )
        publisher = forms.CharField(label=gettext_lazy("出版社"), max_length=64, required=False)
        isbn = forms.CharField(label=gettext_lazy("ISBN"), max_length=20, required=False)

    form = TextbookForm(data, initial={"kind": "school" if user.role == Role.SCHOOL else ""})
    if user.role != Role.SCHOOL:
        field = _school_field(user)
        field.required = False
        field.label = gettext_lazy("学校（规划教材为牵头学校，可不填）")
        form.fields["school"] = field
    return form


def _may_act(user, code: str) -> None:
    if not acts.role_may(user, code):
        raise PermissionDenied(
            _("无权办理“%(a)s”：该事项由%(w)s办理。")
            % {"a": acts.get(code).label, "w": acts.get(code).roles_label}
        )


@login_required
def base_create(request):
    _may_act(request.user, "base_designation.record")
    form = BaseForm(request.POST or None)
    form.fields["school"] = _school_field(request.user)
    form.fields["school"].label = gettext_lazy("依托学校")

    def save(data):
        obj = registers.base_record(actor=request.user, **data)
        messages.success(request, _("已登记。"))
        return bases.detail_url(obj.pk)

    return form_page(
        request,
        form=form,
        title=_("登记研修基地或优秀院校认定"),
        cancel_url=bases.list_url(),
        save=save,
        register=bases,
    )


@login_required
def textbook_create(request):
    _may_act(request.user, "textbook.record")
    form = _textbook_form(request.user, request.POST or None)

    def save(data):
        data = dict(data)
        if request.user.role == Role.SCHOOL:
            data["school"] = request.user.school
        obj = registers.textbook_record(actor=request.user, **data)
        messages.success(request, _("已登记。"))
        return textbooks.detail_url(obj.pk)

    return form_page(
        request,
        form=form,
        title=_("登记教材"),
        cancel_url=textbooks.list_url(),
        save=save,
        register=textbooks,
    )


def _withdraw_view(register, get, code: str, act, target: str, title):
    @login_required
    def view(request, pk: int):
        obj = get_or_404(get, user=request.user, pk=pk, action="change")
        _may_act(request.user, code)
        form = WithdrawForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})

        def save(data):
            act(actor=request.user, **{target: obj}, **data)
            messages.success(request, _("已撤销。"))
            return register.detail_url(obj.pk)

        return form_page(
            request,
            form=form,
            title=_("%(t)s：%(o)s") % {"t": title, "o": obj},
            cancel_url=register.detail_url(obj.pk),
            save=save,
            register=register,
        )

    return view


base_withdraw = _withdraw_view(
    bases,
    registers.base_get,
    "base_designation.withdraw",
    registers.base_withdraw,
    "designation",
    gettext_lazy("撤销认定"),
)
textbook_withdraw = _withdraw_view(
    textbooks,
    registers.textbook_get,
    "textbook.withdraw",
    registers.textbook_withdraw,
    "textbook",
    gettext_lazy("停用教材"),
)


# --- exports (the listed rows, with the page's filters) ------------------------------------


def _quote(name) -> str:
    from urllib.parse import quote

    return quote(str(name))


def _date_text(d):
    return d.isoformat() if d else ""


@login_required
def base_export(request):
    from jigong.core.permissions import role_may

    if not role_may(request.user, m.BaseDesignation, "view"):
        raise PermissionDenied(_("您的角色无权导出该登记簿。"))
    columns = [
        (_("类别"), lambda o: o.get_kind_display()),
        (_("级别"), lambda o: o.get_level_display()),
        (_("依托学校代码"), lambda o: o.school.code),
        (_("依托学校"), lambda o: o.school.name),
        (_("所在区县"), lambda o: o.school.district.name),
        (_("基地名称"), lambda o: o.name),
        (_("认定日期"), lambda o: _date_text(o.designated_on)),
        (_("文号"), lambda o: o.document_no),
        (_("撤销日期"), lambda o: _date_text(o.withdrawn_on)),
        (_("撤销原因"), lambda o: o.withdrawn_reason),
    ]
    rows = bases.list_selector(user=request.user, filters=request.GET)
    return _xlsx(
        registers.export_xlsx(rows, columns, _("研修基地与优秀院校")), _("研修基地与优秀院校认定")
    )


@login_required
def textbook_export(request):
    from jigong.core.permissions import role_may

    if not role_may(request.user, m.Textbook, "view"):
        raise PermissionDenied(_("您的角色无权导出该登记簿。"))
    columns = [
        (_("教材名称"), lambda o: o.title),
        (_("教材类别"), lambda o: o.get_kind_display()),
        (_("学校代码"), lambda o: o.school.code if o.school else ""),
        (_("学校（牵头学校）"), lambda o: o.school.name if o.school else ""),
        (_("专业"), lambda o: str(o.major) if o.major else ""),
        (_("审定（出版）日期"), lambda o: _date_text(o.approved_on)),
        (_("出版社"), lambda o: o.publisher),
        (_("ISBN"), lambda o: o.isbn),
        (_("停用日期"), lambda o: _date_text(o.withdrawn_on)),
        (_("停用原因"), lambda o: o.withdrawn_reason),
    ]
    rows = textbooks.list_selector(user=request.user, filters=request.GET)
    return _xlsx(registers.export_xlsx(rows, columns, _("教材")), _("教材登记"))


def _xlsx(body: bytes, name) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}.xlsx"
    return response
