"""The 学籍异动 import goes through the same acts as the page (issue 19 point 2, issue 12):
a 转出 row without a receiving school or a reason is a row error with the act's message,
a 毕业 row is refused naming the graduation act, and a 转入 row accepts the pending 转学."""

import datetime

import pytest

from jigong.core.imports import run_import
from jigong.students.models import Registration, StatusChange
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _row(reg, status, counterpart="", reason="家庭迁居", school=None):
    return {
        "身份证号": reg.person.id_number,
        "学校代码": (school or reg.school).code,
        "变更为": status,
        "变更日期": TODAY,
        "原因": reason,
        "转入/转出学校代码": counterpart,
    }


def _run(user, *rows):
    header = list(rows[0])
    data = xlsx([[r[h] for h in header] for r in rows], header=header)
    return run_import("status_changes", data, filename="x.xlsx", user=user, mode="all")


def _errors(result) -> list[tuple[str, str]]:
    return [(e.column, e.message) for e in result.errors]


def test_a_transfer_out_row_needs_the_school_and_a_reason(world):
    r = _run(world.user_a, _row(world.reg_a, "转出"))
    assert ("转入/转出学校代码", "转入学校：转出须从学校名录中选择转入学校") in _errors(r)
    r = _run(world.user_a, _row(world.reg_a, "转出", world.school_a2.code, reason=""))
    assert ("原因", "办理“转学（转出）”须填写原因") in _errors(r)
    assert not StatusChange.objects.exists()
    assert not world.reg_a.transfers_out.exists()


def test_a_graduation_row_is_refused_naming_the_graduation_act(world):
    r = _run(world.user_a, _row(world.reg_a, "毕业"))
    assert not r.ok
    assert any("毕业（结业）发证" in m for _c, m in _errors(r))
    world.reg_a.refresh_from_db()
    assert world.reg_a.status == "enrolled"


def test_transfer_out_then_in_by_rows(world):
    """The sending school's 转出 row asks; the receiving side's 转入 row accepts (across
    districts: the city), creating the 转入 registration."""
    r = _run(world.user_a, _row(world.reg_a, "转出", world.school_b.code))
    assert r.ok and r.created == 1, _errors(r)
    came = _row(world.reg_a, "转入", world.school_a.code, school=world.school_b)
    r = _run(world.user_b, came)  # across districts the school does not accept
    assert not r.ok and any("区县人社局" in m for _c, m in _errors(r))
    r = _run(world.municipal, came)
    assert r.ok and r.created == 1, _errors(r)
    new = Registration.objects.get(person=world.reg_a.person, school=world.school_b)
    assert new.status == "transferred_in" and new.enrolled_on == world.reg_a.enrolled_on
    r = _run(world.municipal, came)  # the same file again: nothing changes
    assert r.ok and r.created == 0 and r.unchanged == 1, _errors(r)


def test_a_transfer_in_row_without_a_pending_case_is_refused(world):
    r = _run(world.municipal, _row(world.reg_a, "转入", world.school_a.code, school=world.school_b))
    assert any("待接收转学申请" in m for _c, m in _errors(r))
