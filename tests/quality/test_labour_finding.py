"""Issue 14, misreading 5: a school year's 专题教育 hours short of （五）'s 16 学时 show
as a finding on the school's evaluation (the hours are recorded, not refused)."""

from decimal import Decimal

import pytest

from jigong.quality import services as quality
from jigong.quality.models import QualityScore
from jigong.workflows import records

pytestmark = pytest.mark.django_db


def test_the_evaluation_shows_the_finding(client, qworld):
    year = 2024
    records.curriculum_set(
        actor=qworld.user_a,
        school=qworld.school_a,
        year=year,
        labour_spirit_hours=Decimal("12"),
        labour_course=True,
    )
    quality.scores_compute(actor=qworld.municipal, year=year)
    score = QualityScore.objects.get(school=qworld.school_a, year=year)
    client.force_login(qworld.user_a)
    text = client.get(f"/quality/scores/{score.pk}/").content.decode()
    assert "发现的问题" in text
    assert "12学时，少于每学年16学时，差4学时（（五））" in text
