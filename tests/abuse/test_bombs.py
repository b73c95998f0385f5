"""Spreadsheet bombs (issue 13, case 1): a few KB that declare nothing but place a cell
far away, repeat a cell a billion times, or unzip to gigabytes. Each is refused with a
Chinese message naming the limit, at each door — the department batch-file API on a
real `jigong serve`, the school import page and a real `jigong worker` — and the peak
resident memory of the serving / working process stays under 512 MiB. A file of the
project's own export still imports. The bombs are real files built here; nothing of
the readers is mocked.

And the death loop: a job whose worker was lost twice (killed, or adopted after a
crash) is failed with its reason, never re-queued a third time, while the other queued
jobs run."""

import datetime
import io
import json
import os
import re
import resource
import struct
import subprocess
import sys
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jigong.jobs import services
from jigong.jobs.models import ImportJob, WorkerHeartbeat
from jigong.public import services as public_services
from jigong.students.models import Registration
from tests.faults.conftest import database_url, kill9, wait_port
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.ops.conftest import ROOT, clean_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024
PEAK_MIB = 512
SAFETY_NET = 3 << 30  # address-space cap of the child processes: a bomb cannot take the machine


# --- the bombs ---------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WBRELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>%s</Relationships>'
)
_SST_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(*rows: tuple[int, str]) -> str:
    """A worksheet without <dimension>: ``rows`` are (row number, cells xml)."""
    body = "".join(f'<row r="{r}">{cells}</row>' for r, cells in rows)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _xlsx(
    sheet: str,
    *,
    sst: str | None = None,
    pad: int = 0,
    noise: bool = False,
    where: str = "worksheets/sheet1.xml",
) -> bytes:
    """A minimal .xlsx as Excel reads it; ``pad`` bytes of zeros in an extra member (with
    ``noise``, 1 KB of random bytes in each 50 KB: it compresses only about 50-fold)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT.replace("worksheets/sheet1.xml", where))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        rels = _WBRELS.replace("worksheets/sheet1.xml", where)
        z.writestr("xl/_rels/workbook.xml.rels", rels % (_SST_REL if sst else ""))
        z.writestr(f"xl/{where}", sheet)
        if sst is not None:
            z.writestr("xl/sharedStrings.xml", sst)
        if pad:
            with z.open("xl/media/image1.bin", "w", force_zip64=True) as fh:
                if noise:
                    for _ in range(pad // (50 * 1024)):
                        fh.write(os.urandom(1024) + bytes(49 * 1024))
                else:
                    block = bytes(MiB)
                    for _ in range(pad // MiB):
                        fh.write(block)
    return buf.getvalue()


_ODS = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
    'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">'
    "%s</table:table></office:spreadsheet></office:body></office:document-content>"
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
    'tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
    'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
    'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
    '"text/xml"/></manifest:manifest>'
)


def _ods(table: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFEST)
        z.writestr("content.xml", _ODS % table)
    return buf.getvalue()


def _biff(cells: list[tuple[int, int, float]]) -> bytes:
    """A BIFF8 workbook stream: globals (code page, one sheet), then the sheet's cells."""

    def rec(kind, body=b""):
        return struct.pack("<HH", kind, len(body)) + body

    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)
    sheet_bof = struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6)

    def glob(offset):
        sheet = struct.pack("<IBBBB", offset, 0, 0, 1, 0) + b"S"
        return (
            rec(0x0809, bof)
            + rec(0x0042, struct.pack("<H", 1200))
            + rec(0x0085, sheet)
            + rec(0x000A)
        )

    head = glob(len(glob(0)))
    body = b"".join(rec(0x0203, struct.pack("<HHHd", r, c, 0, v)) for r, c, v in cells)
    return head + rec(0x0809, sheet_bof) + body + rec(0x000A)


