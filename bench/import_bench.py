"""``python -m bench import [--rows N] [--format xlsx|csv|both] [--db sqlite|postgres]
[--profile DIR]`` (module bench/import_bench.py).

Writes N student registrations (学籍) into one .xlsx and one .csv, then times, in the
same run and on the same database engine:

- project: ``run_import("students", file, mode="all")`` — read, normalise, validate
  every row, write through the services in one transaction, audit rows included;
- ceiling: read the same file with python-calamine (or the csv module) and insert the
  same rows in one transaction with no validation — ``sqlite3.executemany`` on SQLite,
  psycopg ``COPY`` on PostgreSQL. Two variants are printed:

  * ``schema``: into the project's own tables, ``students_person`` and
    ``students_registration``, with their real schema, constraints and indexes (the
    person's sex and birth date sliced from the ID number, choice labels mapped to
    their stored values by a dict, person ids assigned by the ceiling). This is what
    the import writes, so it is the ceiling the ratio is taken against: the fair
    reading of the issue's "insert the same rows";
  * ``bare``: one flat table of 12 text columns with no index, the literal reading,
    shown so a reader sees how much of the gap is the schema itself.

ratio = project seconds ÷ schema-ceiling seconds (lower is better), for xlsx (the BENCH
line's ``ratio``) and csv. Also: rows/s, the peak resident memory of each import (Linux
``VmHWM``, reset before each phase through ``/proc/self/clear_refs``; otherwise the
process's ``ru_maxrss``) and the time to export the imported rows to .xlsx and .csv.

``--db postgres`` runs everything on PostgreSQL: a scratch database
``<name of DATABASE_URL's database>_bench_import`` is created, migrated and dropped.
``--profile DIR`` writes a pyinstrument HTML profile of each import and export there.
"""

import argparse
import contextlib
import csv
import datetime
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "身份证号", "姓名", "学校代码", "目录版本", "专业代码", "班级层次", "入学起点",
    "学制（月）", "学习形式", "生源类别", "入学日期", "生源省份",
]  # fmt: skip
PERSON_COLUMNS = (
    "id", "id_number_enc", "id_number_hmac", "name", "sex", "birth_date", "home_province",
)  # fmt: skip
REGISTRATION_COLUMNS = (
    "person_id", "school_id", "major_id", "level", "entry_point", "duration_months",
    "track", "source", "enrolled_on", "status", "status_changed_on",
)  # fmt: skip


def _rows(n: int):
    from jigong.standards import idcard

    rng = random.Random(32)
    seen = set()
    while len(seen) < n:
        birth = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(1500))
        number = idcard.generate(rng, "500103", birth, rng.choice("MF"))
        if number in seen:
            continue
        seen.add(number)
        yield [
            number, f"学生{len(seen)}", "B0001", "B2018", "0101", "中级工班", "初中起点",
            36, "全日制", "应届初中毕业生", "2024-09-01", "重庆市",
        ]  # fmt: skip


