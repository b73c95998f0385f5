"""``python -m bench batch [--items 10000] [--scale small|full] [--data-dir DIR] [--repeat 3]``.

Batch verification through the department API: one ``POST /api/v1/department/verify/batch``
of ``--items`` (number, name) pairs — 80% valid certificates with the right name, 10%
with a wrong name, 10% unknown numbers — through Django's full request path (API key,
scope, per-key limit, JSON parsing, the chunked selectors, the query log written in
bulk, the response schema). Goal: 10,000 items in under 2 s.

The ceiling, measured in the same run on the same database: the bare indexed look-up
of the same numbers with a raw cursor (``number IN (…)`` in the same chunks, joined to
the holder's name), no Python objects, no log, no JSON. ratio = project seconds ÷
ceiling seconds (lower is better).

``--data-dir`` reuses a database already holding the demo world (``jigong demo``);
otherwise the world is built into a fresh temporary SQLite database first.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench batch")
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    fresh = not args.data_dir
    os.environ["JIGONG_DATA_DIR"] = args.data_dir or tempfile.mkdtemp(prefix="jigong-bench-batch-")
    if fresh:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jigong.certificates import numbering
    from jigong.certificates.models import GraduationCertificate, QueryLog
    from jigong.public import selectors, services

    if fresh:
        call_command("migrate", verbosity=0)
        call_command("demo", "--scale", args.scale, verbosity=0)

    rng = random.Random(2025)
    rows = list(
        GraduationCertificate.objects.order_by("?").values_list(
            "number", "registration__person__name"
        )[: args.items]
    )
    n = args.items
    good, wrong = int(n * 0.8), int(n * 0.1)
    items = [{"number": num, "name": name} for num, name in rows[:good]]
    items += [{"number": num, "name": name + "甲"} for num, name in rows[good : good + wrong]]
    while len(items) < n:
        items.append(
            {"number": numbering.make(2031, "59999", "intermediate", len(items)), "name": "无名"}
        )
    rng.shuffle(items)
    body = json.dumps({"items": items}, ensure_ascii=False)
    expected = min(good, len(rows))

    issued = services.api_key_create(
        actor=None, name="bench", scopes=["verify:batch"], rate_per_minute=100000
    )
    client = Client(HTTP_HOST="localhost")

    def project() -> float:
        t0 = time.perf_counter()
        r = client.post(
            "/api/v1/department/verify/batch",
            body,
            content_type="application/json",
            HTTP_X_API_KEY=issued.key,
        )
        seconds = time.perf_counter() - t0
        assert r.status_code == 200, r.content[:300]
        data = r.json()
        assert data["total"] == n and data["found"] == expected, (data["found"], expected)
        return seconds

    numbers = [i["number"] for i in items]
    names = {i["number"]: i["name"] for i in items}
    qn = connection.ops.quote_name
    cert_t = qn(GraduationCertificate._meta.db_table)
    from jigong.students.models import Person, Registration

    reg_t, person_t = qn(Registration._meta.db_table), qn(Person._meta.db_table)

    def ceiling() -> float:
        wanted = sorted(set(numbers))
        t0 = time.perf_counter()
        found = 0
        with connection.cursor() as cur:
            for i in range(0, len(wanted), selectors.BATCH_CHUNK):
                part = wanted[i : i + selectors.BATCH_CHUNK]
                marks = ", ".join(["%s"] * len(part))
                cur.execute(
                    f"SELECT c.number, p.name FROM {cert_t} c "
                    f"JOIN {reg_t} r ON r.id = c.registration_id "
                    f"JOIN {person_t} p ON p.id = r.person_id WHERE c.number IN ({marks})",
                    part,
                )
                found += sum(1 for num, name in cur.fetchall() if names[num] == name)
        seconds = time.perf_counter() - t0
        assert found == expected, (found, expected)
        return seconds

    project()  # warm caches and connections once
    ceiling()
    p_times, c_times = [], []
    for _ in range(args.repeat):
        p_times.append(project())
        c_times.append(ceiling())
    with CaptureQueriesContext(connection) as ctx:
        project()
    queries = len(ctx.captured_queries)
    QueryLog.objects.filter(client="bench").delete()
    services.api_key_revoke(actor=None, api_key=issued.api_key)

    p, c = statistics.median(p_times), statistics.median(c_times)
    print(f"database: {connection.vendor}, certificates: {GraduationCertificate.objects.count():,}")
    print(f"project: {n:,} items in {p:.3f} s = {n / p:,.0f} items/s (median of {args.repeat})")
    print(f"         {queries} queries per request (chunks of {selectors.BATCH_CHUNK})")
    print(f"ceiling: raw indexed look-up of the same numbers in {c:.3f} s")
    print(f"goal:    under 2 s for 10,000 items: {'met' if n < 10000 or p < 2 else 'NOT met'}")
    print(
        f"BENCH batch ratio={p / c:.2f} items={n} seconds={p:.3f} items_per_s={n / p:.0f} "
        f"ceiling_seconds={c:.3f} queries={queries}"
    )
    return 0
