"""``python -m bench roundtrip [--data-dir DIR | --scale full|small] [--seed N]
[--schools K] [--kinds a,b] [--format xlsx|csv] [--sample-only]`` (issue 12).

The round trip of every import kind on a demo world, timed. The world is a copy of the
one in ``--data-dir`` (its database, PII key and secret key copied into a temporary
folder: the bench wipes its copy) or, without it, a world built there with ``jigong
demo --scale … --seed …`` (default: the full world, seed 2025). SQLite.

1. **Round trip** of the whole world: each kind, in ``order``, exported as the
   operator's CLI exports it (``jigong export KIND``: every row, whole ID numbers) and
   imported back (``run_import(mode="all")``): every row must come back unchanged — no
   error, nothing created or updated, no audit row. Reported: rows, export seconds and
   the import's rows/s.
2. **Plain import of the same file** (the baseline, measured in the same run): the
   files of a sample — the rows of ``--schools K`` schools spread over the tiers (every
   school, enterprise and reference row kept; ``--schools 0``: the whole world, the
   files of step 1) — are round-tripped as in step 1, then the demo's domain data is
   wiped (reference data kept; the evaluation-institution filings, made by a
   procedure and not an import kind, carried over by school code after the schools)
   and the same files imported in ``order`` into that empty database: every row
   should be created (mode ``valid_only``: a row the acts refuse is counted and its
   reason shown, the others written). Then each kind is exported again and should
   hold the same rows (natural keys and every exported value) as the file it came
   from; the kinds that do not are named, with their missing and extra rows.
   ``--sample-only`` skips step 1.

ratio = round-trip seconds ÷ plain-import seconds of the same file (lower is better:
below 1 a re-import that changes nothing costs less than the import that wrote the
rows), per kind and over all kinds (the BENCH line's ``ratio``). A plain import of the
whole full world writes 2 million rows through the acts one by one (hours on a
2-core machine); the sample keeps the run to minutes.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _setup(args) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="jigong-bench-roundtrip-"))
    if args.data_dir:
        src = Path(args.data_dir).resolve()
        if not (src / "jigong.sqlite3").exists():
            raise SystemExit(f"{src}: no jigong.sqlite3 (build a world with `jigong demo`)")
        # a consistent copy of the live database (WAL included), keys beside it
        import sqlite3

        source, copy = (
            sqlite3.connect(src / "jigong.sqlite3"),
            sqlite3.connect(folder / "jigong.sqlite3"),
        )
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        for name in ("keys", "secret_key"):
            if (src / name).is_dir():
                shutil.copytree(src / name, folder / name)
            elif (src / name).exists():
                shutil.copy2(src / name, folder / name)
    os.environ["JIGONG_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.data_dir:
        t0 = time.perf_counter()
        call_command(
            "demo", "--scale", args.scale, "--seed", str(args.seed), "--no-progress",
            stdout=io.StringIO(),
        )  # fmt: skip
        print(f"world: jigong demo --scale {args.scale} --seed {args.seed} "
              f"built in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    return folder


def _sample_schools(k: int) -> list[str]:
    """The codes of K schools spread over the tiers (every n-th by tier and code)."""
    from jigong.schools.models import School

    schools = list(School.objects.order_by("tier", "code").values_list("code", flat=True))
    if k <= 0 or k >= len(schools):
        return schools
    step = len(schools) / k
    return [schools[int(i * step)] for i in range(k)]


def _queryset(kind, codes):
    """The kind's operator export, narrowed to the schools with these codes (through
    its model's Scope path); kinds with no school (schools, enterprises) whole."""
    qs = kind.queryset(None)
    path = getattr(getattr(kind.model, "Scope", None), "school", None)
    if codes is None or not isinstance(path, str) or path == "pk":
        return qs
    return qs.filter(**{f"{path}__code__in": codes})


def _export(kind, folder: Path, fmt: str, tag: str, codes=None) -> tuple[Path, int, float]:
    from jigong.core.imports.exports import export

    path = folder / f"{tag}-{kind.key}.{fmt}"
    t0 = time.perf_counter()
    n = export(kind, str(path), user=None, queryset=_queryset(kind, codes))
    return path, n, time.perf_counter() - t0


def _rows(path: Path) -> collections.Counter:
    from jigong.core.imports.readers import read

    sheet = read(str(path), filename=path.name)
    return collections.Counter(tuple(r) for r in sheet.rows[1:] if any(r))


def _import(kind, path: Path, n: int, *, expect: str):
    """Import the file: mode "all", every row unchanged (the round trip: anything else
    stops the run), or mode "valid_only", every row created (the plain import: a
    refused row is counted and its reason shown, the rest written). Returns (seconds,
    result)."""
    from jigong.core.imports.runner import run_import

    if n == 0:
        return 0.0, None
    mode = "all" if expect == "unchanged" else "valid_only"
    t0 = time.perf_counter()
    result = run_import(kind, str(path), user=None, mode=mode)
    seconds = time.perf_counter() - t0
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    if expect == "unchanged" and (result.file_errors or result.errors or counts[expect] != n):
        problems = result.file_errors + [str(e) for e in result.errors[:5]]
        raise SystemExit(f"{kind.key}: {counts} of {n} rows, expected all {expect}: {problems}")
    return seconds, result


