"""Issue 13, case 2 and case 4 (first two items): the real client address comes from
the trusted proxies only (JIGONG_TRUSTED_PROXIES), the log-in lock-out is keyed on the
user name and that address, and the verification counters are shared by every worker
of a real `jigong serve`."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.test import Client

from jigong.core.models import AuditLog
from tests.ops.conftest import ROOT, clean_env, free_port, http_get, jigong, migrate, wait_for
from tests.ops.conftest import engine as engine  # a fixture, used by name

pytestmark = pytest.mark.xdist_group("test_client")  # the server fixture: one process

PASSWORD = "Jigong-Test-2025"
NGINX = "127.0.0.1"  # the documented nginx, on the same machine (docs/ops.md)
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def production(settings, monkeypatch):
    """The client-address settings of the production profile, as it sets them with no
    JIGONG_* override in the environment."""
    from jigong import settings_production

    for name in ("JIGONG_TRUSTED_PROXIES", "JIGONG_CLIENT_IP_HEADER", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "p" * 20 + "-production-test-secret-key-0123456789abcdefXYZ")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    ns = {"STORAGES": settings.STORAGES}
    settings_production.apply(ns)
    for name, value in ns.items():
        if name.startswith(("JIGONG_", "AXES_")):
            setattr(settings, name, value)
    # Every wrong name counts as a miss; here only the per-client window is measured.
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (10_000, 3600)
    return settings


def _log_in(*, peer: str, real_ip: str | None, username: str, password: str):
    extra = {"REMOTE_ADDR": peer}
    if real_ip is not None:
        extra["HTTP_X_REAL_IP"] = real_ip
    return Client(**extra).post(
        "/accounts/login/", {"username": username, "password": password}, **HTTPS
    )


@pytest.mark.django_db
def test_five_failures_lock_the_user_from_that_address_only(production, world):
    """Behind nginx, five wrong passwords from one client lock ``city`` for that client;
    the right password from another client still logs in."""
    attacker = "203.0.113.9"
    for _ in range(4):
        r = _log_in(peer=NGINX, real_ip=attacker, username="city", password="wrong")
        assert r.status_code == 200
    r = _log_in(peer=NGINX, real_ip=attacker, username="city", password="wrong")
    assert r.status_code == 429 and "已被锁定 30 分钟" in r.content.decode()
    # Still locked for the attacker, even with the right password.
    r = _log_in(peer=NGINX, real_ip=attacker, username="city", password=PASSWORD)
    assert r.status_code == 429
    # The owner of the account, at another address, logs in.
    r = _log_in(peer=NGINX, real_ip="198.51.100.20", username="city", password=PASSWORD)
    assert r.status_code == 302, r.content.decode()[:500]
    # The failures were audited with the attacker's address, not the proxy's.
    failed = AuditLog.objects.filter(message__startswith="登录失败").values_list(
        "message", flat=True
    )
    assert failed and all(attacker in m for m in failed), list(failed)


@pytest.mark.django_db
def test_more_failures_do_not_lock_others_out(production, world):
    """Failures go on from the attacker's address while the account is locked there:
    other addresses are never locked, and the attacker's lock is theirs only."""
    for _ in range(12):
        _log_in(peer=NGINX, real_ip="203.0.113.9", username="city", password="wrong")
    for other in ("198.51.100.20", "198.51.100.21"):
        r = _log_in(peer=NGINX, real_ip=other, username="city", password=PASSWORD)
        assert r.status_code == 302, other


@pytest.mark.django_db
def test_a_client_reaching_the_app_port_directly_cannot_choose_its_address(production, world):
    """Not from a trusted proxy, X-Real-IP / X-Forwarded-For are ignored: a client that
    changes them with every request is still one client (lock-out, limits, audit)."""
    direct = "192.0.2.50"
    for i in range(5):
        r = _log_in(peer=direct, real_ip=f"10.0.0.{i}", username="city", password="wrong")
    assert r.status_code == 429
    r = _log_in(peer=direct, real_ip="10.0.0.99", username="city", password=PASSWORD)
    assert r.status_code == 429  # locked: the spoofed header did not make a new client
    messages = list(
        AuditLog.objects.filter(message__startswith="登录失败").values_list("message", flat=True)
    )
    assert messages and all(direct in m and "10.0.0." not in m for m in messages), messages

    limit = production.JIGONG_VERIFY_RATE_PER_IP[0]
    statuses = []
    for i in range(limit + 1):
        c = Client(
            REMOTE_ADDR=direct,
            HTTP_X_REAL_IP=f"10.1.{i // 250}.{i % 250}",
            HTTP_X_FORWARDED_FOR=f"10.2.{i // 250}.{i % 250}",
        )
        r = c.get(
            "/api/v1/certificates/verify", {"number": f"GZ2025{i:08d}", "name": "张三"}, **HTTPS
        )
        statuses.append(r.status_code)
    assert statuses[:limit] == [200] * limit and statuses[limit] == 429, statuses


@pytest.mark.django_db
def test_the_trusted_proxy_is_believed_for_each_client(production, world):
    """From nginx, each client has its own verification window: one client over its
    limit does not stop the next one."""
    limit = production.JIGONG_VERIFY_RATE_PER_IP[0]

    def ask(real_ip: str, i: int) -> int:
        c = Client(REMOTE_ADDR=NGINX, HTTP_X_REAL_IP=real_ip)
        return c.get(
            "/api/v1/certificates/verify", {"number": f"GZ2025{i:08d}", "name": "张三"}, **HTTPS
        ).status_code

    first = [ask("198.51.100.1", i) for i in range(limit + 1)]
    assert first[-1] == 429 and 429 not in first[:-1], first
    assert ask("198.51.100.2", limit + 1) == 200


