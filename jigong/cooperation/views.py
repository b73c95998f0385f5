from django.utils.translation import gettext_lazy as _

from jigong.cooperation import filters, selectors
from jigong.cooperation.models import Alliance, CooperationAgreement, Enterprise, Pairing
from jigong.core.viewsets import Col, Register, Related

enterprises = Register(
    model=Enterprise,
    name="enterprise",
    prefix="enterprises",
    list_selector=selectors.enterprise_list,
    get_selector=selectors.enterprise_get,
    filterset_class=filters.EnterpriseFilterSet,
    columns=[
        Col("name", link=True),
        "credit_code",
        "district",
        "industry_chain",
        "is_integration_enterprise",
    ],
    related=[
        Related(
            _("校企合作协议"),
            lambda obj, user: selectors.agreement_list(user=user).filter(enterprise=obj),
            ["title", "school", "kind", "started_on", "ended_on"],
            register="cooperation.CooperationAgreement",
        )
    ],
)

agreements = Register(
    model=CooperationAgreement,
    name="agreement",
    prefix="agreements",
    list_selector=selectors.agreement_list,
    get_selector=selectors.agreement_get,
    filterset_class=filters.CooperationAgreementFilterSet,
    columns=[Col("title", link=True), "school", "enterprise", "kind", "started_on", "ended_on"],
)

alliances = Register(
    model=Alliance,
    name="alliance",
    prefix="alliances",
    list_selector=selectors.alliance_list,
    get_selector=selectors.alliance_get,
    filterset_class=filters.AllianceFilterSet,
    columns=[Col("name", link=True), "lead_kind", "founded_on"],
    related=[
        Related(
            _("联盟成员"),
            lambda obj, user: selectors.alliance_member_list(user=user, alliance=obj),
            ["school", "enterprise", "joined_on"],
        )
    ],
)

pairings = Register(
    model=Pairing,
    name="pairing",
    prefix="pairings",
    list_selector=selectors.pairing_list,
    get_selector=selectors.pairing_get,
    filterset_class=filters.PairingFilterSet,
    columns=[
        Col("mentor", link=True),
        Col("mentor__district", _("帮扶学校所在区县")),
        "supported",
        Col("supported__district", _("受帮扶学校所在区县")),
        "started_on",
    ],
)
