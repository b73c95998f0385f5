"""Issue 13, case 3 and case 4 (verification): a wrong-name flood cannot deny a holder's
verification, refused queries count nothing, the department batch applies the limits
to each item, and the /verify/ challenge is a proof of work a script pays for."""

import base64
import datetime
import html
import json
import re
import time

import altcha
import pytest
from django.conf import settings as django_settings

from jigong.public import services as public_services
from tests import factories as f

VERIFY = "/verify/"
CODE = "/verify/code/"
API = "/api/v1/certificates/verify"
CHALLENGE_API = "/api/v1/certificates/challenge"
BATCH = "/api/v1/department/verify/batch"
DEPT = "/api/v1/department/verify"
ATTACKER = "198.51.100.66"


@pytest.fixture
def cert(world):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="张晓明", birth=datetime.date(2006, 3, 1)
    )
    world.graduate.person = cert.registration.person
    world.graduate.save(update_fields=["person"])
    return cert


def api(client, number, name, ip, **extra):
    return client.get(API, {"number": number, "name": name, **extra}, REMOTE_ADDR=ip)


def page(client, number, name, ip, **extra):
    return client.post(VERIFY, {"number": number, "name": name, **extra}, REMOTE_ADDR=ip)


def key(world, name="市征兵办", rate=100_000):
    return public_services.api_key_create(
        actor=world.municipal, name=name, scopes=["verify", "verify:batch"], rate_per_minute=rate
    ).key


def batch(client, key, items):
    r = client.post(BATCH, {"items": items}, content_type="application/json", HTTP_X_API_KEY=key)
    assert r.status_code == 200, r.content
    return r.json()


def widget_challenge(body: str) -> dict:
    """The challenge the page gives its ALTCHA widget (no arithmetic question)."""
    m = re.search(r"<altcha-widget[^>]*\bchallenge=\"([^\"]+)\"", body)
    assert m, "no ALTCHA widget on the page"
    return json.loads(html.unescape(m[1]))


def solve(challenge: dict) -> str:
    """What the widget submits: base64 of {challenge, solution}."""
    c = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(c)
    return altcha.Payload(c, solution).to_base64()


# --- case 3: the flood cannot block the holder -------------------------------------------


def test_wrong_name_flood_does_not_block_the_holder(client, world, cert):
    from jigong.certificates import services as cert_services

    code = cert_services.verification_code_create(
        actor=world.graduate, certificate=cert, days=30
    ).code
    statuses = [api(client, cert.number, f"假名{i}", ATTACKER).status_code for i in range(40)]
    # the flood limits its own client: refused after a few misses, even with the right name
    assert statuses.count(429) >= 30
    assert api(client, cert.number, "张晓明", ATTACKER).status_code == 429
    # the holder, from another address, through the API, the page and the code
    r = api(client, cert.number, "张晓明", "203.0.113.10")
    assert r.status_code == 200 and r.json()["found"] is True
    body = page(client, cert.number, "张晓明", "203.0.113.11").content.decode()
    assert "张*明" in body
    r = client.post(CODE, {"code": code}, REMOTE_ADDR="203.0.113.12")
    assert r.status_code == 200 and "张*明" in r.content.decode()


def test_refused_queries_count_nothing(client, settings, cert):
    settings.JIGONG_VERIFY_MISSES_PER_NUMBER = (5, 3600)
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (2, 3600)
    settings.JIGONG_VERIFY_RATE_PER_IP = (30, 60)
    answers = [api(client, cert.number, f"假名{i}", ATTACKER) for i in range(25)]
    assert [r.status_code for r in answers[:2]] == [200, 200]
    assert {r.status_code for r in answers[2:]} == {429}
    # 23 refused queries spent neither the number's miss budget nor its answers
    r = api(client, cert.number, "张晓明", "203.0.113.20")
    assert r.status_code == 200 and r.json()["found"] is True
    # a query refused by the client's own window counts nothing either
    settings.JIGONG_VERIFY_RATE_PER_IP = (3, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100, 3600)
    ip = "203.0.113.21"
    assert [api(client, f"X{i}", "张三", ip).status_code for i in range(3)] == [200] * 3
    assert {api(client, f"X{i}", "张三", ip).status_code for i in range(10)} == {429}
    settings.JIGONG_VERIFY_RATE_PER_IP = (4, 60)
    assert api(client, "X9", "张三", ip).status_code == 200


