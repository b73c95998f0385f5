"""`jigong backup --out F`: database, attachments and signing keys in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jigong.core import backup


class Command(BaseCommand):
    help = _("备份数据库、附件（MEDIA_ROOT）和签名密钥到一个归档文件（含清单与校验值）")

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, help=_("归档文件路径，如 /backup/jigong-20250501.tar.gz")
        )
        parser.add_argument("--database", default="default", help=_("数据库别名（默认 default）"))
        parser.add_argument(
            "--method",
            choices=backup.METHODS,
            help=_(
                "sqlite（SQLite 在线备份）、pg_dump（PostgreSQL 自定义格式）或 dumpdata；"
                "默认按数据库自动选择"
            ),
        )
        parser.add_argument("--no-keys", action="store_true", help=_("不包含签名密钥目录"))

    def handle(self, *args, **options):
        try:
            result = backup.create_backup(
                Path(options["out"]),
                alias=options["database"],
                method=options["method"],
                include_keys=not options["no_keys"],
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        m = result.manifest
        rows = sum(t["rows"] for t in m["tables"].values())
        self.stdout.write(
            _(
                "已备份到 %(path)s：%(engine)s（%(method)s），"
                "%(tables)s 张表 %(rows)s 行，文件 %(files)s 个"
            )
            % {
                "path": result.archive,
                "engine": m["engine"],
                "method": m["method"],
                "tables": len(m["tables"]),
                "rows": rows,
                "files": len(m["files"]) - 1,
            }
        )
