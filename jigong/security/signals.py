"""Log-in events: session timestamps for the time-outs, and an audit row per log-in,
log-out and failed log-in (等保 2.0 三级: 安全审计覆盖重要的用户行为和安全事件)."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jigong.core import clientip
from jigong.core.models import AuditLog
from jigong.core.services import audit
from jigong.security import sessions


def _address(request) -> str:
    if request is None or not hasattr(request, "META"):
        return ""
    return clientip.client_ip(request)[:64]


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request, now=time.time())
        sessions.record(request, user, address=_address(request))
    audit(
        user,
        AuditLog.Action.LOGIN,
        user,
        message=f"登录成功（地址 {_address(request)}）"[:255],
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None and user.pk:
        audit(user, AuditLog.Action.LOGIN, user, message=f"退出登录（地址 {_address(request)}）")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:64]
    audit(
        None,
        AuditLog.Action.LOGIN,
        object_type="core.user",
        message=f"登录失败：用户名“{username}”（地址 {_address(request)}）"[:255],
    )
