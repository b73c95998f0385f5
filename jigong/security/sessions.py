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


def end_others(user) -> None:
    """Make every session of ``user`` end (after enabling TOTP: they passed no second
    step): the user's session epoch moves, which changes the session auth hash every
    session is checked against (``User._get_session_auth_hash``). The caller keeps its
    own session with ``keep(request, user)``. A password change does the same through
    Django's ``update_session_auth_hash``."""
    from django.contrib.auth import get_user_model
    from django.db.models import F

    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])  # the caller's instance hashes anew


def keep(request, user) -> None:
    """Give this session the user's new auth hash (after ``end_others``)."""
    from django.contrib.auth import update_session_auth_hash

    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)


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
