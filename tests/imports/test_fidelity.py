"""What the round trip of every kind (test_roundtrip.py) found, one case each: free text
kept as written, a masked ID number named as such, graduation certificate numbers kept
into an empty database, the 毕业 change of a certificate exported once, employment
imported after graduations."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jigong.certificates import numbering, services
from jigong.cooperation import services as coop
from jigong.cooperation.models import CooperationAgreement
from jigong.core.imports import export, run_import
from jigong.core.imports import normalise as N
from jigong.core.imports.base import Column
from jigong.students.models import StatusChange
from tests import factories as f

from .conftest import as_rows
from .helpers import xlsx

D = datetime.date


@pytest.fixture
def finishing(world):
    """A registration at school_a whose study period ended in summer 2025."""

    def make(name="张晓明"):
        return f.registration(
            world.school_a,
            name=name,
            id_number=f.id_number(birth=D(2006, 3, 1)),
            enrolled_on=D(2022, 9, 1),
        )

    return make


def imp(kind, dicts, user, mode="all"):
    header, rows = as_rows(dicts)
    return run_import(kind, xlsx(rows, header=header), filename="x.xlsx", user=user, mode=mode)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("订单班（2018级）", "订单班（2018级）"),  # full-width brackets stay
        ("Ａ座１号", "Ａ座１号"),
        ("  张\u00a0 三\u200b ", "张 三"),  # whitespace and zero-width marks still fold
        ("\u3000重庆\t技师\n学院\u3000", "重庆 技师 学院"),
        (12, "12"),
        (3.0, "3"),
    ],
)
def test_free_text_is_kept_as_written(raw, expected):
    assert N.plain_text(raw) == expected
    assert Column("title", "项目名称").clean(raw) == expected


@pytest.mark.parametrize("raw", ["=A1", "＝A1", " =SUM(A1:A2)"])
def test_a_formula_is_still_refused(raw):
    with pytest.raises(N.CellError, match="公式"):
        Column("title", "项目名称").clean(raw)


def test_agreement_title_with_full_width_brackets_imports_back(world, tmp_path):
    e = coop.enterprise_create(actor=None, credit_code=f.credit_code(), name="重庆示例有限公司")
    row = {
        "学校代码": world.school_a.code,
        "企业统一社会信用代码": e.credit_code,
        "合作形式": "订单班",
        "项目名称": "示例订单班（2024级）",
        "开始日期": "2024-09-01",
        "结束日期": "",
    }
    r = imp("agreements", [row], world.user_a)
    assert r.ok and r.created == 1, [str(x) for x in r.errors]
    assert CooperationAgreement.objects.get().title == "示例订单班（2024级）"
    out = tmp_path / "a.xlsx"
    export("agreements", str(out), user=world.user_a)
    r = run_import("agreements", out.read_bytes(), filename=out.name, user=world.user_a)
    assert r.ok and r.unchanged == 1 and r.created == 0


def test_a_masked_id_number_is_named_as_masked(world, student_row):
    r = imp("students", [student_row(id_number="5001**********1234")], world.user_a)
    assert [(e.column, e.message) for e in r.errors] == [("身份证号", N.MASKED_ID)]


def test_masked_export_of_a_bureau_is_refused_as_masked(world, tmp_path):
    out = tmp_path / "s.xlsx"
    assert export("students", str(out), user=world.municipal) == 3
    r = run_import("students", out.read_bytes(), filename=out.name, user=world.municipal)
    assert r.refused == 3 and not (r.created or r.updated)
    assert {e.message for e in r.errors} == {N.MASKED_ID}


def test_a_new_certificate_keeps_a_given_number_of_its_form(world, finishing):
    reg = finishing()
    number = numbering.make(2025, world.school_a.code, "intermediate", 41)
    cert = services.graduate(actor=None, registration=reg, issued_on=D(2025, 6, 30), number=number)
    assert cert.number == number
    # the next number the system gives follows the highest serial
    nxt = services.graduate(
        actor=None, registration=finishing(name="李四"), issued_on=D(2025, 6, 30)
    )
    assert numbering.parse(nxt.number).serial == 42


@pytest.mark.parametrize(
    ("year", "school", "level", "message"),
    [
        (2024, "a", "intermediate", "应以"),  # another year of issue
        (2025, "b", "intermediate", "应以"),  # another school's number
        (2025, "a", "advanced", "应以"),  # another level
        (2025, "a", "intermediate", "已被另一证书使用"),
    ],
)
def test_a_given_number_of_another_form_or_taken_is_refused(
    world, finishing, year, school, level, message
):
    if message == "已被另一证书使用":
        services.graduate(actor=None, registration=finishing(name="王五"), issued_on=D(2025, 6, 30))
    code = (world.school_a if school == "a" else world.school_b).code
    number = numbering.make(year, code, level, 1)
    with pytest.raises(ValidationError) as info:
        services.graduate(
            actor=None, registration=finishing(), issued_on=D(2025, 6, 30), number=number
        )
    assert message in " ".join(info.value.message_dict["number"])


def test_a_graduation_file_with_numbers_imports_into_a_school_without_them(
    world, finishing, tmp_path
):
    reg = finishing()
    cert = services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    out = tmp_path / "g.xlsx"
    export("graduations", str(out), user=world.user_a)
    cert.delete()  # as if the certificate had not been issued here yet
    StatusChange.objects.filter(registration=reg).delete()
    reg.status, reg.status_changed_on, reg.left_on = "enrolled", reg.enrolled_on, None
    reg.save()
    r = run_import("graduations", out.read_bytes(), filename=out.name, user=world.user_a)
    assert r.ok and r.created == 1, [str(e) for e in r.errors]
    assert reg.certificates.get().number == cert.number


def test_the_change_a_certificate_records_is_exported_with_the_certificate(
    world, finishing, tmp_path
):
    reg = finishing()
    services.graduate(actor=world.user_a, registration=reg, issued_on=D(2025, 6, 30))
    assert StatusChange.objects.filter(registration=reg, status="graduated").exists()
    assert export("status_changes", str(tmp_path / "s.csv"), user=world.user_a) == 0
    assert export("graduations", str(tmp_path / "g.csv"), user=world.user_a) == 1


def test_a_suspended_school_re_imports_its_own_students_unchanged(world, student_row, tmp_path):
    """The rules of enrolment bind new rows: a school whose enrolment is suspended still
    takes its own export back unchanged, and still cannot enrol a new student."""
    from jigong.schools.models import School

    School.objects.filter(pk=world.school_a.pk).update(status="suspended")
    out = tmp_path / "s.xlsx"
    assert export("students", str(out), user=world.user_a) == 1
    r = run_import("students", out.read_bytes(), filename=out.name, user=world.user_a)
    assert r.ok and r.unchanged == 1, [str(e) for e in r.errors]
    r = imp("students", [student_row()], world.user_a)
    assert r.refused == 1 and "暂停招生" in r.errors[0].message


def test_a_renewed_agreement_is_its_own_row(world, tmp_path):
    """Same school, enterprise, form and title, another start date: two agreements."""
    e = coop.enterprise_create(actor=None, credit_code=f.credit_code(), name="重庆示例有限公司")
    base = {
        "学校代码": world.school_a.code,
        "企业统一社会信用代码": e.credit_code,
        "合作形式": "实训基地",
        "项目名称": "示例校外实训基地",
        "开始日期": "2019-09-01",
        "结束日期": "2022-08-31",
    }
    renewed = dict(base, **{"开始日期": "2022-09-01", "结束日期": ""})
    r = imp("agreements", [base, renewed], world.user_a)
    assert r.ok and r.created == 2, [str(x) for x in r.errors]
    out = tmp_path / "a.xlsx"
    export("agreements", str(out), user=world.user_a)
    r = run_import("agreements", out.read_bytes(), filename=out.name, user=world.user_a)
    assert r.ok and r.unchanged == 2
    r = imp("agreements", [base, base], world.user_a)
    assert "合作形式“实训基地”" in r.errors[0].message  # the key as the file has it
    assert f"企业统一社会信用代码“{e.credit_code}”" in r.errors[0].message
