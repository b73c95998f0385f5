"""Two-step verification pages: set up TOTP (QR code), verify at log-in, turn off."""

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from jigong.core.viewsets import get_or_404
from jigong.security import middleware, selectors, services, sessions


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("动态验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy("手机验证器应用上显示的 6 位数字"),
    )


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # a path of this site only: redirect() would take "abc" for a view name (a 500)
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    from django.urls import reverse

    return reverse(default)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def _throttled(device) -> str:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return ""
    until = (info or {}).get("locked_until")
    if until is not None:
        from django.utils import timezone

        return _("验证码错误次数过多，请于 %(time)s 之后再试。") % {
            "time": timezone.localtime(until).strftime("%H:%M:%S")
        }
    return _("验证码错误次数过多，请稍后再试。")


def _qr_svg(uri: str) -> str:
    # Inline SVG markup: no data: URL, nothing for a Content-Security-Policy to allow.
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title=_("两步验证二维码"))


def _secret_text(device) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def otp_setup(request):
    """Show the QR code of a new secret; a correct code from the app confirms it."""
    user = request.user
    if not services.otp_allowed(user):
        raise PermissionDenied(_("只有市、区县人社局账号可以启用两步验证。"))
    device = services.confirmed_device(user)
    if device is not None:
        if not user.is_verified():
            return redirect("security:otp_verify")
        return render(
            request,
            "security/otp_status.html",
            {"title": _("两步验证"), "form": TokenForm(), "device": device},
        )
    device = services.totp_device_start(actor=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(actor=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            otp_login(request, device)
            request.session[middleware.OTP_STATE] = "device"
            # the act ended the account's other sessions (no second step): keep this one
            sessions.keep(request, user)
            messages.success(request, _("两步验证已启用：今后登录时需输入手机上的动态验证码。"))
            return redirect(_next(request))
    context = {
        "title": _("启用两步验证"),
        "form": form,
        "qr": _qr_svg(device.config_url),
        "secret": _secret_text(device),
        "required": services.otp_required(user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "security/otp_setup.html", context)


@never_cache
@login_required
def otp_verify(request):
    """The second step of log-in for an account with TOTP."""
    user = request.user
    device = services.confirmed_device(user)
    if device is None:
        return redirect(_next(request))
    if user.is_verified():
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        blocked = _throttled(device)
        if blocked:
            form.add_error("token", blocked)
            status = 429
        elif device.verify_token("".join(form.cleaned_data["token"].split())):
            otp_login(request, device)
            request.session[middleware.OTP_STATE] = "device"
            return redirect(_next(request))
        else:
            form.add_error(
                "token",
                _("动态验证码“%(value)s”不正确或已过期，请输入手机上显示的最新验证码。")
                % {"value": form.cleaned_data["token"][:12]},
            )
    context = {"title": _("两步验证"), "form": form, "next": request.GET.get("next", "")}
    return render(request, "security/otp_verify.html", context, status=status)


@require_POST
@login_required
def otp_disable(request):
    form = TokenForm(request.POST)
    device = services.confirmed_device(request.user)
    if device is None:
        return redirect("security:otp_setup")
    if form.is_valid():
        try:
            services.totp_device_remove(actor=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            request.session[middleware.OTP_STATE] = middleware.otp_state(request.user)
            messages.success(request, _("两步验证已停用。"))
            return redirect("security:otp_setup")
    context = {"title": _("两步验证"), "form": form, "device": device}
    return render(request, "security/otp_status.html", context, status=400)


@never_cache
@login_required
def session_list(request):
    """One's own sessions: device, address, log-in and last activity; end one or all
    others."""
    rows = selectors.my_sessions(user=request.user, current_key=request.session.session_key)
    return render(request, "security/sessions.html", {"title": _("登录会话"), "rows": rows})


@require_POST
@login_required
def session_end(request, pk: int):
    record = get_or_404(selectors.session_get, user=request.user, pk=pk)
    if record.session_key == request.session.session_key:
        messages.error(request, _("当前会话请用“退出登录”结束。"))
        return redirect("security:sessions")
    services.session_end(actor=request.user, record=record)
    messages.success(request, _("该会话已结束。"))
    return redirect("security:sessions")


@require_POST
@login_required
def session_end_others(request):
    n = services.session_end_others(actor=request.user, keep_key=request.session.session_key)
    sessions.keep(request, request.user)
    messages.success(request, _("已结束其他会话 %(n)s 个。") % {"n": n})
    return redirect("security:sessions")
