"""`jigong import KIND FILE [--mode validate|all|valid-only] [--user USERNAME]`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from jigong.core.imports.report import error_report
from jigong.core.imports.runner import run_import

from ._kinds import kinds_help, resolve_kind, resolve_user

MODES = {
    "validate": "validate",
    "all": "all",
    "valid-only": "valid_only",
    "valid_only": "valid_only",
}


class Command(BaseCommand):
    help = "从 Excel/CSV 导入数据（jigong import KIND FILE）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"数据类型：{kinds_help()}")
        parser.add_argument("file", help=".xlsx、.xls、.ods 或 .csv 文件")
        parser.add_argument("--mode", choices=sorted(MODES), default="all")
        parser.add_argument("--dry-run", action="store_true", help="同 --mode validate")
        parser.add_argument("--valid-only", action="store_true", help="同 --mode valid-only")
        parser.add_argument("--user", help="以该用户身份导入（按其数据范围检查）")
        parser.add_argument(
            "--errors",
            help="错误报告 .xlsx：未写入任何数据时为整份文件（错误行在“错误说明”列标出），"
            "只导入校验通过的行时只含被拒绝的行",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):
        kind = resolve_kind(opts["kind"])
        user = resolve_user(opts["user"])
        mode = MODES[opts["mode"]]
        if opts["dry_run"]:
            mode = "validate"
        elif opts["valid_only"]:
            mode = "valid_only"
        bar = _Progress(self.stderr) if sys.stderr.isatty() and not opts["json"] else None
        result = run_import(kind, opts["file"], user=user, mode=mode, progress=bar)
        if opts["json"]:
            import json

            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        else:
            for e in result.errors[:200]:
                self.stdout.write(str(e))
            if len(result.errors) > 200:
                self.stdout.write(f"……另有{len(result.errors) - 200}条错误，见错误报告")
            self.stdout.write(result.summary())
        if opts["errors"] and (result.errors or result.file_errors):
            error_report(result, opts["errors"])
            holds = (
                "整份文件，错误行已标出；修改后将整份文件重新导入"
                if result.report_is_whole_file
                else "只含被拒绝的行；修改后重新导入即可补上这些行"
            )
            self.stdout.write(f"错误报告（{holds}）：{opts['errors']}")
        if result.file_errors or (result.errors and mode != "valid_only"):
            raise CommandError(result.summary() if result.file_errors else "导入存在错误")


class _Progress:
    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done, total):
        width = 30
        filled = int(width * done / max(total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        if done >= total:
            self.stream.write("")
