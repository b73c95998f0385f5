"""Writes of the certificate query system: department API keys (issued and revoked by
the municipal bureau, audited: the acts ``api_key.create`` and ``api_key.revoke``) and
the query log (append-only, the record of reads; purged only past the retention period
by the act ``query_log.purge``)."""

from __future__ import annotations

import atexit
import datetime
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

from django import db
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.certificates.models import QueryLog
from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, act
from jigong.core.models import ApiKey, ApiKeyScope, AuditLog, Role, User
from jigong.policy import parameters, rules

logger = logging.getLogger(__name__)

KEY_PREFIX = "jgk"
MAX_RATE = 1_000_000


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """``jgk_<prefix>_<secret>`` → (prefix, whole key), or None when malformed."""
    key = (key or "").strip()
    parts = key.split("_", 2)
    if len(key) > 100 or len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1]:
        return None
    return parts[1], key


@dataclass(frozen=True)
class CallerKey:
    """What a request needs of its API key (cached briefly, see ``api_key_for``)."""

    pk: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    rate_per_minute: int


# Valid keys are remembered per process for KEY_CACHE_SECONDS, by the whole key's
# digest: a revocation reaches the revoking process at once and the others within that
# time. Unknown and revoked keys are never cached.
KEY_CACHE_SECONDS = 5.0
_key_cache: dict[str, tuple[float, CallerKey]] = {}
_key_lock = threading.Lock()


def api_key_for(key: str) -> CallerKey | None:
    """The active key ``jgk_<prefix>_<secret>`` names, or None (malformed, unknown,
    wrong secret or revoked). Digests are compared in constant time."""
    parts = split_key(key)
    if parts is None:
        return None
    wanted = digest(parts[1])
    now = time.monotonic()
    hit = _key_cache.get(wanted)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = (
        ApiKey.objects.filter(prefix=parts[0], revoked_at__isnull=True)
        .values_list("pk", "name", "prefix", "digest", "scopes", "rate_per_minute")
        .first()
    )
    if row is None or not hmac.compare_digest(row[3], wanted):
        return None
    caller = CallerKey(row[0], row[1], row[2], tuple(row[4] or ()), row[5])
    with _key_lock:
        if len(_key_cache) > 1000:
            _key_cache.clear()
        _key_cache[wanted] = (now + KEY_CACHE_SECONDS, caller)
    return caller


def forget_keys() -> None:
    with _key_lock:
        _key_cache.clear()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str  # shown once; only its digest is stored


def _check_scopes(scopes) -> list[str]:
    allowed = dict(ApiKeyScope.choices)
    scopes = list(dict.fromkeys(s.strip() for s in (scopes or []) if s and s.strip()))
    if not scopes:
        raise ValidationError({"scopes": [_("授权范围“”：至少选择一项")]})
    for s in scopes:
        if s not in allowed:
            names = "、".join(f"{k}（{v}）" for k, v in allowed.items())
            raise ValidationError(
                {"scopes": [_("授权范围“%(s)s”：应为%(n)s") % {"s": s[:40], "n": names}]}
            )
    return scopes


