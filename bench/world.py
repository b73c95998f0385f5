"""Shared start of the benchmarks that load an existing demo world (``verify``, ``soak``)."""

from __future__ import annotations

import os
from pathlib import Path


def open_world(parser, args, *, min_certificates: int = 1000) -> int:
    """Point Django at the world in ``--data-dir`` (or ``DATABASE_URL``), set it up and
    return its number of graduation certificates; exit with a hint when it is missing.
    The data folder is made absolute: the servers run in the project folder."""
    if not args.data_dir and not os.environ.get("DATABASE_URL"):
        parser.error("--data-dir (or JIGONG_DATA_DIR / DATABASE_URL) with a demo world")
    if args.data_dir:
        args.data_dir = str(Path(args.data_dir).resolve())
    os.environ["JIGONG_DATA_DIR"] = args.data_dir or os.environ.get("JIGONG_DATA_DIR", "")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jigong.settings")
    import django

    django.setup()
    from jigong.certificates.models import GraduationCertificate

    total = GraduationCertificate.objects.count()
    if total < min_certificates:
        raise SystemExit(f"the demo world has {total} certificates; build it with `jigong demo`")
    return total