def _xls(cells) -> bytes:
    """An .xls: the BIFF stream in an OLE2 compound file (FAT in sector 0, directory in
    sector 1, the stream after them, at least 4096 bytes so it is not a mini stream)."""
    stream = _biff(cells)
    stream += bytes(-len(stream) % 512 + max(0, 4096 - len(stream) - (-len(stream) % 512)))
    n = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE, *range(3, 2 + n), 0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<9I", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108

    def entry(name, kind, child, start, size):
        n16 = (name + "\0").encode("utf-16-le")
        return (
            n16.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(n16), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(36)
            + struct.pack("<3I", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(
        "Workbook", 2, 0xFFFFFFFF, 2, len(stream)
    )
    return header + struct.pack("<128I", *fat) + directory.ljust(512, b"\0") + stream


def bombs() -> dict:
    """name → (file name, content, what the refusal must name)."""
    lim = django_settings
    header = _cell("A1", "证书编号") + _cell("B1", "姓名")
    sst = "".join(f"<si><t>{i:x}</t></si>" for i in range(lim.JIGONG_SHEET_MAX_SHARED_STRINGS + 1))
    big_csv_rows = "".join(f"{i},张三\n" for i in range(lim.JIGONG_SHEET_MAX_ROWS + 1))
    return {
        # the file: one cell at XFD1048576, no <dimension>
        "far": (
            "far.xlsx",
            _xlsx(_sheet((1, header), (1_048_576, _cell("XFD1048576", "x")))),
            f"最多 {lim.JIGONG_SHEET_MAX_ROWS} 行",
        ),
        # under python-calamine's own 100M-cell cap: 9,000 × 10,000 dense cells (3 GB)
        "wide": (
            "wide.xlsx",
            _xlsx(_sheet((1, header), (9000, _cell(f"{_col(10_000)}9000", "x")))),
            f"最多 {lim.JIGONG_SHEET_MAX_COLUMNS} 列",
        ),
        # 800 bytes of repeated cells: 6,000 rows × 16,000 columns
        "repeated": (
            "repeated.ods",
            _ods(
                '<table:table-row><table:table-cell office:value-type="string"><text:p>证书编号'
                '</text:p></table:table-cell><table:table-cell office:value-type="string">'
                "<text:p>姓名</text:p></table:table-cell></table:table-row>"
                '<table:table-row table:number-rows-repeated="6000"><table:table-cell '
                'office:value-type="string" table:number-columns-repeated="16000"><text:p>x'
                "</text:p></table:table-cell></table:table-row>"
            ),
            "文件超过上限",
        ),
        # 5 KB of .xls: one number at row 65,536, column 256 (python-calamine: 1.2 GB)
        "xls": (
            "far.xls",
            _xls([(0, 0, 1.0), (0, 1, 2.0), (65535, 255, 3.0)]),
            f"最多 {lim.JIGONG_SHEET_MAX_CELLS} 个单元格",
        ),
        # a member that unzips past the limit (zeros: a few hundred KB compressed)
        "unzipped": (
            "unzipped.xlsx",
            _xlsx(
                _sheet((1, header)), pad=(lim.JIGONG_SHEET_MAX_UNZIPPED_MB + 8) * MiB, noise=True
            ),
            f"{lim.JIGONG_SHEET_MAX_UNZIPPED_MB} MB",
        ),
        # small in total, but compressed a thousandfold
        "ratio": (
            "ratio.xlsx",
            _xlsx(_sheet((1, header)), pad=40 * MiB),
            f"压缩比最多 {lim.JIGONG_SHEET_MAX_RATIO}",
        ),
        "shared_strings": (
            "sst.xlsx",
            _xlsx(
                _sheet((1, header)),
                # no count declared: the strings themselves are counted
                sst=f'<?xml version="1.0"?><sst xmlns="{_MAIN}">{sst}</sst>',
            ),
            f"最多 {lim.JIGONG_SHEET_MAX_SHARED_STRINGS} 个",
        ),
        # 1 KB declaring four billion shared strings (python-calamine reserves room first)
        "declared_strings": (
            "declared.xlsx",
            _xlsx(
                _sheet((1, header)),
                sst=f'<?xml version="1.0"?><sst xmlns="{_MAIN}" count="4000000000" '
                'uniqueCount="4000000000"><si><t>a</t></si></sst>',
            ),
            f"最多 {lim.JIGONG_SHEET_MAX_SHARED_STRINGS} 个",
        ),
        "csv_line": (
            "line.csv",
            "证书编号,姓名\n".encode() + b"ab," * 3_000_000 + b"\n",
            f"最多 {lim.JIGONG_SHEET_MAX_LINE_CHARS} 个字符",
        ),
        "csv_rows": (
            "rows.csv",
            ("证书编号,姓名\n" + big_csv_rows).encode(),
            f"最多 {lim.JIGONG_SHEET_MAX_ROWS} 行",
        ),
    }


def assert_refused(message: str, names: str) -> None:
    assert "文件超过上限" in message and names in message, message


# --- peak memory of a process tree --------------------------------------------------------


def _session_pids(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


def peak_mib(sid: int) -> float:
    """The largest peak resident size (VmHWM) among the live processes of a session."""
    peak = 0
    for pid in _session_pids(sid):
        try:
            with open(f"/proc/{pid}/status") as fh:
                hwm = next((int(x.split()[1]) for x in fh if x.startswith("VmHWM")), 0)
        except OSError:
            continue
        peak = max(peak, hwm)
    return peak / 1024


def _capped():
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_NET, SAFETY_NET))


# --- door 1: the department batch-file API on a real server ------------------------------


@pytest.fixture
def server(tmp_path):
    env = clean_env(tmp_path, DATABASE_URL=database_url(), JIGONG_CACHE="db")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jigong", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_capped,
    )
    try:
        wait_port(port, proc)
        yield proc, port
    finally:
        if proc.poll() is None:
            kill9(proc)


