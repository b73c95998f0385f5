"""A full disk, an unreachable database or an unexpected error: the user gets a Chinese
page (JSON under /api/) without details, the operator a JSON error-log line naming the
request and the reason, /healthz a 503 with the reason (jigong/core/outage.py).

Full disk: a real one — the server's data folder (SQLite file, uploads) on a tiny tmpfs
mounted for the test (needs root, as in CI) and filled up, so SQLite and file writes
get ENOSPC from the kernel. Unreachable database: `jigong serve` with DATABASE_URL at a
closed PostgreSQL port. In-process: writes to /dev/full (ENOSPC) and an unexpected
exception raised by a view."""

import json
import logging
import subprocess

import pytest
from django.test import Client

from tests.faults.conftest import Browser, clean_env, kill9, serve
from tests.ops.conftest import free_port, jigong, migrate

SECRET = "f" * 20 + "-faults-test-secret-key-0123456789abcdefXYZ"
LEAKS = ("Traceback", 'File "', "psycopg", "sqlite3", "OperationalError", "secret detail")


def _clean(body: bytes) -> str:
    text = body.decode()
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} shown to the user"
    return text


def _log(log_dir) -> list[dict]:
    path = log_dir / "error.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(x) for x in lines if x.startswith("{")]


# --- in process -------------------------------------------------------------------------


@pytest.fixture
def faulty(settings):
    settings.ROOT_URLCONF = "tests.faults.urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_unexpected_error_is_a_plain_chinese_500(faulty):
    r = faulty.get("/fault/unexpected/")
    assert r.status_code == 500
    text = _clean(r.content)
    assert "服务器错误" in text and "请稍后再试" in text
    r = faulty.get("/api/v1/fault/unexpected/")
    assert r.status_code == 500 and r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": "服务器内部错误，请稍后再试；若一再出现，请联系管理员"}


@pytest.mark.django_db
def test_a_full_disk_on_a_write_is_a_503_page_and_a_logged_error(faulty, caplog):
    with caplog.at_level(logging.ERROR):
        r = faulty.get("/fault/disk-full/")
    assert r.status_code == 503 and r["Retry-After"] == "30"
    text = _clean(r.content)
    assert "服务暂时不可用" in text and "服务器存储空间已满" in text
    outage = [x for x in caplog.records if x.name == "jigong.outage"]
    assert len(outage) == 1 and outage[0].reason == "disk_full"
    assert outage[0].request.path == "/fault/disk-full/" and outage[0].status_code == 503
    request_log = [x for x in caplog.records if x.name == "django.request"]
    assert request_log and request_log[0].status_code == 503  # with the traceback, in the log

    r = faulty.get("/api/v1/fault/disk-full/")
    assert r.status_code == 503
    assert r.json() == {
        "detail": "服务暂时不可用：服务器存储空间已满，数据暂时无法保存，请稍后再试",
        "reason": "disk_full",
    }


@pytest.mark.django_db
def test_404_403_and_400_pages_are_chinese(client, world):
    r = client.get("/", HTTP_HOST="evil.example")  # a Host not in ALLOWED_HOSTS
    assert r.status_code == 400 and "请求无效" in _clean(r.content)
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()
    client.force_login(world.user_a)
    r = client.get("/audit-log/")
    assert r.status_code == 403 and "无权" in r.content.decode()


# --- processes --------------------------------------------------------------------------


def _production(tmp_path, **extra):
    logs = tmp_path / "logs"
    return logs, clean_env(
        tmp_path / "data",
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_STATIC_MANIFEST="0",
        JIGONG_LOG_DIR=logs,
        LOG_LEVEL="WARNING",
        **extra,
    )


def test_unreachable_database_gives_503_pages_json_and_health(tmp_path, procs):
    closed = free_port()  # nothing listens there
    logs, env = _production(
        tmp_path, DATABASE_URL=f"postgres://jigong:jigong@127.0.0.1:{closed}/jigong_gone"
    )
    server, port = serve(env)
    procs.append(server)
    web = Browser(port, https=True)

    status, r, body = web.get("/healthz")
    health = json.loads(body)
    assert status == 503 and r.getheader("Retry-After") == "30"
    assert health["status"] == "error" and health["reason"] == "database_unavailable"
    assert health["message"] == "数据库暂时无法连接"

    status, r, body = web.get("/qualifications/")
    assert status == 503 and r.getheader("Content-Type").startswith("text/html")
    text = _clean(body)
    assert "服务暂时不可用" in text and "数据库暂时无法连接" in text and str(closed) not in text

    status, r, body = web.get(
        "/api/v1/certificates/verify?number=20245010120000011&name=%E5%BC%A0%E4%B8%89"
    )
    assert status == 503 and json.loads(body)["reason"] == "database_unavailable"
    _clean(body)

    kill9(server)
    entries = _log(logs)
    outage = [e for e in entries if e.get("logger") == "jigong.outage"]
    paths = {e["path"].split("?")[0] for e in outage}
    assert {"/qualifications/", "/api/v1/certificates/verify"} <= paths
    assert all(e["status"] == 503 and e["reason"] == "database_unavailable" for e in outage)
    assert all(e["method"] == "GET" and e["level"] == "ERROR" for e in outage)
    assert any(
        e.get("logger") == "django.request" and e.get("status") == 503 and "exc" in e
        for e in entries
    ), "the traceback goes to the log"


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MiB tmpfs for the server's data folder (root only; CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    run = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"this test mounts a tmpfs and needs root: {run.stderr}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder) -> None:
    """Write zeros until the file system says ENOSPC."""
    with open(folder / "filler", "wb", buffering=0) as out:
        block = b"\0" * (1 << 20)
        try:
            while True:
                out.write(block)
        except OSError:
            pass
        block = b"\0" * 4096
        try:
            while True:
                out.write(block)
        except OSError:
            pass


def test_full_disk_gives_503_and_recovers_when_space_is_freed(tmp_path, small_disk, procs):
    logs, env = _production(tmp_path)
    env["JIGONG_DATA_DIR"] = str(small_disk)
    env.pop("DATABASE_URL", None)  # SQLite in the data folder, on the small disk
    migrate(env)
    jigong("createcachetable", env=env)
    jigong(
        "shell",
        "-c",
        "from jigong.core.models import User\n"
        "for name in ('school_x', 'city_x'):\n"
        "    User.objects.create_user(username=name, password='Jigong-Test-2025',"
        " role='municipal')",
        env=env,
    )
    server, port = serve(env)
    procs.append(server)
    first = Browser(port, https=True)
    assert first.login("school_x")[0] == 302
    assert first.get("/imports/students/")[0] == 200

    _fill(small_disk)

    status, _r, body = first.get("/healthz")
    health = json.loads(body)
    assert status == 503 and health["reason"] == "disk_full", health
    assert health["message"] == "服务器存储空间已满，数据暂时无法保存"

    # a page that only reads still works
    assert first.get("/imports/students/")[0] == 200
    # an upload: the file cannot be stored; nothing is left behind
    status, _r, body = first.post(
        "/imports/students/", {"mode": "all"}, files={"file": ("学籍.csv", b"x" * 300_000)}
    )
    assert status == 503, body[:500]
    assert "服务器存储空间已满" in _clean(body)
    assert not list((small_disk / "media").rglob("*.csv"))
    # a log-in must write its session: the database is full
    second = Browser(port, https=True)
    status, _r, body = second.login("city_x")
    assert status == 503 and "服务器存储空间已满" in _clean(body)

    (small_disk / "filler").unlink()
    assert first.get("/healthz")[0] == 200
    assert second.login("city_x")[0] == 302  # no restart needed

    kill9(server)
    outage = [e for e in _log(logs) if e.get("logger") == "jigong.outage"]
    assert {(e["path"], e["reason"], e["status"]) for e in outage} == {
        ("/imports/students/", "disk_full", 503),
        ("/accounts/login/", "disk_full", 503),
    }
    assert next(e for e in outage if e["path"] == "/imports/students/")["user"] == "school_x"
