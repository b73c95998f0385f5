"""Cache of indicator figures per (user scope, indicator, years), stale-while-revalidate.

Versions. Every write of the platform goes through the audited services and leaves an
AuditLog row carrying the school (and district) it touched; bulk loads leave one per
table. A scope's version is the id of the latest data-changing audit row that can
affect it: any row for the city; for a school, rows of that school or of no school
(reference data, bulk loads); for a district, rows of its schools or of no school. It
is re-read at most once a second per thread, at once after a write in this process.
So a school editing a student leaves every other school's figures current.

Entries keep (version, computed at, value). A read (``get_or_compute``):
- returns the entry when its version is current and it is younger than ``MAX_AGE``;
- otherwise recomputes synchronously — except inside ``serve_stale()`` (the dashboard):
  there an entry that exists is returned at once and its recomputation is queued, to
  run in one background thread per scope after the response has been sent
  (``request_finished``), guarded by a cache lock so only one refresh of a scope runs.
  The page shows the time of its oldest figure and the refresh interval, so staleness
  is bounded (one refresh after a write, ``MAX_AGE`` without one) and displayed.

``REFRESH = "inline"``, or a request inside a transaction (a test), runs the queued
refresh in the requesting thread once the response is finished (another connection
could not see uncommitted rows): a test sees the stale page, then the fresh one.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.signals import request_finished
from django.db.models.signals import post_save

log = logging.getLogger(__name__)

MAX_AGE = 600  # seconds a figure may be served without a change (the refresh interval)
TIMEOUT = 24 * 3600  # seconds an entry is kept for stale serving
LOCK_SECONDS = 300  # a refresh that dies releases its scope after this
RECHECK_SECONDS = 1.0
# Audit actions that change no figure: a log-in, an export.
UNCHANGING = ("login", "export")
REFRESH = "thread"  # or "inline" (tests): where queued refreshes run

_state = threading.local()
_bumps = [0]  # writes seen in this process
_generation = [0]  # clear() moves it: every entry is forgotten


@dataclass
class Serving:
    """What a ``serve_stale()`` block served: the oldest figure and what to refresh."""

    oldest: float | None = None  # time.time() the oldest served figure was computed
    stale: bool = False
    jobs: dict = field(default_factory=dict)  # key -> (scope, compute)


_serving: contextvars.ContextVar[Serving | None] = contextvars.ContextVar(
    "jigong_indicators_serving", default=None
)
_pending = threading.local()  # jobs queued by this thread, run after its response
_threads: list[threading.Thread] = []


# --- versions ----------------------------------------------------------------------


def _latest_change(scope: str) -> int:
    from django.db.models import Q

    from jigong.core.models import AuditLog
    from jigong.schools.models import School

    qs = AuditLog.objects.exclude(action__in=UNCHANGING)
    if scope.startswith("s"):
        qs = qs.filter(Q(school_id=int(scope[1:])) | Q(school_id__isnull=True))
    elif scope.startswith("d"):
        schools = School.objects.filter(district_id=int(scope[1:])).values("pk")
        qs = qs.filter(Q(school_id__in=schools) | Q(school_id__isnull=True))
    return qs.order_by("-id").values_list("id", flat=True).first() or 0


def version(scope: str = "city") -> int:
    now = time.monotonic()
    seen = getattr(_state, "seen", None)
    if seen is None or _state.bumps != _bumps[0]:
        seen = _state.seen = {}
        _state.bumps = _bumps[0]
    checked = seen.get(scope)
    if checked is None or now - checked[0] > RECHECK_SECONDS:
        checked = seen[scope] = (now, _latest_change(scope))
    return checked[1]


def bump(sender=None, instance=None, **_kwargs) -> None:
    if instance is not None and instance.action in UNCHANGING:
        return
    _bumps[0] += 1


def scope_key(user) -> str:
    from jigong.core.models import Role

    if user is None or not user.is_authenticated:
        return "anon"
    if user.is_superuser or user.role == Role.MUNICIPAL:
        return "city"
    if user.role == Role.DISTRICT:
        return f"d{user.district_id}"
    if user.role == Role.SCHOOL:
        return f"s{user.school_id}"
    return f"r{user.role}"


# --- reads -------------------------------------------------------------------------


def _key(parts: tuple) -> str:
    return "indicators:{}:{}".format(_generation[0], ":".join(str(p) for p in parts))


def _store(key: str, ver: int, compute):
    computed_at = time.time()
    value = compute()
    cache.set(key, (ver, computed_at, value), TIMEOUT)
    return computed_at, value


def get_or_compute(parts: tuple, compute):
    """The cached value for ``parts`` (its first part is the scope key), computing it
    when missing or out of date — or, inside ``serve_stale()``, queueing that."""
    scope = str(parts[0])
    key = _key(parts)
    ver = version(scope)
    entry = cache.get(key)
    serving = _serving.get()
    if entry is not None:
        entry_ver, computed_at, value = entry
        fresh = entry_ver == ver and time.time() - computed_at < MAX_AGE
        if fresh or serving is not None:
            if serving is not None:
                serving.oldest = min(serving.oldest or computed_at, computed_at)
                if not fresh:
                    serving.stale = True
                    serving.jobs.setdefault(key, (scope, compute))
            return value
    computed_at, value = _store(key, ver, compute)
    if serving is not None:
        serving.oldest = min(serving.oldest or computed_at, computed_at)
    return value


@contextmanager
def serve_stale():
    """Serve cached figures even when out of date; refresh them after the response."""
    serving = Serving()
    token = _serving.set(serving)
    try:
        yield serving
    finally:
        _serving.reset(token)
        if serving.jobs:
            queued = getattr(_pending, "jobs", None) or {}
            queued.update(serving.jobs)
            _pending.jobs = queued


# --- refresh -----------------------------------------------------------------------


def _lock_key(scope: str) -> str:
    return f"indicators:{_generation[0]}:refresh:{scope}"


def _refresh(scope: str, jobs: list, lock: str, *, close: bool = True) -> None:
    from django.db import connections

    try:
        for key, compute in jobs:
            _store(key, version(scope), compute)
    except Exception:  # a failed refresh keeps serving the previous figures
        log.exception("indicator refresh of %s failed", scope)
    finally:
        cache.delete(lock)
        if close:  # the thread's own connections
            connections.close_all()


def run_pending(**_kwargs) -> list[threading.Thread]:
    """Start the refreshes this thread queued (on ``request_finished``): one per scope,
    skipped while another refresh of that scope holds its lock."""
    from django.db import connection

    jobs = getattr(_pending, "jobs", None)
    _pending.jobs = None
    if not jobs:
        return []
    # inside a transaction (a test) another connection could not see its data
    inline = REFRESH == "inline" or connection.in_atomic_block
    by_scope: dict[str, list] = {}
    for key, (scope, compute) in jobs.items():
        by_scope.setdefault(scope, []).append((key, compute))
    threads = []
    for scope, scope_jobs in by_scope.items():
        lock = _lock_key(scope)
        if not cache.add(lock, 1, LOCK_SECONDS):
            continue
        if inline:
            _refresh(scope, scope_jobs, lock, close=False)
            continue
        thread = threading.Thread(
            target=_refresh, args=(scope, scope_jobs, lock), name=f"indicators-{scope}"
        )
        thread.daemon = True
        thread.start()
        threads.append(thread)
    _threads[:] = [t for t in _threads if t.is_alive()] + threads
    return threads


def wait(timeout: float | None = None) -> None:
    """Wait for the refreshes started by this process (tests, benchmarks)."""
    for thread in list(_threads):
        thread.join(timeout)


def clear() -> None:
    """Forget every cached figure (tests, benchmarks): the next read recomputes."""
    _generation[0] += 1
    bump()


def connect() -> None:
    from jigong.core.models import AuditLog

    post_save.connect(bump, sender=AuditLog, dispatch_uid="indicators-cache-bump")
    request_finished.connect(run_pending, dispatch_uid="indicators-refresh")
