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
- otherwise recomputes synchronously — except inside ``serve_stale(view)`` (the
  dashboard): there an entry that exists is returned at once and the view is queued for
  recomputation. After the response (``request_finished``) one worker job per scope is
  enqueued (``jigong.indicators.tasks.refresh_dashboard``, run by ``jigong worker``),
  guarded by a lock in the shared cache that the job releases: while a scope's job
  waits or runs, no other is queued for it. The page shows the time of its oldest
  figure and the refresh interval, so staleness is bounded (one job after a write,
  ``MAX_AGE`` without one) and displayed.

With the immediate task backend (tests) the job runs in the requesting thread once the
response is finished: a test sees the stale page, then the fresh one.
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
LOCK_SECONDS = 600  # a job that never runs (no worker) releases its scope after this
RECHECK_SECONDS = 1.0
# Audit actions that change no figure: a log-in, an export; nor does the bookkeeping
# of background jobs (an import's figures change with the rows it writes).
UNCHANGING = ("login", "export")
UNCHANGING_TYPES = ("jobs.",)

_state = threading.local()
_bumps = [0]  # writes seen in this process
_generation = [0]  # clear() moves it: every entry is forgotten


@dataclass
class Serving:
    """What a ``serve_stale()`` block served: the oldest figure and what to refresh."""

    oldest: float | None = None  # time.time() the oldest served figure was computed
    stale: bool = False
    view: str = ""  # the page's query string: what the refresh job recomputes
    scopes: set = field(default_factory=set)  # scopes with a stale figure


_serving: contextvars.ContextVar[Serving | None] = contextvars.ContextVar(
    "jigong_indicators_serving", default=None
)
_pending = threading.local()  # (scope, view) queued by this thread, after its response


# --- versions ----------------------------------------------------------------------


def _latest_change(scope: str) -> int:
    from django.db.models import Q

    from jigong.core.models import AuditLog
    from jigong.schools.models import School

    qs = AuditLog.objects.exclude(action__in=UNCHANGING)
    for prefix in UNCHANGING_TYPES:
        qs = qs.exclude(object_type__startswith=prefix)
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
    if instance is not None and (
        instance.action in UNCHANGING or instance.object_type.startswith(UNCHANGING_TYPES)
    ):
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
                    serving.scopes.add(scope)
            return value
    if serving is None:
        return _store(key, ver, compute)[1]
    # Served stale: an entry built from stale figures is stored as out of date (version
    # -1), so that it is rebuilt by the refresh job rather than shown as current.
    was_stale, serving.stale = serving.stale, False
    computed_at = time.time()
    value = compute()
    built_stale = serving.stale
    serving.stale = was_stale or built_stale
    cache.set(key, (-1 if built_stale else ver, computed_at, value), TIMEOUT)
    if not built_stale:
        serving.oldest = min(serving.oldest or computed_at, computed_at)
    return value


@contextmanager
def serve_stale(view: str = ""):
    """Serve cached figures even when out of date; queue the view's refresh (a worker
    job per scope, enqueued after the response)."""
    serving = Serving(view=view)
    token = _serving.set(serving)
    try:
        yield serving
    finally:
        _serving.reset(token)
        if serving.scopes:
            queued = getattr(_pending, "views", None) or {}
            for scope in serving.scopes:
                queued.setdefault(scope, view)
            _pending.views = queued


# --- refresh -----------------------------------------------------------------------


def _lock_key(scope: str) -> str:
    return f"indicators:{_generation[0]}:refresh:{scope}"


def release(scope: str) -> None:
    """The scope's refresh job has ended: a later stale read may queue another."""
    cache.delete(_lock_key(scope))


def run_pending(**_kwargs) -> list[str]:
    """Enqueue the refreshes this thread's responses asked for (on ``request_finished``):
    one job per scope, none while an earlier job of that scope holds its lock. Returns
    the scopes enqueued."""
    from jigong.indicators.tasks import refresh_dashboard

    views = getattr(_pending, "views", None)
    _pending.views = None
    enqueued = []
    for scope, view in (views or {}).items():
        lock = _lock_key(scope)
        if not cache.add(lock, 1, LOCK_SECONDS):
            continue
        try:
            refresh_dashboard.enqueue(scope=scope, view=view)
        except Exception:  # the queue is down: keep serving, try again on a later read
            cache.delete(lock)
            log.exception("could not queue the indicator refresh of %s", scope)
            continue
        enqueued.append(scope)
    return enqueued


def clear() -> None:
    """Forget every cached figure (tests, benchmarks): the next read recomputes."""
    _generation[0] += 1
    bump()


def _imported(sender=None, user=None, **_kwargs) -> None:
    from jigong.indicators.tasks import warm_after

    warm_after(user)


def connect() -> None:
    from jigong.core.imports.runner import imported
    from jigong.core.models import AuditLog

    post_save.connect(bump, sender=AuditLog, dispatch_uid="indicators-cache-bump")
    request_finished.connect(run_pending, dispatch_uid="indicators-refresh")
    imported.connect(_imported, dispatch_uid="indicators-warm-after-import")
