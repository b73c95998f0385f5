"""`jigong worker`: run background jobs (imports, report builds) from the database queue.

Wraps django-tasks-db's worker. SIGTERM or SIGINT lets the running task finish and then
exits 0 (a second signal stops at once; the task is marked failed). A thread writes the
worker's heartbeat every ``JIGONG_WORKER_HEARTBEAT_SECONDS``. At start-up and then every
``max(heartbeat, stale / 4)`` seconds, tasks left running by a worker that is gone —
an earlier process with the same ``--worker-id``, or any other id whose process is gone
or whose heartbeat is older than ``JIGONG_WORKER_STALE_SECONDS`` — go back to the
queue, and (at start) jobs whose task ended without recording its outcome are marked
failed (``jigong.jobs.services.recover`` / ``adopt_orphans``). Each worker of a pool needs its
own id (the systemd template unit in docs/ops.md uses ``%H-%i``).
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

logger = logging.getLogger("jigong.jobs")


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every ``interval`` seconds and looks for orphaned
    tasks every ``adopt_every`` seconds (a scan of the queue's running rows), on its own
    database connection. A failed beat (SQLite: another process's long write holds the
    lock) is logged and retried at the next one."""

    def __init__(self, worker_id: str, interval: float, adopt_every: float, out):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.interval, self.adopt_every = worker_id, interval, adopt_every
        self.out = out
        self.done = threading.Event()

    def run(self):
        from django.db import OperationalError, close_old_connections, connection
        from django_tasks_db.utils import is_locked_database_exception

        from jigong.jobs.services import adopt_orphans, worker_heartbeat

        next_adopt = time.monotonic() + self.adopt_every
        try:
            while not self.done.wait(self.interval):
                close_old_connections()
                try:
                    worker_heartbeat(worker_id=self.worker_id)
                    adopted = 0
                    if time.monotonic() >= next_adopt:
                        adopted = adopt_orphans(worker_id=self.worker_id)
                        next_adopt = time.monotonic() + self.adopt_every
                except Exception as exc:  # keep beating; retried next time
                    locked = isinstance(exc, OperationalError) and is_locked_database_exception(exc)
                    (logger.debug if locked else logger.warning)(
                        "heartbeat of worker %s failed: %s", self.worker_id, exc
                    )
                    continue
                if adopted:
                    self.out.write(
                        _("接管：重新排队 %(n)s 个中断的任务（原工作进程已退出）") % {"n": adopted}
                    )
        finally:
            connection.close()

    def stop(self):
        self.done.set()
        self.join(timeout=max(self.interval, 15))


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

        from jigong.jobs.models import WorkerHeartbeat
        from jigong.jobs.services import process_alive, recover, worker_heartbeat

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
        beat, stale = settings.JIGONG_WORKER_HEARTBEAT_SECONDS, settings.JIGONG_WORKER_STALE_SECONDS
        if not 0 < beat * 2 <= stale:
            raise CommandError(
                _(
                    "设置 JIGONG_WORKER_HEARTBEAT_SECONDS=%(b)s、JIGONG_WORKER_STALE_SECONDS=%(s)s "
                    "无效：心跳间隔须大于 0，且超时时间至少为心跳间隔的 2 倍"
                )
                % {"b": beat, "s": stale}
            )
        DbWorker(stdout=self.stdout, stderr=self.stderr).configure_logging(options["verbosity"])
        previous = WorkerHeartbeat.objects.filter(pk=worker_id).first()
        if previous is not None and process_alive(previous):
            raise CommandError(
                _("工作进程编号“%(v)s”正由本机的进程 %(p)s 使用：同一编号只能有一个进程运行")
                % {"v": worker_id, "p": previous.process.split(":", 1)[0]}
            )
        worker_heartbeat(worker_id=worker_id, start=True)
        found = recover(worker_id=worker_id)
        if options["verbosity"] and (found["requeued"] or found["failed"]):
            self.stdout.write(
                _(
                    "恢复：重新排队 %(r)s 个被中断的任务（其中 %(a)s 个来自已退出的其他工作进程），"
                    "标记失败 %(f)s 个异常结束的任务"
                )
                % {"r": found["requeued"], "a": found["adopted"], "f": found["failed"]}
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
        heartbeat = Heartbeat(worker_id, beat, max(beat, stale / 4), self.stdout)
        heartbeat.start()
        try:
            worker.run()
        finally:
            heartbeat.stop()
