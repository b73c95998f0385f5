"""Student and 学籍 pages: the registers and the status-change (学籍异动) form."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jigong.core import acts, permissions
from jigong.core.models import Role
from jigong.core.viewsets import Col, Register, Related, apply_errors, get_or_404
from jigong.students import filters, selectors, services
from jigong.students.models import Person, Registration, Status, Transfer, TransferState

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
            [
                "changed_on",
                "status",
                "reason",
                "counterpart_school",
                "recorded_on",
                "reverted_on",
                "revert_reason",
            ],
        ),
        Related(
            gettext_lazy("转学"),
            lambda obj, user: selectors.transfer_list(user=user).filter(
                Q(registration=obj) | Q(new_registration=obj)
            ),
            ["from_school", "to_school", "transfer_on", "reason", "state", "decided_on"],
            register="students.Transfer",
        ),
    ],
    # 学籍异动 and graduation are the school's acts; the bureaus read the registration.
    # (certificates/views.py adds the certificate tables: add_related)
    actions=[
        (gettext_lazy("学籍异动"), "students:registration_status", {Role.SCHOOL}),
        (gettext_lazy("撤销学籍异动"), "students:registration_revert", {Role.SCHOOL}),
        (
            gettext_lazy("撤销学籍异动"),
            "students:registration_revert_bureau",
            {Role.DISTRICT, Role.MUNICIPAL},
        ),
        (gettext_lazy("毕业/结业"), "certificates:registration_graduate", {Role.SCHOOL}),
    ],
)


# 学籍异动 offered on the page: 转出 starts a 转学 (its own act); 转入 is the receiving
# side's acceptance; 毕业/结业 come with the certificate (毕业/结业).
PAGE_STATUSES = (Status.SUSPENDED, Status.RESUMED, Status.WITHDRAWN, Status.TRANSFERRED_OUT)


class SchoolField(forms.CharField):
    """A school chosen from the register: its code, or "code name" as the search list
    offers it."""

    def clean(self, value):
        value = super().clean(value)
        text = (value or "").strip()
        if not text:
            return None
        code = text.split()[0]
        school = selectors.counterpart_school(code=code) or selectors.counterpart_school(name=text)
        if school is None:
            raise ValidationError(
                _("学校“%(c)s”：未在学校名录中找到，请输入学校名称或代码后从列表中选择")
                % {"c": text}
            )
        return school


class StatusChangeForm(forms.Form):
    """学籍异动. The form checks types only; the acts decide what is allowed."""

    status = forms.ChoiceField(
        label=gettext_lazy("变更为"),
        choices=[(s.value, s.label) for s in PAGE_STATUSES],
        help_text=gettext_lazy("转出须经转入学校接收（跨区县由区县人社局接收）后生效"),
    )
    changed_on = forms.DateField(
        label=gettext_lazy("变更日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=128, required=False)
    counterpart_school = SchoolField(
        label=gettext_lazy("转入学校"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"list": "school-register", "autocomplete": "off"}),
        help_text=gettext_lazy("转出时必填：输入学校名称或代码，从学校名录中选择"),
    )


class _DryRun(Exception):
    pass


def _status_act(request, registration, data):
    """The act behind the form's values: 转出 asks for a 转学, the rest is 学籍异动."""
    if data["status"] == Status.TRANSFERRED_OUT:
        return services.registration_transfer_out(
            actor=request.user,
            registration=registration,
            to_school=data["counterpart_school"],
            transfer_on=data["changed_on"],
            reason=data["reason"],
        )
    return services.registration_change_status(
        actor=request.user,
        registration=registration,
        status=data["status"],
        changed_on=data["changed_on"],
        reason=data["reason"],
    )


# the acts' field names → the form's
_FORM_FIELD = {"to_school": "counterpart_school", "transfer_on": "changed_on"}


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        exc = ValidationError({_FORM_FIELD.get(k, k): v for k, v in exc.error_dict.items()})
    apply_errors(form, exc)


