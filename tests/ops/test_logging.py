"""JSON-lines logs: Granian's access records and Django's error records."""

import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import path

from jigong.core.logging import ACCESS_FORMAT, JsonFormatter, config


def test_access_record_as_json():
    args = {
        "addr": "127.0.0.1",
        "time": "x",
        "dt_ms": 1.23456,
        "status": 200,
        "path": "/verify/",
        "query_string": "",
        "method": "GET",
        "scheme": "http",
        "protocol": "HTTP/1.1",
        "_h0": "203.0.113.5",
        "_h1": "curl/8",
    }
    record = logging.LogRecord("granian.access", logging.INFO, "", 0, ACCESS_FORMAT, (args,), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/verify/" and line["status"] == 200 and line["dt_ms"] == 1.235
    assert line["x_forwarded_for"] == "203.0.113.5" and line["user_agent"] == "curl/8"
    assert "message" not in line and line["ts"].endswith("+08:00")


def test_error_record_with_request_and_traceback():
    request = RequestFactory().get("/schools/?q=重庆")
    try:
        raise ValueError("坏了")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            "",
            0,
            "Internal Server Error: %s",
            ("/x",),
            sys.exc_info(),
        )
    record.request, record.status_code = request, 500
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Internal Server Error: /x" and line["status"] == 500
    assert line["method"] == "GET" and line["path"].startswith("/schools/")
    assert "ValueError: 坏了" in line["exc"]


def test_config_with_log_dir(tmp_path):
    c = config(level="INFO", log_dir=str(tmp_path / "logs"))
    assert c["handlers"]["access"]["filename"].endswith("access.log")
    assert c["handlers"]["errors"]["filename"].endswith("error.log")
    logging.config.dictConfig(c)
    try:
        logging.getLogger("jigong.test").error("出错了")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    text = (tmp_path / "logs" / "error.log").read_text(encoding="utf-8")
    assert json.loads(text.splitlines()[-1])["message"] == "出错了"


# --- expected 4xx: one line, no traceback (at most WARNING); 500s keep theirs ----------


def _record(name, level, message, exc, status):
    try:
        raise exc
    except Exception:
        import sys

        record = logging.LogRecord(name, level, "", 0, message, ("/x",), sys.exc_info())
    record.request, record.status_code = RequestFactory().get("/x"), status
    return record


def test_expected_4xx_records_have_no_traceback():
    from django.core.exceptions import DisallowedHost, PermissionDenied

    for record, level in [
        (
            _record("django.request", logging.WARNING, "Forbidden: %s", PermissionDenied("x"), 403),
            "WARNING",
        ),
        (
            _record(
                "django.security.DisallowedHost",
                logging.ERROR,
                "Invalid host %s",
                DisallowedHost("x"),
                400,
            ),
            "WARNING",
        ),
    ]:
        text = JsonFormatter().format(record)
        line = json.loads(text)
        assert "\n" not in text and "exc" not in line and "Traceback" not in text
        assert line["level"] == level and line["status"] == record.status_code
        assert record.exc_info is not None  # the record itself is left as it was
    crash = _record(
        "django.request", logging.ERROR, "Internal Server Error: %s", ValueError("坏"), 500
    )
    line = json.loads(JsonFormatter().format(crash))
    assert line["level"] == "ERROR" and "ValueError: 坏" in line["exc"]


def boom(request):
    raise RuntimeError("坏了")


urlpatterns = [path("boom/", boom)]


def _lines(path):
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert all(line.startswith("{") for line in text.splitlines()), text
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def error_log(tmp_path):
    """Django's logging as `jigong serve` configures it, into tmp_path/logs/error.log."""
    logging.config.dictConfig(config(level="WARNING", log_dir=str(tmp_path / "logs")))
    try:
        yield tmp_path / "logs" / "error.log"
    finally:
        logging.config.dictConfig(settings.LOGGING)


def test_expected_403_404_400_are_one_json_line_each(client, world, error_log):
    client.force_login(world.user_a)
    assert client.get("/audit-log/").status_code == 403  # a school user: not its page
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    lines = _lines(error_log)
    assert [(x["status"], x["level"]) for x in lines] == [
        (403, "WARNING"),
        (404, "WARNING"),
        (400, "WARNING"),
    ]
    assert all("exc" not in x for x in lines)
    assert lines[0]["path"] == "/audit-log/" and lines[0]["user"] == "school_a"


@pytest.mark.urls(__name__)
def test_500_keeps_its_traceback_in_the_json_line(client, db, error_log):
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    (line,) = _lines(error_log)
    assert line["level"] == "ERROR" and line["status"] == 500
    assert "RuntimeError: 坏了" in line["exc"] and "Traceback" in line["exc"]


MAKE_SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from jigong.core.models import User
u = User.objects.create_user(username="grad", password="Jigong-Test-2025", role="graduate")
s = SessionStore()
s[SESSION_KEY] = str(u.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s.create()
print("SESSION", s.session_key)
"""


def test_serve_logs_expected_4xx_as_json_lines_only(tmp_path):
    """`jigong serve` as scripts/setup.sh runs it (no production profile): Django's
    records in the workers are JSON lines too, and a 403 carries no traceback."""
    import os
    import signal
    import subprocess
    import sys

    from tests.ops.conftest import ROOT, clean_env, free_port, http_get, jigong, migrate, wait_for

    env = clean_env(tmp_path / "data", LOG_LEVEL="INFO")
    migrate(env)
    jigong("createcachetable", env=env)
    out = jigong("shell", "-c", MAKE_SESSION, env=env).stdout
    session = out.split("SESSION", 1)[1].strip()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jigong",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-warm",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a kill reaches Granian's worker too
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", proc)
        assert http_get(base + "/audit-log/", {"Cookie": f"sessionid={session}"})[0] == 403
        assert http_get(base + "/no-such-page/")[0] == 404
        assert http_get(base + "/accounts/login/", {"Host": "evil.example"})[0] == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err[-3000:]
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # JSON only
    django = {x["status"]: x for x in lines if x["logger"].startswith("django")}
    assert set(django) == {403, 404, 400}, lines
    assert all(x["level"] == "WARNING" and "exc" not in x for x in django.values())
    assert django[403]["path"] == "/audit-log/" and django[403]["user"] == "grad"
