"""Writes on training records: each one act (jigong.core.acts)."""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jigong.core import services as core
from jigong.core.acts import ALL_STAFF, UNSET, Unset, act, given
from jigong.core.errors import from_standard
from jigong.core.models import Duty
from jigong.standards import idcard, skillcert
from jigong.standards.errors import StandardError
from jigong.training.models import TrainingRecord


def _check_hours(hours) -> None:
    if hours is not None and hours <= 0:
        raise ValidationError({"hours": [_("学时“%(h)s”：学时应为正整数") % {"h": hours}]})


def _check_dates(started, ended) -> None:
    if started and ended and ended < started:
        raise ValidationError(
            {
                "ended_on": [
                    _("结业日期“%(e)s”早于开班日期“%(s)s”：日期顺序错误")
                    % {"e": ended, "s": started}
                ]
            }
        )


@act(
    "training_record.register",
    duty=Duty.TRAINING,
    label=_lazy("登记培训记录"),
    roles=ALL_STAFF,
    model="training.trainingrecord",
    clause="（七）",
    channels=("import", "admin"),
    event="create",
)
def training_record_create(
    *,
    actor,
    school,
    trainee_name: str,
    trainee_id_number: str,
    kind: str,
    occupation_code: str,
    occupation_name: str,
    hours: int,
    started_on: datetime.date,
    ended_on: datetime.date,
    year: int | Unset = UNSET,
    revenue: decimal.Decimal | int | Unset = UNSET,
    is_social: bool | Unset = UNSET,
) -> TrainingRecord:
    """One 人次 of vocational training; its year is the year it ended unless given."""
    try:
        number = idcard.validate(trainee_id_number)
        code = skillcert.validate_occupation_code(occupation_code)
    except StandardError as exc:
        raise from_standard(exc) from exc
    _check_hours(hours)
    _check_dates(started_on, ended_on)
    if year is UNSET:
        year = ended_on.year if ended_on else None
    return core.create(
        actor,
        TrainingRecord,
        school=school,
        trainee_name=trainee_name,
        trainee_id_number=number,
        kind=kind,
        occupation_code=code,
        occupation_name=occupation_name,
        hours=hours,
        started_on=started_on,
        ended_on=ended_on,
        year=year,
        **given(revenue=revenue, is_social=is_social),
    )


@act(
    "training_record.update",
    duty=Duty.TRAINING,
    label=_lazy("修改培训记录"),
    roles=ALL_STAFF,
    model="training.trainingrecord",
    clause="（七）",
    channels=("import", "admin"),
)
def training_record_update(
    *,
    actor,
    record: TrainingRecord,
    trainee_name: str | Unset = UNSET,
    occupation_name: str | Unset = UNSET,
    hours: int | Unset = UNSET,
    started_on: datetime.date | Unset = UNSET,
    ended_on: datetime.date | Unset = UNSET,
    year: int | Unset = UNSET,
    revenue: decimal.Decimal | int | Unset = UNSET,
    is_social: bool | Unset = UNSET,
) -> TrainingRecord:
    """The record's details; the school, the trainee's ID number, the kind and the
    occupation code are its key. A new end date moves the record's year with it."""
    started = record.started_on if started_on is UNSET else started_on
    ended = record.ended_on if ended_on is UNSET else ended_on
    if hours is not UNSET:
        _check_hours(hours)
    _check_dates(started, ended)
    if ended_on is not UNSET and year is UNSET:
        year = ended.year
    return core.update(
        actor,
        record,
        **given(
            trainee_name=trainee_name,
            occupation_name=occupation_name,
            hours=hours,
            started_on=started_on,
            ended_on=ended_on,
            year=year,
            revenue=revenue,
            is_social=is_social,
        ),
    )
