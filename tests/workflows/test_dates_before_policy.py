"""Dates before the policy (issue 12) in the workflow records: the rules decide, the
user reads a Chinese message naming when the rule began, never a parameter error."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jigong.workflows import records
from jigong.workflows.models import CurriculumRecord, PaySupplementCalc


def test_supplement_for_a_year_before_the_policy_is_refused_on_the_year(world):
    with pytest.raises(ValidationError) as info:
        records.supplement_calculate(
            actor=world.user_a,
            school=world.school_a,
            year=2021,
            rate=Decimal("0.10"),
            excellent=False,
        )
    (msg,) = info.value.message_dict["year"]
    assert "自2022-07-22起施行（依据（七））" in msg and "2021-12-31不适用" in msg
    assert "政策参数" not in msg and PaySupplementCalc.objects.count() == 0


def test_curriculum_of_a_school_year_before_the_policy_has_no_minimum(world):
    row = records.curriculum_set(
        actor=world.user_a, school=world.school_a, year=2021, labour_spirit_hours=8
    )
    assert row.labour_spirit_hours == 8 and records.curriculum_finding(row) is None
    row = records.curriculum_set(
        actor=world.user_a, school=world.school_a, year=2022, labour_spirit_hours=8
    )  # recorded; from the 2022 school year the shortfall is a finding (（五））
    assert "差8学时" in records.curriculum_finding(row)
    assert CurriculumRecord.objects.count() == 2


def test_skill_post_announced_before_the_policy_is_not_held_to_the_minimum(world):
    kw = dict(
        actor=world.user_a,
        school=world.school_a,
        post="数控车工实习指导教师",
        skill_post=True,
        practical_weight="0.3",
        positions=1,
    )
    assert records.hiring_create(**kw, announced_on=datetime.date(2021, 5, 1)).pk
    with pytest.raises(ValidationError) as info:
        records.hiring_create(**kw, announced_on=datetime.date(2022, 7, 22))
    assert "50%" in info.value.message_dict["practical_weight"][0]
