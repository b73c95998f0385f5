"""Issue 12, case 3: a 非全日制 registration of an enterprise employee enrolled before
（十）'s one-year minimum took effect (2022-07-22). The rule does not apply to it: the
service registers and corrects it, and an import takes it in every mode (it once ended
in a ParameterNotInForce traceback)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from jigong.core.imports import run_import
from jigong.students import services
from jigong.students.models import Registration
from tests import factories as f
from tests.imports.conftest import as_rows, student_fields
from tests.imports.helpers import xlsx

BEFORE = datetime.date(2022, 3, 2)  # the demo world's intake date in the issue
AFTER = datetime.date(2022, 9, 1)


def _employee(world, *, enrolled_on=BEFORE, months=6):
    return f.registration(
        world.school_a,
        actor=world.user_a,
        track="part_time",
        source="enterprise_employee",
        entry_point="senior",
        duration_months=months,
        enrolled_on=enrolled_on,
        name="周师傅",
        id_number=f.id_number(birth=datetime.date(1990, 5, 6)),
    )


def test_service_registers_and_corrects_an_employee_enrolled_before_the_policy(world):
    reg = _employee(world)
    assert reg.track == "part_time" and reg.duration_months == 6
    services.registration_update(
        actor=world.user_a, registration=reg, duration_months=9, reason="学制录错"
    )
    services.registration_update(
        actor=world.user_a, registration=reg, name="周师傅改", reason="姓名录错"
    )
    reg.refresh_from_db()
    assert reg.duration_months == 9 and reg.person.name == "周师傅改"


def test_the_rule_still_applies_from_the_policy_date(world):
    with pytest.raises(ValidationError) as info:
        _employee(world, enrolled_on=AFTER)
    assert "应不少于12个月" in info.value.message_dict["duration_months"][0]
    assert _employee(world, enrolled_on=AFTER, months=12).duration_months == 12


def _row(world, **over):
    row = student_fields(
        world.school_a.code, id_number=f.id_number(birth=datetime.date(1990, 5, 6)), name="周师傅"
    )
    row.update(
        {
            "入学起点": "高中起点",
            "学习形式": "非全日制",
            "生源类别": "企业在岗职工",
            "入学日期": BEFORE.isoformat(),
            "学制（月）": 6,
        }
    )
    row.update(over)
    return row


@pytest.mark.parametrize("mode", ["validate", "all", "valid_only"])
def test_import_of_one_row_works_in_every_mode(world, mode):
    header, rows = as_rows([_row(world)])
    r = run_import(
        "students", xlsx(rows, header=header), filename="x.xlsx", user=world.user_a, mode=mode
    )
    assert r.ok and r.created == 1 and not r.errors, r.errors
    assert r.committed == (mode != "validate")
    assert Registration.objects.filter(enrolled_on=BEFORE).count() == (mode != "validate")


def test_reimport_of_an_existing_record_changes_nothing(world):
    reg = _employee(world)
    row = _row(world, **{"身份证号": reg.person.id_number})
    header, rows = as_rows([row])
    r = run_import("students", xlsx(rows, header=header), filename="x.xlsx", user=world.user_a)
    assert r.ok and r.unchanged == 1 and not r.errors, r.errors
