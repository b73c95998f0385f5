"""Reads on schools and their majors; every queryset starts from restrict(user, "view")."""

from jigong.core.filters import filtered
from jigong.schools.filters import SchoolFilterSet, SchoolMajorFilterSet
from jigong.schools.models import School, SchoolDesignation, SchoolMajor


def school_list(*, user, filters=None):
    qs = School.objects.restrict(user, "view").select_related("district").order_by("code")
    return filtered(qs, SchoolFilterSet, user=user, filters=filters)


def school_get(*, user, pk, action="view"):
    return School.objects.restrict(user, action).select_related("district").get(pk=pk)


def school_major_list(*, user, filters=None):
    qs = (
        SchoolMajor.objects.restrict(user, "view")
        .select_related("school", "major")
        .order_by("school__code", "major__code", "level")
    )
    return filtered(qs, SchoolMajorFilterSet, user=user, filters=filters)


def school_major_get(*, user, pk):
    return (
        SchoolMajor.objects.restrict(user, "view")
        .select_related("school", "major__edition")
        .prefetch_related("chains")
        .get(pk=pk)
    )


def designation_list(*, user, school=None):
    qs = SchoolDesignation.objects.restrict(user, "view").select_related("school")
    if school is not None:
        qs = qs.filter(school=school)
    return qs.order_by("-year", "kind")


def tier_change_list(*, user, school=None):
    from jigong.schools.models import TierChange

    qs = TierChange.objects.restrict(user, "view").select_related("school")
    if school is not None:
        qs = qs.filter(school=school)
    return qs.order_by("-effective_on", "-pk")


def tier_on(school: School, on) -> str:
    """The school's tier on ``on`` (（六） levels by tier): its tier now, unless a change
    (晋级/退出, ``TierChange``) takes effect after ``on``: then the tier before the
    earliest such change. A rule's read of the school's own history (the caller holds
    the school), not a user's list."""
    from jigong.schools.models import TierChange

    later = (
        TierChange.objects.filter(school_id=school.pk, effective_on__gt=on)
        .order_by("effective_on", "pk")
        .values_list("from_tier", flat=True)
        .first()
    )
    return later or school.tier
