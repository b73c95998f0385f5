"""Personal data: ID numbers at rest, sealed (AES-256-GCM) and findable by a keyed hash
(HMAC-SHA256); and the one masking module for ID numbers, names and birth dates
(``mask_id``, ``mask_text``, ``mask_name``, ``mask_birth_date``; below).

The one accessor for personal ID numbers. A model declares

    id_number_enc = pii.SealedField(...)     # version ‖ key id ‖ nonce ‖ ciphertext+tag
    id_number_hmac = pii.DigestField(...)    # HMAC-SHA256 of the normalised number
    id_number = pii.Sealed("students.person.id_number")

and keeps reading and writing ``obj.id_number``; lookups go through the digest
(``filter(id_number_hmac=pii.digest(x))``). The associated data of each seal is the
column's name, so a sealed value cannot be moved to another column.

Keys: ``JIGONG_PII_KEY`` (32 random bytes, base64) with ``JIGONG_PII_KEYS_OLD``
(retired keys, comma-separated); otherwise the file ``pii.key`` in the key folder
(``jigong.core.backup.keys_dir()``, carried by ``jigong backup``): one base64 key a
line, the first is current, the others retired. The file is created (0600) on first
use, unless the database already holds sealed values — then a missing key is an error,
never a silent new key. Each master key derives (HKDF-SHA256) an AES key, an HMAC key
and a 4-byte key id written into every blob, so values sealed under a retired key
still open; ``jigong pii rotate`` re-seals and re-hashes them under the current key.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import itertools
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models
from django.utils.translation import gettext_lazy as _

VERSION = 1
KEY_FILE = "pii.key"
ENV_KEY = "JIGONG_PII_KEY"
ENV_OLD = "JIGONG_PII_KEYS_OLD"
_NONCE = 12
_HEADER = 1 + 4 + _NONCE


class PIIError(Exception):
    """A key is missing or wrong, or a sealed value is damaged (message in Chinese)."""


@dataclass(frozen=True)
class Key:
    kid: bytes  # 4 bytes, written into every blob
    aead: AESGCM
    mac: bytes
    # HMAC-SHA256 with the key's padded inner and outer hash states computed once
    # (RFC 2104): twice as fast as hmac.digest() per value, same result.
    inner: object = None
    outer: object = None

    def hmac(self, data: bytes) -> bytes:
        i = self.inner.copy()
        i.update(data)
        o = self.outer.copy()
        o.update(i.digest())
        return o.digest()

    @classmethod
    def from_master(cls, master: bytes) -> Key:
        if len(master) != 32:
            raise PIIError(
                _("身份证号加密密钥应为32字节（base64 编码），实际为%d字节") % len(master)
            )
        okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=b"jigong pii v1").derive(
            master
        )
        kid = hashlib.sha256(b"jigong pii kid\x00" + master).digest()[:4]
        mac = okm[32:].ljust(64, b"\0")
        return cls(
            kid=kid,
            aead=AESGCM(okm[:32]),
            mac=okm[32:],
            inner=hashlib.sha256(bytes(b ^ 0x36 for b in mac)),
            outer=hashlib.sha256(bytes(b ^ 0x5C for b in mac)),
        )


@dataclass(frozen=True)
class Keyring:
    current: Key
    by_kid: dict
    source: str
    masters: tuple = ()  # base64, current first (to hand to a subprocess)

    @property
    def all(self) -> list[Key]:
        return [self.current] + [k for k in self.by_kid.values() if k is not self.current]


def new_master() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _decode(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise PIIError(_("身份证号加密密钥（%s）不是有效的 base64") % where) from exc


def key_file() -> Path:
    from jigong.core.backup import keys_dir

    return keys_dir() / KEY_FILE


def _ring(masters: list[bytes], source: str) -> Keyring:
    keys = [Key.from_master(m) for m in masters]
    by_kid: dict = {}
    for k in keys:
        by_kid.setdefault(k.kid, k)
    encoded = tuple(base64.b64encode(m).decode() for m in masters)
    return Keyring(current=keys[0], by_kid=by_kid, source=source, masters=encoded)


def _read_file(path: Path) -> list[bytes]:
    lines = [ln.strip() for ln in path.read_text(encoding="ascii").splitlines()]
    masters = [_decode(ln, str(path)) for ln in lines if ln and not ln.startswith("#")]
    if not masters:
        raise PIIError(_("身份证号加密密钥文件 %s 是空的") % path)
    return masters


def write_key_file(path: Path, masters: list[str]) -> None:
    """Write the key file atomically, mode 0600 (first line: the current key)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write("\n".join(masters) + "\n")
    os.replace(tmp, path)


