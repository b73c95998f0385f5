"""`jigong template KIND --out FILE.xlsx`."""

from django.core.management.base import BaseCommand

from jigong.core.imports.templates import template

from ._kinds import kinds_help, resolve_kind


class Command(BaseCommand):
    help = "生成导入模板 .xlsx（中文表头、示例行、下拉列表、每列填写规则批注）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"数据类型：{kinds_help()}")
        parser.add_argument("--out", required=True, help="输出文件 .xlsx")

    def handle(self, *args, **opts):
        kind = resolve_kind(opts["kind"])
        template(kind, opts["out"])
        self.stdout.write(f"已生成“{kind.label}”导入模板：{opts['out']}")
