"""The quality evaluation can feed the 双优 candidate ranking (JIGONG_CANDIDATE_SCORES)."""

from decimal import Decimal

import pytest

from jigong.quality import services
from jigong.workflows.designations import candidate_scores

pytestmark = pytest.mark.django_db


def test_candidates_from_quality_scores(qworld, settings):
    settings.JIGONG_CANDIDATE_SCORES = "jigong.quality.candidates.candidate_scores"
    interim = candidate_scores(2024, "quality_school")  # no stored scores yet: interim
    assert interim and "临时" in interim[0].source
    services.scores_compute(actor=qworld.municipal, year=2024)
    ranked = candidate_scores(2024, "quality_school")
    assert ranked[0].key == qworld.school_a.pk
    assert ranked[0].score == Decimal("81.94") and "质量评价" in ranked[0].source
    assert all("临时" in c.source for c in candidate_scores(2024, "quality_major"))
