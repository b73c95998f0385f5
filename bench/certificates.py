"""``python -m bench certificates [--count 200] [--scale small|full]``.

Batch printing of graduation certificates: ``count`` valid certificates of the demo
world (a fresh temporary SQLite database) printed as one PDF with one browser, the way
``/graduation-certificates/print/`` and ``jigong print_certificates`` do it: read,
sign each QR credential (SM2/SM3), render the template, Chromium → PDF.

The ceiling, measured in the same run with the same open browser: the same number of
pages of one certificate sheet already rendered (no database, no signing, no
templating), i.e. Chromium's own cost for those pages. ratio = project seconds ÷
ceiling seconds (lower is better).
"""

import argparse
import os
import re
import tempfile
import time
from pathlib import Path


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench certificates")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--scale", choices=("small", "full"), default="small")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="jigong-bench-certificates-"))
    os.environ["JIGONG_DATA_DIR"] = str(tmp)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from jigong.certificates import key_acts, printing, signing
    from jigong.certificates.models import CertificateStatus, GraduationCertificate
    from jigong.core.pdf import PdfRenderer

    call_command("migrate", verbosity=0)
    call_command("demo", "--scale", args.scale, verbosity=0)
    key_acts.key_create(actor=None)

    ids = list(
        GraduationCertificate.objects.filter(status=CertificateStatus.VALID)
        .order_by("school_id", "number")
        .values_list("pk", flat=True)[: args.count]
    )
    n = len(ids)
    if n < args.count:
        print(f"only {n} certificates in the {args.scale} demo world")

    t0 = time.perf_counter()
    renderer = PdfRenderer()
    renderer.open()
    startup = time.perf_counter() - t0
    try:
        # warm-up: the first page pays for font loading
        one = printing.certificates_pdf(
            printing._with_people(GraduationCertificate.objects.filter(pk=ids[0])),
            renderer=renderer,
        )

        t0 = time.perf_counter()
        certs = list(
            printing._with_people(GraduationCertificate.objects.filter(pk__in=ids)).order_by(
                "number"
            )
        )
        t_read = time.perf_counter() - t0

        signer = signing.store().signer()
        t0 = time.perf_counter()
        for c in certs:
            printing.payload(c, signer)
        t_sign = time.perf_counter() - t0

        t0 = time.perf_counter()
        pdf = printing.certificates_pdf(
            printing._with_people(GraduationCertificate.objects.filter(pk__in=ids)).order_by(
                "number"
            ),
            renderer=renderer,
        )
        project = time.perf_counter() - t0

        # ceiling: the same number of identical, ready-made sheets
        html = printing.html(certs[:1], signer)
        head, rest = html.split("<section", 1)
        body, tail = rest.rsplit("</section>", 1)
        sheet = "<section" + body + "</section>"
        ready = head + sheet * n + tail
        t0 = time.perf_counter()
        ceiling_pdf = renderer.render(
            ready, landscape=True, header_footer=False, margin=printing._NO_MARGIN
        )
        ceiling = time.perf_counter() - t0
    finally:
        renderer.close()

    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    ceiling_pages = len(re.findall(rb"/Type\s*/Page[^s]", ceiling_pdf))
    per_cert = project / n * 1000
    per_page_ceiling = ceiling / n * 1000
    print(
        f"certificates: {n}, PDF pages {pages} (ceiling {ceiling_pages}), {len(pdf) / 1e6:.1f} MB"
    )
    print(f"browser start-up:              {startup:.2f} s (once per batch)")
    print(f"single certificate (warm):     {len(one) / 1e3:.0f} kB")
    print(f"read {n} certificates:          {t_read * 1000:.0f} ms")
    print(
        f"sign {n} QR credentials (SM2): {t_sign * 1000:.0f} ms ({t_sign / n * 1000:.2f} ms each)"
    )
    print(f"project batch:                 {project:.2f} s, {per_cert:.1f} ms per certificate")
    print(f"ceiling (ready-made pages):    {ceiling:.2f} s, {per_page_ceiling:.1f} ms per page")
    ratio = project / ceiling
    print(
        f"BENCH certificates ratio={ratio:.2f} per_certificate_ms={per_cert:.1f} "
        f"batch_s={project:.2f} ceiling_s={ceiling:.2f} count={n} startup_s={startup:.2f}"
    )
    return 0
