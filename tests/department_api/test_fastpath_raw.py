"""The raw path of department verification (``fastpath.Raw``): the ordinary request is
answered as plain WSGI with exactly the status, headers and body the lean handler and
the whole site (JIGONG_FAST_PATH=0) send, with the key, limit and query log enforced.

Real WSGI calls (Django's request signals close connections), so transactional tests."""

import io
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from jigong.certificates import numbering
from jigong.certificates.models import QueryLog
from jigong.public import fastpath, services

pytestmark = pytest.mark.django_db(transaction=True)

API = fastpath.Raw.PATH
CSP = {"content-security-policy", "content-security-policy-report-only"}


def environ(key, secure=True, **params):
    env = dict(RequestFactory().get(API, params, secure=secure).environ)
    env.update(REMOTE_ADDR="203.0.113.7")
    env["wsgi.input"] = io.BytesIO(b"")
    if key is not None:
        env["HTTP_X_API_KEY"] = key
    return env


def call(app, env):
    """(status, headers as a dict with CSP as directive sets, body, what app returned)."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    answer = app(dict(env), start_response)
    body = b"".join(answer)
    if hasattr(answer, "close"):
        answer.close()
    headers = {
        k.lower(): frozenset(d.strip() for d in v.split(";")) if k.lower() in CSP else v
        for k, v in seen["headers"]
    }
    return seen["status"], headers, body, answer


def make_apps():
    """The handlers as jigong.wsgi makes them (middleware reads settings when made)."""
    lean = fastpath.LeanHandler()
    raw = fastpath.Raw(lean)

    def entry(env, start_response):  # jigong.wsgi.application's choice
        return raw(env, start_response) or lean(env, start_response)

    return raw, entry, lean, WSGIHandler()


@pytest.fixture
def apps():
    return make_apps()


# Added by the whole site's middleware only: CommonMiddleware's length, and Vary: Cookie
# from sessions (the fast path sets and reads no cookie).
SITE_ONLY = {"content-length", "vary"}


def comparable(answer):
    """Status, headers and body, with Expires (now, to the second) as a time: two calls
    may fall on either side of a second."""
    status, headers, body = answer[:3]
    headers = dict(headers)
    if "expires" in headers:
        when = parsedate_to_datetime(headers["expires"])
        assert abs((when - datetime.now(UTC)).total_seconds()) < 60
        headers["expires"] = "now"
    return status, headers, body


def same_as_site(site, got) -> bool:
    """The whole site's answer: same status and body, same headers but SITE_ONLY."""
    site, got = comparable(site), comparable(got)
    site_headers = {k: v for k, v in site[1].items() if k not in SITE_ONLY}
    got_headers = {k: v for k, v in got[1].items() if k not in SITE_ONLY}
    assert site_headers == got_headers
    assert "Accept-Language" in got[1]["vary"]
    return site[0] == got[0] and site[2] == got[2]


def learn(apps, key, cert):
    """The first ordinary request goes through the lean handler; its headers are kept."""
    raw = apps[0]
    status, *_ = call(apps[1], environ(key, number=cert.number, name="张晓明"))
    assert status == "200 OK" and raw.headers


def test_same_status_headers_and_body_as_the_lean_path_and_the_whole_site(apps, cert, issue):
    _raw, entry, lean, site = apps
    key = issue().key
    learn(apps, key, cert)
    unknown = numbering.make(2025, cert.school.code, "intermediate", 999)
    over = issue(rate=1).key
    call(entry, environ(over, number=cert.number, name="张晓明"))  # uses its one query
    cases = {
        "found": (key, {"number": cert.number, "name": "张晓明"}, "200 OK"),
        "wrong name": (key, {"number": cert.number, "name": "张小明"}, "200 OK"),
        "unknown": (key, {"number": unknown, "name": "张晓明"}, "200 OK"),
        "too long": (key, {"number": "1" * 500, "name": "张"}, "422 Unprocessable Entity"),
        "wrong key": ("jgk_nope_x", {"number": cert.number, "name": "张晓明"}, "401 Unauthorized"),
        "no scope": (
            issue(scopes=["equivalence"]).key,
            {"number": cert.number, "name": "张晓明"},
            "403 Forbidden",
        ),
        "over limit": (over, {"number": cert.number, "name": "张晓明"}, "429 Too Many Requests"),
    }
    for what, (k, params, expected) in cases.items():
        got = call(entry, environ(k, **params))
        assert got[0] == expected, what
        if what == "over limit":  # the lean and whole-site calls are over the limit too
            assert comparable(call(lean, environ(k, **params))) == comparable(got), what
            assert same_as_site(call(site, environ(k, **params)), got), what
            continue
        assert comparable(call(lean, environ(k, **params))) == comparable(got), what
        assert same_as_site(call(site, environ(k, **params)), got), what
        if expected == "200 OK":
            assert isinstance(got[3], list), f"{what}: answered by the raw path"
    # found, wrong name, unknown: each three times (raw, lean, site), plus the learning
    # request and the over-limit key's first query.
    assert QueryLog.objects.filter(channel="api_single").count() == 3 * 3 + 2


