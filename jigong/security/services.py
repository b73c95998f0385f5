"""Writes of the account-security app: TOTP second factor. The device's secret key is
never written to the audit log."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.core.models import AuditLog
from jigong.core.services import audit

DEVICE_NAME = "TOTP"


def otp_allowed(user) -> bool:
    """Staff accounts (JIGONG_OTP_ROLES: municipal, district and school) may use TOTP;
    department API users (a key) and graduates do not."""
    roles = getattr(settings, "JIGONG_OTP_ROLES", ("municipal", "district", "school"))
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in roles))


def otp_required(user) -> bool:
    """Roles in JIGONG_OTP_REQUIRED_ROLES must set TOTP up before anything else."""
    roles = getattr(settings, "JIGONG_OTP_REQUIRED_ROLES", ())
    return bool(user and user.is_authenticated and user.role in roles)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _describe(device: TOTPDevice) -> dict:
    return {"name": device.name, "confirmed": device.confirmed, "digits": device.digits}


def _check_token(token: str, digits: int) -> str:
    token = "".join((token or "").split())
    if not (token.isdigit() and len(token) == digits):
        raise ValidationError(
            {
                "token": _("动态验证码“%(value)s”应为 %(n)s 位数字。")
                % {"value": token[:20], "n": digits}
            }
        )
    return token


@transaction.atomic
def totp_device_start(*, actor) -> TOTPDevice:
    """The actor's unconfirmed TOTP device (a new secret), created if there is none."""
    if not otp_allowed(actor):
        raise PermissionDenied(_("只有市、区县人社局账号可以启用两步验证。"))
    if confirmed_device(actor) is not None:
        raise ValidationError(_("两步验证已启用；如需更换手机，请先停用再重新设置。"))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
        audit(
            actor,
            AuditLog.Action.CREATE,
            device,
            after=_describe(device),
            message="开始设置两步验证",
        )
    return device


@transaction.atomic
def totp_device_confirm(*, actor, token: str) -> TOTPDevice:
    """Confirm the actor's new device with a code from the authenticator app."""
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
    if device is None:
        raise ValidationError(_("没有待确认的两步验证设置，请重新开始设置。"))
    token = _check_token(token, device.digits)
    if not device.verify_token(token):
        raise ValidationError(
            {
                "token": _("动态验证码“%(value)s”不正确或已过期，请输入手机上显示的最新验证码。")
                % {"value": token}
            }
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit(
        actor,
        AuditLog.Action.UPDATE,
        device,
        before={"confirmed": False},
        after={"confirmed": True},
        message="启用两步验证",
    )
    return device


@transaction.atomic
def totp_device_remove(*, actor, token: str) -> None:
    """Turn TOTP off; a current code is required, so a stolen session cannot do it."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("两步验证未启用。"))
    if otp_required(actor):
        raise PermissionDenied(_("您的角色必须使用两步验证，不能停用。"))
    token = _check_token(token, device.digits)
    if not device.verify_token(token):
        raise ValidationError(
            {"token": _("动态验证码“%(value)s”不正确或已过期。") % {"value": token}}
        )
    audit(actor, AuditLog.Action.DELETE, device, before=_describe(device), message="停用两步验证")
    TOTPDevice.objects.filter(user=actor).delete()
