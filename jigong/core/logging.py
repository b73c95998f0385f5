"""Structured logs: one JSON object per line, for the access log and the error log.

Used by Django's LOGGING (settings) and by `jigong serve` for Granian's loggers, so the
server's access lines and the application's errors come out in the same shape:

    {"ts": "2025-05-01T10:00:00.123+08:00", "level": "INFO", "logger": "granian.access",
     "method": "GET", "path": "/healthz", "status": 200, "dt_ms": 1.2, ...}

Files: with JIGONG_LOG_DIR set, access lines go to access.log and everything else to
error.log there (WatchedFileHandler, so logrotate can move them); otherwise access lines
go to stdout and the rest to stderr (journald keeps both under systemd).

Expected client errors — a 403 (PermissionDenied), 404 (Http404), 400 (SuspiciousOperation,
BadRequest, an unreadable upload) — are one line at most WARNING and without traceback:
Django attaches the exception to these records (and logs a SuspiciousOperation as ERROR),
which buried the real errors. A 5xx keeps its traceback (``exc``). Both formatters
(``JsonFormatter``, ``PlainFormatter``) do this on a copy of the record, so other
handlers still see it as Django logged it.

Every line is written with its ID numbers masked (``pii.mask_text``: a message, a path's
query string, a traceback's exception text), so a log file holds no whole ID number, and
with the values of the query parameters in ``REDACTED_PARAMS`` replaced by ``***``
(``redact``): a holder's name (``/verify/``, the verification APIs), a search box's text
(``q``, often a whole ID number or a name), an online verification code (``code``),
wherever they appear in a URL — the access line's query string, a path, Django's
``django.request`` warnings ("Too Many Requests: /api/v1/…?number=…&name=…"), a ``next=``
parameter (percent-encoded separators too). A certificate number alone is kept.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re

from jigong.core import clientip

# Attributes every LogRecord has; anything else was passed through ``extra=``.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)
# Granian's access record: a dict of these is the record's args.
_ACCESS_FIELDS = ("addr", "method", "path", "query_string", "protocol", "scheme", "status")
# Request headers logged with each access line (Granian passes them as _h0, _h1, …).
ACCESS_HEADERS = ("x-forwarded-for", "user-agent", "x-real-ip")
ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).1f ' + " ".join(
    f"%(header{{{h}}})s" for h in ACCESS_HEADERS
)


def _loaded_user(request):
    """The request's user if already loaded: looking it up would query the database,
    which may be the very thing that failed (jigong/core/outage.py)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", None) if user is not None else None
    if wrapped is empty:
        return None
    return wrapped if wrapped is not None else user


def expected_client_error(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` as it should be written: for a response status 400–499 (Django's
    ``log_response`` sets ``status_code``) a copy at most WARNING without traceback;
    anything else unchanged."""
    status = getattr(record, "status_code", None)
    if not isinstance(status, int) or not 400 <= status < 500:
        return record
    if not (record.exc_info or record.exc_text or record.stack_info) and (
        record.levelno <= logging.WARNING
    ):
        return record
    copy = logging.makeLogRecord(record.__dict__)
    copy.exc_info = copy.exc_text = copy.stack_info = None
    if copy.levelno > logging.WARNING:
        copy.levelno, copy.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
    return copy


# Query parameters whose values never reach a log: personal (a holder's name, a searched
# ID number or name) or secret (an online verification code, a one-time token).
REDACTED_PARAMS = ("name", "q", "code", "id_number", "token", "password")
REDACTED = "***"
_PARAM = re.compile(
    r"(?P<lead>^|[?&;\"]|%3[Ff]|%26)"
    rf"(?P<key>{'|'.join(REDACTED_PARAMS)})"
    r"(?P<eq>=|%3[Dd])"
    r"(?P<value>(?:(?!%26)[^&\s\"'#<>;\\])+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with the value of every ``REDACTED_PARAMS`` query parameter replaced by
    ``***`` (a query string, a URL, or a line holding URLs)."""
    return _PARAM.sub(lambda m: m["lead"] + m["key"] + m["eq"] + REDACTED, text)


def _masked(line: str) -> str:
    # imported here: settings import this module before Django is set up
    from jigong.core import pii

    return pii.mask_text(redact(line))


def _client(find) -> str:
    """The client address (jigong/core/clientip.py: the forwarding header believed from
    a trusted proxy only); empty if it cannot be told (settings not loaded yet)."""
    try:
        return find()
    except Exception:  # a log line must never fail
        return ""


class PlainFormatter(logging.Formatter):
    """Plain text lines (development, `jigong runserver`), expected 4xx as one line, ID
    numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return _masked(super().format(expected_client_error(record)))


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (UTF-8, Chinese kept readable); an expected 4xx
    without its traceback (``expected_client_error``); ID numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        record = expected_client_error(record)
        ts = datetime.datetime.fromtimestamp(record.created).astimezone()
        out: dict = {
            "ts": ts.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        args = record.args if isinstance(record.args, dict) else None
        if record.name == "granian.access" and args is not None:
            for key in _ACCESS_FIELDS:
                if key in args:
                    out[key] = args[key]
            if "dt_ms" in args:
                out["dt_ms"] = round(float(args["dt_ms"]), 3)
            values = {h: args.get(f"_h{i}") or "-" for i, h in enumerate(ACCESS_HEADERS)}
            for header, value in values.items():
                if value != "-":
                    out[header.replace("-", "_")] = value
            out["client"] = _client(lambda: clientip.from_access(args, values))
        else:
            out["message"] = record.getMessage()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            # django.request / django.server errors carry the request: say which one.
            out["method"] = request.method
            out["path"] = request.get_full_path()[:500]
            out["client"] = _client(lambda: clientip.client_ip(request))
            user = _loaded_user(request)
            if user is not None and getattr(user, "is_authenticated", False):
                out["user"] = user.get_username()
        status = getattr(record, "status_code", None)
        if status is not None:
            out["status"] = status
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and key not in {"request", "status_code"}:
                out[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return _masked(json.dumps(out, ensure_ascii=False, default=str))


def config(*, level: str = "WARNING", log_dir: str | None = None, json_lines: bool = True) -> dict:
    """A ``logging.dictConfig`` for Django and Granian: access log and error log.

    ``level`` applies to the application (root) logger; the access log is always INFO.
    """
    formatter = "json" if json_lines else "plain"
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
        access = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": os.path.join(log_dir, "access.log"),
            "encoding": "utf-8",
            "formatter": formatter,
        }
        errors = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": os.path.join(log_dir, "error.log"),
            "encoding": "utf-8",
            "formatter": formatter,
        }
    else:
        access = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": formatter,
        }
        errors = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": formatter,
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "jigong.core.logging.JsonFormatter"},
            "plain": {
                "()": "jigong.core.logging.PlainFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {"access": access, "errors": errors},
        "loggers": {
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "_granian": {"handlers": ["errors"], "level": "INFO", "propagate": False},
            # Django's own request/server loggers propagate to the root (errors).
            "django": {"level": level, "propagate": True},
            "jigong": {"level": "INFO", "propagate": True},
        },
        "root": {"handlers": ["errors"], "level": level},
    }
