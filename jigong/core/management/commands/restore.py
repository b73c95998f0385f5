"""`jigong restore F`: restore an archive made by `jigong backup` into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jigong.core import backup


class Command(BaseCommand):
    help = _("从 jigong backup 生成的归档恢复数据库、附件和签名密钥（目标须为空库）")

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("归档文件路径"))
        parser.add_argument("--database", default="default", help=_("数据库别名（默认 default）"))
        parser.add_argument(
            "--force", action="store_true", help=_("目标数据库或文件非空时仍覆盖（慎用）")
        )
        parser.add_argument("--check", action="store_true", help=_("只检查归档是否完整，不恢复"))

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        try:
            if options["check"]:
                import tempfile

                with tempfile.TemporaryDirectory(prefix="jigong-check-") as tmp:
                    m = backup.read_archive(archive, Path(tmp))
                self.stdout.write(
                    _("归档完整：%(engine)s（%(method)s），%(tables)s 张表，创建于 %(at)s")
                    % {
                        "engine": m["engine"],
                        "method": m["method"],
                        "tables": len(m["tables"]),
                        "at": m["created_at"],
                    }
                )
                return
            done = backup.restore_backup(archive, alias=options["database"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "已恢复（%(method)s）：%(tables)s 张表 %(rows)s 行，"
                "与备份清单核对一致；文件 %(files)s 个"
            )
            % done
        )
