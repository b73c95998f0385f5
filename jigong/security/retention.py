"""Audit-log retention: rows younger than the retention period (policy parameter
``security.audit_log_retention_months``, 6 months) can never be purged."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jigong.core.models import AuditLog
from jigong.core.services import audit
from jigong.policy import parameters

PARAMETER = "security.audit_log_retention_months"


def months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + (day.month - 1) - months, 12)
    month += 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def earliest_purgeable(today: datetime.date | None = None) -> datetime.date:
    """Rows dated before the returned day may be purged; later ones are retained."""
    today = today or timezone.localdate()
    months = int(parameters.get(PARAMETER, today))
    return months_before(today, months)


@transaction.atomic
def audit_log_purge(*, actor, before: datetime.date, today: datetime.date | None = None) -> int:
    """Delete audit rows dated before ``before``; refuse a day inside the retention period.
    The purge itself is audited (who, up to which day, how many rows)."""
    today = today or timezone.localdate()
    limit = earliest_purgeable(today)
    if before > limit:
        months = parameters.get(PARAMETER, today)
        raise ValidationError(
            {
                "before": _(
                    "清理截止日期 %(value)s 晚于 %(limit)s：审计日志须至少保存 %(months)s 个月"
                    "（%(rule)s），%(limit)s 及以后的日志不能删除。"
                )
                % {
                    "value": before.isoformat(),
                    "limit": limit.isoformat(),
                    "months": months,
                    "rule": parameters.cite(PARAMETER, today).clause,
                }
            }
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    count = AuditLog.objects.purge_before(cutoff)
    audit(
        actor,
        AuditLog.Action.DELETE,
        object_type="core.auditlog",
        before={"count": count, "before": before.isoformat()},
        message=f"清理 {before.isoformat()} 之前的审计日志 {count} 条",
    )
    return count
