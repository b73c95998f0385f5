"""`jigong report annual --year Y --out FILE.pdf|FILE.html [--school CODE] [--as USERNAME]`."""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.core.errors import messages_of
from jigong.core.pdf import PdfError


class Command(BaseCommand):
    help = "生成技工教育年度质量报告（PDF 或 HTML）；--school 生成单个学校的报告"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["annual"], help="报告类型：annual（年度质量报告）")
        parser.add_argument("--year", required=True, help="报告年度，如 2024")
        parser.add_argument("--out", required=True, help="输出文件，扩展名 .pdf 或 .html")
        parser.add_argument("--school", help="学校代码：只生成该校的报告")
        parser.add_argument(
            "--as", dest="username", help="按该用户的数据范围生成（默认市人社局范围）"
        )

    def handle(self, *args, kind, year, out, school=None, username=None, **opts):
        from jigong.quality import report as R

        path = Path(out)
        ext = path.suffix.lower().lstrip(".")
        if ext not in ("pdf", "html"):
            raise CommandError(f"输出文件“{out}”的扩展名应为 .pdf 或 .html")
        if not path.parent.exists():
            raise CommandError(f"输出目录“{path.parent}”不存在")
        user = self._user(username)
        started = time.perf_counter()
        try:
            target = R.resolve_school(user=user, code=school)
            built = R.build(user=user, year=year, school=target)
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except PdfError as exc:
            raise CommandError(exc.message) from exc
        if ext == "pdf":
            path.write_bytes(built.pdf)
        else:
            path.write_text(built.html, encoding="utf-8")
        self.stdout.write(
            f"已生成“{built.title}”：{path}（PDF {built.pages} 页，"
            f"用时 {time.perf_counter() - started:.1f} 秒）"
        )

    def _user(self, username):
        from jigong.core.models import Role, User

        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"用户“{username}”不存在：请检查 --as 参数") from None
        return User(username="jigong-report", role=Role.MUNICIPAL, is_active=True)
