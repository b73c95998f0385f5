"""Issue 12's cases, through the bulk doors: a spreadsheet cannot do what the page refuses.

1. a school (or district) cannot rewrite another school's person by importing a 学籍 row
   with that person's ID number and another name;
2. a suspended school cannot lift its own suspension (nor change its tier or district)
   by re-importing its own exported school row.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.imports import export, run_import
from jigong.core.models import AuditLog
from jigong.schools.models import School, SchoolStatus
from jigong.students.models import Person
from jigong.workflows import licensing
from tests import factories as f
from tests.imports.conftest import as_rows, student_fields
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

MISMATCH = "该身份证号已登记，姓名与登记信息不一致"


def _import(kind, dicts, user, mode="all"):
    header, rows = as_rows(dicts)
    return run_import(kind, xlsx(rows, header=header), filename="x.xlsx", user=user, mode=mode)


def _errors(result) -> list[str]:
    return [str(e) for e in result.errors]


# --- case 1: persons shared between schools ------------------------------------------


@pytest.mark.parametrize("mode", ["all", "valid_only", "validate"])
@pytest.mark.parametrize("who", ["user_a", "district_a"])
def test_import_cannot_rename_another_schools_person(world, who, mode):
    victim = world.reg_b.person  # 万州丙技工学校's student
    number = victim.id_number
    audit = AuditLog.objects.count()
    row = student_fields(world.school_a.code, id_number=number, name="冒名顶替")
    # part-time: a second registration the person may hold, so only the name is wrong
    row.update({"学习形式": "非全日制", "生源类别": "企业在岗职工", "学制（月）": 24})
    r = _import("students", [row], getattr(world, who), mode)
    assert not r.ok
    assert any(MISMATCH in e for e in _errors(r)), _errors(r)
    # the message reveals nothing of the other school's record
    assert not any(victim.name in e or world.school_b.name in e for e in _errors(r))
    victim.refresh_from_db()
    assert victim.name == "赵强"
    assert Person.objects.filter(name="冒名顶替").count() == 0
    assert AuditLog.objects.count() == audit


def test_service_enrols_an_existing_person_under_the_same_name_only(world):
    from jigong.students import services

    person = world.reg_a2.person  # 王芳 at school_a2, in the same district as school_a
    kwargs = dict(
        actor=world.user_a,
        school=world.school_a,
        major=world.reg_a.major,
        level="intermediate",
        entry_point="junior",
        duration_months=36,
        track="part_time",
        source="enterprise_employee",
        enrolled_on=datetime.date(2025, 9, 1),
        id_number=person.id_number,
    )
    with pytest.raises(ValidationError) as exc:
        services.registration_create(name="王芳芳", **kwargs)
    assert MISMATCH in str(exc.value)
    person.refresh_from_db()
    assert person.name == "王芳"
    reg = services.registration_create(name="王芳", **kwargs)
    assert reg.person_id == person.pk


def test_a_second_registration_with_the_same_name_imports(world):
    """Enrolling an existing person (same name) is allowed: a part-time 学籍 at another
    school for a student registered elsewhere."""
    person = world.reg_b.person
    row = student_fields(world.school_a.code, id_number=person.id_number, name=person.name)
    row.update({"学习形式": "非全日制", "生源类别": "企业在岗职工", "学制（月）": 24})
    r = _import("students", [row], world.user_a)
    assert r.ok, _errors(r)
    assert person.registrations.count() == 2


# --- case 2: procedure fields of a school --------------------------------------------


def _suspend(world, school):
    licensing.enrolment_suspend(actor=world.municipal, school=school, reason="违规招生")
    school.refresh_from_db()
    assert school.status == SchoolStatus.SUSPENDED


def _own_export(user, tmp_path):
    out = tmp_path / "schools.xlsx"
    export("schools", str(out), user=user)
    import openpyxl

    wb = openpyxl.load_workbook(out)
    return wb, wb.active, out


def _header_index(ws, header):
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(header)


@pytest.mark.parametrize(
    ("header", "value", "field"),
    [
        ("办学状态", "正常办学", "status"),
        ("层次", "技师学院", "tier"),
        ("区县代码", "500101", "district"),
    ],
)
def test_school_cannot_change_its_procedure_fields_by_import(world, tmp_path, header, value, field):
    school = world.school_a2  # 高级技工学校 in 渝中区
    _suspend(world, school)
    user_a2 = f.user("school", school=school, username="school_a2")
    wb, ws, out = _own_export(user_a2, tmp_path)
    ws.cell(row=2, column=_header_index(ws, header), value=value)
    wb.save(out)
    before = {k: getattr(school, k) for k in ("status", "tier", "district_id")}
    audit = AuditLog.objects.count()
    r = run_import("schools", out.read_bytes(), filename=out.name, user=user_a2)
    assert not r.ok and r.updated == 0
    message = " ".join(_errors(r))
    assert header in message and "只能通过" in message, message
    school.refresh_from_db()
    assert {k: getattr(school, k) for k in ("status", "tier", "district_id")} == before
    assert AuditLog.objects.count() == audit


def test_bureau_cannot_lift_a_suspension_by_import_either(world, tmp_path):
    school = world.school_b
    _suspend(world, school)
    wb, ws, out = _own_export(world.municipal, tmp_path)
    col = _header_index(ws, "办学状态")
    for row in ws.iter_rows(min_row=2):
        if row[0].value == school.code:
            ws.cell(row=row[0].row, column=col, value="正常办学")
    wb.save(out)
    r = run_import("schools", out.read_bytes(), filename=out.name, user=world.municipal)
    assert not r.ok
    assert "恢复招生" in " ".join(_errors(r))
    assert School.objects.get(pk=school.pk).status == SchoolStatus.SUSPENDED


def test_unchanged_own_export_still_imports_cleanly(world, tmp_path):
    _suspend(world, world.school_a2)
    user_a2 = f.user("school", school=world.school_a2, username="school_a2")
    _wb, _ws, out = _own_export(user_a2, tmp_path)
    r = run_import("schools", out.read_bytes(), filename=out.name, user=user_a2)
    assert r.ok and r.updated == 0 and r.unchanged == 1, _errors(r)


def test_the_licensing_act_names_itself_and_its_reason_in_one_audit_row(world):
    n = AuditLog.objects.count()
    licensing.enrolment_suspend(actor=world.municipal, school=world.school_b, reason="违规招生")
    rows = list(AuditLog.objects.order_by("id")[n:])
    assert len(rows) == 1
    row = rows[0]
    assert row.act == "school.suspend_enrolment"
    assert row.school_id == world.school_b.pk and row.district_id == world.school_b.district_id
    assert row.before == {"status": "operating"} and row.after == {"status": "suspended"}
    assert "违规招生" in row.message


def test_public_verification_still_answers_for_the_real_holder(world):
    from jigong.public.selectors import certificate_verify

    cert = f.graduated_certificate(
        world.school_b, world.user_b, name="钱真", birth=datetime.date(2006, 1, 2), area="500101"
    )
    number = cert.registration.person.id_number
    row = student_fields(world.school_a.code, id_number=number, name="冒名顶替")
    row.update({"学习形式": "非全日制", "生源类别": "企业在岗职工", "学制（月）": 24})
    r = _import("students", [row], world.user_a)
    assert not r.ok and MISMATCH in " ".join(_errors(r))
    assert certificate_verify(number=cert.number, name="钱真") is not None
    assert certificate_verify(number=cert.number, name="冒名顶替") is None


def test_correcting_a_certified_name_needs_a_reason_and_is_filed_under_the_issuer(world):
    from jigong.students import services

    cert = f.graduated_certificate(
        world.school_b, world.user_b, name="孙错字", birth=datetime.date(2006, 1, 2), area="500101"
    )
    person = cert.registration.person
    with pytest.raises(ValidationError, match="须填写原因"):
        services.person_correct(actor=world.user_b, person=person, name="孙正字")
    with pytest.raises(ValidationError, match="只能通过"):
        from jigong.core import services as core

        core.update(world.municipal, person, name="孙正字")  # a generic update is refused
    with pytest.raises(PermissionDenied):  # another school never changes this person
        services.person_correct(actor=world.user_a, person=person, name="孙正字", reason="x")
    services.person_correct(actor=world.user_b, person=person, name="孙正字", reason="户籍更名")
    person.refresh_from_db()
    assert person.name == "孙正字"
    row = AuditLog.objects.filter(act="person.correct").get()
    assert row.school_id == world.school_b.pk and "户籍更名" in row.message
