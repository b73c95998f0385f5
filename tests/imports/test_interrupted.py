"""An import that fails midway: a service raising on row N, or the database connection
failing under it (injected by patching our service, not the database)."""

import datetime

import pytest
from django.db import OperationalError

from jigong.core import pii
from jigong.core.imports import error_report, run_import
from jigong.students import services
from jigong.students.models import Person, Registration
from tests import factories as f

from .conftest import as_rows
from .helpers import xlsx
from .test_bad_input import table_counts


def failing_on(n: int, real, exc: Exception):
    """``real``, except that its n-th call (1-based) raises ``exc`` after writing."""
    calls = {"n": 0}

    def service(**kw):
        calls["n"] += 1
        result = real(**kw)  # the row is half-written when the failure comes
        if calls["n"] == n:
            raise exc
        return result

    return service


def rows_file(student_row, n: int) -> tuple[bytes, list[str]]:
    # one birth date each (2006), so no two people — nor anyone in ``world`` — collide
    ids = [
        f.id_number(birth=datetime.date(2006, 1, 1) + datetime.timedelta(days=k)) for k in range(n)
    ]
    header, rows = as_rows([student_row(id_number=i, name=f"学生{k}") for k, i in enumerate(ids)])
    return xlsx(rows, header=header), ids


LOST = OperationalError("server closed the connection unexpectedly")


def test_all_or_nothing_leaves_nothing(world, student_row, monkeypatch, exc=LOST):
    content, _ids = rows_file(student_row, 5)
    monkeypatch.setattr(
        services, "registration_create", failing_on(3, services.registration_create, exc)
    )
    before = table_counts()
    result = run_import("students", content, filename="x.xlsx", user=world.user_a, mode="all")
    assert not result.committed and result.created == 0
    assert table_counts() == before
    (error,) = result.errors
    assert error.row == 4 and "写入数据库时出错" in error.message and "未写入" in result.summary()


def test_valid_only_keeps_exactly_the_committed_rows(world, student_row, monkeypatch, exc=LOST):
    content, ids = rows_file(student_row, 5)
    monkeypatch.setattr(
        services, "registration_create", failing_on(3, services.registration_create, exc)
    )
    people = Person.objects.count()
    result = run_import(
        "students", content, filename="x.xlsx", user=world.user_a, mode="valid_only"
    )
    assert result.committed and result.created == 4 and result.refused == 1
    written = set(
        pii.values_list(
            Registration.objects.filter(person__id_number_hmac__in=map(pii.digest, ids)),
            "person__id_number",
            flat=True,
        )
    )
    assert written == {ids[0], ids[1], ids[3], ids[4]}  # not the third, not half of it
    assert Person.objects.count() == people + 4
    report = error_report(result)
    assert report[:2] == b"PK"  # the refused row comes back with its reason
    # Fix nothing, import again without the failure: the missing row completes it.
    monkeypatch.undo()
    again = run_import("students", content, filename="x.xlsx", user=world.user_a)
    assert again.ok and again.created == 1 and again.unchanged == 4


def test_unexpected_crash_rolls_everything_back(world, student_row, monkeypatch):
    """Not a database error: the exception propagates (a bug must be seen), and the
    transaction leaves nothing behind, in either writing mode."""
    content, _ids = rows_file(student_row, 5)
    for mode in ("all", "valid_only"):
        monkeypatch.setattr(
            services,
            "registration_create",
            failing_on(3, services.registration_create, RuntimeError("worker killed")),
        )
        before = table_counts()
        with pytest.raises(RuntimeError):
            run_import("students", content, filename="x.xlsx", user=world.user_a, mode=mode)
        assert table_counts() == before


@pytest.mark.parametrize("mode", ["all", "valid_only"])
def test_bulk_insert_failing_midway(world, student_row, monkeypatch, mode):
    """Large files insert new rows in bulk; a failure inside the bulk insert rolls the
    bulk back, then the rows are written one by one so each gets its own outcome."""
    content, ids = rows_file(student_row, 210)
    real_bulk = services.registrations_bulk_create

    def bulk(**kw):
        real_bulk(**kw)
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "registrations_bulk_create", bulk)
    monkeypatch.setattr(
        services,
        "registration_create",
        failing_on(7, services.registration_create, OperationalError("database is locked")),
    )
    before = table_counts()
    result = run_import("students", content, filename="x.xlsx", user=world.user_a, mode=mode)
    assert result.refused == 1 and result.errors[0].row == 8, [str(e) for e in result.errors[:3]]
    if mode == "all":
        assert not result.committed and table_counts() == before
    else:
        assert result.committed and result.created == 209
        assert (
            Registration.objects.filter(person__id_number_hmac__in=map(pii.digest, ids)).count()
            == 209
        )
