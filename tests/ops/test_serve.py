"""`jigong serve` under the production profile, as systemd runs it: health check, pages
and hashed static files through WhiteNoise, JSON access log, graceful SIGTERM."""

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, clean_env, free_port, http_get, jigong, migrate, wait_for

pytestmark = pytest.mark.xdist_group("test_serve")  # its module fixtures: one process

SECRET = "k" * 20 + "-production-test-secret-key-0123456789abcdefXYZ"
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve")
    env = clean_env(
        data,
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="INFO",
    )
    migrate(env)
    jigong("createcachetable", env=env)
    jigong("collectstatic", "--noinput", "-v0", env=env)
    return env


@pytest.fixture(scope="module")
def server(production):
    """The server's output goes to files, as under systemd's journal: a pipe nobody reads
    while it runs fills up and stalls the logging workers."""
    port = free_port()
    logs = Path(production["JIGONG_DATA_DIR"])
    with open(logs / "serve.out", "w") as out, open(logs / "serve.err", "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jigong", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=production,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # so that the teardown reaches Granian's workers too
        )
    proc.out, proc.err = logs / "serve.out", logs / "serve.err"
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
    except AssertionError:
        proc.kill()
        proc.wait()
        raise AssertionError(
            f"serve did not start:\n{proc.out.read_text()[-2000:]}\n{proc.err.read_text()[-3000:]}"
        ) from None
    yield proc, base
    # The whole group: a killed main process must not leave its workers running.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_healthz_checks_the_database(server):
    _proc, base = server
    status, _headers, body = http_get(base + "/healthz")
    assert status == 200  # plain HTTP allowed for the health check only
    assert json.loads(body) == {"status": "ok", "database": "sqlite"}


def test_plain_http_is_redirected_to_https(server):
    _proc, base = server
    status, headers, _body = http_get(base + "/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")


def test_page_and_hashed_static_files(server):
    _proc, base = server
    status, headers, body = http_get(base + "/accounts/login/", HTTPS)
    text = body.decode()
    assert status == 200 and "工作人员登录" in text
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    cookies = headers.get_all("Set-Cookie") or []
    assert any(c.startswith("__Host-jigong-csrf=") and "Secure" in c for c in cookies)
    css = re.search(r'href="(/static/jigong/portal\.[0-9a-f]{12}\.css)"', text)
    assert css, "the page links the hashed stylesheet"
    status, headers, body = http_get(base + css.group(1), {"Accept-Encoding": "gzip", **HTTPS})
    assert status == 200 and body
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    )
    assert headers.get("Content-Encoding") == "gzip"


def test_serve_warms_the_dashboard_cache(server, production):
    """The child `jigong warm` fills the shared cache, so the first /dashboard/ is quick."""
    db = sqlite3.connect(Path(production["JIGONG_DATA_DIR"]) / "jigong.sqlite3")
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM jigong_cache WHERE cache_key LIKE '%indicators:%'"
        ).fetchone()
        if count:
            break
        time.sleep(0.5)
    db.close()
    assert count > 0, "jigong warm did not cache the dashboard's figures"


def test_sigterm_stops_gracefully_with_json_access_log(server):
    proc, base = server
    assert http_get(base + "/healthz", {"User-Agent": "ops-test"})[0] == 200

    def mine():
        return [
            a
            for a in json_lines(proc.out)
            if a.get("logger") == "granian.access"
            and a.get("path") == "/healthz"
            and a.get("user_agent") == "ops-test"
        ]

    # The worker writes the access line after the response; a loaded machine may take
    # a moment.
    deadline = time.monotonic() + 20
    while not mine() and time.monotonic() < deadline:
        time.sleep(0.2)
    line = mine()
    assert line and line[0]["status"] == 200 and line[0]["method"] == "GET"
    assert line[0]["dt_ms"] >= 0 and line[0]["addr"] == "127.0.0.1"

    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    proc.wait(timeout=30)
    assert proc.returncode == 0, proc.err.read_text()[-2000:]
    assert time.monotonic() - started < 15  # a few seconds; CI machines may be loaded
    logs = json_lines(proc.err)
    assert any("shutdown" in entry.get("message", "").lower() for entry in logs)
