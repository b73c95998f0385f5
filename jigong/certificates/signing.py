"""Signing keys and signature schemes for the certificates' QR credentials.

Schemes are pluggable (``SCHEMES``):

- ``sm2``      SM2 digital signature (GB/T 32918.2) with the SM3 hash (GB/T 32905) over the
               recommended curve, the default user id "1234567812345678" (GB/T 35276), the
               signature r‖s (64 bytes). Implementation: ``gmalglib`` (C); checked in the
               tests against the published GB/T 32918 example and the independent
               pure-Python ``gmssl``.
- ``ed25519``  Ed25519 (RFC 8032) from ``cryptography``.

Keys live in ``$JIGONG_DATA_DIR/keys/`` (``settings.JIGONG_KEYS_DIR`` overrides it): per
key a public record ``<kid>.pub.json`` and a private ``<kid>.key.json`` (mode 0600). The
newest key that is not retired signs; rotation retires it but keeps it published, so
every credential ever signed still verifies under its key id. ``published()`` is the
document served at ``/verify/keys.json``: everything an offline verifier needs.

This module does not import Django at import time; ``key_create``/``key_rotate`` (the
audited operations the ``jigong keys`` command calls) do.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

SM2_UID = b"1234567812345678"
KID = re.compile(r"^[A-Z][0-9]{1,6}$")
ISSUER = "重庆市人力资源和社会保障局"


class SigningError(Exception):
    """A key store or signature problem; ``message`` is Chinese, for users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- schemes ----------------------------------------------------------------------


class SM2Scheme:
    name = "sm2"
    label = "SM2/SM3（GB/T 32918、GB/T 32905）"
    prefix = "S"
    signature_length = 64

    @staticmethod
    def generate() -> bytes:
        from gmalglib.sm2 import SM2

        while True:
            sk = secrets.token_bytes(32)
            if SM2.is_sk_valid(sk):
                return sk

    @staticmethod
    def public_of(private: bytes) -> bytes:
        from gmalglib.sm2 import SM2

        return SM2.get_pk(private)  # 65 bytes: 04 ‖ x ‖ y

    @staticmethod
    def sign(private: bytes, message: bytes) -> bytes:
        from gmalglib.sm2 import SM2

        return SM2(private, uid=SM2_UID, rnd_fn=secrets.token_bytes).sign(message)

    @staticmethod
    def verify(public: bytes, message: bytes, signature: bytes) -> bool:
        from gmalglib.sm2 import SM2

        if len(signature) != SM2Scheme.signature_length or not SM2.is_pk_valid(public):
            return False
        try:
            return bool(SM2(pk=public, uid=SM2_UID).verify(message, signature))
        except (ValueError, TypeError):
            return False


