"""Reads on reference data (shared registers); every queryset starts from restrict()."""

from jigong.core.filters import filtered
from jigong.reference.filters import DistrictFilterSet, IndustryChainFilterSet, MajorFilterSet
from jigong.reference.models import District, IndustryChain, Major


def district_list(*, user, filters=None):
    return filtered(
        District.objects.restrict(user, "view"), DistrictFilterSet, user=user, filters=filters
    )


def district_get(*, user, pk):
    return District.objects.restrict(user, "view").get(pk=pk)


def industry_chain_list(*, user, filters=None):
    qs = IndustryChain.objects.restrict(user, "view").select_related("cluster")
    return filtered(qs, IndustryChainFilterSet, user=user, filters=filters)


def industry_chain_get(*, user, pk):
    return IndustryChain.objects.restrict(user, "view").select_related("cluster").get(pk=pk)


def major_list(*, user, filters=None):
    qs = Major.objects.restrict(user, "view").select_related("edition")
    return filtered(qs, MajorFilterSet, user=user, filters=filters)


def major_get(*, user, pk):
    return Major.objects.restrict(user, "view").select_related("edition").get(pk=pk)
