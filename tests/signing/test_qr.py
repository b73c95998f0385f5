"""The signed QR credential: compact, checkable offline, refusing every alteration;
/verify/qr/, /verify/keys.json and `jigong verify --qr`."""

import base64
import datetime
import json

import pytest
import segno
from django.core.management import call_command

from jigong.certificates import numbering, printing, qr, services, signing

NUMBER = numbering.make(2025, "50101", "advanced", 123)


def credential(**kw):
    fields = {
        "kid": "",
        "number": NUMBER,
        "holder": "欧阳**明",
        "outcome": "graduated",
        "issued_on": datetime.date(2025, 6, 30),
    }
    fields.update(kw)
    return qr.Credential(**fields)


def raw_of(text: str) -> bytes:
    b32 = text[2:]
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def text_of(raw: bytes) -> str:
    return "JG" + base64.b32encode(raw).decode().rstrip("=")


@pytest.fixture
def store(keystore):
    keystore.create()
    return keystore


def test_compact_alphanumeric_and_offline_checkable(store):
    text = qr.sign(credential(), store.signer())
    assert len(text) < 200 and text.startswith("JG") and text.isalnum()
    assert segno.make(text, error="m").mode == "alphanumeric"
    keys = signing.published_keys(json.loads(json.dumps(store.published())))
    got = qr.verify(text, keys)
    assert got.kid == "S1" and got.number == NUMBER and got.holder == "欧阳**明"
    assert got.school_code == "50101" and got.level_label == "高级工班"
    assert got.issued_on == datetime.date(2025, 6, 30) and got.outcome_label == "毕业"
    # A scanner may give a URL ending in ?p=…, in lower case, with line breaks.
    assert qr.verify(f"https://example.org/verify/qr/?p={text.lower()}", keys) == got
    assert qr.verify(text[:50] + "\n" + text[50:], keys) == got


@pytest.mark.parametrize("scheme", ["sm2", "ed25519"])
def test_every_altered_byte_is_refused(keystore, scheme):
    keystore.create(scheme)
    text = qr.sign(credential(), keystore.signer())
    keys = keystore.public_keys()
    raw = raw_of(text)
    for i in range(len(raw)):
        altered = bytearray(raw)
        altered[i] ^= 0x01
        with pytest.raises(qr.PayloadError) as info:
            qr.verify(text_of(bytes(altered)), keys)
        assert info.value.message


def test_altered_fields_are_refused(store):
    text = qr.sign(credential(), store.signer())
    keys = store.public_keys()
    _cred, _message, signature = qr.decode(text)
    other = numbering.make(2025, "50101", "technician", 123)  # a valid number, other level
    forged = qr.encode(credential(kid="S1", number=other), signature)
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(forged, keys)
    assert info.value.reason == "bad_signature"
    assert "签名验证失败" in info.value.message
    renamed = qr.encode(credential(kid="S1", holder="李*"), signature)
    with pytest.raises(qr.PayloadError, match="签名验证失败"):
        qr.verify(renamed, keys)


@pytest.mark.parametrize(
    "number",
    [
        "2024甲0001",
        "2025 5010121234562",
        numbering.make(2025, "T0001", "advanced", 1).lower(),
        NUMBER + "0" * 20,
        NUMBER[:-1] + "Y",
    ],
)
def test_a_number_outside_the_rule_is_refused_not_crashed(store, number):
    """A stored number written before the numbering rule: encoding refuses it with a
    Chinese PayloadError naming the number and the rule (never UnicodeEncodeError)."""
    with pytest.raises(qr.PayloadError) as info:
        qr.sign(credential(number=number), store.signer())
    assert info.value.reason == "malformed"
    assert info.value.message.startswith("证书编号“") and numbering.RULE in info.value.message


def test_other_unencodable_fields_are_refused_not_crashed(store):
    with pytest.raises(qr.PayloadError):
        qr.sign(credential(holder="张\ud800"), store.signer())  # a lone surrogate
    with pytest.raises(qr.PayloadError):
        qr.sign(credential(issued_on=datetime.date(1999, 12, 31)), store.signer())


@pytest.mark.parametrize("cut", [1, 5, 40, 100, 150])
def test_truncated_payload_is_refused(store, cut):
    text = qr.sign(credential(), store.signer())
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(text[:cut], store.public_keys())
    assert "不完整" in info.value.message


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "hello",
        "JG",
        "JG" + "A" * 300,
        "<script>alert(1)</script>",
        "'; DROP TABLE x;--",
        "X" * 5000,
    ],
)
def test_junk_is_refused_in_chinese(store, junk):
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(junk, store.public_keys())
    assert info.value.reason == "malformed"


