"""``python -m bench pages [--data-dir DIR] [--requests N] [--role ROLE …]``.

Each role's main pages on the demo world in ``--data-dir`` (or ``DATABASE_URL``; build
it with ``jigong demo --scale full``), served in this process by Django's test client
(server time: the whole middleware stack and the view, no network), DEBUG off:

- roles: the municipal bureau, a district bureau (the district with the most schools),
  a school (that district's largest), a graduate and a department client — each the
  home page, /dashboard/ for staff and every entry of the role's menu;
- per page: the first request, then p50/p95 over N requests;
- the dashboard of each staff scope right after a data change (an audit row of that
  scope, as any write leaves): served from the last figures while the refresh job is
  queued; the job's own time (what ``jigong worker`` spends) is reported beside it;
- the baseline, in the same run: ``/healthz`` (p50/p95 over N).

Ends with ``BENCH pages ratio=<slowest page p95 ÷ 1 s> …`` (the goal: every page under
1 s of server time, ratio < 1), healthz p95 and the number of pages over 1 s.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

LIMIT = 1.0  # seconds of server time every page must stay under
ROLES = ("municipal", "district", "school", "graduate", "department")


def _setup(data_dir: str | None) -> None:
    if data_dir:
        os.environ["JIGONG_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from jigong.schools.models import School

    if School.objects.count() < 20:
        raise SystemExit("no demo world here: build it with `jigong demo --scale full` first")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def _users() -> dict:
    from django.db.models import Count

    from jigong.core.models import Role, User
    from jigong.schools.models import School

    district = (
        School.objects.values("district_id")
        .annotate(n=Count("id"))
        .order_by("-n", "district_id")
        .first()["district_id"]
    )
    users = {
        "municipal": User.objects.filter(role=Role.MUNICIPAL, is_active=True).first(),
        "district": User.objects.filter(role=Role.DISTRICT, district_id=district).first(),
        # the school's administrator (every duty, so every menu entry of a school)
        "school": User.objects.filter(
            role=Role.SCHOOL, school__district_id=district, username__startswith="school-"
        )
        .annotate(n=Count("school__registrations"))
        .order_by("-n")
        .first(),
        "graduate": User.objects.filter(role=Role.GRADUATE, is_active=True).first(),
        "department": User.objects.filter(role=Role.DEPARTMENT, is_active=True).first(),
    }
    return {k: v for k, v in users.items() if v is not None}


def _pages(user) -> list[str]:
    from jigong.core.navigation import menu_for
    from jigong.core.permissions import STAFF_ROLES

    pages = ["/"]
    if user.is_superuser or user.role in STAFF_ROLES:
        pages.append("/dashboard/")
    for group in menu_for(user):
        pages += [i["url"] for i in group["items"] if i["url"] not in pages]
    return pages


def _time(client, url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = client.get(url)
    return time.perf_counter() - t0, r.status_code


def _measure(client, url: str, n: int) -> dict:
    first, status = _time(client, url)
    times = []
    for _ in range(n):
        t, status = _time(client, url)
        times.append(t)
    return {"first": first, "p50": _pct(times, 50), "p95": _pct(times, 95), "status": status}


def _change(user) -> None:
    """What any write in the user's scope leaves: an audit row naming its school (or
    none, for the city). No data changes."""
    from jigong.core.services import audit
    from jigong.students.models import Registration

    qs = Registration.objects.order_by("pk")
    if user.school_id:
        qs = qs.filter(school_id=user.school_id)
    elif user.district_id:
        qs = qs.filter(school__district_id=user.district_id)
    audit(user, "update", qs.first(), message="bench pages")


def _refresh_jobs() -> float:
    """Run the queued dashboard refresh jobs as the worker would; their seconds."""
    from django_tasks_db.models import DBTaskResult

    from jigong.indicators.tasks import refresh_dashboard

    t0 = time.perf_counter()
    for row in DBTaskResult.objects.filter(
        task_path=refresh_dashboard.module_path, status="READY"
    ).order_by("enqueued_at"):
        refresh_dashboard.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
    return time.perf_counter() - t0


def _show(role: str, url: str, m: dict) -> None:
    flag = "  > 1 s" if m["p95"] > LIMIT else ""
    job = f"  (refresh job {m['job']:.2f} s)" if "job" in m else ""
    print(
        f"{role:<11} {url:<44} {m['first']:8.3f} {m['p50']:8.3f} {m['p95']:8.3f}"
        f"  {m['status']}{flag}{job}",
        flush=True,
    )


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--data-dir", default=os.environ.get("JIGONG_DATA_DIR"))
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    parser.add_argument("--role", action="append", choices=ROLES, help="only these roles")
    args = parser.parse_args(argv)
    if not args.data_dir and not os.environ.get("DATABASE_URL"):
        parser.error("--data-dir (or JIGONG_DATA_DIR / DATABASE_URL) with a demo world")
    _setup(args.data_dir)
    from django.test import Client

    from jigong.indicators import cache, tasks

    users = _users()
    roles = [r for r in ROLES if r in users and (not args.role or r in args.role)]
    n = args.requests

    anon = Client(HTTP_HOST="127.0.0.1")
    health = _measure(anon, "/healthz", max(n, 20))
    print(
        f"baseline /healthz: p50 {health['p50'] * 1000:.1f} ms, p95 {health['p95'] * 1000:.1f} ms"
    )

    scopes = [cache.scope_key(users[r]) for r in ("municipal", "district", "school") if r in roles]
    t0 = time.perf_counter()
    for scope in scopes:
        tasks.compute_view(scope)
    print(f"warm ({', '.join(scopes)}): {time.perf_counter() - t0:.1f} s (jigong warm, worker)")

    rows = []
    print(f"\n{'role':<11} {'page':<44} {'first':>8} {'p50':>8} {'p95':>8}  status", flush=True)
    for role in roles:
        user = users[role]
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for url in _pages(user):
            rows.append((role, url, _measure(client, url, n)))
            _show(*rows[-1])
        if user.role in ("municipal", "district", "school"):
            after, jobs = [], []
            _refresh_jobs()
            for _ in range(n):
                _change(user)
                after.append(_time(client, "/dashboard/")[0])
                jobs.append(_refresh_jobs())
            rows.append(
                (
                    role,
                    "/dashboard/ after a change",
                    {
                        "first": after[0],
                        "p50": _pct(after, 50),
                        "p95": _pct(after, 95),
                        "status": 200,
                        "job": _pct(jobs, 50),
                    },
                )
            )
            _show(*rows[-1])

    over = sum(m["p95"] > LIMIT for _r, _u, m in rows)
    worst = max(rows, key=lambda r: r[2]["p95"])
    print(f"\nslowest: {worst[0]} {worst[1]} p95 {worst[2]['p95']:.3f} s")
    print(
        f"BENCH pages ratio={worst[2]['p95'] / LIMIT:.3f} worst_p95_s={worst[2]['p95']:.3f} "
        f"healthz_p95_ms={health['p95'] * 1000:.1f} pages={len(rows)} over_1s={over}"
    )
    return 0
