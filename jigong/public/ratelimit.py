"""Sliding-window counters in Django's cache for public verification.

Limits per client IP and per certificate number, and a count of misses per client after
which the page asks a challenge question (the JSON API, which has no session, refuses
instead). Parameters are settings (``JIGONG_VERIFY_*``); each is ``(limit, seconds)``.

A window is counted in ``BUCKETS`` buckets; an event is counted in its bucket and the
window's count is the sum of the current bucket and the ``BUCKETS`` before it (between
one window and one window and a bucket, e.g. 60–70 s). So no more than ``limit`` events
are ever admitted in any span of one window, also across a clock minute (a fixed window
admitted up to twice the limit there: 54 queries in 2 s), at the price of a client
waiting up to one bucket longer.
"""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

from jigong.core import clientip

PREFIX = "jg:verify"


# The client address, as the lock-out and the logs see it (trusted proxies only).
client_ip = clientip.client_ip


BUCKETS = 6


def _bucket(window: int, now: float) -> int:
    return int(now // (window / BUCKETS))


def _keys(scope: str, ident: str, window: int, bucket: int) -> list[str]:
    """The keys of ``bucket`` (first) and of the ``BUCKETS`` before it."""
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return [f"{PREFIX}:{scope}:{digest}:{window}:{bucket - i}" for i in range(BUCKETS + 1)]


def _earlier(keys: list[str]) -> int:
    return sum(v for v in cache.get_many(keys[1:]).values() if isinstance(v, int))


_LOCK_ID = zlib.crc32(PREFIX.encode())  # PostgreSQL advisory lock of the counters


def _serialised():
    """The database cache's ``incr`` is a read then a write: two workers counting at the
    same moment could both read N and both write N + 1. With that backend the counting
    runs in one transaction holding the write lock (SQLite's IMMEDIATE transactions,
    a transaction-scoped advisory lock on PostgreSQL), so no count is lost. Other
    backends (locmem, Redis, Memcached) increment atomically themselves."""
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return nullcontext()
    return _locked(router.db_for_write(backend.cache_model_class) or "default")


@contextmanager
def _locked(alias: str):
    with transaction.atomic(using=alias):
        conn = connections[alias]
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        yield


def hit(scope: str, ident: str, limit_window: tuple[int, int]) -> int:
    """Count one event in the current window and return the window's count."""
    return hit_n(scope, ident, limit_window, 1)


def hit_n(scope: str, ident: str, limit_window: tuple[int, int], n: int) -> int:
    """Count ``n`` events now and return the window's count (sliding: see above)."""
    _, window = limit_window
    keys = _keys(scope, ident, window, _bucket(window, time.time()))
    timeout = window + window // BUCKETS + 1  # counted while in one of the next buckets
    with _serialised():
        if cache.add(keys[0], n, timeout=timeout):
            current = n
        else:
            try:
                current = cache.incr(keys[0], n)
            except ValueError:  # expired between add and incr
                cache.add(keys[0], n, timeout=timeout)
                current = n
    return current + _earlier(keys)


# Leases: a process takes a block of a limit's window from the shared counter and admits
# that many events locally, so a high limit costs one shared write per block, not per
# request. The block is a hundredth of the limit: 1 for small limits (exact), at most
# LEASE_MAX; nothing is ever admitted beyond the limit. A lease lasts its bucket: at most
# a block a bucket — under 1% of the limit a process, 7% over the BUCKETS + 1 buckets of
# the sliding window — may go unused in other processes' leases. A shared write (one
# locked transaction, 0.3–1 ms) every 50 requests cost a busy key 6–20 µs a request;
# every 1,000, under 1 µs.
LEASE_DIVISOR = 100
LEASE_MAX = 1000
_leases: dict[tuple[str, str, int, int], int] = {}
_lease_lock = threading.Lock()


def lease_block(limit: int) -> int:
    """Events a process takes from the shared counter at a time, for this limit."""
    return max(1, min(LEASE_MAX, limit // LEASE_DIVISOR))


def admit(scope: str, ident: str, limit_window: tuple[int, int]) -> bool:
    """Whether one more event fits the limit of this window (shared by all processes)."""
    limit, window = limit_window
    lease_key = (scope, ident, window, _bucket(window, time.time()))
    with _lease_lock:
        left = _leases.get(lease_key, 0)
        if left > 0:
            _leases[lease_key] = left - 1
            return True
    block = lease_block(limit)
    total = hit_n(scope, ident, limit_window, block)
    granted = max(0, min(block, limit - (total - block)))
    if granted == 0:
        return False
    with _lease_lock:
        for k in [k for k in _leases if k[3] != lease_key[3] and k[2] == window]:
            del _leases[k]  # past buckets
        _leases[lease_key] = _leases.get(lease_key, 0) + granted - 1
    return True


def forget_leases() -> None:
    """Drop this process's leases (tests, after clearing the cache)."""
    with _lease_lock:
        _leases.clear()


def count(scope: str, ident: str, limit_window: tuple[int, int]) -> int:
    _, window = limit_window
    keys = _keys(scope, ident, window, _bucket(window, time.time()))
    return (cache.get(keys[0]) or 0) + _earlier(keys)


def setting(name: str) -> tuple[int, int]:
    return tuple(getattr(settings, name))


def over_limit(ip: str, number: str) -> bool:
    """Count this query against the client's and the number's windows; True when either
    is over its limit (the query must then not be answered)."""
    per_ip = setting("JIGONG_VERIFY_RATE_PER_IP")
    per_number = setting("JIGONG_VERIFY_RATE_PER_NUMBER")
    over = hit("ip", ip, per_ip) > per_ip[0]
    if number:
        over = hit("number", number, per_number) > per_number[0] or over
    return over


def record_miss(ip: str) -> int:
    return hit("miss", ip, setting("JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE"))


def challenge_required(ip: str) -> bool:
    misses = setting("JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE")
    return count("miss", ip, misses) >= misses[0]
