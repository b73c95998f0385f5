"""``python -m bench import [--rows N] [--format xlsx|csv|both]`` (module bench/import_bench.py).

Writes N student registrations (学籍) into one .xlsx and one .csv, then in a fresh
temporary SQLite database (JIGONG_DATA_DIR set before Django starts, then migrate):

- project: ``run_import("students", file, mode="all")`` — read, normalise, validate,
  write through the services in one transaction, audit rows included;
- ceiling, same run: read the same file with python-calamine (or the csv module) and
  insert the same rows with a raw ``sqlite3.executemany`` in one transaction, no checks.

ratio = project seconds ÷ ceiling seconds (lower is better). Also prints rows/s, peak
memory (ru_maxrss) and the time to export the imported rows back to .xlsx.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "身份证号", "姓名", "学校代码", "目录版本", "专业代码", "班级层次", "入学起点",
    "学制（月）", "学习形式", "生源类别", "入学日期", "生源省份",
]  # fmt: skip


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


def _ceiling(path: Path, folder: Path) -> float:
    t0 = time.perf_counter()
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
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


def _setup_django(folder: Path) -> None:
    os.environ["JIGONG_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    from jigong.students.models import Person, Registration

    Registration.objects.all().delete()
    Person.objects.all().delete()


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import")
    parser.add_argument("--rows", type=int, default=120_000)
    parser.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    args = parser.parse_args(argv or [])
    folder = Path(tempfile.mkdtemp(prefix="jigong-bench-import-"))
    _setup_django(folder)
    from jigong.core.imports.exports import export
    from jigong.core.imports.runner import run_import

    _world()
    xlsx, csvp = _write_files(args.rows, folder)
    formats = [xlsx, csvp] if args.format == "both" else [xlsx if args.format == "xlsx" else csvp]
    first = None
    for path in formats:
        _reset()
        ceiling = _ceiling(path, folder)
        t0 = time.perf_counter()
        result = run_import("students", str(path), user=None, mode="all")
        project = time.perf_counter() - t0
        if not result.ok or result.created != args.rows:
            print(result.summary(), [str(e) for e in result.errors[:5]], file=sys.stderr)
            return 1
        rate = args.rows / project
        print(
            f"{path.suffix[1:]}: project {project:.2f}s ({rate:,.0f} rows/s), "
            f"ceiling {ceiling:.2f}s, ratio {project / ceiling:.2f}"
        )
        if first is None:
            first = (project, ceiling, rate)
    t0 = time.perf_counter()
    n = export("students", str(folder / "export.xlsx"), user=None)
    export_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export: {n} rows in {export_s:.2f}s; peak memory {peak:.0f} MiB")
    project, ceiling, rate = first
    print(
        f"BENCH import ratio={project / ceiling:.2f} rows={args.rows} rows_per_s={rate:.0f} "
        f"peak_mib={peak:.0f} export_s={export_s:.2f}"
    )
    return 0
