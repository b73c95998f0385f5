"""The verification fast path (jigong/public/fastpath.py): the lean handler answers the
department and public JSON verification exactly as the whole site does, with the
security headers, the key, the limits and the query log, and without sessions."""

import time

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.test import Client
from django.test.client import ClientHandler
from django.utils import timezone

from jigong.certificates import numbering
from jigong.certificates.models import QueryLog
from jigong.core.models import ApiKey
from jigong.public import fastpath, services

API = "/api/v1/department/verify"
PUBLIC = "/api/v1/certificates/verify"


class LeanClientHandler(fastpath.LeanMixin, ClientHandler):
    """The test client's handler with the fast path's middleware and URLs."""


@pytest.fixture
def lean(db):
    c = Client()
    c.handler = LeanClientHandler(enforce_csrf_checks=True)
    return c


def get(c, key, path=API, **params):
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    return c.get(path, params, secure=True, **headers)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _directives(value: str) -> set[str]:
    return {d.strip() for d in value.split(";")}


def assert_secure_and_cookieless(r):
    for header, part in SECURITY_HEADERS.items():
        assert part in r.headers.get(header, ""), header
    assert not r.cookies, "no session or CSRF cookie on an API-key request"
    assert "Set-Cookie" not in r.headers


def test_the_wsgi_entry_sends_only_the_verification_paths_to_the_lean_handler():
    from jigong import wsgi

    assert {API, PUBLIC} == fastpath.PATHS
    assert {str(p.pattern) for p in fastpath.urlpatterns} == {p[1:] for p in fastpath.PATHS}
    assert isinstance(wsgi.lean, fastpath.LeanHandler)
    kept = fastpath.lean_middleware()
    cached = "jigong.public.fastpath.CachedCSPMiddleware"
    assert kept == [
        cached if m == "csp.middleware.CSPMiddleware" else m
        for m in settings.MIDDLEWARE
        if m not in fastpath.SKIPPED
    ]
    assert issubclass(fastpath.CachedCSPMiddleware, CSPMiddleware)
    for needed in (
        "django.middleware.security.SecurityMiddleware",
        cached,
        "jigong.security.headers.SecurityHeadersMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "jigong.core.routers.ReplicaReadsMiddleware",
    ):
        assert needed in kept


def test_found_masked_with_security_headers_no_cookie_and_logged(lean, cert, key):
    r = get(lean, key, number=cert.number, name="张晓明")
    assert r.status_code == 200
    data = r.json()
    assert data["found"] and data["holder"] == "张*明" and data["number"] == cert.number
    assert cert.registration.person.id_number not in r.content.decode()
    assert_secure_and_cookieless(r)
    log = QueryLog.objects.get()
    assert (log.channel, log.number, log.name, log.found) == (
        "api_single",
        cert.number,
        "张*明",
        True,
    )
    assert log.client == "市征兵办"


def test_same_answers_as_the_whole_site(lean, client, cert, issue):
    key = issue().key
    unknown = numbering.make(2025, cert.school.code, "intermediate", 999)
    cases = [
        (key, {"number": cert.number, "name": "张晓明"}),
        (key, {"number": cert.number, "name": "张小明"}),
        (key, {"number": unknown, "name": "张晓明"}),
        (key, {"number": "1" * 500, "name": "张"}),
        (key, {"number": cert.number}),  # name missing: ninja's 422
        (None, {"number": cert.number, "name": "张晓明"}),
        ("jgk_nope_x", {"number": cert.number, "name": "张晓明"}),
        (issue(scopes=["equivalence"]).key, {"number": cert.number, "name": "张晓明"}),
    ]
    for k, params in cases:
        a, b = get(lean, k, **params), get(client, k, **params)
        assert (a.status_code, a.content) == (b.status_code, b.content), params
        for header in SECURITY_HEADERS:
            assert _directives(a.headers[header]) == _directives(b.headers[header]), header
    assert QueryLog.objects.count() == 2 * 3  # the three answered queries, twice


def test_key_required_and_wrong_key_refused(lean, cert, key):
    r = get(lean, None, number=cert.number, name="张晓明")
    assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
    assert_secure_and_cookieless(r)
    assert get(lean, key[:-2] + "xx", number=cert.number, name="张晓明").status_code == 401
    assert not QueryLog.objects.exists()


