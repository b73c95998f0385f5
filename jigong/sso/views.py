"""The two doors of single sign-on: to the provider (``oidc/authenticate/``) and back
(``oidc/callback/``). Every refusal is shown in Chinese on the log-in page (or a page of
its own when the ID number is on no register) and written to the audit log; never a
500, never a raw 400."""

import logging

import requests
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc

from jigong.core import clientip
from jigong.core.models import AuditLog, Role
from jigong.core.services import audit
from jigong.security import middleware
from jigong.sso import config
from jigong.sso.backend import Refused

log = logging.getLogger("jigong.security")


def _refuse(request, message: str, reason: str, *, page: str = ""):
    address = clientip.client_ip(request)[:64]
    audit(
        None,
        AuditLog.Action.LOGIN,
        object_type="core.user",
        message=f"统一身份认证登录被拒绝：{reason}（地址 {address}）"[:255],
    )
    log.warning("SSO log-in refused: %s (address %s)", reason, address)
    if page == "not_on_register":
        return render(
            request,
            "accounts/sso_not_on_register.html",
            {"title": _("未找到毕业生登记"), "message": message},
            status=403,
        )
    messages.error(request, message)
    return redirect("login")


class Authenticate(oidc.OIDCAuthenticationRequestView):
    def __init__(self, *args, **kwargs):
        # the parent reads the endpoints here: only once single sign-on is on
        super(oidc.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return config.setting(attr, *args)

    def get(self, request):
        if not config.enabled():
            raise Http404(_("未启用统一身份认证登录。"))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError):
            return _refuse(
                request,
                _("暂时无法连接统一身份认证平台，请稍后再试，或使用账号密码登录。"),
                "身份认证平台的发现文档无法读取",
            )
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class Callback(oidc.OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr, *args):
        return config.setting(attr, *args)

    @property
    def success_url(self):
        target = self.request.session.get("oidc_login_next")
        if not target and self.user.role == Role.GRADUATE:
            return reverse("graduates:index")  # their own records
        return target or reverse("home")

    def login_failure(self):
        if self.request.GET.get("error"):
            return _refuse(
                self.request,
                _("统一身份认证未完成（身份认证平台返回：%(error)s），请重新登录。")
                % {"error": self.request.GET.get("error", "")[:64]},
                f"身份认证平台返回错误 {self.request.GET.get('error', '')[:64]}",
            )
        return _refuse(
            self.request,
            _("统一身份认证登录已失效或重复提交，请重新点击“统一身份认证登录”。"),
            "回调缺少有效的 state（过期、重复使用或伪造）",
        )

    def login_success(self):
        response = super().login_success()
        # The provider asserted a second factor: the platform's TOTP step is satisfied;
        # otherwise the middleware asks it as after a password log-in.
        if getattr(self.request, "jigong_sso_mfa", False):
            self.request.session[middleware.OTP_STATE] = "none"
        return response

    def get(self, request):
        if not config.enabled():
            raise Http404(_("未启用统一身份认证登录。"))
        try:
            return super().get(request)
        except Refused as exc:
            return _refuse(request, exc.message, exc.reason, page=exc.page)
        except SuspiciousOperation:
            return _refuse(
                request,
                _("统一身份认证登录已失效或重复提交，请重新点击“统一身份认证登录”。"),
                "回调的 state 与本会话不符（过期、重复使用或伪造）",
            )
        except requests.RequestException:
            return _refuse(
                request,
                _(
                    "统一身份认证平台未能确认本次登录（登录凭证已使用、已过期，或暂时无法"
                    "连接），请重新登录。"
                ),
                "令牌端点拒绝授权码或无法连接",
            )
