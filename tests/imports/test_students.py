import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from jigong.core.imports import error_report, export, run_import, template
from jigong.core.models import AuditLog
from jigong.students.models import Person, Registration
from tests import factories as f

from .conftest import as_rows
from .helpers import csv_bytes, headers, xlsx


def imp(rows_dicts, user, mode="all", **kw):
    header, rows = as_rows(rows_dicts)
    return run_import(
        "students", xlsx(rows, header=header, **kw), filename="x.xlsx", user=user, mode=mode
    )


def snapshot():
    return (
        sorted(Registration.objects.values_list("id", "person_id", "level", "major_id")),
        Person.objects.count(),
        AuditLog.objects.count(),
    )


def test_valid_rows_created_then_reimport_changes_nothing(world, student_row):
    rows = [student_row(), student_row(name="陈二")]
    r = imp(rows, world.user_a)
    assert r.ok and r.committed and r.created == 2
    before = snapshot()
    again = imp(rows, world.user_a)
    assert again.ok and again.created == 0 and again.updated == 0 and again.unchanged == 2
    assert snapshot() == before


def test_changed_row_updates_and_is_audited(world, student_row):
    row = student_row()
    imp([row], world.user_a)
    row["姓名"] = "陈一改"
    row["学制（月）"] = 48
    r = imp([row], world.user_a)
    assert r.ok and r.updated == 1
    reg = Registration.objects.by_id_number(row["身份证号"], "person__id_number").get()
    assert reg.duration_months == 48 and reg.person.name == "陈一改"
    log = AuditLog.objects.filter(object_type="students.registration", action="update").latest("id")
    assert log.before == {"duration_months": 36} and log.after == {"duration_months": 48}
    plog = AuditLog.objects.filter(object_type="students.person", action="update").latest("id")
    assert plog.before["name"] == "陈一" and plog.after["name"] == "陈一改"


def test_all_or_nothing_leaves_db_unchanged(world, student_row):
    before = snapshot()
    rows = [student_row(), student_row(id_number="500103200803041230")]
    r = imp(rows, world.user_a)
    assert not r.committed and r.refused == 1
    assert snapshot() == before
    e = r.errors[0]
    assert e.row == 3 and e.column == "身份证号" and e.value == "500103200803041230"
    assert "校验" in e.message


def test_valid_only_writes_valid_rows(world, student_row):
    rows = [student_row(), student_row(id_number="123")]
    r = imp(rows, world.user_a, mode="valid_only")
    assert r.committed and r.created == 1 and r.refused == 1
    assert "第3行“身份证号”列值“123”" in str(r.errors[0])


def test_validate_mode_writes_nothing(world, student_row):
    before = snapshot()
    r = imp([student_row()], world.user_a, mode="validate")
    assert r.ok and not r.committed and r.created == 1
    assert snapshot() == before


def test_every_error_of_every_row_is_collected(world, student_row):
    rows = [
        student_row(**{"班级层次": "博士班", "入学日期": "明天", "学制（月）": "三年"}),
        student_row(**{"专业代码": "9999"}),
    ]
    r = imp(rows, world.user_a)
    by = {(e.row, e.column) for e in r.errors}
    assert {(2, "班级层次"), (2, "入学日期"), (2, "学制（月）"), (3, "专业代码")} <= by
    msgs = " ".join(e.message for e in r.errors)
    assert "中级工班" in msgs and "2025-07-01" in msgs


def test_numeric_id_refused_with_text_format_hint(world, student_row):
    r = imp([student_row(id_number=500103200803041234)], world.user_a)
    assert r.errors[0].column == "身份证号"
    assert "文本" in r.errors[0].message


def test_duplicates_in_file_and_policy(world, student_row):
    a = student_row()
    r = imp([a, dict(a)], world.user_a)
    assert any("与第2行重复" in e.message and e.row == 3 for e in r.errors)


def test_full_time_twice_refused_by_service(world, student_row):
    # reg_a's person already holds a full-time registration
    row = student_row(id_number=world.reg_a.person.id_number, name="李明")
    r = imp([row], world.user_a)
    assert not r.ok and "全日制学籍" in r.errors[0].message and r.errors[0].column == "身份证号"


def test_school_user_cannot_import_other_school(world, student_row):
    before = snapshot()
    r = imp([student_row(school=world.school_b)], world.user_a, mode="valid_only")
    assert r.refused == 1 and r.errors[0].column == "学校代码"
    assert "数据范围" in r.errors[0].message
    assert snapshot() == before


def test_district_user_only_in_district(world, student_row):
    ok = student_row(school=world.school_a2, **{"班级层次": "中级工班"})
    bad = student_row(school=world.school_b)
    r = imp([ok, bad], world.district_a, mode="valid_only")
    assert r.created == 1 and r.refused == 1 and r.errors[0].row == 3


def test_hidden_sheets_blank_rows_merged_header_column_order(world, student_row):
    d = student_row()
    header = list(d)[::-1]
    header = [h.replace("（", "(").replace("）", ")") for h in header]
    header[0] = " 生源 省份 "
    values = list(d.values())[::-1]
    data = xlsx(
        [values],
        header=header,
        hidden_first=True,
        before=[["学生学籍导入"]],
        blank_rows=50,
        merge=["A1:D1"],
    )
    r = run_import("students", data, filename="x.xlsx", user=world.user_a)
    assert r.ok and r.created == 1, [str(e) for e in r.errors]
    assert r.total == 1


