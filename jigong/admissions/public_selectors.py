"""Reads of the public enrolment pages (/enrol/, anonymous): published facts only.

A brochure is shown when it is accepted (``flows.BROCHURE``: 备案通过 or 已发布), of the
season's year, and its school is qualified on the current (latest) published
qualification list and neither suspended nor closed now. These conditions are part of
every query, never cached, so a school that leaves the list (a newer list without it, or
暂停招生/撤销) disappears with the next request. Only the filter's option lists (districts
and majors, no school) are cached, per list and year, and each listed brochure's card
(``card_key``), for a few minutes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q

from jigong.admissions.models import Season
from jigong.reference.models import District, Major
from jigong.schools.models import MajorStatus, School, SchoolMajor, SchoolStatus
from jigong.workflows.models import (
    BrochureFiling,
    CrossProvinceQuota,
    EnrolmentPlanLine,
    OfferedTracks,
    QualificationList,
)
from jigong.workflows.selectors import offered_tracks, published_entries, published_lists

ACCEPTED = ("approved", "published")  # flows.BROCHURE: 备案通过, 已发布
GONE = (SchoolStatus.SUSPENDED, SchoolStatus.CLOSED)
PLAN_APPROVED = "approved"  # flows.ENROLMENT_PLAN's final state
OPTIONS_SECONDS = 300
CARD_SECONDS = 300


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    district: str | None = None  # GB/T 2260 code
    group: str | None = None  # RegionGroup
    tier: str | None = None
    major: str | None = None  # catalogue code
    level: str | None = None
    track: str | None = None


def current_list() -> QualificationList | None:
    """The latest published qualification list (the one in force)."""
    return published_lists().first()


def current_season() -> Season | None:
    """The latest season (the one applications go to)."""
    return Season.objects.order_by("-year").first()


def listed_schools(qualification_list):
    """Schools qualified on the list and not suspended or closed now."""
    ids = published_entries(qualification_list=qualification_list).values("school_id")
    return School.objects.filter(pk__in=ids).exclude(status__in=GONE)


def _plan_lines(year: int):
    """Approved plan lines of ``year`` for majors open now."""
    return EnrolmentPlanLine.objects.filter(
        plan__year=year, plan__state=PLAN_APPROVED, school_major__status=MajorStatus.OPEN
    )


def brochure_search(*, qualification_list, year: int, filters: Filters):
    """Accepted brochures of ``year`` of listed schools, filtered; school and district
    joined. Filters on majors and levels match the school's approved plan lines."""
    qs = BrochureFiling.objects.filter(
        year=year,
        state__in=ACCEPTED,
        school__in=listed_schools(qualification_list),
    ).select_related("school__district")
    if filters.district:
        qs = qs.filter(school__district__code=filters.district)
    if filters.group:
        qs = qs.filter(school__district__group=filters.group)
    if filters.tier:
        qs = qs.filter(school__tier=filters.tier)
    if filters.track:  # the tracks the school filed on the brochure
        qs = qs.filter(tracks__in=OfferedTracks.offering(filters.track))
    lines = _plan_lines(year).filter(plan__school=OuterRef("school"))
    if filters.major:
        lines = lines.filter(school_major__major__code=filters.major)
    if filters.level:
        lines = lines.filter(school_major__level=filters.level)
    if filters.major or filters.level:
        qs = qs.filter(Exists(lines))
    if filters.q:
        named = _plan_lines(year).filter(
            plan__school=OuterRef("school"), school_major__major__name__contains=filters.q
        )
        qs = qs.filter(
            Q(school__name__contains=filters.q) | Q(title__contains=filters.q) | Exists(named)
        )
    return qs.order_by("school__code", "-published_on", "pk")


