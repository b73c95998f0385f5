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
