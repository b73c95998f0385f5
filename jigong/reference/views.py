from django.utils.translation import gettext_lazy as _

from jigong.core.viewsets import Col, Register, Related
from jigong.reference import filters, selectors
from jigong.reference.models import District, IndustryChain, Major
from jigong.schools.selectors import school_list


def _levels(major) -> str:
    return major.level_labels()


districts = Register(
    model=District,
    name="district",
    prefix="districts",
    list_selector=selectors.district_list,
    get_selector=selectors.district_get,
    filterset_class=filters.DistrictFilterSet,
    columns=[Col("code", link=True), "name", "short_name", "kind", "group", "subgroup"],
    related=[
        Related(
            _("辖区内技工院校"),
            lambda obj, user: school_list(user=user).filter(district=obj),
            ["code", "name", "tier", "status"],
            register="schools.School",
        )
    ],
)

industry_chains = Register(
    model=IndustryChain,
    name="industrychain",
    prefix="industry-chains",
    list_selector=selectors.industry_chain_list,
    get_selector=selectors.industry_chain_get,
    filterset_class=filters.IndustryChainFilterSet,
    columns=[Col("code", link=True), "name", "cluster", "year"],
)

majors = Register(
    model=Major,
    name="major",
    prefix="majors",
    list_selector=selectors.major_list,
    get_selector=selectors.major_get,
    filterset_class=filters.MajorFilterSet,
    columns=[
        Col("code", link=True),
        "name",
        "category",
        Col("levels", render=_levels),
        "edition",
    ],
)
