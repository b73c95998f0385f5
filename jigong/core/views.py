"""The portal shell: home page per role, the audit log register, account pages."""

import json

from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.validators import MaxLengthValidator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from jigong.core import build_progress, selectors
from jigong.core.filters import AuditLogFilterSet
from jigong.core.models import AuditLog, Role
from jigong.core.viewsets import Col, Register


def home(request):
    """Anonymous: the public landing page. Staff: the figures of their scope."""
    user = request.user
    progress = {"demo_progress": build_progress.current()}
    if not user.is_authenticated:
        return render(request, "portal/landing.html", progress)
    if user.is_superuser or user.role == Role.MUNICIPAL:
        context = {
            "summary": selectors.home_summary(user=user),
            "districts": selectors.district_table(user=user),
        }
        return render(request, "portal/home_municipal.html", {**context, **progress})
    if user.role == Role.DISTRICT:
        context = {
            "summary": selectors.home_summary(user=user),
            "schools": selectors.school_table(user=user),
        }
        return render(request, "portal/home_district.html", {**context, **progress})
    if user.role == Role.SCHOOL:
        context = {"summary": selectors.home_summary(user=user), "school": user.school}
        return render(request, "portal/home_school.html", {**context, **progress})
    if user.role == Role.DEPARTMENT:
        return render(request, "portal/home_department.html", progress)
    return render(request, "portal/home_graduate.html", progress)


def _object_type(row) -> str:
    """“学籍（students.registration）” for an audit row's model label."""
    try:
        model = apps.get_model(row.object_type)
    except (LookupError, ValueError):
        return row.object_type
    return f"{model._meta.verbose_name}（{row.object_type}）"


def _json(value) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


audit_log = Register(
    model=AuditLog,
    name="auditlog",
    prefix="audit-log",
    list_selector=selectors.audit_log_list,
    get_selector=selectors.audit_log_get,
    filterset_class=AuditLogFilterSet,
    columns=[
        Col("at", link=True),
        "actor_name",
        "action",
        Col("object_type", render=_object_type),
        "object_repr",
        Col("school_name", _("学校")),
        "message",
    ],
    detail_fields=[
        "at",
        "actor_name",
        "action",
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


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


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


def error_403(request, exception=None):
    return render(request, "403.html", {"message": str(exception or "")}, status=403)
