"""``python -m bench report [--data-dir DIR] [--year Y] [--school CODE]``.

Over the full demo world (built into DIR first if DIR holds no data; SQLite), in one run,
with one Chromium kept open (its start-up is printed apart):

- html_s: the annual report's figures (indicator cache cleared first, so cold), the
  template, and the charts drawn by ECharts in Chromium, taken back as static HTML;
- pdf_s: the PDF — two prints of that HTML (the second with the contents page numbered
  from the first one's pdftotext) plus the page search;
- baseline: Chromium printing the same final HTML once (what any PDF of this report
  costs at least), measured in the same browser right after.

ratio = (html_s + pdf_s) ÷ baseline_s (lower is better); goal: html_s + pdf_s < 20 s.
"""

import argparse
import os
import sys
import time
from pathlib import Path


def _setup(data_dir: Path):
    os.environ["JIGONG_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from jigong.schools.models import School

    if not School.objects.exists():
        print(f"building the full demo world in {data_dir} …", flush=True)
        call_command("demo", "--scale", "full", "--no-progress", verbosity=0)


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench report")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("JIGONG_DATA_DIR") or "/tmp/jigong-bench-report",
        help="folder of the SQLite demo world (built there when empty)",
    )
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--school", help="a school code: time that school's report instead")
    args = parser.parse_args(argv)
    _setup(Path(args.data_dir).resolve())

    from jigong.core.models import Role, User
    from jigong.core.pdf import PdfRenderer
    from jigong.indicators import cache
    from jigong.quality import report as R

    user = User(username="bench-report", role=Role.MUNICIPAL, is_active=True)
    school = R.resolve_school(user=user, code=args.school)
    t0 = time.perf_counter()
    renderer = PdfRenderer()
    renderer.open()
    start_s = time.perf_counter() - t0
    try:
        cache.clear()
        t0 = time.perf_counter()
        year = R.check_inputs(user=user, year=args.year, school=school)
        ctx = R.context(user=user, year=year, school=school)
        figures_s = time.perf_counter() - t0
        static = renderer.snapshot(R.live_html(ctx), wait_for=R.CHARTS_READY)
        html_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        first = renderer.render(R._fill(static, {s["id"]: "00" for s in ctx["sections"]}))
        pages, count = R.section_pages(first, ctx["sections"])
        final_html = R._fill(static, pages)
        pdf = renderer.render(final_html)
        pdf_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        base = renderer.render(final_html)
        base_s = time.perf_counter() - t0
    finally:
        renderer.close()

    total = html_s + pdf_s
    ratio = total / base_s if base_s else float("inf")
    what = school.name if school else "全市"
    print(
        f"annual report {year} ({what}): {count} pages, HTML {len(final_html) / 1e6:.1f} MB, "
        f"PDF {len(pdf) / 1e6:.1f} MB, charts {len(ctx['charts'])}"
    )
    print(f"  chromium start          {start_s:7.2f} s   (not counted)")
    print(f"  figures (cold cache)    {figures_s:7.2f} s")
    print(f"  html (figures+charts)   {html_s:7.2f} s")
    print(f"  pdf (2 prints + TOC)    {pdf_s:7.2f} s")
    print(
        f"  total                   {total:7.2f} s   goal < 20 s: {'yes' if total < 20 else 'NO'}"
    )
    print(f"  baseline: one print     {base_s:7.2f} s   (same HTML, same browser)")
    print(f"  baseline PDF bytes      {len(base)}")
    print(
        f"BENCH report ratio={ratio:.2f} html_s={html_s:.2f} pdf_s={pdf_s:.2f} "
        f"total_s={total:.2f} baseline_s={base_s:.2f} pages={count}"
    )
    return 0