class Ed25519Scheme:
    name = "ed25519"
    label = "Ed25519（RFC 8032）"
    prefix = "E"
    signature_length = 64

    @staticmethod
    def generate() -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @staticmethod
    def public_of(private: bytes) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return (
            Ed25519PrivateKey.from_private_bytes(private)
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    @staticmethod
    def sign(private: bytes, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(private).sign(message)

    @staticmethod
    def verify(public: bytes, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if len(signature) != Ed25519Scheme.signature_length:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


SCHEMES = {s.name: s for s in (SM2Scheme, Ed25519Scheme)}
DEFAULT_SCHEME = "sm2"


def scheme(name: str):
    try:
        return SCHEMES[name]
    except KeyError:
        known = "、".join(SCHEMES)
        raise SigningError(f"签名算法“{name}”：不支持，可选 {known}") from None


# --- keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    kid: str
    scheme: str
    public: bytes
    created: str
    retired: str | None = None

    def verify(self, message: bytes, signature: bytes) -> bool:
        return scheme(self.scheme).verify(self.public, message, signature)

    def as_dict(self) -> dict:
        d = {
            "kid": self.kid,
            "scheme": self.scheme,
            "public_key": b64e(self.public),
            "created": self.created,
            "retired": self.retired,
        }
        if self.scheme == SM2Scheme.name:
            d["uid"] = SM2_UID.decode()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> PublicKey:
        kid, name = str(d["kid"]), str(d["scheme"])
        if not KID.match(kid):
            raise SigningError(f"公钥编号“{kid}”：格式不符")
        scheme(name)
        return cls(kid, name, b64d(str(d["public_key"])), str(d["created"]), d.get("retired"))


def published_keys(document: dict) -> dict[str, PublicKey]:
    """{kid: key} from a published keys document (``/verify/keys.json``)."""
    try:
        keys = [PublicKey.from_dict(k) for k in document["keys"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise SigningError(f"公钥文件格式不符：{exc}") from exc
    return {k.kid: k for k in keys}


class Signer:
    def __init__(self, key: PublicKey, private: bytes):
        self.key = key
        self.kid = key.kid
        self._scheme = scheme(key.scheme)
        self._private = private

    def sign(self, message: bytes) -> bytes:
        return self._scheme.sign(self._private, message)


class KeyStore:
    """The signing keys in one folder."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    # reading

    def keys(self) -> list[PublicKey]:
        """Every key, oldest first."""
        if not self.folder.is_dir():
            return []
        keys = []
        for f in self.folder.glob("*.pub.json"):
            keys.append(PublicKey.from_dict(json.loads(f.read_text(encoding="utf-8"))))
        return sorted(keys, key=lambda k: (k.created, int(k.kid[1:])))

    def public_keys(self) -> dict[str, PublicKey]:
        return {k.kid: k for k in self.keys()}

    def active(self) -> PublicKey:
        live = [k for k in self.keys() if not k.retired]
        if not live:
            raise SigningError("尚未创建签名密钥：请先运行 jigong keys create")
        return live[-1]

    def published(self) -> dict:
        keys = self.keys()
        return {
            "issuer": ISSUER,
            "description": "技工院校毕业证书二维码签名公钥。二维码内容的格式与核验方法见 "
            "/verify/qr/；已停用（retired）的公钥仍用于核验其签发的证书。",
            "active": next((k.kid for k in reversed(keys) if not k.retired), None),
            "keys": [k.as_dict() for k in keys],
        }

    def signer(self) -> Signer:
        """The active key, loaded once for a batch of signatures."""
        key = self.active()
        return Signer(key, self._private(key.kid))

    def _private(self, kid: str) -> bytes:
        path = self.folder / f"{kid}.key.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SigningError(f"签名密钥“{kid}”的私钥文件不存在：{path}") from None
        return b64d(data["private_key"])

    # writing

    def create(self, scheme_name: str = DEFAULT_SCHEME) -> PublicKey:
        """A new key, which becomes the signing key. Refused while another key is
        active (that is a rotation)."""
        if any(not k.retired for k in self.keys()):
            raise SigningError("已有启用中的签名密钥：更换密钥请使用 jigong keys rotate")
        return self._new(scheme_name)

    def rotate(self, scheme_name: str | None = None) -> tuple[PublicKey | None, PublicKey]:
        """Retire the active key (it stays published) and create a new signing key."""
        old = next((k for k in reversed(self.keys()) if not k.retired), None)
        new = self._new(scheme_name or (old.scheme if old else DEFAULT_SCHEME))
        if old is not None:
            retired = PublicKey(old.kid, old.scheme, old.public, old.created, _now())
            self._write(self.folder / f"{old.kid}.pub.json", retired.as_dict(), 0o644, True)
        return old, new

    def _new(self, scheme_name: str) -> PublicKey:
        s = scheme(scheme_name)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        serial = max((int(k.kid[1:]) for k in self.keys()), default=0) + 1
        kid = f"{s.prefix}{serial}"
        private = s.generate()
        key = PublicKey(kid, s.name, s.public_of(private), _now())
        self._write(
            self.folder / f"{kid}.key.json",
            {"kid": kid, "scheme": s.name, "private_key": b64e(private)},
            0o600,
        )
        self._write(self.folder / f"{kid}.pub.json", key.as_dict(), 0o644)
        return key

    @staticmethod
    def _write(path: Path, data: dict, mode: int, replace: bool = False) -> None:
        """Write a file with its mode from the start (never world-readable first)."""
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        if not replace and path.exists():
            tmp.unlink()
            raise SigningError(f"密钥文件已存在：{path}")
        os.replace(tmp, path)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def store() -> KeyStore:
    """The platform's key store: ``settings.JIGONG_KEYS_DIR`` or the environment's
    ``JIGONG_KEYS_DIR``, by default ``$JIGONG_DATA_DIR/keys``."""
    from django.conf import settings

    folder = (
        getattr(settings, "JIGONG_KEYS_DIR", None)
        or os.environ.get("JIGONG_KEYS_DIR")
        or Path(settings.DATA_DIR) / "keys"
    )
    return KeyStore(folder)


# --- audited operations -------------------------------------------------------------


def _audit(actor, message: str, after: dict) -> None:
    from jigong.core.models import AuditLog
    from jigong.core.services import audit

    audit(
        actor,
        AuditLog.Action.OTHER,
        object_type="certificates.signingkey",
        after=after,
        message=message,
    )


def key_create(*, actor, scheme_name: str = DEFAULT_SCHEME, keystore: KeyStore | None = None):
    key = (keystore or store()).create(scheme_name)
    _audit(actor, f"创建签名密钥{key.kid}（{key.scheme}）", key.as_dict())
    return key


def key_rotate(*, actor, scheme_name: str | None = None, keystore: KeyStore | None = None):
    old, new = (keystore or store()).rotate(scheme_name)
    text = f"更换签名密钥：启用{new.kid}（{new.scheme}）"
    if old is not None:
        text += f"，停用{old.kid}（仍公布用于核验）"
    _audit(actor, text, {"new": new.as_dict(), "retired": old.kid if old else None})
    return old, new