def _sealed_rows_exist() -> bool:
    """Whether any sealed column holds a value (columns not migrated yet are skipped)."""
    from django.apps import apps
    from django.db import connection

    intro = connection.introspection
    with connection.cursor() as cur:
        tables = set(intro.table_names(cur))
        for model in apps.get_models():
            table = model._meta.db_table
            names = getattr(model, "pii_fields", {})
            if not names or table not in tables:
                continue
            columns = {c.name for c in intro.get_table_description(cur, table)}
            for name in names:
                if f"{name}_enc" in columns and (
                    model._base_manager.exclude(**{f"{name}_enc": b""}).exists()
                ):
                    return True
    return False


def _create_key_file(path: Path) -> None:
    if _sealed_rows_exist():
        raise PIIError(
            _(
                "找不到身份证号加密密钥文件 %s，但数据库中已有加密的身份证号："
                "请从备份恢复该密钥文件或设置 JIGONG_PII_KEY（不会自动生成新密钥）"
            )
            % path
        )
    # Several processes may start on a fresh site at once: the first link wins and
    # everyone reads the file that is there.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    write_key_file(tmp, [new_master()])
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


_lock = threading.Lock()
_cache: dict = {"sig": None, "ring": None, "checked": 0.0}


def keyring(*, create: bool = True) -> Keyring:
    """The current key and the retired ones; re-read when the source changes (the
    file's modification time is looked at most once a second)."""
    env, old = os.environ.get(ENV_KEY, ""), os.environ.get(ENV_OLD, "")
    if env:
        sig = ("env", env, old)
        if _cache["sig"] == sig:
            return _cache["ring"]
        masters = [_decode(env, ENV_KEY)] + [
            _decode(k, ENV_OLD) for k in old.replace(" ", ",").split(",") if k
        ]
        ring = _ring(masters, ENV_KEY)
        _cache.update(sig=sig, ring=ring)
        return ring
    # Within the second, the settings the path is made of are compared, not the path
    # itself (building it costs more than the rest of opening a value).
    from django.conf import settings

    where = (getattr(settings, "JIGONG_KEYS_DIR", None), settings.DATA_DIR)
    now = time.monotonic()
    cached = _cache["sig"]
    fresh = now - _cache["checked"] < 1
    if fresh and cached and cached[0] == "file" and _cache.get("where") == where:
        return _cache["ring"]
    path = key_file()
    with _lock:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            if not create:
                raise PIIError(_("找不到身份证号加密密钥文件 %s") % path) from None
            _create_key_file(path)
            mtime = path.stat().st_mtime_ns
        sig = ("file", path, mtime)
        if _cache["sig"] != sig:
            _cache.update(sig=sig, ring=_ring(_read_file(path), str(path)))
        _cache.update(checked=now, where=where)
        return _cache["ring"]


def reset() -> None:
    """Forget the cached keys (after a rotation, or a test changing the key)."""
    _cache.update(sig=None, ring=None, checked=0.0, where=None)


# --- the four operations --------------------------------------------------------------


def normalise(id_number: str) -> str:
    return (id_number or "").strip().upper()


