"""Signing keys and signature schemes for the certificates' QR credentials.

Schemes are pluggable (``SCHEMES``):

- ``sm2``      SM2 digital signature (GB/T 32918.2) with the SM3 hash (GB/T 32905) over the
               recommended curve, the default user id "1234567812345678" (GB/T 35276), the
               signature r‖s (64 bytes). Implementation: ``gmalglib`` (C); checked in the
               tests against the published GB/T 32918 example and the independent
               pure-Python ``gmssl``.
- ``ed25519``  Ed25519 (RFC 8032) from ``cryptography``.

Keys live in ``$JIGONG_DATA_DIR/keys/`` (``settings.JIGONG_KEYS_DIR`` overrides it): per
key a public record ``<kid>.pub.json`` and a private ``<kid>.key.json`` (mode 0600).

Life cycle: the newest key that is neither retired nor revoked signs. Rotation retires it:
its private half is deleted and its public half stays published, vouching only for
credentials issued on or before its retirement day (``issued_until``, China Standard
Time), so a stolen retired key cannot vouch for a later certificate. Revocation (a
compromised key) deletes the private half and withdraws the public half from the
published document, which lists the key as revoked with the time and reason: it vouches
for nothing. ``published()`` is the document served at ``/verify/keys.json``: everything
an offline verifier needs.

This module does not import Django at import time; the audited acts that the ``jigong
keys`` command calls live in ``key_acts.py``.
"""

from __future__ import annotations

import base64
import dataclasses
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
# Issue dates are the issuer's calendar days: China Standard Time (no daylight saving).
ISSUER_TZ = datetime.timezone(datetime.timedelta(hours=8), "CST")


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
    public: bytes | None  # None: withheld because the key is revoked
    created: str
    retired: str | None = None  # ISO time (UTC)
    revoked: str | None = None  # ISO time (UTC)
    revoked_reason: str = ""

    @property
    def issued_until(self) -> datetime.date | None:
        """The last issue date a retired key vouches for: its retirement day (CST)."""
        if not self.retired:
            return None
        return _instant(self.retired).astimezone(ISSUER_TZ).date()

    @property
    def usable(self) -> bool:
        """May sign: neither retired nor revoked."""
        return not self.retired and not self.revoked

    def verify(self, message: bytes, signature: bytes) -> bool:
        if self.revoked or self.public is None:
            return False
        return scheme(self.scheme).verify(self.public, message, signature)

    def as_dict(self, *, published: bool = False) -> dict:
        """The key's record; ``published``: the entry of the public document, where a
        revoked key's public half is withheld."""
        d = {"kid": self.kid, "scheme": self.scheme}
        if self.public is not None and not (published and self.revoked):
            d["public_key"] = b64e(self.public)
        d["created"] = self.created
        d["retired"] = self.retired
        if published and self.issued_until:
            d["issued_until"] = self.issued_until.isoformat()
        if self.revoked:
            d["revoked"] = self.revoked
            d["revoked_reason"] = self.revoked_reason
        if self.scheme == SM2Scheme.name:
            d["uid"] = SM2_UID.decode()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> PublicKey:
        kid, name = str(d["kid"]), str(d["scheme"])
        if not KID.match(kid):
            raise SigningError(f"公钥编号“{kid}”：格式不符")
        scheme(name)
        revoked = d.get("revoked") or None
        if "public_key" not in d and not revoked:
            raise SigningError(f"公钥“{kid}”：缺少公钥")
        public = b64d(str(d["public_key"])) if "public_key" in d else None
        retired = d.get("retired") or None
        for label, value in (("停用", retired), ("撤销", revoked)):
            if value is not None:
                try:
                    _instant(str(value))
                except ValueError:
                    raise SigningError(f"公钥“{kid}”的{label}时间“{value}”：格式不符") from None
        return cls(
            kid,
            name,
            public,
            str(d["created"]),
            retired,
            revoked,
            str(d.get("revoked_reason") or ""),
        )


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

    def key(self, kid: str) -> PublicKey:
        found = self.public_keys().get(kid)
        if found is None:
            known = "、".join(self.public_keys()) or "无"
            raise SigningError(f"签名密钥“{kid}”：不存在（现有：{known}）")
        return found

    def active(self) -> PublicKey:
        live = [k for k in self.keys() if k.usable]
        if not live:
            if self.keys():
                raise SigningError(
                    "没有启用中的签名密钥（已全部停用或撤销）：请运行 jigong keys rotate 启用新密钥"
                )
            raise SigningError("尚未创建签名密钥：请先运行 jigong keys create")
        return live[-1]

    def published(self) -> dict:
        keys = self.keys()
        return {
            "issuer": ISSUER,
            "description": "技工院校毕业证书二维码签名公钥。二维码内容的格式与核验方法见 "
            "/verify/qr/。已停用（retired）的公钥只用于核验发证日期不晚于 issued_until "
            "（北京时间）的证书；已撤销（revoked）的公钥不再公布，其签名一律无效。",
            "active": next((k.kid for k in reversed(keys) if k.usable), None),
            "keys": [k.as_dict(published=True) for k in keys],
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
        if any(k.usable for k in self.keys()):
            raise SigningError("已有启用中的签名密钥：更换密钥请使用 jigong keys rotate")
        return self._new(scheme_name)

    def rotate(self, scheme_name: str | None = None) -> tuple[PublicKey | None, PublicKey]:
        """Retire the active key (its public half stays published for what it signed
        until today; its private half is deleted) and create a new signing key."""
        keys = self.keys()
        old = next((k for k in reversed(keys) if k.usable), None)
        previous = old or (keys[-1] if keys else None)
        new = self._new(scheme_name or (previous.scheme if previous else DEFAULT_SCHEME))
        if old is not None:
            retired = dataclasses.replace(old, retired=_now())
            self._write(self.folder / f"{old.kid}.pub.json", retired.as_dict(), 0o644, True)
            self._destroy_private(old.kid)
        return old, new

    def revoke(self, kid: str, reason: str) -> PublicKey:
        """Revoke a key: it vouches for nothing any more (withdrawn from the published
        document, listed as revoked); its private half is deleted. An active key is also
        retired: nothing signs until ``rotate``."""
        key = self.key(kid)
        if key.revoked:
            raise SigningError(f"签名密钥“{kid}”：已经撤销（{key.revoked}）")
        now = _now()
        revoked = dataclasses.replace(
            key, retired=key.retired or now, revoked=now, revoked_reason=reason
        )
        self._write(self.folder / f"{kid}.pub.json", revoked.as_dict(), 0o644, True)
        self._destroy_private(kid)
        return revoked

    def _destroy_private(self, kid: str) -> None:
        """Overwrite, then delete, a private key file no longer needed for signing."""
        path = self.folder / f"{kid}.key.json"
        try:
            size = path.stat().st_size
            with open(path, "r+b") as f:
                f.write(secrets.token_bytes(size))
                f.flush()
                os.fsync(f.fileno())
            path.unlink()
        except FileNotFoundError:
            pass

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


def _instant(text: str) -> datetime.datetime:
    """An ISO time of the key records (UTC when it names no offset)."""
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


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
