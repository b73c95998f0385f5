"""The 学籍 import holds cross-province rows (（九）) to the approved quota as the act
does, counting the registrations on file and the rows of the same file before it."""

from tests.students.test_cross_province_quota import _approve_quota, _cross, _enrol

from .test_students import imp


def test_import_refuses_the_row_that_exceeds_the_quota(world, student_row):
    _approve_quota(world.school_a, quota=2)
    rows = [student_row(name=f"李云{i}", 生源省份="云南省") for i in range(3)]
    rows.insert(1, student_row(name="陈渝"))  # a Chongqing row does not count
    r = imp(rows, world.user_a)
    assert not r.committed and r.refused == 1
    (e,) = r.errors
    assert e.row == 5 and e.column == "生源省份" and e.value == "云南省"
    assert "跨省招生计划已满：2025年云南省核定2人，已招2人" in e.message
    assert _cross(world.school_a) == 0
    ok = imp(rows[:3], world.user_a)
    assert ok.committed and ok.created == 3 and _cross(world.school_a) == 2


def test_import_counts_registrations_on_file(world, student_row):
    _approve_quota(world.school_a, quota=1)
    _enrol(world)
    r = imp([student_row(name="李云", 生源省份="云南省")], world.user_a)
    assert not r.committed
    assert "已招1人" in r.errors[0].message and r.errors[0].column == "生源省份"


def test_validation_only_reports_the_rows_beyond_the_quota(world, student_row, monkeypatch):
    """仅校验 writes nothing and still names each row beyond the quota, counting the rows
    before it in the file; a large file (the bulk path) then writes the rows within it."""
    from jigong.students import services
    from jigong.students.imports import RegistrationImport

    monkeypatch.setattr(RegistrationImport, "bulk_threshold", 1)
    one_by_one = []  # the bulk write refused falls back to the act row by row (slow)
    act = services.registration_create
    monkeypatch.setattr(
        services, "registration_create", lambda **kw: one_by_one.append(1) or act(**kw)
    )
    _approve_quota(world.school_a, quota=1)
    rows = [student_row(name=f"李云{i}", 生源省份="云南省") for i in range(3)]
    for mode in ("validate", "valid_only"):
        r = imp(rows, world.user_a, mode=mode)
        assert [(e.row, e.column, e.value) for e in r.errors] == [
            (3, "生源省份", "云南省"),
            (4, "生源省份", "云南省"),
        ], mode
        assert "核定1人，已招1人" in r.errors[1].message
    assert r.created == 1 and _cross(world.school_a) == 1 and not one_by_one
