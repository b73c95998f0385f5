"""``python -m bench demo [--scale full|small] [--seed N]``.

Builds the demo world into a fresh temporary SQLite database (JIGONG_DATA_DIR set to a
temporary folder before Django starts, then ``migrate``) and times it end to end:
generation, inserts, audit rows, users. The ceiling, measured in the same run: the same
rows (same tables, same columns, read back from the project database) written with a
raw ``sqlite3.executemany`` into a fresh database with the same schema and pragmas, in
one transaction. ratio = project seconds ÷ raw seconds (lower is better).
"""

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def _raw_copy(src: Path, dst: Path, tables) -> tuple[int, float]:
    """Time a raw executemany of the rows of ``tables`` (TableStat) from src into dst."""
    source = sqlite3.connect(src)
    ddl = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name"
        )
    ]
    target = sqlite3.connect(dst, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    for sql in ddl:
        target.execute(sql)
    total, seconds = 0, 0.0
    target.execute("BEGIN")
    for t in tables:
        if not t.columns:  # rows written through the ORM (users): copy all columns
            cols = [r[1] for r in source.execute(f'PRAGMA table_info("{t.table}")')]
        else:
            cols = list(t.columns)
        col_sql = ", ".join(f'"{c}"' for c in cols)
        rows = source.execute(f'SELECT {col_sql} FROM "{t.table}" ORDER BY rowid').fetchall()
        # the project's demo may have appended other rows (e.g. audit); copy only its own
        rows = rows[-t.rows :] if t.rows else []
        sql = f'INSERT INTO "{t.table}" ({col_sql}) VALUES ({", ".join("?" * len(cols))})'
        t0 = time.perf_counter()
        target.executemany(sql, rows)
        seconds += time.perf_counter() - t0
        total += len(rows)
    t0 = time.perf_counter()
    target.execute("COMMIT")
    seconds += time.perf_counter() - t0
    target.close()
    source.close()
    return total, seconds


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench demo")
    parser.add_argument("--scale", choices=("full", "small"), default="full")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="jigong-bench-demo-"))
    os.environ["JIGONG_DATA_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jigong.demo import generate

    call_command("migrate", verbosity=0)
    connection.close()

    t0 = time.perf_counter()
    stats = generate.build(seed=args.seed, scale=args.scale)
    project_seconds = time.perf_counter() - t0
    connection.close()
    rows = stats.rows
    print(
        f"project: {rows:,} rows in {project_seconds:.2f} s = {rows / project_seconds:,.0f} rows/s"
    )
    for t in stats.tables:
        if t.rows >= 1000:
            print(f"  {t.label:<36} {t.rows:>10,} rows  insert {t.seconds:6.2f} s")

    src = Path(connection.settings_dict["NAME"])
    raw_rows, raw_seconds = _raw_copy(src, tmp / "raw.sqlite3", stats.tables)
    print(
        f"raw sqlite3.executemany: {raw_rows:,} rows in {raw_seconds:.2f} s = "
        f"{raw_rows / raw_seconds:,.0f} rows/s"
    )
    ratio = project_seconds / raw_seconds
    print(
        f"BENCH demo ratio={ratio:.2f} rows={rows} seconds={project_seconds:.2f} "
        f"rows_per_s={rows / project_seconds:.0f} raw_rows_per_s={raw_rows / raw_seconds:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(run())
