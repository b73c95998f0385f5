"""The verification fast path: a lean WSGI handler for the two JSON verification
endpoints (docs/architecture.md, "Department verification fast path").

``jigong.wsgi.application`` sends ``GET|POST /api/v1/department/verify`` and
``/api/v1/certificates/verify`` (exact paths) to ``LeanHandler`` and everything else to
Django's ordinary handler. The lean handler runs the same django-ninja operations
(the same key check, scopes, limits, validation, messages and query log) with:

- a middleware list that is ``settings.MIDDLEWARE`` minus the ones that only serve
  browser sessions (``SKIPPED``): sessions, CSRF, authentication, OTP, messages, axes,
  the account-security idle check, WhiteNoise and CommonMiddleware. Neither endpoint
  reads a session or a cookie: the department API authenticates by ``X-API-Key``,
  the public one is anonymous. Every other middleware (SecurityMiddleware with HSTS and
  the HTTPS redirect, locale, X-Frame-Options, CSP, the extra security headers, replica
  reads, and any added later) still runs, in the same order;
- a URL configuration holding just those two routes, instead of resolving the whole
  site's;
- for the ordinary department request (GET, one ``number``, one ``name``) a plain view,
  ``department_verify``, that runs the operation's own steps (the key check of
  ``ApiKeyAuth``, then ``department_api.verify_one``; errors through the API's
  exception handler) without django-ninja's parameter and authentication machinery.
  Any other request on that path (a missing or repeated parameter, another method)
  goes to the django-ninja operation itself;
- before all that, ``Raw``: the ordinary department GET answered as plain WSGI (no
  Django request, middleware or URL resolving), with the headers the lean handler sent
  for the first such request (see the class);
- django-csp's middleware with its header built once (``CachedCSPMiddleware``): these
  views set no per-view policy and use no nonce, so every response carries the same
  policy, which django-csp rebuilt (two dataclass deep copies and a join) each time.
"""

from __future__ import annotations

import http.client
from urllib.parse import parse_qsl

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django import db
from django.conf import settings
from django.core.cache import close_caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.urls import path
from django.utils import translation

from jigong.core import routers
from jigong.indicators.cache import run_pending

# The exact paths the lean handler answers (PATH_INFO).
PATHS = frozenset({"/api/v1/department/verify", "/api/v1/certificates/verify"})
_ROUTES = {p.removeprefix("/api/v1/") for p in PATHS}

# Middleware that serves only session (browser) requests.
SKIPPED = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "axes.middleware.AxesMiddleware",
        "jigong.security.middleware.AccountSecurityMiddleware",
    }
)

URLCONF = __name__
CSP = "csp.middleware.CSPMiddleware"


def lean_middleware() -> list[str]:
    return [
        f"{__name__}.CachedCSPMiddleware" if m == CSP else m
        for m in settings.MIDDLEWARE
        if m not in SKIPPED
    ]


# Attributes through which a view or decorator changes the policy of one response.
_OVERRIDES = tuple(
    f"_csp_{kind}{ro}" for kind in ("config", "update", "replace") for ro in ("", "_ro")
)
_policies: dict[bool, str] = {}


def _policy(report_only: bool) -> str:
    """The site's policy (or report-only policy) as django-csp builds it, once."""
    value = _policies.get(report_only)
    if value is None:
        value = _policies[report_only] = build_policy(report_only=report_only)
    return value


def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


setting_changed.connect(_forget_policies)


class CachedCSPMiddleware(CSPMiddleware):
    """``CSPMiddleware`` that reuses the built header when the response has no policy
    of its own and the request used no nonce; otherwise django-csp's own path."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, a) for a in _OVERRIDES
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        ):
            return response
        for header, report_only, exempt, name in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            value = _policy(report_only)
            if not value or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class LeanMixin:
    """The lean middleware list and URL configuration, for any Django handler class."""

    def load_middleware(self, is_async=False):
        # BaseHandler reads settings.MIDDLEWARE; swap it for the time of loading only
        # (called once, when the handler is created at import, before any request).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = lean_middleware()
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def get_response(self, request):
        request.urlconf = URLCONF  # reset by Django's request_finished signal
        return super().get_response(request)


class LeanHandler(LeanMixin, WSGIHandler):
    """Django's WSGI handler, lean (``jigong.wsgi`` sends the verification paths here)."""


