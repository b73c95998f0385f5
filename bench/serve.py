"""``python -m bench serve [--seconds S] [--workers N] [--threads T] [--connections C]``.

Throughput of `jigong serve` (Granian, WSGI) against gunicorn (gthread workers, the
usual Django server) as the baseline measured in the same run: same application, same
production profile, same database (a small demo world in a temporary SQLite folder),
same worker and thread counts, access logs off. Load from wrk (Debian's `wrk`) on
loopback, or a Python keep-alive client when wrk is missing. Paths:

    /healthz                     Django + one database query
    /accounts/login/             a rendered page (template, CSRF cookie)
    /static/<hashed portal css>  WhiteNoise, compressed file
    /api/v1/certificates/verify  anonymous JSON verification (a miss; rate limits raised)

ratio = geometric mean over the paths of Granian requests/s ÷ gunicorn requests/s
(higher is better).
"""

import argparse
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-" + "x" * 20 + "-serve-secret-key-0123456789abcdefghijkl"
HEADERS = {"X-Forwarded-Proto": "https"}


def _env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        JIGONG_DATA_DIR=str(data),
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_VERIFY_RATE_PER_IP="100000000",
        JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE="100000000",
        JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER="100000000",
        JIGONG_VERIFY_MISSES_PER_NUMBER="100000000",
        JIGONG_VERIFY_KEY_MISSES="100000000",
        LOG_LEVEL="ERROR",
    )
    return env


def _jigong(env, *args):
    subprocess.run(
        [sys.executable, "-m", "jigong", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=5) as r:
        return r.status, r.read()


def _wait(url: str, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx/3xx responses)."""
    run = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = run.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def _python_load(url: str, seconds: int, connections: int) -> tuple[float, float, int]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    bad = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request("GET", path, headers=HEADERS)
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t)
            if r.status >= 400:
                bad[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0
    return len(latencies) / seconds, p99, bad[0]


def _measure(name, command, env, port, paths, args) -> dict:
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/healthz", proc)
        load = _wrk if shutil.which("wrk") else _python_load
        results = {}
        for label, path in paths.items():
            load(base + path, 2, args.connections)  # warm-up
            results[label] = load(base + path, args.seconds, args.connections)
            rps, p99, bad = results[label]
            print(f"  {name:8} {label:8} {rps:9.0f} req/s  p99 {p99:7.1f} ms  errors {bad}")
        return results
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench serve")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv or [])

    data = Path(tempfile.mkdtemp(prefix="jigong-bench-serve-"))
    env = _env(data)
    print(f"setting up a small demo world in {data} …")
    _jigong(env, "migrate", "-v0")
    _jigong(env, "createcachetable")
    _jigong(env, "collectstatic", "--noinput", "-v0")
    _jigong(env, "demo", "--scale", "small", "--no-progress")
    manifest = (data / "static" / "staticfiles.json").read_text()
    css = re.search(r'"jigong/portal\.css": "([^"]+)"', manifest).group(1)
    paths = {
        "healthz": "/healthz",
        "page": "/accounts/login/",
        "static": f"/static/{css}",
        "verify": "/api/v1/certificates/verify?number=G50000120251000001&name=%E5%BC%A0%E4%B8%89",
    }
    loader = "wrk" if shutil.which("wrk") else "python client"
    print(
        f"workers={args.workers} threads={args.threads} connections={args.connections} "
        f"seconds={args.seconds} load={loader} cpus={os.cpu_count()}"
    )
    port_a, port_b = 18731, 18732
    granian = _measure(
        "granian",
        [
            sys.executable,
            "-m",
            "jigong",
            "serve",
            "--port",
            str(port_a),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--no-access-log",
        ],
        env,
        port_a,
        paths,
        args,
    )
    gunicorn = _measure(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "jigong.wsgi:application",
            "-b",
            f"127.0.0.1:{port_b}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "error",
        ],
        env,
        port_b,
        paths,
        args,
    )
    shutil.rmtree(data, ignore_errors=True)
    ratios = [granian[k][0] / gunicorn[k][0] for k in paths if gunicorn[k][0]]
    ratio = math.prod(ratios) ** (1 / len(ratios)) if ratios else float("nan")
    figures = " ".join(
        f"{label}_rps={granian[label][0]:.0f} {label}_p99_ms={granian[label][1]:.1f} "
        f"{label}_rps_gunicorn={gunicorn[label][0]:.0f}"
        for label in paths
    )
    errors = sum(r[2] for r in granian.values())
    print(f"BENCH serve ratio={ratio:.2f} {figures} errors={errors}")
    return 0
