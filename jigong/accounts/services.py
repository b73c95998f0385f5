"""Accounts managed down the hierarchy (issue 15), each change one act: create, change
duties, disable and enable (never delete), a one-time password link issued by the next
level up, and setting the password through it. Who may: accounts.selectors.MANAGES, in
the actor's scope (restrict), with the duty 管理员; scope before rules."""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.accounts.models import PasswordLink, SsoIdentity
from jigong.accounts.selectors import digest, manageable_roles
from jigong.core.acts import ALL_STAFF, act
from jigong.core.models import ROLE_DUTIES, ApiKey, AuditLog, Duty, Role, User
from jigong.core.permissions import may
from jigong.core.services import audit
from jigong.security import sessions

LINK_HOURS = 24
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")
SSO_ID = re.compile(r"^[\w.@+:|-]{1,128}$")


@dataclass(frozen=True)
class Issued:
    """An account and its one-time password link (shown once to the issuing official)."""

    account: User
    url: str
    expires_at: datetime.datetime


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _ensure_manages(actor, account: User) -> None:
    """Scope first: the account's role is one the actor manages, within its scope."""
    if actor is None:
        return
    if account.role not in manageable_roles(actor) or not may(actor, "change", account):
        raise PermissionDenied(
            _("无权管理账号“%(name)s”：超出您的管理范围。") % {"name": account.username}
        )


def _clean_duties(actor, role: str, duties) -> list[str]:
    """The duties in the role's order; each must be the role's, at least one, and an
    administrator of the same role grants only the duties it holds."""
    allowed = ROLE_DUTIES.get(role, ())
    chosen = list(dict.fromkeys(duties or ()))
    for d in chosen:
        if d not in allowed:
            label = Duty(d).label if d in Duty.values else d
            raise ValidationError(
                {
                    "duties": _("职责“%(duty)s”不是%(role)s账号的职责，可选：%(allowed)s。")
                    % {
                        "duty": label,
                        "role": "学校" if role == Role.SCHOOL else _role_label(role),
                        "allowed": "、".join(str(Duty(a).label) for a in allowed) or "—",
                    }
                }
            )
    if allowed and not chosen:
        raise ValidationError({"duties": _("请至少选择一项职责。")})
    if actor is not None and not actor.is_superuser and actor.role == role:
        for d in chosen:
            if not actor.has_duty(d):
                raise PermissionDenied(
                    _("不能授予本人不具有的职责“%(duty)s”。") % {"duty": Duty(d).label}
                )
    return [d for d in allowed if d in chosen]


def _issue_link(actor, account: User, purpose: str) -> Issued:
    """A new one-time link for ``account``; its earlier unused links lapse."""
    now = timezone.now()
    PasswordLink.objects.filter(user=account, used_at__isnull=True).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    expires = now + datetime.timedelta(hours=LINK_HOURS)
    PasswordLink.objects.create(
        user=account,
        digest=digest(token),
        purpose=purpose,
        created_by=actor if actor and actor.pk else None,
        expires_at=expires,
    )
    return Issued(account=account, url=f"/accounts/password-link/{token}/", expires_at=expires)


def _describe(u: User) -> dict:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "school": u.school.code if u.school_id else None,
        "district": u.district.code if u.district_id else None,
        "duties": u.duties,
        "is_active": u.is_active,
    }


