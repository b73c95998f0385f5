"""Writes of the account-security app, each one act (jigong.core.acts): the TOTP second
factor of one's own account (the device's secret key is never written to the audit log)
and the audit log's purge past its retention period."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.core.acts import ALL_STAFF, MUNICIPAL, act
from jigong.core.models import AuditLog, Duty, Role
from jigong.core.services import audit
from jigong.policy import parameters
from jigong.security import retention, sessions
from jigong.security.models import RoleSecurity, SessionRecord

DEVICE_NAME = "TOTP"


def otp_allowed(user) -> bool:
    """Staff accounts (JIGONG_OTP_ROLES: municipal, district and school) may use TOTP;
    department API users (a key) and graduates do not."""
    roles = getattr(settings, "JIGONG_OTP_ROLES", ("municipal", "district", "school"))
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in roles))


def otp_required(user) -> bool:
    """Roles in JIGONG_OTP_REQUIRED_ROLES, or required by the municipal bureau
    (``totp.require_for_role``), must set TOTP up before anything else."""
    if not (user and user.is_authenticated):
        return False
    if user.role in getattr(settings, "JIGONG_OTP_REQUIRED_ROLES", ()):
        return True
    return RoleSecurity.objects.filter(role=user.role, otp_required=True).exists()


def required_roles() -> set[str]:
    """The roles that must use TOTP (the setting's and the bureau's)."""
    roles = set(getattr(settings, "JIGONG_OTP_REQUIRED_ROLES", ()))
    return roles | set(
        RoleSecurity.objects.filter(otp_required=True).values_list("role", flat=True)
    )


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


@act(
    "totp.start",
    label=_lazy("开始设置两步验证"),
    roles=ALL_STAFF,
    model="otp_totp.totpdevice",
    event="create",
)
def totp_device_start(*, actor) -> TOTPDevice:
    """The actor's unconfirmed TOTP device (a new secret), created if there is none.
    The roles that may use TOTP are a setting (``otp_allowed``), within the staff."""
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


@act(
    "totp.confirm",
    label=_lazy("启用两步验证"),
    roles=ALL_STAFF,
    model="otp_totp.totpdevice",
)
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
    # the account's sessions so far passed no second step: they end (the page keeps
    # its own, sessions.keep)
    sessions.end_others(actor)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        device,
        before={"confirmed": False},
        after={"confirmed": True},
        message="启用两步验证",
    )
    return device


@act(
    "totp.remove",
    label=_lazy("停用两步验证"),
    roles=ALL_STAFF,
    model="otp_totp.totpdevice",
    event="delete",
)
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


@act(
    "audit_log.purge",
    label=_lazy("清理审计日志"),
    roles=MUNICIPAL,
    model="core.auditlog",
    clause="（二十四）",
    channels=("cli",),
    event="delete",
)
def audit_log_purge(*, actor, before: datetime.date, today: datetime.date | None = None) -> int:
    """Delete audit rows dated before ``before``; refuse a day inside the retention period
    (``security.audit_log_retention_months``). The purge itself is audited (who, up to
    which day, how many rows)."""
    today = today or timezone.localdate()
    limit = retention.earliest_purgeable(today)
    if before > limit:
        months = parameters.get(retention.PARAMETER, today)
        raise ValidationError(
            {
                "before": _(
                    "清理截止日期 %(value)s 晚于 %(limit)s：审计日志须至少保存 %(months)s 个月"
                    "（%(rule)s），%(limit)s 及以后的日志不能删除。"
                )
                % {
                    "value": before.isoformat(),
                    "limit": limit.isoformat(),
                    "months": months,
                    "rule": parameters.cite(retention.PARAMETER, today).basis,
                }
            }
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    count = AuditLog.objects.purge_before(cutoff)
    audit(
        actor,
        AuditLog.Action.DELETE,
        object_type="core.auditlog",
        before={"count": count, "before": before.isoformat()},
        message=f"清理 {before.isoformat()} 之前的审计日志 {count} 条",
    )
    return count


@act(
    "totp.require_for_role",
    label=_lazy("要求某角色使用两步验证"),
    roles=MUNICIPAL,
    model="security.rolesecurity",
    duty=Duty.ADMIN,
)
def totp_require_for_role(*, actor, role: str, required: bool) -> RoleSecurity:
    """Require (or stop requiring) TOTP of every account of a staff role. Requiring it
    ends the sessions of that role's accounts without a confirmed device: their next
    log-in goes through setting it up."""
    if role not in getattr(settings, "JIGONG_OTP_ROLES", ("municipal", "district", "school")):
        raise ValidationError(
            {
                "role": _("角色“%(role)s”不使用两步验证，可选：市人社局、区县人社局、学校管理员。")
                % {"role": Role(role).label if role in Role.values else role}
            }
        )
    row, _created = RoleSecurity.objects.get_or_create(role=role)
    before = row.otp_required
    row.otp_required = bool(required)
    row.save(update_fields=["otp_required"])
    ended = 0
    if row.otp_required and not before:
        from django.contrib.auth import get_user_model
        from django.db.models import F

        users = get_user_model().objects.filter(role=role).exclude(totpdevice__confirmed=True)
        if actor is not None:
            users = users.exclude(pk=actor.pk)  # the bureau's own page goes on to setup
        ended = users.update(session_epoch=F("session_epoch") + 1)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        row,
        before={"otp_required": before},
        after={"otp_required": row.otp_required, "sessions_ended_accounts": ended},
        message=("要求" if row.otp_required else "不再要求")
        + f"“{Role(role).label}”账号使用两步验证",
    )
    return row


@act(
    "session.end",
    label=_lazy("结束登录会话"),
    roles=Role.values,
    model="security.sessionrecord",
    own_scope=True,
)
def session_end(*, actor, record: SessionRecord) -> None:
    """End one of one's own sessions (another device's)."""
    if actor is None or record.user_id != actor.pk:
        raise PermissionDenied(_("只能结束本人的登录会话。"))
    if record.ended_at is not None:
        raise ValidationError(_("该会话已结束。"))
    sessions.store(record.session_key).delete()
    record.ended_at = timezone.now()
    record.save(update_fields=["ended_at"])
    audit(
        actor,
        AuditLog.Action.LOGIN,
        actor,
        message=f"结束登录会话（地址 {record.address}）"[:255],
    )


@act(
    "session.end_others",
    label=_lazy("结束其他登录会话"),
    roles=Role.values,
    model="security.sessionrecord",
    own_scope=True,
)
def session_end_others(*, actor, keep_key: str) -> int:
    """End every session of one's own but ``keep_key`` (the page's); the caller keeps
    its own with ``sessions.keep``."""
    others = list(
        SessionRecord.objects.filter(user=actor, ended_at__isnull=True).exclude(
            session_key=keep_key
        )
    )
    for record in others:
        sessions.store(record.session_key).delete()
    SessionRecord.objects.filter(pk__in=[r.pk for r in others]).update(ended_at=timezone.now())
    sessions.end_others(actor)  # and any session not recorded
    audit(
        actor,
        AuditLog.Action.LOGIN,
        actor,
        after={"sessions_ended": len(others)},
        message=f"结束其他登录会话 {len(others)} 个",
    )
    return len(others)
