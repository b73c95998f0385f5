"""Writes on employment outcomes: each one act (jigong.core.acts)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, UNSET, Unset, act, given
from jigong.core.models import Duty
from jigong.core.permissions import ensure
from jigong.employment.models import EmploymentOutcome
from jigong.students.models import Registration, Status


@act(
    "employment.outcome_record",
    duty=Duty.TRAINING,
    label=_lazy("登记就业去向"),
    roles=ALL_STAFF,
    model="employment.employmentoutcome",
    channels=("import",),
)
def outcome_record(
    *,
    actor,
    registration: Registration,
    status: str,
    recorded_on: datetime.date,
    employer_name: str | Unset = UNSET,
    enterprise=UNSET,
    in_field: bool | Unset = UNSET,
) -> EmploymentOutcome:
    """Record (or update) a graduate's employment outcome; the details not given are
    left as they are (or their defaults for a new outcome)."""
    if actor is not None:  # the scope first: the outcome is filed under the school
        ensure(actor, "add", EmploymentOutcome(school=registration.school))
    if registration.status not in (Status.GRADUATED, Status.COMPLETED):
        raise ValidationError(
            {
                "registration": [
                    _("学籍状态为“%(s)s”：只有毕业或结业学生才能登记就业去向")
                    % {"s": registration.get_status_display()}
                ]
            }
        )
    if registration.left_on and recorded_on < registration.left_on:
        raise ValidationError(
            {
                "recorded_on": [
                    _("统计日期“%(r)s”早于离校日期“%(l)s”：日期顺序错误")
                    % {"r": recorded_on, "l": registration.left_on}
                ]
            }
        )
    existing = EmploymentOutcome.objects.filter(registration=registration).first()
    values = {
        "status": status,
        "recorded_on": recorded_on,
        "school": registration.school,
        "graduation_year": registration.left_on.year if registration.left_on else recorded_on.year,
        **given(employer_name=employer_name, enterprise=enterprise, in_field=in_field),
    }
    if existing:
        return core.update(actor, existing, **values)
    return core.create(actor, EmploymentOutcome, registration=registration, **values)