def _write_files(n: int, folder: Path) -> tuple[Path, Path]:
    import xlsxwriter

    xlsx, csvp = folder / "students.xlsx", folder / "students.csv"
    wb = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
    ws = wb.add_worksheet("学籍")
    ws.write_row(0, 0, HEADER)
    with open(csvp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i, row in enumerate(_rows(n), start=1):
            ws.write_row(i, 0, row)
            w.writerow(row)
    wb.close()
    return xlsx, csvp


# --- memory ------------------------------------------------------------------------


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def _peak_mib() -> float:
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- ceilings ----------------------------------------------------------------------


def _read_raw(path: Path) -> list:
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def _lookups() -> dict:
    """Label → stored value for each choice column, and the school/major ids: what the
    schema ceiling needs to write the rows the import writes (dict look-ups only)."""
    from jigong.core.choices import Level
    from jigong.reference.models import Major
    from jigong.schools.models import School
    from jigong.students.models import EntryPoint, Source, Track

    def labels(choices):
        return {str(label): value for value, label in choices.choices}

    return {
        "school": dict(School.objects.values_list("code", "id")),
        "major": {
            (e, c): pk for e, c, pk in Major.objects.values_list("edition__code", "code", "id")
        },
        "level": labels(Level),
        "entry_point": labels(EntryPoint),
        "track": labels(Track),
        "source": labels(Source),
    }


def _schema_rows(raw: list, lk: dict, first_id: int):
    """(persons, registrations) tuples as the import stores them (ID number sealed and
    hashed), no checks."""
    from jigong.core import pii

    seal, digest = pii.sealer("students.person.id_number"), pii.digester()
    persons, regs = [], []
    school, major = lk["school"], lk["major"]
    level, entry, track, source = lk["level"], lk["entry_point"], lk["track"], lk["source"]
    for pk, r in enumerate(raw, start=first_id):
        number = r[0]
        enrolled = r[10] if isinstance(r[10], str) else r[10].isoformat()
        persons.append(
            (
                pk,
                seal(number),
                digest(number),
                r[1],
                "M" if int(number[16]) % 2 else "F",
                f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                number[:2],
            )
        )
        regs.append(
            (
                pk,
                school[r[2]],
                major[r[3], r[4]],
                level[r[5]],
                entry[r[6]],
                int(r[7]),
                track[r[8]],
                source[r[9]],
                enrolled,
                "enrolled",
                enrolled,
            )
        )
    return persons, regs


def _ceiling_sqlite_bare(path: Path, folder: Path) -> float:
    t0 = time.perf_counter()
    rows = _read_raw(path)
    db = folder / f"ceiling-{path.suffix[1:]}.sqlite3"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE reg (id INTEGER PRIMARY KEY, id_number TEXT, name TEXT, school TEXT,"
        " edition TEXT, major TEXT, level TEXT, entry_point TEXT, duration INTEGER,"
        " track TEXT, source TEXT, enrolled_on TEXT, province TEXT)"
    )
    con.execute("BEGIN")
    con.executemany(f"INSERT INTO reg VALUES (NULL, {', '.join('?' * 12)})", rows)
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t0


def _ceiling_sqlite_schema(path: Path, lk: dict) -> float:
    """Into the project database file itself (empty registers), raw sqlite3."""
    from django.conf import settings

    t0 = time.perf_counter()
    raw = _read_raw(path)
    con = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("BEGIN IMMEDIATE")
    first = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM students_person").fetchone()[0]
    persons, regs = _schema_rows(raw, lk, first)
    con.executemany(
        f"INSERT INTO students_person ({', '.join(PERSON_COLUMNS)}) VALUES "
        f"({', '.join('?' * len(PERSON_COLUMNS))})",
        persons,
    )
    con.executemany(
        f"INSERT INTO students_registration ({', '.join(REGISTRATION_COLUMNS)}) VALUES "
        f"({', '.join('?' * len(REGISTRATION_COLUMNS))})",
        regs,
    )
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - t0


def _pg_connect():
    import psycopg
    from django.db import connection

    p = connection.get_connection_params()
    return psycopg.connect(
        **{k: v for k, v in p.items() if k in ("dbname", "user", "password", "host", "port")}
    )


def _ceiling_pg_bare(path: Path) -> float:
    with _pg_connect() as con, con.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_reg")
        cur.execute(
            "CREATE TABLE bench_reg (id_number text, name text, school text, edition text,"
            " major text, level text, entry_point text, duration text, track text,"
            " source text, enrolled_on text, province text)"
        )
        con.commit()
        t0 = time.perf_counter()
        rows = _read_raw(path)
        with cur.copy("COPY bench_reg FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        con.commit()
        seconds = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_reg")
        con.commit()
    return seconds


def _ceiling_pg_schema(path: Path, lk: dict) -> float:
    t0 = time.perf_counter()
    raw = _read_raw(path)
    with _pg_connect() as con, con.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM students_person")
        persons, regs = _schema_rows(raw, lk, cur.fetchone()[0])
        with cur.copy(f"COPY students_person ({', '.join(PERSON_COLUMNS)}) FROM STDIN") as copy:
            for r in persons:
                copy.write_row(r)
        with cur.copy(
            f"COPY students_registration ({', '.join(REGISTRATION_COLUMNS)}) FROM STDIN"
        ) as copy:
            for r in regs:
                copy.write_row(r)
        con.commit()
    return time.perf_counter() - t0


# --- the project -------------------------------------------------------------------


def _setup_django(folder: Path, db: str) -> str | None:
    """Configure Django on a scratch database; returns the PostgreSQL scratch name."""
    os.environ["JIGONG_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    scratch = None
    if db == "postgres":
        import psycopg

        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--db postgres needs DATABASE_URL=postgres://…")
        base, _, name = url.rpartition("/")
        name = name.split("?")[0]
        scratch = f"{name}_bench_import"
        admin = f"{base}/postgres"  # the maintenance database: DATABASE_URL's may not exist
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            con.execute(f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = f"{base}/{scratch}"
        os.environ["JIGONG_BENCH_ADMIN_URL"] = admin
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return scratch


def _drop_scratch(scratch: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(os.environ["JIGONG_BENCH_ADMIN_URL"], autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def _world():
    from jigong.reference.models import CatalogueEdition, District, Major
    from jigong.schools import services
    from jigong.standards import uscc

    ed = CatalogueEdition.objects.create(
        code="B2018", name="基准专业目录", effective_from=datetime.date(2018, 1, 1)
    )
    major = Major.objects.create(
        edition=ed, code="0101", name="车工", category="机械类", levels=["intermediate"]
    )
    school = services.school_create(
        actor=None,
        code="B0001",
        name="基准技师学院",
        tier="technician_college",
        district=District.objects.get(code="500103"),
        ownership="public",
        sponsor="基准",
        credit_code=uscc.generate(random.Random(1), "5", "2", "500103"),
    )
    services.school_major_create(
        actor=None, school=school, major=major, level="intermediate", opened_year=2020
    )


def _reset():
    """Empty the registers between runs. The audit log is append-only (and holds only a
    few bulk rows per run), so it stays."""
    from django.db import connection

    from jigong.students.models import Person, Registration

    Registration.objects.all().delete()
    Person.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextlib.contextmanager
def _profiled(folder: Path | None, name: str):
    if folder is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.html").write_text(profiler.output_html(), encoding="utf-8")
        print(profiler.output_text(unicode=True, color=False, show_all=False)[:6000])


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import")
    parser.add_argument("--rows", type=int, default=120_000)
    parser.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv or [])
    folder = Path(tempfile.mkdtemp(prefix="jigong-bench-import-"))
    scratch = _setup_django(folder, args.db)
    try:
        return _run(args, folder)
    finally:
        if scratch:
            _drop_scratch(scratch)
        shutil.rmtree(folder, ignore_errors=True)


def _run(args, folder: Path) -> int:
    from jigong.core.imports.exports import export
    from jigong.core.imports.runner import run_import

    _world()
    lk = _lookups()
    xlsx, csvp = _write_files(args.rows, folder)
    formats = [xlsx, csvp] if args.format == "both" else [xlsx if args.format == "xlsx" else csvp]
    pg = args.db == "postgres"
    engine = "PostgreSQL, psycopg COPY" if pg else "SQLite, sqlite3.executemany"
    print(f"{args.rows} rows; ceiling = calamine/csv read + {engine}, one transaction")
    figures: dict[str, float] = {}
    for path in formats:
        fmt = path.suffix[1:]
        _reset()
        bare = _ceiling_pg_bare(path) if pg else _ceiling_sqlite_bare(path, folder)
        schema = _ceiling_pg_schema(path, lk) if pg else _ceiling_sqlite_schema(path, lk)
        _reset()
        _reset_peak()
        t0 = time.perf_counter()
        with _profiled(args.profile, f"import-{fmt}-{args.db}"):
            result = run_import("students", str(path), user=None, mode="all")
        project = time.perf_counter() - t0
        peak = _peak_mib()
        if not result.ok or result.created != args.rows:
            print(result.summary(), [str(e) for e in result.errors[:5]], file=sys.stderr)
            return 1
        rate = args.rows / project
        print(
            f"{fmt}: project {project:.2f}s ({rate:,.0f} rows/s, peak {peak:.0f} MiB) | "
            f"ceiling schema {schema:.2f}s ({args.rows / schema:,.0f} rows/s), "
            f"bare {bare:.2f}s ({args.rows / bare:,.0f} rows/s) | "
            f"ratio {project / schema:.2f} (vs bare {project / bare:.2f})"
        )
        figures.update(
            {
                f"{fmt}_ratio": project / schema,
                f"{fmt}_bare_ratio": project / bare,
                f"{fmt}_rows_per_s": rate,
                f"{fmt}_peak_mib": peak,
            }
        )
    exports = {}
    for fmt in ("xlsx", "csv"):
        _reset_peak()
        t0 = time.perf_counter()
        with _profiled(args.profile, f"export-{fmt}-{args.db}"):
            n = export("students", str(folder / f"export.{fmt}"), user=None)
        exports[fmt] = time.perf_counter() - t0
        print(
            f"export {fmt}: {n} rows in {exports[fmt]:.2f}s "
            f"({n / exports[fmt]:,.0f} rows/s, peak {_peak_mib():.0f} MiB)"
        )
    first = "xlsx" if "xlsx_ratio" in figures else "csv"
    peak = max(v for k, v in figures.items() if k.endswith("_peak_mib"))
    extra = " ".join(
        f"{k}={v:.2f}" if "ratio" in k else f"{k}={v:.0f}"
        for k, v in figures.items()
        if not k.startswith(first + "_rows") and k != f"{first}_ratio"
    )
    print(
        f"BENCH import ratio={figures[first + '_ratio']:.2f} rows={args.rows} "
        f"rows_per_s={figures[first + '_rows_per_s']:.0f} peak_mib={peak:.0f} "
        f"export_s={exports['xlsx']:.2f} csv_export_s={exports['csv']:.2f} db={args.db} {extra}"
    )
    return 0
