"""Settings, read from the environment (12-factor).

DATABASE_URL      default: SQLite (WAL) at $JIGONG_DATA_DIR/jigong.sqlite3
JIGONG_DATA_DIR   default: ./var
SECRET_KEY        required when DEBUG is off
ALLOWED_HOSTS     comma separated
DEBUG             1/true/yes
JIGONG_PROFILE    "production": the hardened profile of jigong/settings_production.py
DATABASE_REPLICA_URL  optional read replica for public verification (jigong/core/routers.py)
JIGONG_PUBLIC_URL the address printed on certificates (their QR code opens it)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("JIGONG_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("JIGONG_DEV", True):
        raise ImproperlyConfigured("SECRET_KEY must be set")
    # Development default: a key kept in the data folder, never committed.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",  # Swagger UI from its own static files, not a CDN
    "csp",
    "axes",
    "jigong.core",
    "jigong.reference",
    "jigong.schools",
    "jigong.students",
    "jigong.certificates",
    "jigong.training",
    "jigong.employment",
    "jigong.cooperation",
    "jigong.staff",
    "jigong.public",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jigong.security",
    "jigong.accounts",
    "jigong.indicators",
    "jigong.workflows",
    "jigong.graduates",
    "jigong.admissions",
    "jigong.quality",
    "django_tasks",
    "django_tasks_db",
    "jigong.jobs",
    "jigong.demo",  # `jigong demo` and `jigong up` (the top layer: docs/architecture.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "jigong.security.headers.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    "jigong.security.middleware.AccountSecurityMiddleware",
    "jigong.core.sections.DutyMiddleware",
    "jigong.core.routers.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "jigong.urls"
WSGI_APPLICATION = "jigong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jigong.core.context_processors.portal",
                "jigong.security.context_processors.otp",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "jigong.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept per thread: opening SQLite (PRAGMAs, schema) costs ~2 ms per request.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer works; IMMEDIATE avoids
        # upgrade deadlocks between concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
# Read replica for public verification (jigong/core/routers.py); tests mirror default.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jigong.core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # single sign-on (OpenID Connect); inert while JIGONG_OIDC_ISSUER is unset
    "jigong.sso.backend.SsoBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "jigong.security.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jigong.security.validators.ComplexityValidator"},
]
# Log-in lock-out (django-axes): 5 failures lock the user name from that address for 30 min.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
# The platform's public address, printed on documents (a certificate's QR code is an
# address under it): JIGONG_PUBLIC_URL, e.g. https://jigong.example.cn (docs/ops.md).
from jigong.core import publicurl as _publicurl  # noqa: E402

JIGONG_PUBLIC_URL = _publicurl.check(os.environ.get("JIGONG_PUBLIC_URL", _publicurl.DEFAULT))

# The client address behind the trusted proxies (JIGONG_TRUSTED_PROXIES, below).
AXES_CLIENT_IP_CALLABLE = "jigong.core.clientip.axes_client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 3600
# Staff sessions end after 30 min without a request, and 8 h after log-in in any case.
JIGONG_SESSION_IDLE_SECONDS = int(os.environ.get("JIGONG_SESSION_IDLE_SECONDS", "1800"))
JIGONG_SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
# TOTP second factor (django-otp): optional for the staff roles (schools see whole ID
# numbers too); mandatory for those listed in JIGONG_OTP_REQUIRED_ROLES (comma
# separated, e.g. "municipal,district,school").
JIGONG_OTP_ROLES = ("municipal", "district", "school")
JIGONG_OTP_REQUIRED_ROLES = tuple(
    r.strip() for r in os.environ.get("JIGONG_OTP_REQUIRED_ROLES", "").split(",") if r.strip()
)
OTP_TOTP_ISSUER = "重庆市技工教育信息平台"
# Single sign-on through an OpenID Connect provider (jigong/sso, docs/ops.md "Connecting
# the identity providers"): off while JIGONG_OIDC_ISSUER or JIGONG_OIDC_CLIENT_ID is unset.
JIGONG_OIDC_ISSUER = os.environ.get("JIGONG_OIDC_ISSUER", "").strip().rstrip("/")
JIGONG_OIDC_CLIENT_ID = os.environ.get("JIGONG_OIDC_CLIENT_ID", "").strip()
JIGONG_OIDC_CLIENT_SECRET = os.environ.get("JIGONG_OIDC_CLIENT_SECRET", "")
# endpoints: read from the issuer's discovery document unless set here
JIGONG_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("JIGONG_OIDC_AUTHORIZATION_ENDPOINT", "")
JIGONG_OIDC_TOKEN_ENDPOINT = os.environ.get("JIGONG_OIDC_TOKEN_ENDPOINT", "")
JIGONG_OIDC_USERINFO_ENDPOINT = os.environ.get("JIGONG_OIDC_USERINFO_ENDPOINT", "")
JIGONG_OIDC_JWKS_ENDPOINT = os.environ.get("JIGONG_OIDC_JWKS_ENDPOINT", "")
JIGONG_OIDC_SIGN_ALGO = os.environ.get("JIGONG_OIDC_SIGN_ALGO", "RS256").strip()
JIGONG_OIDC_SCOPES = os.environ.get("JIGONG_OIDC_SCOPES", "openid profile").strip()
JIGONG_OIDC_STAFF_CLAIM = os.environ.get("JIGONG_OIDC_STAFF_CLAIM", "staff_id").strip()
JIGONG_OIDC_ID_NUMBER_CLAIM = os.environ.get("JIGONG_OIDC_ID_NUMBER_CLAIM", "id_number").strip()
# amr values (RFC 8176) or acr values that say the provider asked a second factor: such a
# log-in satisfies the TOTP requirement; any other still asks the platform's TOTP.
JIGONG_OIDC_MFA_AMR = tuple(
    v.strip()
    for v in os.environ.get("JIGONG_OIDC_MFA_AMR", "mfa,otp,hwk,swk,sms,face,fpt").split(",")
    if v.strip()
)
JIGONG_OIDC_MFA_ACR = tuple(
    v.strip() for v in os.environ.get("JIGONG_OIDC_MFA_ACR", "").split(",") if v.strip()
)
# Roles whose accounts may not log in with a local password while single sign-on is on
# (deploy configuration, e.g. "district,school"); superusers keep the password log-in.
JIGONG_OIDC_PASSWORD_OFF_ROLES = tuple(
    r.strip() for r in os.environ.get("JIGONG_OIDC_PASSWORD_OFF_ROLES", "").split(",") if r.strip()
)
JIGONG_OIDC_TIMEOUT = float(os.environ.get("JIGONG_OIDC_TIMEOUT", "10"))
# the provider's signing keys are kept this long (a rotated-in key is fetched at once)
JIGONG_OIDC_JWKS_MAX_AGE = float(os.environ.get("JIGONG_OIDC_JWKS_MAX_AGE", "3600"))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
# Simplified Chinese only: there is no other catalogue, and a browser asking for English
# would get Django's English messages and dates inside the Chinese pages.
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendored front-end assets and portal.css
# Hashed, compressed files need `collectstatic`; a deployment turns them on with
# JIGONG_STATIC_MANIFEST=1 (docs/ops.md). Otherwise WhiteNoise serves from the finders.
STATIC_MANIFEST = env_bool("JIGONG_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Served at the site's root by WhiteNoise (before sessions and log-in): /favicon.ico,
# which browsers fetch on every page; the templates link the hashed copies under /static/.
WHITENOISE_ROOT = BASE_DIR / "static" / "favicon"
MEDIA_ROOT = DATA_DIR / "media"
# The years any year parameter or year field may name (jigong.core.params): first, last.
JIGONG_YEARS = (2000, 2100)
# Documents attached to workflow steps (PDF or Office files): size limit in bytes.
JIGONG_UPLOAD_MAX_BYTES = int(os.environ.get("JIGONG_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Whole-ID-number searches a role that sees ID numbers masked may make a day
# (jigong/core/idsearch.py).
JIGONG_ID_SEARCH_PER_DAY = int(os.environ.get("JIGONG_ID_SEARCH_PER_DAY", "20"))

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict CSP (django-csp): scripts and styles only from our static files, no inline
# script or style anywhere; the stored report HTML shown in /reports/<pk>/content/ is
# the one exception (jigong/quality/views.py: no script at all, inline styles only).
# Permissions-Policy: jigong/security/headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # ECharts and Tabler/Popper set style="" attributes from their (static) scripts;
        # attributes cannot run code or select elements, <style> stays 'self' only.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # Tabler's form icons are data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Logs (jigong/core/logging.py): plain lines on stderr; JSON lines in `jigong serve`'s
# workers (it sets JIGONG_LOG_JSON=1 for them, so Django's records match the server's)
# and under the production profile. Either way an expected 4xx is one line, no traceback.
if env_bool("JIGONG_LOG_JSON"):
    from jigong.core.logging import config as _logging_config

    LOGGING = _logging_config(
        level=os.environ.get("LOG_LEVEL", "WARNING"),
        log_dir=os.environ.get("JIGONG_LOG_DIR") or None,
        json_lines=True,
    )
else:
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"()": "jigong.core.logging.PlainFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    }

# The default cache is shared by every process (Django's database cache, table made by
# the core migration 0100): rate limits hold across the server's workers and the warmed
# dashboard serves them all. JIGONG_CACHE=locmem keeps it per process (one worker, tests).
JIGONG_CACHE = os.environ.get("JIGONG_CACHE", "db").strip().lower()
if JIGONG_CACHE not in {"db", "locmem"}:
    raise ImproperlyConfigured("JIGONG_CACHE must be db or locmem")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jigong_cache",
        # Django's default (300 entries, then a third culled in key order) let the
        # verification limiter's per-number keys evict the indicator figures, which
        # sort first: the soak's municipal pages recomputed the city's figures
        # synchronously. Expired entries are still culled.
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
    if JIGONG_CACHE == "db"
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # as above: no culling of the figures
    }
}

# Public certificate verification (/verify/ and /api/v1/certificates/verify): sliding
# limits in the default cache, each (limit, seconds), per client address (below).
JIGONG_VERIFY_RATE_PER_IP = (int(os.environ.get("JIGONG_VERIFY_RATE_PER_IP", "30")), 60)
JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (
    int(os.environ.get("JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE", "3")),
    3600,
)
# A client's misses for one number (then that client is refused for it), one number's
# misses from everyone (then every query for it needs the challenge, never a refusal),
# a department key's misses (single and batch items alike). docs/architecture.md.
JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (
    int(os.environ.get("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER", "5")),
    3600,
)
JIGONG_VERIFY_MISSES_PER_NUMBER = (
    int(os.environ.get("JIGONG_VERIFY_MISSES_PER_NUMBER", "10")),
    3600,
)
JIGONG_VERIFY_KEY_MISSES = (int(os.environ.get("JIGONG_VERIFY_KEY_MISSES", "1000")), 3600)
# Who receives departments' requests for API keys, shown on the department's home page
# (e.g. "市人社局职业能力建设处，023-…"); empty: the page says 市人社局 only. docs/ops.md.
JIGONG_API_KEY_CONTACT = os.environ.get("JIGONG_API_KEY_CONTACT", "").strip()
# The proof-of-work challenge (ALTCHA, jigong/public/challenge.py): PBKDF2 iterations per
# try, the range of the winning counter (tries), a challenge's lifetime in seconds.
JIGONG_VERIFY_POW_COST = int(os.environ.get("JIGONG_VERIFY_POW_COST", "5000"))
JIGONG_VERIFY_POW_COUNTER = (
    int(os.environ.get("JIGONG_VERIFY_POW_MIN_TRIES", "200")),
    int(os.environ.get("JIGONG_VERIFY_POW_MAX_TRIES", "300")),
)
JIGONG_VERIFY_CHALLENGE_SECONDS = int(os.environ.get("JIGONG_VERIFY_CHALLENGE_SECONDS", "600"))
# The client address (jigong/core/clientip.py: lock-out, rate limits, audit, logs): the
# forwarding header JIGONG_CLIENT_IP_HEADER is believed only from a peer listed in
# JIGONG_TRUSTED_PROXIES (addresses or CIDR networks, comma-separated). None by default;
# the production profile trusts nginx on the loopback address.
JIGONG_TRUSTED_PROXIES = os.environ.get("JIGONG_TRUSTED_PROXIES", "").replace(",", " ").split()
JIGONG_CLIENT_IP_HEADER = os.environ.get("JIGONG_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")

# 双优 candidates are ranked by the quality evaluation (（二十四）), falling back to the
# documented interim score for years without scores (jigong/workflows/designations.py).
JIGONG_CANDIDATE_SCORES = "jigong.quality.candidates.candidate_scores"

# Uploaded sheets (imports, department batch files): limits enforced while reading,
# whatever the file declares (jigong/core/imports/bounds.py; docs/ops.md §11).
JIGONG_SHEET_MAX_ROWS = int(os.environ.get("JIGONG_SHEET_MAX_ROWS", "200000"))
JIGONG_SHEET_MAX_COLUMNS = int(os.environ.get("JIGONG_SHEET_MAX_COLUMNS", "256"))
JIGONG_SHEET_MAX_CELLS = int(os.environ.get("JIGONG_SHEET_MAX_CELLS", "4000000"))
JIGONG_SHEET_MAX_UNZIPPED_MB = int(os.environ.get("JIGONG_SHEET_MAX_UNZIPPED_MB", "256"))
JIGONG_SHEET_MAX_RATIO = int(os.environ.get("JIGONG_SHEET_MAX_RATIO", "100"))
JIGONG_SHEET_MAX_SHARED_STRINGS = int(os.environ.get("JIGONG_SHEET_MAX_SHARED_STRINGS", "1000000"))
JIGONG_SHEET_MAX_LINE_CHARS = int(os.environ.get("JIGONG_SHEET_MAX_LINE_CHARS", "4194304"))
# A job whose worker was lost this many times (killed, or its task adopted after a
# crash) is failed with the reason instead of being queued again (jigong.jobs.services).
JIGONG_JOB_MAX_LOSSES = int(os.environ.get("JIGONG_JOB_MAX_LOSSES", "2"))

# Background jobs (imports, report builds): django-tasks with its database backend, run
# by `jigong worker` (docs/ops.md). Django 6: drop "django_tasks" from INSTALLED_APPS;
# the backend path stays. Tests use the immediate backend (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker writes its heartbeat every JIGONG_WORKER_HEARTBEAT_SECONDS; a task running
# under a worker silent for JIGONG_WORKER_STALE_SECONDS is re-queued by another worker.
JIGONG_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("JIGONG_WORKER_HEARTBEAT_SECONDS", "5"))
JIGONG_WORKER_STALE_SECONDS = float(os.environ.get("JIGONG_WORKER_STALE_SECONDS", "60"))
# Files built by the worker for a user (report PDFs, certificate batches: jobs.FileJob)
# are removed this many hours after the job ended; the job row stays.
JIGONG_FILE_JOB_HOURS = float(os.environ.get("JIGONG_FILE_JOB_HOURS", "24"))
# Chromium (jigong.core.pdf) runs at this nice level (0–19; 0: unchanged), so that PDFs
# rendering in `jigong worker` yield the CPU to the web server (/healthz, pages).
JIGONG_PDF_NICE = int(os.environ.get("JIGONG_PDF_NICE", "19"))

# Production profile (docs/ops.md): hardens everything above; `check --deploy` is clean.
if os.environ.get("JIGONG_PROFILE", "").strip().lower() == "production":
    from jigong.settings_production import apply as _apply_production

    _apply_production(globals())

from jigong.core import clientip as _clientip  # noqa: E402

JIGONG_CLIENT_IP_HEADER = _clientip.check_settings(JIGONG_TRUSTED_PROXIES, JIGONG_CLIENT_IP_HEADER)
