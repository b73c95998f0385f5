"""Reads of the quality app. Staff reads start from ``restrict(user, action)``; the
public reads published reports only (``public_report_*``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from jigong.core.models import Role
from jigong.core.permissions import restrict
from jigong.policy import parameters as P
from jigong.policy import rules
from jigong.quality.evaluation import MEASURE_LABELS, evaluation_date
from jigong.quality.models import (
    AnnualReport,
    Dimension,
    Finding,
    FindingState,
    QualityReview,
    QualityScore,
    ReportStatus,
)

BINS = 10  # histogram bins of 10 points each


def dimension_rows(year: int) -> list[dict]:
    """The four dimensions with their weight (in force at the end of ``year``), their
    sub-measures and the parameter citation."""
    on = evaluation_date(year)
    weights = rules.quality_weights(on)
    benchmarks = P.get("quality.benchmarks", on)
    rows = []
    for d in Dimension.values:
        measures = [
            f"{MEASURE_LABELS[m]}（{_('满分基准')} {benchmarks[m]}）"
            for m, dim in rules.QUALITY_MEASURES.items()
            if dim == d
        ]
        c = P.cite(f"quality.weight.{d}", on)
        rows.append(
            {
                "code": d,
                "label": str(Dimension(d).label),
                "weight": weights[d],
                "measures": "；".join(measures),
                "clause": c.clause,
                "note": c.note,
            }
        )
    return rows


def _(s):  # gettext at call time (module imported before translations load)
    from django.utils.translation import gettext

    return gettext(s)


def score_years(*, user) -> list[int]:
    return sorted(
        set(restrict(user, QualityScore, "view").values_list("year", flat=True)), reverse=True
    )


def ranking(*, user, year: int) -> list[QualityScore]:
    """Stored scores of ``year`` in the user's scope, best first; 无数据 last. A school
    user gets its own row only (its rank is a position, no other school is named)."""
    return list(
        restrict(user, QualityScore, "view")
        .filter(year=year)
        .select_related("school__district")
        .order_by(F("rank").asc(nulls_last=True), "school__code")
    )


def distribution(*, user, year: int) -> list[dict]:
    """Histogram of totals in the user's scope: [{"label": "60–70", "count": n}] plus a
    无数据 bucket. A school user gets no distribution (it would describe other schools)."""
    if user.role == Role.SCHOOL and not user.is_superuser:
        return []
    totals = list(
        restrict(user, QualityScore, "view").filter(year=year).values_list("total", flat=True)
    )
    counts = [0] * BINS
    missing = 0
    for t in totals:
        if t is None:
            missing += 1
            continue
        counts[min(int(Decimal(t) // 10), BINS - 1)] += 1
    rows = [{"label": f"{i * 10}–{i * 10 + 10}", "count": n} for i, n in enumerate(counts)]
    rows.append({"label": _("无数据"), "count": missing})
    return rows


def score_get(*, user, pk) -> QualityScore:
    return restrict(user, QualityScore, "view").select_related("school__district").get(pk=pk)


def reviews(*, user, year: int | None = None):
    qs = restrict(user, QualityReview, "view").select_related("school", "reviewed_by")
    return qs.filter(year=year) if year else qs


# --- supervision --------------------------------------------------------------------


def finding_list(*, user, filters=None):
    qs = restrict(user, Finding, "view").select_related("school__district")
    filters = filters or {}
    state = filters.get("state")
    if state in FindingState.values:
        qs = qs.filter(state=state)
    if filters.get("overdue"):
        qs = qs.exclude(state=FindingState.CLOSED).filter(deadline__lt=timezone.localdate())
    school = filters.get("school")
    if school:
        qs = qs.filter(school__code=school)
    return qs.order_by("state", "deadline", "id")


def finding_get(*, user, pk, action="view") -> Finding:
    return restrict(user, Finding, action).select_related("school__district").get(pk=pk)


def overdue_findings(*, user, limit: int = 20) -> list[Finding]:
    """Findings past their deadline and not closed, for whoever must act: the school
    (open: state its measures) or the bureaus (rectifying: check and close)."""
    if user is None or not user.is_authenticated:
        return []
    qs = (
        restrict(user, Finding, "change")
        .exclude(state=FindingState.CLOSED)
        .filter(deadline__lt=timezone.localdate())
    )
    if user.role == Role.SCHOOL and not user.is_superuser:
        qs = qs.filter(state=FindingState.OPEN)
    return list(qs.select_related("school").order_by("deadline", "id")[:limit])


# --- reports ------------------------------------------------------------------------


def report_list(*, user):
    return restrict(user, AnnualReport, "view").select_related("school", "published_by")


def report_get(*, user, pk) -> AnnualReport:
    return report_list(user=user).get(pk=pk)


def public_report_list():
    """Published reports, newest year first (anonymous)."""
    return (
        AnnualReport.objects.filter(status=ReportStatus.PUBLISHED)
        .select_related("school")
        .order_by("-year", F("school__code").asc(nulls_first=True), "-published_at")
    )


def public_report_get(*, pk) -> AnnualReport:
    return public_report_list().get(pk=pk)
