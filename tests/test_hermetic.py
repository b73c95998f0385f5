"""The suite never reads or writes the checkout's data folder (jigong/settings_test.py):
command 2 passes right after command 1, whatever ``var/`` holds."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from jigong.certificates import signing

ROOT = Path(__file__).resolve().parents[1]

INNER = """
from pathlib import Path

from django.conf import settings


def test_inside(db):
    from jigong.certificates import signing
    from jigong.core import pii

    data = Path(settings.DATA_DIR)
    assert not data.is_relative_to(Path.cwd()), data
    assert signing.store().keys() == []
    assert Path(settings.DATABASES["default"]["TEST"]["NAME"]).is_relative_to(data)
    assert Path(settings.MEDIA_ROOT).is_relative_to(data)
    sealed = pii.seal("110101199003077777", "t.c")  # the run's key, not var/keys/pii.key
    assert pii.open_(sealed, "t.c") == "110101199003077777"
"""


def test_data_folder_is_the_runs_own():
    data = Path(settings.DATA_DIR)
    assert data != ROOT / "var"
    assert not data.is_relative_to(ROOT)
    assert data.is_relative_to(Path(tempfile.gettempdir()))
    assert Path(settings.STATIC_ROOT).is_relative_to(data)
    assert "LocMemCache" in settings.CACHES["default"]["BACKEND"]


def test_a_checkout_with_keys_and_a_database_is_left_alone(tmp_path):
    """A folder laid out like a clone after `scripts/setup.sh` (var/ with signing keys,
    a PII key and a database): a pytest run from there uses none of it and changes
    nothing in it."""
    var = tmp_path / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "JIGONG_TEST", "DJANGO_SETTINGS"))
    }
    env.update(JIGONG_DATA_DIR=str(var), DJANGO_SETTINGS_MODULE="jigong.settings")
    env.pop("JIGONG_PII_KEY", None)
    env.pop("DATABASE_URL", None)
    var.mkdir()
    (var / "jigong.sqlite3").write_bytes(b"SQLite format 3\x00" + bytes(4080))
    signing.KeyStore(var / "keys").create()
    (var / "keys" / "pii.key").write_text("bm90LXRoZS1ydW4ncy1rZXktbm90LXRoZS1ydW4ncy0=")
    before = {p: p.stat().st_mtime_ns for p in var.rglob("*")}
    (tmp_path / "test_inner.py").write_text(INNER)
    env.pop("JIGONG_DATA_DIR")
    env.pop("DJANGO_SETTINGS_MODULE")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--no-migrations",  # what is tested is where the files are, not the schema
            "--rootdir",
            str(ROOT),
            str(tmp_path / "test_inner.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 passed" in run.stdout
    assert {p: p.stat().st_mtime_ns for p in var.rglob("*")} == before
