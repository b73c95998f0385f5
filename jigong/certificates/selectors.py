"""Reads on certificates; every queryset starts from restrict(user, "view")."""

from jigong.certificates.filters import GraduationCertificateFilterSet, SkillCertificateFilterSet
from jigong.certificates.models import GraduationCertificate, SkillCertificate
from jigong.core.filters import filtered


def graduation_certificate_list(*, user, filters=None):
    qs = GraduationCertificate.objects.restrict(user, "view").select_related(
        "registration__person", "school"
    )
    return filtered(qs, GraduationCertificateFilterSet, user=user, filters=filters)


def graduation_certificate_get(*, user, pk):
    return (
        GraduationCertificate.objects.restrict(user, "view")
        .select_related("registration__person", "registration__major", "school")
        .get(pk=pk)
    )


def skill_certificate_list(*, user, filters=None):
    qs = SkillCertificate.objects.restrict(user, "view").select_related("person", "evaluator")
    return filtered(qs, SkillCertificateFilterSet, user=user, filters=filters)


def skill_certificate_get(*, user, pk):
    return (
        SkillCertificate.objects.restrict(user, "view")
        .select_related("person", "evaluator")
        .get(pk=pk)
    )
