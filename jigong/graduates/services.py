"""Graduates' self-service (issue 15), each change one act (jigong.core.acts):

- ``graduate_account.register``: anyone holding the proof of identity (身份证号, 姓名, one
  of the person's certificate numbers, the year they enrolled at that school) opens the
  person's graduate account; the proof is checked here, on every door alike;
- ``graduate_account.recover``: the same proof sets a new password and ends the
  account's other sessions;
- ``graduate_account.invite``: a school gives a graduated student a one-time link
  (``graduates.invitation_days``, a platform setting), which
- ``graduate_account.accept_invitation`` spends to open the account.

The anonymous acts run with ``actor=None`` (no account yet: the proof or the link is the
authority); their audit row names the graduate account as its actor. Rate limits and the
challenge are the door's (``public.accounts``: the limits of /verify/)."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.acts import SCHOOL, act
from jigong.core.models import AuditLog, Duty, Role
from jigong.core.permissions import ensure
from jigong.core.services import audit
from jigong.graduates import selectors
from jigong.graduates.models import GraduateInvitation, token_digest
from jigong.policy import parameters
from jigong.security import sessions

NOBODY = frozenset()  # anonymous acts: the proof of identity (or the link) is the authority


class ProofMismatch(ValidationError):
    """The one refusal of every kind of miss: nothing says which field was wrong."""

    def __init__(self):
        super().__init__(
            _(
                "未能核实您的身份：请核对身份证号、姓名、证书编号和入学年份是否与学籍和"
                "证书登记一致。如仍有疑问，请联系毕业学校。"
            )
        )


class AlreadyLinked(ValidationError):
    def __init__(self):
        super().__init__(
            _(
                "该身份信息已开通毕业生账号，不能重复注册。如忘记账号或密码，请使用"
                "“找回密码”（/graduates/recover/）。"
            )
        )


def check_password(password: str, user=None) -> None:
    """The platform's password rules (AUTH_PASSWORD_VALIDATORS), keyed by field."""
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc


def _new_username() -> str:
    User = get_user_model()
    while True:
        name = "by" + "".join(secrets.choice("0123456789") for _ in range(8))
        if not User.objects.filter(username=name).exists():
            return name


def _open_account(person, password: str, how: str):
    """A graduate account linked to ``person`` (none may exist yet)."""
    from jigong.students.models import Person

    User = get_user_model()
    # the person's row is locked: two registrations of one person at once open one account
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if selectors.account_of(person) is not None:
        raise AlreadyLinked()
    user = User(username=_new_username(), role=Role.GRADUATE, person=person)
    user.display_name = person.name
    check_password(password, user)
    user.set_password(password)
    user.save()
    audit(
        user,
        AuditLog.Action.CREATE,
        user,
        after={"username": user.username, "role": user.role, "person": person.pk},
        message=how,
        object_type="core.user",
    )
    return user


@act(
    "graduate_account.register",
    label=_lazy("毕业生注册账号"),
    roles=NOBODY,
    anonymous=True,
    model="core.user",
    clause="（十八）",
    event="create",
)
def graduate_account_register(
    *, actor, id_number: str, name: str, certificate_number: str, enrolled_year, password: str
):
    """Open the graduate account of the person the proof names; ProofMismatch on any
    miss, AlreadyLinked when the person has an account."""
    check_password(password)
    person = selectors.person_by_proof(
        id_number=id_number,
        name=name,
        certificate_number=certificate_number,
        enrolled_year=enrolled_year,
    )
    if person is None:
        raise ProofMismatch()
    return _open_account(person, password, "毕业生本人核验身份后注册")


@act(
    "graduate_account.recover",
    label=_lazy("毕业生找回密码"),
    roles=NOBODY,
    anonymous=True,
    model="core.user",
    clause="（十八）",
    own_scope=True,
)
def graduate_account_recover(
    *, actor, id_number: str, name: str, certificate_number: str, enrolled_year, password: str
):
    """Set a new password on the account of the person the proof names; every other
    session of the account ends. ProofMismatch on any miss or when there is no account
    (nothing says which)."""
    check_password(password)
    person = selectors.person_by_proof(
        id_number=id_number,
        name=name,
        certificate_number=certificate_number,
        enrolled_year=enrolled_year,
    )
    user = selectors.account_of(person) if person is not None else None
    if user is None:
        raise ProofMismatch()
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions.end_others(user)
    audit(user, AuditLog.Action.UPDATE, user, message="毕业生本人核验身份后重设密码")
    return user


INVITATION_DAYS = "certificates.graduate_invitation_days"


def invitation_days(on: datetime.date) -> int:
    return int(parameters.get(INVITATION_DAYS, on))


