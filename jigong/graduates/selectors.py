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


# --- self-service: the proof of identity (issue 15) -------------------------------------


def person_by_proof(*, id_number: str, name: str, certificate_number: str, enrolled_year):
    """The person whose 身份证号 and 姓名 these are, holding the certificate
    ``certificate_number`` (a graduation certificate of a 学籍 enrolled in
    ``enrolled_year``, or a skill certificate evaluated by a school where the person
    enrolled that year), or None: every kind of miss is the same None, and costs the
    same two queries (no timing tells a right ID and name from a wrong one)."""
    from jigong.certificates import numbering
    from jigong.core import pii
    from jigong.students.models import Registration

    try:
        year = int(str(enrolled_year).strip())
    except (TypeError, ValueError):
        year = 1  # no 学籍 began in year 1: a malformed year reads the register alike
    if not 1 <= year <= 9999:
        year = 1
    digest = pii.digest((id_number or "")[:40])
    number = numbering.normalise(certificate_number)[:40]
    graduation = (
        GraduationCertificate.objects.filter(
            number=number,
            registration__person__id_number_hmac=digest,
            registration__enrolled_on__year=year,
        )
        .select_related("registration__person")
        .first()
    )
    enrolled_at = Registration.objects.filter(
        person__id_number_hmac=digest, enrolled_on__year=year
    ).values("school")
    skill = (
        SkillCertificate.objects.filter(
            number=number, person__id_number_hmac=digest, evaluator__in=enrolled_at
        )
        .select_related("person")
        .first()
    )
    person = graduation.registration.person if graduation else skill.person if skill else None
    if person is None or "".join(person.name.split()) != "".join((name or "").split()):
        return None
    return person


def account_of(person):
    """The graduate account linked to ``person``, or None."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(person=person, role=Role.GRADUATE).first()


def graduate_by_id_number(id_number: str):
    """The person with this 身份证号 holding a graduation certificate, or None (single
    sign-on: the identity provider vouches for the number)."""
    from jigong.core import pii
    from jigong.students.models import Person

    return (
        Person.objects.filter(
            id_number_hmac=pii.digest(id_number),
            registrations__certificates__isnull=False,
        )
        .distinct()
        .first()
    )
