"""Reads of the graduate portal. A graduate account reaches no register through
``restrict()`` (its role has no school or district scope); it reads exactly its own
records here, through the person its account is linked to (``User.person``)."""

from django.db.models import QuerySet

from jigong.certificates.models import GraduationCertificate, SkillCertificate, VerificationCode
from jigong.core.models import Role


def _person_id(user) -> int | None:
    if user is None or not user.is_authenticated or user.role != Role.GRADUATE:
        return None
    return user.person_id


def my_person(*, user):
    """The graduate's own personal record (shown whole: it is their own data), or None."""
    from jigong.students.models import Person

    person = _person_id(user)
    return Person.objects.filter(pk=person).first() if person is not None else None


def my_certificates(*, user) -> QuerySet:
    person = _person_id(user)
    if person is None:
        return GraduationCertificate.objects.none()
    return (
        GraduationCertificate.objects.filter(registration__person_id=person)
        .select_related("school", "registration__major", "registration__person")
        .order_by("-issued_on", "number")
    )


def my_certificate_get(*, user, pk) -> GraduationCertificate:
    return my_certificates(user=user).get(pk=pk)


def my_skill_certificates(*, user) -> QuerySet:
    person = _person_id(user)
    if person is None:
        return SkillCertificate.objects.none()
    return SkillCertificate.objects.filter(person_id=person).select_related("evaluator")


def my_codes(*, user) -> QuerySet:
    person = _person_id(user)
    if person is None:
        return VerificationCode.objects.none()
    return VerificationCode.objects.filter(
        certificate__registration__person_id=person
    ).select_related("certificate")


def my_code_get(*, user, pk) -> VerificationCode:
    return my_codes(user=user).get(pk=pk)