@act(
    "account.create",
    label=_lazy("新建账号"),
    roles=ALL_STAFF,
    model="core.user",
    event="create",
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_create(
    *,
    actor,
    username: str,
    display_name: str,
    role: str,
    duties: list[str],
    school=None,
    district=None,
) -> Issued:
    """A new account of a role the actor manages, in its scope; it has no password until
    its holder sets one through the one-time link returned (shown once)."""
    if role not in manageable_roles(actor) and actor is not None:
        raise PermissionDenied(
            _("无权新建“%(role)s”账号：%(who)s不管理该类账号。")
            % {"role": _role_label(role), "who": _role_label(actor.role)}
        )
    if actor is not None and not actor.is_superuser and actor.role == Role.SCHOOL:
        school = actor.school if school is None else school
    account = User(
        username=(username or "").strip(),
        display_name=(display_name or "").strip(),
        role=role,
        school=school if role == Role.SCHOOL else None,
        district=district if role == Role.DISTRICT else None,
    )
    if role == Role.SCHOOL and school is None:
        raise ValidationError({"school": _("学校账号须选择所属学校。")})
    if role == Role.DISTRICT and district is None:
        raise ValidationError({"district": _("区县人社局账号须选择所属区县。")})
    if actor is not None and not may(actor, "add", account):
        raise PermissionDenied(
            _("无权为“%(scope)s”新建账号：超出您的管理范围。")
            % {"scope": school or district or _role_label(role)}
        )
    account.duties = _clean_duties(actor, role, duties) if role in ROLE_DUTIES else None
    if not USERNAME.match(account.username):
        raise ValidationError(
            {
                "username": _(
                    "用户名“%(value)s”不合规：3—150 个字符，只能包含字母、数字和 @ . + - _。"
                )
                % {"value": account.username[:40]}
            }
        )
    if User.objects.filter(username__iexact=account.username).exists():
        raise ValidationError(
            {"username": _("用户名“%(value)s”已被使用。") % {"value": account.username}}
        )
    if not account.display_name:
        raise ValidationError({"display_name": _("请填写姓名。")})
    account.set_unusable_password()
    account.save()
    audit(actor, AuditLog.Action.CREATE, account, after=_describe(account), message="新建账号")
    return _issue_link(actor, account, PasswordLink.Purpose.CREATE)


@act(
    "account.set_duties",
    label=_lazy("调整账号职责"),
    roles=ALL_STAFF,
    model="core.user",
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_set_duties(*, actor, account: User, duties: list[str]) -> User:
    _ensure_manages(actor, account)
    if actor is not None and actor.pk == account.pk:
        raise PermissionDenied(_("不能调整本人账号的职责，请由上级管理部门办理。"))
    before = account.duties
    account.duties = _clean_duties(actor, account.role, duties)
    account.save(update_fields=["duties"])
    audit(
        actor,
        AuditLog.Action.UPDATE,
        account,
        before={"duties": before},
        after={"duties": account.duties},
        message="调整账号职责",
    )
    return account


@act(
    "account.disable",
    label=_lazy("停用账号"),
    roles=ALL_STAFF,
    model="core.user",
    reason=True,
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_disable(*, actor, account: User, reason: str) -> User:
    """Disable (never delete): the account's sessions end at once, its API keys are
    revoked and its unused password links lapse."""
    _ensure_manages(actor, account)
    if actor is not None and actor.pk == account.pk:
        raise PermissionDenied(_("不能停用本人账号。"))
    if not account.is_active:
        raise ValidationError(_("账号“%(name)s”已停用。") % {"name": account.username})
    now = timezone.now()
    account.is_active = False
    account.save(update_fields=["is_active"])
    ended = sessions.end_all(account)
    keys = list(
        ApiKey.objects.filter(holder=account, revoked_at__isnull=True).values_list(
            "prefix", flat=True
        )
    )
    ApiKey.objects.filter(holder=account, revoked_at__isnull=True).update(revoked_at=now)
    PasswordLink.objects.filter(user=account, used_at__isnull=True).update(expires_at=now)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        account,
        before={"is_active": True},
        after={"is_active": False, "sessions_ended": ended, "api_keys_revoked": keys},
        message=f"停用账号：{reason}"[:255],
    )
    return account


@act(
    "account.enable",
    label=_lazy("启用账号"),
    roles=ALL_STAFF,
    model="core.user",
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_enable(*, actor, account: User) -> User:
    """Enable a disabled account (its revoked API keys stay revoked)."""
    _ensure_manages(actor, account)
    if account.is_active:
        raise ValidationError(_("账号“%(name)s”未停用。") % {"name": account.username})
    account.is_active = True
    account.save(update_fields=["is_active"])
    audit(
        actor,
        AuditLog.Action.UPDATE,
        account,
        before={"is_active": False},
        after={"is_active": True},
        message="启用账号",
    )
    return account


@act(
    "account.reset_password",
    label=_lazy("重置密码"),
    roles=ALL_STAFF,
    model="core.user",
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_reset_password(*, actor, account: User) -> Issued:
    """A one-time link (24 h) for the account's holder to set a new password; shown once
    to the resetting official, who hands it over."""
    _ensure_manages(actor, account)
    if actor is not None and actor.pk == account.pk:
        raise PermissionDenied(_("本人密码请在“修改密码”中修改。"))
    if not account.is_active:
        raise ValidationError(
            _("账号“%(name)s”已停用，请先启用再重置密码。") % {"name": account.username}
        )
    issued = _issue_link(actor, account, PasswordLink.Purpose.RESET)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        account,
        after={"expires_at": issued.expires_at.isoformat()},
        message="签发一次性重置密码链接",
    )
    return issued


@act(
    "account.password_by_link",
    label=_lazy("通过一次性链接设置密码"),
    roles=[*ALL_STAFF, Role.DEPARTMENT],
    model="core.user",
    own_scope=True,
)
def account_password_by_link(*, actor, link: PasswordLink, password: str) -> User:
    """The link's holder sets a password meeting the complexity rules; the link is
    spent and every session of the account ends."""
    if actor is None or link.user_id != actor.pk:
        raise PermissionDenied(_("链接无效或已过期。"))
    link = PasswordLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None or link.expires_at <= timezone.now() or not actor.is_active:
        raise PermissionDenied(_("链接无效或已过期。"))
    try:
        password_validation.validate_password(password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    actor.set_password(password)
    actor.save(update_fields=["password"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    sessions.end_all(actor)
    audit(
        actor,
        AuditLog.Action.UPDATE,
        actor,
        after={"purpose": link.purpose},
        message="通过一次性链接设置密码",
    )
    return actor


@act(
    "account.set_sso_id",
    label=_lazy("登记统一身份认证账号"),
    roles=ALL_STAFF,
    model="core.user",
    duty=Duty.ADMIN,
    own_scope=True,
)
def account_set_sso_id(*, actor, account: User, sso_id: str) -> User:
    """The value of the identity provider's staff claim that logs in as ``account``
    (single sign-on, docs/ops.md); empty removes it. One value names one account."""
    _ensure_manages(actor, account)
    if account.role not in ALL_STAFF:
        raise ValidationError(
            {"sso_id": _("只有工作人员账号可以登记统一身份认证账号；毕业生凭身份证号登录。")}
        )
    value = (sso_id or "").strip()
    if value and not SSO_ID.match(value):
        raise ValidationError(
            {
                "sso_id": _(
                    "统一身份认证账号“%(value)s”不合规：1—128 个字符，只能包含字母、数字和"
                    " _ . @ + : | -。"
                )
                % {"value": value[:40]}
            }
        )
    current = SsoIdentity.objects.filter(user=account).first()
    before = current.value if current else ""
    if value == before:
        return account
    if value and SsoIdentity.objects.filter(value=value).exclude(user=account).exists():
        raise ValidationError(
            {"sso_id": _("统一身份认证账号“%(value)s”已登记在其他账号上。") % {"value": value}}
        )
    if not value:
        SsoIdentity.objects.filter(user=account).delete()
    elif current is None:
        SsoIdentity.objects.create(user=account, value=value)
    else:
        current.value = value
        current.save(update_fields=["value", "updated_at"])
    audit(
        actor,
        AuditLog.Action.UPDATE,
        account,
        before={"sso_id": before},
        after={"sso_id": value},
        message="登记统一身份认证账号" if value else "取消统一身份认证账号",
    )
    return account
