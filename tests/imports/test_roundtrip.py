"""Round trip of every import kind (issue 12), on the small demo world (``--seed 1``).

For every registered kind (``kinds()``: a new kind is covered without touching this
file) and every account — the operator's CLI (``jigong export`` without ``--user``:
everything, whole ID numbers), the municipal account and each school of the world —
the kind is exported the way that account exports it (the CLI, or the list page's
导出 link), and the file is imported back in the preview mode (``validate``) and for
real (``all``): no error, nothing created or updated, every row unchanged, no table
and no audit row changed.

What the round trip means for the municipal account: its exports mask ID numbers
(bureaus see names, not ID numbers: ``viewsets.detail_masks``), and a masked number is
no key. Kinds without an ID-number column round-trip as above; for kinds with one, the
re-import is refused row by row with the 脱敏 message on the ID-number column and
nothing changes. The whole-number round trip of the municipal scope is the operator's.

Then into an empty database: every kind exported by the operator, the domain data
wiped (reference data kept), the kinds imported in ``order`` — and each kind's export
afterwards holds the same rows (natural keys and every exported value). The
evaluation-institution filings (院校认定) are made by a procedure, not imported: they
are carried over by school code after the schools, as their procedure would file them.
"""

import collections
import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from jigong.core.imports import normalise as N
from jigong.core.imports.base import kinds
from jigong.core.imports.readers import read
from jigong.core.imports.runner import run_import
from jigong.core.models import AuditLog, User
from jigong.demo import generate

pytestmark = pytest.mark.xdist_group("test_roundtrip")  # one world per module: one process

ORDERED = sorted(kinds(), key=lambda k: (kinds()[k].order, k))
# The small world's school codes, as the demo makes them (tier digit, serial per tier).
SCHOOLS = [
    f"50{generate.TIER_DIGIT[tier]}{n:02d}"
    for tier, districts in generate.SMALL.districts.items()
    for n in range(1, len(districts) + 1)
]
ACCOUNTS = ["operator", "city", *(f"school-{code}" for code in SCHOOLS)]
# Kinds not rebuilt into an empty database, and why.
NOT_REBUILT = {
    # An application is checked against the city's season, the published qualification
    # list and the approved plan lines of its year: procedures (acts and workflows), not
    # registers an import kind carries, so they are not there to check against after a
    # wipe. The demo's applications are made by the acts themselves (demo.admissions);
    # a school's own file imports back unchanged (test_export_imports_back_unchanged).
    "admission_applications": "season, qualification list and plans are procedures",
    # a decision names an application that is not rebuilt (above)
    "admission_decisions": "the applications it decides are not rebuilt",
}
EMPTY_FILE = "表头之后没有数据行"


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The small demo world, built once for the module inside a transaction that is
    rolled back at its end; each test runs in a savepoint of it (pytest-django's db)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "demo", "--scale", "small", "--seed", "1", "--no-progress", stdout=io.StringIO()
        )
        # each school's administrator account (the demo's clerks hold narrower duties)
        schools = sorted(
            User.objects.filter(role="school", username__startswith="school-").values_list(
                "username", flat=True
            )
        )
        assert schools == sorted(ACCOUNTS[2:]), "the demo's schools changed: update SCHOOLS"
        yield
        transaction.set_rollback(True)


@pytest.fixture
def small_world(demo_world, db):
    return demo_world


def table_counts() -> dict:
    """Rows of every table of ours (the audit log included), less background jobs."""
    return {
        m._meta.db_table: m._base_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("jigong.") and not m.__module__.startswith("jigong.jobs.")
    }


def audit_state() -> tuple:
    return AuditLog.objects.count(), AuditLog.objects.order_by("-pk").values_list("pk").first()


