"""Backups: the database, MEDIA_ROOT attachments and the signing keys in one archive.

An archive is a gzipped tar holding

    manifest.json          format, engine, method, when, table row counts and digests,
                           size and SHA-256 of every other member
    database/…             jigong.sqlite3 (SQLite online backup API: one consistent
                           snapshot, WAL included), or jigong.pgdump (pg_dump custom
                           format, taken in the same snapshot as the counts), or
                           data.json (dumpdata, when pg_dump is not installed)
    media/…                MEDIA_ROOT
    keys/…                 $JIGONG_DATA_DIR/keys (signing keys: keep archives private)

`restore` checks every checksum before it writes anything, refuses a database that is
not empty, restores, and then compares the row count (and digest) of every table with
the manifest. Commands: `jigong backup --out F`, `jigong restore F` (docs/ops.md).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

FORMAT = "jigong-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20
METHODS = ("sqlite", "pg_dump", "dumpdata")


class BackupError(Exception):
    """A backup or restore refused, with a Chinese message for the operator."""


@dataclass
class Result:
    archive: Path
    manifest: dict


# --- table statistics -----------------------------------------------------------------


# Folders of MEDIA_ROOT that are not backed up: files built by the worker for one user
# (reports, certificate batches, jigong.jobs' FILE_DIR), kept a day and built again on
# request. They hold personal data in plain (a printed certificate), which a backup
# without keys must not carry.
TRANSIENT_MEDIA = frozenset({"files"})


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in cursor.fetchall()]


def _sqlite_order(cursor, table: str) -> list[str]:
    cursor.execute(f'PRAGMA table_info("{table}")')
    cols = cursor.fetchall()
    pk = [c[1] for c in sorted(cols, key=lambda c: c[5]) if c[5]]
    return pk or [c[1] for c in cols]


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [r[0] for r in cursor.fetchall()]


def _pg_order(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey, a.attnum)",
        [f'"{table}"'],
    )
    pk = [r[0] for r in cursor.fetchall()]
    if pk:
        return pk
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cursor.fetchall()]


def table_stats(cursor, vendor: str, *, digest: bool = True) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": digest of its rows in key order}} for every table."""
    tables = _sqlite_tables(cursor) if vendor == "sqlite" else _pg_tables(cursor)
    order = _sqlite_order if vendor == "sqlite" else _pg_order
    out = {}
    for table in tables:
        if not digest:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            out[table] = {"rows": cursor.fetchone()[0]}
            continue
        keys = ", ".join(f'"{c}"' for c in order(cursor, table))
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {keys}')
        h = hashlib.sha256()
        n = 0
        while rows := cursor.fetchmany(5000):
            n += len(rows)
            h.update(repr(rows).encode())
        out[table] = {"rows": n, "sha256": h.hexdigest()}
    return out


# --- helpers --------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _files(root: Path) -> list[Path]:
    if not root or not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def keys_dir() -> Path:
    return Path(getattr(settings, "JIGONG_KEYS_DIR", settings.DATA_DIR / "keys"))


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = db["NAME"]
    return env


def _pg_connect(db: dict):
    import psycopg

    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def pg_tools() -> bool:
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def _database(alias: str) -> tuple[str, dict]:
    db = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(_("不支持的数据库类型：%(vendor)s") % {"vendor": vendor})
    return vendor, db


# --- backup ---------------------------------------------------------------------------


def _dump_sqlite(db: dict, folder: Path) -> tuple[Path, dict]:
    target = folder / "jigong.sqlite3"
    source = sqlite3.connect(db["NAME"])
    try:
        copy = sqlite3.connect(target)
        # pages=-1: the whole database in one step, so one consistent snapshot even
        # while the server writes (WAL readers see the last committed state).
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        stats = table_stats(copy.cursor(), "sqlite")
        copy.close()
    finally:
        source.close()
    return target, stats


def _dump_pg(db: dict, folder: Path) -> tuple[Path, dict]:
    target = folder / "jigong.pgdump"
    conn = _pg_connect(db)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        run = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "-f", target],
            env=_pg_env(db),
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(_("pg_dump 失败：%(err)s") % {"err": run.stderr.strip()[-500:]})
        stats = table_stats(conn.cursor(), "postgresql")
        conn.rollback()
    finally:
        conn.close()
    return target, stats


def _dump_json(alias: str, folder: Path) -> tuple[Path, dict]:
    from django.core.management import call_command

    target = folder / "data.json"
    call_command(
        "dumpdata",
        all=True,  # base managers: every row, whatever a default manager filters
        database=alias,
        output=str(target),
        verbosity=0,
    )
    with connections[alias].cursor() as cursor:
        stats = table_stats(cursor, connections[alias].vendor, digest=False)
    return target, stats