@pytest.mark.django_db
def test_x_forwarded_for_is_read_from_the_proxy_end(production, world):
    """With JIGONG_CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR, addresses a client puts in the
    header itself come before nginx's entry and are never taken for the client."""
    production.JIGONG_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    attacker = "203.0.113.9"
    for i in range(5):
        r = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, {attacker}").post(
            "/accounts/login/", {"username": "city", "password": "wrong"}, **HTTPS
        )
    assert r.status_code == 429
    r = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.20").post(
        "/accounts/login/", {"username": "city", "password": PASSWORD}, **HTTPS
    )
    assert r.status_code == 302
    messages = AuditLog.objects.filter(message__startswith="登录失败").values_list(
        "message", flat=True
    )
    assert messages and all(attacker in m for m in messages), list(messages)


@pytest.mark.django_db
def test_a_burst_across_the_window_boundary_gets_no_second_allowance(
    production, world, monkeypatch
):
    """The per-client limit holds for any 60 s, not per clock minute: 25 queries late in
    one minute and more just after it are 30 answered in all; the client is answered
    again once its queries are a window old."""
    from jigong.public import ratelimit

    limit, window = production.JIGONG_VERIFY_RATE_PER_IP
    start = (int(time.time()) // window) * window
    clock = {"now": start + window - 10}
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    c = Client(REMOTE_ADDR=NGINX, HTTP_X_REAL_IP="198.51.100.5")

    def ask(i: int) -> int:
        return c.get(
            "/api/v1/certificates/verify", {"number": f"GZ2025{i:08d}", "name": "张三"}, **HTTPS
        ).status_code

    late = [ask(i) for i in range(limit - 5)]
    clock["now"] = start + window + 1  # 11 s later, in the next clock minute
    early = [ask(100 + i) for i in range(limit)]
    assert late == [200] * (limit - 5), late
    assert early[:5] == [200] * 5 and set(early[5:]) == {429}, early
    clock["now"] = start + 2 * window + 15  # a window (and a bucket) after the first burst
    assert ask(500) == 200


# A real `jigong serve` with two Granian workers -------------------------------------


def _kill(proc) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


@pytest.fixture(scope="module")
def served(tmp_path_factory, engine):
    """`jigong serve --workers 2` (default profile, database cache) behind a trusted
    proxy on the loopback address; its access and error logs in JIGONG_LOG_DIR."""
    data = tmp_path_factory.mktemp("client-serve")
    extra = {}
    if engine != "sqlite":
        extra["DATABASE_URL"] = engine.url(engine.create("client"))
    env = clean_env(
        data,
        JIGONG_TRUSTED_PROXIES=NGINX,
        JIGONG_LOG_DIR=data / "log",
        LOG_LEVEL="INFO",
        JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE="10000",
        JIGONG_VERIFY_RATE_PER_NUMBER="10000",
        **extra,
    )
    for name in ("JIGONG_CACHE", "JIGONG_VERIFY_RATE_PER_IP", "JIGONG_CLIENT_IP_HEADER"):
        env.pop(name, None)
    migrate(env)
    jigong("createcachetable", env=env)
    port = free_port()
    with (data / "serve.out").open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jigong", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc, seconds=60)
    except AssertionError:
        _kill(proc)
        raise AssertionError((data / "serve.out").read_text()[-4000:]) from None
    yield proc, base, data
    _kill(proc)


def _verify(base: str, real_ip: str, i: int) -> int:
    query = urllib.parse.urlencode({"number": f"GZ2025{i:08d}", "name": "张三"})
    url = f"{base}/api/v1/certificates/verify?{query}"
    return http_get(url, {"X-Real-IP": real_ip, "Connection": "close"})[0]


def test_two_workers_share_the_counters_and_log_the_real_client(served):
    """The 31st query of one client within the window is its first 429, whichever
    worker answers; another client is still answered; the access and error logs name
    the client, not the proxy."""
    proc, base, data = served
    limit = 30  # the default JIGONG_VERIFY_RATE_PER_IP
    # Wherever the burst falls in the clock minute (even across it), it takes well
    # under 60 s: exactly the first 30 are answered.
    client = "198.51.100.77"
    started = time.monotonic()
    statuses = [_verify(base, client, i) for i in range(limit + 10)]
    assert time.monotonic() - started < 50
    assert statuses.index(429) == limit and set(statuses[limit:]) == {429}, statuses
    assert _verify(base, "198.51.100.78", 999) == 200

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    access = [
        json.loads(line)
        for line in (data / "log" / "access.log").read_text().splitlines()
        if '"/api/v1/certificates/verify"' in line
    ]
    mine = [a for a in access if a.get("client") == client]
    assert len(mine) == limit + 10, access[:3]
    assert {a["addr"] for a in mine} == {NGINX}  # the connecting peer, kept as well
    errors = [
        json.loads(line)
        for line in (data / "log" / "error.log").read_text().splitlines()
        if line.startswith("{") and '"status": 429' in line
    ]
    assert errors and {e.get("client") for e in errors} == {client}, errors[:3]
