"""Sliding-window counters in Django's cache for public verification.

Limits per client, per client and number, per number (misses only: they bring the
proof-of-work challenge, never a refusal) and per department key; see "public
verification" below and docs/architecture.md. Parameters are settings
(``JIGONG_VERIFY_*``); each is ``(limit, seconds)``.

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


# --- public verification: who is limited by what (docs/architecture.md, "Verification
# limits") ------------------------------------------------------------------------------
#
# per client        answered queries a minute (RATE_PER_IP); misses an hour before the
#                   challenge (MISSES_BEFORE_CHALLENGE)
# per client+number misses an hour (MISSES_PER_CLIENT_NUMBER); beyond, that client is
#                   refused for that number, whatever the name
# per number        misses an hour from everyone (MISSES_PER_NUMBER); beyond, every query
#                   for the number needs the challenge: never a refusal
#
# A query refused by a limit (or asked the challenge) counts nothing; a query's own
# per-client+number slot is taken before the look-up and given back when it is found, so
# concurrent guesses cannot overshoot.


def _counts(specs: list[tuple[str, str, tuple[int, int]]]) -> list[int]:
    """Sliding counts of several (scope, ident, (limit, window)) in one read."""
    now = time.time()
    keyss = [_keys(scope, ident, lw[1], _bucket(lw[1], now)) for scope, ident, lw in specs]
    got = cache.get_many([k for keys in keyss for k in keys])
    return [sum(v for k in keys if isinstance(v := got.get(k, 0), int)) for keys in keyss]


def _add(scope: str, ident: str, limit_window: tuple[int, int], n: int = 1) -> None:
    window = limit_window[1]
    key = _keys(scope, ident, window, _bucket(window, time.time()))[0]
    timeout = window + window // BUCKETS + 1
    if not cache.add(key, n, timeout=timeout):
        try:
            cache.incr(key, n)
        except ValueError:
            cache.add(key, n, timeout=timeout)


def _take_back(scope: str, ident: str, limit_window: tuple[int, int]) -> None:
    """Remove one event, from the newest bucket that holds one."""
    window = limit_window[1]
    for key in _keys(scope, ident, window, _bucket(window, time.time())):
        value = cache.get(key)
        if isinstance(value, int) and value > 0:
            try:
                cache.decr(key)
            except ValueError:
                continue
            return


def begin(ip: str, number: str) -> str:
    """Admit one public query: "limited" (counted nothing) or "ok" (counted in the
    client's window, and a reserved miss for client+number, settled by ``settle``)."""
    rate = setting("JIGONG_VERIFY_RATE_PER_IP")
    cn = setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")
    ident = f"{ip}|{number}"
    with _serialised():
        used, reserved = _counts([("ip", ip, rate), ("cn", ident, cn)])
        if used >= rate[0] or (number and reserved >= cn[0]):
            return "limited"
        _add("ip", ip, rate)
        if number:
            _add("cn", ident, cn)
    return "ok"


def release(ip: str, number: str) -> None:
    """Undo ``begin`` for a query then asked the challenge (it counts nothing)."""
    with _serialised():
        _take_back("ip", ip, setting("JIGONG_VERIFY_RATE_PER_IP"))
        if number:
            _take_back("cn", f"{ip}|{number}", setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER"))


def challenge_due(ip: str, number: str = "") -> bool:
    """True when the client has missed too often, or the number's miss budget is spent."""
    client = setting("JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE")
    per_number = setting("JIGONG_VERIFY_MISSES_PER_NUMBER")
    specs = [("miss", ip, client)] + ([("nmiss", number, per_number)] if number else [])
    counts = _counts(specs)
    return counts[0] >= client[0] or (bool(number) and counts[1] >= per_number[0])


def settle(ip: str, number: str, *, found: bool) -> None:
    """After the look-up: a found query gives its client+number slot back; a miss counts
    toward the client's challenge and the number's miss budget."""
    with _serialised():
        if found:
            if number:
                cn = setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")
                _take_back("cn", f"{ip}|{number}", cn)
            return
        _add("miss", ip, setting("JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE"))
        if number:
            _add("nmiss", number, setting("JIGONG_VERIFY_MISSES_PER_NUMBER"))


# --- department keys: the same per-number limits, per key, for single and batch items ----


def key_misses(prefix: str, numbers: list[str]) -> tuple[dict[str, int], int]:
    """A department key's misses so far, per number and in all, in one read."""
    cn = setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")
    per_key = setting("JIGONG_VERIFY_KEY_MISSES")
    distinct = list(dict.fromkeys(numbers))
    counts = _counts(
        [("cn", f"key:{prefix}|{n}", cn) for n in distinct] + [("kmiss", prefix, per_key)]
    )
    return dict(zip(distinct, counts[:-1], strict=True)), counts[-1]


def key_record_misses(prefix: str, misses: dict[str, int]) -> None:
    """Count a department key's misses ({number: n}) per key+number, per key and toward
    each number's public miss budget (a batch item counts like a single query)."""
    if not misses:
        return
    cn = setting("JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER")
    per_number = setting("JIGONG_VERIFY_MISSES_PER_NUMBER")
    with _serialised():
        _add("kmiss", prefix, setting("JIGONG_VERIFY_KEY_MISSES"), sum(misses.values()))
        for number, n in misses.items():
            if number:
                _add("cn", f"key:{prefix}|{number}", cn, n)
                _add("nmiss", number, per_number, n)
