"""Reads on students and 学籍; every queryset starts from restrict(user, "view")."""

from jigong.core.filters import filtered
from jigong.students.filters import PersonFilterSet, RegistrationFilterSet
from jigong.students.models import Person, Registration, StatusChange


def person_list(*, user, filters=None):
    qs = Person.objects.restrict(user, "view").order_by("name", "id")
    return filtered(qs, PersonFilterSet, user=user, filters=filters)


def person_get(*, user, pk):
    return Person.objects.restrict(user, "view").get(pk=pk)


def registration_list(*, user, filters=None, action="view"):
    qs = (
        Registration.objects.restrict(user, action)
        .select_related("person", "school", "major")
        .order_by("-enrolled_on", "-id")
    )
    return filtered(qs, RegistrationFilterSet, user=user, filters=filters)


def registration_get(*, user, pk, action="view"):
    return (
        Registration.objects.restrict(user, action)
        .select_related("person", "school__district", "major", "cooperation")
        .get(pk=pk)
    )


def status_change_list(*, user, registration):
    return (
        StatusChange.objects.restrict(user, "view")
        .filter(registration=registration)
        .select_related("counterpart_school")
        .order_by("changed_on", "id")
    )
