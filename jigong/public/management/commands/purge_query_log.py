"""`jigong purge_query_log --before YYYY-MM-DD`: delete department-API query-log rows
older than a date. Refuses any date within the retention period (at least
``certificates.query_log_retention_months`` months, （十八） platform parameter)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.core.errors import messages_of
from jigong.public import services


class Command(BaseCommand):
    help = "清理部门接口查询日志：只能删除保存期（至少6个月）以前的日志"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="删除此日期（不含）之前的日志")

    def handle(self, *args, before, **opts):
        try:
            day = datetime.date.fromisoformat(before.strip())
        except ValueError as exc:
            raise CommandError(f"清理截止日期“{before}”：应为 YYYY-MM-DD 格式的日期") from exc
        try:
            n = services.query_log_purge(actor=None, before=day)
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        self.stdout.write(f"已删除{day.isoformat()}之前的查询日志{n}条")
