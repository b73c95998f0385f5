"""Student-aid applications from Excel (（二十一）, issue 14): a good file enters drafts
through the act, bad rows name row, column, value and rule and nothing is written,
another school's ids are refused, and the export (with the review's state) imports back
unchanged while a changed reviewed row is refused by the act."""

from decimal import Decimal

import pytest

from jigong.core.imports import run_import
from jigong.core.imports.exports import export
from jigong.workflows import aid, records
from jigong.workflows.models import AidApplication
from jigong.workflows.services import transition
from tests import factories as f
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

KIND = "aid_applications"
HEADER = [
    "学校代码",
    "资助项目",
    "项目年度",
    "身份证号",
    "入学日期",
    "申请金额（元）",
    "申请理由",
    "理由说明",
    "申请日期",
]


@pytest.fixture
def programme(world):
    for school in (world.school_a, world.school_b):
        records.aid_programme_create(
            actor=None,
            school=school,
            year=2025,
            name="国家助学金",
            kind="grant",
            funder="中央财政",
            amount_per_person=Decimal("2000"),
        )
    return world.school_a


def _row(world, reg=None, **kw):
    reg = reg or world.reg_a
    row = {
        "学校代码": reg.school.code,
        "资助项目": "国家助学金",
        "项目年度": 2025,
        "身份证号": reg.person.id_number,
        "入学日期": "",
        "申请金额（元）": 2000,
        "申请理由": "家庭经济困难",
        "理由说明": "",
        "申请日期": "2025-03-01",
    }
    row.update(kw)
    return [row[h] for h in HEADER]


def _run(world, rows, user=None, mode="all"):
    return run_import(
        KIND, xlsx(rows, header=HEADER), filename="x.xlsx", user=user or world.user_a, mode=mode
    )


def _errors(result) -> list[tuple]:
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


def test_a_good_file_enters_drafts_through_the_act(world, programme):
    other = f.registration(world.school_a, name="陈静", id_number=f.id_number(sex="F"))
    result = _run(world, [_row(world), _row(world, other, 申请理由="脱贫家庭（含防返贫监测对象）")])
    assert result.ok and result.created == 2, _errors(result)
    apps = AidApplication.objects.order_by("pk")
    assert [(a.state, a.grounds) for a in apps] == [
        ("draft", "hardship"),
        ("draft", "poverty_alleviated"),
    ]
    assert {a.school for a in apps} == {world.school_a}


def test_bad_rows_name_row_column_value_and_rule_and_nothing_is_written(world, programme):
    regs = [
        f.registration(world.school_a, name=f"学生{i}", id_number=f.id_number()) for i in range(4)
    ]
    rows = [
        _row(world),
        _row(world, regs[0], **{"申请金额（元）": 2500}),
        _row(world, regs[1], 资助项目="不存在的项目"),
        _row(world, regs[2], 申请理由="其他"),
        _row(world, regs[3], 申请日期="2024-08-01", 项目年度=2025),
    ]
    result = _run(world, rows)
    assert not result.ok and result.created == 0
    assert not AidApplication.objects.exists()
    errors = _errors(result)
    by_row = {r: (c, v, m) for r, c, v, m in errors}
    assert by_row[3][0] == "申请金额（元）" and "2500" in by_row[3][1] + by_row[3][2]
    assert "资助标准" in by_row[3][2]
    assert by_row[4][:2] == ("资助项目", "不存在的项目") and "2025" in by_row[4][2]
    assert by_row[5][0] == "理由说明" and "其他" in by_row[5][2]
    row6 = {c: m for r, c, v, m in errors if r == 6}
    assert "2024-08-01" in row6["申请日期"] and "2025年" in row6["申请日期"]
    assert "在籍" in row6["身份证号"]  # enrolled 2024-09-01


def test_hostile_ids_of_another_school_are_refused(world, programme):
    # school_a's account names school_b's code, and school_b's student under its own code
    result = _run(
        world, [_row(world, world.reg_b), _row(world, 身份证号=world.reg_b.person.id_number)]
    )
    assert not result.ok and not AidApplication.objects.exists()
    columns = {(e.row, e.column) for e in result.errors}
    assert (2, "学校代码") in columns and (3, "身份证号") in columns
    assert "赵强" not in " ".join(str(e) for e in result.errors)  # nothing of the other school
    # a bureau may not enter applications at all
    result = _run(world, [_row(world)], user=world.district_a)
    assert not result.ok and not AidApplication.objects.exists()


def test_the_export_imports_back_and_a_changed_reviewed_row_is_refused(world, programme, tmp_path):
    _run(world, [_row(world)])
    app = AidApplication.objects.get()
    aid.applications_submit(actor=world.user_a, programme=app.programme)
    transition(actor=world.district_a, item=app, action="approve", values={"amount_approved": 1500})
    path = tmp_path / "aid.xlsx"
    export(KIND, path, user=None)
    data = path.read_bytes()
    result = run_import(KIND, data, filename="aid.xlsx", user=world.user_a, mode="all")
    assert result.ok and result.unchanged == 1 and result.created == result.updated == 0
    changed = _row(world, **{"申请金额（元）": 1000})
    result = _run(world, [changed])
    assert not result.ok
    (error,) = result.errors
    assert "已核准待发放" in error.message and "草稿或已退回" in error.message
    app.refresh_from_db()
    assert app.amount_requested == Decimal("2000")
