"""``python -m bench enrol [--applications N] [--admissions M] [--db sqlite|postgres]
[--data-dir DIR] [--connections C] [--seconds S]`` (issue 16).

Writes, on a scratch database (a temporary SQLite file, or ``--db postgres``: a
scratch database beside DATABASE_URL's, created, migrated and dropped), a bench world
of 20 技师学院 with five majors at two levels each, approved plans with room for every
applicant, approved brochures, a published qualification list and this year's open
season, then times in the same run:

- submit, project: N applications through ``admission.apply``
  (``services.application_submit``: every rule, the sealed ID number, the one-per-season
  check, the reference, the audit row), one or two choices each, one act each;
  ceiling: a plain insert of the same application and choice rows, one transaction per
  application as each arrives in its own request (the ratio's), and, shown beside it,
  all rows in one ``bulk_create`` transaction (rolled back);
- enrol, project: M of those applications' first choices, admitted and confirmed
  (set directly: not timed), become 学籍 through ``admission.enrol_cohort``
  (``services.cohort_enrol``, school by school: the 学籍 act's bulk path and its rules);
  ceiling: a plain insert of the same person and registration rows (rolled back first).

ratio = project seconds ÷ ceiling seconds for each (lower is better; goal ≤ 3); the BENCH
line's ``ratio`` is the larger of the two.

``--data-dir DIR`` (a full demo world, `jigong demo --scale full`): also the public
brochure search ``/enrol/?q=…`` under `jigong serve` (Granian, production profile) with
wrk at ``--connections`` (32) for ``--seconds``, the queries cycling through school and
major names and filters, after each query was asked once (the steady state: a drawn
result page is kept 60 s per process and query; those first draws' own p50/p95 are
printed too); p50/p95/p99 (goal: p95 < 100 ms), beside ``/healthz`` under the same server
and load in the same run (the machine's share of a core). Needs wrk and taskset.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHOOLS = 20
MAJORS = 5
AREAS = ("500103", "500101", "500106", "500112", "520102", "510104", "530102")
CATEGORIES = (
    ("junior_graduate", "junior"),
    ("senior_graduate", "senior"),
    ("previous_graduate", "vocational"),
    ("veteran", "senior"),
    ("poverty_family", "junior"),
)
SEARCH_LUA = """
local lines = {}
for line in io.lines("%(queries)s") do lines[#lines + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #lines then i = 1 end
  return wrk.format("GET", "%(path)s" .. lines[i], {["X-Forwarded-Proto"] = "https"})
end
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("P%%d %%.3f\\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("NON2XX %%d\\n", summary.errors.status))
end
"""


def _id_number(rng: random.Random, serial: int) -> str:
    from jigong.standards import idcard

    area = rng.choice(AREAS)
    birth = datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randint(0, 730))
    first17 = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + idcard.check_digit(first17)


def _world(year: int):
    """Schools, majors, approved plans and brochures, the published list, the season."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jigong.admissions.models import Season
    from jigong.core.models import User
    from jigong.reference.models import CatalogueEdition, District, Major
    from jigong.schools import services as schools
    from jigong.standards import uscc
    from jigong.workflows import services as wf
    from jigong.workflows.models import BrochureFiling, EnrolmentPlan

    rng = random.Random(16)
    ed = CatalogueEdition.objects.create(
        code="B2021", name="基准专业目录", effective_from=datetime.date(2021, 1, 1)
    )
    majors = [
        Major.objects.create(
            edition=ed,
            code=f"0{m + 1}01",
            name=f"基准专业{m + 1}",
            category="机械类",
            levels=["intermediate", "advanced", "technician"],
        )
        for m in range(MAJORS)
    ]
    districts = list(District.objects.filter(code__in=AREAS[:4]))
    city = User.objects.create_user(username="bench-city", password="x", role="municipal")
    out = []
    for n in range(SCHOOLS):
        district = districts[n % len(districts)]
        school = schools.school_create(
            actor=None,
            code=f"E{n:04d}",
            name=f"基准第{n + 1}技师学院",
            tier="technician_college",
            district=district,
            ownership="public",
            sponsor="基准",
            credit_code=uscc.generate(rng, "5", "2", district.code),
        )
        clerk = User.objects.create_user(
            username=f"bench-school-{n}", password="x", role="school", school=school
        )
        lines = []
        for m in majors:
            for level in ("intermediate", "advanced"):
                sm = schools.school_major_create(
                    actor=None, school=school, major=m, level=level, opened_year=2021
                )
                lines.append(sm)
        plan = wf.plan_create(actor=clerk, school=school, year=year)
        for sm in lines:
            wf.plan_line_set(actor=clerk, plan=plan, school_major=sm, quota=100_000)
        for province in ("51", "52", "53"):  # room for the partner provinces' applicants
            wf.plan_cross_province_set(actor=clerk, plan=plan, province=province, quota=100_000)
        wf.brochure_create(
            actor=clerk,
            school=school,
            year=year,
            title=f"{school.name}{year}年招生简章",
            total_quota=1000,
            target_groups="应往届初高中毕业生",
            cross_province=False,
            contact="023-12345678",
            documents=[SimpleUploadedFile("简章.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
        )
        out.append((school, clerk, lines))
    EnrolmentPlan.objects.filter(year=year).update(state="approved")
    BrochureFiling.objects.filter(year=year).update(state="approved")
    ql = wf.qualification_list_create(actor=city, year=year)
    wf.transition(actor=city, item=ql, action="review")
    wf.transition(actor=city, item=ql, action="publish")
    today = datetime.date.today()
    season = Season.objects.create(
        year=year,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )
    # the ceiling's rows go to a season of their own (the one-per-ID rule is per season)
    other = Season.objects.create(year=year + 1, opens_on=today, closes_on=today)
    return out, season, other


def _applicants(n: int, schools: list) -> list[dict]:
    rng = random.Random(2026)
    rows = []
    for i in range(n):
        category, schooling = rng.choice(CATEGORIES)
        first = rng.choice(schools)[2]
        picks = [rng.choice(first)]
        if rng.random() < 0.5:
            second = rng.choice(rng.choice(schools)[2])
            if second.pk != picks[0].pk:
                picks.append(second)
        rows.append(
            {
                "id_number": _id_number(rng, i),
                "name": "考生" + "".join(rng.choice("明华强军丽芳伟静") for _ in range(2)),
                "phone": f"139{rng.randint(0, 99_999_999):08d}",
                "category": category,
                "schooling": schooling,
                "choices": [{"school_major": sm, "track": "full_time"} for sm in picks],
            }
        )
    # a number drawn twice would be refused as a second application: keep the first
    seen, unique = set(), []
    for r in rows:
        if r["id_number"] not in seen:
            seen.add(r["id_number"])
            unique.append(r)
    return unique


class _Rollback(Exception):
    pass


def _application_rows(rows: list[dict], season):
    from jigong.admissions.models import Application, Choice
    from jigong.admissions.services import new_reference

    for r in rows:
        app = Application(
            season=season,
            reference=new_reference(season.year),
            id_number=r["id_number"],
            name=r["name"],
            phone=r["phone"],
            category=r["category"],
            schooling=r["schooling"],
            home_province=r["id_number"][:2],
        )
        choices = [
            Choice(
                application=app,
                rank=rank,
                school_id=c["school_major"].school_id,
                school_major=c["school_major"],
                track=c["track"],
            )
            for rank, c in enumerate(r["choices"], 1)
        ]
        yield app, choices


def _ceiling_submit(rows: list[dict], season) -> tuple[float, float]:
    """The same rows inserted plainly: one transaction per application (as each arrives
    in its own request), then all in one bulk transaction (rolled back)."""
    from django.db import transaction

    from jigong.admissions.models import Application, Choice

    t0 = time.perf_counter()
    for app, choices in _application_rows(rows, season):
        with transaction.atomic():
            app.save(force_insert=True)
            for c in choices:
                c.application = app
            Choice.objects.bulk_create(choices)
    per_row = time.perf_counter() - t0
    Application.objects.filter(season=season).delete()
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            pairs = list(_application_rows(rows, season))
            apps = Application.objects.bulk_create([a for a, _c in pairs], batch_size=2000)
            for a, (_a, choices) in zip(apps, pairs, strict=True):
                for c in choices:
                    c.application = a
            Choice.objects.bulk_create([c for _a, cs in pairs for c in cs], batch_size=2000)
            bulk = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return per_row, bulk


def _project_submit(rows: list[dict], season) -> tuple[float, int]:
    from django.core.exceptions import ValidationError

    from jigong.admissions import services

    refused = 0
    t0 = time.perf_counter()
    for r in rows:
        try:
            services.application_submit(actor=None, season=season, **r)
        except ValidationError:
            refused += 1
    return time.perf_counter() - t0, refused


def _confirm(m: int, season) -> dict:
    """The first choices of ``m`` applications admitted and confirmed (set-up, not
    timed), by school id."""
    from jigong.admissions.models import Choice, ChoiceState

    firsts = list(
        Choice.objects.filter(application__season=season, rank=1)
        .order_by("application_id")
        .values_list("pk", "school_id")[:m]
    )
    Choice.objects.filter(pk__in=[pk for pk, _s in firsts]).update(state=ChoiceState.CONFIRMED)
    by_school: dict[int, int] = {}
    for _pk, s in firsts:
        by_school[s] = by_school.get(s, 0) + 1
    return by_school


def _ceiling_enrol(season, enrolled_on) -> float:
    """The same people and registrations as plain rows (rolled back)."""
    from django.db import transaction

    from jigong.admissions.models import Choice, ChoiceState
    from jigong.standards import idcard
    from jigong.students.models import Person, Registration

    choices = list(
        Choice.objects.filter(application__season=season, state=ChoiceState.CONFIRMED)
        .select_related("application", "school_major")
        .order_by("pk")
    )
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            people = Person.objects.bulk_create(
                [
                    Person(
                        id_number=c.application.id_number,
                        name=c.application.name,
                        sex=idcard.sex(c.application.id_number),
                        birth_date=idcard.birth_date(c.application.id_number),
                        home_province=c.application.home_province,
                    )
                    for c in choices
                ],
                batch_size=2000,
            )
            Registration.objects.bulk_create(
                [
                    Registration(
                        person=p,
                        school_id=c.school_id,
                        major_id=c.school_major.major_id,
                        level=c.school_major.level,
                        entry_point="junior" if c.application.schooling == "junior" else "senior",
                        duration_months=36,
                        track=c.track,
                        source=c.application.category,
                        enrolled_on=enrolled_on,
                    )
                    for p, c in zip(people, choices, strict=True)
                ],
                batch_size=2000,
            )
            elapsed = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _project_enrol(schools: list, enrolled_on) -> tuple[float, int]:
    from jigong.admissions import services

    total = 0
    t0 = time.perf_counter()
    for school, clerk, _lines in schools:
        total += services.cohort_enrol(actor=clerk, school=school, enrolled_on=enrolled_on)
    return time.perf_counter() - t0, total


def _search(args) -> dict | None:
    """p50/p95/p99 of /enrol/?… at ``args.connections`` on the demo world in data_dir."""
    from bench import verify as v

    if not shutil.which("wrk") or not shutil.which("taskset"):
        print("  search: skipped (needs wrk and taskset)")
        return None
    data_dir = str(Path(args.data_dir).resolve())
    env = {k: v_ for k, v_ in os.environ.items() if k not in {"DEBUG", "JIGONG_CACHE"}}
    env.pop("DATABASE_URL", None)
    env.update(
        JIGONG_DATA_DIR=data_dir,
        JIGONG_PROFILE="production",
        SECRET_KEY=v.SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
    )
    subprocess.run(
        [sys.executable, "-m", "jigong", "createcachetable"], cwd=ROOT, env=env, check=True
    )
    queries = _queries(data_dir)
    work = Path(tempfile.mkdtemp(prefix="jigong-bench-enrol-"))
    (work / "q.txt").write_text("\n".join(queries) + "\n")
    script = work / "search.lua"
    script.write_text(SEARCH_LUA % {"queries": work / "q.txt", "path": "/enrol/?"})
    (work / "none.txt").write_text("\n")
    floor = work / "healthz.lua"  # the baseline: the same server and load, no page
    floor.write_text(SEARCH_LUA % {"queries": work / "none.txt", "path": "/healthz"})
    port = v._free_port()
    command = [
        sys.executable,
        *("-m", "jigong", "serve", "--port", str(port), "--workers", "1"),
        *("--threads", "2", "--no-access-log", "--no-warm"),
    ]
    proc = v._serve(command, env, args.server_cpus, work / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        v._wait(base + "/healthz", proc)

        def load(seconds, lua=script):
            out = subprocess.run(
                [
                    *("taskset", "-c", args.load_cpus, "wrk", "-t1"),
                    *(f"-c{args.connections}", f"-d{seconds}s", "-s", str(lua), base),
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            got = {}
            for line in out.splitlines():
                if line.startswith(("P50 ", "P95 ", "P99 ", "NON2XX ")):
                    k, val = line.split()
                    got[k] = float(val)
                if line.startswith("Requests/sec:"):
                    got["rps"] = float(line.split()[1])
                if "Socket errors" in line or "requests in" in line:
                    got.setdefault("notes", []).append(line.strip())
            return got

        # each query once, one at a time: the drawn result pages (kept 60 s per process
        # and query, RESULTS_SECONDS) are what a steady state serves; the cold draws' own
        # times are reported beside
        cold = []
        for query in queries:
            t0 = time.perf_counter()
            request = urllib.request.Request(
                f"{base}/enrol/?{query}", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
            cold.append((time.perf_counter() - t0) * 1000)
        load(3)  # warm-up
        result = load(args.seconds)
        cold.sort()
        result["cold"] = {
            "P50": cold[len(cold) // 2],
            "P95": cold[min(len(cold) - 1, int(len(cold) * 0.95))],
        }
        result["healthz"] = load(args.seconds, floor)
    except Exception:
        print(v._tail(work / "server.log"), file=sys.stderr)
        raise
    finally:
        v._stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    result["queries"] = len(queries)
    return result


def _queries(data_dir: str) -> list[str]:
    """Searches a visitor makes: by school or major name, by filter, and the first page."""
    import sqlite3

    db = Path(data_dir) / "jigong.sqlite3"
    rng = random.Random(9)
    out = [""]
    if db.exists():
        con = sqlite3.connect(db)
        names = [r[0] for r in con.execute("SELECT name FROM schools_school LIMIT 200")]
        majors = [r[0] for r in con.execute("SELECT name FROM reference_major LIMIT 300")]
        con.close()
        for name in rng.sample(names, min(40, len(names))):
            out.append(urllib.parse.urlencode({"q": name[2:6]}))
        for name in rng.sample(majors, min(60, len(majors))):
            out.append(urllib.parse.urlencode({"q": name[:4]}))
    for level in ("intermediate", "advanced", "technician"):
        out.append(urllib.parse.urlencode({"level": level}))
    for tier in ("technician_college", "senior_school", "school"):
        out.append(urllib.parse.urlencode({"tier": tier}))
    out.append(urllib.parse.urlencode({"track": "part_time"}))
    rng.shuffle(out)
    return out


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench enrol")
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--admissions", type=int, default=40_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--data-dir", default="", help="a full demo world for the search")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--load-cpus", default="1")
    parser.add_argument("--search-only", action="store_true", help="only the brochure search")
    args = parser.parse_args(argv or [])
    if args.search_only and not args.data_dir:
        parser.error("--search-only needs --data-dir")
    sys.path.insert(0, str(ROOT))
    from bench import import_bench

    figures, figures_bulk = {}, None
    if args.search_only:
        os.environ["JIGONG_DATA_DIR"] = str(Path(args.data_dir).resolve())
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
        import django

        django.setup()
    else:
        folder = Path(tempfile.mkdtemp(prefix="jigong-bench-enrol-"))
        scratch = import_bench._setup_django(folder, args.db)
        try:
            from django.conf import settings

            settings.MEDIA_ROOT = str(folder / "media")
            year = datetime.date.today().year
            t0 = time.perf_counter()
            schools, season, other = _world(year)
            rows = _applicants(args.applications, schools)
            print(
                f"db={args.db} schools={SCHOOLS} applications={len(rows)} "
                f"admissions={args.admissions} (world built in {time.perf_counter() - t0:.1f} s)"
            )
            ceiling, bulk = _ceiling_submit(rows, other)
            project, refused = _project_submit(rows, season)
            figures["submit"] = (project, ceiling)
            print(
                f"  submit  project {project:8.2f} s"
                f" ({len(rows) / project:7.0f}/s, {refused} refused)"
                f"  ceiling {ceiling:6.2f} s (one transaction each; all in one: {bulk:.2f} s)"
                f"  ratio {project / ceiling:.2f} (to one transaction: {project / bulk:.2f})"
            )
            figures_bulk = project / bulk
            from jigong.admissions import services

            if not hasattr(services, "cohort_enrol"):
                print("  enrol   skipped: services.cohort_enrol is not there yet")
            else:
                by_school = _confirm(args.admissions, season)
                enrolled_on = datetime.date.today()
                ceiling = _ceiling_enrol(season, enrolled_on)
                project, total = _project_enrol(schools, enrolled_on)
                figures["enrol"] = (project, ceiling)
                print(
                    f"  enrol   project {project:8.2f} s ({total} 学籍 at {len(by_school)} schools)"
                    f"  ceiling {ceiling:6.2f} s  ratio {project / ceiling:.2f}"
                )
        finally:
            if scratch:
                import_bench._drop_scratch(scratch)
            shutil.rmtree(folder, ignore_errors=True)
    search = _search(args) if args.data_dir else None
    if search:
        print(
            f"  search  /enrol/ {search['queries']} queries at {args.connections} connections:"
            f" {search.get('rps', 0):.0f} req/s p50 {search['P50']:.1f} ms"
            f" p95 {search['P95']:.1f} ms p99 {search['P99']:.1f} ms"
            f" non-2xx {search['NON2XX']:.0f}"
        )
        for note in search.get("notes", []):
            print(f"          {note}")
        print(
            f"          first draw of each query, one at a time (before the load):"
            f" p50 {search['cold']['P50']:.1f} ms p95 {search['cold']['P95']:.1f} ms"
        )
        floor = search["healthz"]
        print(
            f"  baseline /healthz, same server, load and run: {floor.get('rps', 0):.0f} req/s"
            f" p50 {floor['P50']:.1f} ms p95 {floor['P95']:.1f} ms p99 {floor['P99']:.1f} ms"
            f"  (search p95 ÷ baseline p95 = {search['P95'] / max(floor['P95'], 0.001):.1f})"
        )
    ratios = {k: p / c for k, (p, c) in figures.items()}
    if ratios:
        line = f"BENCH enrol ratio={max(ratios.values()):.2f}"
    else:  # the search alone: its p95 against the 100 ms goal
        line = f"BENCH enrol ratio={search['P95'] / 100 if search else float('nan'):.2f}"
    line += "".join(f" {k}_ratio={r:.2f}" for k, r in ratios.items())
    line += "".join(f" {k}_s={p:.2f} {k}_ceiling_s={c:.2f}" for k, (p, c) in figures.items())
    if figures_bulk is not None:
        line += f" submit_bulk_ratio={figures_bulk:.2f}"
    if search:
        line += f" search_p95_ms={search['P95']:.1f} search_rps={search.get('rps', 0):.0f}"
        line += f" baseline_healthz_p95_ms={search['healthz']['P95']:.1f}"
        line += (
            f" search_to_baseline_p95={search['P95'] / max(search['healthz']['P95'], 0.001):.1f}"
        )
    print(line)
    return 0
