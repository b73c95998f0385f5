"""One format rule for graduation certificate numbers (`numbering.check`), enforced
wherever a number is written: the audited writes every service uses, the back office
page, the graduations import and `jigong import`. It accepts every number the platform
generates and refuses what the QR credential cannot carry."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from jigong.certificates import numbering, services
from jigong.certificates.models import GraduationCertificate
from jigong.core import services as core
from jigong.core.models import AuditLog
from tests.certificates.test_import import imp, row
from tests.imports.helpers import headers, xlsx

LEGACY = "2024甲0001"  # what tests/test_scope_pages.py used to write
TOO_LONG = numbering.make(2025, "A" * 16, "intermediate", 1) + "0"

BAD = [
    LEGACY,
    "2025 50101 1 000001 5",
    numbering.make(2025, "t0001", "technician", 7).lower(),  # lower case is not stored
    "２０２５５０１０１１０００００１５",  # full-width digits
    TOO_LONG,
    numbering.make(2025, "50101", "intermediate", 1)[:-1] + "Y",
    "",
]


def _wrong_check(n: str) -> str:
    return n[:-1] + ("0" if n[-1] != "0" else "1")


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(1000, 9999),
    code=st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=16),
    level=st.sampled_from(sorted(numbering.LEVEL_DIGIT)),
    serial=st.integers(1, numbering.MAX_SERIAL),
)
def test_rule_accepts_every_number_the_platform_generates(year, code, level, serial):
    number = numbering.make(year, code, level, serial)
    assert numbering.check(number) == number
    assert number.isascii() and len(number) <= numbering.MAX_LENGTH


@pytest.mark.parametrize("bad", [*BAD, _wrong_check(numbering.make(2025, "50101", "advanced", 9))])
def test_rule_refuses_what_the_qr_cannot_carry(bad):
    with pytest.raises(numbering.NumberError) as caught:
        numbering.check(bad)
    message = caught.value.message
    assert message.startswith("证书编号“") and numbering.RULE in message
    assert (bad[:40] if len(bad) > 40 else bad) in message


def test_parse_and_check_are_one_rule():
    """parse() (verification, QR decoding) is the rule after normalising typed input."""
    n = numbering.make(2025, "T0001", "technician", 7)
    assert numbering.parse(f" {n.lower()} ").serial == 7
    assert not numbering.is_valid("２０２５５０１０１１０００００１５")  # not ASCII digits
    with pytest.raises(numbering.NumberError, match="校验位不符"):
        numbering.parse(_wrong_check(n))


# --- the audited write (every service, the admin) -------------------------------------


def _fields(registration, number):
    return {
        "registration": registration,
        "school": registration.school,
        "number": number,
        "level": registration.level,
        "issued_on": datetime.date(2025, 6, 30),
    }


@pytest.mark.parametrize("bad", BAD)
def test_the_write_refuses_a_bad_number_and_names_field_value_rule(world, bad):
    before = (GraduationCertificate.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as caught:
        core.create(None, GraduationCertificate, **_fields(world.reg_a, bad))
    messages = caught.value.message_dict["number"]
    assert len(messages) == 1
    assert messages[0].startswith("证书编号“") and numbering.RULE in messages[0]
    assert (GraduationCertificate.objects.count(), AuditLog.objects.count()) == before


def test_the_write_accepts_a_generated_number(world):
    number = numbering.make(2025, world.school_a.code, "intermediate", 1)
    cert = core.create(None, GraduationCertificate, **_fields(world.reg_a, number))
    assert cert.number == number


def test_changing_a_number_is_checked_and_a_stored_one_is_not(world, finishing):
    """An old row written before the rule can still be revoked; a changed number is
    checked."""
    cert = services.graduate(
        actor=None, registration=finishing(), issued_on=datetime.date(2025, 6, 30)
    )
    good = cert.number
    with pytest.raises(ValidationError) as caught:
        core.update(None, cert, number=LEGACY)
    assert numbering.RULE in caught.value.message_dict["number"][0]
    cert.refresh_from_db()
    assert cert.number == good
    GraduationCertificate.objects.filter(pk=cert.pk).update(number=LEGACY)  # an old row
    cert.refresh_from_db()
    services.revoke(actor=None, certificate=cert, reason="信息有误", on=datetime.date(2025, 7, 1))
    cert.refresh_from_db()
    assert cert.status == "revoked" and cert.number == LEGACY
    fixed = core.update(None, cert, number=good)  # and it may be corrected
    assert fixed.number == good


# --- channels: the back office page, the import, the CLI ------------------------------


@pytest.fixture
def superuser(world):
    from tests import factories as f

    u = f.user("municipal", username="root")
    u.is_superuser = u.is_staff = True
    u.save(update_fields=["is_superuser", "is_staff"])
    return u


def test_admin_page_refuses_a_bad_number(client, world, finishing, superuser):
    cert = services.graduate(
        actor=None, registration=finishing(), issued_on=datetime.date(2025, 6, 30)
    )
    client.force_login(superuser)
    url = f"/admin/certificates/graduationcertificate/{cert.pk}/change/"
    data = {
        "registration": cert.registration_id,
        "school": cert.school_id,
        "number": LEGACY,
        "outcome": cert.outcome,
        "level": cert.level,
        "issued_on": "2025-06-30",
        "status": cert.status,
        "revoked_on": "",
        "revoked_reason": "",
    }
    r = client.post(url, data)
    assert r.status_code == 200  # the form again, with the error
    text = r.content.decode()
    assert f"证书编号“{LEGACY}”" in text and numbering.RULE in text
    cert.refresh_from_db()
    assert cert.number != LEGACY
    r = client.post("/admin/certificates/graduationcertificate/add/", data)
    assert r.status_code == 200 and numbering.RULE in r.content.decode()
    assert not GraduationCertificate.objects.filter(number=LEGACY).exists()


def test_import_refuses_a_bad_number_with_row_column_value_rule(world, finishing):
    a = finishing()
    r = imp([row(a, number=LEGACY)], world.user_a)
    assert not r.committed
    (error,) = r.errors
    assert (error.row, error.column, error.value) == (2, "证书编号", LEGACY)
    assert numbering.RULE in error.message
    assert f"第2行“证书编号”列值“{LEGACY}”：" in str(error)
    assert not GraduationCertificate.objects.exists()


def test_cli_import_refuses_a_bad_number(world, finishing, tmp_path, capsys):
    a = finishing()
    path = tmp_path / "g.xlsx"
    path.write_bytes(xlsx([row(a, number=LEGACY)], header=headers("graduations")))
    with pytest.raises(CommandError):
        call_command("import_data", "graduations", str(path), "--user", "school_a")
    out = capsys.readouterr().out
    assert f"值“{LEGACY}”" in out and numbering.RULE in out
    assert not GraduationCertificate.objects.exists()
