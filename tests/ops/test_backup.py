"""`jigong backup` / `jigong restore`: a round trip into an empty database keeps every
row (count and digest per table), the audit log, attachments and signing keys; a
damaged archive or a non-empty database is refused in Chinese with nothing written.

Runs on this run's engine: SQLite (online backup API) or PostgreSQL (pg_dump)."""

import gzip
import io
import json
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest

from jigong.core.backup import table_stats
from tests.ops.conftest import clean_env, jigong, migrate

pytestmark = pytest.mark.xdist_group("test_backup")  # its module fixtures: one process


def stats_of(env: dict) -> dict:
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return table_stats(conn.cursor(), "postgresql")
    conn = sqlite3.connect(Path(env["JIGONG_DATA_DIR"]) / "jigong.sqlite3")
    try:
        return table_stats(conn.cursor(), "sqlite")
    finally:
        conn.close()


def site(tmp_path, engine, label: str) -> dict:
    extra = {}
    if engine != "sqlite":
        extra["DATABASE_URL"] = engine.url(engine.create(label))
    env = clean_env(tmp_path / label, **extra)
    env.pop("JIGONG_PII_KEY", None)  # the ID-number key lives in keys/pii.key, as deployed
    return env


# The ID numbers a site shows (decrypted), one a line: students, trainees, teachers.
ID_NUMBERS = (
    "from jigong.core import pii;"
    "from jigong.students.models import Person;"
    "from jigong.training.models import TrainingRecord;"
    "from jigong.staff.models import Teacher;"
    "qs=[(Person,'id_number'),(TrainingRecord,'trainee_id_number'),(Teacher,'id_number')];"
    "[print(n) for m,f in qs for n in pii.values_list(m.objects.order_by('pk')[:300],f,flat=True)]"
)


def ids_of(env: dict) -> list[str]:
    out = jigong("shell", "-c", ID_NUMBERS, env=env).stdout.split()
    return [w for w in out if len(w) == 18]  # not the shell's "N objects imported"


@pytest.fixture(scope="module")
def source(tmp_path_factory, engine):
    env = site(tmp_path_factory.mktemp("backup"), engine, "src")
    migrate(env)
    jigong("demo", "--scale", "small", "--no-progress", env=env)
    data = Path(env["JIGONG_DATA_DIR"])
    (data / "media" / "workflows" / "2025").mkdir(parents=True)
    (data / "media" / "workflows" / "2025" / "招生简章.pdf").write_bytes(b"%PDF-1.7 \x00\xff" * 500)
    (data / "keys").mkdir(exist_ok=True)  # the demo already made keys/pii.key
    (data / "keys" / "sm2-2025.pem").write_text("-----BEGIN PRIVATE KEY-----\nabc\n")
    return env


