"""Writes on teachers: each one act (jigong.core.acts)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, UNSET, Unset, act, given
from jigong.core.errors import from_standard
from jigong.staff.models import Teacher
from jigong.standards import idcard
from jigong.standards.errors import StandardError


def _check_dates(hired, left) -> None:
    if hired and left and left < hired:
        raise ValidationError(
            {
                "left_on": [
                    _("离职日期“%(l)s”早于聘用日期“%(h)s”：日期顺序错误") % {"l": left, "h": hired}
                ]
            }
        )


@act(
    "teacher.register",
    label=_lazy("登记教师"),
    roles=ALL_STAFF,
    model="staff.teacher",
    clause="（二十）",
    channels=("import", "admin"),
    event="create",
)
def teacher_create(
    *,
    actor,
    school,
    id_number: str,
    name: str,
    kind: str,
    hired_on: datetime.date,
    left_on: datetime.date | None = None,
    enterprise=None,
    integrated_qualified: bool = False,
    ideological: bool = False,
) -> Teacher:
    """A full-time teacher, or a part-time one from an enterprise (（二十））."""
    try:
        number = idcard.validate(id_number)
    except StandardError as exc:
        raise from_standard(exc) from exc
    _check_dates(hired_on, left_on)
    return core.create(
        actor,
        Teacher,
        school=school,
        id_number=number,
        name=name,
        kind=kind,
        enterprise=enterprise,
        integrated_qualified=integrated_qualified,
        ideological=ideological,
        hired_on=hired_on,
        left_on=left_on,
    )


@act(
    "teacher.update",
    label=_lazy("修改教师信息"),
    roles=ALL_STAFF,
    model="staff.teacher",
    clause="（二十）",
    channels=("import", "admin"),
)
def teacher_update(
    *,
    actor,
    teacher: Teacher,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    enterprise=UNSET,
    integrated_qualified: bool | Unset = UNSET,
    ideological: bool | Unset = UNSET,
    hired_on: datetime.date | Unset = UNSET,
    left_on: datetime.date | Unset | None = UNSET,
) -> Teacher:
    """The teacher's record; the school and the ID number are the teacher's key."""
    _check_dates(
        teacher.hired_on if hired_on is UNSET else hired_on,
        teacher.left_on if left_on is UNSET else left_on,
    )
    return core.update(
        actor,
        teacher,
        **given(
            name=name,
            kind=kind,
            enterprise=enterprise,
            integrated_qualified=integrated_qualified,
            ideological=ideological,
            hired_on=hired_on,
            left_on=left_on,
        ),
    )
