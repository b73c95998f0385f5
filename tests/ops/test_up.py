"""`jigong up` — what the README's first command runs: migrations, a signing key, the
demo world, `jigong serve` and `jigong worker` under one supervisor. It serves with a
worker (a page import finishes), restarts a worker that dies, stops whole on SIGTERM,
and a second run keeps the data a user entered."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import factories as f
from tests.faults.conftest import Browser
from tests.imports.conftest import student_fields
from tests.imports.helpers import xlsx
from tests.ops.conftest import ROOT, clean_env, free_port, jigong

pytestmark = pytest.mark.xdist_group("test_up")  # its module fixtures: one process

SCHOOL_PASSWORD = "Jigong-School-2025"  # jigong.demo.generate.PASSWORDS


class Up:
    """A `jigong up` process and what it printed."""

    def __init__(self, env, port, *args):
        self.port = port
        self.log = Path(env["JIGONG_DATA_DIR"]) / f"up-{time.monotonic_ns()}.out"
        self.out = open(self.log, "w")  # noqa: SIM115 (closed in stop)
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jigong", "up", "--port", str(port), "--workers", "1", *args],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, needle: str, seconds: float = 240) -> float:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if needle in self.text():
                return time.monotonic() - self.t0
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} not printed:\n{self.text()[-4000:]}")

    def children(self) -> dict[str, list[int]]:
        """The jigong processes in our process tree, by subcommand."""
        found: dict[str, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) != self.proc.pid or b"jigong" not in argv:
                continue
            sub = argv[argv.index(b"jigong") + 1].decode() if b"jigong" in argv[:-1] else ""
            found.setdefault(sub, []).append(int(entry.name))
        return found

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=90)
        self.out.close()
        return code


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture(scope="module")
def platform(tmp_path_factory, engine):
    data = tmp_path_factory.mktemp("up")
    extra = {} if engine == "sqlite" else {"DATABASE_URL": engine.url(engine.create("up"))}
    env = clean_env(data, **extra)
    env.pop("JIGONG_PII_KEY", None)  # the platform makes its own key file, as setup.sh does
    return env


def _school_row(env) -> dict:
    """A 学籍 row for the demo's first school at a level and major it runs."""
    code = (
        "import json;"
        "from jigong.schools.models import SchoolMajor as M;"
        "m=M.objects.filter(level='intermediate',school__status='operating')"
        ".select_related('school','major__edition').order_by('school__code','id').first();"
        "print(json.dumps([m.school.code,m.major.code,m.major.edition.code]))"
    )
    school, major, edition = json.loads(jigong("shell", "--no-imports", "-c", code, env=env).stdout)
    return student_fields(
        school,
        id_number=f.id_number(birth=datetime.date(2008, 1, 1)),
        name="首测用户",
        edition=edition,
        major=major,
    )


def test_first_run_serves_with_worker_key_and_demo_then_a_second_run_keeps_the_data(platform):
    env, port = platform, free_port()
    data = Path(env["JIGONG_DATA_DIR"])
    up = Up(env, port, "--demo", "small")
    try:
        up.wait_for("平台已启动")
        up.wait_for("演示数据已生成")
        deadline = time.monotonic() + 30
        while up.text().count("平台已启动") < 2:  # printed again when the demo is complete
            assert time.monotonic() < deadline, up.text()[-3000:]
            time.sleep(0.2)
        ready = up.text().rsplit("平台已启动", 1)[1]
        assert f"http://127.0.0.1:{port}/" in ready
        assert up.text().rstrip().splitlines()[-1].startswith("平台已启动")  # the last line
        assert "school-" in up.text() and "Jigong-School-2025" in up.text()  # the log-ins
        assert list((data / "keys").glob("*.json")), "no signing key was made"
        kids = up.children()
        assert kids.get("serve") and kids.get("worker"), kids
        # Certificates printed by the server or the worker carry this platform's address
        # in their QR code, not the default's.
        for pid in (kids["serve"][0], kids["worker"][0]):
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"JIGONG_PUBLIC_URL=http://127.0.0.1:{port}".encode() in environ

        # A page import runs on the worker (nothing stays 排队中).
        row = _school_row(env)
        browser = Browser(port)
        status, _r, body = browser.login(f"school-{row['学校代码']}", SCHOOL_PASSWORD)
        assert status == 302, body[:500]
        header = list(row)
        status, r, body = browser.post(
            "/imports/students/",
            {"mode": "all"},
            files={"file": ("students.xlsx", xlsx([[row[h] for h in header]], header=header))},
        )
        assert status == 302, body[:1000]
        job = r.getheader("Location").rstrip("/").rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while (state := browser.json(f"/jobs/imports/{job}/status.json"))["state"] != "done":
            assert state["state"] != "failed", state
            assert time.monotonic() < deadline, state
            time.sleep(0.3)
        assert "1" in state["text"] and "错误" not in state["text"], state

        # A worker that dies is started again.
        (worker,) = kids["worker"]
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not [p for p in up.children().get("worker", []) if p != worker]:
            assert time.monotonic() < deadline, up.text()[-2000:]
            time.sleep(0.2)
        assert "意外退出" in up.text() and "已重新启动" in up.text()
        everything = [p for pids in up.children().values() for p in pids]
    finally:
        code = up.stop()
    assert code == 0, up.text()[-3000:]
    assert "已停止" in up.text()
    time.sleep(0.5)
    assert not [p for p in everything if _alive(p)], "children outlived the supervisor"

    # The second run migrates, keeps the imported row, builds nothing, serves quickly.
    again = Up(env, port, "--demo", "small")
    try:
        seconds = again.wait_for("平台已启动", seconds=60)
        assert "开始生成演示数据" not in again.text()
        assert seconds < 30, (seconds, again.text())
        count = jigong(
            "shell",
            "--no-imports",
            "-c",
            "from jigong.students.models import Person as P;"
            "print(P.objects.filter(name='首测用户').count())",
            env=env,
        ).stdout.strip()
        assert count == "1"
    finally:
        assert again.stop() == 0

    # Rebuilding the demo over a user's data is refused without --force.
    refused = jigong("demo", "--scale", "small", "--reset", "--yes", env=env, check=False)
    assert refused.returncode != 0
    assert "--force" in refused.stderr and "用户" in refused.stderr


def test_demo_on_a_fresh_data_folder_migrates_first(tmp_path, engine):
    extra = {} if engine == "sqlite" else {"DATABASE_URL": engine.url(engine.create("fresh"))}
    env = clean_env(tmp_path, **extra)
    run = jigong("demo", "--scale", "small", "--no-progress", env=env)
    assert "完成" in run.stdout
    # A command run before set-up says what to run, in one line, without a traceback.
    fresh = clean_env(tmp_path / "other")
    before = jigong("verify", "X", "张三", env=fresh, check=False)
    assert before.returncode == 2
    assert before.stderr.strip().count("\n") == 0, before.stderr
    assert "尚未初始化" in before.stderr and "Traceback" not in before.stderr
