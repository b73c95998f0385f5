"""Reads on teachers; every queryset starts from restrict(user, "view")."""

from jigong.core.filters import filtered
from jigong.staff.filters import TeacherFilterSet
from jigong.staff.models import Teacher


def teacher_list(*, user, filters=None):
    qs = Teacher.objects.restrict(user, "view").select_related("school", "enterprise")
    return filtered(qs, TeacherFilterSet, user=user, filters=filters)


def teacher_get(*, user, pk):
    return Teacher.objects.restrict(user, "view").select_related("school", "enterprise").get(pk=pk)
