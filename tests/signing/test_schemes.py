"""Signature schemes, the SM2/SM3 implementation against the standards, the key store."""

import json
import stat

import pytest
from django.core.management import CommandError, call_command

from jigong.certificates import signing
from jigong.core.models import AuditLog

MESSAGE = "技工院校毕业证书 20255010110000011".encode()

# GB/T 32905-2016 Annex A (SM3).
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]
# GB/T 32918.5-2016 Annex A (= GM/T 0003.5-2012): signature over the recommended curve,
# default user id 1234567812345678, message "message digest".
GBT_PRIVATE = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
GBT_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
GBT_SIGNATURE = (
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


@pytest.mark.parametrize("name", sorted(signing.SCHEMES))
def test_round_trip(name):
    s = signing.scheme(name)
    private = s.generate()
    public = s.public_of(private)
    signature = s.sign(private, MESSAGE)
    assert len(signature) == s.signature_length
    assert s.verify(public, MESSAGE, signature)
    assert not s.verify(public, MESSAGE + b"!", signature)
    other = s.public_of(s.generate())
    assert not s.verify(other, MESSAGE, signature)
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    assert not s.verify(public, MESSAGE, flipped)
    assert not s.verify(public, MESSAGE, signature[:-1])
    assert not s.verify(public, MESSAGE, b"")


def test_unknown_scheme_is_refused_in_chinese():
    with pytest.raises(signing.SigningError, match="签名算法“rsa”：不支持"):
        signing.scheme("rsa")


@pytest.mark.parametrize(("data", "digest"), SM3_VECTORS)
def test_sm3_standard_vectors_in_both_implementations(data, digest):
    from cryptography.hazmat.primitives import hashes
    from gmalglib.sm3 import SM3

    assert SM3(data).digest().hex() == digest
    h = hashes.Hash(hashes.SM3())  # OpenSSL's SM3: an independent implementation
    h.update(data)
    assert h.finalize().hex() == digest


def test_sm2_standard_example_key_and_signature():
    s = signing.SM2Scheme
    public = s.public_of(bytes.fromhex(GBT_PRIVATE))
    assert public.hex().upper() == GBT_PUBLIC
    signature = bytes.fromhex(GBT_SIGNATURE)
    assert s.verify(public, b"message digest", signature)
    assert not s.verify(public, b"message digesT", signature)
    # r and s must lie in [1, n-1]: the all-zero and the order itself are refused.
    assert not s.verify(public, b"message digest", bytes(64))
    n = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123")
    assert not s.verify(public, b"message digest", n + signature[32:])


def test_sm2_cross_checked_with_independent_gmssl():
    """gmssl (pure Python, another code base) and our SM2 accept each other's signatures."""
    import secrets

    from gmssl import sm2 as gm

    s = signing.SM2Scheme
    for _ in range(5):
        private = s.generate()
        public = s.public_of(private)
        theirs = gm.CryptSM2(private_key=private.hex(), public_key="")
        theirs.public_key = public.hex()[2:]  # x ‖ y, as gmssl keeps it
        ours = s.sign(private, MESSAGE)
        assert theirs.verify_with_sm3(ours.hex(), MESSAGE)
        signed = bytes.fromhex(theirs.sign_with_sm3(MESSAGE, secrets.token_hex(32)))
        assert s.verify(public, MESSAGE, signed)
        assert not theirs.verify_with_sm3(ours.hex(), MESSAGE + b"x")
    # gmssl also verifies the standard's example signature.
    example = gm.CryptSM2(private_key=GBT_PRIVATE, public_key="")
    example.public_key = GBT_PUBLIC[2:]
    assert example.verify_with_sm3(GBT_SIGNATURE.lower(), b"message digest")


# --- key store ----------------------------------------------------------------------


def test_create_writes_private_key_0600_and_publishes(keystore):
    key = keystore.create()
    assert key.kid == "S1" and key.scheme == "sm2"
    private = keystore.folder / "S1.key.json"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(keystore.folder.stat().st_mode) == 0o700
    doc = keystore.published()
    assert doc["active"] == "S1"
    assert [k["kid"] for k in doc["keys"]] == ["S1"]
    assert "private_key" not in json.dumps(doc)
    assert signing.published_keys(doc)["S1"].public == key.public


def test_create_twice_is_refused(keystore):
    keystore.create()
    with pytest.raises(signing.SigningError, match="jigong keys rotate"):
        keystore.create()


def test_no_key_yet(keystore):
    with pytest.raises(signing.SigningError, match="jigong keys create"):
        keystore.signer()


def test_rotate_keeps_old_key_published(keystore):
    first = keystore.create()
    signature = keystore.signer().sign(MESSAGE)
    old, new = keystore.rotate("ed25519")
    assert old.kid == first.kid and new.kid == "E2"
    assert keystore.signer().kid == "E2"
    keys = signing.published_keys(keystore.published())
    assert keys["S1"].retired and not keys["E2"].retired
    assert keys["S1"].verify(MESSAGE, signature)


@pytest.mark.django_db
def test_keys_command_create_rotate_list_export(keystore, capsys, tmp_path):
    call_command("keys", "create")
    call_command("keys", "rotate")
    call_command("keys", "list")
    out = tmp_path / "keys.json"
    call_command("keys", "export-public", "--out", str(out))
    text = capsys.readouterr().out
    assert "已创建签名密钥 S1" in text and "已启用新签名密钥 S2" in text
    assert "S1\tsm2" in text and "已停用" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["active"] == "S2" and {k["kid"] for k in doc["keys"]} == {"S1", "S2"}
    messages = list(
        AuditLog.objects.filter(object_type="certificates.signingkey").values_list(
            "message", flat=True
        )
    )
    assert any("创建签名密钥S1" in m for m in messages)
    assert any("停用S1" in m for m in messages)
    with pytest.raises(CommandError, match="已有启用中的签名密钥"):
        call_command("keys", "create")
