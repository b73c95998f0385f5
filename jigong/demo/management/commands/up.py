"""`jigong up`: the whole platform in one process tree, as production runs it.

What it does, in order (docs/ops.md, "One command"):

1. migrates the database and creates the shared cache table (Django's database
   cache: rate limits hold across the server's workers, the dashboard is warmed once);
2. creates a signing key when none exists (printing certificates needs one);
3. with ``--demo SCALE``, builds the demo world when the database holds none (or
   finishes an interrupted build), in a child process while the platform already
   serves; ``--demo-reset`` rebuilds it (refused when users have changed data,
   unless ``--force``);
4. starts and supervises ``jigong serve`` (Granian, DEBUG off) and ``jigong worker``:
   a child that dies is restarted (1 s, then doubling up to 30 s); SIGTERM or SIGINT
   (Ctrl-C) stops both — the server finishes its requests, the worker its task — and
   exits 0.

The children's logs go to ``$JIGONG_LOG_DIR`` (default ``<data folder>/log``), so the
console keeps the supervisor's own lines and ends with the address.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

RESTART_FIRST, RESTART_MAX = 1.0, 30.0
STOP_GRACE = 35.0  # the server's own kill timeout (30 s) plus a margin


@dataclass
class Child:
    name: str
    argv: list[str]
    restart: bool = True
    proc: subprocess.Popen | None = None
    starts: int = 0
    delay: float = RESTART_FIRST
    due: float = 0.0  # monotonic time of the next restart, when not running
    started_at: float = 0.0
    done: bool = False  # exited and not to be restarted
    returncode: int | None = None
    extra_env: dict = field(default_factory=dict)
    log: str | None = None  # file for its stdout and stderr; None: the console


class Supervisor:
    """Starts children in process groups of their own, restarts the ones that die and
    stops them all on request. Not thread-safe: one loop drives it."""

    def __init__(self, env: dict, say):
        self.env = env
        self.say = say
        self.children: list[Child] = []
        self.stopping = False

    def add(self, child: Child) -> Child:
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        out = open(child.log, "ab") if child.log else None  # noqa: SIM115 (the child keeps it)
        try:
            child.proc = subprocess.Popen(
                [sys.executable, "-m", "jigong", *child.argv],
                env={**self.env, **child.extra_env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,  # Ctrl-C reaches us only; we stop the children
            )
        finally:
            if out is not None:
                out.close()
        child.starts += 1
        child.started_at = time.monotonic()

    def poll(self) -> list[Child]:
        """Reap exited children and restart the ones due; returns those that ended for good."""
        ended = []
        now = time.monotonic()
        for c in self.children:
            if c.done:
                continue
            if c.proc is not None:
                code = c.proc.poll()
                if code is None:
                    if now - c.started_at > 60:
                        c.delay = RESTART_FIRST  # it ran a while: the next death starts over
                    continue
                c.proc, c.returncode = None, code
                if self.stopping or not c.restart:
                    c.done = True
                    ended.append(c)
                    continue
                c.due = now + c.delay
                self.say(
                    _("%(name)s 意外退出（退出码 %(code)s），%(delay)s 秒后重新启动")
                    % {"name": c.name, "code": code, "delay": f"{c.delay:g}"}
                )
                c.delay = min(c.delay * 2, RESTART_MAX)
            elif now >= c.due and not self.stopping:
                self._start(c)
                self.say(_("%(name)s 已重新启动") % {"name": c.name})
        return ended

    def stop(self) -> None:
        """SIGTERM every running child's process group, wait, then SIGKILL what is left."""
        self.stopping = True
        running = [c for c in self.children if c.proc is not None]
        for c in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(c.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for c in running:
            try:
                c.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(c.proc.pid, signal.SIGKILL)
                c.proc.wait()
            c.returncode, c.proc, c.done = c.proc.returncode, None, True


class Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise Stop()


def wait_http(port: int, proc: subprocess.Popen | None, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = _(
        "启动完整平台（与生产环境相同）：Web 服务 jigong serve、后台任务进程 jigong worker、"
        "共享缓存与签名密钥；可选生成演示数据。Ctrl-C 停止全部进程"
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("JIGONG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=None, help=_("Web 工作进程数（默认为 CPU 核数）")
        )
        parser.add_argument(
            "--demo",
            choices=("full", "small", "none"),
            default="none",
            help=_("数据库中没有演示数据时生成演示数据（full 完整规模、small 小规模）"),
        )
        parser.add_argument("--demo-reset", action="store_true", help=_("清空并重新生成演示数据"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("与 --demo-reset 同用：即使数据库中有用户录入的数据也清空"),
        )
        parser.add_argument("--seed", type=int, default=2025, help=_("演示数据随机种子"))
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("只做准备（迁移、缓存表、签名密钥、演示数据），不启动服务"),
        )

    def handle(self, *args, **opts):
        from jigong.demo import generate
        from jigong.demo import state as demo

        t0 = time.monotonic()
        say = self._say
        port = opts["port"]
        data_dir = settings.DATA_DIR
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "JIGONG_DATA_DIR": str(data_dir),
            "JIGONG_CACHE": os.environ.get("JIGONG_CACHE", "db"),
            "JIGONG_LOG_DIR": os.environ.get("JIGONG_LOG_DIR", str(data_dir / "log")),
        }
        env.pop("DEBUG", None)
        if "JIGONG_PUBLIC_URL" not in env and opts["host"] not in ("0.0.0.0", "::"):
            # what printed certificates' QR codes open; a listening address of every
            # interface names no host a phone could reach, so the operator sets it then
            env["JIGONG_PUBLIC_URL"] = f"http://{opts['host']}:{port}"
        os.makedirs(env["JIGONG_LOG_DIR"], exist_ok=True)

        say(_("数据库迁移……"))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self._ensure_key(say)

        demo_scale = opts["demo"]
        state = demo.demo_state()
        build = None
        if opts["demo_reset"]:
            if demo_scale == "none":
                demo_scale = state.scale or "full"
            blocker = demo.reset_blocker()
            if blocker and not opts["force"]:
                raise CommandError(blocker)
            build = demo_scale
        elif state.interrupted:
            blocker = demo.reset_blocker()
            if blocker and not opts["force"]:
                raise CommandError(blocker)
            say(_("上次的演示数据生成被中断，重新生成"))
            build = state.scale or (demo_scale if demo_scale != "none" else "full")
        elif demo_scale != "none" and not generate.existing_data():
            build = demo_scale
        reset = bool(build) and bool(generate.existing_data())
        if opts["no_serve"]:
            if build:
                call_command(
                    "demo", scale=build, seed=opts["seed"], reset=reset, yes=True, force=True
                )
            say(_("准备完成（%(s).0f 秒），未启动服务") % {"s": time.monotonic() - t0})
            return
        if build:
            say(_("开始生成演示数据（%(scale)s），平台同时启动") % {"scale": build})

        sup = Supervisor(env, say)
        old = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            serve_argv = ["serve", "--host", opts["host"], "--port", str(port)]
            if opts["workers"]:
                serve_argv += ["--workers", str(opts["workers"])]
            logs = env["JIGONG_LOG_DIR"]
            server = sup.add(
                Child(_("Web 服务（jigong serve）"), serve_argv, log=f"{logs}/serve.out")
            )
            sup.add(Child(_("后台任务进程（jigong worker）"), ["worker"], log=f"{logs}/worker.log"))
            demo = None
            if build:
                demo_argv = ["demo", "--scale", build, "--seed", str(opts["seed"]), "--serving"]
                if reset:
                    demo_argv += ["--reset", "--yes"] + (["--force"] if opts["force"] else [])
                demo = sup.add(Child(_("演示数据生成"), demo_argv, restart=False))
            if not wait_http(port, server.proc, 120):
                raise CommandError(
                    _("Web 服务未能在端口 %(port)s 启动，详见 %(log)s")
                    % {"port": port, "log": env["JIGONG_LOG_DIR"]}
                )
            if demo is not None:  # the build writes the accounts first: wait for them
                self._wait_accounts(demo)
            self._ready(opts, env, time.monotonic() - t0, building=demo is not None)
            while True:
                for c in sup.poll():
                    if c is demo:
                        if c.returncode == 0:
                            say(_("演示数据已生成，正在预先计算目标看板"))
                            sup.add(
                                Child(
                                    _("目标看板预计算"),
                                    ["warm"],
                                    restart=False,
                                    log=f"{logs}/warm.log",
                                )
                            )
                            self._ready(opts, env, time.monotonic() - t0, building=False)
                        else:
                            say(
                                _("演示数据生成失败（退出码 %(code)s）；再次运行本命令将重新生成")
                                % {"code": c.returncode}
                            )
                time.sleep(0.5)
        except Stop:
            say(_("正在停止（等待进行中的请求和任务结束）……"))
        finally:
            for s, h in old.items():
                signal.signal(s, h)
            sup.stop()
        say(_("已停止"))

    # ------------------------------------------------------------------ helpers

    def _say(self, text: str) -> None:
        self.stdout.write(f"[jigong up] {text}")
        self.stdout.flush()

    def _wait_accounts(self, demo: Child, seconds: float = 180) -> None:
        from django.db import close_old_connections

        from jigong.core.models import User

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and demo.proc is not None and demo.proc.poll() is None:
            close_old_connections()
            if User.objects.filter(username="city").exists():
                return
            time.sleep(0.5)

    def _ensure_key(self, say) -> None:
        from jigong.certificates import key_acts, signing

        key = key_acts.key_ensure(actor=None)
        if key is None:
            return
        store = signing.store()
        say(
            _(
                "已创建证书签名密钥 %(kid)s，保存在 %(folder)s。"
                "生产环境须妥善备份并限制访问该目录（docs/ops.md）"
            )
            % {"kid": key.kid, "folder": store.folder}
        )

    def _ready(self, opts, env, seconds: float, *, building: bool) -> None:
        from jigong.demo.state import demo_credentials

        host = opts["host"] if opts["host"] not in ("0.0.0.0", "::") else "127.0.0.1"
        url = f"http://{host}:{opts['port']}/"
        out = self.stdout
        creds = demo_credentials()
        if creds:
            out.write(_("演示账号（初始密码，仅供演示环境使用）："))
            for username, password, role, scope in creds:
                out.write(f"  {username:<16} {password:<22} {role}  {scope}")
        out.write(
            _("日志：%(log)s；停止：Ctrl-C（或向本进程发送 SIGTERM）")
            % {"log": env["JIGONG_LOG_DIR"]}
        )
        if building:
            out.write(
                _("演示数据正在后台生成，进度见首页；生成期间数据不完整，毕业生账号在完成后可用")
            )
        out.write(_("平台已启动（%(s).0f 秒）：%(url)s") % {"s": seconds, "url": url})
        out.flush()
