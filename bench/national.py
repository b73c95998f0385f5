"""``python -m bench national [--schools N] [--students N] [--training-per-year N] [--reuse]``.

Builds two worlds on PostgreSQL in one run and measures the same figures on both:

- Chongqing: ``jigong demo --scale full`` (55 schools, ~150,000 students in school)
  in database ``<name>_cq``;
- the nation: ``jigong.demo.national`` (31 provinces as regions, 2,500 schools,
  ~4.4 million students in school; training capped at ``--training-per-year`` records
  a year, 400,000 by default, instead of scaling Chongqing's 160,000 × 29) in database
  ``<name>`` (DATABASE_URL's database, default ``jigong_national``).

Each world is built and measured in its own child process (its own DATABASE_URL):

- generation: rows/s of the whole build (Python generation + COPY + FK checks +
  indexes), against a raw COPY ceiling: for every table of ≥ 1,000 rows, up to
  500,000 of its rows copied out and COPYed into a fresh table of the same columns and
  indexes (no FKs, no Python), rows/s per table, ceiling seconds = Σ rows ÷ rate;
- verification: ``jigong.public.selectors.certificate_verify`` in-process for N random
  certificates with their holder's name, N/2 with a wrong name and N/2 unknown numbers
  of a valid shape; p50/p99 per lookup;
- dashboard: ``jigong.indicators.selectors.targets_table`` for the year 2024 as a
  municipal superuser, indicator cache cleared (cold), then again (warm);
- annual report: ``jigong.quality.report`` figures (``context``, cold cache) and the
  whole ``build`` (Chromium charts and two PDF prints), if the module is present;
- size: ``pg_database_size`` and the ten largest tables.

Then every figure is printed beside its Chongqing counterpart with its growth factor and
the data growth factor (students in school, national ÷ Chongqing).

ratio = national generation seconds ÷ national raw-COPY ceiling seconds (lower is
better; it is what the generator costs over just loading the same rows).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://jigong:jigong@127.0.0.1:5432/jigong_national"
ROOT = Path(__file__).resolve().parent.parent


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


# --------------------------------------------------------------------------- child


def _ceiling(tables: dict[str, dict], sample: int) -> tuple[float, dict]:
    """Raw COPY rows/s per table (sample rows into a fresh table of the same shape)."""
    from django.db import connection

    rates, seconds = {}, 0.0
    with connection.cursor() as cur:
        raw = cur.cursor
        for table, info in tables.items():
            if info["rows"] < 1000:
                continue
            cols = ", ".join(f'"{c}"' for c in info["columns"])
            n = min(sample, info["rows"])
            buf = bytearray()
            with raw.copy(f'COPY (SELECT {cols} FROM "{table}" LIMIT {n}) TO STDOUT') as cp:
                for block in cp:
                    buf += block
            tmp = f"bench_ceiling_{table}"[:63]
            cur.execute(f'DROP TABLE IF EXISTS "{tmp}"')
            cur.execute(
                f'CREATE TABLE "{tmp}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING INDEXES)'
            )
            t0 = time.perf_counter()
            with raw.copy(f'COPY "{tmp}" ({cols}) FROM STDIN') as cp:
                cp.write(bytes(buf))
            dt = time.perf_counter() - t0
            cur.execute(f'DROP TABLE "{tmp}"')
            rate = n / dt if dt else float("inf")
            rates[table] = rate
            seconds += info["rows"] / rate
    return seconds, rates


def _verification(n: int) -> dict:
    from jigong.certificates import numbering
    from jigong.certificates.models import GraduationCertificate
    from jigong.public.selectors import certificate_verify

    rng = random.Random(7)
    hi = GraduationCertificate.objects.order_by("-id").values_list("id", flat=True).first()
    ids = rng.sample(range(1, hi + 1), min(hi, n * 2))
    rows = list(
        GraduationCertificate.objects.filter(id__in=ids, status="valid").values_list(
            "number", "registration__person__name", "school__code", "level", "issued_on"
        )[:n]
    )
    hits = [(r[0], r[1]) for r in rows]
    wrong = [(r[0], "王不对") for r in rows[: n // 2]]
    unknown = [
        (numbering.make(r[4].year, r[2], r[3], 999_990 - i), r[1])
        for i, r in enumerate(rows[: n // 2])
    ]
    queries = [(q, True) for q in hits] + [(q, False) for q in wrong + unknown]
    rng.shuffle(queries)
    for (number, name), _ in queries[:100]:  # warm-up: connection, labels, plans
        certificate_verify(number=number, name=name)
    times, errors = {True: [], False: []}, 0
    for (number, name), expect in queries:
        t0 = time.perf_counter()
        found = certificate_verify(number=number, name=name)
        times[expect].append((time.perf_counter() - t0) * 1000)
        errors += (found is not None) != expect
    every = times[True] + times[False]
    return {
        "verify_n": len(every),
        "verify_errors": errors,
        "verify_p50_ms": _percentile(every, 50),
        "verify_p99_ms": _percentile(every, 99),
        "verify_hit_p50_ms": _percentile(times[True], 50),
        "verify_miss_p50_ms": _percentile(times[False], 50),
        "verify_mean_ms": statistics.fmean(every),
    }


def _dashboard(year: int) -> dict:
    from jigong.core.models import Role, User
    from jigong.indicators import cache
    from jigong.indicators.selectors import targets_table

    user = User(username="bench-national", role=Role.MUNICIPAL, is_superuser=True, is_active=True)
    cache.clear()
    t0 = time.perf_counter()
    rows = targets_table(user=user, year=year)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    targets_table(user=user, year=year)
    warm = time.perf_counter() - t0
    return {"dashboard_s": cold, "dashboard_warm_s": warm, "dashboard_rows": len(rows)}


def _report(year: int) -> dict:
    try:
        from jigong.quality import report as R
    except ImportError as e:
        print(f"  annual report: module not available ({e}); skipped", flush=True)
        return {}
    from jigong.core.models import Role, User
    from jigong.indicators import cache

    user = User(username="bench-national", role=Role.MUNICIPAL, is_superuser=True, is_active=True)
    out = {}
    cache.clear()
    t0 = time.perf_counter()
    R.context(user=user, year=year, school=None)
    out["report_figures_s"] = time.perf_counter() - t0
    try:
        cache.clear()
        t0 = time.perf_counter()
        built = R.build(user=user, year=year)
        out["report_s"] = time.perf_counter() - t0
        pdf = getattr(built, "pdf", b"") or b""
        out["report_pdf_mb"] = len(pdf) / 1e6
    except Exception as e:  # Chromium missing or report still in progress: say so
        print(f"  annual report build skipped: {type(e).__name__}: {e}", flush=True)
    return out


def _sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
        cur.execute(
            "SELECT relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' "
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 10"
        )
        top = [list(r) for r in cur.fetchall()]
    return {"db_bytes": size, "top_tables": top}


def _child(args) -> int:
    url = os.environ["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        _recreate(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jigong.demo import generate, national
    from jigong.schools.models import School
    from jigong.students.models import IN_SCHOOL, Registration

    call_command("migrate", verbosity=0)
    result: dict = {"phase": args.phase}
    tables: dict[str, dict] = {}
    if not School.objects.exists():
        t0 = time.perf_counter()
        if args.phase == "cq":
            stats = generate.build(seed=2025, scale="full")
        else:
            stats = national.build(
                seed=2025,
                schools=args.schools,
                students=args.students,
                training_per_year=args.training_per_year,
            )
        result["gen_s"] = time.perf_counter() - t0
        for t in stats.tables:
            entry = tables.setdefault(t.table, {"rows": 0, "seconds": 0.0, "columns": t.columns})
            entry["rows"] += t.rows
            entry["seconds"] += t.seconds
            entry["columns"] = entry["columns"] or t.columns
        result["gen_rows"] = stats.rows
        connection.close()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # planner statistics, as autovacuum would after a load
        print(f"  [{args.phase}] built {stats.rows:,} rows in {result['gen_s']:.1f} s", flush=True)
        for name, t in sorted(tables.items(), key=lambda kv: -kv[1]["rows"])[:8]:
            print(f"    {name:<36} {t['rows']:>11,} rows  {t['seconds']:7.1f} s", flush=True)
        ceiling_s, rates = _ceiling({k: v for k, v in tables.items() if v["columns"]}, 500_000)
        result["ceiling_s"] = ceiling_s
        result["ceiling_rates"] = rates
        print(f"  [{args.phase}] raw COPY ceiling {ceiling_s:.1f} s", flush=True)
        for name, rate in sorted(rates.items(), key=lambda kv: -tables[kv[0]]["rows"])[:6]:
            done = tables[name]["rows"] / tables[name]["seconds"] if tables[name]["seconds"] else 0
            print(f"    {name:<36} ceiling {rate:>9,.0f} rows/s  project {done:>9,.0f}", flush=True)
    else:
        print(f"  [{args.phase}] reusing the world in the database", flush=True)
    result["schools"] = School.objects.count()
    result["students"] = Registration.objects.filter(status__in=IN_SCHOOL).count()
    result["registrations"] = Registration.objects.count()
    result.update(_verification(args.samples))
    print(
        f"  [{args.phase}] verify p50 {result['verify_p50_ms']:.2f} ms "
        f"p99 {result['verify_p99_ms']:.2f} ms",
        flush=True,
    )
    result.update(_dashboard(args.year))
    print(f"  [{args.phase}] dashboard {result['dashboard_s']:.1f} s", flush=True)
    result.update(_report(args.year))
    result.update(_sizes())
    print("RESULT " + json.dumps(result, default=str), flush=True)
    return 0


# --------------------------------------------------------------------------- parent


def _phase(args, phase: str, url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url, JIGONG_DATA_DIR=f"/tmp/jg-bench-national-{phase}")
    cmd = [sys.executable, "-m", "bench", "national", "--phase", phase, *args.passthrough]
    print(f"== {phase}: {urlsplit(url).path.lstrip('/')} ==", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    result = None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0 or result is None:
        raise SystemExit(f"phase {phase} failed (exit {proc.returncode})")
    return result


def _row(label, cq, nat, unit, data_growth, fmt="{:,.2f}", expect=""):
    if cq is None or nat is None:
        print(f"  {label:<30} {'—':>14} {'—':>14}")
        return
    growth = nat / cq if cq else float("inf")
    print(
        f"  {label:<30} {fmt.format(cq):>14} {fmt.format(nat):>14} {unit:<6} "
        f"×{growth:7.2f}  (data ×{data_growth:.1f}; {expect})"
    )


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench national")
    parser.add_argument("--schools", type=int, default=2500)
    parser.add_argument("--students", type=int, default=4_400_000)
    parser.add_argument("--training-per-year", type=int, default=400_000)
    parser.add_argument("--samples", type=int, default=2000, help="verification lookups (hits)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--reuse", action="store_true", help="measure the worlds already built")
    parser.add_argument("--phase", choices=("cq", "national"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return _child(args)

    args.passthrough = [
        f"--schools={args.schools}",
        f"--students={args.students}",
        f"--training-per-year={args.training_per_year}",
        f"--samples={args.samples}",
        f"--year={args.year}",
        *(["--reuse"] if args.reuse else []),
    ]
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        print("bench national needs PostgreSQL (DATABASE_URL=postgres://…)", file=sys.stderr)
        return 2
    name = urlsplit(url).path.lstrip("/")
    t0 = time.perf_counter()
    cq = _phase(args, "cq", _with_db(url, f"{name}_cq"))
    nat = _phase(args, "national", url)
    wall = time.perf_counter() - t0

    g = nat["students"] / cq["students"]
    gs = nat["schools"] / cq["schools"]
    print(f"\n== Chongqing → nation (wall {wall / 60:.1f} min) ==")
    print(f"  {'figure':<30} {'Chongqing':>14} {'nation':>14}")
    _row("schools", cq["schools"], nat["schools"], "", gs, "{:,.0f}", "—")
    _row("students in school", cq["students"], nat["students"], "", g, "{:,.0f}", "—")
    _row("registrations", cq["registrations"], nat["registrations"], "", g, "{:,.0f}", "—")
    if "gen_s" in nat and "gen_s" in cq:
        _row("rows generated", cq["gen_rows"], nat["gen_rows"], "", g, "{:,.0f}", "—")
        _row("generation time", cq["gen_s"], nat["gen_s"], "s", g, expect="linear")
        _row(
            "generation rate",
            cq["gen_rows"] / cq["gen_s"],
            nat["gen_rows"] / nat["gen_s"],
            "rows/s",
            g,
            "{:,.0f}",
            "flat",
        )
        _row("raw COPY ceiling", cq["ceiling_s"], nat["ceiling_s"], "s", g, expect="linear")
    for key, label, expect in (
        ("verify_p50_ms", "verification p50", "flat"),
        ("verify_p99_ms", "verification p99", "flat"),
        ("verify_hit_p50_ms", "  hits p50", "flat"),
        ("verify_miss_p50_ms", "  misses p50", "flat"),
        ("dashboard_s", "dashboard targets (cold)", "linear"),
        ("dashboard_warm_s", "dashboard targets (cached)", "flat"),
        ("report_figures_s", "annual report figures", "linear"),
        ("report_s", "annual report (HTML+PDF)", "linear+schools"),
    ):
        _row(
            label, cq.get(key), nat.get(key), "ms" if key.endswith("ms") else "s", g, expect=expect
        )
    _row("database size", cq["db_bytes"] / 1e9, nat["db_bytes"] / 1e9, "GB", g, expect="linear")
    print(
        f"  verification mismatches: Chongqing {cq['verify_errors']}, nation {nat['verify_errors']}"
    )
    print("\n  largest tables (nation):")
    for rel, total, heap, tuples in nat["top_tables"]:
        print(f"    {rel:<36} {total / 1e9:6.2f} GB (heap {heap / 1e9:5.2f})  {tuples:>12,} rows")
    gen_rate = nat["gen_rows"] / nat["gen_s"] if "gen_s" in nat else 0
    ratio = nat["gen_s"] / nat["ceiling_s"] if "gen_s" in nat else float("nan")
    print(
        f"BENCH national ratio={ratio:.2f} students={nat['students']} schools={nat['schools']} "
        f"gen_rows_per_s={gen_rate:.0f} verify_p50_ms={nat['verify_p50_ms']:.2f} "
        f"verify_p99_ms={nat['verify_p99_ms']:.2f} dashboard_s={nat['dashboard_s']:.2f} "
        f"report_s={nat.get('report_s', float('nan')):.2f} db_size_gb={nat['db_bytes'] / 1e9:.2f} "
        f"cq_verify_p50_ms={cq['verify_p50_ms']:.2f} cq_dashboard_s={cq['dashboard_s']:.2f} "
        f"cq_db_size_gb={cq['db_bytes'] / 1e9:.2f}"
    )
    return 0