def seal(id_number: str, column: str, *, key: Key | None = None) -> bytes:
    """``version(1) ‖ key id(4) ‖ nonce(12) ‖ AES-256-GCM(ciphertext ‖ tag)``; the
    associated data is ``column`` ("students.person.id_number")."""
    k = key or keyring().current
    nonce = os.urandom(_NONCE)
    return (
        bytes((VERSION,))
        + k.kid
        + nonce
        + k.aead.encrypt(nonce, normalise(id_number).encode(), column.encode())
    )


def open_(blob, column: str) -> str:
    """The plain ID number of a sealed value; PIIError if no key fits or it was altered."""
    if not blob:
        return ""
    blob = bytes(blob)
    if blob[0] != VERSION or len(blob) < _HEADER + 16:
        raise PIIError(_("加密的身份证号格式无法识别（版本 %d）") % blob[0])
    ring = keyring(create=False)
    key = ring.by_kid.get(blob[1:5])
    if key is None:
        raise PIIError(
            _("身份证号由另一个密钥加密（密钥编号 %(kid)s），当前密钥来源：%(src)s")
            % {"kid": blob[1:5].hex(), "src": ring.source}
        )
    try:
        return key.aead.decrypt(blob[5:_HEADER], blob[_HEADER:], column.encode()).decode()
    except InvalidTag as exc:
        raise PIIError(_("加密的身份证号无法解密：密钥不符或数据已被改动")) from exc


def seal_bytes(data: bytes, column: str) -> bytes:
    """``seal`` for bytes as they are (a file holding ID numbers, a TOTP secret): the
    same layout, key ring and associated data, nothing normalised."""
    k = keyring().current
    nonce = os.urandom(_NONCE)
    return bytes((VERSION,)) + k.kid + nonce + k.aead.encrypt(nonce, bytes(data), column.encode())


def open_bytes(blob, column: str) -> bytes:
    """The bytes sealed by ``seal_bytes``; PIIError if no key fits or it was altered."""
    blob = bytes(blob or b"")
    if not blob:
        return b""
    if blob[0] != VERSION or len(blob) < _HEADER + 16:
        raise PIIError(_("加密数据格式无法识别（版本 %d）") % blob[0])
    ring = keyring(create=False)
    key = ring.by_kid.get(blob[1:5])
    if key is None:
        raise PIIError(
            _("数据由另一个密钥加密（密钥编号 %(kid)s），当前密钥来源：%(src)s")
            % {"kid": blob[1:5].hex(), "src": ring.source}
        )
    try:
        return key.aead.decrypt(blob[5:_HEADER], blob[_HEADER:], column.encode())
    except InvalidTag as exc:
        raise PIIError(_("加密数据无法解密：密钥不符或数据已被改动")) from exc


_PART = 1 << 20  # plaintext bytes per sealed part of a file


def seal_file(chunks, out, column: str) -> int:
    """Seal a stream (an upload's chunks) into the binary file ``out`` in parts of at
    most 1 MiB, so neither side holds the file in memory: each part is a 4-byte length
    and ``seal_bytes`` of a flag byte and the data, its associated data the column and
    the part's index; the last part is flagged, so a cut file does not open. Returns the
    plaintext size."""
    n = size = 0

    def part(flag: bytes, data: bytes) -> None:
        nonlocal n
        blob = seal_bytes(flag + data, f"{column}\x00{n}")
        out.write(len(blob).to_bytes(4, "big") + blob)
        n += 1

    for chunk in chunks:
        for i in range(0, len(chunk), _PART):
            piece = bytes(chunk[i : i + _PART])
            size += len(piece)
            part(b"\x00", piece)
    part(b"\x01", b"")
    return size


def open_file(src, out, column: str) -> None:
    """Write the plaintext of a file sealed by ``seal_file`` from ``src`` into ``out``;
    PIIError if a part is altered, missing or the file is cut."""
    n = 0
    while True:
        head = src.read(4)
        if len(head) < 4:
            raise PIIError(_("加密文件不完整"))
        blob = src.read(int.from_bytes(head, "big"))
        plain = open_bytes(blob, f"{column}\x00{n}")
        n += 1
        if plain[:1] == b"\x01":
            return
        out.write(plain[1:])