def invitation_basis(on: datetime.date) -> str:
    """Where the validity comes from: “平台设定（可由市人社局调整），参照（十八）”."""
    return parameters.cite(INVITATION_DAYS, on).basis


@act(
    "graduate_account.invite",
    label=_lazy("生成毕业生账号邀请"),
    roles=SCHOOL,
    model="graduates.graduateinvitation",
    clause="（十八）",
    event="create",
    duty=Duty.CERTIFICATES,  # the graduate's certificates and verification codes
)
def graduate_account_invite(*, actor, registration, now: datetime.datetime | None = None):
    """A one-time link for the graduate of ``registration`` (a 学籍 of the actor's
    school with a graduation certificate) to open their account. Returns the invitation
    and the link's token (shown once; only its digest is kept). Earlier unused links of
    the person end."""
    from jigong.certificates.models import GraduationCertificate

    ensure(actor, "change", registration)
    if not GraduationCertificate.objects.filter(registration=registration).exists():
        raise ValidationError(_("该学籍尚未毕业（没有毕业证书），不能邀请开通毕业生账号。"))
    if selectors.account_of(registration.person) is not None:
        raise ValidationError(_("该学生已开通毕业生账号；如忘记密码，可由本人使用“找回密码”重设。"))
    now = now or timezone.now()
    GraduateInvitation.objects.filter(
        person=registration.person, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    days = invitation_days(timezone.localdate(now))
    invitation = GraduateInvitation.objects.create(
        person=registration.person,
        registration=registration,
        school=registration.school,
        digest=token_digest(token),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
        created_by=actor if actor is not None and actor.pk else None,
    )
    audit(
        actor,
        AuditLog.Action.CREATE,
        invitation,
        after={"registration": registration.pk, "expires_at": invitation.expires_at.isoformat()},
        message=f"有效期{days}天",
    )
    return invitation, token


class InvitationSpent(ValidationError):
    def __init__(self):
        super().__init__(
            _("该邀请链接已失效（已使用、已过期或已被新链接取代），请联系学校重新生成。")
        )


def invitation_open(token: str) -> GraduateInvitation | None:
    """The unused, unexpired invitation behind ``token``, or None."""
    return (
        GraduateInvitation.objects.select_related("school", "person")
        .filter(digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@act(
    "graduate_account.accept_invitation",
    label=_lazy("凭邀请链接开通毕业生账号"),
    roles=NOBODY,
    anonymous=True,
    model="graduates.graduateinvitation",
    clause="（十八）",
    own_scope=True,
)
def graduate_account_accept_invitation(*, actor, token: str, password: str):
    """Spend the link: open the account of its person with ``password``."""
    check_password(password)
    invitation = (
        GraduateInvitation.objects.select_for_update()
        .filter(digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise InvitationSpent()
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return _open_account(invitation.person, password, "凭学校生成的邀请链接开通")


class NotOnRegister(ValidationError):
    """Single sign-on: the identity provider's 身份证号 names no graduate (nothing says
    whether the person is on any other register)."""

    def __init__(self):
        super().__init__(
            _(
                "未在本平台的技工院校毕业生登记中找到您的身份信息，无法以毕业生身份登录。"
                "如您已从技工院校毕业，请联系毕业学校核实学籍和证书登记。"
            )
        )


@act(
    "graduate_account.open_by_sso",
    label=_lazy("统一身份认证开通毕业生账号"),
    roles=NOBODY,
    anonymous=True,
    model="core.user",
    clause="（十八）",
    event="create",
)
def graduate_account_open_by_sso(*, actor, id_number: str):
    """The citizen identity provider vouched for ``id_number`` (a verified real-name
    claim): open the graduate account of the person it names, with no local password
    (the holder may set one through 找回密码). NotOnRegister when no graduate has the
    number; AlreadyLinked when the person has an account (log in to it instead)."""
    from jigong.standards import idcard

    try:
        number = idcard.validate(id_number or "")
    except ValueError:
        raise NotOnRegister() from None
    person = selectors.graduate_by_id_number(number)
    if person is None:
        raise NotOnRegister()
    from jigong.students.models import Person

    User = get_user_model()
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if selectors.account_of(person) is not None:
        raise AlreadyLinked()
    user = User(username=_new_username(), role=Role.GRADUATE, person=person)
    user.display_name = person.name
    user.set_unusable_password()
    user.save()
    audit(
        user,
        AuditLog.Action.CREATE,
        user,
        after={"username": user.username, "role": user.role, "person": person.pk},
        message="统一身份认证（实名）登录开通",
        object_type="core.user",
    )
    return user
