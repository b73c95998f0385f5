"""/healthz: liveness, the database and free disk space, for load balancers and systemd.

200 ``{"status": "ok", "database": vendor}``; 503 ``{"status": "error", "reason":
<code>, "message": <Chinese>, ...}`` with reason ``database_unavailable``,
``disk_full`` or ``storage_error`` (jigong/core/outage.py). The disk check looks at the
data folder (SQLite file, uploads) and MEDIA_ROOT: less than JIGONG_HEALTH_MIN_FREE_MB
(default 16) MiB free is reported before writes start failing.
"""

import os
import shutil

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse

from jigong.core import outage


def _min_free_bytes() -> int:
    try:
        return int(os.environ.get("JIGONG_HEALTH_MIN_FREE_MB", "16")) * 1024 * 1024
    except ValueError:
        return 16 * 1024 * 1024


def _error(reason: str, **detail) -> JsonResponse:
    body = {"status": "error", "reason": reason, "message": outage.reason_text(reason), **detail}
    response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(outage.RETRY_AFTER)
    return response


def _sqlite_full(cursor) -> bool:
    """The SQLite file has reached its page limit (PRAGMA max_page_count)."""
    cursor.execute("PRAGMA page_count")
    pages = cursor.fetchone()[0]
    cursor.execute("PRAGMA max_page_count")
    limit = cursor.fetchone()[0]
    cursor.execute("PRAGMA freelist_count")
    free = cursor.fetchone()[0]
    return pages >= limit and free == 0


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            full = connection.vendor == "sqlite" and _sqlite_full(cursor)
    except (DatabaseError, OSError) as exc:
        reason = outage.reason_of(exc) or outage.DATABASE_UNAVAILABLE
        return _error(reason, database=str(exc)[:200])
    if full:
        return _error(outage.DISK_FULL, database=connection.vendor)
    minimum = _min_free_bytes()
    folders = {str(settings.DATA_DIR), str(settings.MEDIA_ROOT)}
    for folder in sorted(folders):
        try:
            free = shutil.disk_usage(folder).free
        except FileNotFoundError:
            continue  # MEDIA_ROOT not created yet: nothing stored there
        if free < minimum:
            return _error(outage.DISK_FULL, path=folder, free_bytes=free, min_free_bytes=minimum)
    return JsonResponse({"status": "ok", "database": connection.vendor})
