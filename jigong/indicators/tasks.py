"""Worker jobs of the dashboard (``jigong worker``; django-tasks).

- ``refresh_dashboard(scope, view)``: recompute a scope's dashboard view whose figures
  were served out of date (queued by ``cache.run_pending``, one per scope at a time);
- ``warm_dashboards(scopes)``: compute the default view of each scope, so that nobody's
  first visit waits: queued after the demo is built and after each import (the scopes
  it changed), and run by ``jigong warm`` (every scope).

A scope is a cache scope key (``cache.scope_key``): ``city``, ``d<district id>``,
``s<school id>``. The figures are computed as a stand-in user of that scope (unsaved:
the same ``restrict()`` as the bureau's or school's own accounts).
"""

from __future__ import annotations

import logging
import time

from django.http import QueryDict

from jigong.indicators import cache

try:  # Django 6: the built-in framework; the backport before that
    from django.tasks import task
except ImportError:
    from django_tasks import task

log = logging.getLogger(__name__)


def scope_user(scope: str):
    """A stand-in user whose scope key is ``scope``; None for an unknown scope."""
    from jigong.core.models import Role, User

    if scope == "city":
        return User(username="jigong-warm", role=Role.MUNICIPAL, is_active=True)
    kind, pk = scope[:1], scope[1:]
    if not pk.isdigit():
        return None
    if kind == "d":
        from jigong.reference.models import District

        district = District.objects.filter(pk=int(pk)).first()
        if district is None:
            return None
        return User(username="jigong-warm", role=Role.DISTRICT, district=district, is_active=True)
    if kind == "s":
        from jigong.schools.models import School

        school = School.objects.select_related("district").filter(pk=int(pk)).first()
        if school is None:
            return None
        return User(
            username="jigong-warm",
            role=Role.SCHOOL,
            school=school,
            district=school.district,
            is_active=True,
        )
    return None


def all_scopes() -> list[str]:
    """The city, every district with a school, every school."""
    from jigong.schools.models import School

    schools = list(School.objects.order_by("district_id", "code").values_list("id", "district_id"))
    districts = dict.fromkeys(d for _s, d in schools)
    return ["city", *(f"d{d}" for d in districts), *(f"s{s}" for s, _d in schools)]


def scopes_of(user) -> list[str]:
    """The scopes whose figures a write by ``user`` can change: the city, and a
    district's or school's own (a municipal write: every scope)."""
    from jigong.core.models import Role

    if user is None or user.is_superuser or user.role == Role.MUNICIPAL:
        return all_scopes()
    if user.role == Role.DISTRICT:
        from jigong.schools.models import School

        schools = School.objects.filter(district_id=user.district_id).values_list("id", flat=True)
        return ["city", f"d{user.district_id}", *(f"s{s}" for s in schools)]
    if user.role == Role.SCHOOL and user.school_id:
        district = user.school.district_id
        return ["city", f"d{district}", f"s{user.school_id}"]
    return ["city"]


class _Request:
    def __init__(self, view: str) -> None:
        self.GET = QueryDict(view or "")


def compute_view(scope: str, view: str = "") -> dict | None:
    """Compute (and cache) every figure of the scope's dashboard view; None if the
    scope is gone. Figures already current are read from the cache."""
    from jigong.indicators.views import _dashboard_context

    user = scope_user(scope)
    if user is None:
        return None
    request = _Request(view)
    view = request.GET.urlencode()  # the key the page reads (views.dashboard)
    if not view:  # the home page's figures (views.home)
        from jigong.indicators import overview

        cache.get_or_compute((scope, "home"), lambda: overview.home_figures(user=user))
    return cache.get_or_compute((scope, "page", view), lambda: _dashboard_context(request, user))


@task()
def refresh_dashboard(*, scope: str, view: str = "") -> dict:
    started = time.perf_counter()
    try:
        compute_view(scope, view)
        if view:  # the default view too: it is the one most visits open
            compute_view(scope, "")
    finally:
        cache.release(scope)
    return {"scope": scope, "view": view, "seconds": round(time.perf_counter() - started, 2)}


@task()
def warm_dashboards(*, scopes: list[str] | None = None) -> dict:
    started = time.perf_counter()
    scopes = all_scopes() if scopes is None else scopes
    for scope in scopes:
        try:
            compute_view(scope)
        except Exception:  # one scope's failure leaves the others warmed
            log.exception("warming the dashboard of %s failed", scope)
    return {"scopes": len(scopes), "seconds": round(time.perf_counter() - started, 2)}


def warm_after(user) -> None:
    """Queue the warming of the scopes a bulk write by ``user`` changed (an import)."""
    try:
        warm_dashboards.enqueue(scopes=scopes_of(user))
    except Exception:  # the figures are then computed on the first visit
        log.exception("could not queue the dashboard warming")


def warm_queued() -> bool:
    """Queue the warming of every scope for the worker (after the demo is built); not
    with a backend that would run it here and now (the tests' immediate one)."""
    from django_tasks_db import DatabaseBackend

    if not isinstance(warm_dashboards.get_backend(), DatabaseBackend):
        return False
    warm_dashboards.enqueue(scopes=None)
    return True
