"""Writes on skill certificates (graduation certificates are issued by graduation)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.certificates.models import SkillCertificate
from jigong.core import services as core
from jigong.core.errors import from_standard
from jigong.schools.models import Designation
from jigong.standards import skillcert
from jigong.standards.errors import StandardError


def skill_certificate_create(
    *, actor, person, number: str, occupation_code: str, evaluator=None, **fields
) -> SkillCertificate:
    try:
        number = skillcert.validate_number(number)
        occupation_code = skillcert.validate_occupation_code(occupation_code)
    except StandardError as exc:
        raise from_standard(exc) from exc
    issued = fields.get("issued_on")
    if evaluator is not None and issued is not None:
        filed = evaluator.designations.filter(
            kind=Designation.EVALUATION_INSTITUTION, year=issued.year
        ).exists()
        if not filed:
            raise ValidationError(
                {
                    "evaluator": [
                        _("评价机构“%(s)s”：%(y)s年未备案为职业技能等级评价机构（依据（八））")
                        % {"s": evaluator.name, "y": issued.year}
                    ]
                }
            )
    return core.create(
        actor,
        SkillCertificate,
        person=person,
        number=number,
        occupation_code=occupation_code,
        evaluator=evaluator,
        **fields,
    )


def skill_certificate_update(*, actor, certificate: SkillCertificate, **fields):
    """Correct a skill certificate's details; the number and holder are its identity."""
    if "occupation_code" in fields:
        try:
            fields["occupation_code"] = skillcert.validate_occupation_code(
                fields["occupation_code"]
            )
        except StandardError as exc:
            raise from_standard(exc) from exc
    return core.update(actor, certificate, **fields)
