"""Reads of the public enrolment pages (/enrol/, anonymous): published facts only.

A brochure is shown when it is accepted (``flows.BROCHURE``: 备案通过 or 已发布), of the
season's year, and its school is qualified on the current (latest) published
qualification list and neither suspended nor closed now. Which list is current, the
schools' status and the accepted brochures are read by every request (``version``); the
qualified schools of a list are cached under the list's publication (a new or re-made
list is another key), so a school that leaves the list (a newer list without it, or
暂停招生/撤销) disappears with the next request. The filter's option lists (districts and
majors, no school) are cached under the publication too, and each listed brochure's card
(``card_key``), for a few minutes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from jigong.admissions.models import Season
from jigong.reference.models import District, Major
from jigong.schools.models import MajorStatus, School, SchoolMajor, SchoolStatus
from jigong.workflows.models import (
    BrochureFiling,
    CrossProvinceQuota,
    EnrolmentPlanLine,
    OfferedTracks,
    QualificationEntry,
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


def qualified_ids(list_id: int, publication: str) -> list[int]:
    """Ids of the schools qualified on the published list ``list_id`` (its entries),
    cached under ``publication`` (``Version.publication``: another list, or the same
    list made and published again, is another key; a published list's entries never
    change). Their status now is the caller's to ask (``GONE``)."""
    key = f"jg:enrol:qualified:{publication}"
    ids = _QUALIFIED.get(key)  # this process's copy first
    if ids is None:
        ids = cache.get(key)
    if ids is None:
        ids = list(
            QualificationEntry.objects.filter(qualification_list_id=list_id, qualified=True)
            .order_by()
            .values_list("school_id", flat=True)
        )
        cache.set(key, ids, OPTIONS_SECONDS)
    if len(_QUALIFIED) > 100:
        _QUALIFIED.clear()
    _QUALIFIED[key] = ids
    return ids


_QUALIFIED: dict[str, list[int]] = {}


def _plan_lines(year: int):
    """Approved plan lines of ``year`` for majors open now."""
    return EnrolmentPlanLine.objects.filter(
        plan__year=year, plan__state=PLAN_APPROVED, school_major__status=MajorStatus.OPEN
    )


def brochure_search(*, version: Version, filters: Filters):
    """Accepted brochures of ``year`` of listed schools, filtered; school and district
    joined. Filters on majors and levels match the school's approved plan lines."""
    year = version.year
    qs = (
        BrochureFiling.objects.filter(
            year=year,
            state__in=ACCEPTED,
            school_id__in=qualified_ids(version.list_id, version.publication),
        )
        .exclude(school__status__in=GONE)  # read now: a suspension is seen at once
        .select_related("school__district")
    )
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


@dataclass(frozen=True)
class Version:
    """What decides which brochures /enrol/ lists, as read by ``version()``."""

    list_id: int
    season_id: int | None
    year: int
    publication: str  # the list's publication (``qualified_ids``)
    key: str  # all of it: the publication, the season, the schools gone, the brochures


def version() -> Version | None:
    """Read now, by every request (four small statements written out: building them with
    the ORM was most of a reused page's time): the current — latest published — list
    and its publication, the latest season, which of the list's schools are suspended or
    closed now, and the accepted brochures of the season's year (how many, the latest
    change). A drawn page is reused only under the same ``key``, so a school leaving the
    list or suspended, and a brochure accepted, are seen with the next request. None: no
    list published yet."""
    lists, seasons = QualificationList._meta.db_table, Season._meta.db_table
    schools, brochures = School._meta.db_table, BrochureFiling._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, year, state_changed_at, computed_at, published_at FROM {lists}"
            " WHERE state = %s ORDER BY year DESC, id DESC LIMIT 1",
            ["published"],
        )
        listed = cur.fetchone()
        if listed is None:
            return None
        cur.execute(
            f"SELECT id, year, opens_on, closes_on FROM {seasons}"
            " ORDER BY year DESC, id DESC LIMIT 1"
        )
        season = cur.fetchone()
        year = season[1] if season else listed[1]
        # every suspended or closed school (few), not an IN list of the listed ones
        cur.execute(f"SELECT id FROM {schools} WHERE status IN (%s, %s)", list(GONE))
        gone = {row[0] for row in cur.fetchall()}
        cur.execute(
            f"SELECT COUNT(*), MAX(state_changed_at) FROM {brochures}"
            " WHERE year = %s AND state IN (%s, %s)",
            [year, *ACCEPTED],
        )
        accepted = cur.fetchone()
    publication = _digest(listed)
    gone = sorted(gone & set(qualified_ids(listed[0], publication)))
    return Version(
        list_id=listed[0],
        season_id=season[0] if season else None,
        year=year,
        publication=publication,
        key=_digest((publication, season, year, gone, accepted)),
    )


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def brochures_by_pk(pks) -> list[BrochureFiling]:
    """The brochures of ``pks`` in that order, school and district joined (a page of
    ``brochure_search``'s pks: the filters ran once, for all of them)."""
    found = BrochureFiling.objects.select_related("school__district").in_bulk(list(pks))
    return [found[pk] for pk in pks if pk in found]


def attach_plans(brochures, *, year: int) -> None:
    """Give each brochure its school's approved plan lines of ``year`` (``.lines``:
    dicts of major, level label and quota, as text) and cross-province quotas
    (``.cross``): two reads for the whole page, no model built per line (a search orders
    and cuts the lines when it composes the card: ``line_matches``)."""
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
        b.lines = lines.get(b.school_id, [])
        b.cross = cross.get(b.school_id, [])


def card_key(brochure, *, year: int, language: str) -> str:
    """The cache key of a brochure's card with all its lines (the search only orders and
    cuts them): its row and state, its school's name, tier and district. An approved plan
    and a filed brochure no longer change (their workflows end there), so a card is stale
    at most ``CARD_SECONDS`` for a major closed since; which brochures are listed is never
    cached."""
    s = brochure.school
    raw = "|".join(
        str(v)
        for v in (
            brochure.pk,
            brochure.state,
            brochure.state_changed_at,
            brochure.tracks,
            s.code,
            s.name,
            s.tier,
            s.district_id,
            s.district.name,
            year,
            language,
        )
    )
    return "jg:enrol:card2:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def line_matches(line: dict, filters) -> bool:
    """Whether a plan line (``code``, ``level``, ``major``) is what ``filters`` look for."""
    if filters is None:
        return False
    return bool(
        (filters.major and line["code"] == filters.major)
        or (filters.level and line["level"] == filters.level)
        or (filters.q and filters.q in line["major"])
    )


def filter_options(*, qualification_list, version: Version) -> dict:
    """Districts and majors to filter by (those of listed schools' approved plans),
    cached per publication and year: the options name no school."""
    year = version.year
    key = f"jg:enrol:options:{version.publication}:{year}"
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