def _post_file(port: int, key: str, name: str, content: bytes):
    import http.client
    import uuid

    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(
            "POST",
            "/api/v1/department/verify/batch/file",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-API-Key": key,
                "Host": f"127.0.0.1:{port}",
            },
        )
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_department_batch_file_refuses_every_bomb_in_bounded_memory(world, server):
    proc, port = server
    key = public_services.api_key_create(
        actor=world.municipal, name="市征兵办", scopes=["verify:batch"], rate_per_minute=6000
    ).key
    for label, (name, content, names) in bombs().items():
        status, data = _post_file(port, key, name, content)
        assert proc.poll() is None, f"{label}: the server died"
        assert status == 422, (label, status, data[:300])
        assert_refused(json.loads(data)["detail"], names)
        peak = peak_mib(proc.pid)
        print(f"serve peak after {label}: {peak:.0f} MiB")
        assert 0 < peak < PEAK_MIB, (label, peak)
    # a normal file still answers with its result file
    ok = xlsx([["Y0000", "张三"]], header=["证书编号", "姓名"])
    status, data = _post_file(port, key, "list.xlsx", ok)
    assert status == 200 and data[:2] == b"PK", data[:300]


# --- door 2: the school import page, and a real worker ------------------------------------


@pytest.fixture
def queue(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return clean_env(tmp_path, DATABASE_URL=database_url())


# Runs the command and prints the peak resident size (KiB) of its process.
_MEASURED = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:])\n"
    "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(r.returncode)\n"
)


def run_worker(env, *args) -> tuple[subprocess.CompletedProcess, float]:
    run = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, "-m", "jigong", "worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=_capped,
    )
    found = re.search(r"MAXRSS (\d+)", run.stdout)
    assert found, (run.stdout[-2000:], run.stderr[-4000:])
    return run, int(found[1]) / 1024


def test_import_page_refuses_every_bomb_in_bounded_worker_memory(client, world, queue):
    client.force_login(world.user_a)
    exported = client.get("/imports/students/export.xlsx")
    assert exported.status_code == 200
    jobs = {}
    for label, (name, content, names) in bombs().items():
        r = client.post(
            "/imports/students/", {"mode": "all", "file": SimpleUploadedFile(name, content)}
        )
        assert r.status_code == 302, (label, r.content[:500])
        jobs[label] = (ImportJob.objects.order_by("-pk").first(), names)
    r = client.post(
        "/imports/students/",
        {"mode": "all", "file": SimpleUploadedFile("学籍.xlsx", exported.getvalue())},
    )
    normal = ImportJob.objects.order_by("-pk").first()
    run, peak = run_worker(queue, "--batch", "--no-startup-delay", "--worker-id", "bombs-1")
    assert run.returncode == 0, run.stderr[-4000:]
    print(f"worker peak over every bomb and the normal file: {peak:.0f} MiB")
    assert peak < PEAK_MIB, peak
    for label, (job, names) in jobs.items():
        job.refresh_from_db()
        assert job.state == "done" and not job.committed, (label, job.state, job.error)
        assert_refused(job.summary, names)
        page = client.get(f"/jobs/imports/{job.pk}/").content.decode()
        assert "文件超过上限" in page, label
    normal.refresh_from_db()
    assert normal.state == "done" and normal.summary, normal.error
    assert "文件无法导入" not in normal.summary and normal.refused == 0, normal.summary
    assert normal.total == Registration.objects.filter(school=world.school_a).count() > 0


# --- the death loop ----------------------------------------------------------------------

ELSEWHERE = "another-host|boot|pid:[1]"


def _submit(world, row):
    header, data = as_rows([row])
    up = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    return services.import_job_submit(actor=world.user_a, kind="students", upload=up, mode="all")


