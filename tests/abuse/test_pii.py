"""Issue 13, case 7: personal data at rest and in logs.

Refused-rows files hold no plain ID number on disk and expire; a backup without keys
holds no plain ID; logs redact ID numbers, names, searches and codes; TOTP secrets are
sealed; personal answers are ``Cache-Control: no-store``; enabling TOTP or changing the
password ends the user's other sessions; data files and keys are created 0600."""

import datetime
import io
import json
import logging
import os
import stat
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigong.core import backup
from jigong.core.logging import ACCESS_FORMAT, JsonFormatter, PlainFormatter
from jigong.jobs import services as job_services
from jigong.jobs.models import ImportJob
from tests import factories as f
from tests.imports.conftest import as_rows, student_row  # noqa: F401  (fixture)
from tests.imports.helpers import xlsx
from tests.ops.conftest import PASSWORD, clean_env, jigong

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _contents(data: bytes) -> bytes:
    """The bytes of a file with every zip member (an .xlsx) and gzip/tar member opened,
    recursively: what anyone holding the file can read."""
    out = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            out += [_contents(z.read(n)) for n in z.namelist()]
    elif data[:2] == b"\x1f\x8b":
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for m in tar.getmembers():
                if m.isfile():
                    out.append(_contents(tar.extractfile(m).read()))
    return b"\n".join(out)


def _log_in(client, user):
    """A real log-in (password, from 127.0.0.1), as a user does."""
    r = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:300]


def _refused_import(world, student_row, id_number):  # noqa: F811
    """A school's upload whose one row is refused for its major code (the ID is valid)."""
    row = student_row(id_number=id_number, 专业代码="9999")
    header, data = as_rows([row])
    up = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    job = job_services.import_job_submit(actor=world.user_a, kind="students", upload=up, mode="all")
    job.refresh_from_db()
    assert job.refused == 1 and job.report_path, job.summary
    return job


# --- refused-rows files -------------------------------------------------------------------


def test_refused_rows_file_holds_no_plain_id_and_expires(client, world, student_row):  # noqa: F811
    idn = f.id_number(birth=datetime.date(2008, 3, 4))
    job = _refused_import(world, student_row, idn)
    on_disk = job_services.media_path(job.report_path)
    assert idn.encode() not in _contents(on_disk.read_bytes())
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    # the submitter downloads the rows whole, to fix and import again
    _log_in(client, world.user_a)
    r = client.get(f"/jobs/imports/{job.pk}/report.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert idn in [c.value for c in ws[2]]
    # past the retention the file is gone and the download says so
    ImportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=400)
    )
    call_command("purge_import_reports")
    assert not on_disk.exists()
    r = client.get(f"/jobs/imports/{job.pk}/report.xlsx")
    assert r.status_code == 404


# --- backups without keys -------------------------------------------------------------------


def test_backup_without_keys_holds_no_plain_id(world, student_row, tmp_path):  # noqa: F811
    idn = f.id_number(birth=datetime.date(2008, 3, 5))
    _refused_import(world, student_row, idn)
    # and a job still waiting in the queue, its upload on disk
    header, data = as_rows([student_row(id_number=f.id_number(birth=datetime.date(2008, 3, 6)))])
    pending = ImportJob.objects.create(
        kind="students", mode="all", filename="x.xlsx", file="", user=world.user_a
    )
    up = SimpleUploadedFile("学籍.xlsx", xlsx(data, header=header))
    pending.file = job_services._store_upload(up)
    pending.save()
    # and a file the worker built for one user (a printed certificate holds the ID)
    built = Path(settings.MEDIA_ROOT) / "files" / "cert.pdf"
    built.parent.mkdir(parents=True, exist_ok=True)
    built.write_bytes(f"%PDF holder {world.reg_a2.person.id_number}".encode())
    known = [idn, data[0][0], world.reg_a.person.id_number, world.reg_a2.person.id_number]
    out = tmp_path / "b.tar.gz"
    backup.create_backup(out, method="dumpdata", include_keys=False)
    everything = _contents(out.read_bytes())
    for n in known:
        assert n.encode() not in everything, n


# --- logs -------------------------------------------------------------------------------


def _access(path, query):
    args = {
        "addr": "127.0.0.1",
        "time": "x",
        "dt_ms": 1.0,
        "status": 200,
        "path": path,
        "query_string": query,
        "method": "GET",
        "scheme": "http",
        "protocol": "HTTP/1.1",
        "_h0": "-",
        "_h1": "curl/8",
    }
    return logging.LogRecord("granian.access", logging.INFO, "", 0, ACCESS_FORMAT, (args,), None)


