"""A school's decisions from Excel (issue 16, slice E3): each changed row through the acts
admission.admit / waitlist / refuse with their messages on the row, all or nothing;
another school's choice is out of reach; the export imports back unchanged."""

import pytest

from jigong.admissions.models import Choice, ChoiceState
from jigong.core.imports import run_import
from jigong.core.imports.exports import export
from tests.admissions import staff_world as sw
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

KIND = "admission_decisions"
HEADER = ["报名号", "志愿序号", "录取决定", "原因"]


@pytest.fixture
def w(world):
    return sw.build(world, quota=2)


def _run(w, rows, user=None, data=None):
    data = data or xlsx(rows, header=HEADER)
    return run_import(KIND, data, filename="决定.xlsx", user=user or w.user_a, mode="all")


def _errors(result):
    return [(e.row, e.column, e.value, e.message) for e in result.errors]


def test_decisions_go_through_the_acts_and_the_full_line_refuses_the_whole_file(w):
    apps = [sw.apply(w, name=n) for n in ("甲", "乙", "丙", "丁")]
    rows = [
        [apps[0].reference, 1, "已录取", ""],
        [apps[1].reference, 1, "候补", ""],
        [apps[2].reference, 1, "未录取", "名额已满"],
        [apps[3].reference, 1, "已录取", ""],
    ]
    result = _run(w, rows)
    assert result.ok and result.updated == 4, _errors(result)
    states = [a.choices.get().state for a in apps]
    assert states == ["admitted", "waitlisted", "refused", "admitted"]
    # the line (2 places) is full: admitting the wait-listed one is refused, nothing written
    more = sw.apply(w, name="戊")
    result = _run(w, [[more.reference, 1, "候补", ""], [apps[1].reference, 1, "已录取", ""]])
    assert not result.ok
    ((row, column, value, message),) = _errors(result)
    assert (row, column, value) == (3, "录取决定", "已录取") and message
    assert more.choices.get().state == ChoiceState.SUBMITTED  # rolled back with the file


def test_a_refusal_needs_a_reason_and_confirmation_is_not_by_file(w):
    a, b = sw.apply(w, name="无因"), sw.apply(w, name="想确认")
    result = _run(w, [[a.reference, 1, "未录取", ""], [b.reference, 1, "已确认", ""]])
    assert not result.ok
    rows = {r for r, *_ in _errors(result)}
    assert rows == {2, 3}
    assert any("确认由报名人办理" in m for r, c, v, m in _errors(result) if r == 3)
    assert not Choice.objects.exclude(state=ChoiceState.SUBMITTED).exists()


def test_another_schools_choice_is_out_of_reach(w):
    theirs = sw.apply(w, w.line_b, name="别校")
    result = _run(w, [[theirs.reference, 1, "已录取", ""]])
    assert not result.ok
    ((_row, column, _value, message),) = _errors(result)
    assert column == "报名号" and "范围" in message
    assert theirs.choices.get().state == ChoiceState.SUBMITTED


def test_the_export_imports_back_unchanged(w, tmp_path):
    a = sw.apply(w, w.line_mid, w.line_adv, name="导出")
    _run(w, [[a.reference, 1, "已录取", ""], [a.reference, 2, "未录取", "改报"]])
    path = tmp_path / "d.xlsx"
    assert export(KIND, path, user=w.user_a) == 2
    result = run_import(KIND, path.read_bytes(), filename="d.xlsx", user=w.user_a, mode="all")
    assert result.ok and result.unchanged == 2 and result.updated == 0, _errors(result)
