"""Reads on reference data (shared registers); every queryset starts from restrict()."""

from jigong.core.filters import filtered
from jigong.reference.filters import DistrictFilterSet, IndustryChainFilterSet, MajorFilterSet
from jigong.reference.models import District, IndustryChain, Major, ParameterAdjustment


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


def parameter_adjustment_list(*, user):
    """The municipal bureau's adjustments of platform values, newest first."""
    return ParameterAdjustment.objects.restrict(user, "view").select_related("created_by")


def platform_settings(*, user, on):
    """Every parameter with a platform value: the value that applies on ``on`` with its
    basis (平台设定…), the note, and whether ``user`` may adjust it (a platform value
    in force, the municipal bureau)."""
    from jigong.core.permissions import role_may
    from jigong.policy import parameters as P
    from jigong.reference import platform

    may_adjust = role_may(user, ParameterAdjustment, "add")
    rows = []
    for name in platform.platform_names():
        p = P.parameter(name)
        c = p.citation(on) or p.first
        rows.append(
            {
                "name": name,
                "citation": c,
                "value": platform.readable(c.value),
                "code": platform.shown(c.value),
                "since": c.start,
                "platform": c.platform,
                "adjustable": may_adjust and platform.adjustable(name, on),
                "history": [x for x in p.values if x.platform],
            }
        )
    return rows
