"""The signed credential carried by a certificate's QR code.

Text form: ``JG`` followed by unpadded RFC 4648 base32 of the bytes below, all upper case,
so the QR code uses its compact alphanumeric mode and the text survives URLs, e-mail and
typing (about 160 characters for a 17-character certificate number)::

    1      version (1)
    1+n    key id (ASCII, e.g. "S1")
    1+n    certificate number (ASCII); it carries the year, school code and class level
    1+n    holder's name, masked (UTF-8, e.g. 张*明)
    1      outcome: 1 毕业, 2 结业
    2      issue date, days since 2000-01-01 (big-endian)
    rest   signature

The signature covers ``DOMAIN`` followed by every byte before it. Anyone can check a
payload offline with the published keys (``/verify/keys.json``): ``verify(text, keys)``.

Printed, the QR code carries an address a phone opens: the platform's verification page
with the payload as ``?p=`` (``address``), e.g. ``https://host/verify/qr/?p=JG…``; the
address is the transport, the signature covers only the credential, so ``verify`` accepts
the address or the bare payload alike (certificates printed before carry ``JG…``). The
code is two segments (``segments``): the address in byte mode, the payload in
alphanumeric mode, so the code stays small: version 8–9 at level M for a 20–30 character
host (about 34–36 mm printed), where byte mode alone needs version 10 (39 mm).
Pure Python: no Django.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import re
from dataclasses import dataclass

from jigong.certificates import numbering
from jigong.certificates.signing import PublicKey, Signer

PREFIX = "JG"
VERSION = 1
DOMAIN = b"jigong:graduation-certificate:v1\x00"
EPOCH = datetime.date(2000, 1, 1)
OUTCOMES = {"graduated": 1, "completed": 2}
OUTCOME_CODES = {v: k for k, v in OUTCOMES.items()}
OUTCOME_LABELS = {"graduated": "毕业", "completed": "结业"}
LEVEL_LABELS = {
    "intermediate": "中级工班",
    "advanced": "高级工班",
    "technician": "预备技师（技师）班",
}
MAX_TEXT = 400  # longer input is refused before decoding
VERIFY_PATH = "/verify/qr/"  # public.urls: the page that opens a scanned address
_URL_PARAM = re.compile(r"[?&]p=([A-Za-z2-7]+)")
_ADDRESS = re.compile(r"^(.*[?&]p=)(JG[A-Z2-7]+)$", re.S)


class PayloadError(ValueError):
    """A payload that cannot be accepted; ``message`` is Chinese and says why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        # "malformed", "unknown_key", "revoked_key", "retired_key", "bad_signature"
        self.reason = reason


@dataclass(frozen=True)
class Credential:
    kid: str
    number: str
    holder: str  # masked
    outcome: str
    issued_on: datetime.date

    @property
    def parts(self) -> numbering.Parts:
        return numbering.parse(self.number)

    @property
    def school_code(self) -> str:
        return self.parts.school_code

    @property
    def level(self) -> str:
        return self.parts.level

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def body(self) -> bytes:
        """The signed bytes. Raises only PayloadError (Chinese, "malformed"): a number
        outside the numbering rule (a row stored before it) is refused here, never
        half-encoded."""
        try:
            numbering.check(self.number)
        except numbering.NumberError as exc:
            raise PayloadError(exc.message, "malformed") from None
        days = (self.issued_on - EPOCH).days
        if not 0 <= days < 1 << 16:
            raise PayloadError(f"发证日期“{self.issued_on}”：超出可编码的范围", "malformed")
        if self.outcome not in OUTCOMES:
            raise PayloadError(f"类别“{self.outcome}”：应为毕业或结业", "malformed")
        try:
            kid = self.kid.encode("ascii")
            holder = self.holder.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError(
                "密钥编号或持证人姓名含有无法编码的字符：无法生成二维码", "malformed"
            ) from None
        return b"".join(
            [
                bytes([VERSION]),
                _field(kid),
                _field(self.number.encode("ascii")),
                _field(holder),
                bytes([OUTCOMES[self.outcome]]),
                days.to_bytes(2, "big"),
            ]
        )


def _field(data: bytes) -> bytes:
    if len(data) > 255:
        raise PayloadError("二维码内容：字段过长", "malformed")
    return bytes([len(data)]) + data


def encode(credential: Credential, signature: bytes) -> str:
    raw = credential.body() + signature
    return PREFIX + base64.b32encode(raw).decode("ascii").rstrip("=")