def exported(kind: str, account: str, tmp_path, fmt: str = "xlsx") -> bytes:
    """The file the account gets: `jigong export KIND --out …` for the operator, the
    list page's 导出 link (imports:export) for a user."""
    if account == "operator":
        out = tmp_path / f"{kind}.{fmt}"
        call_command("export", kind, "--out", str(out), stdout=io.StringIO())
        return out.read_bytes()
    client = Client()
    client.force_login(User.objects.get(username=account))
    response = client.get(reverse("imports:export", args=[kind, fmt]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def data_rows(data: bytes, fmt: str = "xlsx") -> list[tuple]:
    return [tuple(r) for r in read(data, filename=f"x.{fmt}").rows[1:] if any(r)]


def messages(result) -> list[str]:
    return result.file_errors + [str(e) for e in result.errors]


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("kind", ORDERED)
def test_export_imports_back_unchanged(small_world, kind, account, tmp_path):
    data = exported(kind, account, tmp_path)
    rows = data_rows(data)
    user = None if account == "operator" else User.objects.get(username=account)
    masked = [c.header for c in kinds()[kind].columns if c.type == "id_number"]
    masked = masked if user is not None and user.role == "municipal" else []
    counts, audit = table_counts(), audit_state()
    for mode in ("validate", "all"):
        result = run_import(kind, data, user=user, mode=mode, filename=f"{kind}.xlsx")
        assert result.created == result.updated == 0, (mode, messages(result)[:5])
        if not rows:  # nothing of this kind in the account's scope: a header-only file
            assert result.file_errors == [EMPTY_FILE]
        elif masked:  # the file holds no whole number, and a masked number is no key
            columns = [i for i, c in enumerate(kinds()[kind].columns) if c.type == "id_number"]
            assert all(N.is_masked_id(r[i]) for r in rows for i in columns)
            assert result.refused == len(rows) and not result.file_errors
            assert {(e.column, e.message) for e in result.errors} == {
                (h, N.MASKED_ID) for h in masked
            }
        else:
            assert messages(result) == [], (mode, messages(result)[:5])
            assert result.unchanged == len(rows), mode
        assert table_counts() == counts, mode
        assert audit_state() == audit, mode


@pytest.mark.parametrize("kind", ORDERED)
def test_csv_export_imports_back_unchanged(small_world, kind, tmp_path):
    """The same through CSV (dates, decimals and 是/否 as text), the operator's files."""
    data = exported(kind, "operator", tmp_path, "csv")
    rows = data_rows(data, "csv")
    counts, audit = table_counts(), audit_state()
    result = run_import(kind, data, user=None, mode="all", filename=f"{kind}.csv")
    if not rows:  # no row of this kind in the small world: a header-only file
        assert result.file_errors == [EMPTY_FILE]
        return
    assert messages(result) == [] and result.unchanged == len(rows)
    assert result.created == result.updated == 0
    assert table_counts() == counts and audit_state() == audit


def test_every_school_is_an_account_and_one_has_part_time_employees(small_world):
    """The matrix covers each school; one of them enrols enterprise employees part-time
    (（十）), the rows whose policy date the students kind must handle."""
    from jigong.students.models import Registration

    part_time = set(
        Registration.objects.filter(track="part_time", source="enterprise_employee")
        .values_list("school__code", flat=True)
        .distinct()
    )
    assert part_time and part_time <= set(SCHOOLS)


def test_into_an_empty_database_the_same_rows(small_world, tmp_path):
    from jigong.schools.models import School, SchoolDesignation
    from jigong.schools.services import designation_add

    rebuilt = [k for k in ORDERED if k not in NOT_REBUILT]
    files = {k: exported(k, "operator", tmp_path) for k in rebuilt}
    before = {k: collections.Counter(data_rows(d)) for k, d in files.items()}
    filings = list(SchoolDesignation.objects.values_list("school__code", "kind", "year"))
    # The demo's cross-province intake (（九）) has no approved quota of its own (the
    # demo predates the rule); the rebuild gets plans approving exactly that intake, so
    # the students kind also shows the rule holds at the edge of each quota.
    intake = cross_province_intake()
    generate.wipe()  # the demo's domain tables and users; reference data stays
    assert not School.objects.exists()
    for k in rebuilt:
        n = sum(before[k].values())
        if n:
            result = run_import(k, files[k], user=None, mode="all", filename=f"{k}.xlsx")
            assert messages(result) == [], (k, messages(result)[:5])
            assert result.created == n, k
        if k == "schools":
            by_code = {s.code: s for s in School.objects.all()}
            for code, kind, year in filings:
                designation_add(actor=None, school=by_code[code], kind=kind, year=year)
            approve_quotas(by_code, intake)
    for k in rebuilt:
        after = collections.Counter(data_rows(exported(k, "operator", tmp_path)))
        missing, extra = before[k] - after, after - before[k]
        assert not missing and not extra, (k, list(missing)[:3], list(extra)[:3])


def cross_province_intake() -> dict:
    """{(school code, year): {partner province: the intake on file}} (a 转入 is none)."""
    from jigong.policy import rules
    from jigong.students.models import Registration
    from jigong.students.services import cross_province_enrolled

    intake: dict = {}
    years = Registration.objects.values_list("school__code", "school_id", "enrolled_on__year")
    for code, pk, year in years.distinct():
        for province in rules.cross_province_partners(datetime.date(year, 12, 31)):
            n = cross_province_enrolled(pk, year, province)
            if n:
                intake.setdefault((code, year), {})[province] = n
    return intake


def approve_quotas(by_code: dict, intake: dict) -> None:
    from jigong.workflows.models import CrossProvinceQuota, EnrolmentPlan

    for (code, year), quotas in intake.items():
        plan = EnrolmentPlan.objects.create(school=by_code[code], year=year, state="approved")
        for province, n in quotas.items():
            CrossProvinceQuota.objects.create(plan=plan, province=province, quota=n)


def certificate_history() -> set:
    from jigong.certificates.models import GraduationCertificate

    return set(
        GraduationCertificate.objects.values_list(
            "number",
            "registration__person__id_number_hmac",
            "outcome",
            "status",
            "issued_on",
            "revoked_on",
            "revoked_reason",
        )
    )


def test_revoked_and_replaced_certificates_survive_an_empty_database(small_world, tmp_path):
    """The graduations register holds every certificate, not only the valid ones: a
    revoked certificate (撤销), a reissued one (补发: the old number 已补发换证) and a 结业证书
    exchanged after 补考 come back from the export into an empty database, through the
    same acts, with their dates and reasons."""
    from jigong.certificates import services as cs
    from jigong.certificates.models import CertificateStatus, GraduationCertificate, Outcome
    from jigong.schools.models import School, SchoolDesignation
    from jigong.schools.services import designation_add

    valid = GraduationCertificate.objects.filter(status=CertificateStatus.VALID)
    graduated = list(valid.filter(outcome=Outcome.GRADUATED).order_by("number")[:2])
    day = datetime.timedelta(days=1)
    cs.revoke(
        actor=None,
        certificate=graduated[0],
        reason="学籍信息核查有误",
        on=graduated[0].issued_on + day,
    )
    cs.reissue(
        actor=None, certificate=graduated[1], reason="遗失补发", on=graduated[1].issued_on + 2 * day
    )
    completion = valid.filter(outcome=Outcome.COMPLETED, registration__status="completed").first()
    assert completion is not None, "the small world has no 结业 student: the test needs one"
    cs.exchange_completion(
        actor=None, certificate=completion, issued_on=completion.issued_on + 3 * day
    )
    history = certificate_history()
    assert {h[3] for h in history} == {"valid", "revoked", "replaced"}

    rebuilt = [k for k in ORDERED if k not in NOT_REBUILT]
    files = {k: exported(k, "operator", tmp_path) for k in rebuilt}
    filings = list(SchoolDesignation.objects.values_list("school__code", "kind", "year"))
    intake = cross_province_intake()  # the approvals the demo lacks (see above)
    generate.wipe()
    for k in rebuilt:
        if data_rows(files[k]):
            result = run_import(k, files[k], user=None, mode="all", filename=f"{k}.xlsx")
            assert messages(result) == [], (k, messages(result)[:5])
        if k == "schools":
            by_code = {s.code: s for s in School.objects.all()}
            for code, kind, year in filings:
                designation_add(actor=None, school=by_code[code], kind=kind, year=year)
            approve_quotas(by_code, intake)
    after = certificate_history()
    assert after == history, (sorted(history - after)[:3], sorted(after - history)[:3])


def test_employment_comes_after_graduations():
    """Only a graduate (or 结业 student) has an employment outcome: in an empty database
    the employment file can be imported only after the graduations file."""
    assert ORDERED.index("employment") > ORDERED.index("graduations")


def registers_by_student() -> collections.Counter:
    """(ID number, school code, 入学日期, status) of every registration, with whether a
    转入 made it: what a transferred student's records are."""
    from jigong.students.models import Registration

    return collections.Counter(
        (
            r.person.id_number,
            r.school.code,
            r.enrolled_on,
            r.status,
            r.status_changes.filter(status="transferred_in").exists(),
        )
        for r in Registration.objects.select_related("person", "school")
    )


def test_transferred_students_survive_an_empty_database(small_world, tmp_path):
    """转学 (issue 12's leftover, issue 14): a 转出 at one school accepted as a 转入 at
    another — made through the acts (the small world has none) — comes
    back from the export into an empty database through the same acts (the 转出 row
    asks, the 转入 row accepts), as 转出 and 转入 registrations, and the student is still
    no new enrolment at the receiving school. A reverted 学籍异动 is no row."""
    from jigong.schools.models import School
    from jigong.schools.services import school_major_create
    from jigong.students import services
    from jigong.students.models import Registration, Status, Transfer

    moved = Registration.objects.filter(status=Status.ENROLLED, track="full_time").first()
    to_school = (
        School.objects.filter(tier=moved.school.tier, status="operating")
        .exclude(pk=moved.school_id)
        .order_by("-district__code")
        .first()
    )
    if not to_school.majors.filter(major=moved.major, level=moved.level, status="open").exists():
        school_major_create(
            actor=None,
            school=to_school,
            major=moved.major,
            level=moved.level,
            opened_year=moved.enrolled_on.year,
        )
    transfer = services.registration_transfer_out(
        actor=None,
        registration=moved,
        to_school=to_school,
        transfer_on=datetime.date.today(),
        reason="家庭迁居转学",
    )
    services.transfer_accept(actor=None, transfer=transfer)
    assert moved is not None
    mistaken = Registration.objects.filter(status=Status.ENROLLED).exclude(pk=moved.pk).first()
    services.registration_change_status(
        actor=None,
        registration=mistaken,
        status=Status.WITHDRAWN,
        changed_on=datetime.date.today(),
        reason="误操作",
    )
    services.registration_revert_change(actor=None, registration=mistaken, reason="登记错误")
    before = registers_by_student()
    assert sum(n for k, n in before.items() if k[4]) == 1
    test_into_an_empty_database_the_same_rows(small_world, tmp_path)
    assert registers_by_student() == before
    # every 转入 of the file was made by accepting its 转学
    assert Transfer.objects.filter(state="accepted").count() == sum(
        n for k, n in before.items() if k[4]
    )
