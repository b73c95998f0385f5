"""Reads on certificates; every queryset starts from restrict(user, "view")."""

from jigong.certificates.filters import GraduationCertificateFilterSet, SkillCertificateFilterSet
from jigong.certificates.models import (
    GraduationCertificate,
    QueryLog,
    SkillCertificate,
    VerificationCode,
)
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


def graduation_certificate_for_change(*, user, pk):
    """A certificate the user may act on (revoke, reissue, exchange, share); DoesNotExist
    when it is outside the user's scope."""
    return (
        GraduationCertificate.objects.restrict(user, "change")
        .select_related("registration__person", "registration__major", "school")
        .get(pk=pk)
    )


def verification_code_list(*, user, certificate):
    """The certificate's online verification codes, as far as the user's scope reaches."""
    return (
        VerificationCode.objects.restrict(user, "view")
        .filter(certificate=certificate)
        .select_related("created_by")
    )


def verification_code_for_change(*, user, pk):
    return (
        VerificationCode.objects.restrict(user, "change")
        .select_related("certificate__registration", "certificate__school")
        .get(pk=pk)
    )


def query_log_list(*, user, filters=None):
    """The department API's query log: the municipal bureau only (QueryLog.Scope)."""
    from jigong.certificates.filters import QueryLogFilterSet

    qs = QueryLog.objects.restrict(user, "view").select_related("api_key")
    return filtered(qs, QueryLogFilterSet, user=user, filters=filters)


def query_log_get(*, user, pk):
    return QueryLog.objects.restrict(user, "view").select_related("api_key").get(pk=pk)


def api_key_list(*, user, filters=None):
    from jigong.core.models import ApiKey

    return ApiKey.objects.restrict(user, "view").select_related("created_by")


def api_key_get(*, user, pk, action="view"):
    from jigong.core.models import ApiKey

    return ApiKey.objects.restrict(user, action).select_related("created_by").get(pk=pk)
