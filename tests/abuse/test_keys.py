"""Issue 13, case 8: the signing key life cycle.

A retired key vouches only for certificates issued before its retirement; a revoked key
for none, on every door (/verify/qr/, the API, `jigong verify --qr`, with or without the
published keys file); a validly signed payload that disagrees with the register is not
shown as valid; `jigong verify --qr` exits 0 only for a valid certificate.
"""

import dataclasses
import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jigong.certificates import key_acts, numbering, printing, qr, services, signing
from jigong.core.models import AuditLog
from jigong.students import services as student_services
from tests import factories as f

D = datetime.date
# the issue's date, or later when the tests run after it: after any retirement made here
LATE = max(D(2027, 6, 30), datetime.date.today() + datetime.timedelta(days=400))
EARLY = D(2025, 6, 30)


@pytest.fixture
def keystore(settings, tmp_path):
    settings.JIGONG_KEYS_DIR = tmp_path / "keys"
    return signing.KeyStore(settings.JIGONG_KEYS_DIR)


@pytest.fixture
def cert(world, keystore):
    key_acts.key_create(actor=None, keystore=keystore)
    reg = f.registration(
        world.school_a,
        name="张晓明",
        level="intermediate",
        id_number=f.id_number(birth=D(2006, 3, 1)),
        enrolled_on=D(2022, 9, 1),
    )
    return services.graduate(actor=world.user_a, registration=reg, issued_on=EARLY)


def payload(cert, signer, **changes) -> str:
    return qr.sign(dataclasses.replace(printing.credential(cert), **changes), signer)


def page(client, text) -> str:
    r = client.post("/verify/qr/", {"payload": text})
    assert r.status_code == 200
    return r.content.decode()


def verdict_of(body: str) -> str:
    marker = 'data-testid="qr-verdict">'
    assert marker in body, body
    return body.split(marker, 1)[1].split("<", 1)[0].strip()


def api(client, text) -> dict:
    r = client.get("/api/v1/certificates/verify-qr", {"payload": text})
    assert r.status_code == 200, r.content
    return r.json()


def cli(capsys, text, *extra) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        call_command("verify", "--qr", text, *extra)
    return done.value.code, capsys.readouterr().out


# --- a retired key ------------------------------------------------------------------


def test_retired_key_vouches_only_for_certificates_issued_before_its_retirement(
    client, capsys, tmp_path, world, cert, keystore
):
    stolen = keystore.signer()  # the private key, taken before the rotation
    call_command("keys", "rotate", "--by", world.municipal.username)
    assert not (keystore.folder / "S1.key.json").exists(), "a retired private key is kept"

    forged = payload(cert, stolen, issued_on=LATE)
    early = payload(cert, stolen)  # what S1 legitimately signed before it was retired
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(forged, keystore.public_keys())
    assert info.value.reason == "retired_key"
    assert "S1" in info.value.message and LATE.isoformat() in info.value.message
    assert qr.verify(early, keystore.public_keys()).issued_on == EARLY
    # the boundary: the retirement day (China Standard Time) itself, and the day after
    until = keystore.public_keys()["S1"].issued_until
    assert until == datetime.datetime.now(signing.ISSUER_TZ).date()
    assert qr.verify(payload(cert, stolen, issued_on=until), keystore.public_keys())
    with pytest.raises(qr.PayloadError, match="停用"):
        qr.verify(
            payload(cert, stolen, issued_on=until + datetime.timedelta(days=1)),
            keystore.public_keys(),
        )

    # the online doors
    body = page(client, forged)
    assert verdict_of(body) == "无效" and "已停用" in body and LATE.isoformat() in body
    assert verdict_of(page(client, early)) == "有效"
    assert api(client, forged)["verdict"] == "invalid"
    assert api(client, early)["verdict"] == "valid"
    code, out = cli(capsys, forged)
    assert code == 1 and "无效" in out and "已停用" in out
    assert cli(capsys, early)[0] == 0

    # an offline verifier holding only the published keys applies the same rule
    keys_file = tmp_path / "keys.json"
    call_command("keys", "export-public", "--out", str(keys_file))
    document = json.loads(keys_file.read_text(encoding="utf-8"))
    s1 = next(k for k in document["keys"] if k["kid"] == "S1")
    assert s1["retired"] and s1["issued_until"] == until.isoformat()
    assert cli(capsys, forged, "--keys", str(keys_file))[0] == 1
    assert cli(capsys, early, "--keys", str(keys_file))[0] == 0


# --- a revoked key ------------------------------------------------------------------


