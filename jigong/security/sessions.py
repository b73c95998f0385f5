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


def end_all(user) -> int:
    """End every session of ``user`` at once (disabling the account, a new password):
    the epoch moves and each recorded session is deleted from the session store.
    Returns how many recorded sessions were open."""
    from django.utils import timezone

    from jigong.security.models import SessionRecord

    end_others(user)
    open_ = list(SessionRecord.objects.filter(user=user, ended_at__isnull=True))
    for record in open_:
        store(record.session_key).delete()
    SessionRecord.objects.filter(pk__in=[r.pk for r in open_]).update(ended_at=timezone.now())
    return len(open_)


def store(session_key: str):
    """The session store's session of ``session_key`` (whatever SESSION_ENGINE is)."""
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def keep(request, user) -> None:
    """Give this session the user's new auth hash (after ``end_others``)."""
    from django.contrib.auth import update_session_auth_hash

    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)


def record(request, user, *, address: str) -> None:
    """Note a log-in's session (device, address) for the account's sessions page."""
    from jigong.security.models import SessionRecord

    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key
    if key:
        SessionRecord.objects.update_or_create(
            session_key=key,
            defaults={
                "user": user,
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
                "address": address,
                "ended_at": None,
            },
        )


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
