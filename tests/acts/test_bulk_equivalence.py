"""The bulk doors check exactly what the act checks (issue 12): for generated 学籍 rows,
the act ``registration_create``, the bulk path ``registrations_bulk_create`` (large
imports) and an import row accept and refuse the same rows with the same messages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jigong.core.imports import run_import
from jigong.schools.models import School
from jigong.students import services
from jigong.students.models import Registration, Source, Track
from tests import factories as f
from tests.imports.conftest import as_rows, student_fields
from tests.imports.helpers import xlsx

pytestmark = pytest.mark.django_db

LEVELS = {"intermediate": "中级工班", "advanced": "高级工班", "technician": "预备技师（技师）班"}
TRACKS = {t.value: str(t.label) for t in Track}
SOURCES = {s.value: str(s.label) for s in Source}


class _Rollback(Exception):
    pass


def _trial(fn):
    try:
        with transaction.atomic():
            raise _Rollback(fn())
    except _Rollback as r:
        return r.args[0]


def _outcome(fn):
    def attempt():
        n = Registration.objects.count()
        try:
            fn()
        except (ValidationError, PermissionDenied) as exc:
            assert Registration.objects.count() == n
            return False, sorted(str(m) for m in getattr(exc, "messages", [str(exc)]))
        return True, []

    return _trial(attempt)


rows = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["operating", "suspended"]),
        "level": st.sampled_from(sorted(LEVELS)),
        "track": st.sampled_from(sorted(TRACKS)),
        "source": st.sampled_from(sorted(SOURCES)),
        "duration_months": st.sampled_from([6, 11, 12, 24, 36]),
        "enrolled_on": st.sampled_from(
            [
                datetime.date(2004, 9, 1),  # before the student's birth
                datetime.date(2022, 3, 2),  # before the policy's dates
                datetime.date(2023, 9, 1),
                datetime.date.today() + datetime.timedelta(days=30),  # in the future
            ]
        ),
        "existing_name": st.sampled_from([None, "同名", "异名"]),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=rows)
def test_bulk_and_import_refuse_exactly_what_the_act_refuses(world, case):
    school = world.school_a2  # 高级技工学校: 预备技师 is not its level
    if case["status"] != school.status:
        School.objects.filter(pk=school.pk).update(status=case["status"])  # set-up only
        school.refresh_from_db()
    number = f.id_number(birth=datetime.date(2006, 5, 1))
    name = "同名"
    if case["existing_name"] is not None:
        # the person is on file elsewhere (part-time there, so enrolling again is allowed)
        f.registration(
            world.school_b,
            id_number=number,
            name=case["existing_name"],
            track="part_time",
            source="enterprise_employee",
            duration_months=24,
        )
    kwargs = dict(
        school=school,
        major=world.reg_a2.major,
        level=case["level"],
        entry_point="junior",
        duration_months=case["duration_months"],
        track=case["track"],
        source=case["source"],
        enrolled_on=case["enrolled_on"],
        id_number=number,
        name=name,
        home_province="50",
    )
    actor = world.municipal
    by_act = _outcome(lambda: services.registration_create(actor=actor, **kwargs))
    by_bulk = _outcome(
        lambda: services.registrations_bulk_create(
            actor=actor, items=[dict(kwargs, cooperation=None)]
        )
    )
    assert by_bulk == by_act, case

    row = student_fields(school.code, id_number=number, name=name)
    row.update(
        {
            "班级层次": LEVELS[case["level"]],
            "学习形式": TRACKS[case["track"]],
            "生源类别": SOURCES[case["source"]],
            "学制（月）": case["duration_months"],
            "入学日期": case["enrolled_on"].isoformat(),
            "专业代码": world.reg_a2.major.code,
            "目录版本": world.reg_a2.major.edition.code,
        }
    )
    header, data = as_rows([row])

    def by_import():
        r = run_import("students", xlsx(data, header=header), filename="x.xlsx", user=actor)
        return r.ok, [str(e) for e in r.errors]

    ok, errors = _trial(by_import)
    assert ok == by_act[0], (case, by_act, errors)
    for message in by_act[1]:
        assert any(message in e for e in errors), (case, message, errors)
