"""Reads on students and 学籍; every queryset starts from restrict(user, "view")."""

from django.db.models import Q

from jigong.core.filters import filtered
from jigong.core.models import AuditLog
from jigong.schools.models import School, SchoolStatus
from jigong.students.filters import PersonFilterSet, RegistrationFilterSet
from jigong.students.models import Person, Registration, StatusChange, Transfer


def person_list(*, user, filters=None):
    qs = Person.objects.restrict(user, "view").order_by("name", "id")
    return filtered(qs, PersonFilterSet, user=user, filters=filters)


def person_get(*, user, pk, action="view"):
    return Person.objects.restrict(user, action).get(pk=pk)


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


def transfer_list(*, user, action="view"):
    return (
        Transfer.objects.restrict(user, action)
        .select_related("registration__person", "from_school__district", "to_school__district")
        .order_by("-requested_on", "-id")
    )


def transfer_get(*, user, pk):
    return transfer_list(user=user).get(pk=pk)


def pending_transfers(*, user, limit: int = 50) -> list:
    return list(transfer_list(user=user).filter(state="pending")[:limit])


def counterpart_schools(*, exclude=None) -> list[dict]:
    """The register of schools a 转学 may name (code, name, district): public register
    data, the same for every school."""
    qs = School.objects.exclude(status=SchoolStatus.CLOSED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("code").values("code", "name", "district__name"))


def counterpart_school(*, code: str | None = None, name: str | None = None):
    qs = School.objects.exclude(status=SchoolStatus.CLOSED)
    if code:
        return qs.filter(code=code).first()
    if name:
        return qs.filter(name=name).first()
    return None


CORRECTION_ACTS = ("registration.correct", "person.correct")


def correction_history(*, user, registration=None, person=None) -> list[AuditLog]:
    """The audit rows of the correction acts (学籍信息更正, 学生信息更正) on a registration
    and its student, or on a student and the registrations of them the user may view,
    newest first. The history of a record the user may view: the record is read through
    restrict() first (DoesNotExist outside the scope), then its rows of the log."""
    if registration is not None:
        registration = Registration.objects.restrict(user, "view").get(pk=registration.pk)
        regs = [registration.pk]
        person_id = registration.person_id
    else:
        person_id = Person.objects.restrict(user, "view").get(pk=person.pk).pk
        regs = list(
            Registration.objects.restrict(user, "view")
            .filter(person_id=person_id)
            .values_list("pk", flat=True)
        )
    about = Q(
        act="registration.correct",
        object_type="students.registration",
        object_id__in=[str(pk) for pk in regs],
    ) | Q(act="person.correct", object_type="students.person", object_id=str(person_id))
    return list(AuditLog.objects.filter(about).order_by("-at", "-id"))
