"""`jigong print_certificates --school CODE --year Y [--level L] --out F.pdf`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jigong.certificates import printing
from jigong.core.choices import Level
from jigong.core.errors import messages_of
from jigong.core.management.commands._kinds import resolve_user
from jigong.core.pdf import PdfError
from jigong.schools.models import School


class Command(BaseCommand):
    help = "批量打印一所学校某年颁发的有效毕业（结业）证书，输出一个 PDF（A4 横向，每证一页）"

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="学校代码")
        parser.add_argument("--year", required=True, type=int, help="发证年份")
        parser.add_argument(
            "--level", choices=[v for v, _ in Level.choices], help="班级层次（默认全部）"
        )
        parser.add_argument("--out", required=True, help="输出文件 .pdf")
        parser.add_argument("--user", help="以该用户身份打印（只含其数据范围内的证书）")

    def handle(self, *args, **opts):
        if not opts["out"].lower().endswith(".pdf"):
            raise CommandError(f"输出文件“{opts['out']}”：须以 .pdf 结尾")
        user = resolve_user(opts["user"])
        schools = School.objects.all() if user is None else School.objects.restrict(user, "view")
        school = schools.filter(code__iexact=opts["school"]).first()
        if school is None:
            raise CommandError(f"学校代码“{opts['school']}”：不存在或不在数据范围内")
        certs = list(
            printing.cohort_for_print(
                user=user, school=school, year=opts["year"], level=opts["level"]
            )
        )
        if not certs:
            raise CommandError(f"{school.name}在{opts['year']}年没有符合条件的有效证书")
        try:
            data, seconds = printing.timed_render(certs)
        except ValidationError as exc:
            raise CommandError("；".join(messages_of(exc))) from exc
        except PdfError as exc:
            raise CommandError(exc.message) from exc
        with open(opts["out"], "wb") as f:
            f.write(data)
        self.stdout.write(
            f"已输出{len(certs)}份证书：{opts['out']}（{seconds:.1f} 秒，"
            f"每份 {seconds / len(certs) * 1000:.0f} 毫秒）"
        )
