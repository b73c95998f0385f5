"""Fault tests: `jigong serve` and `jigong worker` as real processes on the test's file
database (SQLite WAL, or PostgreSQL in the PG run), driven over HTTP like a browser
(session cookie, CSRF token), killed with SIGKILL or starved of disk and database."""

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid

import pytest
from django.db import connection

from tests.ops.conftest import ROOT, clean_env, free_port

PASSWORD = "Jigong-Test-2025"  # tests.factories.user's default


def web_login(user) -> str:
    """Give ``user`` a password hash the server processes accept (the test process uses
    a fast MD5 hasher, tests/conftest.py); returns its username."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    type(user).objects.filter(pk=user.pk).update(password=encoded)
    return user.username


def database_url() -> str:
    """The URL of this test's database, for subprocesses that share it."""
    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    host, port = d["HOST"] or "127.0.0.1", d["PORT"] or 5432
    return f"postgres://{d['USER']}:{d['PASSWORD']}@{host}:{port}/{d['NAME']}"


class Browser:
    """A keep-alive HTTP client with a cookie jar and Django's CSRF token, enough to log
    in, upload a file and read pages like a user's browser."""

    def __init__(self, port: int, *, https: bool = False):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.base = f"{'https' if https else 'http'}://127.0.0.1:{port}"
        self.headers = {"Host": f"127.0.0.1:{port}"}
        if https:
            self.headers["X-Forwarded-Proto"] = "https"

    def request(self, method, path, body=None, headers=None, timeout=60):
        hdrs = dict(self.headers)
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return r.status, r, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def csrf(self, path) -> str:
        status, _r, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, (status, page[:500])
        return token.group(1).decode()

    def post(self, path, fields: dict, files: dict | None = None, token_from=None):
        fields = {"csrfmiddlewaretoken": self.csrf(token_from or path), **fields}
        extra = {"Origin": self.base, "Referer": self.base + (token_from or path)}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for k, v in fields.items():
                head = f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                parts.append(f"{head}{v}\r\n".encode())
            for k, (filename, content) in files.items():
                parts.append(
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                    ).encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        return self.request("POST", path, body, {"Content-Type": ctype, **extra})

    def login(self, username: str, password: str = PASSWORD):
        status, r, body = self.post(
            "/accounts/login/", {"username": username, "password": password}
        )
        return status, r, body

    def json(self, path):
        status, _r, data = self.get(path)
        assert status == 200, (status, data[:300])
        return json.loads(data)


def start(args, env, *, stdout=None):
    """A `jigong …` process in its own process group (so SIGKILL reaches its workers)."""
    return subprocess.Popen(
        [sys.executable, "-m", "jigong", *map(str, args)],
        cwd=ROOT,
        env=env,
        stdout=stdout or subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill9(proc) -> None:
    """SIGKILL the process and everything it started (Granian's workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stderr:
        proc.stderr.close()


def wait_port(port: int, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"exited early with {proc.returncode}: {proc.stderr.read()[-3000:]}"
            )
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/accounts/login/")
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"port {port} did not answer within {seconds} s")


def serve(env, *, workers: int = 1):
    port = free_port()
    proc = start(["serve", "--port", port, "--workers", workers, "--threads", 4], env)
    wait_port(port, proc)
    return proc, port


@pytest.fixture
def procs():
    """Processes a test started; killed at the end whatever happened."""
    started = []
    yield started
    for p in started:
        if p.poll() is None:
            kill9(p)


__all__ = ["Browser", "clean_env", "database_url", "kill9", "serve", "start"]
