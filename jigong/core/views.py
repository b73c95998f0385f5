"""The portal shell: the audit log register, account pages, error pages. (The home page
is ``jigong.indicators.views.home``: its figures come from the domain apps.)"""

import json

from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.validators import MaxLengthValidator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from jigong.core import selectors
from jigong.core.filters import AuditLogFilterSet
from jigong.core.models import AuditLog
from jigong.core.pii import mask_label, mask_text, mask_values
from jigong.core.viewsets import Col, Register


def _model(row):
    try:
        return apps.get_model(row.object_type)
    except (LookupError, ValueError):
        return None


def _object_type(row) -> str:
    """“学籍” for an audit row's model label (the names the filter offers)."""
    from jigong.core.filters import object_type_choices

    return dict(object_type_choices()).get(row.object_type, row.object_type)


def _json(value) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


# The audit log shows who changed what, not the personal data changed: ID numbers, names
# of persons and birth dates are masked (jigong.core.pii) in the record's label, the
# message and the before/after values. The rows keep what was stored.


def _label(row) -> str:
    return mask_label(row.object_repr, _model(row), (row.before, row.after))


def _audit_row_get(*, user, pk):
    """The row as its page shows it (in memory only: audit rows are never saved again)."""
    row = selectors.audit_log_get(user=user, pk=pk)
    model = _model(row)
    row.object_repr = _label(row)
    row.message = mask_text(row.message)
    row.before, row.after = mask_values(model, row.before), mask_values(model, row.after)
    return row


def _act_label(row) -> str:
    """The act's Chinese name (jigong.core.acts), or “—” for a row outside any act."""
    from jigong.core import acts

    spec = acts.REGISTRY.get(row.act)
    return str(spec.label) if spec else (row.act or "—")


audit_log = Register(
    model=AuditLog,
    name="auditlog",
    prefix="audit-log",
    list_selector=selectors.audit_log_list,
    get_selector=_audit_row_get,
    filterset_class=AuditLogFilterSet,
    columns=[
        Col("at", link=True),
        "actor_name",
        "action",
        Col("act", render=_act_label),
        Col("object_type", render=_object_type),
        Col("object_repr", render=_label),
        Col("school_name", _("学校")),
        Col("message", render=lambda o: mask_text(o.message)),
    ],
    detail_fields=[
        "at",
        "actor_name",
        "action",
        Col("act", render=_act_label),
        Col("object_type", render=_object_type),
        "object_id",
        "object_repr",
        Col("school_name", _("学校")),
        "message",
        Col("before", render=lambda o: _json(o.before)),
        Col("after", render=lambda o: _json(o.after)),
    ],
    paginate_by=50,
)


class LoginForm(auth_forms.AuthenticationForm):
    """Django sets the user name's max_length after the field is built, so only the
    widget knew the limit: an over-long name reached the log-in backends and django-axes'
    255-character column (a 500 on PostgreSQL). The length is now checked first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def get_invalid_login_error(self):
        """A disabled account (issue 15) is told so, once its password is right; any
        other failure gets Django's one message, which reveals nothing."""
        from django.contrib.auth import get_user_model
        from django.core.exceptions import ValidationError

        name, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        user = get_user_model().objects.filter(username=name, is_active=False).first()
        if user is not None and password and user.check_password(password):
            return ValidationError(
                _("该账号已停用，不能登录。如有疑问请联系上级管理部门。"), code="inactive"
            )
        return super().get_invalid_login_error()

    def confirm_login_allowed(self, user):
        """Local passwords off for a role (JIGONG_OIDC_PASSWORD_OFF_ROLES) while single
        sign-on is on: its accounts use the SSO button; superusers keep the password."""
        from django.core.exceptions import ValidationError

        super().confirm_login_allowed(user)
        if sso_enabled() and not user.is_superuser and user.role in password_off_roles():
            raise ValidationError(
                _(
                    "%(role)s账号不能使用密码登录，请点击下方“统一身份认证登录”按钮，"
                    "通过统一身份认证平台登录。"
                )
                % {"role": user.get_role_display()},
                code="password_off",
            )


def sso_enabled() -> bool:
    """Single sign-on is configured (jigong.sso.config.enabled, read from settings)."""
    from django.conf import settings

    return bool(
        getattr(settings, "JIGONG_OIDC_ISSUER", "")
        and getattr(settings, "JIGONG_OIDC_CLIENT_ID", "")
    )


def password_off_roles() -> frozenset[str]:
    from django.conf import settings

    return frozenset(getattr(settings, "JIGONG_OIDC_PASSWORD_OFF_ROLES", ()))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_enabled": sso_enabled()}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        """The change is audited (who, when; never the hashes)."""
        from jigong.core.services import audit

        response = super().form_valid(form)
        audit(form.user, AuditLog.Action.UPDATE, form.user, message="修改密码")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def error_400(request, exception=None):
    """A bad query parameter (jigong.core.params) shows its message in the portal; any
    other bad request the plain page (it may not afford the layout)."""
    from jigong.core.params import BadParameter

    if isinstance(exception, BadParameter):
        return render(request, "400_parameter.html", {"message": str(exception)}, status=400)
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    return render(request, "403.html", {"message": str(exception or "")}, status=403)