@act(
    "api_key.create",
    label=_lazy("签发接口密钥"),
    roles=MUNICIPAL,
    model="core.apikey",
    channels=("page", "cli"),
    event="create",
)
def api_key_create(
    *,
    actor,
    name: str,
    scopes: list[str],
    rate_per_minute: int = 600,
    note: str = "",
    holder: User | None = None,
) -> IssuedKey:
    """Issue a key to a department. The returned ``key`` is the only time it is seen.
    ``holder``: the department's account whose home page lists the key."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("使用部门“”：必须填写")]})
    if holder is not None and (holder.role != Role.DEPARTMENT or not holder.is_active):
        raise ValidationError(
            {"holder": [_("部门账号“%(u)s”：应为有效的部门接口用户账号") % {"u": holder.username}]}
        )
    scopes = _check_scopes(scopes)
    if not isinstance(rate_per_minute, int) or not 1 <= rate_per_minute <= MAX_RATE:
        raise ValidationError(
            {
                "rate_per_minute": [
                    _("每分钟限额“%(r)s”：应为1至%(m)s之间的整数")
                    % {"r": str(rate_per_minute)[:20], "m": MAX_RATE}
                ]
            }
        )
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    obj = core.create(
        actor,
        ApiKey,
        name=name,
        prefix=prefix,
        digest=digest(key),
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        note=(note or "").strip(),
        created_by=actor if actor is not None and actor.pk else None,
        holder=holder,
    )
    return IssuedKey(api_key=obj, key=key)


@act(
    "api_key.revoke",
    label=_lazy("撤销接口密钥"),
    roles=MUNICIPAL,
    model="core.apikey",
    channels=("page", "cli"),
)
def api_key_revoke(*, actor, api_key: ApiKey) -> ApiKey:
    """Revoke a key: requests with it are refused (401) from now on, in every process
    within ``KEY_CACHE_SECONDS``."""
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked_at is not None:
        raise ValidationError({"revoked_at": [_("接口密钥“%(k)s”：已经撤销") % {"k": key.prefix}]})
    core.update(actor, key, revoked_at=timezone.now())
    forget_keys()
    api_key.refresh_from_db()
    return key


# --- the query log ---------------------------------------------------------------------

LOG_FIELDS = [
    "at",
    "api_key_id",
    "client",
    "ip",
    "channel",
    "kind",
    "number",
    "name",
    "found",
    "batch",
]


def _insert(entries: list[tuple]) -> int:
    # One transaction: in autocommit each row would be a commit of its own.
    with transaction.atomic():
        return core.bulk_insert(QueryLog, LOG_FIELDS, entries)


def query_log_write(entries: list[tuple]) -> int:
    """Append query-log rows (tuples in LOG_FIELDS order) with one statement per chunk.
    Query logs are themselves the record of access, so they are not audited row by row.

    With JIGONG_QUERY_LOG_BUFFER_MS > 0 (``jigong serve`` sets 200) rows of single
    queries are queued and one writer thread per process inserts them in one statement
    every that many milliseconds, or at once when FLUSH_ROWS rows wait, so request
    threads never wait on each other for the write lock. What is queued is written when
    the process exits (``_LogBuffer``). Batches (many rows at once) are written at once."""
    delay = _buffer_ms()
    if delay <= 0 or len(entries) > 100:
        return _insert(entries)
    _log_buffer.add(entries, delay)
    return len(entries)


def _buffer_ms() -> int:
    try:
        return int(os.environ.get("JIGONG_QUERY_LOG_BUFFER_MS", "0"))
    except ValueError:
        return 0


FLUSH_ROWS = 500  # a queue this long is written without waiting for the timer
RETRY_MAX_ROWS = 100_000  # rows kept for a retry after a failed write, at most


class _LogBuffer:
    """The queue of query-log rows of one process and its writer thread.

    Exit: Granian's workers are multiprocessing children, which leave through
    ``os._exit`` after their shutdown and so never run ``atexit``; the final flush is
    therefore registered both as a multiprocessing finaliser (run on a worker's graceful
    exit) and with ``atexit`` (any other process). It waits for a write in progress
    (``writing``), so no row is dropped between the writer thread and the exit."""

    def __init__(self):
        self.rows: list[tuple] = []
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.writing = threading.Lock()
        self.pid = 0
        self.thread: threading.Thread | None = None
        self.stopping = False

    def add(self, entries: list[tuple], delay: int) -> None:
        with self.lock:
            self.rows.extend(entries)
            if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                self._start(delay)
            if len(self.rows) >= FLUSH_ROWS:
                self.wake.notify()

    def _start(self, delay: int) -> None:
        if self.pid != os.getpid():
            self.pid = os.getpid()
            from multiprocessing import util

            util.Finalize(None, self.flush, exitpriority=100)
            atexit.register(self.flush)
        self.thread = threading.Thread(
            target=self._run, args=(delay / 1000,), name="query-log", daemon=True
        )
        self.thread.start()

    def flush(self) -> int:
        """Write what is queued now; returns the number of rows written."""
        with self.writing:
            with self.lock:
                rows, self.rows = self.rows, []
            if not rows:
                return 0
            try:
                return _insert(rows)
            except Exception:
                db.connections.close_all()  # a broken connection is opened afresh
                with self.lock:
                    keep = rows[: max(0, RETRY_MAX_ROWS - len(self.rows))]
                    self.rows[:0] = keep  # retried at the next flush
                logger.exception(
                    "query log: %s rows not written yet, %s dropped",
                    len(rows),
                    len(rows) - len(keep),
                )
                return 0

    def pending(self) -> int:
        with self.lock:
            return len(self.rows)

    def stop(self) -> None:
        """Write what is queued and end the writer thread (tests; a new queue entry
        starts a new one)."""
        thread = self.thread
        with self.lock:
            self.stopping = True
            self.wake.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.flush()

    def _run(self, delay: float) -> None:
        # The writer keeps its database connection while there is work (opening SQLite
        # costs as much as writing a flush's rows), at most CONN_MAX_AGE like a
        # request's, and lets it go when idle or stopped.
        while True:
            with self.lock:
                if len(self.rows) < FLUSH_ROWS and not self.stopping:
                    self.wake.wait(delay)
                stopping, self.stopping = self.stopping, False
            wrote = self.flush()
            if stopping or not wrote:
                db.connections.close_all()
            else:
                db.close_old_connections()
            if stopping:
                return


_log_buffer = _LogBuffer()


@act(
    "query_log.purge",
    label=_lazy("清理查询日志"),
    roles=MUNICIPAL,
    model="certificates.querylog",
    clause="（十八）",
    channels=("cli",),
    event="delete",
)
def query_log_purge(*, actor, before: datetime.date) -> int:
    """Delete query-log rows older than ``before``; refuses any ``before`` that would
    delete a row within the retention period (at least 6 months, （十八） platform rule)."""
    today = timezone.localdate()
    keep_from = rules.query_log_keep_from(today, today)
    if before > keep_from:
        months = parameters.get("certificates.query_log_retention_months", today)
        raise ValidationError(
            {
                "before": [
                    _("清理截止日期“%(b)s”：查询日志至少保存%(m)s个月，只能清理%(k)s之前的日志")
                    % {"b": before, "m": months, "k": keep_from}
                ]
            }
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    deleted, _detail = QueryLog.objects.filter(at__lt=cutoff).delete()
    core.audit(
        actor,
        AuditLog.Action.DELETE,
        object_type=QueryLog._meta.label_lower,
        before={"count": deleted, "before": before.isoformat()},
        message=_("清理%(b)s之前的查询日志%(n)s条") % {"b": before, "n": deleted},
    )
    return deleted
