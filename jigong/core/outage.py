"""What a user sees when the server cannot do its work: a full disk, a database that
cannot be reached, a storage I/O error — a Chinese 503 page (JSON under /api/), logged
with the request, never a traceback; any other unexpected error is the plain Chinese
500 page (``templates/500.html``).

``server_error`` is the project's ``handler500`` (jigong/urls.py). Django calls it for
every exception no view or middleware handled, inside the ``except`` block, so the
exception is ``sys.exc_info()``; Django's own ``django.request`` record (status 503 or
500, method, path, traceback in the log only) follows, and for an outage this module
adds one line naming the reason (logger ``jigong.outage``). The pages are rendered
without a request context: no context processor, session or user lookup may touch the
database that just failed.
"""

from __future__ import annotations

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("jigong.outage")

DISK_FULL = "disk_full"
STORAGE_ERROR = "storage_error"
DATABASE_UNAVAILABLE = "database_unavailable"

# Seconds a client (or the load balancer) is asked to wait before retrying.
RETRY_AFTER = 30

_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_STORAGE_ERRNOS = frozenset({errno.EIO, errno.EROFS})
# SQLite says these in its OperationalError messages.
_DISK_FULL_TEXT = ("database or disk is full", "no space left on device")
_NOT_OUTAGE_TEXT = ("no such table", "no such column", "no such function")
_STORAGE_TEXT = ("disk i/o error", "readonly database", "read-only file system")


def _messages() -> dict[str, str]:
    return {
        DISK_FULL: _("服务器存储空间已满，数据暂时无法保存"),
        STORAGE_ERROR: _("服务器存储设备读写出错"),
        DATABASE_UNAVAILABLE: _("数据库暂时无法连接"),
    }


def reason_of(exc: BaseException | None) -> str | None:
    """The outage an exception means (one of the constants above), or None when it is
    an ordinary error. Follows ``__cause__``/``__context__`` a few levels, since Django
    wraps the driver's errors."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError | InterfaceError):
            text = str(exc).lower()
            if text.startswith(_NOT_OUTAGE_TEXT) or "syntax error" in text:
                return None  # SQLite says a missing table or bad SQL this way: a bug
            if any(t in text for t in _DISK_FULL_TEXT):
                return DISK_FULL
            if any(t in text for t in _STORAGE_TEXT):
                return STORAGE_ERROR
            return DATABASE_UNAVAILABLE
        if isinstance(exc, OSError) and exc.errno is not None:
            if exc.errno in _DISK_FULL_ERRNOS:
                return DISK_FULL
            if exc.errno in _STORAGE_ERRNOS:
                return STORAGE_ERROR
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def reason_text(reason: str) -> str:
    return _messages()[reason]


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def unavailable_response(request, reason: str) -> HttpResponse:
    """The 503 answer: JSON ``{"detail", "reason"}`` under /api/, the page otherwise."""
    what = reason_text(reason)
    if _wants_json(request):
        response = JsonResponse(
            {
                "detail": _("服务暂时不可用：%(what)s，请稍后再试") % {"what": what},
                "reason": reason,
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        html = loader.render_to_string("503.html", {"what": what, "retry": RETRY_AFTER})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request, *args, **kwargs):
    """handler500: a 503 for an outage (and one log line naming it), else the 500 page."""
    exc = sys.exc_info()[1]
    reason = reason_of(exc)
    if reason is not None:
        logger.error(
            "service unavailable (%s): %s",
            reason,
            (str(exc).splitlines() or [type(exc).__name__])[0][:300],
            extra={"request": request, "status_code": 503, "reason": reason},
        )
        return unavailable_response(request, reason)
    if _wants_json(request):
        return JsonResponse(
            {"detail": _("服务器内部错误，请稍后再试；若一再出现，请联系管理员")},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(
        loader.render_to_string("500.html"), status=500, content_type="text/html; charset=utf-8"
    )
