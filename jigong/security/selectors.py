"""Reads of the account-security app: one's own sessions."""

import datetime

from django.utils import timezone

from jigong.security import sessions
from jigong.security.models import SessionRecord


def my_sessions(*, user, current_key: str | None) -> list[dict]:
    """The user's open sessions, newest first, with their last activity as the session
    store holds it; a session gone from the store (expired, logged out, ended by a new
    password) is marked ended and left out."""
    out, gone = [], []
    for record in SessionRecord.objects.filter(user=user, ended_at__isnull=True):
        data = sessions.store(record.session_key).load()
        if (
            not data
            or str(data.get("_auth_user_id")) != str(user.pk)
            or not _current_hash(data, user)
        ):
            gone.append(record.pk)
            continue
        seen = data.get(sessions.SEEN_AT)
        out.append(
            {
                "record": record,
                "current": record.session_key == current_key,
                "last_seen": (
                    datetime.datetime.fromtimestamp(seen, tz=datetime.UTC) if seen else None
                ),
            }
        )
    if gone:
        SessionRecord.objects.filter(pk__in=gone).update(ended_at=timezone.now())
    return out


def _current_hash(data: dict, user) -> bool:
    """Whether the session still carries the account's auth hash (a new epoch or
    password ends it)."""
    from django.utils.crypto import constant_time_compare

    return constant_time_compare(data.get("_auth_user_hash", ""), user.get_session_auth_hash())


def session_get(*, user, pk: int) -> SessionRecord:
    """One of the user's own open sessions (DoesNotExist for anyone else's)."""
    return SessionRecord.objects.get(pk=pk, user=user, ended_at__isnull=True)
