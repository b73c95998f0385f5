"""``python -m bench designations [--data-dir DIR] [--year Y] [--repeat N]``.

Over the full demo world (built into DIR first if DIR holds no data; SQLite), in one run:

- project: the 双优 candidate ranking (``designations.candidate_scores``) for 优质院校
  and 优质专业, the 达标 table of every school (``licensing.standards_table``) and the
  training-revenue table (``records.revenue_table``), as the municipal user;
- ceiling: the same aggregates as hand-written GROUP BY SQL (one query per figure:
  outcomes, graduates, graduates' certificates, agreements, teachers, students,
  revenue), on the same database through Django's cursor, no Python work after it.

ratio = project seconds ÷ hand-written SQL seconds (lower is better). Best of N runs.
"""

import argparse
import os
import sys
import time
from pathlib import Path


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


def _ceiling_sql(year: int) -> list[tuple[str, list]]:
    from jigong.certificates.models import SkillCertificate
    from jigong.cooperation.models import CooperationAgreement
    from jigong.employment.models import COUNTED_AS_EMPLOYED, EmploymentOutcome
    from jigong.schools.models import SchoolMajor
    from jigong.staff.models import Teacher
    from jigong.students.models import IN_SCHOOL, Registration
    from jigong.training.models import TrainingRecord

    t = {
        "o": EmploymentOutcome._meta.db_table,
        "r": Registration._meta.db_table,
        "c": SkillCertificate._meta.db_table,
        "a": CooperationAgreement._meta.db_table,
        "t": Teacher._meta.db_table,
        "m": SchoolMajor._meta.db_table,
        "tr": TrainingRecord._meta.db_table,
    }
    start, end = f"{year}-01-01", f"{year}-12-31"
    employed = ", ".join(f"'{s}'" for s in COUNTED_AS_EMPLOYED)
    in_school = ", ".join(f"'{s}'" for s in IN_SCHOOL)
    out = []
    for grain in ("o.school_id", "o.school_id, r.major_id, r.level"):
        out.append(
            (
                f"SELECT {grain}, COUNT(*),"
                f" SUM(CASE WHEN o.status IN ({employed}) THEN 1 ELSE 0 END)"
                f" FROM {t['o']} o JOIN {t['r']} r ON r.id = o.registration_id"
                f" WHERE o.graduation_year = %s GROUP BY {grain}",
                [year],
            )
        )
        g = grain.replace("o.school_id", "r.school_id")
        out.append(
            (
                f"SELECT {g}, COUNT(*) FROM {t['r']} r WHERE r.status = 'graduated'"
                f" AND r.left_on BETWEEN %s AND %s GROUP BY {g}",
                [start, end],
            )
        )
        out.append(
            (
                f"SELECT {g}, COUNT(DISTINCT c.id) FROM {t['c']} c JOIN {t['r']} r"
                f" ON r.person_id = c.person_id WHERE r.status = 'graduated'"
                f" AND r.left_on BETWEEN %s AND %s AND c.issued_on <= %s GROUP BY {g}",
                [start, end, end],
            )
        )
    out += [
        (
            f"SELECT school_id, COUNT(*) FROM {t['a']} WHERE started_on <= %s"
            f" AND (ended_on IS NULL OR ended_on >= %s) GROUP BY school_id",
            [end, start],
        ),
        (
            f"SELECT school_id, COUNT(*), SUM(CASE WHEN integrated_qualified THEN 1 ELSE 0 END)"
            f" FROM {t['t']} WHERE kind = 'full_time' AND hired_on <= %s"
            f" AND (left_on IS NULL OR left_on >= %s) GROUP BY school_id",
            [end, start],
        ),
        (f"SELECT id, school_id, major_id, level FROM {t['m']} WHERE status = 'open'", []),
        (
            f"SELECT school_id, COUNT(*) FROM {t['r']} WHERE status IN ({in_school})"
            f" AND track = 'full_time' GROUP BY school_id",
            [],
        ),
        (
            f"SELECT school_id, COUNT(*), SUM(CASE WHEN integrated_qualified THEN 1 ELSE 0 END)"
            f" FROM {t['t']} WHERE kind = 'full_time' AND left_on IS NULL GROUP BY school_id",
            [],
        ),
        (
            f"SELECT school_id, SUM(revenue) FROM {t['tr']} WHERE year = %s AND is_social"
            f" GROUP BY school_id",
            [year],
        ),
    ]
    return out


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(argv):
    p = argparse.ArgumentParser(prog="python -m bench designations")
    p.add_argument("--data-dir", default="var/bench-designations")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    _setup(Path(args.data_dir).resolve())
    from django.db import connection

    from jigong.core.models import User
    from jigong.workflows import designations, licensing, records

    city = User.objects.filter(role="municipal").first() or User(role="municipal", is_active=True)
    year = args.year

    def project():
        schools = designations.candidate_scores(year, "quality_school")
        majors = designations.candidate_scores(year, "quality_major")
        table = licensing.standards_table(user=city)
        revenue = records.revenue_table(user=city, year=year)
        return len(schools), len(majors), len(table), len(revenue)

    queries = _ceiling_sql(year)

    def ceiling():
        with connection.cursor() as cur:
            for sql, params in queries:
                cur.execute(sql, params)
                cur.fetchall()

    counts = project()
    t_ceiling = _best(ceiling, args.repeat)
    t_project = _best(project, args.repeat)
    ratio = t_project / t_ceiling if t_ceiling else float("inf")
    print(
        f"year {year}: {counts[0]} school candidates, {counts[1]} major candidates, "
        f"{counts[2]} schools checked, {counts[3]} revenue rows"
    )
    print(f"project (candidates + 达标 + revenue)   {t_project * 1000:9.1f} ms")
    print(f"hand-written SQL ({len(queries)} queries)        {t_ceiling * 1000:9.1f} ms")
    print(
        f"BENCH designations ratio={ratio:.2f} project_ms={t_project * 1000:.1f} "
        f"sql_ms={t_ceiling * 1000:.1f} candidates={counts[0] + counts[1]}"
    )
    return 0