def _lost_by(job, worker_id):
    """As if ``worker_id`` had claimed the job's task and died with it (its heartbeat
    stale, on a machine this process cannot see)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_id).update(
        status="RUNNING", worker_ids=[worker_id], started_at=timezone.now()
    )
    services.import_job_start(job=job)
    at = timezone.now() - datetime.timedelta(seconds=3600)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": at, "started_at": at, "machine": ELSEWHERE, "process": "4242:1"},
    )


def test_a_job_that_lost_its_worker_twice_is_failed_not_requeued(
    client,
    world,
    queue,
    student_row,  # noqa: F811
):
    from django_tasks_db.models import DBTaskResult

    poison = _submit(world, student_row(name="冯毒"))
    other = _submit(world, student_row(name="陈好"))
    _lost_by(poison, "gone-1")
    assert services.adopt_orphans(worker_id="live-1") == 1  # first loss: back in the queue
    poison.refresh_from_db()
    assert poison.state == "queued"
    _lost_by(poison, "gone-2")
    services.adopt_orphans(worker_id="live-1")  # second loss: failed, with the reason
    poison.refresh_from_db()
    assert poison.state == "failed", poison.state
    assert "2 次" in poison.error and "不再重新排队" in poison.error, poison.error
    task = DBTaskResult.objects.get(id=poison.task_id)
    assert task.status == "FAILED"
    # a real worker: the poisoned job is not claimed again, the other one runs
    run, _peak = run_worker(queue, "--batch", "--no-startup-delay", "--worker-id", "live-2")
    assert run.returncode == 0, run.stderr[-4000:]
    poison.refresh_from_db()
    other.refresh_from_db()
    assert poison.state == "failed" and other.state == "done", (other.state, other.error)
    assert not Registration.objects.filter(person__name="冯毒").exists()
    assert Registration.objects.filter(person__name="陈好").count() == 1
    client.force_login(world.user_a)
    page = client.get(f"/jobs/imports/{poison.pk}/").content.decode()
    assert poison.error in page


def test_a_worker_restarted_twice_under_its_id_fails_the_job(world, queue, student_row):  # noqa: F811
    """The other recovery path: the same worker id restarted after each crash."""
    from django_tasks_db.models import DBTaskResult

    poison = _submit(world, student_row(name="褚毒"))
    for attempt in (1, 2):
        DBTaskResult.objects.filter(id=poison.task_id).update(
            status="RUNNING", worker_ids=["same-1"], started_at=timezone.now()
        )
        services.import_job_start(job=poison)
        services.recover(worker_id="same-1")
        poison.refresh_from_db()
        assert poison.state == ("queued" if attempt == 1 else "failed"), (attempt, poison.error)
    assert DBTaskResult.objects.get(id=poison.task_id).status == "FAILED"
    assert not Registration.objects.filter(person__name="褚毒").exists()


# --- disguises: the same far cell written the ways XML allows ------------------------------


def _far(cells: str) -> bytes:
    return _xlsx(
        f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}" xmlns:x="{_MAIN}"><sheetData>'
        f"{cells}</sheetData></worksheet>"
    )


def _lying_zip() -> bytes:
    """40 MB of zeros whose zip headers say the member unzips to 100 bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("xl/media/image1.bin", bytes(40 * MiB))
    data = bytearray(buf.getvalue())
    for sig, at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central, local header
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            name_at = pos + (46 if sig == b"PK\x01\x02" else 30)
            if data[name_at : name_at + 19] == b"xl/media/image1.bin":
                data[pos + at : pos + at + 4] = (100).to_bytes(4, "little")
            pos += 4
    return bytes(data)


DISGUISES = {
    "prefixed": _far(
        '<x:row r="1048576"><x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is>'
        "</x:c></x:row>"
    ),
    "attribute order": _far(
        '<row r="1"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>'
    ),
    "lower case": _far('<row r="1"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "cdata": _far(
        '<row r="1"><c r="XFD1048576" t="inlineStr"><is><t><![CDATA[x]]></t></is></c></row>'
    ),
    "> in a value": _far(
        '<row r="1"><c foo=">" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    ),
    "no reference": _far('<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'),
    "entity": _far('<row r="1"><c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    "single quotes": _far("<row r='1'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"),
    "headers that lie": _lying_zip(),
    # python-calamine follows the workbook's relationships wherever they point
    "sheet outside xl/worksheets": _xlsx(
        _sheet((1, _cell("XFD1048576", "x"))), where="elsewhere/data.xml"
    ),
}


@pytest.mark.parametrize("how", list(DISGUISES))
def test_a_disguised_bomb_is_refused_by_the_reader(how):
    from jigong.core.imports.readers import ReadError, read

    with pytest.raises(ReadError) as info:
        read(DISGUISES[how], "x.xlsx")
    assert "文件超过上限" in info.value.message, info.value.message
