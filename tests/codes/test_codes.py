"""Online verification codes: validity bounds, who may create and revoke them, and the
uniform miss for unknown, expired and revoked codes at /verify/code/."""

import datetime
import html
import json
import re

import altcha
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jigong.certificates import codes, services
from jigong.certificates.models import VerificationCode
from jigong.core.models import AuditLog
from tests import factories as f

PAGE = "/verify/code/"


def post(client, code, ip="203.0.113.7", **extra):
    return client.post(PAGE, {"code": code, **extra}, REMOTE_ADDR=ip)


def test_code_shape_and_normalisation():
    c = codes.generate()
    assert len(c) == 16 and set(c) <= set(codes.ALPHABET)
    shown = codes.display(c)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", shown)
    assert codes.normalise(shown.lower()) == c
    assert codes.normalise(" ".join(shown.split("-"))) == c
    assert codes.normalise("ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ-ＰＱＲＳ") == "ABCDEFGHJKMNPQRS"
    assert codes.normalise("OIL0-0000-0000-0000") == "0110000000000000"
    for bad in ("", "ABC", "A" * 17, "ABCD-EFGH-JKMN-PQR!", "<script>alert(1)</script>"):
        assert codes.normalise(bad) == ""


@pytest.mark.parametrize("days", [30, 90, 180])
def test_holder_creates_code_within_bounds(world, holder_cert, days):
    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=days)
    assert vc.days == days and vc.created_by == world.graduate
    assert abs(
        (vc.expires_at - vc.created_at) - datetime.timedelta(days=days)
    ) < datetime.timedelta(seconds=5)
    assert AuditLog.objects.filter(
        object_type="certificates.verificationcode", object_id=str(vc.pk), actor=world.graduate
    ).exists()


@pytest.mark.parametrize("days", [29, 181, 0, -5, "abc", "", None, "30.5", 10**9])
def test_days_outside_bounds_refused_in_chinese(world, holder_cert, days):
    with pytest.raises(ValidationError) as info:
        services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=days)
    text = str(info.value.message_dict["days"])
    assert "有效期" in text and "30" in text and "180" in text
    assert not VerificationCode.objects.exists()


def test_only_holder_or_school_in_scope_may_create(world, holder_cert, other_cert):
    stranger = f.user("graduate", username="stranger")
    for actor, cert in [
        (world.graduate, other_cert),  # another person's certificate
        (stranger, holder_cert),  # a graduate account without a person
        (world.user_b, holder_cert),  # another school
        (world.district_b, holder_cert),  # another district
        (world.department, holder_cert),
    ]:
        with pytest.raises(PermissionDenied):
            services.verification_code_create(actor=actor, certificate=cert, days=30)
    assert not VerificationCode.objects.exists()
    vc = services.verification_code_create(actor=world.user_a, certificate=holder_cert, days=60)
    assert vc.created_by == world.user_a
    with pytest.raises(PermissionDenied):
        services.verification_code_revoke(actor=world.user_b, code=vc)
    with pytest.raises(PermissionDenied):
        services.verification_code_revoke(
            actor=world.graduate,
            code=services.verification_code_create(
                actor=world.user_b, certificate=other_cert, days=30
            ),
        )


def test_revoked_certificate_gets_no_code(world, holder_cert):
    services.revoke(
        actor=world.user_a, certificate=holder_cert, reason="核查有误", on=datetime.date(2025, 7, 1)
    )
    with pytest.raises(ValidationError) as info:
        services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    assert "只有有效的证书" in str(info.value)


def test_code_opens_report(client, world, holder_cert):
    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    r = post(client, codes.display(vc.code).lower())
    body = r.content.decode()
    assert r.status_code == 200
    assert "张*明" in body and "张晓明" not in body and holder_cert.number in body
    assert "中级工班" in body and "中专" in body and "下载 PDF" in body
    # a shared link (GET ?code=) opens it too
    assert "张*明" in client.get(PAGE, {"code": vc.code}, REMOTE_ADDR="192.0.2.77").content.decode()


def test_expired_revoked_unknown_and_junk_share_one_miss(client, world, holder_cert):
    expired = services.verification_code_create(
        actor=world.graduate, certificate=holder_cert, days=30
    )
    VerificationCode.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    revoked = services.verification_code_create(
        actor=world.graduate, certificate=holder_cert, days=30
    )
    services.verification_code_revoke(actor=world.graduate, code=revoked)
    assert revoked.revoked_at is not None
    unknown = codes.generate()
    junk = [
        "' OR '1'='1",
        "<script>alert(1)</script>",
        "A" * 5000,
        "   ",
        expired.code[:-1],
    ]
    bodies = {
        post(client, c, ip=f"198.51.100.{i}").content
        for i, c in enumerate([expired.code, revoked.code, unknown, *junk], start=1)
    }
    assert len(bodies) == 1
    body = bodies.pop().decode()
    assert "未查询到与所填验证码相符的有效核验报告" in body and "张*明" not in body


def test_code_lookups_are_rate_limited(client, settings, world, holder_cert):
    settings.JIGONG_VERIFY_RATE_PER_IP = (2, 60)
    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    assert post(client, vc.code).status_code == 200
    assert post(client, vc.code).status_code == 200
    r = post(client, vc.code)
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()
    assert "张*明" not in r.content.decode()


def test_repeated_misses_ask_a_challenge(client, settings, world, holder_cert):
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (2, 3600)
    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    for _ in range(2):
        post(client, codes.generate())
    body = post(client, vc.code).content.decode()
    assert "请先完成人机验证" in body and "张*明" not in body
    m = re.search(r"<altcha-widget[^>]*\bchallenge=\"([^\"]+)\"", body)
    challenge = altcha.Challenge.from_dict(json.loads(html.unescape(m[1])))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
    ok = post(client, vc.code, altcha=payload).content.decode()
    assert "张*明" in ok


def test_report_pdf(client, world, holder_cert):
    from tests.printing import pdftools

    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    r = client.post("/verify/code/pdf/", {"code": codes.display(vc.code)})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdftools.text(r.content)
    assert "在线验证报告" in text and holder_cert.number in text and "张*明" in text
    assert "张晓明" not in text
    # an unknown code gets the page with the uniform miss, not a PDF
    miss = client.post("/verify/code/pdf/", {"code": codes.generate()})
    assert miss["Content-Type"].startswith("text/html")
    assert "未查询到与所填验证码" in miss.content.decode()


def test_report_pdf_of_a_legacy_number_names_the_file(client, world, holder_cert):
    """A certificate carried over with a legacy number (“2024甲0001”) gets its report
    too; the file name is sent as RFC 6266 says (filename*), not as raw bytes."""
    from django.utils.http import content_disposition_header

    type(holder_cert).objects.filter(pk=holder_cert.pk).update(number="2024甲0001")
    holder_cert.refresh_from_db()
    vc = services.verification_code_create(actor=world.graduate, certificate=holder_cert, days=30)
    r = client.post("/verify/code/pdf/", {"code": codes.display(vc.code)})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    expected = content_disposition_header(True, "verification-report-2024甲0001.pdf")
    assert r["Content-Disposition"] == expected
    assert "filename*=utf-8''verification-report-2024%E7%94%B2" in expected
