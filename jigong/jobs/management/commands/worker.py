"""`jigong worker`: run background jobs (imports, report builds) from the database queue.

Wraps django-tasks-db's worker. SIGTERM or SIGINT lets the running task finish and then
exits 0 (a second signal stops at once; the task is marked failed). At start-up, tasks
left running by an earlier process with the same ``--worker-id`` (kill -9, power loss)
go back to the queue, and jobs whose task ended without recording its outcome are
marked failed (``jigong.jobs.services.recover``). Give each worker of a pool its own
id (the systemd template unit in docs/ops.md uses ``%H-%i``).
"""

import os
import socket

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def _default_id() -> str:
    return os.environ.get("JIGONG_WORKER_ID") or f"{socket.gethostname()}-1"[:64]


class Command(BaseCommand):
    help = _("运行后台任务进程（导入、年度报告生成），读取数据库中的任务队列")

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", default="default", help=_("处理的队列，多个用逗号分隔（默认 default）")
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help=_("队列为空时的轮询间隔秒数（默认 1）")
        )
        parser.add_argument(
            "--batch", action="store_true", help=_("处理完当前排队的任务后退出（定时或测试用）")
        )
        parser.add_argument("--max-tasks", type=int, default=None, help=_("执行这么多个任务后退出"))
        parser.add_argument(
            "--worker-id",
            default=_default_id(),
            help=_("工作进程编号，同一队列的每个进程须唯一（默认 主机名-1，或 JIGONG_WORKER_ID）"),
        )
        parser.add_argument(
            "--no-startup-delay", action="store_true", help=_("启动时不随机等待（默认等待 0–1 秒）")
        )

    def handle(self, *args, **options):
        from django_tasks_db.management.commands.db_worker import Command as DbWorker
        from django_tasks_db.management.commands.db_worker import Worker

        from jigong.jobs.services import recover

        worker_id = options["worker_id"].strip()
        if not worker_id or len(worker_id) > 64:
            raise CommandError(
                _("参数 --worker-id 的值“%(v)s”无效：须为 1–64 个字符") % {"v": worker_id}
            )
        if options["interval"] < 0:
            raise CommandError(
                _("参数 --interval 的值 %(v)s 无效：不能为负数") % {"v": options["interval"]}
            )
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError(
                _("参数 --max-tasks 的值 %(v)s 无效：须为正整数") % {"v": options["max_tasks"]}
            )
        DbWorker(stdout=self.stdout, stderr=self.stderr).configure_logging(options["verbosity"])
        found = recover(worker_id=worker_id)
        if options["verbosity"] and (found["requeued"] or found["failed"]):
            self.stdout.write(
                _("恢复：重新排队 %(r)s 个被中断的任务，标记失败 %(f)s 个异常结束的任务")
                % {"r": found["requeued"], "f": found["failed"]}
            )
        worker = Worker(
            queue_names=[q.strip() for q in options["queue"].split(",") if q.strip()],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["no_startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