def sign(credential: Credential, signer: Signer) -> str:
    """The payload text of a credential, signed by ``signer`` (``KeyStore.signer()``);
    the credential's key id is set to the signer's."""
    credential = dataclasses.replace(credential, kid=signer.kid)
    return encode(credential, signer.sign(DOMAIN + credential.body()))


def extract(text: str) -> str:
    """The payload from what a scanner gives: the bare text or a URL ending in ?p=…"""
    text = "".join((text or "").split())
    if len(text) > MAX_TEXT:
        raise PayloadError(
            f"二维码内容过长（{len(text)}个字符）：不是本平台的证书二维码", "malformed"
        )
    m = _URL_PARAM.search(text)
    return (m.group(1) if m else text).upper()


def decode(text: str) -> tuple[Credential, bytes, bytes]:
    """(credential, signed message, signature); PayloadError when malformed."""
    text = extract(text)
    bad = PayloadError(
        "二维码内容不完整或格式不符：不是本平台签发的证书二维码，或扫描不完整", "malformed"
    )
    if not text.startswith(PREFIX) or len(text) < len(PREFIX) + 16:
        raise bad
    b32 = text[len(PREFIX) :]
    try:
        raw = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    except (binascii.Error, ValueError):
        raise bad from None
    try:
        pos = 0
        if raw[pos] != VERSION:
            raise PayloadError(f"二维码版本“{raw[pos]}”：本平台不支持", "malformed")
        pos += 1
        fields = []
        for _ in range(3):
            n = raw[pos]
            fields.append(raw[pos + 1 : pos + 1 + n])
            if len(fields[-1]) != n:
                raise bad
            pos += 1 + n
        outcome = OUTCOME_CODES[raw[pos]]
        days = int.from_bytes(raw[pos + 1 : pos + 3], "big")
        if len(raw) < pos + 3:
            raise bad
        pos += 3
        kid, number, holder = (
            fields[0].decode("ascii"),
            fields[1].decode("ascii"),
            fields[2].decode("utf-8"),
        )
    except (IndexError, KeyError, UnicodeDecodeError):
        raise bad from None
    if not numbering.is_valid(number):
        raise bad
    credential = Credential(kid, number, holder, outcome, EPOCH + datetime.timedelta(days=days))
    return credential, DOMAIN + raw[:pos], raw[pos:]


def verify(text: str, keys: dict[str, PublicKey]) -> Credential:
    """The credential of a payload whose signature checks under the published key it
    names, a key that may vouch for it: not revoked, and, when retired, only for an issue
    date on or before its retirement day. PayloadError otherwise."""
    credential, message, signature = decode(text)
    key = keys.get(credential.kid)
    if key is None:
        raise PayloadError(
            f"签名密钥“{credential.kid}”不在已公布的公钥中：无法确认签发方，视为无效",
            "unknown_key",
        )
    if key.revoked:
        reason = f"（{key.revoked_reason}）" if key.revoked_reason else ""
        raise PayloadError(
            f"签名密钥“{key.kid}”已撤销（{key.revoked[:10]}）{reason}：用它签名的二维码一律无效，"
            "请以在线查询为准",
            "revoked_key",
        )
    if key.issued_until is not None and credential.issued_on > key.issued_until:
        raise PayloadError(
            f"签名密钥“{key.kid}”已停用（{key.issued_until.isoformat()}），只能核验此前发放的证书；"
            f"本二维码声称的发证日期{credential.issued_on.isoformat()}晚于停用日期，视为无效",
            "retired_key",
        )
    if not key.verify(message, signature):
        raise PayloadError(
            "签名验证失败：二维码内容被改动、不完整或不是本平台签发，视为无效", "bad_signature"
        )
    return credential


def address(payload: str, base_url: str) -> str:
    """The address printed in the QR code: ``base_url`` (the platform's public address,
    no trailing slash) + the verification page + ``?p=payload``."""
    return f"{base_url.rstrip('/')}{VERIFY_PATH}?p={payload}"


def segments(text: str) -> list | str:
    """``text`` as QR segments for segno: an address ending in a payload is the address
    in byte mode and the payload in alphanumeric mode; anything else one segment."""
    from segno import consts

    m = _ADDRESS.match(text)
    if m is None:
        return text
    return [(m.group(1), consts.MODE_BYTE), (m.group(2), consts.MODE_ALPHANUMERIC)]


def svg(text: str, *, scale: int = 4, border: int = 2) -> str:
    """The QR code of ``text`` as inline SVG (no XML declaration), error level M."""
    import segno

    code = segno.make(segments(text), error="m", micro=False)
    return code.svg_inline(scale=scale, border=border)
