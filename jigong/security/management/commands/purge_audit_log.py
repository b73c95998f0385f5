"""`jigong purge_audit_log --before YYYY-MM-DD`: delete audit rows older than the retention
period allows (at least 6 months are always kept). Schedule it monthly (docs/ops.md)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jigong.security import retention, services


class Command(BaseCommand):
    help = _(
        "清理保存期满的审计日志（至少保留 6 个月，见政策参数 security.audit_log_retention_months）"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--before", help=_("删除此日期（不含）之前的日志，格式 YYYY-MM-DD"))
        group.add_argument("--expired", action="store_true", help=_("删除保存期已满的全部日志"))

    def handle(self, *args, **options):
        if options["expired"]:
            before = retention.earliest_purgeable()
        else:
            try:
                before = datetime.date.fromisoformat(options["before"])
            except ValueError:
                raise CommandError(
                    _("--before 的值“%(value)s”不是日期，应为 YYYY-MM-DD")
                    % {"value": options["before"]}
                ) from None
        try:
            count = services.audit_log_purge(actor=None, before=before)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            _("已删除 %(before)s 之前的审计日志 %(count)s 条。")
            % {"before": before.isoformat(), "count": count}
        )
