"""The refused-rows file of an import (jigong.core.imports.report): the rows as uploaded,
with a 错误说明 column, for the school to fix and import again — so it keeps the whole
ID numbers, and is therefore stored sealed (``pii.seal_bytes``, AES-256-GCM under the
ID-number key, 0600) and opened only for its submitter's download. It expires with the
job retention: past ``security.import_report_retention_days`` after the job finished
the download answers 404 and ``purge`` (run after each import and by
``jigong purge_import_reports``) deletes the file."""

import contextlib
import datetime
import os

from django.utils import timezone

from jigong.core import pii
from jigong.policy import parameters

COLUMN = "jobs.importjob.report"  # the seal's associated data
SEALED = ".sealed"
PARAMETER = "security.import_report_retention_days"


def retention_days(day: datetime.date | None = None) -> int:
    return int(parameters.get(PARAMETER, day or timezone.localdate()))


def cutoff(now=None) -> datetime.datetime:
    """Reports of jobs finished before this moment have expired."""
    now = now or timezone.now()
    return now - datetime.timedelta(days=retention_days(timezone.localdate(now)))


def expired(job, now=None) -> bool:
    return job.finished_at is not None and job.finished_at < cutoff(now)


def write(path, data: bytes) -> None:
    """Seal ``data`` into ``path`` (created 0600, never over another file)."""
    blob = pii.seal_bytes(data, COLUMN)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
    except BaseException:  # e.g. a full disk: no partial file is left behind
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def read(path) -> bytes:
    """The report's bytes (a file from before sealing is read as it is)."""
    with open(path, "rb") as fh:
        data = fh.read()
    return pii.open_bytes(data, COLUMN) if str(path).endswith(SEALED) else data


def purge(*, now=None) -> int:
    """Delete the refused-rows files past the retention; the jobs keep their counts and
    masked errors, their ``report_path`` is cleared (as 系统, audited)."""
    from jigong.jobs import services
    from jigong.jobs.models import ImportJob

    old = list(ImportJob.objects.filter(finished_at__lt=cutoff(now)).exclude(report_path=""))
    for job in old:
        with contextlib.suppress(ValueError):
            services.media_path(job.report_path).unlink(missing_ok=True)
        services._change(job, report_path="")
    return len(old)


# --- the uploaded file, until its import has run -----------------------------------------
#
# An upload holds whole ID numbers too and waits on disk until a worker imports it: it
# is stored sealed in parts (``pii.seal_file``, no whole file in memory) and opened into
# a private temporary file (0600, removed afterwards) only while its import runs.

UPLOAD_COLUMN = "jobs.importjob.file"


def store_upload(upload, path) -> None:
    """Seal the upload's chunks into ``path`` (created 0600, never over another file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            pii.seal_file(upload.chunks(), out, UPLOAD_COLUMN)
    except BaseException:  # e.g. a full disk: no partial file is left behind
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


@contextlib.contextmanager
def upload_opened(path):
    """The path of the upload's plain content while the block runs (a file stored
    before sealing is used as it is)."""
    import tempfile
    from pathlib import Path

    path = Path(path)
    if not path.name.endswith(SEALED):
        yield str(path)
        return
    suffix = Path(path.name.removesuffix(SEALED)).suffix
    fd, plain = tempfile.mkstemp(prefix="jigong-import-", suffix=suffix)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            pii.open_file(src, out, UPLOAD_COLUMN)
        yield plain
    finally:
        with contextlib.suppress(OSError):
            os.unlink(plain)
