"""The permission matrix: every role × every URL pattern and API operation × action.

`tests/permission_matrix.yaml` is the table. The URL patterns are enumerated from the
resolver at run time and the API operations from the ninja OpenAPI schema: a pattern or
operation without a row fails `test_every_route_has_a_row`, so a new page needs a rule.
`test_permission_matrix` then requests every row for every role with path parameters
filled from one world (own-scope objects at school_a in district_a's 渝中区, other-scope
objects at school_b in 万州区) and compares what happened with the table.

Outcomes (one per role and method):
  ok     answered (2xx/3xx, not the log-in page); a form POST refused as invalid input
         (400/422) also counts: the action was reached
  login  redirected to the log-in page (anonymous on staff pages)
  no     refused: 401, 403 or 404
  own    ok for the own-scope object, 404 for the other school's / district's object
A row may give `data` (a POST body; values naming an object kind take that side's
object) and `why` (the reason for a cell that is not obvious). The table was reviewed
cell by cell against DESIGN.md's roles and the policy (issue 7, docs/architecture.md
"Permission matrix: how it was reviewed"): a role that may not act is refused before any
form validation, so an empty POST tells refused from reached.

To regenerate after a deliberate change: JIGONG_MATRIX_WRITE=1 pytest this file, then
review the YAML diff line by line (the lead reviews it too); `why` and `data` survive.
"""

import datetime
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

MATRIX = Path(__file__).with_name("permission_matrix.yaml")
ROLES = ("anonymous", "municipal", "district", "school", "department", "graduate")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
MISSING = 987654  # a pk that exists nowhere


