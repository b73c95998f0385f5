import datetime
import re

import pytest
from django.core.management import call_command

from jigong.certificates import numbering, services
from jigong.core.pii import mask_id, mask_name

VERIFY = "/verify/"
API = "/api/v1/certificates/verify"


@pytest.fixture
def cert(world, finishing):
    reg = finishing(name="张晓明")
    return services.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )


def post(client, number, name, ip="203.0.113.5", **extra):
    return client.post(VERIFY, {"number": number, "name": name, **extra}, REMOTE_ADDR=ip)


def test_masks():
    assert mask_name("张晓明") == "张*明"
    assert mask_name("李明") == "李*"
    assert mask_name("欧阳晓明") == "欧**明"
    assert mask_id("50010320070501123X") == "5001**********123X"


def test_page_shows_masked_certificate(client, cert):
    person = cert.registration.person
    r = post(client, cert.number, "张晓明")
    body = r.content.decode()
    assert r.status_code == 200
    assert "张*明" in body and "张晓明" not in body
    assert mask_id(person.id_number) in body and person.id_number not in body
    assert cert.school.name in body and "中级工班" in body and "中专" in body
    for use in ("职称评审", "参军入伍", "就业招聘"):
        assert use in body
    assert "2025-06-30" in body and "有效" in body


def test_page_get_shows_form(client):
    r = client.get(VERIFY)
    assert r.status_code == 200 and "证书编号" in r.content.decode()


def test_identical_miss_for_unknown_number_and_wrong_name(client, cert):
    unknown = numbering.make(2025, cert.school.code, "intermediate", 999)
    malformed = cert.number[:-1] + ("0" if cert.number[-1] != "0" else "1")
    asked = [(unknown, "张晓明"), (cert.number, "张小明"), (malformed, "张晓明")]
    bodies = []
    for i, (number, name) in enumerate(asked):
        body = post(client, number, name, ip=f"198.51.100.{i + 1}").content
        # the form keeps what was typed; apart from that, every miss reads the same
        for typed in (number, name):
            assert f'value="{typed}"'.encode() in body
            body = body.replace(f'value="{typed}"'.encode(), b'value=""')
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]
    assert "未查询到" in bodies[0].decode()
    api = [
        client.get(API, {"number": unknown, "name": "张晓明"}, REMOTE_ADDR="198.51.100.4"),
        client.get(API, {"number": cert.number, "name": "张小明"}, REMOTE_ADDR="198.51.100.5"),
        client.get(API, {"number": "<script>'; drop", "name": "x"}, REMOTE_ADDR="198.51.100.6"),
    ]
    assert {r.status_code for r in api} == {200}
    assert api[0].content == api[1].content == api[2].content
    assert api[0].json()["found"] is False


def test_revoked_shown_with_date_and_reason(client, world, cert):
    services.revoke(
        actor=world.user_a,
        certificate=cert,
        reason="学籍信息核查有误",
        on=datetime.date(2025, 10, 8),
    )
    body = post(client, cert.number, "张晓明").content.decode()
    assert "已撤销" in body and "2025-10-08" in body and "学籍信息核查有误" in body
    data = client.get(API, {"number": cert.number, "name": "张晓明"}).json()
    assert data["found"] and data["status"] == "revoked"
    assert data["ended_on"] == "2025-10-08" and data["ended_reason"] == "学籍信息核查有误"
    assert data["equivalence"] == ""


def test_api_masked_and_anonymous(client, cert):
    r = client.get(API, {"number": cert.number.lower(), "name": " 张晓明 "})
    assert r.status_code == 200
    data = r.json()
    assert data["found"] and data["holder"] == "张*明" and data["equivalence"] == "中专"
    assert data["id_number"] == mask_id(cert.registration.person.id_number)
    assert "职称评审" in data["equivalence_uses"]
    assert cert.registration.person.id_number not in r.content.decode()


def test_api_over_long_input_refused(client):
    r = client.get(API, {"number": "1" * 200, "name": "张"})
    assert r.status_code == 422


def test_rate_limit_per_ip_chinese_message(client, settings, cert):
    settings.JIGONG_VERIFY_RATE_PER_IP = (3, 60)
    for _ in range(3):
        assert client.get(API, {"number": cert.number, "name": "张晓明"}).status_code == 200
    r = client.get(API, {"number": cert.number, "name": "张晓明"})
    assert r.status_code == 429 and "查询过于频繁" in r.json()["detail"]
    page = post(client, cert.number, "张晓明", ip="127.0.0.1")
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    assert "张*明" not in page.content.decode()
    # another client is not affected
    assert post(client, cert.number, "张晓明", ip="192.0.2.9").status_code == 200


def test_misses_for_one_number_limit_that_client_only(client, settings, cert):
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (2, 3600)
    for name in ("甲", "乙"):
        client.get(API, {"number": cert.number, "name": name}, REMOTE_ADDR="192.0.2.1")
    r = client.get(API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="192.0.2.1")
    assert r.status_code == 429 and "查询过于频繁" in r.json()["detail"]
    r = client.get(API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="192.0.2.50")
    assert r.status_code == 200 and r.json()["found"]


def test_challenge_after_repeated_misses(client, settings, cert):
    import html
    import json

    import altcha

    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (2, 3600)
    for name in ("甲", "乙"):
        post(client, cert.number, name)
    body = post(client, cert.number, "张晓明").content.decode()
    assert "请先完成人机验证" in body and "张*明" not in body
    m = re.search(r"<altcha-widget[^>]*\bchallenge=\"([^\"]+)\"", body)
    challenge = altcha.Challenge.from_dict(json.loads(html.unescape(m[1])))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
    wrong = post(client, cert.number, "张晓明", altcha=payload[:-8] + "AAAAAAA=").content.decode()
    assert "人机验证未通过" in wrong and "张*明" not in wrong
    ok = post(client, cert.number, "张晓明", altcha=payload).content.decode()
    assert "张*明" in ok
    # the API, without a solved challenge, refuses the same client with the way through
    r = client.get(API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="203.0.113.5")
    assert r.status_code == 429 and "人机验证" in r.json()["detail"]


def test_verify_command(cert, capsys):
    call_command("verify", cert.number, "张晓明")
    out = capsys.readouterr().out
    assert "张*明" in out and "中专" in out and cert.number in out
    with pytest.raises(SystemExit):
        call_command("verify", cert.number, "王五")
    assert "未查询到" in capsys.readouterr().out


def test_openapi_lists_anonymous_verify(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/certificates/verify"]["get"]
    assert not op.get("security")
    assert {"200", "429"} <= set(op["responses"])