def test_revoked_key_refused_at_once_by_the_revoking_process(lean, world, cert, issue):
    issued = issue()
    assert get(lean, issued.key, number=cert.number, name="张晓明").status_code == 200
    services.api_key_revoke(actor=world.municipal, api_key=issued.api_key)
    r = get(lean, issued.key, number=cert.number, name="张晓明")
    assert r.status_code == 401 and "已撤销" in r.json()["detail"]


def test_revocation_elsewhere_reaches_this_process_within_the_cache_time(
    lean, cert, issue, monkeypatch
):
    """Another process (another worker, the `jigong apikey revoke` command) revoked the
    key: this process's cached copy expires after KEY_CACHE_SECONDS."""
    monkeypatch.setattr(services, "KEY_CACHE_SECONDS", 0.3)
    issued = issue()
    assert get(lean, issued.key, number=cert.number, name="张晓明").status_code == 200
    ApiKey.objects.filter(pk=issued.api_key.pk).update(revoked_at=timezone.now())
    time.sleep(0.4)
    assert get(lean, issued.key, number=cert.number, name="张晓明").status_code == 401


def test_missing_scope_is_403(lean, cert, issue):
    r = get(lean, issue(scopes=["equivalence"]).key, number=cert.number, name="张晓明")
    assert r.status_code == 403 and "verify" in r.json()["detail"]


def test_per_key_limit_enforced(lean, cert, issue):
    key, other = issue(rate=3).key, issue(rate=3).key
    for _ in range(3):
        assert get(lean, key, number=cert.number, name="张晓明").status_code == 200
    r = get(lean, key, number=cert.number, name="张晓明")
    assert r.status_code == 429 and "每分钟最多3次" in r.json()["detail"]
    assert_secure_and_cookieless(r)
    assert get(lean, other, number=cert.number, name="张晓明").status_code == 200
    assert QueryLog.objects.count() == 4  # refused queries are not answered nor logged


def test_public_endpoint_on_the_lean_path_keeps_its_per_client_limit(lean, cert):
    limit = settings.JIGONG_VERIFY_RATE_PER_IP[0]
    for _ in range(limit):
        r = lean.get(PUBLIC, {"number": cert.number, "name": "张晓明"}, secure=True)
        assert r.status_code == 200 and r.json()["found"]
    r = lean.get(PUBLIC, {"number": cert.number, "name": "张晓明"}, secure=True)
    assert r.status_code == 429 and "频繁" in r.json()["detail"]
    assert_secure_and_cookieless(r)
    assert QueryLog.objects.filter(channel="public_api").count() == limit + 1


@pytest.mark.django_db(transaction=True)
def test_buffered_log_written_when_the_queue_fills_or_on_flush(lean, cert, issue, monkeypatch):
    """Under `jigong serve` single queries are queued and written by a writer thread:
    at once when FLUSH_ROWS rows wait, the rest on the timer or at exit (flush)."""
    monkeypatch.setenv("JIGONG_QUERY_LOG_BUFFER_MS", "600000")
    monkeypatch.setattr(services, "FLUSH_ROWS", 5)
    key = issue().key
    for _ in range(5):
        assert get(lean, key, number=cert.number, name="张晓明").status_code == 200
    deadline = time.monotonic() + 10
    while QueryLog.objects.count() < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert QueryLog.objects.count() == 5
    for _ in range(3):
        assert get(lean, key, number=cert.number, name="张晓明").status_code == 200
    assert QueryLog.objects.count() == 5 and services._log_buffer.pending() == 3
    assert services._log_buffer.flush() == 3
    assert QueryLog.objects.count() == 8
    assert get(lean, key, number=cert.number, name="张晓明").status_code == 200
    services._log_buffer.stop()  # writes the queue, closes the writer's connection
    assert QueryLog.objects.count() == 9 and not services._log_buffer.thread.is_alive()


def test_cached_csp_defers_to_django_csp_for_a_response_with_its_own_policy(rf):
    from django.http import HttpResponse

    middleware = fastpath.CachedCSPMiddleware(lambda request: HttpResponse())
    plain = middleware(rf.get(API))
    assert "script-src 'self'" in plain["Content-Security-Policy"]
    own = HttpResponse()
    own._csp_replace = {"script-src": ["'none'"]}
    middleware = fastpath.CachedCSPMiddleware(lambda request: own)
    assert "script-src 'none'" in middleware(rf.get(API))["Content-Security-Policy"]
    exempt = HttpResponse()
    exempt._csp_exempt = True
    middleware = fastpath.CachedCSPMiddleware(lambda request: exempt)
    assert "Content-Security-Policy" not in middleware(rf.get(API))