@login_required
def registration_status(request, pk: int):
    """学籍异动 in two steps: the form, then a confirmation that shows what will change
    (the act is tried and rolled back first, so a refusal shows on the form); the act
    runs on 确认 and a message says what was done."""
    registration = get_or_404(selectors.registration_get, user=request.user, pk=pk, action="change")
    acts.ensure_role(request.user, services.registration_change_status.act)
    form = StatusChangeForm(request.POST or None, initial={"changed_on": datetime.date.today()})
    detail_url = registrations.detail_url(registration.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("confirm") == "1":
                with transaction.atomic():
                    _status_act(request, registration, data)
                messages.success(request, _success(registration, data))
                return redirect(detail_url)
            with transaction.atomic():
                _status_act(request, registration, data)
                raise _DryRun
        except _DryRun:
            return render(
                request,
                "students/status_confirm.html",
                {
                    "title": _("确认学籍异动"),
                    "register": registrations,
                    "registration": registration,
                    "form": form,
                    "data": data,
                    "transfer": data["status"] == Status.TRANSFERRED_OUT,
                    "new_status": Status(data["status"]).label,
                    "cancel_url": detail_url,
                },
            )
        except ValidationError as exc:
            _put_errors(form, exc)
    subtitle = _("%(name)s，%(school)s，当前状态：%(status)s") % {
        "name": registration.person.name,
        "school": registration.school.name,
        "status": registration.get_status_display(),
    }
    return render(
        request,
        "students/status_form.html",
        {
            "title": _("学籍异动"),
            "form": form,
            "cancel_url": detail_url,
            "register": registrations,
            "subtitle": subtitle,
            "schools": selectors.counterpart_schools(exclude=registration.school_id),
        },
    )


def _success(registration, data) -> str:
    if data["status"] == Status.TRANSFERRED_OUT:
        return _("已提交转学申请：%(n)s 转往%(s)s，待转入方接收后生效。") % {
            "n": registration.person.name,
            "s": data["counterpart_school"].name,
        }
    return _("已登记学籍异动：%(n)s 变更为“%(st)s”（%(d)s）。") % {
        "n": registration.person.name,
        "st": Status(data["status"]).label,
        "d": data["changed_on"],
    }


# --- 转学 cases ---------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=128, required=False)


@login_required
def transfer_list(request):
    if not permissions.role_may(request.user, Transfer, "view"):
        raise PermissionDenied
    transfers = selectors.transfer_list(user=request.user)
    return render(
        request,
        "students/transfer_list.html",
        {"title": _("转学"), "transfers": transfers[:200], "user_may": _user_may(request.user)},
    )


def _user_may(user):
    return lambda t: services.may_decide(user, t) is None


@login_required
def transfer_detail(request, pk: int):
    transfer = get_or_404(selectors.transfer_get, user=request.user, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        reason = form.cleaned_data["reason"]
        try:
            if action == "accept":
                services.transfer_accept(actor=request.user, transfer=transfer, note=reason)
                messages.success(request, _("已接收转学，转入学籍已建立。"))
            elif action == "refuse":
                services.transfer_refuse(actor=request.user, transfer=transfer, reason=reason)
                messages.success(request, _("已拒绝转学。"))
            elif action == "cancel":
                services.transfer_cancel(actor=request.user, transfer=transfer, reason=reason)
                messages.success(request, _("已撤回转学申请。"))
            else:
                form.add_error(None, _("未知的操作"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if not form.errors:
                return redirect("students:transfer_detail", pk=transfer.pk)
    pending = transfer.state == TransferState.PENDING
    return render(
        request,
        "students/transfer_detail.html",
        {
            "title": _("转学"),
            "transfer": transfer,
            "form": form,
            "may_decide": pending and services.may_decide(request.user, transfer) is None,
            "may_cancel": pending
            and request.user.role == Role.SCHOOL
            and request.user.school_id == transfer.from_school_id,
            "old_url": registrations.detail_url(transfer.registration_id),
            "new_url": registrations.detail_url(transfer.new_registration_id)
            if transfer.new_registration_id
            else "",
        },
    )


# --- reverting a mistaken 学籍异动 ------------------------------------------------------


@login_required
def registration_revert(request, pk: int, bureau: bool = False):
    """撤销学籍异动: the school within the platform's period (``revert/``), the bureau
    afterwards and for an accepted 转学 (``revert/bureau/``), each with a reason."""
    registration = get_or_404(selectors.registration_get, user=request.user, pk=pk, action="change")
    service = (
        services.registration_revert_change_by_bureau
        if bureau
        else services.registration_revert_change
    )
    acts.ensure_role(request.user, service.act)
    change = services.last_change(registration)
    form = ReasonForm(request.POST or None)
    detail_url = registrations.detail_url(registration.pk)
    if request.method == "POST" and form.is_valid():
        try:
            undone = service(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已撤销学籍异动“%(s)s”（%(d)s），学籍状态恢复为“%(now)s”。")
                % {
                    "s": undone.get_status_display(),
                    "d": undone.changed_on,
                    "now": Registration.objects.get(pk=registration.pk).get_status_display(),
                },
            )
            return redirect(detail_url)
    return render(
        request,
        "students/revert_form.html",
        {
            "title": _("撤销学籍异动"),
            "register": registrations,
            "registration": registration,
            "change": change,
            "deadline": services.revert_deadline(change) if change else None,
            "days": services.revert_days(change) if change else None,
            "bureau": bureau,
            "form": form,
            "cancel_url": detail_url,
        },
    )