def test_distributed_enumeration_meets_the_challenge(client, settings, world, cert):
    settings.JIGONG_VERIFY_MISSES_PER_NUMBER = (6, 3600)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (3, 3600)
    for i in range(6):  # six addresses, one wrong name each: no client is noticed
        assert api(client, cert.number, f"假名{i}", f"192.0.2.{i}").json()["found"] is False
    # the number's miss budget is spent: every further query for it asks the challenge,
    # from any address, but a correct answer is never refused outright
    r = api(client, cert.number, "李四", "192.0.2.100")
    assert r.status_code == 429 and "人机验证" in r.json()["detail"]
    body = page(client, cert.number, "张晓明", "192.0.2.101").content.decode()
    assert "张*明" not in body and "<altcha-widget" in body
    payload = solve(widget_challenge(body))
    body = page(client, cert.number, "张晓明", "192.0.2.101", altcha=payload).content.decode()
    assert "张*明" in body
    # the JSON API takes a solved challenge from /api/v1/certificates/challenge
    challenge = client.get(CHALLENGE_API).json()
    r = api(client, cert.number, "张晓明", "192.0.2.102", altcha=solve(challenge))
    assert r.status_code == 200 and r.json()["found"] is True
    # another number is not affected
    other = f.graduated_certificate(
        world.school_a, world.user_a, name="王小红", birth=datetime.date(2005, 5, 5)
    )
    assert api(client, other.number, "王小红", "192.0.2.103").json()["found"] is True


# --- case 4: department batch per-item limits ---------------------------------------------


def test_batch_applies_the_limits_to_each_item(client, world, cert):
    k = key(world)
    guesses = [{"number": cert.number, "name": f"假名{i}"} for i in range(2000)]
    out = batch(client, k, [*guesses, {"number": cert.number, "name": "张晓明"}])
    results = out["results"]
    # a handful of wrong names is answered, every later item for that number is limited
    assert sum(1 for r in results if r.get("limited")) >= 1990
    assert results[-1]["limited"] is True and results[-1]["found"] is False
    assert results[-1]["result"] is None and "张*明" not in json.dumps(out, ensure_ascii=False)
    # the next batch (and single query) of this key for the number stays limited
    again = batch(client, k, [{"number": cert.number, "name": "张晓明"}])
    assert again["results"][0]["limited"] is True
    r = client.get(DEPT, {"number": cert.number, "name": "张晓明"}, HTTP_X_API_KEY=k)
    assert r.status_code == 429
    # another department key, and the public, still verify the holder
    other = batch(client, key(world, "市职称办"), [{"number": cert.number, "name": "张晓明"}])
    assert other["results"][0]["found"] is True
    assert api(client, cert.number, "张晓明", "203.0.113.30").json()["found"] is True


def test_batch_misses_count_like_single_misses_for_the_key(client, settings, world, cert):
    settings.JIGONG_VERIFY_KEY_MISSES = (5, 3600)
    k = key(world)
    out = batch(client, k, [{"number": f"X{i}", "name": "张三"} for i in range(8)])
    assert [bool(r.get("limited")) for r in out["results"]] == [False] * 5 + [True] * 3
    r = client.get(DEPT, {"number": "X99", "name": "张三"}, HTTP_X_API_KEY=k)
    assert r.status_code == 429 and "未查到" in r.json()["detail"]
    # single misses count too, for a key of its own
    k2 = key(world, "市职称办")
    for i in range(5):
        client.get(DEPT, {"number": f"Y{i}", "name": "张三"}, HTTP_X_API_KEY=k2)
    out = batch(client, k2, [{"number": "Y9", "name": "张三"}])
    assert out["results"][0]["limited"] is True


