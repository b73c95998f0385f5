from django.utils.translation import gettext_lazy as _

from jigong.core.viewsets import Col, Register
from jigong.employment import filters, selectors
from jigong.employment.models import EmploymentOutcome

employment_outcomes = Register(
    model=EmploymentOutcome,
    name="employmentoutcome",
    prefix="employment-outcomes",
    list_selector=selectors.employment_outcome_list,
    get_selector=selectors.employment_outcome_get,
    filterset_class=filters.EmploymentOutcomeFilterSet,
    columns=[
        Col("registration__person__name", _("姓名"), mask="name", link=True),
        "school",
        "graduation_year",
        "status",
        "employer_name",
        "in_field",
        "recorded_on",
    ],
    detail_fields=[
        Col("registration__person__name", _("姓名")),
        "registration__person__id_number",
        "school",
        "registration__major",
        "graduation_year",
        "status",
        "employer_name",
        "enterprise",
        "in_field",
        "recorded_on",
    ],
)