def opener(column: str):
    """A fast ``open_`` for bulk paths (exports): the key ring is looked up once, not
    per value (that lookup cost ten times the decryption itself). Same results and
    errors as ``open_``."""
    ad, decrypt_errors = column.encode(), InvalidTag
    by_kid: dict = {}  # filled on the first value: an empty export needs no key

    def run(blob) -> str:
        if not blob:
            return ""
        blob = bytes(blob)
        key = by_kid.get(blob[1:5])
        if key is None and not by_kid:
            by_kid.update(keyring(create=False).by_kid)
            key = by_kid.get(blob[1:5])
        if key is None or blob[0] != VERSION or len(blob) < _HEADER + 16:
            return open_(blob, column)  # the error, worded as open_ words it
        try:
            return key.aead.decrypt(blob[5:_HEADER], blob[_HEADER:], ad).decode()
        except decrypt_errors as exc:
            raise PIIError(_("加密的身份证号无法解密：密钥不符或数据已被改动")) from exc

    return run


def digest(id_number: str, *, key: Key | None = None) -> bytes:
    """HMAC-SHA256 of the normalised number under the current key (32 bytes)."""
    return (key or keyring().current).hmac(normalise(id_number).encode())


def digester(key: Key | None = None):
    """A fast ``digest`` for bulk paths: one key lookup for many values."""
    k = key or keyring().current
    inner, outer = k.inner.copy, k.outer.copy

    def run(n: str) -> bytes:
        i = inner()
        i.update(n.strip().upper().encode())
        o = outer()
        o.update(i.digest())
        return o.digest()

    return run


def sealer(column: str, key: Key | None = None):
    """A fast ``seal`` for bulk paths (same blob layout as ``seal``). Nonces count up
    from a random 96-bit start: unique within this sealer, and two sealers' ranges
    overlap with negligible probability (as for random nonces), without a system call
    per value."""
    k = key or keyring().current
    head, enc, ad = bytes((VERSION,)) + k.kid, k.aead.encrypt, column.encode()
    counter = itertools.count(int.from_bytes(os.urandom(_NONCE), "big"))
    mask96 = (1 << 96) - 1

    def run(n: str) -> bytes:
        nonce = (next(counter) & mask96).to_bytes(_NONCE, "big")
        return head + nonce + enc(nonce, n.strip().upper().encode(), ad)

    return run


def seal_all(column: str, numbers, key: Key | None = None) -> tuple[list, list]:
    """``([sealer(column)(n) …], [digester()(n) …])`` for bulk writers (the demo seals a
    million numbers): one key lookup, each number normalised once, no call per number.
    Same blob layout, nonces (counting up from a random start) and keyed hashes as the
    two separately."""
    k = key or keyring().current
    head, enc, ad = bytes((VERSION,)) + k.kid, k.aead.encrypt, column.encode()
    mask96 = (1 << 96) - 1
    inner, outer = k.inner.copy, k.outer.copy
    blobs: list[bytes] = []
    macs: list[bytes] = []
    add_blob, add_mac = blobs.append, macs.append
    for count, n in enumerate(numbers, int.from_bytes(os.urandom(_NONCE), "big")):
        plain = n.strip().upper().encode()
        nonce = (count & mask96).to_bytes(_NONCE, "big")
        i = inner()
        i.update(plain)
        o = outer()
        o.update(i.digest())
        add_blob(head + nonce + enc(nonce, plain, ad))
        add_mac(o.digest())
    return blobs, macs


