"""``python -m bench indicators [--data-dir DIR] [--year Y] [--requests N]``.

Over the full demo world (built into DIR first if DIR holds no data; SQLite), in one run:

- project: every indicator of the catalogue for every breakdown (total, year trend,
  group, district, tier, school, major where meaningful) through
  ``jigong.indicators.selectors.compute`` as the municipal user, cache cleared first;
- ceiling: the same figures as hand-written SQL (``tests/indicators/reference_sql.py``,
  the SQL the tests check the project against exactly), one GROUP BY query per
  indicator, breakdown and year, on the same database through Django's cursor;
- DuckDB (bench extra: duckdb, duckdb-extension-sqlite-scanner) running that SQL on
  the same SQLite file;
- the /dashboard/ page with Django's test client: the first request with an empty
  cache (cold), p50/p95 over N warm requests and over N requests each right after a
  write (served stale, refreshed in the background), and the refresh's duration.

ratio = project seconds ÷ hand-written SQL seconds (lower is better; goal ≤ 2).
"""

import argparse
import math
import os
import re
import sys
import time
from pathlib import Path

BREAKDOWNS = (None, "year", "group", "district", "tier", "school", "major")


def _setup(data_dir: Path):
    os.environ["JIGONG_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jigong.schools.models import School

    if not School.objects.exists():
        print(f"building the full demo world in {data_dir} …", flush=True)
        call_command("demo", "--scale", "full", "--no-progress", verbosity=0)


def _jobs(year: int):
    from jigong.indicators.catalogue import CATALOGUE, trend_years

    for code, ind in CATALOGUE.items():
        for by in BREAKDOWNS:
            if by == "major" and not ind.by_major:
                continue
            if by == "year":
                for y in trend_years(year):
                    yield code, None, y
            else:
                yield code, by, year


def _project(user, year: int) -> tuple[float, int]:
    from jigong.indicators import cache
    from jigong.indicators import selectors as S
    from jigong.indicators.catalogue import CATALOGUE

    cache.clear()
    n = 0
    t0 = time.perf_counter()
    for code, ind in CATALOGUE.items():
        for by in BREAKDOWNS:
            if by == "major" and not ind.by_major:
                continue
            n += len(S.compute(code, user=user, year=year, by=by))
    return time.perf_counter() - t0, n


def _sql(year: int) -> tuple[float, int]:
    from django.db import connection

    from tests.indicators import reference_sql

    n = 0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for code, by, y in _jobs(year):
            n += len(reference_sql.run(cursor, code, by, y))
    return time.perf_counter() - t0, n


def _duckdb(db_path: Path, year: int) -> tuple[float | None, int, str]:
    try:
        import duckdb
        import duckdb_extension_sqlite_scanner as ext
    except ImportError as exc:
        return None, 0, f"not installed ({exc.name}): pip install -e '.[bench]'"
    from tests.indicators import reference_sql

    lib = next(Path(ext.__file__).parent.glob("extensions/*/sqlite_scanner.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{lib}'")
    con.execute(f"ATTACH '{db_path}' AS jg (TYPE sqlite, READ_ONLY)")
    con.execute("USE jg")
    n = 0
    t0 = time.perf_counter()
    for code, by, y in _jobs(year):
        if code == "training_person_times_cumulative" and y < reference_sql.CUMULATIVE_FROM:
            continue
        raw = reference_sql.sql(code, by)
        names = set(re.findall(r"%\((\w+)\)s", raw))
        sql = re.sub(r"%\((\w+)\)s", r"$\1", raw)
        params = {k: v for k, v in reference_sql.params(y).items() if k in names}
        n += len(con.execute(sql, params).fetchall())
    seconds = time.perf_counter() - t0
    con.close()
    return seconds, n, f"duckdb {duckdb.__version__}"


def _get(client) -> float:
    t0 = time.perf_counter()
    r = client.get("/dashboard/")
    assert r.status_code == 200, r.status_code
    return time.perf_counter() - t0


def _write(actor):
    """What any write leaves: an audit row (here of a registration at a school, which
    makes the city's and that school's figures out of date). No data changes."""
    from jigong.core.services import audit
    from jigong.students.models import Registration

    audit(actor, "update", Registration.objects.order_by("pk").first(), message="bench")


def _run_queued() -> None:
    """Run the dashboard refresh jobs the requests queued, as ``jigong worker`` would."""
    from django_tasks_db.models import DBTaskResult

    from jigong.indicators.tasks import refresh_dashboard

    rows = DBTaskResult.objects.filter(task_path=refresh_dashboard.module_path, status="READY")
    for row in rows:
        refresh_dashboard.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def _page(user, requests: int) -> dict:
    """/dashboard/: first request with an empty cache, then warm, then each request
    right after a write somewhere in the city; and how long the background refresh
    after a write takes."""
    from django.test import Client

    from jigong.indicators import cache

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    cache.clear()
    cold = _get(client)
    warm = [_get(client) for _ in range(requests)]
    after_write = []
    for _ in range(requests):
        _run_queued()
        _write(user)
        after_write.append(_get(client))
    _run_queued()
    _write(user)
    _get(client)
    t0 = time.perf_counter()
    _run_queued()
    refresh = time.perf_counter() - t0
    return {"cold": cold, "warm": warm, "after_write": after_write, "refresh": refresh}


def _pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench indicators")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("JIGONG_DATA_DIR") or "/tmp/jigong-bench-indicators",
        help="folder of the SQLite demo world (built there when empty)",
    )
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    _setup(data_dir)

    from django.conf import settings

    from jigong.core.models import User

    user = User.objects.filter(role="municipal").order_by("pk").first()
    db_path = Path(settings.DATABASES["default"]["NAME"])

    sql_s, sql_rows = _sql(args.year)  # warms the OS page cache for everyone
    proj_s, proj_rows = _project(user, args.year)
    sql_s, sql_rows = _sql(args.year)
    from jigong.indicators import selectors as S

    t0 = time.perf_counter()
    for code, by, y in _jobs(args.year):
        S.compute(code, user=user, year=y, by=by)
    warm_s = time.perf_counter() - t0
    duck_s, duck_rows, duck_note = _duckdb(db_path, args.year)
    page = _page(user, args.requests)
    cold, warm, wrote = page["cold"], page["warm"], page["after_write"]
    p50, p95 = _pct(warm, 50), _pct(warm, 95)
    w50, w95 = _pct(wrote, 50), _pct(wrote, 95)

    print(f"database: {db_path} (year {args.year})")
    print(f"project (selectors.compute, cache cleared):  {proj_s:8.3f} s  ({proj_rows} rows)")
    print(f"project, cached (same calls again):          {warm_s:8.3f} s")
    print(
        f"hand-written SQL (Django cursor):            {sql_s:8.3f} s  ({sql_rows} non-empty rows)"
    )
    if duck_s is None:
        print(f"DuckDB on the same SQLite file:              skipped: {duck_note}")
    else:
        print(f"DuckDB on the same SQLite file ({duck_note}): {duck_s:8.3f} s  ({duck_rows} rows)")
    print(f"/dashboard/ first request (empty cache):     {cold * 1000:8.0f} ms")
    print(
        f"/dashboard/ warm, {args.requests} requests:          "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    print(
        f"/dashboard/ right after a write, {args.requests} requests: "
        f"p50 {w50 * 1000:.0f} ms, p95 {w95 * 1000:.0f} ms (previous figures served)"
    )
    print(f"background refresh after a write (city):     {page['refresh']:8.3f} s")
    ratio = proj_s / sql_s
    duck = f" duckdb_s={duck_s:.3f}" if duck_s is not None else ""
    print(
        f"BENCH indicators ratio={ratio:.2f} project_s={proj_s:.3f} sql_s={sql_s:.3f}{duck}"
        f" cached_s={warm_s:.3f} page_p50_ms={p50 * 1000:.0f} page_p95_ms={p95 * 1000:.0f}"
        f" page_cold_ms={cold * 1000:.0f} page_write_p50_ms={w50 * 1000:.0f}"
        f" page_write_p95_ms={w95 * 1000:.0f} refresh_s={page['refresh']:.3f}"
    )
    return 0
