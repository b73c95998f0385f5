"""Feeds the 双优计划 ranking (jigong.workflows.designations) with the quality
evaluation: ``JIGONG_CANDIDATE_SCORES = "jigong.quality.candidates.candidate_scores"``.

优质院校: operating schools ranked by their stored QualityScore total of the year
(schools without a total are not candidates). Until the bureau has computed the year's
scores, and for 优质专业 (the evaluation is per school, not per major), the interim
score is used unchanged."""

from django.utils.translation import gettext as _


def candidate_scores(year: int, kind: str) -> list:
    from jigong.quality.models import QualityScore
    from jigong.schools.models import SchoolStatus
    from jigong.workflows.designations import Candidate, interim_candidate_scores

    if kind != "quality_school":
        return interim_candidate_scores(year, kind)
    rows = QualityScore.objects.filter(
        year=year, total__isnull=False, school__status=SchoolStatus.OPERATING
    ).select_related("school")
    if not rows.exists():
        return interim_candidate_scores(year, kind)
    source = _("质量评价综合得分（（二十四））")
    return [
        Candidate(
            key=s.school_id,
            school_id=s.school_id,
            score=s.total,
            parts={**s.dimension_scores(), "rank": s.rank},
            source=source,
        )
        for s in rows
    ]
