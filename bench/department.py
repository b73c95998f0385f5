"""``python -m bench department [--rows 1000000] [--data-dir DIR] [--repeat 20]``.

The department's home page (its own API keys with each key's last use, the example
calls) on a query log of ``--rows`` rows, three quarters of them from one of the
department's two keys: server time of ``GET /`` as the department, through Django's full
request path. The ceiling, measured in the same run: ``GET /healthz``. ratio = median
page seconds ÷ median health seconds (lower is better). The last use is read through
the query log's (api_key, -at) index; without it the page read every row of the key.

``--data-dir`` reuses a database (the rows are added once, under a key named
``bench-department``); otherwise a fresh temporary SQLite database is made.
"""

import argparse
import datetime
import os
import statistics
import tempfile
import time


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench department")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    fresh = not args.data_dir
    os.environ["JIGONG_DATA_DIR"] = args.data_dir or tempfile.mkdtemp(prefix="jigong-bench-dept-")
    if fresh:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from jigong.core.models import ApiKey, Role, User
    from jigong.public import services

    call_command("migrate", verbosity=0)
    dept, _ = User.objects.get_or_create(
        username="bench-department", defaults={"role": Role.DEPARTMENT}
    )
    if not ApiKey.objects.filter(holder=dept).exists():
        busy = services.api_key_create(
            actor=None, name="bench-department", scopes=["verify"], holder=dept
        ).api_key
        quiet = services.api_key_create(
            actor=None, name="bench-department", scopes=["verify"], holder=dept
        ).api_key
        now = timezone.now()
        t0 = time.perf_counter()
        for start in range(0, args.rows, 100_000):
            services.query_log_write(
                [
                    (
                        now - datetime.timedelta(seconds=i),
                        busy.pk if i % 4 else quiet.pk,
                        "bench",
                        "127.0.0.1",
                        "api_single",
                        "",
                        "X",
                        "",
                        False,
                        "",
                    )
                    for i in range(start, min(start + 100_000, args.rows))
                ]
            )
        print(f"query log: {args.rows} rows written in {time.perf_counter() - t0:.1f} s")

    client = Client(HTTP_HOST="localhost")  # in the default ALLOWED_HOSTS
    client.force_login(dept)

    def timed(path: str) -> list[float]:
        client.get(path)  # warm
        out = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = client.get(path)
            out.append(time.perf_counter() - t)
            assert r.status_code == 200, (path, r.status_code)
        return out

    page = timed("/")
    health = timed("/healthz")
    p50, hp50 = statistics.median(page), statistics.median(health)
    p95 = sorted(page)[int(0.95 * (len(page) - 1))]
    print(f"department home: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"/healthz:        p50 {hp50 * 1000:.1f} ms")
    print(
        f"BENCH department ratio={p50 / hp50:.2f} home_p50_ms={p50 * 1000:.1f} "
        f"home_p95_ms={p95 * 1000:.1f} healthz_p50_ms={hp50 * 1000:.1f} rows={args.rows}"
    )
    return 0