def create_backup(
    out: Path,
    *,
    alias: str = "default",
    method: str | None = None,
    include_keys: bool = True,
) -> Result:
    """Write the archive ``out`` (atomically, mode 0600)."""
    vendor, db = _database(alias)
    if method is None:
        method = "sqlite" if vendor == "sqlite" else ("pg_dump" if pg_tools() else "dumpdata")
    fits = {"sqlite": vendor == "sqlite", "pg_dump": vendor == "postgresql", "dumpdata": True}
    if not fits.get(method, False):
        raise BackupError(
            _("备份方式 %(method)s 不适用于 %(vendor)s 数据库（可选：%(methods)s）")
            % {"method": method, "vendor": vendor, "methods": "、".join(METHODS)}
        )
    if method == "pg_dump" and not pg_tools():
        raise BackupError(_("未安装 PostgreSQL 客户端工具 pg_dump/pg_restore"))
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jigong-backup-", dir=out.parent) as tmp:
        folder = Path(tmp)
        if method == "sqlite":
            dump, stats = _dump_sqlite(db, folder)
        elif method == "pg_dump":
            dump, stats = _dump_pg(db, folder)
        else:
            dump, stats = _dump_json(alias, folder)
        members: list[tuple[str, Path]] = [(f"database/{dump.name}", dump)]
        media = Path(settings.MEDIA_ROOT)
        members += [
            (f"media/{rel}", p)
            for p in _files(media)
            if (rel := p.relative_to(media).as_posix()).split("/")[0] not in TRANSIENT_MEDIA
        ]
        if include_keys:
            keys = keys_dir()
            members += [(f"keys/{p.relative_to(keys).as_posix()}", p) for p in _files(keys)]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "engine": vendor,
            "method": method,
            "database": f"database/{dump.name}",
            "tables": stats,
            "files": {
                name: {"size": p.stat().st_size, "sha256": _sha256(p)} for name, p in members
            },
        }
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = (
                len(data),
                int(datetime.datetime.now().timestamp()),
                0o600,
            )
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, out)
    return Result(out, manifest)


# --- restore --------------------------------------------------------------------------


