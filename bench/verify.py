"""``python -m bench verify [--data-dir DIR] [--seconds S] [--connections C] [--threads T]
[--full-stack]``.

Department JSON verification (``GET /api/v1/department/verify?number=…&name=…`` with
``X-API-Key``) under `jigong serve` (Granian, WSGI, production profile, shared database
cache for the rate-limit counters) on loopback, over the demo world in ``--data-dir``
(or ``DATABASE_URL``; build it first with ``jigong migrate`` and ``jigong demo --scale
full``). The request takes the fast path (jigong/public/fastpath.py; ``--full-stack``
sends it through the whole middleware stack and django-ninja instead, for comparison).
The key's per-minute limit (1,000,000) is above the load, so the limiter runs on every
request. 90% of the requests are certificates with the holder's right name, 10% a wrong
name; every request is written to the (buffered) query log.

The ceiling, measured in the same run under the same server with the same worker and
thread counts: a bare WSGI function (``bench.verify:ceiling``) that parses the query
string, runs the same indexed look-up (certificate by number joined to holder and
school) on the same database with the driver directly, compares the name and returns
masked JSON — no Django, no key, no limiter, no log.

Server and load generator are pinned to separate cores with ``taskset`` (server on
``--server-cpus``, wrk on ``--load-cpus``), each server in its own process group on a
free port, its output in a file (shown when something fails). Before the load, one real
request must answer ``found: true`` (a missing cache table, a wrong key or world stops
the run with the server's log); any non-2xx response during the load is an error.
wrk's Lua script cycles through the sampled (number, name) pairs and sends the key.

Also timed: one ``POST /api/v1/department/verify/batch`` of 10,000 items through the
same server (best of 3).

ratio = project requests/s ÷ ceiling requests/s (higher is better; goal ≥ 0.3, p99 <
25 ms, batch < 2 s). Also reported: each server's CPU time (user + system, all its
processes, from /proc) per request during its run, and cpu_ratio = ceiling µs ÷ project
µs — the same comparison, far less moved by other work on the server's core (which
takes from whichever server is running at the time, not from both alike). Threads: 2
per worker measured best on the 2-core machine (one core for the server); the figures
move a lot when other work shares the cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-" + "v" * 20 + "-verify-secret-key-0123456789abcdefghijkl"

# --- the ceiling: a bare WSGI function ---------------------------------------------------

_local = threading.local()


from bench.world import open_world  # noqa: E402
from jigong.core import pii  # noqa: E402  (Django-free when JIGONG_PII_KEY is set)


def _connect():
    url = os.environ["BENCH_VERIFY_DB"]
    if url.startswith("postgres"):
        import psycopg

        conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
        return conn, "%s"
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn, "?"


def _mask(name: str) -> str:
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def ceiling(environ, start_response):
    """The same indexed query as the endpoint, answered as JSON, nothing else."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = _connect()
    db, mark = conn
    q = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    number = q.get("number", [""])[0]
    name = q.get("name", [""])[0]
    cur = db.cursor()
    cur.execute(os.environ["BENCH_VERIFY_SQL"].replace("?", mark), (number,))
    row = cur.fetchone()
    if row is None or row[1] != name:
        body = {"found": False, "message": "未查到"}
    else:
        n, holder, sealed, level, status, issued_on, school = row
        id_number = pii.open_(sealed, "students.person.id_number")  # key from JIGONG_PII_KEY
        body = {
            "found": True,
            "number": n,
            "holder": _mask(holder),
            "id_number": id_number[:4] + "*" * 10 + id_number[-4:],
            "level": level,
            "status": status,
            "issued_on": str(issued_on),
            "school": school,
        }
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        "200 OK",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


# --- the harness -------------------------------------------------------------------------

LUA = """
local pairs_ = {}
for line in io.lines("%(pairs)s") do pairs_[#pairs_ + 1] = line end
local i = 0
request = function()
  i = i + 1
  if i > #pairs_ then i = 1 end
  return wrk.format("GET", "%(path)s?" .. pairs_[i], {["X-API-Key"] = "%(key)s",
    ["X-Forwarded-Proto"] = "https", ["X-Real-IP"] = "10.0.0.1"})
end
"""