def test_logs_redact_ids_names_searches_and_codes():
    from urllib.parse import quote

    idn = f.id_number(birth=datetime.date(2008, 3, 7))
    name, code = "欧阳小明", "K7QP-9XZ2-M4TB"
    secrets_ = [idn, name, quote(name), code, quote(code)]
    lines = []
    for path, query in [
        ("/api/v1/certificates/verify", f"number=G2025000123&name={quote(name)}"),
        ("/api/v1/department/verify", f"name={name}&number=G2025000123"),
        ("/verify/", f"number=G2025000123&name={quote(name)}"),
        ("/verify/code/", f"code={code}"),
        ("/students/", f"q={idn}"),
        ("/students/", f"page=2&q={quote(name)}"),
    ]:
        lines.append(JsonFormatter().format(_access(path, query)))
        plain = logging.LogRecord("django.server", 20, "", 0, f'"GET {path}?{query}" 200', (), None)
        lines.append(PlainFormatter(fmt="%(message)s").format(plain))
    # Django's own warnings and errors, with the request and its URL in the message
    request = RequestFactory().get("/api/v1/certificates/verify", {"number": "G1", "name": name})
    for msg in (
        f"Too Many Requests: /api/v1/certificates/verify?number=G1&name={quote(name)}",
        f"Not Found: /verify/code/?code={code}",
        f"Bad Request: /students/?q={idn}",
    ):
        record = logging.LogRecord("django.request", logging.WARNING, "", 0, msg, (), None)
        record.request, record.status_code = request, 429
        lines.append(JsonFormatter().format(record))
        lines.append(PlainFormatter(fmt="%(message)s").format(record))
    text = "\n".join(lines)
    for s in secrets_:
        assert s not in text, (s, text)
    # what an operator needs stays: the path, the certificate number, the page
    assert "/api/v1/certificates/verify" in text and "G2025000123" in text and "page=2" in text
    assert json.loads(lines[0])["query_string"].startswith("number=G2025000123&name=")


# --- TOTP secrets ---------------------------------------------------------------------------


def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def test_totp_secret_is_sealed_in_the_database(client, world):
    from jigong.security import services

    device = services.totp_device_start(actor=world.municipal)
    secret = device.bin_key
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {TOTPDevice._meta.db_table} WHERE id = %s", [device.pk])
        row = " ".join(str(v) for v in cur.fetchone())
    assert secret.hex() not in row.lower()
    # the sealed secret still works: the app's code confirms it, and log-in checks it
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert fresh.bin_key == secret
    services.totp_device_confirm(actor=world.municipal, token=_code(fresh))
    assert TOTPDevice.objects.get(pk=device.pk).verify_token(_code(fresh, 1))


# --- Cache-Control -------------------------------------------------------------------------


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_personal_answers_are_not_stored_by_caches(client, world):
    anon = Client()
    r = anon.get("/api/v1/certificates/verify", {"number": "G0000000000000", "name": "张三"})
    assert _no_store(r), r.headers
    r = anon.get("/")
    assert r.status_code == 200 and not _no_store(r)
    _log_in(client, world.user_a)
    for url in ("/", "/students/", f"/students/{world.reg_a.pk}/", "/api/v1/indicators"):
        r = client.get(url)
        assert r.status_code in (200, 302, 404) and _no_store(r), (url, r.status_code, r.headers)


# --- other sessions -------------------------------------------------------------------------


def _login(username):
    c = Client()
    r = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:500]
    return c


def _logged_in(c) -> bool:
    r = c.get("/students/")
    return r.status_code == 200


def test_enabling_totp_ends_the_other_sessions(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = f.user("municipal", username="city2", password=PASSWORD)
    here, other = _login("city2"), _login("city2")
    assert _logged_in(here) and _logged_in(other)
    here.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=user)
    r = here.post("/accounts/otp/setup/", {"token": _code(device)})
    assert r.status_code == 302 and TOTPDevice.objects.get(user=user).confirmed
    assert _logged_in(here)
    r = other.get("/students/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), r.headers


def test_changing_the_password_ends_the_other_sessions(world):
    f.user("municipal", username="city3", password=PASSWORD)
    here, other = _login("city3"), _login("city3")
    new = "Another-Pass-2026x"
    r = here.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert _logged_in(here) and not _logged_in(other)


# --- file modes -----------------------------------------------------------------------------


def _modes(root: Path) -> dict:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode)
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_data_files_and_keys_are_private(tmp_path):
    data = tmp_path / "data"
    env = clean_env(data)
    env.pop("JIGONG_PII_KEY", None)
    old = os.umask(0o022)  # what a service manager usually hands over
    try:
        jigong("migrate", "-v0", env=env)
        jigong("shell", "-c", "from jigong.core import pii; pii.keyring()", env=env)
        jigong("keys", "create", env=env)
    finally:
        os.umask(old)
    modes = _modes(data)
    assert "jigong.sqlite3" in modes and "keys/pii.key" in modes, modes
    assert any(k.endswith(".key.json") for k in modes), modes
    loose = {k: oct(m) for k, m in modes.items() if m & 0o077}
    assert not loose, loose
