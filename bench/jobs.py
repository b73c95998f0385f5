"""`python -m bench jobs [--rows N]`: an import through the background queue against
the same import run directly (what `jigong import` does).

On a scratch SQLite data folder: the baseline is ``run_import`` of an N-row 学籍 CSV in
this process; the project is what a page upload costs — the submit (store the file,
job and queue rows: the whole request) and the time until a real ``jigong worker
--batch`` subprocess has finished the job. The worker's start-up (Python, Django,
checks) is measured on an empty queue and printed beside it.
Ratio = (submit → job done) ÷ direct import (lower is better; ≈ 1 + start-up share).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _worker(folder: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "JIGONG_PROFILE"}}
    env["JIGONG_DATA_DIR"] = str(folder)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "jigong", "worker", "--batch", "--no-startup-delay", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - t0


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench jobs")
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        folder = Path(tmp)
        from bench.import_bench import _reset, _setup_django, _world, _write_files

        _setup_django(folder, "sqlite")
        from django.core.files.uploadedfile import SimpleUploadedFile

        from jigong.core.imports.runner import run_import
        from jigong.core.models import Role, User
        from jigong.jobs.models import ImportJob
        from jigong.jobs.services import import_job_submit

        _world()
        user = User.objects.create(username="bench", role=Role.MUNICIPAL)
        _xlsx, csvp = _write_files(args.rows, folder)
        data = csvp.read_bytes()

        _reset()
        t0 = time.perf_counter()
        result = run_import("students", str(csvp), user=user, mode="all")
        direct = time.perf_counter() - t0
        if result.created != args.rows:
            print(result.summary(), file=sys.stderr)
            return 1
        startup = _worker(folder)  # empty queue: start-up and shutdown only

        _reset()
        t0 = time.perf_counter()
        job = import_job_submit(
            actor=user,
            kind="students",
            upload=SimpleUploadedFile("students.csv", data),
            mode="all",
        )
        submit = time.perf_counter() - t0
        worker = _worker(folder)
        total = time.perf_counter() - t0
        job = ImportJob.objects.get(pk=job.pk)
        if job.state != "done" or job.created != args.rows:
            print(job.state, job.error, job.summary, file=sys.stderr)
            return 1
        ratio = total / direct
        print(
            f"{args.rows} rows (CSV, SQLite): direct run_import {direct:.2f}s | "
            f"queued: submit (the request) {submit * 1000:.0f} ms, worker --batch "
            f"{worker:.2f}s (of which start-up {startup:.2f}s), submit → done {total:.2f}s | "
            f"ratio {ratio:.2f}"
        )
        print(
            f"BENCH jobs ratio={ratio:.2f} submit_ms={submit * 1000:.0f} direct_s={direct:.2f} "
            f"queued_total_s={total:.2f} worker_startup_s={startup:.2f} rows={args.rows}"
        )
    return 0