def _wait(url: str, proc, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            req = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _wrk(url: str, script: Path, seconds: int, connections: int, cpus: str) -> dict:
    run = subprocess.run(
        [
            "taskset",
            "-c",
            cpus,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = run.stdout
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(*p50.groups()),
        "p99": _ms(*p99.groups()),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def _serve(command, env, cpus: str, log: Path):
    # The server's output goes to a file: a pipe nobody reads fills up (64 KiB of error
    # tracebacks) and then blocks the server in mid-request — the "0 req/s" of old runs.
    with log.open("w") as out:
        return subprocess.Popen(
            ["taskset", "-c", cpus, *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, stopped as one (_stop)
        )


def _tail(log: Path, n: int = 4000) -> str:
    try:
        return log.read_text(errors="replace")[-n:]
    except OSError:
        return ""


def _probe(url: str, key: str | None, expect_found: bool) -> None:
    """One real request before the load: the right answer, or stop with the reason."""
    headers = {"X-Forwarded-Proto": "https", "X-Real-IP": "10.0.0.3"}
    if key:
        headers["X-API-Key"] = key
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    if status != 200 or json.loads(body).get("found") is not expect_found:
        raise RuntimeError(f"probe {url} answered {status}: {body[:300]!r}")


def _stop(proc) -> None:
    """SIGTERM the server, then SIGKILL its whole process group: a worker left behind
    keeps the port and answers the next run."""
    proc.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes of a process group (a server and
    its workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group:  # pgrp; utime and stime follow
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _batch(base: str, key: str, items: list[tuple[str, str]], repeat: int) -> float:
    body = json.dumps({"items": [{"number": n, "name": m} for n, m in items]}).encode()
    best = float("inf")
    for _ in range(repeat):
        req = urllib.request.Request(
            base + "/api/v1/department/verify/batch",
            data=body,
            method="POST",
            headers={
                "X-API-Key": key,
                "Content-Type": "application/json",
                "X-Forwarded-Proto": "https",
                "X-Real-IP": "10.0.0.2",
            },
        )
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as r:
            result = json.loads(r.read())
        best = min(best, time.perf_counter() - t)
        assert result["total"] == len(items), result.get("detail")
    return best


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench verify")
    parser.add_argument("--data-dir", default=os.environ.get("JIGONG_DATA_DIR", ""))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--load-cpus", default="1")
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument(
        "--full-stack",
        action="store_true",
        help="send the project's requests through the whole middleware stack "
        "(JIGONG_FAST_PATH=0), as before the fast path",
    )
    args = parser.parse_args(argv or [])
    if not shutil.which("wrk") or not shutil.which("taskset"):
        parser.error("needs wrk and taskset (Debian: apt-get install wrk util-linux)")
    total = open_world(parser, args)
    from django.db import connection
    from django.utils import timezone

    from jigong.certificates.models import GraduationCertificate
    from jigong.core.models import ApiKey, ApiKeyScope
    from jigong.public import services
    from jigong.schools.models import School
    from jigong.students.models import Person, Registration

    rng = random.Random(2025)
    ids = list(GraduationCertificate.objects.order_by().values_list("pk", flat=True))
    picked = rng.sample(ids, min(args.sample, len(ids)))
    rows = list(
        GraduationCertificate.objects.filter(pk__in=picked).values_list(
            "number", "registration__person__name"
        )
    )
    lines = []
    for number, name in rows:
        if rng.random() < 0.1:
            name = name[:1] + "某" + name[2:]  # wrong name
        lines.append(urllib.parse.urlencode({"number": number, "name": name}))
    rng.shuffle(lines)
    batch_items = [(n, m) for n, m in rows][:10000]
    while len(batch_items) < 10000:
        batch_items.append(batch_items[len(batch_items) % len(rows)])

    issued = services.api_key_create(
        actor=None,
        name="bench verify",
        scopes=[ApiKeyScope.VERIFY, ApiKeyScope.VERIFY_BATCH],
        rate_per_minute=services.MAX_RATE,
    )
    settings_db = connection.settings_dict
    if settings_db["ENGINE"].endswith("sqlite3"):
        db_url = f"sqlite:///{settings_db['NAME']}"
    else:
        db_url = os.environ["DATABASE_URL"]
    t = {m: m._meta.db_table for m in (GraduationCertificate, Registration, Person, School)}
    sql = (
        f"SELECT c.number, p.name, p.id_number_enc, c.level, c.status, c.issued_on, s.name "
        f"FROM {t[GraduationCertificate]} c "
        f"JOIN {t[Registration]} r ON r.id = c.registration_id "
        f"JOIN {t[Person]} p ON p.id = r.person_id "
        f"JOIN {t[School]} s ON s.id = c.school_id WHERE c.number = ?"
    )
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="jigong-bench-verify-"))
    pairs_file = work / "pairs.txt"
    pairs_file.write_text("\n".join(lines) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "JIGONG_CACHE"}}
    env.update(
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
        BENCH_VERIFY_DB=db_url,
        BENCH_VERIFY_SQL=sql,
        JIGONG_PII_KEY=pii.keyring().masters[0],  # the ceiling opens ID numbers too
        JIGONG_PII_KEYS_OLD=",".join(pii.keyring().masters[1:]),
        JIGONG_FAST_PATH="0" if args.full_stack else "1",
    )
    # The limiter's shared counters live in the production profile's database cache:
    # its table is made under that profile (the bench's own settings use locmem, so
    # creating it here did nothing and every request of a fresh world failed).
    subprocess.run(
        [sys.executable, "-m", "jigong", "createcachetable"], cwd=ROOT, env=env, check=True
    )
    found_pair = next(urllib.parse.urlencode({"number": n, "name": m}) for n, m in rows)
    print(
        f"certificates={total} sample={len(lines)} workers={args.workers} "
        f"threads={args.threads} connections={args.connections} seconds={args.seconds} "
        f"server cpus={args.server_cpus} load cpus={args.load_cpus} (of {os.cpu_count()})"
    )

    port_a, port_b = _free_port(), _free_port()  # never a server left by another run
    results = {}
    batch_s = float("nan")
    servers = {
        "project": (
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
                # The dashboard warm-up child would inherit the server's core and
                # process group: its CPU would compete with the load and be counted.
                "--no-warm",
            ],
            port_a,
            "/api/v1/department/verify",
            "/healthz",
            issued.key,
        ),
        "ceiling": (
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port_b),
                "--workers",
                str(args.workers),
                "--blocking-threads",
                str(args.threads),
                "--backpressure",
                str(args.threads * 2),
                "--no-access-log",
                "--log-level",
                "error",
                "bench.verify:ceiling",
            ],
            port_b,
            "/verify",
            "/verify?number=x&name=y",
            None,
        ),
    }
    try:
        for label, (command, port, path, probe, key) in servers.items():
            base = f"http://127.0.0.1:{port}"
            script = work / f"{label}.lua"
            script.write_text(LUA % {"pairs": pairs_file, "path": path, "key": issued.key})
            log = work / f"{label}.log"
            proc = _serve(command, env, args.server_cpus, log)
            try:
                _wait(base + probe, proc)
                _probe(f"{base}{path}?{found_pair}", key, True)
                _wrk(base + path, script, 3, args.connections, args.load_cpus)  # warm-up
                cpu = _cpu_seconds(proc.pid)
                r = results[label] = _wrk(
                    base + path, script, args.seconds, args.connections, args.load_cpus
                )
                cpu = _cpu_seconds(proc.pid) - cpu
                r["cpu_us"] = cpu / max(1.0, r["rps"] * args.seconds) * 1e6
                print(
                    f"  {label:8} {r['rps']:9.0f} req/s  p50 {r['p50']:6.2f} ms  "
                    f"p99 {r['p99']:6.2f} ms  non-2xx {r['bad']} {r['socket_errors']}  "
                    f"server CPU {r['cpu_us']:.0f} µs/request"
                )
                if r["bad"] or not r["rps"]:
                    raise RuntimeError(f"{label}: {r['bad']} error responses")
                if label == "project":
                    batch_s = _batch(base, issued.key, batch_items, 3)
                    print(f"  project  batch of {len(batch_items)}: {batch_s:.3f} s (best of 3)")
            except Exception:
                print(f"--- {label} server log (tail) ---\n{_tail(log)}", file=sys.stderr)
                raise
            finally:
                _stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ApiKey.objects.filter(pk=issued.api_key.pk).update(revoked_at=timezone.now())

    p, c = results["project"], results["ceiling"]
    ratio = p["rps"] / c["rps"] if c["rps"] else float("nan")
    print(
        f"BENCH verify ratio={ratio:.2f} rps={p['rps']:.0f} p50_ms={p['p50']:.2f} "
        f"p99_ms={p['p99']:.2f} ceiling_rps={c['rps']:.0f} ceiling_p99_ms={c['p99']:.2f} "
        f"batch10000_s={batch_s:.3f} errors={p['bad']} cpu_us={p['cpu_us']:.0f} "
        f"ceiling_cpu_us={c['cpu_us']:.0f} cpu_ratio={c['cpu_us'] / p['cpu_us']:.2f}"
    )
    return 0