def test_plain_http_follows_the_lean_handler(cert, key, settings):
    """Without HTTPS: the redirect (SECURE_SSL_REDIRECT) by the lean handler, or, with
    the redirect off, the same answer without HSTS."""
    settings.SECURE_SSL_REDIRECT = True
    raw, entry, lean, _site = make_apps()
    env = environ(key, secure=False, number=cert.number, name="张晓明")
    assert raw(dict(env), lambda *a: None) is None
    assert call(entry, env)[0].startswith("301")
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 3600
    apps = raw, entry, lean, _site = make_apps()
    learn(apps, key, cert)
    call(entry, env)  # learns the plain-HTTP headers
    got = call(entry, env)
    assert isinstance(got[3], list) and comparable(got) == comparable(call(lean, env))
    assert "strict-transport-security" not in got[1]
    secure = call(entry, environ(key, number=cert.number, name="张晓明"))
    assert isinstance(secure[3], list) and "strict-transport-security" in secure[1]


def test_other_requests_fall_through(apps, cert, key):
    raw = apps[0]
    learn(apps, key, cert)
    for env in (
        environ(key, number=cert.number),  # name missing
        environ(None, number=cert.number, name="张晓明"),  # no key
        {**environ(key, number=cert.number, name="张晓明"), "REQUEST_METHOD": "POST"},
        {
            **environ(key, number=cert.number, name="张晓明"),
            "QUERY_STRING": f"number={cert.number}&number=1&name=x",
        },
    ):
        assert raw(env, lambda *a: None) is None


def test_limit_enforced_and_refusals_not_logged(apps, cert, issue):
    entry = apps[1]
    key = issue(rate=3).key
    learn(apps, key, cert)  # the first of three
    for _ in range(2):
        assert isinstance(call(entry, environ(key, number=cert.number, name="张晓明"))[3], list)
    status, _headers, body, _ = call(entry, environ(key, number=cert.number, name="张晓明"))
    assert status.startswith("429") and "每分钟最多3次" in json.loads(body)["detail"]
    assert QueryLog.objects.count() == 3


def test_query_logged_like_the_lean_path(apps, cert, key):
    learn(apps, key, cert)
    got = call(apps[1], environ(key, number=cert.number, name="张小明"))
    assert isinstance(got[3], list) and b'"found":false' in got[2]
    log = QueryLog.objects.order_by("-pk").first()
    assert (log.channel, log.number, log.name, log.found, log.ip) == (
        "api_single",
        cert.number,
        "张*明",
        False,
        "203.0.113.7",
    )


def test_revoked_key_refused(apps, world, cert, issue):
    issued = issue()
    learn(apps, issued.key, cert)
    services.api_key_revoke(actor=world.municipal, api_key=issued.api_key)
    env = environ(issued.key, number=cert.number, name="张晓明")
    assert apps[0](dict(env), lambda *a: None) is None
    status, _headers, body, _ = call(apps[1], env)
    assert status.startswith("401") and "已撤销" in json.loads(body)["detail"]


def test_a_failure_is_answered_by_django_and_the_connection_recovers(apps, cert, key, monkeypatch):
    """An unexpected error in the look-up: Django's 500, and the next request works."""
    from jigong.public import selectors

    learn(apps, key, cert)
    real = selectors.any_verify

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "any_verify", broken)
    status, *_ = call(apps[1], environ(key, number=cert.number, name="张晓明"))
    assert status.startswith("500")
    monkeypatch.setattr(selectors, "any_verify", real)
    got = call(apps[1], environ(key, number=cert.number, name="张晓明"))
    assert got[0] == "200 OK" and b'"found":true' in got[2]


def test_request_signal_receivers_are_the_ones_the_raw_path_stands_in_for():
    """The raw path calls the request signals' receivers directly (fastpath
    ``_request_started``/``_request_finished``); a receiver connected later fails here
    until the raw path does what it does too (or it is shown not to concern the path)."""
    from django.core import signals

    def names(signal):
        receivers = signal._live_receivers(None)[0]
        return {f"{r.__module__}.{r.__qualname__}" for r in receivers}

    assert names(signals.request_started) == {
        "django.db.reset_queries",
        "django.db.close_old_connections",
    }
    assert names(signals.request_finished) == {
        "django.db.close_old_connections",
        "django.core.cache.close_caches",
        "django.core.handlers.base.reset_urlconf",  # the raw path sets no URL configuration
        "jigong.indicators.cache.run_pending",
    }


def test_an_expired_database_connection_is_replaced(apps, cert, key):
    """Like Django's request cycle, the raw path closes a connection past its
    CONN_MAX_AGE, so a long-lived worker does not keep one connection for ever."""
    import time

    from django.db import connection

    learn(apps, key, cert)
    connection.ensure_connection()
    old = connection.connection
    connection.close_at = time.monotonic() - 1
    got = call(apps[1], environ(key, number=cert.number, name="张晓明"))
    assert got[0] == "200 OK" and b'"found":true' in got[2]
    assert connection.connection is not old
