"""`jigong export KIND --out FILE.xlsx|.csv [--user USERNAME]`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.core.errors import messages_of
from jigong.core.imports.exports import export

from ._kinds import kinds_help, resolve_kind, resolve_user


class Command(BaseCommand):
    help = "导出数据为 .xlsx 或 .csv（列与导入模板一致，可原样导回）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"数据类型：{kinds_help()}")
        parser.add_argument("--out", required=True, help="输出文件 .xlsx 或 .csv")
        parser.add_argument("--user", help="以该用户身份导出（只含其数据范围内的行）")

    def handle(self, *args, **opts):
        kind = resolve_kind(opts["kind"])
        out = opts["out"]
        if not out.lower().endswith((".xlsx", ".csv")):
            raise CommandError("输出文件须以 .xlsx 或 .csv 结尾")
        try:
            n = export(kind, out, user=resolve_user(opts["user"]))
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        self.stdout.write(f"已导出{kind.label}{n}行：{out}")