def test_template_example_row_is_skipped_and_template_has_validations(world, tmp_path):
    path = tmp_path / "t.xlsx"
    call_command("template", "students", "--out", str(path))
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == headers("students")
    assert len(ws.data_validations.dataValidation) >= 5
    assert all(c.comment and c.comment.text for c in ws[1])
    assert wb["可选值"].sheet_state == "hidden"
    r = run_import("students", path.read_bytes(), filename="t.xlsx", user=world.user_a)
    assert r.file_errors == ["表头之后没有数据行"]


@pytest.mark.parametrize(
    "kind",
    [
        "schools",
        "school_majors",
        "students",
        "enterprises",
        "training",
        "employment",
        "skill_certificates",
        "teachers",
        "agreements",
        "status_changes",
    ],
)
def test_every_template_opens(kind):
    import io

    wb = openpyxl.load_workbook(io.BytesIO(template(kind)))
    assert wb.worksheets[0].max_column == len(headers(kind))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_encodings(world, student_row, encoding, delimiter):
    header, rows = as_rows([student_row(name="欧阳娜娜")])
    data = csv_bytes(rows, header=header, encoding=encoding, delimiter=delimiter)
    r = run_import("students", data, filename="x.csv", user=world.user_a)
    assert r.ok and r.created == 1
    assert Person.objects.filter(name="欧阳娜娜").exists()


def test_error_report_holds_refused_rows(world, student_row):
    # valid_only wrote the good row: the report holds the refused one only (all-or-nothing
    # hands back the whole file: tests/imports/test_refused_file_all_mode.py)
    r = imp([student_row(), student_row(id_number="123")], world.user_a, mode="valid_only")
    import io

    wb = openpyxl.load_workbook(io.BytesIO(error_report(r)))
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    assert "错误说明" in head
    assert ws.max_row == 2
    assert ws.cell(2, head.index("身份证号") + 1).value == "123"
    assert "第3行" in ws.cell(2, head.index("错误说明") + 1).value


def test_export_round_trip_and_scope(world, student_row, tmp_path):
    imp([student_row(), student_row(name="陈二")], world.user_a)
    for ext in ("xlsx", "csv"):
        out = tmp_path / f"e.{ext}"
        n = export("students", str(out), user=world.user_a)
        assert n == 3  # reg_a + the two imported; never school_b's
        before = snapshot()
        r = run_import("students", out.read_bytes(), filename=out.name, user=world.user_a)
        assert r.ok and r.unchanged == 3 and r.created == r.updated == 0
        assert snapshot() == before
    out = tmp_path / "b.xlsx"
    export("students", str(out), user=world.user_b)
    wb = openpyxl.load_workbook(out)
    ids = {row[0].value for row in wb.worksheets[0].iter_rows(min_row=2)}
    assert ids == {world.reg_b.person.id_number}


def test_bad_files(world):
    for data, name, expect in [
        (b"", "x.xlsx", "空"),
        (b"PK\x03\x04garbage", "x.xlsx", "无法打开"),
        (b"\x00\x01\x02binary", "x.csv", "不是文本"),
        ("姓名,身份证号\n".encode(), "x.csv", "缺少必填列"),
        (b"a,b\n1,2\n", "x.csv", "找不到表头"),
        (b"x", "x.pdf", "不支持"),
    ]:
        r = run_import("students", data, filename=name, user=world.user_a)
        assert r.file_errors and expect in r.file_errors[0], (name, r.file_errors)


def test_cli_maps_import_to_import_data(monkeypatch):
    import django.core.management as m

    from jigong.cli import main

    seen = []
    monkeypatch.setattr(m, "execute_from_command_line", seen.append)
    main(["import", "students", "f.xlsx"])
    assert seen == [["jigong", "import_data", "students", "f.xlsx"]]


def test_cli_import_and_export(world, student_row, tmp_path, capsys):
    header, rows = as_rows([student_row()])
    p = tmp_path / "in.xlsx"
    p.write_bytes(xlsx(rows, header=header))
    call_command("import_data", "students", str(p), "--user", "school_a", "--mode", "validate")
    assert "校验完成" in capsys.readouterr().out
    call_command("import_data", "students", str(p), "--user", "school_a")
    assert "新增1" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_data", "students", str(p), "--user", "school_b")
    call_command("export", "students", "--out", str(tmp_path / "o.csv"), "--user", "school_a")
    assert "2行" in capsys.readouterr().out


def test_bulk_path_for_large_files(world, student_row):
    rows = [
        student_row(
            name=f"学生{i}",
            id_number=f.id_number(birth=datetime.date(2008, 1, 1) + datetime.timedelta(days=i)),
        )
        for i in range(250)
    ]
    dup = student_row(id_number=world.reg_a.person.id_number, name="李明")
    r = imp([*rows, dup], world.user_a)
    assert not r.committed and r.refused == 1 and r.errors[0].row == 252
    r = imp(rows, world.user_a)
    assert r.ok and r.created == 250
    log = AuditLog.objects.filter(action="bulk_create", object_type="students.registration").get()
    assert log.after == {"count": 250}
    again = imp(rows, world.user_a)
    assert again.unchanged == 250 and again.created == 0
