"""Reads of account management: the accounts an official manages, and a password link
by its token."""

import hashlib

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.accounts.models import PasswordLink
from jigong.core.models import Role, User
from jigong.core.permissions import restrict

# The roles of the accounts each role manages (issue 15): the city the bureaus' and the
# departments' (and, as the top level, any staff account); a district its schools'; a
# school's 管理员 its own school's.
MANAGES: dict[str, frozenset[str]] = {
    Role.MUNICIPAL: frozenset({Role.MUNICIPAL, Role.DISTRICT, Role.SCHOOL, Role.DEPARTMENT}),
    Role.DISTRICT: frozenset({Role.SCHOOL}),
    Role.SCHOOL: frozenset({Role.SCHOOL}),
}


def manageable_roles(user) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return MANAGES[Role.MUNICIPAL]
    return MANAGES.get(user.role, frozenset())


def account_list(*, user):
    """The accounts in the user's scope (restrict: a district's schools, a school's own)
    of the roles it manages, with their TOTP status."""
    return (
        restrict(user, User, "change")
        .filter(role__in=manageable_roles(user))
        .select_related("school", "district")
        .annotate(totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .order_by("role", "school__code", "username")
    )


def account_get(*, user, pk: int) -> User:
    """One managed account; another scope's raises DoesNotExist (a page answers 404)."""
    return account_list(user=user).get(pk=pk)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_link_get(*, token: str) -> PasswordLink:
    """The link of ``token`` that is still good (unused, unexpired, its account active);
    DoesNotExist otherwise, whichever the reason."""
    if not token or len(token) > 100:
        raise PasswordLink.DoesNotExist
    return PasswordLink.objects.select_related("user").get(
        digest=digest(token),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    )


def sso_id_of(account) -> str:
    """The identity provider's staff claim value registered for ``account`` ("" if none);
    the caller reached ``account`` through ``account_get`` (its scope)."""
    from jigong.accounts.models import SsoIdentity

    return SsoIdentity.objects.filter(user=account).values_list("value", flat=True).first() or ""
