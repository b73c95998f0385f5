"""Reads of online enrolment. Staff read choices through ``restrict()`` (a school sees the
choices naming it, a district its schools', the city all); the applicant reaches their
own application only by the proof (报名号 and 身份证号)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from jigong.admissions.models import HOLDS_PLACE, Application, Choice
from jigong.core import pii


def application_by_proof(*, reference: str, id_number: str) -> Application | None:
    """The application with this 报名号 and 身份证号, or None. Every kind of miss (no
    such reference, another person's number, a malformed value) is the same None after
    the same one query; a hit reads its choices with a second."""
    reference = "".join(str(reference or "").split()).upper()[:20]
    number = "".join(str(id_number or "").split()).upper()[:40]
    return (
        Application.objects.filter(reference=reference, id_number_hmac=pii.digest(number))
        .select_related("season")
        .prefetch_related("choices__school", "choices__school_major__major")
        .first()
    )


def line_quota(*, school_major, year: int) -> int:
    """The quota of the major and level in its school's approved plan of ``year`` (0 when
    there is no approved line)."""
    from jigong.workflows.models import EnrolmentPlanLine

    quota = (
        EnrolmentPlanLine.objects.filter(
            plan__school_id=school_major.school_id,
            plan__year=year,
            plan__state="approved",
            school_major=school_major,
        )
        .values_list("quota", flat=True)
        .first()
    )
    return quota or 0


def held(*, school_major, year: int) -> int:
    """Places of the plan line held in ``year``: the choices of that year's season that
    hold a place (admitted, confirmed, enrolled) and the registrations of that year's
    intake for the major and level entered outside admissions (typed or imported; a 转入
    is no enrolment at the receiving school)."""
    from jigong.students.models import Registration, Status, StatusChange

    by_choice = Choice.objects.filter(
        school_major=school_major, state__in=HOLDS_PLACE, application__season__year=year
    ).count()
    transferred_in = StatusChange.objects.filter(
        registration=OuterRef("pk"), status=Status.TRANSFERRED_IN, reverted_on__isnull=True
    )
    outside = (
        Registration.objects.filter(
            school_id=school_major.school_id,
            major_id=school_major.major_id,
            level=school_major.level,
            enrolled_on__year=year,
            admission__isnull=True,
        )
        .exclude(Exists(transferred_in))
        .count()
    )
    return by_choice + outside


def places(*, school_major, year: int) -> tuple[int, int]:
    """(quota, held) of the major and level's plan line in ``year``."""
    return line_quota(school_major=school_major, year=year), held(
        school_major=school_major, year=year
    )


def school_choices(*, user, state=None, season=None, school=None, school_major=None):
    """The choices the user may see (a school its own, a district its schools', the
    city all), newest application first; filtered by state, season, school, major."""
    qs = Choice.objects.restrict(user, "view").select_related(
        "application__season", "school", "school_major__major"
    )
    if state:
        qs = qs.filter(state=state)
    if season is not None:
        qs = qs.filter(application__season=season)
    if school is not None:
        qs = qs.filter(school=school)
    if school_major is not None:
        qs = qs.filter(school_major=school_major)
    return qs.order_by("-application__created_at", "application_id", "rank")


def choice_get(*, user, pk, action="view") -> Choice:
    return (
        Choice.objects.restrict(user, action)
        .select_related("application__season", "school", "school_major__major")
        .get(pk=pk)
    )


def cross_province_held(*, school, year: int, province: str) -> int:
    """Places of the school's ``year`` intake held by applicants from ``province``: choices
    holding a place and registrations from the province entered outside admissions."""
    from jigong.students.models import Registration, Status, StatusChange

    by_choice = Choice.objects.filter(
        school=school,
        state__in=HOLDS_PLACE,
        application__season__year=year,
        application__home_province=province,
    ).count()
    transferred_in = StatusChange.objects.filter(
        registration=OuterRef("pk"), status=Status.TRANSFERRED_IN, reverted_on__isnull=True
    )
    outside = (
        Registration.objects.filter(
            school=school,
            enrolled_on__year=year,
            person__home_province=province,
            admission__isnull=True,
        )
        .exclude(Exists(transferred_in))
        .count()
    )
    return by_choice + outside
