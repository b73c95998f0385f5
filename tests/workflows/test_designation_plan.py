"""Issue 14, misreading 4: the 双优计划 numbers of （十四） — 15 所 and 40 个 — are over
the whole plan, not per round-year; a major designated at two class levels counts once;
the round page shows the total designated so far and what is left of each cap."""

import pytest
from django.core.exceptions import ValidationError

from jigong.schools.models import SchoolDesignation
from jigong.workflows import designations
from tests import factories as f
from tests.workflows.helpers_b import make_round

pytestmark = pytest.mark.django_db


def test_schools_count_over_every_round(world):
    schools = [f.school(district_code="500103", name=f"优质候选{i}") for i in range(16)]
    first = make_round(world, year=2023)
    for s in schools[:10]:
        designations.designate(actor=world.municipal, designation_round=first, school=s)
    later = make_round(world, year=2025)
    for s in schools[10:15]:
        designations.designate(actor=world.municipal, designation_round=later, school=s)
    with pytest.raises(ValidationError) as info:  # 10 + 5 = 15: the plan is full
        designations.designate(actor=world.municipal, designation_round=later, school=schools[15])
    msg = info.value.message_dict["kind"][0]
    assert "15" in msg and "（十四）" in msg
    assert SchoolDesignation.objects.filter(kind="quality_school").count() == 15
    # a school designated in an earlier round is not designated (nor counted) again
    with pytest.raises(ValidationError, match="2023年"):
        designations.designate(actor=world.municipal, designation_round=later, school=schools[0])


def test_a_major_at_two_levels_counts_once(world):
    major = f.major(code="9001", name="工业机器人应用与维护", levels=["intermediate", "advanced"])
    mid = f.school_major(world.school_a, major, level="intermediate")
    high = f.school_major(world.school_a, major, level="advanced")
    other = f.school_major(world.school_b, major, level="intermediate")
    r23 = make_round(world, year=2023, kind="quality_major")
    designations.designate(actor=world.municipal, designation_round=r23, school_major=mid)
    r25 = make_round(world, year=2025, kind="quality_major")
    designations.designate(actor=world.municipal, designation_round=r25, school_major=high)
    designations.designate(actor=world.municipal, designation_round=r25, school_major=other)
    info = designations.round_candidates(user=world.municipal, designation_round=r25)
    # 甲's major at two levels counts once; 丙's same major is another school's: 2 of 40
    assert (info["count"], info["cap"], info["remaining"]) == (2, 40, 38)
    assert info["round_count"] == 2


def test_round_page_shows_the_plan_total_and_what_is_left(client, world):
    s1, s2 = (f.school(district_code="500103", name=f"优质候选{i}") for i in range(2))
    designations.designate(
        actor=world.municipal, designation_round=make_round(world, year=2023), school=s1
    )
    r = make_round(world, year=2025)
    designations.designate(actor=world.municipal, designation_round=r, school=s2)
    client.force_login(world.municipal)
    text = client.get(f"/designation-rounds/{r.pk}/").content.decode()
    assert "计划累计已认定 2 / 15" in text and "尚余 13" in text
    assert "本批次认定 1" in text


def test_the_targets_table_counts_over_the_plan(world):
    from jigong.indicators import selectors as S

    schools = [f.school(district_code="500103", name=f"优质候选{i}") for i in range(3)]
    r23 = make_round(world, year=2023)
    for s in schools[:2]:
        designations.designate(actor=world.municipal, designation_round=r23, school=s)
    designations.designate(
        actor=world.municipal, designation_round=make_round(world, year=2025), school=schools[2]
    )
    major = f.major(code="9001", name="工业机器人应用与维护", levels=["intermediate", "advanced"])
    for year, level in ((2023, "intermediate"), (2025, "advanced")):
        sm = f.school_major(world.school_a, major, level=level)
        r = make_round(world, year=year, kind="quality_major")
        designations.designate(actor=world.municipal, designation_round=r, school_major=sm)
    rows = {t.indicator.code: t for t in S.targets_table(user=world.municipal, year=2025)}
    assert rows["quality_schools"].actual == 3  # 2 in 2023 + 1 in 2025, not the year's 1
    assert rows["quality_majors"].actual == 1  # one major of one school, at two levels
    assert [r.value for r in rows["quality_schools"].trend if r.key in (2023, 2024)] == [2, 2]