def test_revoked_key_verifies_nothing_on_any_door(client, capsys, tmp_path, world, cert, keystore):
    text = printing.payload(cert, keystore.signer())
    assert verdict_of(page(client, text)) == "有效"
    old_keys = tmp_path / "before.json"
    call_command("keys", "export-public", "--out", str(old_keys))

    call_command("keys", "revoke", "S1", "--reason", "私钥疑似泄露", "--by", "city")
    out = capsys.readouterr().out
    assert "已撤销签名密钥 S1" in out
    row = AuditLog.objects.get(act="signing_key.revoke")
    assert row.actor == world.municipal and "私钥疑似泄露" in row.message

    body = page(client, text)
    assert verdict_of(body) == "无效" and "已撤销" in body and "私钥疑似泄露" in body
    answer = api(client, text)
    assert answer["verdict"] == "invalid" and "已撤销" in answer["reason"]
    code, out = cli(capsys, text)
    assert code == 1 and "已撤销" in out

    # the published keys say so, and no longer carry the public half
    document = client.get("/verify/keys.json").json()
    s1 = next(k for k in document["keys"] if k["kid"] == "S1")
    assert s1["revoked"] and s1["revoked_reason"] == "私钥疑似泄露" and "public_key" not in s1
    assert document["active"] is None
    new_keys = tmp_path / "after.json"
    call_command("keys", "export-public", "--out", str(new_keys))
    assert cli(capsys, text, "--keys", str(new_keys))[0] == 1
    assert cli(capsys, text, "--keys", str(old_keys))[0] == 0  # a stale file: refresh it

    # nothing is signed with it again; the private half is gone
    assert not (keystore.folder / "S1.key.json").exists()
    with pytest.raises(signing.SigningError, match="jigong keys rotate"):
        keystore.signer()
    call_command("keys", "rotate", "--by", "city")
    fresh = printing.payload(cert, keystore.signer())
    assert qr.verify(fresh, keystore.public_keys()).kid == "S2"
    assert verdict_of(page(client, fresh)) == "有效"


def test_revoking_a_key_is_the_municipal_bureaus_act_with_a_reason(world, cert, keystore):
    with pytest.raises(CommandError, match="市人社局"):
        call_command("keys", "revoke", "S1", "--reason", "测试", "--by", world.user_a.username)
    with pytest.raises(CommandError, match="原因"):
        call_command("keys", "revoke", "S1", "--reason", "  ", "--by", "city")
    with pytest.raises(CommandError, match="S9"):
        call_command("keys", "revoke", "S9", "--reason", "测试", "--by", "city")
    assert not any(k.revoked for k in keystore.public_keys().values())
    assert not AuditLog.objects.filter(act="signing_key.revoke").exists()
    call_command("keys", "revoke", "S1", "--reason", "测试", "--by", "city")
    with pytest.raises(CommandError, match="已经撤销"):
        call_command("keys", "revoke", "S1", "--reason", "测试", "--by", "city")


# --- the payload against the register -----------------------------------------------


def test_signed_payload_that_disagrees_with_the_register_is_not_valid(
    client, capsys, world, cert, keystore
):
    text = printing.payload(cert, keystore.signer())
    student_services.person_correct(
        actor=world.user_a,
        person=cert.registration.person,
        name="张晓东",
        reason="户籍姓名更正",
    )
    body = page(client, text)
    assert verdict_of(body) == "无效" and "持证人" in body and "不符" in body
    assert "张晓东" not in body and "张*东" not in body  # the register's value is not shown
    answer = api(client, text)
    assert answer["verdict"] == "invalid" and "持证人" in answer["reason"]
    code, out = cli(capsys, text)
    assert code == 1 and "不符" in out

    # a payload signed with the platform's key but stating another date or outcome
    for changes in ({"issued_on": D(2025, 7, 1)}, {"outcome": "completed"}):
        other = payload(cert, keystore.signer(), holder="张*东", **changes)
        assert verdict_of(page(client, other)) == "无效", changes


# --- exit codes -----------------------------------------------------------------------


def test_verify_qr_exit_codes(capsys, world, cert, keystore, tmp_path):
    text = printing.payload(cert, keystore.signer())
    assert cli(capsys, text)[0] == 0
    altered = text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:]
    code, out = cli(capsys, altered)
    assert code == 1 and "无效" in out
    # signed by a key the platform never published: unknown
    other = signing.KeyStore(tmp_path / "other")
    other.create()
    other.rotate()
    code, out = cli(capsys, payload(cert, other.signer()))
    assert code == 4 and "未知" in out
    # a number the register does not hold: unknown
    parts = numbering.parse(cert.number)
    number = numbering.make(parts.year, parts.school_code, parts.level, 999998)
    assert not type(cert).objects.filter(number=number).exists()
    missing = payload(cert, keystore.signer(), number=number)
    code, out = cli(capsys, missing)
    assert code == 4 and "未找到" in out
    # revoked since printing
    services.revoke(actor=world.user_a, certificate=cert, reason="学籍核查有误", on=D(2025, 9, 1))
    code, out = cli(capsys, text)
    assert code == 3 and "已撤销" in out and "学籍核查有误" in out
    # unreadable keys file: the check could not be made
    code, out = cli(capsys, text, "--keys", str(tmp_path / "none.json"))
    assert code == 5 and "无法读取" in out
    # the codes are documented where users read them
    from jigong.public.management.commands.verify import Command

    epilog = " ".join(Command().create_parser("jigong", "verify").format_help().split())
    for n, label in [
        ("0", "有效"),
        ("1", "无效"),
        ("3", "证书已撤销"),
        ("4", "未知"),
        ("5", "无法核验"),
    ]:
        assert f"{n} {label}" in epilog
