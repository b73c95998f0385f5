"""Bad input to the public query system: sequential numbers, injection strings and
empty fields are refused uniformly, and every anonymous query is logged."""

import datetime
import time

import pytest
from django.core.management import call_command

from jigong.certificates import numbering, services
from jigong.certificates.models import QueryLog
from jigong.public import ratelimit

VERIFY = "/verify/"
API = "/api/v1/certificates/verify"


@pytest.fixture
def cert(world, finishing):
    return services.graduate(
        actor=world.user_a,
        registration=finishing(name="张晓明"),
        issued_on=datetime.date(2025, 6, 30),
    )


def _neighbours(number: str, n: int) -> list[str]:
    """Well-formed numbers next to ``number``: same prefix, serial ± k, fresh check char."""
    body = number[:-1]
    width = 6
    head, serial = body[:-width], int(body[-width:])
    out = []
    for k in range(1, n + 1):
        b = f"{head}{serial + k:0{width}d}"
        out.append(b + numbering.check_character(b))
    return out


def test_sequential_numbers_meet_the_limit_and_never_reveal(client, cert, settings):
    settings.JIGONG_VERIFY_RATE_PER_IP = (1000, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (3, 3600)
    bodies = set()
    states = []
    for number in _neighbours(cert.number, 6):
        r = client.get(API, {"number": number, "name": "张晓明"}, REMOTE_ADDR="198.51.100.7")
        states.append(r.status_code)
        if r.status_code == 200:
            bodies.add(r.content)
    # Three uniform misses, then the challenge: the real certificate is not told apart.
    assert states[:3] == [200, 200, 200] and set(states[3:]) == {429}
    assert len(bodies) == 1
    r = client.get(API, {"number": "X", "name": "Y"}, REMOTE_ADDR="198.51.100.9")
    assert r.json()["found"] is False and next(iter(bodies)) == r.content
    r = client.get(API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 429


def test_per_client_limit_stops_a_walk(client, cert, settings, monkeypatch):
    # the counters are fixed windows: hold the clock inside one (a loaded machine once
    # took the six requests across a minute boundary, and the count started again)
    now = (int(time.time()) // 60) * 60 + 1
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)
    settings.JIGONG_VERIFY_RATE_PER_IP = (4, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (1000, 3600)
    codes = [
        client.get(API, {"number": n, "name": "某某"}, REMOTE_ADDR="198.51.100.8").status_code
        for n in _neighbours(cert.number, 6)
    ]
    assert codes == [200] * 4 + [429] * 2
    assert (
        "过于频繁"
        in client.get(
            API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="198.51.100.8"
        ).json()["detail"]
    )


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE certificates_graduationcertificate; --",
    '" UNION SELECT id_number FROM students_person --',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "%00\x00\x1b",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_a_plain_miss(client, cert, text):
    miss_api = client.get(API, {"number": "X", "name": "Y"}, REMOTE_ADDR="192.0.2.1").json()
    for params in ({"number": text, "name": "张晓明"}, {"number": cert.number, "name": text}):
        r = client.get(API, params, REMOTE_ADDR="192.0.2.1")
        assert r.status_code == 200 and r.json() == miss_api
        page = client.post(VERIFY, params, REMOTE_ADDR="192.0.2.2")
        assert page.status_code == 200
        body = page.content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body
    from jigong.certificates.models import GraduationCertificate

    assert GraduationCertificate.objects.filter(pk=cert.pk).exists()


def test_empty_fields_refused_without_5xx(client, cert):
    for params in ({"number": "", "name": ""}, {"number": cert.number, "name": ""}, {}):
        r = client.get(API, params, REMOTE_ADDR="192.0.2.3")
        assert r.status_code in (200, 422)
        if r.status_code == 200:
            assert r.json()["found"] is False
    page = client.post(VERIFY, {"number": "", "name": ""}, REMOTE_ADDR="192.0.2.4")
    assert page.status_code == 200 and "张*明" not in page.content.decode()


def test_anonymous_queries_are_logged(client, cert):
    client.post(VERIFY, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="192.0.2.9")
    client.post(VERIFY, {"number": cert.number, "name": "王五"}, REMOTE_ADDR="192.0.2.9")
    client.get(API, {"number": cert.number, "name": "张晓明"}, REMOTE_ADDR="192.0.2.10")
    rows = list(
        QueryLog.objects.order_by("pk").values_list("channel", "ip", "number", "name", "found")
    )
    assert rows == [
        ("public_page", "192.0.2.9", cert.number, "张*明", True),
        ("public_page", "192.0.2.9", cert.number, "王*", False),
        ("public_api", "192.0.2.10", cert.number, "张*明", True),
    ]


def test_verify_command_skill_certificate_and_uniform_miss(world, cert, capsys):
    from jigong.certificates import services as certificates
    from jigong.schools import services as schools

    schools.designation_add(
        actor=world.municipal, school=world.school_a, kind="evaluation_institution", year=2025
    )
    skill = certificates.skill_certificate_create(
        actor=world.user_a,
        person=cert.registration.person,
        number="S500000000000000000123",
        occupation_code="6-18-01-01",
        occupation_name="车工",
        level=4,
        issued_on=datetime.date(2025, 6, 1),
        evaluator=world.school_a,
    )
    call_command("verify", skill.number, "张晓明")
    out = capsys.readouterr().out
    assert "职业技能等级证书" in out and "张*明" in out and "车工" in out and cert.number in out
    misses = []
    for number, name in ((skill.number, "王五"), ("S500000000000000000999", "张晓明")):
        with pytest.raises(SystemExit):
            call_command("verify", number, name)
        misses.append(capsys.readouterr().out)
    assert misses[0] == misses[1] and "未查询到" in misses[0]
    assert QueryLog.objects.filter(channel="terminal").count() == 3
