"""``jigong demo [--scale small|full] [--seed N] [--reset]``: build the demo world."""

import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jigong.demo import generate


class Command(BaseCommand):
    help = "生成确定性的演示数据：一个 2021—2025 年的合成重庆技工教育体系（同一种子生成相同数据）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(generate.SCALES),
            default="full",
            help="规模：full（约55所学校、12万在校生、75万培训人次）或 small（6所学校，数秒）",
        )
        parser.add_argument("--seed", type=int, default=2025, help="随机种子（默认 2025）")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先清空演示数据相关的表（学校、学籍、证书、培训、就业、合作、教师）和演示用户",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, scale, seed, reset, no_progress, **options):
        console = Console(file=self.stdout, width=110, highlight=False)
        existing = generate.existing_data()
        if existing and not reset:
            raise CommandError(generate.EXISTING_DATA_MESSAGE.format(what=existing))
        t0 = time.perf_counter()
        if existing:
            console.print(f"清空演示数据（{existing}）……")
            generate.wipe()
        progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=no_progress or options["verbosity"] < 1,
        )
        with progress:
            stats = generate.build(seed=seed, scale=scale, progress=progress)
        seconds = time.perf_counter() - t0
        if options["verbosity"] < 1:
            return
        rows = Table(title=f"演示数据（scale={scale}, seed={seed}）", show_lines=False)
        rows.add_column("表")
        rows.add_column("行数", justify="right")
        rows.add_column("写入秒数", justify="right")
        for t in stats.tables:
            rows.add_row(t.label, f"{t.rows:,}", f"{t.seconds:.2f}")
        rows.add_row("合计", f"{stats.rows:,}", f"{seconds:.1f}")
        console.print(rows)
        creds = Table(title="演示账号（仅供演示环境使用）")
        for col in ("用户名", "密码", "角色", "数据范围"):
            creds.add_column(col)
        shown = stats.credentials
        if len(shown) > 20:  # one of each kind, then a summary line
            head = [c for c in shown if not c[0].startswith(("district-", "school-"))]
            districts = [c for c in shown if c[0].startswith("district-")]
            schools = [c for c in shown if c[0].startswith("school-")]
            shown = head[:2] + districts[:2] + schools[:3] + head[2:]
            creds.add_row(*shown[0])
            for c in shown[1:]:
                creds.add_row(*c)
            creds.add_row(
                "…",
                "",
                "",
                f"另有区县用户 {len(districts) - 2} 个、学校用户 "
                f"{len(schools) - 3} 个（用户名 district-<区划代码>、school-<学校代码>）",
            )
        else:
            for c in shown:
                creds.add_row(*c)
        console.print(creds)
        console.print(f"完成：{stats.rows:,} 行，用时 {seconds:.1f} 秒。")