# --- masking: the one rule per kind --------------------------------------------------
#
# Every page, export, log line, error message, audit page and public answer masks with
# these functions; no other module of jigong/ masks on its own (tests/masking).
#
# - ID number, as a value: the first 4 and last 4 characters kept, each one between as
#   '*' (500103200705011234 → 5001**********1234, the 15-digit old number
#   500103870501123 → 5001*******1123); 8 characters or fewer: all '*'.
# - ID numbers inside free text: a run of exactly 18 characters (17 digits, then a digit
#   or X/x) or exactly 15 digits (the first-generation card), not glued to another
#   letter or digit, masked as a value. 16 or 17 digits is no ID number's length (and a
#   17-character certificate number stays readable). Full-width digits count as digits.
# - Name: 张*明 — the first and last character kept, 李* for two characters, * for one.
# - Birth date: the year only, 2007年 (what age statistics need).

_D = "0-9０-９"
_ID_IN_TEXT = re.compile(
    rf"(?<![{_D}A-Za-zＡ-Ｚａ-ｚ])"
    rf"(?:[{_D}]{{17}}[{_D}XxＸｘ]|[{_D}]{{15}})"
    rf"(?![{_D}A-Za-zＡ-Ｚａ-ｚ])"
)


def mask_id(id_number: str | None) -> str:
    """500103200705011234 → 5001**********1234 (first 4, last 4 kept)."""
    number = str(id_number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_text(text) -> str:
    """Free text (a message, a log line, an import error's value) with every ID number
    in it masked as ``mask_id`` masks a value."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m[0]), str(text or ""))


def mask_name(name: str | None) -> str:
    """张晓明 → 张*明, 李明 → 李*, 欧阳小明 → 欧**明."""
    name = str(name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_birth_date(value) -> str:
    """2007-05-01 (a date or its ISO text) → 2007年."""
    from django.utils.translation import gettext

    if isinstance(value, datetime.date):
        return gettext("%(y)s年") % {"y": value.year}
    text = str(value or "").strip()
    if len(text) >= 4 and text[:4].isdigit():
        return gettext("%(y)s年") % {"y": text[:4]}
    return "*" * len(text)


MASKS = {"name": mask_name, "id": mask_id, "birth": mask_birth_date}


def personal_fields(model) -> dict[str, str]:
    """{field or attribute name → mask kind} of a model's personal data: its sealed ID
    numbers (the plain name and the sealed column), the names of persons it declares in
    ``pii_names`` and its birth dates (a field named ``birth_date`` or ``*_birth_date``).
    The keyed hash (``*_hmac``) is not personal data shown: it reveals nothing."""
    kinds: dict[str, str] = {}
    for name, sealed in getattr(model, "pii_fields", {}).items():
        kinds[name] = kinds[sealed.enc] = "id"
    for name in getattr(model, "pii_names", ()):
        kinds[name] = "name"
    for f in model._meta.concrete_fields:
        if f.name == "birth_date" or f.name.endswith("_birth_date"):
            kinds[f.attname] = "birth"
    return kinds


def mask_values(model, values):
    """A record's values as stored (an audit row's before/after): the personal fields of
    ``model`` (None: unknown) masked by kind, ID numbers in any other text masked."""
    if not isinstance(values, dict):
        return _mask_any(values)
    kinds = personal_fields(model) if model is not None else {}
    return {
        k: MASKS[kinds[k]](v) if k in kinds and v not in (None, "") else _mask_any(v)
        for k, v in values.items()
    }


def _mask_any(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list | tuple):
        return [_mask_any(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_any(v) for k, v in value.items()}
    return value


def mask_label(text, model=None, values=()) -> str:
    """A record's label as stored (an audit row's object_repr): ID numbers masked; the
    names of persons among ``values`` (the row's before/after) masked wherever they
    occur; for a model declaring ``pii_names``, whose label starts with the person's name
    (its ``__str__``), the leading name up to a space or bracket masked too."""
    text = mask_text(text)
    if model is None:
        return text
    kinds = personal_fields(model)
    names = {
        v
        for d in values
        if isinstance(d, dict)
        for k, v in d.items()
        if kinds.get(k) == "name" and isinstance(v, str) and v.strip()
    }
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    if getattr(model, "pii_names", ()):
        lead = re.match(r"[^\s（(]+", text)
        if lead and "*" not in lead[0]:
            text = mask_name(lead[0]) + text[lead.end() :]
    return text


# --- model fields and the property ------------------------------------------------------


class _PlainLinkedField(models.BinaryField):
    """A binary column derived from the plain value held by the property ``plain``."""

    def __init__(self, *args, plain: str = "", **kwargs):
        self.plain = plain
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", b"")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain"] = self.plain
        if kwargs.get("default") == b"":
            del kwargs["default"]
        return name, path, args, kwargs


class SealedField(_PlainLinkedField):
    """The sealed ID number. Audit rows record it masked, never in plain text."""

    def audit_value(self, obj) -> str:
        return mask_id(getattr(obj, self.plain)) if self.plain else ""


class DigestField(_PlainLinkedField):
    """The keyed hash of the ID number (lookups, uniqueness). Audit rows record its hex;
    a duplicate-key message shows the masked number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def audit_value(self, obj) -> str:
        return bytes(getattr(obj, self.attname) or b"").hex()

    def shown(self, obj) -> str:
        return mask_id(getattr(obj, self.plain)) if self.plain else ""


class Sealed(property):
    """``obj.<name>`` opens ``<name>_enc``; writing it seals and hashes. A real
    ``property``, so ``Model(<name>=…)`` works."""

    def __init__(self, column: str):
        self.column = column
        super().__init__(self._get, self._set)

    def __set_name__(self, owner, name):
        self.name, self.enc, self.hmac = name, f"{name}_enc", f"{name}_hmac"
        owner.pii_fields = {**getattr(owner, "pii_fields", {}), name: self}

    def _get(self, obj) -> str:
        # getattr: a deferred column is loaded; the plain value is not kept on the
        # instance (a pickled or cached instance holds only the sealed value).
        blob = obj.__dict__[self.enc] if self.enc in obj.__dict__ else getattr(obj, self.enc)
        return open_(blob, self.column) if blob else ""

    def _set(self, obj, value) -> None:
        value = normalise(value)
        if not value:
            obj.__dict__[self.enc] = obj.__dict__[self.hmac] = b""
            return
        d = digest(value)
        if obj.__dict__.get(self.hmac) == d:
            return  # unchanged: no new nonce, no spurious audit change
        obj.__dict__[self.enc], obj.__dict__[self.hmac] = seal(value, self.column), d


def sealed_columns(model) -> dict:
    """{plain name → (enc attname, hmac attname, column label)} of a model."""
    return {n: (s.enc, s.hmac, s.column) for n, s in getattr(model, "pii_fields", {}).items()}


def sealed_path(model, path: str):
    """For a "__" path ending at a Sealed property ("person__id_number"), the paths of
    its sealed and hashed columns and the associated data; None for any other path."""
    parts = path.split("__")
    for part in parts[:-1]:
        try:
            f = model._meta.get_field(part)
        except Exception:
            return None
        model = f.related_model
        if model is None:
            return None
    sealed = getattr(model, "pii_fields", {}).get(parts[-1])
    if sealed is None:
        return None
    return SealedPath(
        "__".join([*parts[:-1], sealed.enc]), "__".join([*parts[:-1], sealed.hmac]), sealed.column
    )


@dataclass(frozen=True)
class SealedPath:
    enc: str  # "person__id_number_enc"
    hmac: str  # "person__id_number_hmac"
    column: str  # associated data


def values_list(qs, *paths, flat: bool = False):
    """``qs.values_list(*paths)`` where paths may end at a sealed ID number (opened)."""
    lookups, opens = [], []
    for i, p in enumerate(paths):
        found = sealed_path(qs.model, p)
        if found:
            lookups.append(found.enc)
            opens.append((i, found.column))
        else:
            lookups.append(p)
    rows = qs.values_list(*lookups, flat=flat)
    if not opens:
        return rows
    return _Opened(rows, opens, flat)


class _Opened:
    """Rows of a values_list with the sealed columns opened (supports iterator())."""

    def __init__(self, rows, opens, flat=False):
        self.rows, self.opens, self.flat = rows, opens, flat

    def _open(self, it):
        opens = [(i, opener(column)) for i, column in self.opens]
        if self.flat:
            run = opens[0][1]
            for value in it:
                yield run(value)
            return
        for row in it:
            row = list(row)
            for i, run in opens:
                row[i] = run(row[i])
            yield tuple(row)

    def __iter__(self):
        return self._open(iter(self.rows))

    def iterator(self, chunk_size=None):
        return self._open(self.rows.iterator(chunk_size=chunk_size))


# --- check and rotate -------------------------------------------------------------------


def sealed_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if getattr(m, "pii_fields", None)]


