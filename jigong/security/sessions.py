"""Session time-outs (等保 2.0 三级 / ASVS V3.3): a staff session ends after
JIGONG_SESSION_IDLE_SECONDS without a request (default 30 min) and in any case
JIGONG_SESSION_ABSOLUTE_SECONDS after log-in (default 8 h)."""

from django.conf import settings

AUTH_AT = "jg_auth_at"  # when the user logged in (epoch seconds)
SEEN_AT = "jg_seen_at"  # last request, refreshed at most once a minute
REFRESH = 60


def idle_seconds() -> int:
    return int(getattr(settings, "JIGONG_SESSION_IDLE_SECONDS", 1800))


def absolute_seconds() -> int:
    return int(getattr(settings, "JIGONG_SESSION_ABSOLUTE_SECONDS", 8 * 3600))


def start(request, *, now: float) -> None:
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now


def expired(request, *, now: float) -> bool:
    """True when the session has timed out; otherwise note this request."""
    session = request.session
    auth_at = session.get(AUTH_AT)
    seen_at = session.get(SEEN_AT)
    if auth_at is None or seen_at is None:
        # A session from before the time-outs were introduced: start counting now.
        start(request, now=now)
        return False
    if now - seen_at > idle_seconds() or now - auth_at > absolute_seconds():
        return True
    if now - seen_at > REFRESH:
        session[SEEN_AT] = now
    return False
