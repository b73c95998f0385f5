"""``jigong acts``: the registry of acts as a table (docs/architecture.md holds its output)."""

from django.core.management.base import BaseCommand

from jigong.core import acts

CHANNEL_LABELS = {
    "page": "页面",
    "import": "导入",
    "api": "接口",
    "cli": "命令行",
    "admin": "后台",
    "batch": "批量",
}


def table() -> str:
    lines = [
        "| act | 事项 | who | duty | clause | reason | channels | audit event |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in acts.acts():
        channels = "、".join(CHANNEL_LABELS[c] for c in sorted(a.channels))
        lines.append(
            f"| `{a.code}` | {a.label} | {a.roles_label} | {a.duty_label or '—'} "
            f"| {a.clause or '—'} "
            f"| {'须填' if a.reason else '—'} | {channels} | {a.event} |"
        )
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "列出全部事项（act）：代码、名称、办理角色、所需职责、政策条款、是否须填原因、办理渠道"

    def add_arguments(self, parser):
        parser.add_argument(
            "--sections",
            action="store_true",
            help="列出各栏目所需职责（section → duty → read / act）",
        )

    def handle(self, *args, **options):
        if options["sections"]:
            from jigong.core import sections

            self.stdout.write(sections.table(), ending="")
            return
        self.stdout.write(table(), ending="")
