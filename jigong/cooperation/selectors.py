"""Reads on enterprises and cooperation; every queryset starts from restrict(user, "view")."""

from jigong.cooperation.filters import (
    AllianceFilterSet,
    CooperationAgreementFilterSet,
    EnterpriseFilterSet,
    PairingFilterSet,
)
from jigong.cooperation.models import (
    Alliance,
    AllianceMember,
    CooperationAgreement,
    Enterprise,
    Pairing,
)
from jigong.core.filters import filtered


def enterprise_list(*, user, filters=None):
    qs = Enterprise.objects.restrict(user, "view").select_related("district", "industry_chain")
    return filtered(qs, EnterpriseFilterSet, user=user, filters=filters)


def enterprise_get(*, user, pk):
    return (
        Enterprise.objects.restrict(user, "view")
        .select_related("district", "industry_chain")
        .get(pk=pk)
    )


def agreement_list(*, user, filters=None):
    qs = CooperationAgreement.objects.restrict(user, "view").select_related("school", "enterprise")
    return filtered(qs, CooperationAgreementFilterSet, user=user, filters=filters)


def agreement_get(*, user, pk):
    return (
        CooperationAgreement.objects.restrict(user, "view")
        .select_related("school", "enterprise")
        .get(pk=pk)
    )


def alliance_list(*, user, filters=None):
    qs = Alliance.objects.restrict(user, "view")
    return filtered(qs, AllianceFilterSet, user=user, filters=filters)


def alliance_get(*, user, pk):
    return Alliance.objects.restrict(user, "view").get(pk=pk)


def alliance_member_list(*, user, alliance):
    return (
        AllianceMember.objects.restrict(user, "view")
        .filter(alliance=alliance)
        .select_related("school", "enterprise")
        .order_by("joined_on", "id")
    )


def pairing_list(*, user, filters=None):
    qs = (
        Pairing.objects.restrict(user, "view")
        .select_related("mentor__district", "supported__district")
        .order_by("-started_on", "id")
    )
    return filtered(qs, PairingFilterSet, user=user, filters=filters)


def pairing_get(*, user, pk):
    return (
        Pairing.objects.restrict(user, "view")
        .select_related("mentor__district", "supported__district")
        .get(pk=pk)
    )