def test_batch_size_is_capped(client, world, cert):
    from jigong.policy import rules

    most = rules.batch_verify_max(datetime.date.today())
    items = [{"number": cert.number, "name": "张晓明"}] * (most + 1)
    r = client.post(
        BATCH, {"items": items}, content_type="application/json", HTTP_X_API_KEY=key(world)
    )
    assert r.status_code == 422 and str(most) in r.json()["detail"]


# --- case 4: a challenge a script cannot answer for free ----------------------------------


def _challenged_page(client, settings, cert, ip="203.0.113.40"):
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (2, 3600)
    for name in ("甲", "乙"):
        page(client, cert.number, name, ip)
    return page(client, cert.number, "张晓明", ip).content.decode()


def test_the_arithmetic_question_is_gone(client, settings, cert):
    body = _challenged_page(client, settings, cert)
    assert "<altcha-widget" in body and "张*明" not in body
    assert "等于多少" not in body and 'name="answer"' not in body
    # an "answer" field does not pass anything
    for guess in range(2, 41):
        r = page(client, cert.number, "张晓明", "203.0.113.40", answer=guess)
        assert "张*明" not in r.content.decode()


def test_solution_is_single_use_and_must_be_genuine(client, settings, cert):
    ip = "203.0.113.41"
    body = _challenged_page(client, settings, cert, ip)
    challenge = widget_challenge(body)
    assert challenge["parameters"]["algorithm"].startswith("PBKDF2")
    payload = solve(challenge)
    assert "张*明" in page(client, cert.number, "张晓明", ip, altcha=payload).content.decode()
    # replayed
    replay = page(client, cert.number, "张晓明", ip, altcha=payload).content.decode()
    assert "张*明" not in replay and "人机验证" in replay
    # forged: a cheaper challenge of one's own, or an altered signed one
    forged = altcha.create_challenge("PBKDF2/SHA-256", 1, counter=0, hmac_secret="guess")
    fake = altcha.Payload(forged, altcha.solve_challenge(forged)).to_base64()
    assert "张*明" not in page(client, cert.number, "张晓明", ip, altcha=fake).content.decode()
    data = json.loads(base64.b64decode(solve(widget_challenge(replay))))
    data["challenge"]["parameters"]["cost"] = 1
    cheap = base64.b64encode(json.dumps(data).encode()).decode()
    assert "张*明" not in page(client, cert.number, "张晓明", ip, altcha=cheap).content.decode()
    # a wrong solution
    fresh = widget_challenge(replay)
    data = json.loads(base64.b64decode(solve(fresh)))
    key = data["solution"]["derivedKey"]
    data["solution"]["derivedKey"] = ("0" if key[0] != "0" else "1") + key[1:]
    wrong = base64.b64encode(json.dumps(data).encode()).decode()
    assert "张*明" not in page(client, cert.number, "张晓明", ip, altcha=wrong).content.decode()
    # garbage never answers 500
    for junk in ("", "x", "e30=", "W10=", base64.b64encode(b'{"challenge":1}').decode()):
        assert page(client, cert.number, "张晓明", ip, altcha=junk).status_code == 200


def test_solution_expires(client, settings, cert):
    ip = "203.0.113.42"
    body = _challenged_page(client, settings, cert, ip)
    payload = solve(widget_challenge(body))
    later = time.time() + django_settings.JIGONG_VERIFY_CHALLENGE_SECONDS + 5
    from unittest import mock

    with mock.patch("time.time", return_value=later):
        r = page(client, cert.number, "张晓明", ip, altcha=payload)
    assert "张*明" not in r.content.decode()


def test_a_script_pays_at_least_half_a_second_of_cpu(client, settings, cert):
    """Solving the page's challenge with the reference solver (native PBKDF2)."""
    cpu = []
    for _ in range(3):
        challenge = client.get(CHALLENGE_API).json()
        start = time.process_time()
        solve(challenge)
        cpu.append(time.process_time() - start)
    print("CPU per solved challenge (s):", [round(c, 3) for c in cpu])
    assert min(cpu) >= 0.5
