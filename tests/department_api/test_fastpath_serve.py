"""The fast path under `jigong serve` (production profile, two Granian workers): the
verification paths keep the HTTPS redirect and the security headers, set no cookie, and
every buffered query-log row is written when the server stops gracefully."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jigong.public import ratelimit
from tests.ops.conftest import ROOT, clean_env, free_port, http_get, jigong, migrate, wait_for

pytestmark = pytest.mark.xdist_group("test_fastpath_serve")  # its module fixtures: one process

SECRET = "f" * 20 + "-fast-path-test-secret-key-0123456789abcdefXYZ"
HTTPS = {"X-Forwarded-Proto": "https"}
REQUESTS = 40


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    data = tmp_path_factory.mktemp("fastpath")
    env = clean_env(
        data,
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_STATIC_MANIFEST="0",
        # The timer never fires during the test: rows reach the table only through a
        # full queue or the flush at exit.
        JIGONG_QUERY_LOG_BUFFER_MS="600000",
        # The same (missing) number is asked hundreds of times: the key's miss limits
        # (per number, in all) must not answer before the per-minute limit under test.
        JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER="100000",
        JIGONG_VERIFY_KEY_MISSES="100000",
    )
    migrate(env)
    jigong("createcachetable", env=env)
    return env


def _key(env, name: str, rate: int) -> str:
    out = jigong(
        "apikey", "create", "--name", name, "--scope", "verify", "--rate", rate, env=env
    ).stdout
    return next(w for w in out.split() if w.startswith("jgk_"))


def _log_rows(env, client: str) -> int:
    db = sqlite3.connect(Path(env["JIGONG_DATA_DIR"]) / "jigong.sqlite3")
    try:
        return db.execute(
            "SELECT COUNT(*) FROM certificates_querylog WHERE channel = 'api_single' "
            "AND client = ?",
            [client],
        ).fetchone()[0]
    finally:
        db.close()


@pytest.fixture(scope="module")
def server(production):
    port = free_port()
    # Output to a file: a pipe nobody reads fills up with access-log lines and then
    # blocks the server.
    log = Path(production["JIGONG_DATA_DIR"]) / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jigong", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=production,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # stopped as a group (_kill)
        )
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
    except AssertionError:
        raise AssertionError(f"serve did not start:\n{_kill(proc)}") from None
    yield proc, base
    if proc.returncode is None:
        _kill(proc)


def _kill(proc) -> str:
    """Stop the server and its workers; the tail of its output."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return proc.log.read_text(errors="replace")[-4000:]


URL = "/api/v1/department/verify?" + urllib.parse.urlencode(
    {"number": "20250000000000001", "name": "张晓明"}
)
LIMITED = {}


def test_per_key_limit_holds_across_two_workers(server, production):
    """Each worker leases blocks of the key's minute from the shared counter: together
    they never admit more than the limit, and at most one block less."""
    _proc, base = server
    rate = 200
    block = ratelimit.lease_block(rate)
    for _attempt in range(3):
        key = _key(production, f"限流测试{_attempt}", rate)
        # a worker's unused lease lapses when the window's bucket changes (a sixth of it)
        bucket = ratelimit._bucket(60, time.time())
        with ThreadPoolExecutor(8) as pool:
            statuses = list(
                pool.map(
                    lambda _, key=key: http_get(base + URL, {"X-API-Key": key, **HTTPS})[0],
                    range(rate + 60),
                )
            )
        if ratelimit._bucket(60, time.time()) == bucket:  # else a new bucket: try again
            break
    admitted = statuses.count(200)
    assert set(statuses) == {200, 429}, statuses
    assert rate - 2 * block <= admitted <= rate  # unused leases: (block - 1) a worker
    LIMITED.update(client=f"限流测试{_attempt}", admitted=admitted)


def test_fast_path_served_securely_and_log_flushed_on_sigterm(server, production):
    proc, base = server
    env, key = production, _key(production, "市征兵办", 1000)
    try:
        query = urllib.parse.urlencode({"number": "20250000000000001", "name": "张晓明"})
        url = f"{base}/api/v1/department/verify?{query}"

        status, headers, _ = http_get(url, {"X-API-Key": key})  # plain HTTP
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers, body = http_get(url, HTTPS)
        assert status == 401 and "X-API-Key" in json.loads(body)["detail"]

        for _ in range(REQUESTS):
            status, headers, body = http_get(url, {"X-API-Key": key, **HTTPS})
            assert status == 200 and json.loads(body)["found"] is False
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in headers["Permissions-Policy"]
        assert headers.get_all("Set-Cookie") is None
        assert _log_rows(env, "市征兵办") == 0, "rows wait in the workers' queues"
    except BaseException:
        print(_kill(proc))
        raise

    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.log.read_text(errors="replace")[-3000:]
    assert time.monotonic() - started < 30
    assert _log_rows(env, "市征兵办") == REQUESTS, "every query is logged after a graceful stop"
    if LIMITED:
        assert _log_rows(env, LIMITED["client"]) == LIMITED["admitted"]
