"""Helpers for operations tests: the `jigong` CLI and server in subprocesses, each with
its own data folder (and, on PostgreSQL runs, its own databases)."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Jigong-Test-2025"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(data_dir: Path, **extra) -> dict:
    """The environment for a subprocess: this run's settings less the database and
    profile, so that each subprocess works in its own data folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "DATABASE_REPLICA_URL",
            "JIGONG_PROFILE",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest
            "JIGONG_TEST_ROOT",  # jigong/settings_test.py
        }
        and not k.startswith("PYTEST")
    }
    env.update(JIGONG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="jigong.settings")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def jigong(*args, env: dict, check: bool = True, timeout: float = 300):
    run = subprocess.run(
        [sys.executable, "-m", "jigong", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and run.returncode != 0:
        raise AssertionError(
            f"jigong {' '.join(map(str, args))} exited {run.returncode}:\n"
            f"{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
        )
    return run


_template: list[Path] = []


def migrate(env: dict) -> None:
    """`jigong migrate` for a subprocess's data folder. On SQLite the folder gets a copy
    of one database migrated once per test process (migrating costs 10–20 s of CPU;
    tests/ops/test_up.py migrates fresh folders for real); PostgreSQL migrates."""
    if env.get("DATABASE_URL"):
        jigong("migrate", "-v0", env=env)
        return
    if not _template:
        from django.conf import settings

        folder = Path(settings.DATA_DIR) / "migrated-template"
        jigong("migrate", "-v0", env=clean_env(folder))
        _template.append(folder / "jigong.sqlite3")
    target = Path(env["JIGONG_DATA_DIR"]) / "jigong.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(_template[0]), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def http_get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def wait_for(url: str, proc, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early with {proc.returncode}")
        try:
            if http_get(url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


class Postgres:
    """Scratch databases on the PostgreSQL server of this run, dropped at the end."""

    def __init__(self, settings_dict: dict):
        self.db = settings_dict
        self.created: list[str] = []

    def _admin(self):
        import psycopg

        return psycopg.connect(
            dbname="postgres",
            user=self.db.get("USER") or None,
            password=self.db.get("PASSWORD") or None,
            host=self.db.get("HOST") or None,
            port=self.db.get("PORT") or None,
            autocommit=True,
        )

    def create(self, label: str) -> str:
        name = f"{self.db['NAME']}_{label}_{uuid.uuid4().hex[:6]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    def url(self, name: str) -> str:
        d = self.db
        host, port = d["HOST"] or "127.0.0.1", d["PORT"] or 5432
        return f"postgres://{d['USER']}:{d['PASSWORD']}@{host}:{port}/{name}"

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def engine():
    """This run's engine: "sqlite", or a Postgres helper on PostgreSQL runs."""
    from django.db import connections

    conn = connections["default"]
    if conn.vendor == "sqlite":
        yield "sqlite"
        return
    pg = Postgres(conn.settings_dict)
    yield pg
    pg.drop_all()
