"""The printed QR code is an address a phone opens (issue 19, point 5): this platform's
verification page carrying the signed credential, under the host of
``settings.JIGONG_PUBLIC_URL``; the same text still checks offline, and old bare ``JG…``
payloads keep verifying."""

import io
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from jigong.certificates import printing, qr, signing
from jigong.public import offline
from tests.printing import pdftools

BASE = "https://jigong.example.cn"


@pytest.fixture
def cert(world, issue, signing_key, settings):
    settings.JIGONG_PUBLIC_URL = BASE
    return issue(name="张晓明", actor=world.user_a)


def printed_pdf(client, world, cert) -> bytes:
    client.force_login(world.user_a)
    r = client.post(f"/graduation-certificates/{cert.pk}/print/")
    r = client.get(r["Location"] + "download/")
    return b"".join(r.streaming_content)


def test_a_phone_scan_opens_the_verdict_and_checks_offline(client, world, cert, tmp_path):
    """One printed PDF (a render costs seconds): scanned, opened as a phone would, checked
    offline with the published keys and by ``jigong verify --qr``."""
    pdf = printed_pdf(client, world, cert)
    [scanned] = pdftools.qr_texts(pdf)
    assert scanned.startswith(f"{BASE}/verify/qr/?p=JG"), scanned
    # the phone opens the address: the verification page shows the verdict at once
    parts = urlsplit(scanned)
    client.logout()
    r = client.get(f"{parts.path}?{parts.query}")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="qr-verdict">有效' in body and cert.number in body
    # the certificate prints the full addresses, not a relative path
    text = re.sub(r"\s+", "", pdftools.text(pdf))
    assert f"{BASE}/verify/" in text
    assert "在/verify/qr/" not in text
    # an offline verifier holding keys.json checks the same text
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(signing.store().published()), encoding="utf-8")
    out = io.StringIO()
    assert offline.check_in_terminal(out, scanned, keys_file=str(keys)) == 0, out.getvalue()
    assert cert.number in out.getvalue() and "张*明" in out.getvalue()
    # so does the command, against the register
    out = io.StringIO()
    with pytest.raises(SystemExit) as done:
        call_command("verify", "--qr", scanned, stdout=out)
    assert done.value.code == 0, out.getvalue()
    # one character of the credential changed: refused
    tampered = scanned[:-3] + ("A" if scanned[-3] != "A" else "B") + scanned[-2:]
    assert offline.judge(tampered).state == "invalid"


def test_old_bare_payloads_keep_verifying(client, world, cert):
    old = printing.payload(cert, signing.store().signer())  # what certificates carried
    assert old.startswith("JG") and "://" not in old
    verdict = offline.judge(old)
    assert verdict.state == "valid" and verdict.credential.number == cert.number
    r = client.get("/verify/qr/", {"p": old})
    assert r.status_code == 200 and 'data-testid="qr-verdict">有效' in r.content.decode()


def test_the_address_keeps_the_code_small(world, cert):
    """The credential stays in the QR code's compact alphanumeric mode after the address:
    a code no bigger than version 8 (49 modules, about 34 mm printed) for this host, where
    the address in byte mode alone needs version 10."""
    import segno
    from django.urls import reverse

    assert reverse("public:verify_qr") == qr.VERIFY_PATH
    address = printing.qr_address(cert, signing.store().signer())
    assert address.startswith(f"{BASE}/verify/qr/?p=JG")
    assert qr.verify(address, signing.store().public_keys()).number == cert.number
    assert segno.make(qr.segments(address), error="m", micro=False).version <= 8
    assert segno.make(address, error="m", micro=False).version == 10


@pytest.mark.parametrize(
    "value",
    ["jigong.example.cn", "ftp://jigong.example.cn", "https://", "https://h/x?y=1"],
)
def test_a_bad_public_address_is_named(value):
    from django.core.exceptions import ImproperlyConfigured

    from jigong.core import publicurl

    with pytest.raises(ImproperlyConfigured, match="JIGONG_PUBLIC_URL"):
        publicurl.check(value)
