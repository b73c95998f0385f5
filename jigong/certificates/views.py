from django.utils.translation import gettext_lazy as _

from jigong.certificates import filters, selectors
from jigong.certificates.models import GraduationCertificate, SkillCertificate
from jigong.core.viewsets import Col, Register


def _equivalence(cert) -> str:
    try:
        return cert.equivalence_label
    except Exception:  # the policy table may not cover the date; show nothing rather than fail
        return ""


graduation_certificates = Register(
    model=GraduationCertificate,
    name="graduationcertificate",
    prefix="graduation-certificates",
    list_selector=selectors.graduation_certificate_list,
    get_selector=selectors.graduation_certificate_get,
    filterset_class=filters.GraduationCertificateFilterSet,
    columns=[
        Col("number", link=True),
        Col("registration__person__name", _("姓名"), mask="name"),
        Col("registration__person__id_number", mask="id"),
        "school",
        "level",
        "outcome",
        "issued_on",
        "status",
    ],
    detail_fields=[
        "number",
        Col("registration__person__name", _("姓名")),
        "registration__person__id_number",
        "school",
        "registration__major",
        "level",
        Col("equivalence", _("同等学历（依据（十八））"), render=_equivalence),
        "outcome",
        "issued_on",
        "status",
        "revoked_on",
        "revoked_reason",
    ],
)

skill_certificates = Register(
    model=SkillCertificate,
    name="skillcertificate",
    prefix="skill-certificates",
    list_selector=selectors.skill_certificate_list,
    get_selector=selectors.skill_certificate_get,
    filterset_class=filters.SkillCertificateFilterSet,
    columns=[
        Col("number", link=True),
        Col("person__name", _("姓名"), mask="name"),
        Col("person__id_number", mask="id"),
        "occupation_name",
        "level",
        "issued_on",
        "evaluator",
    ],
    detail_fields=[
        "number",
        Col("person__name", _("姓名")),
        "person__id_number",
        "occupation_code",
        "occupation_name",
        "level",
        "issued_on",
        "evaluator",
    ],
)