def test_round_trip_into_empty_database(tmp_path, engine, source):
    archive = tmp_path / "out" / "jigong.tar.gz"
    run = jigong("backup", "--out", archive, env=source)
    assert "已备份到" in run.stdout
    assert archive.stat().st_mode & 0o777 == 0o600  # holds signing keys
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["method"] == ("sqlite" if engine == "sqlite" else "pg_dump")
    assert manifest["tables"]["core_auditlog"]["rows"] > 0
    assert manifest["tables"]["students_registration"]["rows"] > 100
    assert "media/workflows/2025/招生简章.pdf" in manifest["files"]
    assert "keys/pii.key" in manifest["files"]

    # No plain ID number in the archived database (SQLite file) or in a plain-text
    # pg_dump of the source: only sealed values and keyed hashes.
    numbers = ids_of(source)
    assert len(numbers) > 300 and all(len(n) == 18 for n in numbers)
    if engine == "sqlite":
        with tarfile.open(archive) as tar:
            dump = tar.extractfile(manifest["database"]).read()
    else:
        dump = subprocess.run(
            ["pg_dump", "--data-only", source["DATABASE_URL"]],
            capture_output=True,
            check=True,
        ).stdout
    assert len(dump) > 100_000
    assert [n for n in numbers if n.encode() in dump] == []

    target = site(tmp_path, engine, "dst")
    run = jigong("restore", archive, env=target)
    assert "与备份清单核对一致" in run.stdout

    before, after = stats_of(source), stats_of(target)
    assert before == after  # every table: row count and digest
    assert after["core_auditlog"] == before["core_auditlog"]
    src, dst = Path(source["JIGONG_DATA_DIR"]), Path(target["JIGONG_DATA_DIR"])
    pdf = "media/workflows/2025/招生简章.pdf"
    assert (dst / pdf).read_bytes() == (src / pdf).read_bytes()
    key = dst / "keys" / "sm2-2025.pem"
    assert key.read_text() == (src / "keys" / "sm2-2025.pem").read_text()
    assert key.stat().st_mode & 0o777 == 0o600
    # The restored site opens every ID number with the restored key.
    assert (dst / "keys" / "pii.key").read_bytes() == (src / "keys" / "pii.key").read_bytes()
    assert ids_of(target) == numbers
    checked = jigong("pii", "check", env=target).stdout
    assert "全部身份证号可解密，散列值一致" in checked and "失败 0 行" in checked
    # The restored site works: Django sees the same data.
    check = jigong(
        "shell",
        "-c",
        "from jigong.core.models import AuditLog; print(AuditLog.objects.count())",
        env=target,
    )
    assert int(check.stdout.split()[-1]) == before["core_auditlog"]["rows"]

    # Restoring again is refused: the database is no longer empty.
    again = jigong("restore", archive, env=target, check=False)
    assert again.returncode != 0 and "不是空库" in again.stderr


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy an archive, passing each member's bytes through change(name, data)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_damaged_archives_are_refused(tmp_path, engine, source):
    archive = tmp_path / "good.tar.gz"
    jigong("backup", "--out", archive, env=source)
    raw = archive.read_bytes()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    flipped = tmp_path / "flipped.tar.gz"
    flipped.write_bytes(raw[:200] + bytes([raw[200] ^ 0xFF]) + raw[201:])
    altered = tmp_path / "altered.tar.gz"
    _rewrite(
        archive,
        altered,
        lambda name, data: data.replace(b"%PDF", b"%PDX") if name.startswith("media/") else data,
    )
    extra = tmp_path / "extra.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(extra, "w:gz") as dst:
        for member in src:
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/evil.txt")
        info.size = 4
        dst.addfile(info, io.BytesIO(b"evil"))
    not_ours = tmp_path / "other.tar.gz"
    not_ours.write_bytes(gzip.compress(b"not a tar archive at all" * 100))

    target = site(tmp_path, engine, "dst")
    for bad, why in (
        (truncated, ""),
        (flipped, ""),
        (altered, "校验值不符"),
        (extra, "清单外的文件 media/evil.txt"),
        (not_ours, ""),
    ):
        run = jigong("restore", bad, env=target, check=False)
        assert run.returncode != 0, bad
        assert "已损坏或不是本平台的备份" in run.stderr and "未做任何恢复" in run.stderr, run.stderr
        assert why in run.stderr
        assert "Traceback" not in run.stderr
    # Nothing was written: the target is still empty.
    assert stats_of(target) == {}
    assert not (Path(target["JIGONG_DATA_DIR"]) / "media").exists()

    missing = jigong("restore", tmp_path / "nope.tar.gz", env=target, check=False)
    assert missing.returncode != 0 and "不存在" in missing.stderr
    assert jigong("restore", "--check", archive, env=target).stdout.startswith("归档完整")


def test_dumpdata_method_round_trip(tmp_path, engine, source):
    """The fallback when pg_dump is not installed: dumpdata/loaddata, checked by counts."""
    archive = tmp_path / "json.tar.gz"
    jigong("backup", "--out", archive, "--method", "dumpdata", env=source)
    target = site(tmp_path, engine, "dst")
    run = jigong("restore", archive, env=target)
    assert "dumpdata" in run.stdout
    before, after = stats_of(source), stats_of(target)
    assert {t: s["rows"] for t, s in before.items()} == {t: s["rows"] for t, s in after.items()}
