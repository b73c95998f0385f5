"""Issue 13, case 6: no formulas out.

Every CSV and .xlsx file the platform writes from data (exports of every import kind,
the refused-rows report, the pay-supplement sheet, the department batch result) holds
no formula cell and no text cell a spreadsheet would read as one (OWASP: a cell
beginning with =, +, -, @, tab or CR), whatever a school, enterprise or person is
named; the value stays readable, and the project's own export imports back to the same
value. Input: a text field refuses a leading "=" on a form and in an import alike, and
accepts "+", "-" and "@" (a phone number, a dash, an e-mail)."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jigong.certificates import services as certificates
from jigong.cooperation.models import Enterprise
from jigong.core.imports.base import get_kind
from jigong.core.imports.readers import read
from jigong.core.imports.report import error_report
from jigong.core.imports.runner import run_import
from jigong.public import services as public_services
from jigong.schools.models import School
from jigong.students.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _named(world, payload: str):
    """school_a, its student and an enterprise named ``payload``, as data already on
    file (imported before the rule, or written by the back office) would be."""
    School.objects.filter(pk=world.school_a.pk).update(name=payload)
    Person.objects.filter(pk=world.reg_a.person.pk).update(name=payload)
    f_enterprise = Enterprise.objects.create(
        name=payload, credit_code="91500000MA5U7YXK1D", district=world.school_a.district
    )
    return f_enterprise


def _cells(data: bytes, fmt: str) -> list:
    """Every cell of the file; an .xlsx formula cell fails here."""
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        return [v for row in csv.reader(io.StringIO(text)) for v in row]
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                out.append(cell.value)
    return out


def _assert_safe(data: bytes, fmt: str, payload: str):
    cells = _cells(data, fmt)
    for v in cells:
        if isinstance(v, str) and not NUMBER.match(v):
            assert not v.startswith(TRIGGERS), (fmt, v)
    # still readable: the value, behind the neutralising quote
    assert any(isinstance(v, str) and v.lstrip("'") == payload for v in cells), (
        payload,
        [v for v in cells if isinstance(v, str) and payload.strip() in v],
    )


def _export(client, world, kind: str, fmt: str) -> bytes:
    user = world.user_a if kind == "students" else world.municipal
    client.force_login(user)
    r = client.get(f"/imports/{kind}/export.{fmt}")
    assert r.status_code == 200, r.status_code
    return b"".join(r.streaming_content)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["schools", "enterprises", "students"])
def test_exports_write_no_formula(client, world, kind, fmt, payload):
    _named(world, payload)
    _assert_safe(_export(client, world, kind, fmt), fmt, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_operator_export_writes_no_formula(world, tmp_path, fmt, payload):
    _named(world, payload)
    out = tmp_path / f"schools.{fmt}"
    call_command("export", "schools", "--out", str(out), stdout=io.StringIO())
    _assert_safe(out.read_bytes(), fmt, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_refused_rows_report_writes_no_formula(world, payload):
    kind = get_kind("schools")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([c.header for c in kind.columns])
    w.writerow([payload if c.key in ("name", "sponsor") else "" for c in kind.columns])
    result = run_import(kind, buf.getvalue().encode(), user=None, mode="all", filename="s.csv")
    assert result.refused == 1
    _assert_safe(error_report(result), "xlsx", payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pay_supplement_sheet_writes_no_formula(client, world, payload):
    from jigong.workflows import records

    records.supplement_calculate(
        actor=world.user_a, school=world.school_a, year=2024, rate=Decimal("0.1"), excellent=True
    )
    _named(world, payload)
    client.force_login(world.municipal)
    r = client.get("/pay-supplements/export.xlsx")
    assert r.status_code == 200
    _assert_safe(r.content, "xlsx", payload)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_department_batch_result_writes_no_formula(client, world, fmt, payload):
    reg = f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    cert = certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
    School.objects.filter(pk=world.school_a.pk).update(name=payload)
    key = public_services.api_key_create(
        actor=world.municipal, name="征兵办", scopes=["verify", "verify:batch"]
    ).key
    rows = [["证书编号", "姓名"], [cert.number, "张晓明"], [cert.number, payload]]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        upload = SimpleUploadedFile("list.csv", buf.getvalue().encode())
    else:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        for cell in wb.active["B"]:  # as text: openpyxl would store "=…" as a formula
            cell.data_type = "s"
        out = io.BytesIO()
        wb.save(out)
        upload = SimpleUploadedFile("list.xlsx", out.getvalue())
    r = client.post("/api/v1/department/verify/batch/file", {"file": upload}, HTTP_X_API_KEY=key)
    assert r.status_code == 200, r.content[:300]
    cells = _cells(r.content, fmt)
    for v in cells:
        if isinstance(v, str) and not NUMBER.match(v):
            assert not v.startswith(TRIGGERS), (fmt, v)
    assert any(isinstance(v, str) and v.lstrip("'") == payload for v in cells)


# --- the round trip: neutralised on the way out, restored on the way in ------------------


@pytest.mark.parametrize("payload", ["+1+1", "-1+1", "@SUM(A1)", "'-quoted", "''+x"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_own_export_imports_back_to_the_same_value(client, world, fmt, payload):
    School.objects.filter(pk=world.school_a.pk).update(sponsor=payload)
    data = _export(client, world, "schools", fmt)
    rows = read(data, filename=f"x.{fmt}").rows
    assert any(str(v).startswith("'") for r in rows for v in r if v)  # neutralised
    result = run_import("schools", data, user=None, mode="all", filename=f"s.{fmt}")
    assert not result.errors and not result.file_errors, [str(e) for e in result.errors][:3]
    assert result.updated == 0
    assert School.objects.get(pk=world.school_a.pk).sponsor == payload


# --- input: one rule for forms and imports ---------------------------------------------


def _school_form(school) -> dict:
    return {
        "name": school.name,
        "sponsor": school.sponsor,
        "address": school.address or "",
        "founded_on": school.founded_on.isoformat() if school.founded_on else "",
        "campus_network_coverage": str(school.campus_network_coverage or "0.9"),
    }


def test_a_school_cannot_name_itself_a_formula_on_its_form(client, world):
    client.force_login(world.user_a)
    data = _school_form(world.school_a) | {"name": '=HYPERLINK("http://x","y")'}
    r = client.post(f"/schools/{world.school_a.pk}/edit/", data)
    assert r.status_code == 200  # the form again, with the message
    page = r.content.decode()
    assert "学校名称" in page and "“=”" in page
    world.school_a.refresh_from_db()
    assert not world.school_a.name.startswith("=")


@pytest.mark.parametrize("value", ["+86 23 6388 0000", "-", "@重庆"])
def test_plus_minus_at_are_data_on_the_form(client, world, value):
    client.force_login(world.user_a)
    data = _school_form(world.school_a) | {"address": value}
    r = client.post(f"/schools/{world.school_a.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    world.school_a.refresh_from_db()
    assert world.school_a.address == value


def test_services_refuse_a_leading_equals_sign(world):
    from django.core.exceptions import ValidationError

    from jigong.schools import services

    with pytest.raises(ValidationError) as info:
        services.school_update(actor=world.user_a, school=world.school_a, sponsor="＝1+1")
    assert "举办者" in str(info.value) or "sponsor" in str(info.value.message_dict)


@pytest.mark.parametrize(
    ("value", "refused"), [("=1+1", True), ("+1+1", False), ("-1", False), ("@x", False)]
)
def test_imports_apply_the_same_rule(world, value, refused):
    School.objects.filter(pk=world.school_a.pk).update(sponsor="原举办者")
    kind = get_kind("schools")
    rows = list(csv.reader(io.StringIO(_operator_csv(world))))
    head = rows[0]
    row = next(r for r in rows[1:] if r[head.index("学校代码")] == world.school_a.code)
    row[head.index("举办者")] = value
    out = io.StringIO()
    csv.writer(out).writerows([head, row])
    result = run_import(kind, out.getvalue().encode(), user=None, mode="all", filename="s.csv")
    sponsor = School.objects.get(pk=world.school_a.pk).sponsor
    if refused:
        assert result.refused == 1 and "“=”" in str(result.errors[0])
        assert sponsor == "原举办者"
    else:
        assert not result.errors, [str(e) for e in result.errors]
        assert sponsor == value


def _operator_csv(world) -> str:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "s.csv"
        call_command("export", "schools", "--out", str(out), stdout=io.StringIO())
        return out.read_bytes().decode("utf-8-sig")
