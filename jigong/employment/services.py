"""Writes on employment outcomes."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.core import services as core
from jigong.employment.models import EmploymentOutcome
from jigong.students.models import Status


def outcome_record(*, actor, registration, status: str, recorded_on, **fields):
    """Record (or update) a graduate's employment outcome."""
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
        **fields,
    }
    if existing:
        return core.update(actor, existing, **values)
    return core.create(actor, EmploymentOutcome, registration=registration, **values)
