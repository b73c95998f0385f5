"""Writes on training records."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jigong.core import services as core
from jigong.core.errors import from_standard
from jigong.standards import idcard, skillcert
from jigong.standards.errors import StandardError
from jigong.training.models import TrainingRecord


def training_record_create(*, actor, trainee_id_number: str, occupation_code: str, **fields):
    try:
        number = idcard.validate(trainee_id_number)
        code = skillcert.validate_occupation_code(occupation_code)
    except StandardError as exc:
        raise from_standard(exc) from exc
    started, ended = fields.get("started_on"), fields.get("ended_on")
    if started and ended and ended < started:
        raise ValidationError(
            {
                "ended_on": [
                    _("结业日期“%(e)s”早于开班日期“%(s)s”：日期顺序错误")
                    % {"e": ended, "s": started}
                ]
            }
        )
    fields.setdefault("year", ended.year if ended else None)
    return core.create(
        actor, TrainingRecord, trainee_id_number=number, occupation_code=code, **fields
    )


def training_record_update(*, actor, record: TrainingRecord, **fields) -> TrainingRecord:
    started = fields.get("started_on", record.started_on)
    ended = fields.get("ended_on", record.ended_on)
    if started and ended and ended < started:
        raise ValidationError(
            {
                "ended_on": [
                    _("结业日期“%(e)s”早于开班日期“%(s)s”：日期顺序错误")
                    % {"e": ended, "s": started}
                ]
            }
        )
    if "ended_on" in fields and "year" not in fields:
        fields["year"] = ended.year
    return core.update(actor, record, **fields)
