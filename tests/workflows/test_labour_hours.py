"""Issue 14, misreading 5: （五） 16 学时 a school year is a standard to report against,
not a refusal. A school records the hours it really gave (12 学时 is accepted); the
shortfall shows on the district's list (and on its evaluation:
tests/quality/test_labour_finding.py)."""

from decimal import Decimal

import pytest

from jigong.workflows import records
from jigong.workflows.models import CurriculumRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_hours(world):
    return records.curriculum_set(
        actor=world.user_a,
        school=world.school_a,
        year=2024,
        labour_spirit_hours=Decimal("12"),
        labour_course=True,
    )


def test_the_hours_really_given_are_recorded(world, twelve_hours):
    row = CurriculumRecord.objects.get(school=world.school_a, year=2024)
    assert row.labour_spirit_hours == Decimal("12")


def test_the_district_list_shows_the_shortfall(client, world, twelve_hours):
    records.curriculum_set(
        actor=world.district_a,
        school=world.school_a2,
        year=2024,
        labour_spirit_hours=Decimal("16"),
    )
    client.force_login(world.district_a)
    text = client.get("/curriculum-records/?year=2024").content.decode()
    assert "12学时，少于每学年16学时，差4学时（（五））" in text
    assert text.count("少于每学年16学时") == 1  # 乙 gave 16: no finding
