"""Session time-outs and the TOTP second step, for every page and API call made with a
staff session. Place after AuthenticationMiddleware, OTPMiddleware and MessageMiddleware."""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jigong.security import services, sessions

OTP_STATE = "jg_otp"  # "none", "device" (must verify) or "setup" (must set up)
API_PREFIX = "/api/"


def otp_state(user) -> str:
    if services.confirmed_device(user) is not None:
        return "device"
    return "setup" if services.otp_required(user) else "none"


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        from django.conf import settings

        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith(
            (
                reverse("login"),
                reverse("logout"),
                reverse("security:otp_verify"),
                reverse("security:otp_setup"),
                static,
                "/healthz",
            )
        )

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        path = request.path_info
        if sessions.expired(request, now=time.time()):
            logout(request)
            message = _("由于长时间未操作或登录时间过长，会话已超时，请重新登录。")
            if path.startswith(API_PREFIX):
                return JsonResponse({"detail": message}, status=401)
            messages.warning(request, message)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        state = request.session.get(OTP_STATE)
        if state is None:
            state = request.session[OTP_STATE] = otp_state(user)
        if state != "none" and not user.is_verified() and not self._exempt(path):
            if path.startswith(API_PREFIX):
                return JsonResponse({"detail": _("请先完成两步验证。")}, status=403)
            target = "security:otp_verify" if state == "device" else "security:otp_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