def routes() -> dict[str, str]:
    """Every named URL pattern: name -> route (admin collapsed to one row)."""
    found = {}

    def walk(resolver, prefix="", ns=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                name = p.namespace or ""
                walk(p, prefix + str(p.pattern), f"{ns}:{name}" if ns and name else name or ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = f"{ns}:{p.name}" if ns else p.name
                if name is None:
                    name = route
                if name.startswith("admin:"):
                    name = "admin:*"
                found.setdefault(name, route)

    walk(get_resolver())
    return found


def api_operations() -> set[tuple[str, str]]:
    """(METHOD, url name) of every operation in the OpenAPI schema."""
    from jigong.api import api

    ops = set()
    names = {}
    for path_ops in api._get_urls():
        names[str(path_ops.pattern)] = path_ops.name
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        route = path.removeprefix("/api/v1/")
        route = re.sub(r"\{(\w+)\}", r"<\1>", route)
        for method in methods:
            ops.add((method.upper(), f"api-v1:{names[route]}"))
    return ops


def load_matrix() -> dict:
    data = yaml.safe_load(MATRIX.read_text(encoding="utf-8"))
    profiles = data["profiles"]
    rows = {}
    for name, row in data["routes"].items():
        methods = {}
        for method, spec in row.items():
            if method in ("args", "objects", "query", "data", "why", "act"):
                continue
            if isinstance(spec, str):
                spec = profiles[spec]
            elif "profile" in spec:
                spec = {
                    **profiles[spec["profile"]],
                    **{k: v for k, v in spec.items() if k != "profile"},
                }
            missing = set(ROLES) - set(spec)
            assert not missing, f"{name} {method}: no outcome for {sorted(missing)}"
            methods[method] = spec
        rows[name] = SimpleNamespace(
            args=row.get("args", {}),
            objects=row.get("objects", {}),
            query=row.get("query", ""),
            data=row.get("data", {}),
            methods=methods,
            act=row.get("act")
            or (
                f"workflow.{row['args']['kind']}.{row['args']['action']}"
                if name == "workflows:transition"
                else None
            ),
        )
    return {"profiles": profiles, "rows": rows, "raw": data}


def test_every_route_has_a_row():
    matrix = load_matrix()["rows"]
    missing = sorted(set(routes()) - set(matrix))
    assert not missing, "URL patterns without a row in tests/permission_matrix.yaml: " + ", ".join(
        missing
    )
    stale = sorted(set(matrix) - set(routes()))
    assert not stale, "rows for URL patterns that no longer exist: " + ", ".join(stale)
    no_method = sorted(
        f"{method} {name}"
        for method, name in api_operations()
        if method not in matrix[name].methods
    )
    assert not no_method, "API operations without a rule: " + ", ".join(no_method)


# --- the world ----------------------------------------------------------------------


def _pair(a, b=None):
    return (a, a if b is None else b)


@pytest.fixture
def matrix_world(world, settings, tmp_path):
    """One object per kind at each side (own = school_a, other = school_b)."""
    import jigong.urls  # noqa: F401  (registers are declared as the URLconf loads)
    from jigong.certificates import services as certificate_services
    from jigong.certificates.models import QueryLog
    from jigong.core.models import AuditLog
    from jigong.jobs.models import ReportJob
    from jigong.public import services as public_services
    from jigong.quality import services as quality_services
    from jigong.quality.models import AnnualReport, QualityScore
    from jigong.reference.models import District, IndustryChain, Major
    from jigong.workflows import records
    from jigong.workflows.models import Document
    from tests.test_scope_pages import _fill
    from tests.workflows.conftest import make_brochure, make_internship, make_list, make_plan
    from tests.workflows.helpers_b import make_adjustment, make_round

    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    a = _fill(w.school_a, surname="欧阳", tag="甲", seed=11).objects
    b = _fill(w.school_b, surname="司马", tag="丙", seed=41).objects
    from jigong.cooperation import services as cooperation_services

    pairing = cooperation_services.pairing_create(
        actor=None, mentor=w.school_a2, supported=w.school_b, started_on=datetime.date(2023, 3, 1)
    )
    alliance = cooperation_services.alliance_create(
        actor=None,
        name="重庆智能制造技工教育联盟",
        lead_kind="industry",
        founded_on=datetime.date(2023, 5, 1),
    )
    issued = public_services.api_key_create(
        actor=w.municipal, name="市市场监管局", scopes=["verify", "verify:batch", "equivalence"]
    )
    code_a = certificate_services.verification_code_create(
        actor=None, certificate=a["certificates.GraduationCertificate"], days=30
    )
    code_b = certificate_services.verification_code_create(
        actor=None, certificate=b["certificates.GraduationCertificate"], days=30
    )
    # the graduate account holds school_a's certificate
    w.graduate.person = a["students.Person"]
    w.graduate.save(update_fields=["person"])

    plan_a, plan_b = make_plan(w, school=w.school_a), make_plan(w, school=w.school_b)
    bro_a, bro_b = make_brochure(w, school=w.school_a), make_brochure(w, school=w.school_b)
    int_a = make_internship(w, school=w.school_a)
    int_b = make_internship(w, school=w.school_b)
    qlist = make_list(w)
    adj_a = make_adjustment(w)
    from jigong.workflows import catalogue

    adj_b = catalogue.adjustment_create(
        actor=w.user_b,
        school=w.school_b,
        action="suspend",
        school_major=w.school_b.majors.first(),
        reason="生源减少，暂停招生",
    )
    rnd = make_round(w)
    rev_a = records.other_revenue_create(
        actor=w.user_a, school=w.school_a, year=2024, amount=1000, description="社会培训"
    )
    rev_b = records.other_revenue_create(
        actor=w.user_b, school=w.school_b, year=2024, amount=1000, description="社会培训"
    )
    doc_a = Document.objects.filter(kind="brochure", item_id=bro_a.pk).first()
    doc_b = Document.objects.filter(kind="brochure", item_id=bro_b.pk).first()
    findings = [
        quality_services.finding_create(
            actor=w.municipal,
            school=s,
            found_on=datetime.date(2025, 3, 1),
            area="employment_quality",
            finding="就业统计不全",
            severity="minor",
            required_action="补齐台账",
            deadline=datetime.date(2025, 6, 30),
        )
        for s in (w.school_a, w.school_b)
    ]
    scores = [
        QualityScore.objects.create(school=s, year=2024, total=80) for s in (w.school_a, w.school_b)
    ]
    root = quality_services.reports_root()
    (root / "2024").mkdir(parents=True, exist_ok=True)
    (root / "2024" / "r.html").write_text("<html><body><p>报告</p></body></html>")
    (root / "2024" / "r.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    files = {"html_path": "2024/r.html", "pdf_path": "2024/r.pdf", "pdf_sha256": "0" * 64}
    published = AnnualReport.objects.create(
        year=2024,
        title="2024年度重庆市技工教育质量报告",
        status="published",
        published_at=timezone.now(),
        **files,
    )
    draft = AnnualReport.objects.create(year=2023, title="2023年度报告", status="draft", **files)

    rec_a = _records(w, w.school_a, w.user_a, a["staff.Teacher"], w.reg_a)
    rec_b = _records(w, w.school_b, w.user_b, b["staff.Teacher"], w.reg_b)
    founding = _foundings(w)
    jobs = [_import_job(u) for u in (w.user_a, w.user_b)]
    files = [_file_job(u) for u in (w.user_a, w.user_b)]
    report_job = ReportJob.objects.create(user=w.municipal, year=2024, state="done")
    query = QueryLog.objects.create(
        at=timezone.now(),
        api_key=issued.api_key,
        client="市市场监管局",
        channel="api_single",
        number="1",
        name="欧*",
        found=False,
    )

    # a 技工学校 in 渝中区: its licensing authority is district_a (（二十一）)
    from tests import factories as f

    licensed = f.school(district_code="500103", tier="school", name="渝中丁技工学校")

    objects = {
        **{kind: _pair(rec_a[kind].pk, rec_b[kind].pk) for kind in rec_a},
        "district_licensed_school": _pair(licensed.pk, w.school_b.pk),
        "founding": _pair(*founding),
        "tier_upgrade": _pair(*_tier_upgrades(w)),
        "import_job": _pair(jobs[0].pk, jobs[1].pk),
        "file_job": _pair(files[0].pk, files[1].pk),
        "report_job": _pair(report_job.pk),
        "querylog": _pair(query.pk),
        "school": _pair(w.school_a.pk, w.school_b.pk),
        "school_code": _pair(w.school_a.code, w.school_b.code),
        "schoolmajor": _pair(a["schools.SchoolMajor"].pk, b["schools.SchoolMajor"].pk),
        "person": _pair(a["students.Person"].pk, b["students.Person"].pk),
        "registration": _pair(a["students.Registration"].pk, b["students.Registration"].pk),
        "transfer": _pair(*_transfers(w)),
        "certificate": _pair(
            a["certificates.GraduationCertificate"].pk, b["certificates.GraduationCertificate"].pk
        ),
        "skillcertificate": _pair(
            a["certificates.SkillCertificate"].pk, b["certificates.SkillCertificate"].pk
        ),
        "code": _pair(code_a.pk, code_b.pk),
        "trainingrecord": _pair(a["training.TrainingRecord"].pk, b["training.TrainingRecord"].pk),
        "employmentoutcome": _pair(
            a["employment.EmploymentOutcome"].pk, b["employment.EmploymentOutcome"].pk
        ),
        "agreement": _pair(
            a["cooperation.CooperationAgreement"].pk, b["cooperation.CooperationAgreement"].pk
        ),
        "teacher": _pair(a["staff.Teacher"].pk, b["staff.Teacher"].pk),
        "enterprise": _pair(a["cooperation.CooperationAgreement"].enterprise_id),
        "alliance": _pair(alliance.pk),
        "pairing": _pair(pairing.pk),
        "district": _pair(District.objects.get(code="500103").pk),
        "industrychain": _pair(IndustryChain.objects.first().pk),
        "major": _pair(Major.objects.first().pk),
        "auditlog": _pair(AuditLog.objects.order_by("-pk").first().pk),
        "apikey": _pair(issued.api_key.pk),
        "enrolment_plan": _pair(plan_a.pk, plan_b.pk),
        "brochure": _pair(bro_a.pk, bro_b.pk),
        "internship": _pair(int_a.pk, int_b.pk),
        "qualification": _pair(qlist.pk),
        "major_adjustment": _pair(adj_a.pk, adj_b.pk),
        "designation_round": _pair(rnd.pk),
        "other_revenue": _pair(rev_a.pk, rev_b.pk),
        "document": _pair(doc_a.pk, doc_b.pk),
        "finding": _pair(findings[0].pk, findings[1].pk),
        "score": _pair(scores[0].pk, scores[1].pk),
        "published_report": _pair(published.pk),
        "draft_report": _pair(draft.pk),
        "account": _pair(*_clerks(w)),
        "choice": _pair(*_choices(w)),
        "missing": _pair(MISSING),
    }
    users = {
        "municipal": w.municipal,
        "district": w.district_a,
        "school": w.user_a,
        "department": w.department,
        "graduate": w.graduate,
    }
    return SimpleNamespace(objects=objects, users=users, api_key=issued.key)


def _choices(w) -> tuple[int, int]:
    """An application's choice of school_a and one of school_b in a season of this year
    (set-up only: the staff pages of online enrolment, issue 16)."""
    from jigong.admissions.models import Application, Choice, Season
    from tests import factories as f

    today = timezone.localdate()
    season, _ = Season.objects.get_or_create(
        year=today.year,
        defaults={
            "opens_on": today - datetime.timedelta(days=10),
            "closes_on": today + datetime.timedelta(days=30),
        },
    )
    pks = []
    for n, school in enumerate((w.school_a, w.school_b)):
        app = Application(
            season=season,
            reference=f"BM{today.year}-MATRIX{n:04d}",
            name="欧阳报名",
            phone="13800000000",
            category="junior_graduate",
            schooling="junior",
            home_province="50",
        )
        app.id_number = f.id_number(birth=datetime.date(2009, 3, 1))
        app.save()
        choice = Choice.objects.create(
            application=app,
            rank=1,
            school=school,
            school_major=school.majors.first(),
            track="full_time",
        )
        pks.append(choice.pk)
    return tuple(pks)


def _clerks(w) -> tuple[int, int]:
    """A clerk's account at school_a and one at school_b (issue 15's account pages)."""
    from tests import factories as f

    return tuple(
        f.user("school", school=s, username=f"clerk_{s.pk}").pk for s in (w.school_a, w.school_b)
    )


def _transfers(w) -> tuple[int, int]:
    """A pending 转学 to school_a (from school_a2, 渝中区) and one within school_b's
    district: the receiving school's and its bureau's case, and another's."""
    from jigong.students.models import Transfer

    own = Transfer.objects.create(
        registration=w.reg_a2,
        from_school=w.school_a2,
        to_school=w.school_a,
        transfer_on=datetime.date(2025, 3, 1),
        reason="家庭迁居",
        requested_on=datetime.date(2025, 3, 1),
    )
    other = Transfer.objects.create(
        registration=w.reg_b,
        from_school=w.school_b,
        to_school=w.school_b,
        transfer_on=datetime.date(2025, 3, 1),
        reason="家庭迁居",
        requested_on=datetime.date(2025, 3, 1),
    )
    return own.pk, other.pk


def _tier_upgrades(w) -> list[int]:
    """A 晋级申请 of school_a (as a 高级技校) and of school_b, as drafts (set-up only)."""
    from jigong.workflows.models import TierUpgradeApplication

    return [
        TierUpgradeApplication.objects.create(
            school=school,
            from_tier=tier,
            to_tier=to,
            stated_students=1000,
            stated_teachers=60,
            stated_majors=8,
            summary="晋级申请",
        ).pk
        for school, tier, to in (
            (w.school_a, "senior_school", "technician_college"),
            (w.school_b, "school", "senior_school"),
        )
    ]


def _records(w, school, user, teacher, registration) -> dict:
    """One workflow record of each plain kind at ``school``, written by its school user."""
    from decimal import Decimal

    from jigong.workflows import records

    out = {
        "supplement": records.supplement_calculate(
            actor=user, school=school, year=2024, rate=Decimal("0.1"), excellent=False
        ),
        "hiring": records.hiring_create(
            actor=user,
            school=school,
            post="实习指导教师",
            skill_post=True,
            practical_weight="0.6",
            positions=1,
            announced_on=datetime.date(2025, 3, 1),
        ),
        "integrated_training": records.training_create(
            actor=user,
            teacher=teacher,
            title="一体化课程开发",
            organiser="市人社局",
            level="municipal",
            hours=40,
            started_on=datetime.date(2025, 5, 1),
            ended_on=datetime.date(2025, 5, 5),
        ),
        "competition": records.competition_create(
            actor=user, teacher=teacher, name="教师职业能力大赛", level="municipal", year=2025
        ),
        "curriculum": records.curriculum_set(
            actor=user, school=school, year=2024, labour_spirit_hours=16, note="课程"
        ),
        "aid": records.aid_programme_create(
            actor=user,
            school=school,
            year=2025,
            name="助学金",
            kind="grant",
            funder="财政",
            amount_per_person=Decimal("2000"),
        ),
    }
    records.aid_recipient_add(actor=user, programme=out["aid"], registration=registration)
    from jigong.workflows import registers

    out["textbook"] = registers.textbook_record(
        actor=user,
        kind="school",
        title="钳工技能",
        school=school,
        approved_on=datetime.date(2024, 3, 1),
    )
    out["base_designation"] = registers.base_record(
        actor=w.municipal,
        kind="ideology_base",
        level="municipal",
        school=school,
        designated_on=datetime.date(2024, 5, 1),
        document_no=f"渝人社〔2024〕{school.pk}号",
    )
    from jigong.workflows import aid

    out["aid_application"] = aid.application_create(
        actor=user,
        programme=out["aid"],
        registration=registration,
        amount_requested=Decimal("1000"),
        grounds="hardship",
        applied_on=datetime.date(2025, 3, 1),
    )
    return out


def _foundings(w) -> tuple[int, int]:
    """A founding application of a 技工学校 in 渝中区 (the district bureau's to review) and
    one in 万州区 (another district's)."""
    from jigong.workflows import licensing
    from tests import factories as f
    from tests.workflows.conftest import pdf

    pks = []
    for code in ("500103", "500101"):
        school = f.school(district_code=code, tier="school", status="founding")
        pks.append(
            licensing.founding_create(
                actor=f.user("school", school=school),
                school=school,
                founding_started_on=timezone.localdate() - datetime.timedelta(days=365),
                planned_students=1200,
                summary="校舍、师资、设备已按标准建设",
                documents=[pdf("设立申请书.pdf")],
            ).pk
        )
    return tuple(pks)


def _import_job(user):
    """A finished import with a refused row (so it has an error report), by ``user``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jigong.jobs import services as job_services

    body = "身份证号,姓名\n123,欧阳\n".encode()
    return job_services.import_job_submit(
        actor=user,
        kind="students",
        upload=SimpleUploadedFile("学籍.csv", body),
        mode="validate",
    )


def _file_job(user):
    """A finished file job (a built PDF) of ``user``'s school."""
    from jigong.jobs import services as job_services
    from jigong.jobs.models import FileJob

    job = FileJob.objects.create(user=user, kind="test", title="PDF", school=user.school)
    return job_services.file_job_finish(
        job=job, data=b"%PDF-1.4\n", filename="x.pdf", content_type="application/pdf", ext="pdf"
    )


def _clients(mw) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role, user in mw.users.items():
        headers = {"HTTP_X_API_KEY": mw.api_key} if role == "department" else {}
        c = Client(**headers)
        c.force_login(user)
        clients[role] = c
    return clients


def _url(route: str, args: dict, objects: dict, side: int) -> str:
    def fill(m):
        key = m.group(2)
        if key in objects:
            return str(mw_objects[objects[key]][side])
        return str(args[key])

    mw_objects = _url.objects
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


def _query(template: str, side: int) -> str:
    if not template:
        return ""
    return "?" + template.format(**{k: v[side] for k, v in _url.objects.items()})


def _outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303, 307, 308) and response["Location"].startswith(LOGIN_PATHS):
        return "login"
    if status < 400 or status in (400, 409, 422):
        return "ok"
    if status == 405:
        return "405"
    if status in (401, 403, 404):
        return "no"
    return f"status {status}"


def _data(spec: dict, side: int) -> dict:
    """A POST body: values naming an object kind take that side's object, others are
    literal."""
    return {
        k: _url.objects[v][side] if isinstance(v, str) and v in _url.objects else v
        for k, v in spec.items()
    }


def _request(client, method, url, data=None):
    if method == "GET":
        response = client.get(url)
    elif method == "POST":
        response = client.post(url, data or {})
    else:
        response = client.generic(method, url, "{}", content_type="application/json")
    _request.header_failures.extend(header_failures(response, f"{method} {url}"))
    return response


STRICT_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
REPORT_CSP = ("default-src 'none'", "script-src 'none'", "frame-ancestors 'self'")


def header_failures(response, what: str) -> list[str]:
    """The security headers every response carries (the generated report documents have
    their own script-free CSP and may be framed by our own pages)."""
    h = response.headers
    csp = [d.strip() for d in h.get("Content-Security-Policy", "").split(";")]
    is_report = "script-src 'none'" in csp
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "SAMEORIGIN" if is_report else "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    bad = [f"{what}: {k}={h.get(k)!r}" for k, v in expected.items() if h.get(k) != v]
    if "camera=()" not in h.get("Permissions-Policy", ""):
        bad.append(f"{what}: Permissions-Policy={h.get('Permissions-Policy')!r}")
    missing = [d for d in (REPORT_CSP if is_report else STRICT_CSP) if d not in csp]
    if missing or any("unsafe-inline" in d for d in csp if d.startswith("script-src")):
        bad.append(f"{what}: Content-Security-Policy lacks {missing}: {csp}")
    return bad


@pytest.mark.django_db
def test_permission_matrix(matrix_world, settings):
    settings.JIGONG_VERIFY_RATE_PER_IP = (100_000, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100_000, 3600)
    matrix = load_matrix()
    _url.objects = matrix_world.objects
    clients = _clients(matrix_world)
    all_routes = routes()
    observed, failures = {}, []
    _request.header_failures = []
    # GET (and the API's reads) first, then the writes, so a POST changes nothing read.
    order = sorted(
        (
            (name, method, spec)
            for name, row in matrix["rows"].items()
            for method, spec in row.methods.items()
        ),
        key=lambda t: (t[0] == "logout", t[1] != "GET", t[0]),
    )
    for name, method, spec in order:
        row = matrix["rows"][name]
        route = "admin/" if name == "admin:*" else all_routes[name]
        own = _url(route, row.args, row.objects, 0) + _query(row.query, 0)
        other = _url(route, row.args, row.objects, 1) + _query(row.query, 1)
        for role in ROLES:
            expected = spec[role]
            data = (_data(row.data, 0), _data(row.data, 1)) if method == "POST" else (None, None)
            got = _outcome(_request(clients[role], method, own, data[0]))
            if got == "ok" and (other != own or data[0] != data[1]):
                got_other = _outcome(_request(clients[role], method, other, data[1]))
                if got_other == "no":
                    got = "own"
                elif got_other != "ok":
                    got = f"ok/{got_other}"
            observed.setdefault(name, {}).setdefault(method, {})[role] = got
            if got != expected:
                failures.append(
                    f"{method} {own} ({name}) as {role}: table says {expected}, got {got}"
                )
    if os.environ.get("JIGONG_MATRIX_WRITE"):
        _write(matrix, observed)
    assert not failures, f"{len(failures)} cell(s) differ:\n" + "\n".join(failures)
    # every page, API answer and refusal for every role carries the security headers
    headers = _request.header_failures
    assert not headers, f"{len(headers)} response(s) without the headers:\n" + "\n".join(
        headers[:40]
    )


def test_matrix_agrees_with_the_registry_of_acts():
    """A row that performs an act (``act:``) lets exactly the act's roles through its
    POST: the table and the registry (jigong.core.acts) cannot drift apart."""
    from jigong.core import acts

    matrix = load_matrix()
    tagged = {name: row for name, row in matrix["rows"].items() if row.act}
    assert len(tagged) >= 4
    wrong = []
    for name, row in tagged.items():
        spec = acts.get(row.act)
        cells = row.methods["POST"]
        if cells["anonymous"] not in ("login", "no"):
            wrong.append(f"{name}: anonymous {cells['anonymous']}")
        for role in ROLES[1:]:
            allowed = role in spec.roles
            if allowed != (cells[role] in ("ok", "own")):
                wrong.append(f"{name} ({row.act}): {role} is {cells[role]}, registry {allowed}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_duty_axis(matrix_world):
    """The duty axis (issue 15): on every row that performs an act needing a school duty
    (学籍, 招生, 证书, 培训与就业, 管理员), a school clerk without that duty is refused and a
    clerk holding only it is let through as the school account is."""
    from jigong.core import acts
    from jigong.core.models import ROLE_DUTIES, Role
    from tests import factories as f

    matrix = load_matrix()
    _url.objects = matrix_world.objects
    _request.header_failures = []
    school = matrix_world.users["school"].school
    duties = ROLE_DUTIES[Role.SCHOOL]
    all_routes = routes()
    rows = [
        (name, row, acts.get(row.act))
        for name, row in matrix["rows"].items()
        if row.act
        and acts.get(row.act).duty in duties
        and row.methods.get("POST", {}).get("school") in ("ok", "own")
    ]
    assert {"certificates", "records", "admin"} <= {spec.duty for _, _, spec in rows}
    failures = []
    for name, row, spec in rows:
        url = _url(all_routes[name], row.args, row.objects, 0) + _query(row.query, 0)
        data = _data(row.data, 0)
        for held, expected in (([d for d in duties if d != spec.duty], "no"), ([spec.duty], "ok")):
            clerk = f.user("school", school=school)
            clerk.duties = held
            clerk.save(update_fields=["duties"])
            c = Client()
            c.force_login(clerk)
            got = _outcome(_request(c, "POST", url, data))
            if got != expected:
                failures.append(f"POST {url} ({name}, {spec.duty}) held {held}: {got}")
    assert not failures, "\n".join(failures)


def _write(matrix, observed):
    """Rewrite the table from what was observed (profiles reused where they match)."""
    raw = matrix["raw"]
    profiles = raw["profiles"]
    for name, methods in observed.items():
        row = raw["routes"][name]
        for method, cells in methods.items():
            match = next((p for p, v in profiles.items() if v == cells), None)
            row[method] = match or cells
    MATRIX.write_text(
        MATRIX.read_text(encoding="utf-8").split("\nroutes:\n")[0]
        + "\nroutes:\n"
        + "".join(
            f"  {line}\n" if line else "\n"
            for line in yaml.safe_dump(
                raw["routes"], allow_unicode=True, sort_keys=False, width=100
            ).splitlines()
        ),
        encoding="utf-8",
    )
