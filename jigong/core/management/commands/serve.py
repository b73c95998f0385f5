"""`jigong serve`: the production server (Granian, WSGI) with JSON-lines logs.

Static files are served by WhiteNoise inside the application (hashed, compressed and
cached for a year after `jigong collectstatic` with JIGONG_STATIC_MANIFEST=1). SIGTERM
or SIGINT stops accepting connections, lets running requests finish and exits 0;
SIGHUP restarts the workers one by one (after a deployment). At start, `jigong warm`
computes the city dashboard in a child process (`--no-warm` skips it). See docs/ops.md.
"""

import os
import subprocess
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jigong.core import logging as jlogging


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise CommandError(
            _("环境变量 %(name)s 的值“%(value)s”不是整数")
            % {"name": name, "value": os.environ[name]}
        ) from None


class Command(BaseCommand):
    help = _("启动生产服务器（Granian WSGI，静态文件由 WhiteNoise 提供，JSON 行日志）")

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=os.environ.get("JIGONG_HOST", "127.0.0.1"),
            help=_("监听地址（默认 127.0.0.1，由 nginx 反向代理）"),
        )
        parser.add_argument("--port", type=int, default=None, help=_("端口（默认 8000）"))
        parser.add_argument(
            "--workers", type=int, default=None, help=_("工作进程数（默认为 CPU 核数）")
        )
        parser.add_argument(
            "--threads", type=int, default=None, help=_("每个工作进程的线程数（默认 8）")
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help=_("不写访问日志（压测时使用）")
        )
        parser.add_argument(
            "--no-warm",
            action="store_true",
            help=_("启动时不在后台预先计算目标看板（jigong warm）"),
        )

    def handle(self, *args, **options):
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server

        port = options["port"] or _int_env("JIGONG_PORT", 8000)
        workers = options["workers"] or _int_env("JIGONG_WORKERS", os.cpu_count() or 1)
        threads = options["threads"] or _int_env("JIGONG_THREADS", 8)
        for name, value, low, high in (
            ("--port", port, 1, 65535),
            ("--workers", workers, 1, 256),
            ("--threads", threads, 1, 256),
        ):
            if not low <= value <= high:
                raise CommandError(
                    _("参数 %(name)s 的值 %(value)s 超出范围 %(low)s–%(high)s")
                    % {"name": name, "value": value, "low": low, "high": high}
                )
        if settings.STATIC_MANIFEST:
            manifest = getattr(staticfiles_storage, "manifest_name", "staticfiles.json")
            if not (settings.STATIC_ROOT / manifest).exists():
                raise CommandError(
                    _(
                        "已启用 JIGONG_STATIC_MANIFEST，但 %(root)s 中没有静态文件清单："
                        "请先运行 jigong collectstatic --noinput"
                    )
                    % {"root": settings.STATIC_ROOT}
                )
        log_config = jlogging.config(
            level=os.environ.get("LOG_LEVEL", "WARNING"),
            log_dir=os.environ.get("JIGONG_LOG_DIR") or None,
            json_lines=True,
        )
        # The workers set Django up themselves, which applies settings.LOGGING: this
        # makes it the same JSON configuration (jigong/settings.py), whatever the profile.
        os.environ["JIGONG_LOG_JSON"] = "1"
        # Query-log rows of single verifications are written by one thread per worker
        # in one INSERT every 200 ms (jigong/public/services.py), not one per request.
        os.environ.setdefault("JIGONG_QUERY_LOG_BUFFER_MS", "200")
        server = Server(
            "jigong.wsgi:application",
            address=options["host"],
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
            # Queue at most a few requests per thread; the rest wait in the backlog.
            backpressure=threads * 2,
            log_level=LogLevels.info,
            log_dictconfig=log_config,
            log_access=not options["no_access_log"],
            log_access_format=jlogging.ACCESS_FORMAT,
            respawn_failed_workers=True,
            workers_kill_timeout=30,
        )
        # Only a shared cache (the production profile's database cache) outlives the child.
        shared = "LocMemCache" not in settings.CACHES["default"]["BACKEND"]
        if shared and not options["no_warm"]:
            _warm_in_background()
        server.serve()


def _warm_in_background() -> subprocess.Popen:
    """`jigong warm` in a child process: the first /dashboard/ request finds the city
    figures cached. A failure is logged by the child and never stops the server."""
    return subprocess.Popen(
        [sys.executable, "-m", "jigong", "warm"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
