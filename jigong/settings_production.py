"""The production profile: JIGONG_PROFILE=production hardens jigong/settings.py.

Applied at the end of settings.py, so it sees (and overrides) every default there.
It passes `jigong check --deploy` with no warnings (a test runs it with
--fail-level WARNING). The deployment behind nginx is in docs/ops.md.

Required:  SECRET_KEY (≥ 50 characters), ALLOWED_HOSTS, DEBUG unset or off.
Optional:  JIGONG_HSTS_SECONDS (default one year), JIGONG_HSTS_PRELOAD (default on),
           JIGONG_TRUSTED_PROXIES (default 127.0.0.1 and ::1: nginx on this machine),
           JIGONG_CLIENT_IP_HEADER (default HTTP_X_REAL_IP, set by nginx),
           JIGONG_STATIC_MANIFEST (default on: run `jigong collectstatic` first),
           JIGONG_LOG_DIR (default: stdout/stderr), JIGONG_PUBLIC_URL (default
           https:// and the first of ALLOWED_HOSTS: printed in certificates' QR codes).
           The cache is settings.py's (JIGONG_CACHE, default "db": shared by all workers).
"""

import os

from django.core.exceptions import ImproperlyConfigured

YEAR = 365 * 24 * 3600
# The trusted proxy by default: nginx on the loopback address (JIGONG_TRUSTED_PROXIES).
NGINX = ("127.0.0.1", "::1")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def apply(ns: dict) -> None:
    """Override the settings namespace ``ns`` (settings.py's globals) for production."""
    if _bool("DEBUG", False):
        raise ImproperlyConfigured("JIGONG_PROFILE=production refuses DEBUG=1")
    secret = os.environ.get("SECRET_KEY", "")
    if len(secret) < 50 or len(set(secret)) < 5 or secret.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "JIGONG_PROFILE=production needs SECRET_KEY: at least 50 random characters "
            "(python -c 'from django.core.management.utils import get_random_secret_key as k;"
            " print(k())')"
        )
    if not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("JIGONG_PROFILE=production needs ALLOWED_HOSTS")
    ns["DEBUG"] = False
    ns["SECRET_KEY"] = secret
    # Printed certificates carry the public address in their QR code: HTTPS on the first
    # allowed host unless JIGONG_PUBLIC_URL says otherwise.
    from jigong.core import publicurl

    if not os.environ.get("JIGONG_PUBLIC_URL"):
        host = os.environ["ALLOWED_HOSTS"].split(",")[0].strip().lstrip(".")
        ns["JIGONG_PUBLIC_URL"] = publicurl.check(f"https://{host}")

    # TLS ends at nginx, which sets X-Forwarded-Proto; plain HTTP is redirected, except
    # the health check that systemd and load balancers call on the loopback address.
    ns["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    ns["SECURE_SSL_REDIRECT"] = True
    ns["SECURE_REDIRECT_EXEMPT"] = [r"^healthz$"]
    ns["SECURE_HSTS_SECONDS"] = int(os.environ.get("JIGONG_HSTS_SECONDS", YEAR))
    ns["SECURE_HSTS_INCLUDE_SUBDOMAINS"] = True
    ns["SECURE_HSTS_PRELOAD"] = _bool("JIGONG_HSTS_PRELOAD", True)
    ns["SECURE_CROSS_ORIGIN_OPENER_POLICY"] = "same-origin"

    # Cookies: HTTPS only, not readable by scripts, bound to the exact host (__Host-).
    ns["SESSION_COOKIE_SECURE"] = True
    ns["SESSION_COOKIE_NAME"] = "__Host-jigong-session"
    ns["SESSION_EXPIRE_AT_BROWSER_CLOSE"] = True
    ns["CSRF_COOKIE_SECURE"] = True
    ns["CSRF_COOKIE_NAME"] = "__Host-jigong-csrf"
    ns["LANGUAGE_COOKIE_SECURE"] = True
    ns["LANGUAGE_COOKIE_HTTPONLY"] = True

    # The real client address comes from nginx, on this machine (docs/ops.md), and from
    # nobody else: a client reaching the app port directly is known by its own address.
    if "JIGONG_TRUSTED_PROXIES" not in os.environ:
        ns["JIGONG_TRUSTED_PROXIES"] = list(NGINX)

    # Hashed, compressed static files, served by WhiteNoise with far-future caching.
    manifest = _bool("JIGONG_STATIC_MANIFEST", True)
    ns["STATIC_MANIFEST"] = manifest
    ns["WHITENOISE_USE_FINDERS"] = not manifest
    ns["STORAGES"] = {
        **ns["STORAGES"],
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }

    from jigong.core.logging import config

    ns["LOGGING"] = config(
        level=os.environ.get("LOG_LEVEL", "WARNING"),
        log_dir=os.environ.get("JIGONG_LOG_DIR") or None,
        json_lines=True,
    )
