"""``jigong demo [--scale small|full] [--seed N] [--reset [--force] [--yes]]``: build the
demo world.

Migrates first (a fresh data folder needs no other command). ``--reset`` wipes the demo
tables and builds again: it asks for confirmation on a terminal (``--yes`` skips the
question) and refuses when users have entered or changed data (``--force`` wipes
anyway). The build is bracketed by audit markers (``jigong.demo.state``), so an
interrupted build is recognised and ``jigong up`` builds again.
"""

import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jigong.demo import generate
from jigong.demo import state as demo_state
from jigong.reference.services import ensure_reference_data


def ensure_signing_key():
    """The first signing key when none exists (a fresh world prints certificates)."""
    from jigong.certificates import key_acts

    return key_acts.key_ensure(actor=None)


def migrate_if_needed() -> None:
    """Apply unapplied migrations (a fresh data folder); nothing when all are applied."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


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
        parser.add_argument(
            "--force",
            action="store_true",
            help="与 --reset 同用：即使数据库中有用户录入或修改的数据也清空",
        )
        parser.add_argument("--yes", action="store_true", help="与 --reset 同用：不再询问确认")
        parser.add_argument(
            "--serving",
            action="store_true",
            help="平台运行期间生成（jigong up 使用）：分批提交，进度写入共享缓存供首页显示",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, scale, seed, reset, force, yes, serving, no_progress, **options):
        console = Console(file=self.stdout, width=110, highlight=False)
        migrate_if_needed()
        ensure_reference_data()  # a flushed database (tests) has lost the migration's rows
        existing = generate.existing_data()
        if existing and not reset:
            raise CommandError(generate.EXISTING_DATA_MESSAGE.format(what=existing))
        t0 = time.perf_counter()
        if existing:
            blocker = demo_state.reset_blocker()
            if blocker and not force:
                raise CommandError(blocker)
            if not yes and sys.stdin.isatty():
                answer = input(f"将清空演示数据相关的表（{existing}）并重新生成，确认吗？[y/N] ")
                if answer.strip().lower() not in ("y", "yes", "是"):
                    raise CommandError("已取消，未作任何修改。")
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
        demo_state.mark("started", scale=scale, seed=seed)
        shown = demo_state.SharedProgress(progress, scale=scale) if serving else progress
        with progress:
            stats = generate.build(seed=seed, scale=scale, progress=shown, serving=serving)
        demo_state.mark("done", scale=scale, seed=seed)
        key = ensure_signing_key()
        if key is not None:
            console.print(
                f"已创建证书签名密钥 {key.kid}（打印证书需要；生产环境见 docs/ops.md §10）。"
            )
        seconds = time.perf_counter() - t0
        if not serving:  # jigong up runs `jigong warm` itself once the build is done
            from jigong.indicators.tasks import warm_queued

            if warm_queued():
                console.print("已排队：后台任务进程将预先计算全市、各区县、各学校的目标看板。")
        from jigong.demo.reports import reports_queued

        if reports_queued():
            console.print("已排队：后台任务进程将生成并发布全市年度质量报告（公开于 /reports/）。")
        if serving:  # jigong up prints the log-ins and the address after this
            console.print(f"演示数据生成完成：{stats.rows:,} 行，用时 {seconds:.1f} 秒。")
            return
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
