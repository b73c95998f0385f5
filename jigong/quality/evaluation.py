"""The quality evaluation of （二十四）: sub-measures from platform data, normalised
against benchmarks, averaged per dimension and weighted into a total.

For school S and year Y (all reads start from ``restrict(user, "view")``):

    职业道德  curriculum_compliance  share of the 5 checks met by S's CurriculumRecord of
                                     Y (labour course, 专题教育 hours ≥ the minimum of
                                     （五）, the three unified textbooks); no record → 无数据.
                                     The platform has no conduct/discipline data: the
                                     bureau enters a reviewed score (QualityReview).
    技能水平  certificate_rate       indicator graduate_skill_certificate_rate
              technician_share       indicator technician_certificate_share (技师学院 only)
    就业质量  employment_rate        indicator employment_rate
              in_field_rate          outcomes 就业 with 专业对口 ÷ outcomes 就业, of Y
    校企合作  agreements_per_100     indicator cooperation_agreements ÷ students_in_school × 100
              order_class_share      order_named_class_students ÷ students_in_school
              part_time_teacher_share  indicator part_time_teacher_share

Normalisation: each measure scores ``100 × min(value ÷ benchmark, 1)`` (benchmarks:
parameter ``quality.benchmarks``; ``rules.quality_measure_score``). It is absolute, so a
school's score does not move when another school's data change, and a stored score can
be recomputed exactly. A dimension is the mean of its measures that have data; a
reviewed score replaces it. The total is ``rules.quality_total``: weights
``quality.weight.*`` re-normalised over the dimensions with data, so 无数据 is left out,
never counted as 0. Schools are ranked by total (ties share a rank: 1, 2, 2, 4).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from jigong.core.permissions import restrict
from jigong.policy import parameters as P
from jigong.policy import rules

MEASURE_LABELS = {
    "curriculum_compliance": "劳动教育与思政课程达标率",
    "certificate_rate": "毕业生当年取证率",
    "technician_share": "技师学院毕业生取得技师证书比例",
    "employment_rate": "毕业生就业率",
    "in_field_rate": "就业专业对口率",
    "agreements_per_100": "每百名在校生校企合作协议数",
    "order_class_share": "订单班、冠名班学生占在校生比例",
    "part_time_teacher_share": "企业兼职教师占比",
}
RATIO_MEASURES = frozenset(MEASURE_LABELS) - {"agreements_per_100"}
CURRICULUM_CHECKS = 5
TWO = Decimal("0.01")


@dataclass
class Evaluation:
    school_id: int
    code: str
    name: str
    tier: str
    district: str
    group: str
    dimensions: dict  # dimension → Decimal | None
    total: Decimal | None
    inputs: dict
    rank: int | None = None
    ranked: int = 0
    reviewed: dict = field(default_factory=dict)  # dimension → QualityReview


def evaluation_date(year: int) -> datetime.date:
    """Parameters in force at the end of the year (or the first ones, before 2022)."""
    on = datetime.date(year, 12, 31)
    first = P.history("quality.weight.skill_level")[0].start
    return max(on, first)


def _by_school(code: str, *, user, year: int) -> dict:
    from jigong.indicators.selectors import compute

    return {r.key: r for r in compute(code, user=user, year=year, by="school")}


def _fraction(n, d):
    if not d:
        return None
    return Decimal(str(n)) / Decimal(str(d))


def raw_measures(*, user, year: int, schools: list[dict]) -> dict[int, dict]:
    """{school id: {measure: {"value", "numerator", "denominator"}}} for ``year``."""
    from jigong.employment.models import EmploymentOutcome, EmploymentStatus
    from jigong.workflows.models import CurriculumRecord

    ind = {
        code: _by_school(code, user=user, year=year)
        for code in (
            "graduate_skill_certificate_rate",
            "technician_certificate_share",
            "employment_rate",
            "cooperation_agreements",
            "order_named_class_students",
            "students_in_school",
            "part_time_teacher_share",
        )
    }
    in_field = {
        r["school_id"]: r
        for r in restrict(user, EmploymentOutcome, "view")
        .filter(graduation_year=year, status=EmploymentStatus.EMPLOYED)
        .values("school_id")
        .annotate(n=Count("id"), f=Count("id", filter=Q(in_field=True)))
        .order_by()
    }
    # evaluation_date() is never before the policy: earlier years take its first figures
    hours_min = Decimal(str(P.get("education.labour_spirit_hours_min", evaluation_date(year))))
    curriculum = {
        c.school_id: c
        for c in restrict(user, CurriculumRecord, "view").filter(
            year=year, school_id__in=[s["id"] for s in schools]
        )
    }

    def rate(code, s):
        r = ind[code].get(s["code"])
        if r is None or r.value is None:
            return {"value": None, "numerator": getattr(r, "numerator", None), "denominator": 0}
        return {"value": r.value, "numerator": r.numerator, "denominator": r.denominator}

    out = {}
    for s in schools:
        students = ind["students_in_school"].get(s["code"])
        n_students = students.value if students is not None else None
        agreements = ind["cooperation_agreements"].get(s["code"])
        n_agreements = agreements.value if agreements is not None else None
        order = ind["order_named_class_students"].get(s["code"])
        n_order = order.value if order is not None else None
        f = in_field.get(s["id"])
        c = curriculum.get(s["id"])
        checks = None
        if c is not None:
            checks = sum(
                [
                    bool(c.labour_course),
                    c.labour_spirit_hours >= hours_min,
                    bool(c.ideology_textbook),
                    bool(c.chinese_textbook),
                    bool(c.history_textbook),
                ]
            )
        per_100 = (
            _fraction((n_agreements or 0) * 100, n_students)
            if n_agreements is not None and n_students
            else None
        )
        finding = (
            rules.labour_hours_finding(c.labour_spirit_hours, datetime.date(year, 9, 1))
            if c is not None
            else None
        )
        out[s["id"]] = {
            "curriculum_compliance": {
                "value": _fraction(checks, CURRICULUM_CHECKS) if checks is not None else None,
                "numerator": checks,
                "denominator": CURRICULUM_CHECKS if checks is not None else 0,
                "findings": [finding] if finding else [],
            },
            "certificate_rate": rate("graduate_skill_certificate_rate", s),
            "technician_share": rate("technician_certificate_share", s),
            "employment_rate": rate("employment_rate", s),
            "in_field_rate": {
                "value": _fraction(f["f"], f["n"]) if f else None,
                "numerator": f["f"] if f else 0,
                "denominator": f["n"] if f else 0,
            },
            "agreements_per_100": {
                "value": per_100,
                "numerator": n_agreements,
                "denominator": n_students or 0,
            },
            "order_class_share": {
                "value": _fraction(n_order, n_students)
                if n_order is not None and n_students
                else None,
                "numerator": n_order,
                "denominator": n_students or 0,
            },
            "part_time_teacher_share": rate("part_time_teacher_share", s),
        }
    return out


def _json_number(x):
    """Numbers as plain decimal strings in the stored inputs (JSON has no Decimal)."""
    if isinstance(x, float):
        x = Decimal(str(x))
    if isinstance(x, Decimal):
        q = x.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()
        return format(q, "f")
    return x


def score_school(
    measures: dict, reviews: dict, on: datetime.date
) -> tuple[dict, Decimal | None, dict]:
    """(dimension scores, total, inputs) from raw measures and reviewed scores."""
    scored = {}
    for code, m in measures.items():
        value = m["value"]
        score = rules.quality_measure_score(
            code, None if value is None else Decimal(str(value)), on
        )
        scored[code] = {**{k: _json_number(v) for k, v in m.items()}, "score": _json_number(score)}
    dims: dict = {}
    for dim in rules.QUALITY_DIMENSIONS:
        review = reviews.get(dim)
        if review is not None:
            dims[dim] = Decimal(review.score).quantize(TWO)
            continue
        scores = [
            Decimal(scored[c]["score"])
            for c, d in rules.QUALITY_MEASURES.items()
            if d == dim and scored[c]["score"] is not None
        ]
        dims[dim] = (
            (sum(scores) / len(scores)).quantize(TWO, rounding=ROUND_HALF_UP) if scores else None
        )
    total = rules.quality_total(dims, on)
    inputs = {
        "measures": scored,
        "weights": {k: str(v) for k, v in rules.quality_weights(on).items()},
        "benchmarks": P.get("quality.benchmarks", on),
        "reviewed": {
            d: {"score": str(r.score), "basis": r.basis, "review_id": r.pk}
            for d, r in reviews.items()
        },
        "parameters_on": on.isoformat(),
    }
    return dims, total, inputs


def rank(evaluations: list[Evaluation]) -> None:
    """Competition ranking by total, best first (1, 2, 2, 4); 无数据 is not ranked."""
    scored = sorted((e for e in evaluations if e.total is not None), key=lambda e: -e.total)
    previous, position = None, 0
    for i, e in enumerate(scored, 1):
        if e.total != previous:
            position, previous = i, e.total
        e.rank, e.ranked = position, len(scored)
    for e in evaluations:
        if e.total is None:
            e.rank, e.ranked = None, len(scored)


def evaluate(*, user, year: int) -> list[Evaluation]:
    """Every school in the user's scope for ``year``, ranked within that scope (the
    municipal bureau's scope is the city, which is the ranking that is stored)."""
    from jigong.indicators.selectors import schools_in_scope
    from jigong.quality.models import QualityReview

    on = evaluation_date(year)
    schools = schools_in_scope(user=user)
    measures = raw_measures(user=user, year=year, schools=schools)
    reviews: dict = {}
    for r in restrict(user, QualityReview, "view").filter(year=year):
        reviews.setdefault(r.school_id, {})[r.dimension] = r
    out = []
    for s in schools:
        dims, total, inputs = score_school(measures[s["id"]], reviews.get(s["id"], {}), on)
        out.append(
            Evaluation(
                school_id=s["id"],
                code=s["code"],
                name=s["name"],
                tier=s["tier"],
                district=s["district__name"],
                group=s["district__group"],
                dimensions=dims,
                total=total,
                inputs=inputs,
                reviewed=reviews.get(s["id"], {}),
            )
        )
    rank(out)
    return out
