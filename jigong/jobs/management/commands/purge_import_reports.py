"""`jigong purge_import_reports`: delete the refused-rows files of imports finished more
than ``security.import_report_retention_days`` ago (jigong/jobs/refused.py)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jigong.jobs import refused


class Command(BaseCommand):
    help = _("删除超过保存期的导入错误报告（被拒绝的行）文件")

    def handle(self, *args, **options):
        n = refused.purge()
        self.stdout.write(
            _("已删除 %(n)s 个超过保存期（%(days)s 天）的导入错误报告")
            % {"n": n, "days": refused.retention_days()}
        )