def _safe(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and bool(p.parts)


def read_archive(archive: Path, folder: Path) -> dict:
    """Unpack ``archive`` into ``folder`` and check it; returns the manifest. Any damage
    (truncated, altered, missing or unexpected member) raises BackupError."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("备份文件 %(path)s 不存在") % {"path": archive})
    damaged = _("备份文件 %(path)s 已损坏或不是本平台的备份（%(why)s），未做任何恢复。")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = []
            for member in tar:
                if not member.isfile() or not _safe(member.name):
                    raise BackupError(
                        damaged % {"path": archive, "why": _("异常条目 %s") % member.name}
                    )
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
                names.append(member.name)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            damaged % {"path": archive, "why": str(exc) or type(exc).__name__}
        ) from None
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(manifest.get("format"))
    except (OSError, ValueError, AttributeError):
        raise BackupError(
            damaged % {"path": archive, "why": _("缺少或无法读取清单 manifest.json")}
        ) from None
    if manifest.get("version") != VERSION:
        raise BackupError(
            _("备份格式版本 %(v)s 不受支持（本程序支持 %(ours)s）")
            % {"v": manifest.get("version"), "ours": VERSION}
        )
    expected = manifest.get("files", {})
    present = set(names) - {MANIFEST}
    for name in sorted(set(expected) | present):
        if name not in present:
            raise BackupError(damaged % {"path": archive, "why": _("缺少文件 %s") % name})
        if name not in expected:
            raise BackupError(damaged % {"path": archive, "why": _("清单外的文件 %s") % name})
        if _sha256(folder / name) != expected[name]["sha256"]:
            raise BackupError(damaged % {"path": archive, "why": _("文件 %s 校验值不符") % name})
    return manifest


def _empty(vendor: str, db: dict) -> bool:
    if vendor == "sqlite":
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        conn = sqlite3.connect(path)
        try:
            return not _sqlite_tables(conn.cursor())
        finally:
            conn.close()
    conn = _pg_connect(db)
    try:
        return not _pg_tables(conn.cursor())
    finally:
        conn.close()


def _compare(expected: dict, actual: dict, *, digest: bool) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        e, a = expected.get(table), actual.get(table)
        if e is None or a is None:
            problems.append(
                _("表 %(t)s 只在%(where)s中存在")
                % {"t": table, "where": _("备份") if a is None else _("恢复后的数据库")}
            )
        elif e["rows"] != a["rows"]:
            problems.append(
                _("表 %(t)s 行数：备份 %(e)s，恢复后 %(a)s")
                % {"t": table, "e": e["rows"], "a": a["rows"]}
            )
        elif digest and e.get("sha256") != a.get("sha256"):
            problems.append(_("表 %(t)s 内容摘要不符") % {"t": table})
    return problems


def _restore_files(folder: Path, manifest: dict, *, force: bool) -> int:
    roots = {"media": Path(settings.MEDIA_ROOT), "keys": keys_dir()}
    plan = []
    for name, meta in manifest["files"].items():
        top, _sep, rest = name.partition("/")
        if top not in roots:
            continue
        target = roots[top] / rest
        if target.exists() and _sha256(target) != meta["sha256"] and not force:
            raise BackupError(
                _("目标文件 %(path)s 已存在且内容不同；确认覆盖请加 --force") % {"path": target}
            )
        plan.append((folder / name, target))
    for src, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        if target.is_relative_to(roots["keys"]):
            target.chmod(0o600)
    return len(plan)


def restore_backup(archive: Path, *, alias: str = "default", force: bool = False) -> dict:
    """Restore ``archive`` into the (empty) database ``alias`` and the data folder.
    Returns {"tables": n, "rows": n, "files": n, "method": …}."""
    vendor, db = _database(alias)
    work = Path(db["NAME"]).parent if vendor == "sqlite" else None
    with tempfile.TemporaryDirectory(prefix="jigong-restore-", dir=work) as tmp:
        folder = Path(tmp)
        manifest = read_archive(archive, folder)
        method = manifest["method"]
        if method != "dumpdata" and manifest["engine"] != vendor:
            raise BackupError(
                _("备份来自 %(src)s 数据库，不能恢复到 %(dst)s 数据库")
                % {"src": manifest["engine"], "dst": vendor}
            )
        if not force and not _empty(vendor, db):
            raise BackupError(
                _(
                    "目标数据库 %(name)s 不是空库：恢复只写入空数据库"
                    "（新建一个空库，或加 --force 覆盖）"
                )
                % {"name": db["NAME"]}
            )
        dump = folder / manifest["database"]
        connections[alias].close()
        if method == "sqlite":
            stats = _restore_sqlite(dump, db, manifest)
        elif method == "pg_dump":
            stats = _restore_pg(dump, db, force=force)
        else:
            stats = _restore_json(dump, alias)
        problems = _compare(manifest["tables"], stats, digest=method != "dumpdata")
        if problems:
            raise BackupError(_("恢复后核对不一致：") + "；".join(problems[:10]))
        files = _restore_files(folder, manifest, force=force)
    return {
        "method": method,
        "tables": len(stats),
        "rows": sum(t["rows"] for t in stats.values()),
        "files": files,
    }


def _restore_sqlite(dump: Path, db: dict, manifest: dict) -> dict:
    # Check the copy before it touches the target: nothing half-written.
    copy = sqlite3.connect(dump)
    try:
        stats = table_stats(copy.cursor(), "sqlite")
        problems = _compare(manifest["tables"], stats, digest=True)
        if problems:
            raise BackupError(_("备份中的数据库与清单不一致：") + "；".join(problems[:10]))
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(db["NAME"])
        try:
            copy.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        copy.close()
    return stats


def _restore_pg(dump: Path, db: dict, *, force: bool) -> dict:
    if not pg_tools():
        raise BackupError(_("恢复 pg_dump 格式的备份需要 PostgreSQL 客户端工具 pg_restore"))
    command = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    run = subprocess.run(
        [*command, "-d", db["NAME"], str(dump)], env=_pg_env(db), capture_output=True, text=True
    )
    if run.returncode != 0:
        raise BackupError(_("pg_restore 失败：%(err)s") % {"err": run.stderr.strip()[-500:]})
    conn = _pg_connect(db)
    try:
        return table_stats(conn.cursor(), "postgresql")
    finally:
        conn.close()


def _restore_json(dump: Path, alias: str) -> dict:
    from django.core.management import call_command

    try:
        # Tables from the migrations, emptied of what the migrations and post_migrate
        # put there (reference data, content types), then every row by primary key.
        call_command("migrate", database=alias, verbosity=0, interactive=False)
        call_command(
            "flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0
        )
        call_command("loaddata", str(dump), database=alias, verbosity=0)
    except Exception as exc:  # loaddata runs in one transaction: no rows were loaded
        raise BackupError(
            _("载入 dumpdata 备份失败（已建表，未载入数据）：%(err)s") % {"err": str(exc)[:500]}
        ) from None
    with connections[alias].cursor() as cursor:
        return table_stats(cursor, connections[alias].vendor, digest=False)
