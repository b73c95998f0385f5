"""Account management pages (issue 15): the accounts an official manages, create, edit
duties, disable/enable, a one-time password link; and the link's own page."""

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jigong.accounts import selectors, services
from jigong.core import acts
from jigong.core.models import ROLE_DUTIES, Duty, Role
from jigong.core.permissions import restrict
from jigong.core.viewsets import apply_errors, get_or_404
from jigong.reference.models import District
from jigong.schools.models import School
from jigong.security import services as security

DUTY_CHOICES = [(d, Duty(d).label) for d in Duty.values]


def _may_manage_page(user) -> None:
    """The pages open to the roles that manage accounts, holding 管理员."""
    acts.ensure_role(user, services.account_create.act)


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    role = forms.ChoiceField(label=gettext_lazy("角色"))
    school = forms.ModelChoiceField(
        label=gettext_lazy("所属学校"), queryset=School.objects.none(), required=False
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("所属区县"), queryset=District.objects.none(), required=False
    )
    duties = forms.MultipleChoiceField(
        label=gettext_lazy("职责"),
        choices=DUTY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "学校账号：学籍、招生、证书、培训与就业、管理员；人社局账号：审核、统计、管理员。"
            "只能授予本人具有的职责。"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        roles = selectors.manageable_roles(user)
        self.fields["role"].choices = [(r, Role(r).label) for r in Role.values if r in roles]
        self.fields["school"].queryset = restrict(user, School).order_by("code")
        if Role.DISTRICT in roles:
            self.fields["district"].queryset = District.objects.order_by("code")
        else:
            del self.fields["district"]
        if user.role == Role.SCHOOL and not user.is_superuser:
            del self.fields["school"]  # the administrator's own school


class DutiesForm(forms.Form):
    duties = forms.MultipleChoiceField(
        label=gettext_lazy("职责"),
        choices=DUTY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is None:  # unbound to an account: every duty (the act checks the role's)
            return
        allowed = ROLE_DUTIES.get(account.role, ())
        self.fields["duties"].choices = [(d, Duty(d).label) for d in allowed]
        self.fields["duties"].initial = sorted(account.duty_set())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("停用原因"), max_length=200)


class LinkPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=gettext_lazy("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        a, b = data.get("new_password1"), data.get("new_password2")
        if a and b and a != b:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


@login_required
def account_list(request):
    _may_manage_page(request.user)
    rows = list(selectors.account_list(user=request.user))
    return render(
        request,
        "accounts/manage/list.html",
        {
            "title": _("账号管理"),
            "rows": rows,
            "may_roles": request.user.is_superuser or request.user.role == Role.MUNICIPAL,
        },
    )


def _issued(request, issued, title):
    return render(
        request,
        "accounts/manage/issued.html",
        {
            "title": title,
            "account": issued.account,
            "link": request.build_absolute_uri(issued.url),
            "expires_at": issued.expires_at,
        },
    )


@never_cache
@login_required
def account_create(request):
    _may_manage_page(request.user)
    form = AccountForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.account_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                role=data["role"],
                duties=data["duties"],
                school=data.get("school"),
                district=data.get("district"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            return _issued(request, issued, _("账号已新建"))
    return render(
        request,
        "accounts/manage/form.html",
        {"title": _("新建账号"), "form": form},
        status=status,
    )


def _account(request, pk):
    _may_manage_page(request.user)
    return get_or_404(selectors.account_get, user=request.user, pk=pk)


@login_required
def account_detail(request, pk: int):
    account = _account(request, pk)
    return render(
        request,
        "accounts/manage/detail.html",
        {
            "title": account.display_name or account.username,
            "account": account,
            "duties_form": DutiesForm(account=account),
            "reason_form": ReasonForm(),
            "is_self": account.pk == request.user.pk,
            "sso_id": selectors.sso_id_of(account),
        },
    )


@require_POST
@login_required
def account_sso_id(request, pk: int):
    account = _account(request, pk)
    value = request.POST.get("sso_id", "")[:200]
    try:
        services.account_set_sso_id(actor=request.user, account=account, sso_id=value)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, account, exc)
    messages.success(request, _("统一身份认证账号已保存。"))
    return redirect("accounts:detail", pk=account.pk)


def _refused(request, account, exc):
    messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@login_required
def account_duties(request, pk: int):
    account = _account(request, pk)
    form = DutiesForm(request.POST, account=account)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, _("职责：%(e)s") % {"e": "；".join(errors)})
        return redirect("accounts:detail", pk=account.pk)
    try:
        services.account_set_duties(
            actor=request.user, account=account, duties=form.cleaned_data["duties"]
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, account, exc)
    messages.success(request, _("职责已调整。"))
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@login_required
def account_disable(request, pk: int):
    account = _account(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("停用账号须填写原因。"))
        return redirect("accounts:detail", pk=account.pk)
    try:
        services.account_disable(
            actor=request.user, account=account, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _refused(request, account, exc)
    messages.success(request, _("账号已停用：其登录会话已全部结束，接口密钥已撤销。"))
    return redirect("accounts:detail", pk=account.pk)


@require_POST
@login_required
def account_enable(request, pk: int):
    account = _account(request, pk)
    try:
        services.account_enable(actor=request.user, account=account)
    except ValidationError as exc:
        return _refused(request, account, exc)
    messages.success(request, _("账号已启用。"))
    return redirect("accounts:detail", pk=account.pk)


@never_cache
@require_POST
@login_required
def account_reset(request, pk: int):
    account = _account(request, pk)
    try:
        issued = services.account_reset_password(actor=request.user, account=account)
    except ValidationError as exc:
        return _refused(request, account, exc)
    return _issued(request, issued, _("重置密码链接"))


@login_required
def role_security(request):
    """The city's page: which staff roles must use TOTP."""
    acts.ensure_role(request.user, security.totp_require_for_role.act)
    if request.method == "POST":
        role = request.POST.get("role", "")
        try:
            security.totp_require_for_role(
                actor=request.user, role=role, required=request.POST.get("required") == "1"
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已保存。"))
        return redirect("accounts:role_security")
    required = security.required_roles()
    rows = [
        {"role": r, "label": Role(r).label, "required": r in required}
        for r in (Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL)
    ]
    return render(
        request, "accounts/manage/role_security.html", {"title": _("两步验证要求"), "rows": rows}
    )


def _link_invalid(request):
    return render(
        request, "accounts/manage/link_invalid.html", {"title": _("链接无效")}, status=404
    )


@never_cache
def password_link(request, token: str):
    """Public: the holder of a one-time link sets a password (then logs in)."""
    try:
        link = selectors.password_link_get(token=token)
    except selectors.PasswordLink.DoesNotExist:
        return _link_invalid(request)
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_password_by_link(
                actor=link.user, link=link, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            return _link_invalid(request)
        else:
            messages.success(request, _("密码已设置，请用新密码登录。"))
            return redirect("login")
    return render(
        request,
        "accounts/manage/password_link.html",
        {
            "title": _("设置密码"),
            "form": form,
            "account": link.user,
            "help": password_validation.password_validators_help_texts(),
        },
    )
