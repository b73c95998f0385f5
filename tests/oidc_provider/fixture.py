"""Start and drive the test OpenID provider (a process of its own on loopback)."""

import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.oidc_provider.serve import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    folder: tempfile.TemporaryDirectory

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def settings(self) -> dict:
        """The platform's JIGONG_OIDC_* settings for this provider (discovery)."""
        return {
            "JIGONG_OIDC_ISSUER": self.issuer,
            "JIGONG_OIDC_CLIENT_ID": CLIENT_ID,
            "JIGONG_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }

    def add_user(self, username: str, password: str, **claims) -> str:
        r = requests.post(
            f"{self.url}/_test/users",
            json={"username": username, "password": password, "claims": claims},
            timeout=10,
        )
        r.raise_for_status()
        return r.json()["sub"]

    def misbehave(self, mode: str = "") -> None:
        requests.post(f"{self.url}/_test/mode", json={"mode": mode}, timeout=10).raise_for_status()

    def rotate_key(self) -> None:
        requests.post(f"{self.url}/_test/rotate", timeout=10).raise_for_status()

    def jwks_hits(self) -> int:
        r = requests.get(f"{self.url}/_test/hits", timeout=10)
        r.raise_for_status()
        return r.json()["jwks"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.folder.cleanup()


def start() -> Provider:
    folder = tempfile.TemporaryDirectory(prefix="jigong-idp-")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), folder.name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    if "READY" not in line:
        rest = process.stdout.read() if process.poll() is not None else ""
        process.kill()
        folder.cleanup()
        raise RuntimeError(f"the test OpenID provider did not start: {line}{rest}")
    provider = Provider(url=f"http://127.0.0.1:{port}", process=process, folder=folder)
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2)
            return provider
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                provider.stop()
                raise
            time.sleep(0.05)


def log_in_at_provider(authorize_url: str, username: str, password: str) -> str:
    """A user at the provider: follow the authorisation request to the provider's own
    log-in form, submit it, and return where the provider sends the browser back
    (the platform's callback with ``code`` and ``state``). HTTP as a browser does."""
    from urllib.parse import parse_qs, urljoin, urlsplit

    s = requests.Session()
    r = s.get(authorize_url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:300]
    login_url = urljoin(authorize_url, r.headers["Location"])
    r = s.get(login_url, timeout=10)
    r = s.post(
        login_url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": s.cookies["idp_csrf"],
            "next": parse_qs(urlsplit(login_url).query).get("next", [""])[0],
        },
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text[:300]
    r = s.get(urljoin(authorize_url, r.headers["Location"]), allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:300]
    return r.headers["Location"]
