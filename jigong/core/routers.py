"""Read replica for public certificate verification.

With DATABASE_REPLICA_URL set, settings add a database alias ``replica``. Reads of the
certificate registers made inside ``replica_reads()`` go there; every other read and
every write goes to ``default``. Public verification is the high-volume anonymous
read (（十八）: other departments and employers query certificates), so it is the one
moved off the primary. A replica lags its primary by a moment: a certificate issued a
second ago may not be found yet, which the public page's "try again" covers.

Requests to the paths in JIGONG_REPLICA_PATHS (default: /verify/ and the JSON
verification endpoint) run inside ``replica_reads()`` through ``ReplicaReadsMiddleware``;
other callers (the `jigong verify` command, batch verification) can wrap their reads
in the context manager or decorate with it.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# Apps whose rows public verification reads: certificates and what they point to.
REPLICA_APPS = frozenset({"certificates", "students", "schools", "reference"})
DEFAULT_PATHS = ("/verify/", "/api/v1/certificates/verify")

_active: contextvars.ContextVar[bool] = contextvars.ContextVar("jigong_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def replica_reads():
    """Send reads of the certificate registers to the replica (when one is configured)."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


class ReplicaRouter:
    """Public verification reads → ``replica``; everything else → ``default``."""

    def db_for_read(self, model, **hints):
        if _active.get() and model._meta.app_label in REPLICA_APPS and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of default: rows from either may be related.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows its primary by replication; it is never migrated.
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Run public verification requests inside ``replica_reads()``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(getattr(settings, "JIGONG_REPLICA_PATHS", DEFAULT_PATHS))

    def __call__(self, request):
        if request.path_info.startswith(self.paths) and replica_configured():
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
