"""Personal information: who sees what (docs/architecture.md). One test per role and
surface for the ID numbers of students, teachers and trainees, and for the birth date.

The platform stores no personal phone number, address, bank account or salary (the
brochure's 招生咨询电话 and a school's address are the institution's), so ID number, name
and birth date are what is masked."""

import datetime
import io

import openpyxl
import pytest

from jigong.core.models import AuditLog
from jigong.jobs.models import ImportJob
from tests.imports.conftest import student_row  # noqa: F401  (fixture)

from .conftest import masked

pytestmark = pytest.mark.django_db

STAFF = {"school": "user_a", "district": "district_a", "municipal": "municipal"}
WHOLE = {"school": True, "district": False, "municipal": False}

LISTS = [
    ("student", "/students/"),
    ("student", "/registrations/"),
    ("student", "/graduation-certificates/"),
    ("teacher", "/teachers/"),
    ("trainee", "/training-records/"),
]
DETAILS = [
    ("student", "/students/{}/", "students.Person"),
    ("student", "/registrations/{}/", "students.Registration"),
    ("student", "/graduation-certificates/{}/", "certificates.GraduationCertificate"),
    ("student", "/employment-outcomes/{}/", "employment.EmploymentOutcome"),
    ("teacher", "/teachers/{}/", "staff.Teacher"),
    ("trainee", "/training-records/{}/", "training.TrainingRecord"),
]
EXPORTS = [("student", "students"), ("teacher", "teachers"), ("trainee", "training")]


def _as(client, world, role):
    client.force_login(getattr(world, STAFF[role]))
    return client


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize(("who", "url"), LISTS)
def test_list_pages_mask_id_numbers_for_every_role(client, world, people, role, who, url):
    page = _as(client, world, role).get(url).content.decode()
    number = people.ids[who]
    assert masked(number) in page
    assert number not in page


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize(("who", "url", "label"), DETAILS)
def test_detail_pages_show_the_whole_id_number_to_the_school_only(
    client, world, people, role, who, url, label
):
    page = _as(client, world, role).get(url.format(people.o[label].pk)).content.decode()
    number = people.ids[who]
    if WHOLE[role]:
        assert number in page
    else:
        assert masked(number) in page and number not in page


@pytest.mark.parametrize("role", STAFF)
def test_birth_date_whole_for_the_school_year_only_for_the_bureaus(client, world, people, role):
    client = _as(client, world, role)
    detail = client.get(f"/students/{people.person.pk}/").content.decode()
    listing = client.get("/students/").content.decode()
    day = people.birth.strftime("%Y-%m-%d")
    year = f"{people.birth.year}年"
    assert day not in listing and year in listing
    if WHOLE[role]:
        assert day in detail
    else:
        assert day not in detail and year in detail
    assert "欧阳毕业" in detail  # the name: every staff role needs it


@pytest.mark.parametrize("role", ["department", "graduate"])
def test_department_and_graduate_accounts_reach_no_register(client, world, people, role):
    client.force_login(getattr(world, role))
    for url in ("/students/", f"/students/{people.person.pk}/", "/imports/students/export.xlsx"):
        r = client.get(url)
        assert r.status_code in (403, 404), url
        assert people.ids["student"] not in r.content.decode()


def _export_ids(response) -> list[str]:
    data = b"".join(response.streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("身份证号") if "身份证号" in rows[0] else None
    if col is None:  # the trainee's column
        col = next(i for i, h in enumerate(rows[0]) if "身份证号" in str(h))
    return [str(r[col]) for r in rows[1:]]


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize(("who", "kind"), EXPORTS)
def test_exports_whole_for_the_school_and_audited_masked_for_the_bureaus(
    client, world, people, role, who, kind
):
    client = _as(client, world, role)
    before = AuditLog.objects.count()
    r = client.get(f"/imports/{kind}/export.xlsx")
    assert r.status_code == 200
    ids = _export_ids(r)
    number = people.ids[who]
    if WHOLE[role]:
        assert number in ids
        row = AuditLog.objects.order_by("-pk").first()
        assert AuditLog.objects.count() == before + 1
        assert row.actor == world.user_a and "含完整身份证号" in row.message
        assert row.school_id == world.school_a.pk
    else:
        assert masked(number) in ids and number not in ids
        assert AuditLog.objects.count() == before


@pytest.fixture
def issued(world):
    """A certificate issued by school_a through the services (a verifiable number)."""
    from tests import factories as f

    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="张晓明", birth=datetime.date(2006, 3, 1)
    )
    return cert, cert.registration.person.id_number


def test_public_page_and_api_show_the_masked_holder(client, issued):
    cert, number = issued
    page = client.post("/verify/", {"number": cert.number, "name": "张晓明"}).content.decode()
    assert "张*明" in page and masked(number) in page and number not in page
    data = client.get(
        "/api/v1/certificates/verify", {"number": cert.number, "name": "张晓明"}
    ).json()
    assert data["holder"] == "张*明" and data["id_number"] == masked(number)


def test_department_api_gets_the_masked_holder(client, world, issued):
    from jigong.public import services as public_services

    cert, number = issued
    key = public_services.api_key_create(actor=world.municipal, name="征兵办", scopes=["verify"])
    r = client.get(
        "/api/v1/department/verify",
        {"number": cert.number, "name": "张晓明"},
        HTTP_X_API_KEY=key.key,
    )
    body = r.content.decode()
    assert r.status_code == 200 and masked(number) in body and number not in body
    assert "张*明" in body and "张晓明" not in body


def test_graduate_sees_their_own_data_whole(client, world, people):
    client.force_login(world.graduate)
    page = client.get("/graduate/").content.decode()
    assert people.ids["student"] in page and "欧阳毕业" in page
    assert people.birth.strftime("%Y-%m-%d") in page
    assert world.reg_a.person.id_number not in page  # nobody else's


def test_import_errors_are_masked_for_the_city_and_whole_for_the_submitter(
    client,
    world,
    people,
    student_row,  # noqa: F811
):
    from tests.jobs.test_imports import _upload

    good = people.ids["student"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")  # wrong check digit: quoted back
    _upload(_as(client, world, "school"), [student_row(id_number=bad)])
    job = ImportJob.objects.get()
    assert job.error_count
    url = f"/jobs/imports/{job.pk}/"
    own = client.get(url).content.decode()
    # the submitter sees what the job stored (the runner may already mask it) and the file
    assert (bad in own or masked(bad) in own) and 'data-testid="report-download"' in own
    city = _as(client, world, "municipal").get(url).content.decode()
    assert bad not in city and masked(bad) in city
    assert 'data-testid="report-download"' not in city


def test_the_portal_and_the_public_mask_alike():
    """Every surface masks with jigong.core.pii (tests/masking/test_one_rule.py checks that
    no module has a copy). The copies this replaced disagreed on free text: the portal's
    left a 15-digit old ID number whole, the import jobs' masked 16- and 17-digit runs
    too (a certificate number). The one rule: 18 characters or 15 digits."""
    from jigong.core import pii

    text = "第3行 身份证号“50010320070501123X”：校验码错误；50010320070501123；500103870501123"
    assert pii.mask_text(text) == (
        "第3行 身份证号“5001**********123X”：校验码错误；50010320070501123；5001*******1123"
    )
    assert pii.mask_birth_date(datetime.date(2007, 5, 1)) == "2007年"