@dataclass
class Count:
    label: str  # "students.Person.id_number"
    rows: int = 0
    ok: int = 0
    old_key: int = 0  # opened with a retired key
    failed: list = None  # [(pk, reason)], at most 20

    def __post_init__(self):
        self.failed = self.failed or []


def check(*, chunk: int = 5000) -> list[Count]:
    """Every sealed value opens and its keyed hash matches (counts per column)."""
    ring = keyring(create=False)
    out = []
    for model in sealed_models():
        for name, s in model.pii_fields.items():
            c = Count(f"{model._meta.label}.{name}")
            bad = 0
            qs = model._base_manager.order_by("pk").values_list("pk", s.enc, s.hmac)
            for pk, blob, mac in qs.iterator(chunk_size=chunk):
                c.rows += 1
                try:
                    plain = open_(blob, s.column)
                except PIIError as exc:
                    reason = str(exc)
                else:
                    if not plain:
                        reason = _("加密值为空")
                    elif digest(plain) != bytes(mac or b""):
                        reason = _("散列值与身份证号不符")
                    else:
                        c.ok += 1
                        c.old_key += bytes(blob)[1:5] != ring.current.kid
                        continue
                bad += 1
                if len(c.failed) < 20:
                    c.failed.append((pk, reason))
            out.append(c)
    return out


