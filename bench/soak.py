"""``python -m bench soak [--minutes 10] [--data-dir DIR] [--workers 2] [--threads 8]``.

A steady mixed load against `jigong serve` (Granian, production profile, database cache)
on loopback over the demo world in ``--data-dir`` (or ``DATABASE_URL``; build it first
with ``jigong migrate`` and ``jigong demo --scale full``), at fixed rates for the whole
run, after a short warm-up:

    department   GET /api/v1/department/verify with X-API-Key (a key at the maximum
                 per-minute limit), 90% right names, 10% wrong
    public       GET /api/v1/certificates/verify, anonymous, at --public-rate (default
                 0.4/s = 24/min, under the production limit of 30/min per address; each
                 request a different certificate, always the right name, so the
                 per-number limit and the miss challenge are never reached)
    school       a school user: registration and certificate lists, registration
                 details, the dashboard
    district     a district user: school list and details, registration list pages,
                 the dashboard
    city         a municipal user: dashboard, registration and certificate lists,
                 school details
    export       the school user's certificate export (CSV) every --export-every s

Every response must be 200 (a redirect to the login page, a 429 or a 5xx is an error).
Latency is measured per request from the moment it is sent. Server memory: VmRSS of the
server process and its workers from /proc every 10 s; growth = mean of the last
minute's samples − mean of the first minute's.

Expect one bump near the 10-minute mark: dashboard figures are recomputed in
background threads of the server when they are ``MAX_AGE`` (600 s) old
(jigong/indicators/cache.py), which costs CPU and memory for a minute or so; run
``--minutes 15`` to see past it.

Last line: ``BENCH soak ratio=<last-minute p99 ÷ first-minute p99, all classes>
errors=<n> rss_growth_mib=<MiB> requests=<n> p99_ms=<all>``; ratio near 1 means no
drift (lower is better).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.world import open_world

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-" + "s" * 20 + "-soak-secret-key-0123456789abcdefghijklmn"
PASSWORDS = {
    "school": "Jigong-School-2025",
    "district": "Jigong-District-2025",
    "city": "Jigong-City-2025",
}


# --- HTTP client: keep-alive connection, cookies by hand (the production cookies are
# __Host- and Secure; the server sees https through X-Forwarded-Proto) -----------------


class Client:
    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"}
        self.headers.update(headers or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        hdrs = dict(self.headers)
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
            except BaseException:  # a timeout: this connection is unusable, open a new one
                self.conn.close()
                self.conn = None
                raise
        for header, value in r.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return r.status, r, data

    def login(self, username: str, password: str) -> None:
        status, _r, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"login page: {status}")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        ).encode()
        origin = f"https://127.0.0.1:{self.port}"
        status, _r, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/accounts/login/",
            },
        )
        if status != 302:
            raise SystemExit(f"login of {username} failed: {status}")


# --- load -------------------------------------------------------------------------------


@dataclass
class Traffic:
    name: str
    rate: float  # requests per second
    paths: list  # (path, headers) cycled
    client_factory: object
    threads: int = 1
    samples: list = field(default_factory=list)  # (t_since_start, ms, ok)


def _drive(traffic: Traffic, start: float, stop: float, warm: float, lock: threading.Lock):
    period = 1.0 / traffic.rate

    def worker(k: int):
        client = traffic.client_factory()
        i = k
        due = start + k * period
        while True:
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            if time.monotonic() >= stop:
                return
            path, headers = traffic.paths[i % len(traffic.paths)]
            t0 = time.monotonic()
            try:
                status, _r, _data = client.request("GET", path, headers=headers)
                ok = status == 200
            except Exception as exc:  # counted as an error
                ok, status = False, type(exc).__name__
            ms = (time.monotonic() - t0) * 1000
            if t0 >= warm:
                with lock:
                    traffic.samples.append((t0 - warm, ms, ok, status, path))
            i += traffic.threads
            due += period * traffic.threads
            if due < time.monotonic() - 5:  # far behind: do not burst to catch up
                due = time.monotonic()

    threads = [
        threading.Thread(target=worker, args=(k,), daemon=True) for k in range(traffic.threads)
    ]
    for t in threads:
        t.start()
    return threads


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


# --- server and memory ------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _wait(url_port: int, proc, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", url_port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not answer /healthz")


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--data-dir", default=os.environ.get("JIGONG_DATA_DIR", ""))
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds, not measured")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=18761)
    parser.add_argument("--department-rate", type=float, default=20.0)
    parser.add_argument("--public-rate", type=float, default=0.4)
    parser.add_argument("--school-rate", type=float, default=3.0)
    parser.add_argument("--district-rate", type=float, default=1.5)
    parser.add_argument("--city-rate", type=float, default=1.5)
    parser.add_argument("--export-every", type=float, default=30.0)
    args = parser.parse_args(argv or [])
    total = open_world(parser, args)
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from jigong.certificates.models import GraduationCertificate
    from jigong.core.models import ApiKey, ApiKeyScope, User
    from jigong.public import services
    from jigong.schools.models import School
    from jigong.students.models import Registration

    rng = random.Random(2025)
    # the busiest school with a school user, and its district's user
    users = set(User.objects.filter(role="school").values_list("school_id", flat=True))
    busiest = (
        Registration.objects.filter(school_id__in=users)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    school = School.objects.select_related("district").get(pk=busiest["school_id"])
    school_user = f"school-{school.code}"
    district_user = f"district-{school.district.code}"
    if not User.objects.filter(username=district_user).exists():
        district_user = User.objects.filter(role="district").order_by("username").first().username
    reg_ids = list(
        Registration.objects.filter(school=school).order_by("?").values_list("pk", flat=True)[:300]
    )
    all_reg_pages = list(range(1, 51))
    school_ids = list(School.objects.values_list("pk", flat=True))
    district_schools = (
        list(School.objects.filter(district=school.district).values_list("pk", flat=True))
        or school_ids
    )
    ids = list(GraduationCertificate.objects.order_by().values_list("pk", flat=True))
    picked = rng.sample(ids, min(6000, len(ids)))
    pairs = list(
        GraduationCertificate.objects.filter(pk__in=picked).values_list(
            "number", "registration__person__name"
        )
    )
    rng.shuffle(pairs)
    dept = []
    for number, name in pairs[:4000]:
        if rng.random() < 0.1:
            name = name[:1] + "某" + name[2:]
        dept.append(urllib.parse.urlencode({"number": number, "name": name}))
    public = [urllib.parse.urlencode({"number": n, "name": m}) for n, m in pairs[4000:]]
    issued = services.api_key_create(
        actor=None,
        name="bench soak",
        scopes=[ApiKeyScope.VERIFY],
        rate_per_minute=services.MAX_RATE,
    )
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="jigong-bench-soak-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(
        JIGONG_PROFILE="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JIGONG_STATIC_MANIFEST="0",
        LOG_LEVEL="ERROR",
        JIGONG_LOG_DIR=str(work),
    )
    command = [
        sys.executable,
        "-m",
        "jigong",
        "serve",
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--no-access-log",
    ]
    seconds = args.minutes * 60
    print(
        f"certificates={total} school={school.code} ({school_user}, {district_user}) "
        f"workers={args.workers} threads={args.threads} minutes={args.minutes} "
        f"rates/s department={args.department_rate} public={args.public_rate} "
        f"school={args.school_rate} district={args.district_rate} city={args.city_rate} "
        f"export every {args.export_every}s",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "-m", "jigong", "createcachetable"], cwd=ROOT, env=env, check=True
    )
    proc = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    rss: list[tuple[float, int]] = []
    lock = threading.Lock()
    try:
        _wait(args.port, proc)
        port = args.port

        def logged(role: str, username: str):
            def make():
                c = Client(port)
                c.login(username, PASSWORDS[role])
                return c

            return make

        key = {"X-API-Key": issued.key}
        no = {}
        traffic = [
            Traffic(
                "department",
                args.department_rate,
                [(f"/api/v1/department/verify?{q}", key) for q in dept],
                lambda: Client(port),
                threads=4,
            ),
            Traffic(
                "public",
                args.public_rate,
                [(f"/api/v1/certificates/verify?{q}", no) for q in public],
                lambda: Client(port),
            ),
            Traffic(
                "school",
                args.school_rate,
                [
                    p
                    for i, r in enumerate(reg_ids)
                    for p in (
                        (f"/registrations/{r}/", no),
                        (f"/registrations/?page={i % 20 + 1}", no),
                        (f"/graduation-certificates/?page={i % 10 + 1}", no),
                        ("/dashboard/", no),
                    )
                ],
                logged("school", school_user),
                threads=2,
            ),
            Traffic(
                "district",
                args.district_rate,
                [
                    p
                    for i, s in enumerate(district_schools * 10)
                    for p in (
                        (f"/schools/{s}/", no),
                        (f"/registrations/?page={all_reg_pages[i % 50]}", no),
                        ("/schools/", no),
                        ("/dashboard/", no),
                    )
                ],
                logged("district", district_user),
            ),
            Traffic(
                "city",
                args.city_rate,
                [
                    p
                    for i, s in enumerate(school_ids)
                    for p in (
                        ("/dashboard/", no),
                        (f"/registrations/?page={i % 50 + 1}", no),
                        (f"/graduation-certificates/?page={i % 50 + 1}", no),
                        (f"/schools/{s}/", no),
                    )
                ],
                logged("city", "city"),
            ),
            Traffic(
                "export",
                1.0 / args.export_every,
                [("/imports/graduations/export.csv", no)],
                logged("school", school_user),
            ),
        ]
        start = time.monotonic() + 1.0
        warm = start + args.warmup
        stop = warm + seconds
        threads = [t for tr in traffic for t in _drive(tr, start, stop, warm, lock)]

        def sample_rss():
            while time.monotonic() < stop + 1:
                now = time.monotonic()
                if now >= warm:
                    rss.append((now - warm, sum(_rss_kib(p) for p in _tree(proc.pid))))
                time.sleep(10 - (time.monotonic() - now) % 10)

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        last_report = warm
        while time.monotonic() < stop:
            time.sleep(1)
            if time.monotonic() - last_report >= 60:
                last_report = time.monotonic()
                with lock:
                    n = sum(len(t.samples) for t in traffic)
                    bad = sum(1 for t in traffic for s in t.samples if not s[2])
                print(
                    f"  t={last_report - warm:5.0f}s requests={n} errors={bad} "
                    f"rss={rss[-1][1] / 1024 if rss else 0:.0f} MiB",
                    flush=True,
                )
        for t in threads:
            t.join(timeout=120)
        sampler.join(timeout=15)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        error_log = work / "error.log"
        lines = error_log.read_text().splitlines() if error_log.exists() else []
        logged_errors = [x for x in lines if '"level": "ERROR"' in x or '"CRITICAL"' in x]
        warnings = [x for x in lines if '"level": "WARNING"' in x and "threads" not in x]
        shutil.rmtree(work, ignore_errors=True)
        ApiKey.objects.filter(pk=issued.api_key.pk).update(revoked_at=timezone.now())

    first_lo, last_lo = 60.0, seconds - 60.0
    print(
        f"{'class':<11}{'requests':>9}{'errors':>7}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'p99 1st min':>13}{'p99 last min':>14}"
    )
    everything, errors = [], []
    for tr in traffic:
        ms = [s[1] for s in tr.samples]
        bad = [s for s in tr.samples if not s[2]]
        errors += bad
        everything += tr.samples
        first = [s[1] for s in tr.samples if s[0] < first_lo]
        last = [s[1] for s in tr.samples if s[0] >= last_lo]
        print(
            f"{tr.name:<11}{len(ms):>9}{len(bad):>7}{_pct(ms, 0.5):>9.1f}{_pct(ms, 0.99):>9.1f}"
            f"{_pct(first, 0.99):>13.1f}{_pct(last, 0.99):>14.1f}"
        )
    for s in errors[:10]:
        print(f"  error: t={s[0]:.1f}s status={s[3]} {s[4][:100]}")
    first = [s[1] for s in everything if s[0] < first_lo]
    last = [s[1] for s in everything if s[0] >= last_lo]
    ratio = _pct(last, 0.99) / _pct(first, 0.99)
    rss_first = [v for t, v in rss if t < first_lo]
    rss_last = [v for t, v in rss if t >= last_lo]
    growth = (
        (statistics.mean(rss_last) - statistics.mean(rss_first)) / 1024
        if rss_first and rss_last
        else float("nan")
    )
    print(
        "server RSS (MiB, server + workers): "
        + " ".join(f"{t:.0f}s={v / 1024:.0f}" for t, v in rss)
    )
    print(f"server error-log lines: ERROR {len(logged_errors)}, WARNING {len(warnings)}")
    for line in logged_errors[:5] + warnings[:5]:
        print("  " + line[:300])
    rps = len(everything) / seconds
    all_ms = [s[1] for s in everything]
    print(
        f"BENCH soak ratio={ratio:.2f} errors={len(errors)} rss_growth_mib={growth:.1f} "
        f"requests={len(everything)} rps={rps:.1f} p50_ms={_pct(all_ms, 0.5):.1f} "
        f"p99_ms={_pct(all_ms, 0.99):.1f} "
        f"p99_first_min_ms={_pct(first, 0.99):.1f} p99_last_min_ms={_pct(last, 0.99):.1f}"
    )
    return 1 if errors else 0
