"""双优计划 (（十四））: designation rounds for 优质院校 (cap ``targets.quality_schools``)
and 优质专业 (cap ``targets.quality_majors``), with candidates ranked by a score.

The score comes from ``candidate_scores(year, kind)``. Until the quality evaluation
(（二十四）, app ``jigong.quality``) exists it is the documented interim score
(``interim_candidate_scores``; formula in docs/glossary.md). The quality app replaces
it either with the setting ``JIGONG_CANDIDATE_SCORES = "dotted.path.to.function"`` or
by calling ``register_candidate_scores(fn)`` in its ``AppConfig.ready``; the function
takes ``(year, kind)`` and returns a list of ``Candidate`` (any order).

Interim score, for year Y, each part a fraction 0–1 (missing data counts 0):
    employment_rate            employed ÷ graduates with an outcome of year Y
    certificates_per_graduate  skill certificates (issued ≤ Y) held by the graduates of
                               Y ÷ graduates of Y, divided by the largest among candidates
    agreements                 cooperation agreements running in Y, divided by the largest
    integrated_share           一体化 teachers ÷ full-time teachers employed in Y
    score = 100 × Σ weight × part  (weights: designations.interim_weights, platform)
For 优质专业 the first two parts are computed for the school's graduates of that major
and level; the last two are the school's.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import MUNICIPAL, act
from jigong.core.models import Role
from jigong.core.permissions import ensure
from jigong.policy import rules
from jigong.workflows import services
from jigong.workflows.models import DesignationKind, DesignationRound

INTERIM = _("临时综合分（质量评价体系建成前）")


@dataclass
class Candidate:
    key: int  # School id (优质院校) or SchoolMajor id (优质专业)
    school_id: int
    score: Decimal
    parts: dict = field(default_factory=dict)  # raw figures shown beside the score
    source: str = ""


_registered: list[Callable] = []


def register_candidate_scores(fn: Callable) -> None:
    """Let another app (the quality evaluation) supply the ranking."""
    _registered.append(fn)


def scorer() -> Callable:
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "JIGONG_CANDIDATE_SCORES", "")
    if path:
        return import_string(path)
    return _registered[-1] if _registered else interim_candidate_scores


def candidate_scores(year: int, kind: str) -> list[Candidate]:
    """Candidates of ``kind`` for ``year``, best first (ties by key)."""
    rows = scorer()(year, kind)
    return sorted(rows, key=lambda c: (-c.score, c.key))


def _ratio(n, d) -> Decimal | None:
    return (Decimal(n) / Decimal(d)) if d else None


def _school_parts(year: int, school_ids) -> dict[int, dict]:
    from jigong.cooperation.models import CooperationAgreement
    from jigong.staff.models import Teacher

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    agreements = dict(
        CooperationAgreement.objects.filter(school_id__in=school_ids, started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list("school_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    teachers = {
        r["school_id"]: r
        for r in Teacher.objects.filter(school_id__in=school_ids, kind="full_time")
        .filter(hired_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values("school_id")
        .annotate(n=Count("id"), i=Count("id", filter=Q(integrated_qualified=True)))
        .order_by()
    }
    return {
        s: {
            "agreements": agreements.get(s, 0),
            "integrated_share": _ratio(
                teachers.get(s, {}).get("i", 0), teachers.get(s, {}).get("n", 0)
            ),
        }
        for s in school_ids
    }


def _graduate_parts(year: int, school_ids, by_major: bool) -> dict:
    """(school id[, major id, level]) → employment rate and certificates per graduate."""
    from jigong.certificates.models import SkillCertificate
    from jigong.employment.models import COUNTED_AS_EMPLOYED, EmploymentOutcome
    from jigong.students.models import Registration, Status

    keys = ["school_id", "major_id", "level"] if by_major else ["school_id"]
    outcomes: dict = {}
    out_keys = [f"registration__{k}" if k != "school_id" else k for k in keys]
    for r in (
        EmploymentOutcome.objects.filter(graduation_year=year, school_id__in=school_ids)
        .values(*out_keys)
        .annotate(n=Count("id"), e=Count("id", filter=Q(status__in=COUNTED_AS_EMPLOYED)))
        .order_by()
    ):
        outcomes[tuple(r[k] for k in out_keys)] = r
    graduates = Registration.objects.filter(
        school_id__in=school_ids, status=Status.GRADUATED, left_on__year=year
    )
    grads = {
        tuple(r[k] for k in keys): r["n"]
        for r in graduates.values(*keys).annotate(n=Count("id")).order_by()
    }
    cert_keys = [f"person__registrations__{k}" for k in keys]
    certs = {
        tuple(r[k] for k in cert_keys): r["n"]
        for r in SkillCertificate.objects.filter(
            issued_on__year__lte=year,
            person__registrations__school_id__in=school_ids,
            person__registrations__status=Status.GRADUATED,
            person__registrations__left_on__year=year,
        )
        .values(*cert_keys)
        .annotate(n=Count("id", distinct=True))
        .order_by()
    }
    parts = {}
    for key in set(grads) | set(outcomes):
        o = outcomes.get(key, {"n": 0, "e": 0})
        parts[key] = {
            "graduates": grads.get(key, 0),
            "employment_rate": _ratio(o["e"], o["n"]),
            "certificates_per_graduate": _ratio(certs.get(key, 0), grads.get(key, 0)),
        }
    return parts


def interim_candidate_scores(year: int, kind: str) -> list[Candidate]:
    """The interim score (module docstring) for every operating school, or every open
    major of an operating school."""
    from jigong.schools.models import MajorStatus, School, SchoolMajor, SchoolStatus

    on = datetime.date(year, 12, 31)
    today = timezone.localdate()
    on = min(on, today) if year <= today.year else on
    school_ids = list(
        School.objects.filter(status=SchoolStatus.OPERATING).values_list("pk", flat=True)
    )
    by_school = _school_parts(year, school_ids)
    if kind == DesignationKind.QUALITY_SCHOOL:
        grads = _graduate_parts(year, school_ids, by_major=False)
        rows = [(s, s, {**by_school[s], **grads.get((s,), {})}) for s in school_ids]
    else:
        grads = _graduate_parts(year, school_ids, by_major=True)
        rows = [
            (sm, s, {**by_school[s], **grads.get((s, m, lvl), {})})
            for sm, s, m, lvl in SchoolMajor.objects.filter(
                school_id__in=school_ids, status=MajorStatus.OPEN
            ).values_list("pk", "school_id", "major_id", "level")
        ]
    top_c = max((r[2].get("certificates_per_graduate") or 0 for r in rows), default=0)
    top_a = max((r[2].get("agreements") or 0 for r in rows), default=0)
    out = []
    for key, school_id, p in rows:
        norm = {
            "employment_rate": p.get("employment_rate"),
            "certificates_per_graduate": _ratio(p.get("certificates_per_graduate") or 0, top_c),
            "agreements": _ratio(p.get("agreements") or 0, top_a),
            "integrated_share": p.get("integrated_share"),
        }
        out.append(Candidate(key, school_id, rules.interim_score(norm, on), p, source=str(INTERIM)))
    return out


# --- reads -------------------------------------------------------------------------


def round_list(*, user, filters=None):
    from jigong.core.filters import filtered
    from jigong.workflows.filters import DesignationRoundFilterSet

    qs = DesignationRound.objects.restrict(user, "view")
    return filtered(qs, DesignationRoundFilterSet, user=user, filters=filters)


def round_get(*, user, pk, action="view"):
    return DesignationRound.objects.restrict(user, action).get(pk=pk)


def designated(*, user, designation_round) -> list:
    """The round's designations within the user's scope."""
    from jigong.schools.models import QualityMajorDesignation, SchoolDesignation

    r = designation_round
    if r.kind == DesignationKind.QUALITY_SCHOOL:
        return list(
            SchoolDesignation.objects.restrict(user, "view")
            .filter(kind="quality_school", year=r.year)
            .select_related("school__district")
            .order_by("school__code")
        )
    return list(
        QualityMajorDesignation.objects.restrict(user, "view")
        .filter(year=r.year)
        .select_related("school_major__school", "school_major__major")
        .order_by("school_major__school__code", "school_major__major__code")
    )


def plan_designations(kind: str) -> list[dict]:
    """Every designation of ``kind`` in every round so far, as ``rules.designation_count``
    reads them (the plan's numbers are city-wide: not scoped, municipal reads only)."""
    from jigong.schools.models import QualityMajorDesignation, SchoolDesignation

    if kind == DesignationKind.QUALITY_SCHOOL:
        rows = SchoolDesignation.objects.filter(kind="quality_school").values_list(
            "year", "school_id"
        )
        return [{"year": y, "school": s} for y, s in rows]
    rows = QualityMajorDesignation.objects.values_list(
        "year", "school_major__school_id", "school_major__major_id"
    )
    return [{"year": y, "school": s, "major": m} for y, s, m in rows]


def round_candidates(*, user, designation_round, limit: int = 100) -> dict:
    """Ranked candidates with their parts, the cap and how many are designated."""
    from jigong.schools.models import School, SchoolMajor

    r = designation_round
    if not (user.is_superuser or user.role == Role.MUNICIPAL):
        return {"rows": [], "cap": None, "count": 0, "round_count": 0, "remaining": None}
    done = designated(user=user, designation_round=r)
    keys = {d.school_id if r.kind == "quality_school" else d.school_major_id for d in done}
    ranked = candidate_scores(r.year, r.kind)[:limit]
    schools = School.objects.restrict(user, "view").in_bulk([c.school_id for c in ranked])
    majors = (
        SchoolMajor.objects.restrict(user, "view")
        .select_related("major")
        .in_bulk([c.key for c in ranked])
        if r.kind == "quality_major"
        else {}
    )
    rows = []
    for i, c in enumerate(ranked, 1):
        if c.school_id not in schools:
            continue
        rows.append(
            {
                "rank": i,
                "candidate": c,
                "school": schools[c.school_id],
                "major": majors.get(c.key),
                "designated": c.key in keys,
            }
        )
    on = timezone.localdate()
    cap = rules.designation_cap(r.kind, on)
    count = rules.designation_count(r.kind, plan_designations(r.kind), on)
    return {
        "rows": rows,
        "cap": cap,
        "count": count,  # over the plan: every round so far
        "remaining": None if cap is None else max(cap - count, 0),
        "round_count": len(done),
        "source": rows[0]["candidate"].source if rows else "",
    }


# --- writes ------------------------------------------------------------------------


@act(
    "designation_round.create",
    label=_lazy("新建双优计划认定批次"),
    roles=MUNICIPAL,
    model="workflows.designationround",
    clause="（十四）",
    channels=("page",),
    event="create",
)
def round_create(*, actor, year: int, kind: str, note: str = "") -> DesignationRound:
    """One year's round of 优质院校 or 优质专业 designations (one per year and kind)."""
    if kind not in DesignationKind.values:
        raise ValidationError({"kind": [_("认定类型“%(k)s”无效") % {"k": kind}]})
    if DesignationRound.objects.filter(year=year, kind=kind).exists():
        raise ValidationError(
            {
                "year": [
                    _("年度“%(y)s”的%(k)s认定已存在")
                    % {"y": year, "k": DesignationKind(kind).label}
                ]
            }
        )
    return services._item_create(
        actor=actor, model=DesignationRound, year=year, kind=kind, note=note
    )


@act(
    "designation_round.designate",
    label=_lazy("认定优质院校或优质专业"),
    roles=MUNICIPAL,
    model="workflows.designationround",
    clause="（十四）",
    channels=("page",),
    event="create",
)
def designate(
    *, actor, designation_round, school=None, school_major=None, on: datetime.date | None = None
):
    """Designate one school (优质院校) or one open major (优质专业) in an open round,
    refusing beyond the 双优计划 cap (（十四））; written through the schools services and
    recorded on the round's timeline."""
    from jigong.core.models import AuditLog
    from jigong.schools import services as schools
    from jigong.schools.models import (
        MajorStatus,
        QualityMajorDesignation,
        SchoolDesignation,
        SchoolStatus,
    )

    on = on or timezone.localdate()
    with transaction.atomic():
        r = DesignationRound.objects.select_for_update().get(pk=designation_round.pk)
        ensure(actor, "change", r)
        if r.state != "open":
            raise ValidationError({"state": [_("“%(r)s”已完成，不能再认定") % {"r": r}]})
        plan = plan_designations(r.kind)
        if r.kind == DesignationKind.QUALITY_SCHOOL:
            if school is None:
                raise ValidationError({"school": [_("须选择学校")]})
            target = school
            earlier = (
                SchoolDesignation.objects.filter(kind="quality_school", school=school)
                .order_by("year")
                .first()
            )
            if earlier is not None:  # one school is one of the plan's 15, once
                raise ValidationError(
                    {"school": [_("“%(s)s”已是%(y)s年优质院校") % {"s": school, "y": earlier.year}]}
                )
            new = {"year": r.year, "school": school.pk}
        else:
            if school_major is None:
                raise ValidationError({"school_major": [_("须选择专业")]})
            school = school_major.school
            target = school_major
            new = {"year": r.year, "school": school.pk, "major": school_major.major_id}
            if school_major.status != MajorStatus.OPEN:
                raise ValidationError(
                    {
                        "school_major": [
                            _("专业“%(m)s”状态为“%(s)s”：只有招生中的专业可以认定为优质专业")
                            % {"m": school_major, "s": school_major.get_status_display()}
                        ]
                    }
                )
            if QualityMajorDesignation.objects.filter(
                year=r.year, school_major=school_major
            ).exists():
                raise ValidationError(
                    {
                        "school_major": [
                            _("“%(m)s”（%(s)s）已是%(y)s年优质专业")
                            % {"m": school_major, "s": school, "y": r.year}
                        ]
                    }
                )
        if school.status != SchoolStatus.OPERATING:
            raise ValidationError(
                {
                    "school": [
                        _("学校“%(s)s”办学状态为“%(st)s”：只有正常办学的学校可以参加认定")
                        % {"s": school, "st": school.get_status_display()}
                    ]
                }
            )
        count = rules.designation_count(r.kind, plan, on)
        if rules.designation_count(r.kind, [*plan, new], on) > count:  # one more counted
            try:
                rules.check_designation_cap(r.kind, count, on)
            except rules.PolicyViolation as exc:
                raise ValidationError({"kind": [exc.message]}) from exc
        if r.kind == DesignationKind.QUALITY_SCHOOL:
            row = schools.designation_add(
                actor=actor, school=school, kind="quality_school", year=r.year
            )
        else:
            row = schools.quality_major_add(actor=actor, school_major=school_major, year=r.year)
        label = _("认定：%(t)s") % {
            "t": target if r.kind == "quality_school" else f"{school} {target}"
        }
        services._record(
            actor=actor,
            item=r,
            action="designate",
            label=label[:32],
            from_state=r.state,
            to_state=r.state,
            comment=str(label),
            checked=[],
            stored=[],
        )
        core.audit(
            actor, AuditLog.Action.OTHER, r, after={"designated": str(target)}, message=label[:255]
        )
        return row