def test_forged_with_another_key_under_a_published_kid(store, tmp_path):
    forger = signing.KeyStore(tmp_path / "forger")
    forger.create()  # also "S1", but not the platform's key
    forged = qr.sign(credential(), forger.signer())
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(forged, store.public_keys())
    assert info.value.reason == "bad_signature"


def test_unknown_kid_is_refused(store, tmp_path):
    other = signing.KeyStore(tmp_path / "other")
    other.create()
    other.rotate()
    other.rotate()  # S3, which the platform never published
    text = qr.sign(credential(), other.signer())
    with pytest.raises(qr.PayloadError) as info:
        qr.verify(text, store.public_keys())
    assert info.value.reason == "unknown_key"
    assert "签名密钥“S3”不在已公布的公钥中" in info.value.message


def test_rotated_key_still_verifies_old_payloads(store):
    old = qr.sign(credential(), store.signer())
    store.rotate("ed25519")
    new = qr.sign(credential(), store.signer())
    keys = signing.published_keys(store.published())
    assert qr.verify(old, keys).kid == "S1"
    assert qr.verify(new, keys).kid == "E2"


def test_svg_is_inline_and_offline():
    svg = qr.svg("JGABC")
    assert svg.startswith("<svg") and "http" not in svg.split(">", 1)[0]


# --- /verify/qr/, /verify/keys.json, jigong verify --qr -----------------------------


@pytest.fixture
def printed(world, issue, signing_key):
    cert = issue(name="张晓明", actor=world.user_a)
    return cert, printing.payload(cert, signing.store().signer())


def test_page_shows_contents_and_current_status(client, printed):
    cert, text = printed
    r = client.post("/verify/qr/", {"payload": text})
    body = r.content.decode()
    assert r.status_code == 200
    assert "签名有效" in body and cert.number in body and "张*明" in body
    assert "张晓明" not in body
    assert cert.school.name in body and "中级工班" in body and "2025-06-30" in body
    assert 'data-testid="qr-status">有效' in body
    assert 'href="/verify/"' in body
    assert client.get("/verify/qr/", {"p": text}).content.decode().count("签名有效") == 1


def test_page_shows_revoked_since_printing(client, world, printed):
    cert, text = printed
    services.revoke(
        actor=world.user_a, certificate=cert, reason="学籍核查有误", on=datetime.date(2025, 9, 1)
    )
    body = client.post("/verify/qr/", {"payload": text}).content.decode()
    assert "签名有效" in body and "已撤销" in body
    assert "2025-09-01" in body and "学籍核查有误" in body


def test_page_refuses_forged_altered_and_injected(client, printed):
    _cert, text = printed
    altered = text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:]
    for payload, expected in [
        (altered, "签名验证失败"),
        (text[:60], "不完整"),
        ("<script>alert(1)</script>", "格式不符"),
        ("", "请粘贴扫描二维码得到的文字"),
    ]:
        r = client.post("/verify/qr/", {"payload": payload})
        body = r.content.decode()
        assert r.status_code == 200, payload
        assert expected in body, payload
        assert "签名有效" not in body
        assert "<script>alert(1)</script>" not in body


def test_page_is_rate_limited(client, settings, printed):
    settings.JIGONG_VERIFY_RATE_PER_IP = (3, 60)
    _cert, text = printed
    codes = [
        client.post("/verify/qr/", {"payload": text}, REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


def test_keys_json_publishes_public_keys_only(client, signing_key):
    r = client.get("/verify/keys.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["active"] == signing_key.kid
    assert doc["keys"][0]["public_key"] and "private_key" not in r.content.decode()


def test_verify_command_qr(printed, capsys, tmp_path):
    cert, text = printed
    with pytest.raises(SystemExit) as done:
        call_command("verify", "--qr", text)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "有效（密钥 S1，sm2）" in out and cert.number in out and "当前状态" in out
    keys_file = tmp_path / "keys.json"
    call_command("keys", "export-public", "--out", str(keys_file))
    with pytest.raises(SystemExit) as done:
        call_command("verify", "--qr", text, "--keys", str(keys_file))
    assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        call_command("verify", "--qr", text[:-4], "--keys", str(keys_file))
    assert done.value.code == 1
    assert "无效：" in capsys.readouterr().out
