"""Fixed-window counters in Django's cache for public verification.

Limits per client IP and per certificate number, and a count of misses per client after
which the page asks a challenge question (the JSON API, which has no session, refuses
instead). Parameters are settings (``JIGONG_VERIFY_*``); each is ``(limit, seconds)``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

PREFIX = "jg:verify"


def client_ip(request) -> str:
    """The client address; behind a reverse proxy set JIGONG_CLIENT_IP_HEADER (e.g.
    ``HTTP_X_REAL_IP``) to the header the proxy sets."""
    header = getattr(settings, "JIGONG_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, ident: str, window: int, now: float) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return f"{PREFIX}:{scope}:{digest}:{int(now // window)}"


def hit(scope: str, ident: str, limit_window: tuple[int, int]) -> int:
    """Count one event in the current window and return the window's count."""
    _, window = limit_window
    key = _key(scope, ident, window, time.time())
    if cache.add(key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return 1


def count(scope: str, ident: str, limit_window: tuple[int, int]) -> int:
    _, window = limit_window
    return cache.get(_key(scope, ident, window, time.time()), 0)


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
