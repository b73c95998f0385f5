"""TOTP secrets sealed at rest, like ID numbers (jigong/core/pii.py).

django-otp keeps a device's secret as hex in ``TOTPDevice.key`` and reads it only
through ``TOTPDevice.bin_key`` (token checks, the QR code's URL). ``install`` (run by the
app's ``ready``) makes ``bin_key`` open a sealed key and seals every key before it is
saved, in the same column: ``~`` then the base64 of ``pii.seal_bytes(secret,
"otp_totp.totpdevice.key")`` (73 characters; the column holds 80). A plain hex key, as
django-otp writes it, still reads, and is sealed on its next save; migration
security.0001 seals the rows that exist. Rotating the ID-number key leaves TOTP rows
readable as long as the retired key stays in the key file.
"""

import base64
from binascii import unhexlify

from django.db.models.signals import pre_save

from jigong.core import pii

COLUMN = "otp_totp.totpdevice.key"
MARK = "~"


def sealed(key: str) -> bool:
    return bool(key) and key.startswith(MARK)


def seal(hex_key: str) -> str:
    """The stored form of a hex secret (a sealed one is returned as it is)."""
    if not hex_key or sealed(hex_key):
        return hex_key
    blob = pii.seal_bytes(unhexlify(hex_key.encode()), COLUMN)
    return MARK + base64.b64encode(blob).decode("ascii")


def secret(key: str) -> bytes:
    """The binary secret of a stored key, sealed or plain hex."""
    if sealed(key):
        return pii.open_bytes(base64.b64decode(key[len(MARK) :]), COLUMN)
    return unhexlify((key or "").encode())


def _seal_before_save(sender, instance, **kwargs):
    instance.key = seal(instance.key)


def install() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.bin_key = property(lambda self: secret(self.key), doc="The secret (opened).")
    pre_save.connect(_seal_before_save, sender=TOTPDevice, dispatch_uid="jigong-totp-seal")