DEPARTMENT_VERIFY = "department/verify"


def _patterns():
    from jigong.api import api

    chosen = {str(p.pattern): p for p in api.urls[0] if str(p.pattern) in _ROUTES}
    assert set(chosen) == _ROUTES, "fast path routes missing from the API"
    global _department_operation
    _department_operation = chosen[DEPARTMENT_VERIFY].callback
    return [
        path(
            "api/v1/" + route,
            department_verify if route == DEPARTMENT_VERIFY else p.callback,
            name=p.name,
        )
        for route, p in chosen.items()
    ]


_department_operation = None


def department_verify(request):
    """GET /api/v1/department/verify?number=…&name=… with ``X-API-Key``: the django-ninja
    operation's steps for the ordinary request; anything else goes to the operation."""
    from ninja.errors import HttpError

    from jigong.api import api
    from jigong.public import department_api

    forwarded = request.META.get(RAW_ERROR)
    if forwarded is not None:  # from the raw path (``Raw``), after its side effects
        if isinstance(forwarded, HttpError):
            return api.on_exception(request, forwarded)
        raise forwarded
    query = request.GET
    if (
        request.method != "GET"
        or len(query.getlist("number")) != 1
        or len(query.getlist("name")) != 1
    ):
        return _department_operation(request)
    try:
        # ApiKeyHeader reads request.headers["X-API-Key"], which is this META entry.
        request.auth = department_api.router.auth.authenticate(
            request, request.META.get("HTTP_X_API_KEY")
        )
        return department_api.verify_one(request, query["number"], query["name"])
    except HttpError as exc:
        return api.on_exception(request, exc)


urlpatterns = _patterns()


def __getattr__(name):
    # Error views as the site's (jigong/urls.py), resolved when Django asks for them.
    if name in {"handler400", "handler403", "handler404", "handler500"}:
        from jigong import urls

        if hasattr(urls, name):
            return getattr(urls, name)
    raise AttributeError(name)


# --- the raw path ---------------------------------------------------------------------

# environ entry through which the raw path hands an error (HttpError: answered by the
# API's exception handler; anything else: raised, so Django answers 500) to the lean
# handler. Not an HTTP header (those are HTTP_*), so no client can set it.
RAW_ERROR = "jigong.fastpath.error"


class _RawRequest:
    """What ``department_api.verify_one`` reads of a request: ``META`` (the client
    address) and ``auth`` (the caller's key)."""

    __slots__ = ("META", "auth")

    def __init__(self, environ, auth):
        self.META = environ
        self.auth = auth


class _LangRequest:
    """What Django's ``get_language_from_request`` reads of a request."""

    def __init__(self, environ):
        from django.http import parse_cookie

        self.META = environ
        self.COOKIES = parse_cookie(environ.get("HTTP_COOKIE", ""))


