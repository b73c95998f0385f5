"""Writes on teachers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.core import services as core
from jigong.core.errors import from_standard
from jigong.staff.models import Teacher
from jigong.standards import idcard
from jigong.standards.errors import StandardError


def teacher_create(*, actor, id_number: str, **fields) -> Teacher:
    try:
        number = idcard.validate(id_number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    hired, left = fields.get("hired_on"), fields.get("left_on")
    if hired and left and left < hired:
        raise ValidationError(
            {
                "left_on": [
                    _("离职日期“%(l)s”早于聘用日期“%(h)s”：日期顺序错误") % {"l": left, "h": hired}
                ]
            }
        )
    return core.create(actor, Teacher, id_number=number, **fields)


def teacher_update(*, actor, teacher: Teacher, **fields) -> Teacher:
    hired = fields.get("hired_on", teacher.hired_on)
    left = fields.get("left_on", teacher.left_on)
    if hired and left and left < hired:
        raise ValidationError(
            {
                "left_on": [
                    _("离职日期“%(l)s”早于聘用日期“%(h)s”：日期顺序错误") % {"l": left, "h": hired}
                ]
            }
        )
    return core.update(actor, teacher, **fields)
