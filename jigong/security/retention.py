"""Audit-log retention: rows younger than the retention period (policy parameter
``security.audit_log_retention_months``, 6 months) can never be purged (the purge is
the act ``audit_log.purge``, ``security.services.audit_log_purge``)."""

import datetime

from django.utils import timezone

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