def _reasons(result, top: int = 3) -> list[str]:
    """The most frequent reasons of refused rows, with their counts."""
    c = collections.Counter(f"[{e.column}] {e.message[:90]}" for e in result.errors)
    return [f"{n}× {m}" for m, n in c.most_common(top)] + result.file_errors[:1]


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>9,.0f}" if seconds else f"{'-':>9}"


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench roundtrip")
    parser.add_argument("--data-dir", help="a data folder holding a demo world (copied)")
    parser.add_argument("--scale", choices=("full", "small"), default="full")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--schools", type=int, default=6, help="sample size; 0: every school")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument(
        "--sample-only", action="store_true", help="skip the whole world's round trip"
    )
    args = parser.parse_args(argv or [])
    folder = _setup(args)
    try:
        return _run(args, folder)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(folder, ignore_errors=True)


def _run(args, folder: Path) -> int:
    from jigong.core.imports.base import kinds
    from jigong.core.models import AuditLog
    from jigong.demo import generate
    from jigong.schools.models import School, SchoolDesignation
    from jigong.schools.services import designation_add

    registry = kinds()
    chosen = [k for k in args.kinds.split(",") if k] or list(registry)
    unknown = set(chosen) - set(registry)
    if unknown:
        raise SystemExit(f"unknown kinds: {', '.join(sorted(unknown))}")
    ordered = sorted((registry[k] for k in chosen), key=lambda k: (k.order, k.key))
    fmt = args.format

    # 1. the whole world: export, import back unchanged
    whole = {}
    if not args.sample_only:
        print(f"{'kind':<20}{'rows':>10}{'export s':>10}{'import s':>10}{'rows/s':>10}")
    for kind in [] if args.sample_only else ordered:
        path, n, export_s = _export(kind, folder, fmt, "world")
        audit = AuditLog.objects.count()  # a whole-number export is audited; imports not
        seconds, _r = _import(kind, path, n, expect="unchanged")
        if AuditLog.objects.count() != audit:
            raise SystemExit(f"{kind.key}: the round trip wrote audit rows")
        whole[kind.key] = (path, n, seconds)
        print(f"{kind.key:<20}{n:>10,}{export_s:>10.1f}{seconds:>10.1f}{_rate(n, seconds)}")
    rows = sum(n for _p, n, _s in whole.values())
    round_s = sum(s for _p, _n, s in whole.values())

    # 2. a sample's files: round trip, then the plain import into an empty database
    every = args.schools <= 0 or args.schools >= School.objects.count()
    codes = None if every else _sample_schools(args.schools)
    if every and whole:
        sample = whole
        label = "the whole world"
    else:
        label = f"{len(codes)} schools ({', '.join(sorted(codes))})" if codes else "the world"
        sample = {}
        for kind in ordered:
            path, n, _e = _export(kind, folder, fmt, "sample", codes)
            sample[kind.key] = (path, n, _import(kind, path, n, expect="unchanged")[0])
    before = {k: _rows(p) for k, (p, _n, _s) in sample.items()}
    filings = list(SchoolDesignation.objects.values_list("school__code", "kind", "year"))
    t0 = time.perf_counter()
    generate.wipe()
    print(f"\nplain import of the same files, {label}, into an empty database "
          f"(wiped in {time.perf_counter() - t0:.0f} s):")  # fmt: skip
    print(
        f"{'kind':<20}{'rows':>10}{'refused':>9}{'re-import s':>12}{'plain s':>10}"
        f"{'rows/s':>10}{'ratio':>8}"
    )
    plain, refused, notes = {}, {}, []
    for kind in ordered:
        path, n, rt = sample[kind.key]
        seconds, result = _import(kind, path, n, expect="created")
        plain[kind.key] = seconds
        refused[kind.key] = n - (result.created if result else 0)
        if refused[kind.key]:
            notes.append(f"  {kind.key}: " + "; ".join(_reasons(result)))
        if kind.key == "schools":
            by_code = {s.code: s for s in School.objects.all()}
            for code, what, year in filings:
                if code in by_code:
                    designation_add(actor=None, school=by_code[code], kind=what, year=year)
        ratio = f"{rt / seconds:>8.2f}" if seconds else f"{'-':>8}"
        print(
            f"{kind.key:<20}{n:>10,}{refused[kind.key]:>9,}{rt:>12.1f}{seconds:>10.1f}"
            f"{_rate(n, seconds)}{ratio}"
        )
    if notes:
        print("refused rows of the plain import:", *notes, sep="\n")
    differing = {}
    for kind in ordered:
        path, _n, _e = _export(kind, folder, fmt, "again", codes)
        after = _rows(path)
        missing, extra = before[kind.key] - after, after - before[kind.key]
        if missing or extra:
            differing[kind.key] = (sum(missing.values()), sum(extra.values()))
    same = (
        "yes"
        if not differing
        else "no: " + ", ".join(f"{k} ({m} missing, {e} extra)" for k, (m, e) in differing.items())
    )
    print(f"same rows after the plain import: {same}")
    sample_rows = sum(n for _p, n, _s in sample.values())
    sample_rt = sum(s for _p, _n, s in sample.values())
    plain_s = sum(plain.values())
    print(
        f"BENCH roundtrip ratio={sample_rt / plain_s:.2f} rows={rows} "
        f"rows_per_s={rows / round_s if round_s else 0:.0f} round_trip_s={round_s:.1f} "
        f"sample_rows={sample_rows} sample_round_trip_s={sample_rt:.1f} plain_s={plain_s:.1f} "
        f"plain_rows_per_s={sample_rows / plain_s:.0f} refused={sum(refused.values())} "
        f"same_rows={same[:3].rstrip(':')} format={fmt}"
    )
    return 0 if not differing else 1


if __name__ == "__main__":
    sys.exit(run())
