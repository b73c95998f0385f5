"""Reads on employment outcomes; every queryset starts from restrict(user, "view")."""

from jigong.core.filters import filtered
from jigong.employment.filters import EmploymentOutcomeFilterSet
from jigong.employment.models import EmploymentOutcome


def employment_outcome_list(*, user, filters=None):
    qs = (
        EmploymentOutcome.objects.restrict(user, "view")
        .select_related("registration__person", "school", "enterprise")
        .order_by("-graduation_year", "-id")
    )
    return filtered(qs, EmploymentOutcomeFilterSet, user=user, filters=filters)


def employment_outcome_get(*, user, pk):
    return (
        EmploymentOutcome.objects.restrict(user, "view")
        .select_related("registration__person", "registration__major", "school", "enterprise")
        .get(pk=pk)
    )