def attach_plans(brochures, *, year: int, first: int | None = None, filters=None) -> None:
    """Give each brochure its school's approved plan lines of ``year`` (``.lines``:
    dicts of major, level label and quota, as text) and cross-province quotas
    (``.cross``): two reads for the whole page, no model built per line. With ``first``
    only that many lines are kept (those matching ``filters`` first) and ``.more`` says
    how many were left for the school's page."""
    from jigong.core.choices import Level
    from jigong.standards.regions import PROVINCES

    levels = dict(Level.choices)
    schools = {b.school_id for b in brochures}
    lines: dict[int, list] = {}
    for row in (
        _plan_lines(year)
        .filter(plan__school_id__in=schools)
        .order_by("school_major__major__code", "school_major__level")
        .values_list(
            "plan__school_id",
            "school_major__major__code",
            "school_major__major__name",
            "school_major__level",
            "quota",
        )
    ):
        school, code, name, level, quota = row
        lines.setdefault(school, []).append(
            {
                "code": code,
                "major": name,
                "level": level,
                "level_label": str(levels.get(level, level)),
                "quota": str(quota),
            }
        )
    cross: dict[int, list] = {}
    for row in (
        CrossProvinceQuota.objects.filter(
            plan__school_id__in=schools, plan__year=year, plan__state=PLAN_APPROVED, quota__gt=0
        )
        .values("plan__school_id", "province", "quota")
        .order_by("province")
    ):
        cross.setdefault(row["plan__school_id"], []).append(
            {"name": PROVINCES.get(row["province"], row["province"]), "quota": row["quota"]}
        )
    for b in brochures:
        found = lines.get(b.school_id, [])
        if first is not None:
            found = sorted(found, key=lambda line: not _matches(line, filters))
            b.more = max(0, len(found) - first)
            found = found[:first]
        b.lines = found
        b.cross = cross.get(b.school_id, [])


def card_key(brochure, *, year: int, filters, language: str) -> str:
    """The cache key of a brochure's card as the list draws it: its row and state, its
    school's name, tier and district, and what orders its lines. An approved plan and a
    filed brochure no longer change (their workflows end there), so a card is stale at
    most ``CARD_SECONDS`` for a major closed since; which brochures are listed is never
    cached."""
    s = brochure.school
    raw = "|".join(
        str(v)
        for v in (
            brochure.pk,
            brochure.state,
            brochure.state_changed_at,
            brochure.tracks,
            s.name,
            s.tier,
            s.district_id,
            s.district.name,
            year,
            filters.q,
            filters.major,
            filters.level,
            language,
        )
    )
    return "jg:enrol:card:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _matches(line: dict, filters) -> bool:
    if filters is None:
        return False
    return bool(
        (filters.major and line["code"] == filters.major)
        or (filters.level and line["level"] == filters.level)
        or (filters.q and filters.q in line["major"])
    )


def filter_options(*, qualification_list, year: int) -> dict:
    """Districts and majors to filter by (those of listed schools' approved plans),
    cached per list and year: the options name no school."""
    key = f"jg:enrol:options:{qualification_list.pk}:{year}"
    options = cache.get(key)
    if options is None:
        schools = listed_schools(qualification_list)
        options = {
            "districts": list(
                District.objects.filter(schools__in=schools)
                .distinct()
                .order_by("code")
                .values_list("code", "name")
            ),
            "majors": list(
                Major.objects.filter(
                    pk__in=_plan_lines(year)
                    .filter(plan__school__in=schools)
                    .values("school_major__major_id")
                )
                .order_by("code")
                .values_list("code", "name")
                .distinct()
            ),
        }
        cache.set(key, options, OPTIONS_SECONDS)
    return options


def school_get(*, qualification_list, code: str) -> School | None:
    """A listed school by its code, or None (not listed, suspended, closed, unknown)."""
    return listed_schools(qualification_list).select_related("district").filter(code=code).first()


def school_majors_open(*, school) -> list[SchoolMajor]:
    return list(
        SchoolMajor.objects.filter(school=school, status=MajorStatus.OPEN)
        .select_related("major")
        .order_by("major__code", "level")
    )


def school_brochures(*, school, year: int) -> list[BrochureFiling]:
    return list(
        BrochureFiling.objects.filter(school=school, year=year, state__in=ACCEPTED).order_by(
            "-published_on", "pk"
        )
    )


def apply_options(*, qualification_list, year: int) -> list[dict]:
    """What an applicant may choose: per listed school (by code), the open majors at a
    level with an approved plan line of ``year`` and the tracks its accepted brochures
    offer — exactly what the brochures list.
    [{"school": School, "majors": [SchoolMajor, …], "tracks": ["full_time", …]}, …]"""
    schools: dict[int, dict] = {}
    for line in (
        _plan_lines(year)
        .filter(plan__school__in=listed_schools(qualification_list))
        .select_related("school_major__major", "plan__school")
        .order_by("plan__school__code", "school_major__major__code", "school_major__level")
    ):
        school = line.plan.school
        row = schools.setdefault(school.pk, {"school": school, "majors": []})
        sm = line.school_major
        sm.school = school  # the same row, read once
        row["majors"].append(sm)
    offered = offered_tracks(list(schools), year)
    every = OfferedTracks.tracks(OfferedTracks.BOTH)
    for pk, row in schools.items():
        # no accepted brochure (a list without the brochure condition): the act's rule
        row["tracks"] = [t for t in every if t in offered.get(pk, every)]
    return list(schools.values())
