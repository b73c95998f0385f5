"""The signing keys' life cycle as acts (jigong.core.acts): create, rotate, revoke.

The key store itself (``signing.py``) is files, not rows; each act writes its audit row
first, inside the act's transaction, then changes the files, so a refused or failed file
change leaves no audit row behind. Registered when the app is ready (``apps.py``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.certificates import signing
from jigong.core.acts import MUNICIPAL, act
from jigong.core.filters import name_object_type
from jigong.core.models import AuditLog
from jigong.core.services import audit

OBJECT_TYPE = "certificates.signingkey"
name_object_type(OBJECT_TYPE, _lazy("证书签名密钥"))
REASON_MAX = 200


def _audit(actor, message: str, after: dict) -> None:
    audit(actor, AuditLog.Action.OTHER, object_type=OBJECT_TYPE, after=after, message=message)


def _refused(exc: signing.SigningError, field: str = "kid") -> ValidationError:
    return ValidationError({field: [exc.message]})


@act(
    "signing_key.create",
    label=_lazy("创建证书签名密钥"),
    roles=MUNICIPAL,
    model=OBJECT_TYPE,
    clause="（十八）",
    channels=("cli",),
    event="create",
)
def key_create(
    *,
    actor,
    scheme_name: str = signing.DEFAULT_SCHEME,
    keystore: signing.KeyStore | None = None,
) -> signing.PublicKey:
    try:
        key = (keystore or signing.store()).create(scheme_name)
    except signing.SigningError as exc:
        raise _refused(exc, "scheme") from exc
    _audit(actor, f"创建签名密钥{key.kid}（{key.scheme}）", key.as_dict())
    return key


def key_ensure(*, actor=None) -> signing.PublicKey | None:
    """The first key (``key_create``) when the store has none, for ``jigong demo`` and
    ``jigong up``: a fresh world prints certificates. None when a key exists."""
    if signing.store().keys():
        return None
    return key_create(actor=actor, scheme_name=signing.DEFAULT_SCHEME)


@act(
    "signing_key.rotate",
    label=_lazy("更换证书签名密钥"),
    roles=MUNICIPAL,
    model=OBJECT_TYPE,
    clause="（十八）",
    channels=("cli",),
)
def key_rotate(
    *,
    actor,
    scheme_name: str | None = None,
    keystore: signing.KeyStore | None = None,
) -> tuple[signing.PublicKey | None, signing.PublicKey]:
    try:
        old, new = (keystore or signing.store()).rotate(scheme_name)
    except signing.SigningError as exc:
        raise _refused(exc, "scheme") from exc
    text = f"更换签名密钥：启用{new.kid}（{new.scheme}）"
    if old is not None:
        text += f"，停用{old.kid}（其公钥只用于核验发证日期不晚于停用当日的证书，私钥已销毁）"
    _audit(actor, text, {"new": new.as_dict(), "retired": old.kid if old else None})
    return old, new


@act(
    "signing_key.revoke",
    label=_lazy("撤销证书签名密钥"),
    roles=MUNICIPAL,
    model=OBJECT_TYPE,
    clause="（十八）",
    reason=True,
    channels=("cli",),
)
def key_revoke(
    *, actor, kid: str, reason: str, keystore: signing.KeyStore | None = None
) -> signing.PublicKey:
    """Revoke a key (compromised, say): every credential signed with it is invalid from
    now on, online and for offline verifiers that refresh the published keys."""
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": [
                    _("原因：不超过%(n)s个字符（现有%(m)s个）")
                    % {"n": REASON_MAX, "m": len(reason)}
                ]
            }
        )
    store = keystore or signing.store()
    try:
        key = store.key(kid)
        if key.revoked:
            raise signing.SigningError(f"签名密钥“{kid}”：已经撤销（{key.revoked}）")
    except signing.SigningError as exc:
        raise _refused(exc) from exc
    _audit(
        actor,
        f"撤销签名密钥{kid}（{key.scheme}）：{reason}。用该密钥签名的证书二维码一律无效",
        {"kid": kid, "reason": reason, "was_active": key.usable},
    )
    try:
        return store.revoke(kid, reason)
    except signing.SigningError as exc:
        raise _refused(exc) from exc
