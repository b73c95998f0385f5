"""Offline applications from Excel (issue 16, slice E3): the template, a good file entered
through the act admission.enter, bad rows naming row, column, value and rule with
nothing written, and the school's export imported back unchanged (no application
doubled; a changed row reported)."""

import datetime
import io

import openpyxl
import pytest

from jigong.admissions.models import Application, Channel
from jigong.core.imports import run_import
from jigong.core.imports.exports import export
from tests import factories as f
from tests.admissions import staff_world as sw
from tests.imports.helpers import headers, xlsx

pytestmark = pytest.mark.django_db

KIND = "admission_applications"


@pytest.fixture
def w(world):
    return sw.build(world, quota=5)


def _row(w, **kw) -> list:
    row = {
        "招生年度": w.year,
        "学校代码": w.school_a.code,
        "身份证号": f.id_number(birth=datetime.date(2008, 4, 1)),
        "姓名": "线下一",
        "联系电话": "13700000000",
        "报名类别": "应届初中毕业生",
        "前置学历": "初中",
        "生源省份": "",
        "所在企业统一社会信用代码": "",
        "工学安排（月）": "",
        "志愿1专业代码": "0101",
        "志愿1班级层次": "中级工班",
        "志愿1学习形式": "全日制",
    }
    row.update(kw)
    return [row.get(h, "") for h in headers(KIND)]


def _run(w, rows, user=None, data=None):
    data = data or xlsx(rows, kind=KIND)
    return run_import(KIND, data, filename="报名.xlsx", user=user or w.user_a, mode="all")


def _errors(result):
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


def test_the_template_has_the_columns_and_the_schools_code(client, w):
    client.force_login(w.user_a)
    r = client.get(f"/imports/{KIND}/template.xlsx")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(
        io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
    )
    first = wb.worksheets[0]
    got = [c.value for c in first[1]]
    assert got[:3] == ["招生年度", "学校代码", "身份证号"] and "志愿3学习形式" in got
    client.force_login(w.clerk_records)  # no duty 招生: no import of applications
    assert client.get(f"/imports/{KIND}/template.xlsx").status_code == 403


def test_a_good_file_enters_offline_applications_through_the_act(w):
    result = _run(
        w,
        [
            _row(w),
            _row(
                w,
                姓名="线下二",
                志愿2专业代码="0101",
                志愿2班级层次="高级工班",
                志愿2学习形式="全日制",
            ),
        ],
    )
    assert result.ok and result.created == 2, _errors(result)
    apps = Application.objects.order_by("pk")
    assert [a.channel for a in apps] == [Channel.OFFLINE] * 2
    assert {a.entered_by_school for a in apps} == {w.school_a}
    assert [a.choices.count() for a in apps] == [1, 2]


def test_bad_rows_name_row_column_value_and_rule_and_nothing_is_written(w):
    good = _row(w)
    rows = [
        good,
        _row(w, 身份证号="500103200804011230", 姓名="坏号"),  # GB 11643 check digit
        _row(w, 志愿1专业代码="9999"),  # not in the catalogue
        _row(w, 志愿1班级层次="预备技师（技师）班"),  # the school does not run it
        _row(w, 学校代码=w.school_b.code),  # another school's code
        _row(w, 招生年度=w.year + 5),  # no such season
        _row(w, 志愿2专业代码="0101"),  # a choice half filled
    ]
    result = _run(w, rows)
    assert not result.ok and result.created == 0
    assert not Application.objects.exists()
    by_row = {}
    for r, c, v, m in _errors(result):
        by_row.setdefault(r, []).append((c, v, m))
    assert 2 not in by_row
    (c, v, m), *_ = by_row[3]
    assert c == "身份证号" and v == "500103200804011230" and m
    assert by_row[4][0][:2] == ("志愿1专业代码", "9999")
    assert by_row[5][0][:2] == ("志愿1专业代码", "0101") and "未开设" in by_row[5][0][2]
    assert by_row[6][0][:2] == ("学校代码", w.school_b.code)
    assert by_row[7][0][:2] == ("招生年度", str(w.year + 5)) and "招生季" in by_row[7][0][2]
    assert {c for c, v, m in by_row[8]} == {"志愿2班级层次", "志愿2学习形式"}


def test_a_rule_of_the_act_lands_on_its_row(w):
    # too many choices of one major and track: the act refuses the duplicate
    result = _run(
        w,
        [
            _row(w),
            _row(
                w,
                姓名="重复志愿",
                志愿2专业代码="0101",
                志愿2班级层次="中级工班",
                志愿2学习形式="全日制",
            ),
        ],
    )
    assert not result.ok and not Application.objects.exists()
    assert {e.row for e in result.errors} == {3}


def test_the_export_imports_back_unchanged_and_nothing_is_doubled(w, tmp_path):
    online = sw.apply(w, w.line_mid, w.line_b, name="网上报")  # names school_b too
    assert _run(w, [_row(w)]).created == 1
    path = tmp_path / "apps.xlsx"
    client_rows = export(KIND, path, user=w.user_a)
    assert client_rows == 2
    data = path.read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [[c.value for c in r] for r in wb.worksheets[0].iter_rows()]
    flat = [v for r in cells for v in r]
    assert online.reference in flat
    assert w.school_b.code not in flat  # the other school's choice is not shown
    result = run_import(KIND, data, filename="apps.xlsx", user=w.user_a, mode="all")
    assert result.ok and result.unchanged == 2 and result.created == result.updated == 0
    assert Application.objects.count() == 2
    # a changed row is reported, not written
    row = next(r for r in cells[1:] if r[cells[0].index("报名号")] == online.reference)
    row[cells[0].index("联系电话")] = "13111111111"
    result = _run(w, None, data=xlsx([row], header=cells[0]))
    assert not result.ok
    assert online.reference in result.errors[0].message
    online.refresh_from_db()
    assert online.phone != "13111111111"


def test_another_schools_applicant_is_refused_without_revealing_it(w):
    theirs = sw.apply(w, w.line_b, name="别校生")
    result = _run(w, [_row(w, 身份证号=theirs.id_number, 姓名="别校生")])
    assert not result.ok and Application.objects.count() == 1
    text = " ".join(e.message for e in result.errors)
    assert theirs.reference not in text and "已有报名" in text


def test_the_operators_export_of_an_application_naming_two_schools_imports_back(w, tmp_path):
    """`jigong export` (every row, whole ID numbers) keeps one school a row: the first
    choice's; imported back by the operator nothing changes."""
    sw.apply(w, w.line_mid, w.line_b, name="两校报")
    path = tmp_path / "all.xlsx"
    assert export(KIND, path, user=None) == 1
    result = run_import(KIND, path.read_bytes(), filename="all.xlsx", user=None, mode="all")
    assert result.ok and result.unchanged == 1, _errors(result)