def rotate(*, chunk: int = 5000) -> tuple[str, dict]:
    """A new current key: every value re-sealed and re-hashed with it in one
    transaction; the old keys stay in the file (old backups need them). Only for the
    key file (keys from the environment are rotated by changing the environment)."""
    from django.db import connection, transaction

    if os.environ.get(ENV_KEY):
        raise PIIError(
            _("密钥来自环境变量 %s：请生成新密钥，把原密钥移入 %s 后运行本命令")
            % (ENV_KEY, ENV_OLD)
        )
    path = key_file()
    old = keyring(create=False)
    master = new_master()
    new = Key.from_master(base64.b64decode(master))
    counts: dict = {}
    qn = connection.ops.quote_name
    with transaction.atomic():
        for model in sealed_models():
            table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
            for name, s in model.pii_fields.items():
                enc_col = qn(model._meta.get_field(s.enc).column)
                mac_col = qn(model._meta.get_field(s.hmac).column)
                sql = f"UPDATE {table} SET {enc_col} = %s, {mac_col} = %s WHERE {pk} = %s"
                seal_, digest_ = sealer(s.column, new), digester(new)
                n, last = 0, None
                base = model._base_manager.order_by("pk").values_list("pk", s.enc)
                while True:
                    part = base.filter(pk__gt=last) if last is not None else base
                    rows = list(part[:chunk])
                    if not rows:
                        break
                    params = []
                    for key, blob in rows:
                        plain = open_(blob, s.column)
                        params.append((seal_(plain), digest_(plain), key))
                    with connection.cursor() as cur:
                        cur.executemany(sql, params)
                    n += len(rows)
                    last = rows[-1][0]
                counts[f"{model._meta.label}.{name}"] = n
        # Inside the transaction: if the commit fails, the old key is still in the file
        # (values open) and running the rotation again makes the hashes match again.
        write_key_file(path, [master, *old.masters])
        reset()
    return new.kid.hex(), counts