class Raw:
    """The ordinary department request (GET ``/api/v1/department/verify`` with one
    ``number``, one ``name`` and ``X-API-Key``; secure or no HTTPS redirect) answered as
    plain WSGI: the lean handler's key check, scope, limit, lengths, look-up and query
    log (``department_api.verify_one``) without building a Django request or running
    middleware. Its response headers are those the lean handler sent for the first
    such request with the same security and language (that request goes through the
    lean handler and its headers are kept); an error after the limit was counted goes
    to the lean handler as ``RAW_ERROR``, so error answers are the lean handler's own.
    Returns None for anything else (the caller hands it to the lean handler)."""

    PATH = "/api/v1/department/verify"

    def __init__(self, lean):
        self.lean = lean
        # (secure, language) → the lean handler's status line and headers for a 200.
        self.headers: dict[tuple[bool, str], tuple[str, tuple]] = {}
        setting_changed.connect(self._forget)
        from jigong.public import department_api, services

        self.modules = department_api, services

    def _forget(self, **kwargs):
        self.headers.clear()

    @staticmethod
    def _secure(environ) -> bool:
        # HttpRequest.is_secure()
        proxy = settings.SECURE_PROXY_SSL_HEADER
        if proxy:
            header, value = proxy
            got = environ.get(header)
            if got is not None:
                return got.split(",", 1)[0].strip() == value
        return environ.get("wsgi.url_scheme") == "https"

    @staticmethod
    def _language(environ) -> str:
        # LocaleMiddleware on the lean URL configuration (no i18n_patterns there).
        if "HTTP_COOKIE" not in environ and "HTTP_ACCEPT_LANGUAGE" not in environ:
            return translation.get_supported_language_variant(settings.LANGUAGE_CODE)
        return translation.get_language_from_request(_LangRequest(environ))

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or not environ.get("HTTP_X_API_KEY"):
            return None
        secure = self._secure(environ)
        if not secure and settings.SECURE_SSL_REDIRECT:
            return None
        query = _one_each(environ.get("QUERY_STRING", ""))
        if query is None:
            return None
        language = self._language(environ)
        known = self.headers.get((secure, language))
        if known is None:
            return self._learn(environ, start_response, (secure, language))
        return self._answer(environ, start_response, known, language, *query)

    def _learn(self, environ, start_response, where):
        """The lean handler answers; the headers of its 200 are kept for next time."""

        def keep(status, headers, exc_info=None):
            if status.startswith("200 ") and not any(
                h.lower() in {"set-cookie", "content-length"} for h, _ in headers
            ):
                self.headers[where] = (status, tuple(headers))
            return start_response(status, headers, exc_info)

        return self.lean(environ, keep)

    def _answer(self, environ, start_response, known, language, number, name):
        department_api, services = self.modules
        caller = services.api_key_for(environ["HTTP_X_API_KEY"])
        if caller is None:
            return None  # 401 from the lean handler; nothing was counted
        _request_started()
        try:
            translation.activate(language)
            request = _RawRequest(environ, caller)
            if routers.replica_configured() and self.PATH.startswith(_replica_paths()):
                with routers.replica_reads():
                    body = department_api.verify_one_body(request, number, name)
            else:
                body = department_api.verify_one_body(request, number, name)
        except Exception as exc:  # answered (HttpError) or raised by the lean handler
            environ[RAW_ERROR] = exc
            _request_finished()
            return self.lean(environ, start_response)
        _request_finished()
        status, headers = known
        start_response(status, list(headers))
        return [body]


# The raw path does what the receivers of Django's request signals do, calling them
# directly (sending the two signals took a sixth of its time): at the start the query
# list is cleared and old or broken database connections are closed; at the end the
# connections again, the cache connections, and any indicator refresh queued. The one
# receiver left out, ``reset_urlconf``, undoes a URL configuration this path never sets.
# tests/department_api/test_fastpath.py pins the set of receivers: a new one fails it
# until it is added here (or shown not to concern this path).
def _request_started() -> None:
    db.reset_queries()
    db.close_old_connections()


def _request_finished() -> None:
    db.close_old_connections()
    close_caches()
    run_pending()


def _one_each(query_string: str) -> tuple[str, str] | None:
    """(number, name) when the query string holds exactly one of each, parsed as
    Django's ``QueryDict`` parses it; else None."""
    try:
        raw = query_string.encode("iso-8859-1")  # WSGI strings are bytes as latin-1
    except UnicodeEncodeError:
        return None
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError:  # too many fields: the lean handler answers
        return None
    number = name = None
    for k, v in pairs:
        if k == "number" and number is None:
            number = v
        elif k == "name" and name is None:
            name = v
        elif k in ("number", "name"):
            return None
    if number is None or name is None:
        return None
    return number, name


def _replica_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "JIGONG_REPLICA_PATHS", routers.DEFAULT_PATHS))
