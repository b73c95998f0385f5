"""The import runner: read, match headers, clean and validate every row (collecting all
errors), then write through the services in one transaction.

Modes:
    validate    dry run: every check, including the services' own, then roll back
    all         all-or-nothing (default): one transaction, nothing written if any row fails
    valid_only  write the valid rows, report the refused ones
"""

import contextlib
import datetime
import gc
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.dispatch import Signal

from jigong.core import acts
from jigong.core.imports import normalise as N
from jigong.core.imports.base import Context, ImportKind, Row, get_kind
from jigong.core.imports.readers import ReadError, Sheet, read

# Sent after an import wrote rows (kind: its key, user: the importing user or None): a
# domain app refreshes what depends on the data (the dashboards: jigong.indicators).
imported = Signal()

MODES = ("validate", "all", "valid_only")
MODE_LABELS = {
    "validate": "仅校验（不写入）",
    "all": "全部成功才写入（默认）",
    "valid_only": "只导入校验通过的行",
}
HEADER_SCAN_ROWS = 20
PROGRESS_EVERY = 500


class _Rollback(Exception):
    pass


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        col = f"“{self.column}”列" if self.column else ""
        val = f"值“{self.value}”" if self.value else ""
        sep = "：" if (col or val) else ""
        return f"{where}{col}{val}{sep}{self.message}" if sep else f"{where}：{self.message}"


@dataclass
class ImportResult:
    kind: str
    mode: str
    filename: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    committed: bool = False
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    refused_rows: list[tuple[int, list]] = field(default_factory=list)
    # every data row, kept when nothing was written and some row or the file was refused:
    # the report then hands back the whole file with the bad rows marked
    all_rows: list[tuple[int, list]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def report_is_whole_file(self) -> bool:
        """Whether the error report holds every row of the file (nothing was written, so
        the fixed file imports them all) rather than the refused rows only."""
        return bool(self.all_rows)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    def summary(self) -> str:
        state = {
            "validate": "校验完成，未写入任何数据",
            "all": "已写入" if self.committed else "存在错误，未写入任何数据",
            "valid_only": "已写入校验通过的行",
        }[self.mode]
        if self.file_errors:
            return "文件无法导入：" + "；".join(self.file_errors)
        return (
            f"{state}：共{self.total}行，新增{self.created}，更新{self.updated}，"
            f"未变{self.unchanged}，拒绝{self.refused}"
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "mode": self.mode,
            "filename": self.filename,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "committed": self.committed,
            "file_errors": self.file_errors,
            "errors": [e.__dict__ for e in self.errors],
            "summary": self.summary(),
        }


def match_headers(kind: ImportKind, sheet: Sheet) -> tuple[int, dict[str, int], list[str]]:
    """(index of the header row, column key → cell index, the header row's cells).

    The header row is the one among the first rows matching most of the kind's
    headers; blank cells inside a merged range take the range's top-left text."""
    names = {n: c.key for c in kind.columns for n in c.names}
    best, best_index = 0, -1
    for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        hits = sum(1 for cell in _header_cells(sheet, i, row) if N.header(cell) in names)
        if hits > best:
            best, best_index = hits, i
    if best_index < 0:
        return -1, {}, []
    cells = _header_cells(sheet, best_index, sheet.rows[best_index])
    mapping: dict[str, int] = {}
    for j, cell in enumerate(cells):
        key = names.get(N.header(cell))
        if key is not None and key not in mapping:
            mapping[key] = j
    return best_index, mapping, [N.text(c) for c in cells]


def _header_cells(sheet: Sheet, i: int, row: list) -> list:
    cells = list(row)
    if not sheet.merged:
        return cells
    r = sheet.first_row - 1 + i
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= r <= r1 and (r0, c0) != (r, c0):
            top = sheet.rows[r0 - sheet.first_row + 1] if r0 - sheet.first_row + 1 >= 0 else None
            value = top[c0] if top is not None and c0 < len(top) else None
            for c in range(c0, min(c1 + 1, len(cells))):
                if N.is_blank(cells[c]):
                    cells[c] = value
        elif r0 <= r <= r1:
            for c in range(c0 + 1, min(c1 + 1, len(cells))):
                if N.is_blank(cells[c]):
                    cells[c] = cells[c0]
    return cells


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a file is imported: reading, cleaning
    and validating allocate millions of small long-lived containers (cells, rows, row
    values), and each full collection would walk all of them again. Nothing of the
    import relies on cycles being freed early; the collector is restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_import(
    kind: str | ImportKind,
    source,
    *,
    user=None,
    mode: str = "all",
    filename: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    kind = get_kind(kind) if isinstance(kind, str) else kind
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    with _gc_paused():
        return _run_import(kind, source, user, mode, filename, progress)


def _run_import(kind, source, user, mode, filename, progress) -> ImportResult:
    started = time.perf_counter()
    name = filename or (source if isinstance(source, str) else getattr(source, "name", ""))
    result = ImportResult(kind=kind.key, mode=mode, filename=str(name or ""))
    refusal = kind.refusal(user, write=True)  # role, then duty: before any row is read
    if refusal:
        result.file_errors.append(str(refusal))
        return result
    try:
        sheet = read(source, filename=str(name or ""))
    except ReadError as exc:
        result.file_errors.append(exc.message)
        return result
    header_index, mapping, header_cells = match_headers(kind, sheet)
    if header_index < 0:
        result.file_errors.append(
            f"找不到表头：第一行应为“{kind.label}”导入模板的中文列名（"
            + "、".join(c.header for c in kind.columns)
            + "）。可用 jigong template 或导入页面下载模板"
            + (
                "；若文件中的中文显示为乱码，请将 CSV 另存为 UTF-8 或 GB18030 编码"
                if sheet.name == "CSV"
                else ""
            )
        )
        return result
    missing = [c.header for c in kind.columns if c.required and c.key not in mapping]
    if missing:
        result.file_errors.append(
            f"第{sheet.number(header_index)}行表头缺少必填列：" + "、".join(missing)
        )
        return result
    result.headers = header_cells

    rows = _clean_rows(kind, sheet, header_index, mapping)
    result.total = len(rows)
    if not rows:
        result.file_errors.append("表头之后没有数据行")
        return result
    ctx = Context(user, kind)
    ctx.mapping = mapping
    ctx.filename = result.filename  # named by acts that record where a change came from
    _validate(kind, ctx, rows)
    _write(kind, ctx, rows, result, mode, progress)
    if result.committed and result.created + result.updated:
        imported.send(sender=ImportKind, kind=kind.key, user=user)
    for row in rows:
        if row.errors:
            result.refused += 1
            result.refused_rows.append((row.number, row.raw))
            for header, value, message in row.errors:
                result.errors.append(RowError(row.number, header, value, message))
    if not result.committed and (result.refused or result.file_errors):
        result.all_rows = [(row.number, row.raw) for row in rows]
    result.seconds = time.perf_counter() - started
    return result


_HASHABLE_CELLS = frozenset({type(None), str, int, float, bool, datetime.date, datetime.datetime})
_NUMBERS = frozenset({int, float, bool})


class _Refused:
    """A cell that did not clean: the reason, in place of the value."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _blank_row(raw) -> bool:
    for v in raw:
        if v is None:
            continue
        if v.__class__ is str:
            if v.isascii():
                if v and not v.isspace():
                    return False
                continue
            if not N.is_blank(v):
                return False
            continue
        return False
    return True


def _clean_column(column, cells: list) -> tuple[list, bool]:
    """Clean one column of the file: each distinct raw value once (columns repeat the
    same few school codes, majors, levels and dates), then a C-level map back onto
    the rows. Returns (clean values or _Refused, whether any cell was refused)."""
    types = set(map(type, cells))
    if not types <= _HASHABLE_CELLS:  # unusual cell types: clean each cell as it comes
        out = []
        for v in cells:
            try:
                out.append(column.clean(v))
            except N.CellError as exc:
                out.append(_Refused(exc.message))
        return out, any(v.__class__ is _Refused for v in out)
    # 1, 1.0 and True are equal dictionary keys but clean differently: tell them apart
    mixed = len(types & _NUMBERS) > 1
    keys = list(zip(map(type, cells), cells, strict=True)) if mixed else cells
    outcome = dict.fromkeys(keys)
    refused = False
    for key in outcome:
        raw = key[1] if mixed else key
        try:
            outcome[key] = column.clean(raw)
        except N.CellError as exc:
            outcome[key] = _Refused(exc.message)
            refused = True
    return list(map(outcome.__getitem__, keys)), refused


def _clean_rows(kind: ImportKind, sheet: Sheet, header_index: int, mapping: dict) -> list[Row]:
    """Clean every cell by its column's type, column by column; rows with a refused
    cell get one error per such cell, in column order."""
    columns = [(c, mapping.get(c.key)) for c in kind.columns]
    example = [N.text(v) for v in kind.example()]
    first_data = header_index + 1
    numbers: list[int] = []
    raws: list[list] = []
    for offset, raw in enumerate(sheet.rows[first_data:], start=first_data):
        if _blank_row(raw):
            continue  # blank rows (trailing or in between) are not data
        if offset == first_data and _is_example(columns, raw, example):
            continue  # the template's example row, left in place
        numbers.append(sheet.number(offset))
        raws.append(raw if raw.__class__ is list else list(raw))
    if not raws:
        return []
    shortest = min(map(len, raws))
    cleaned = []
    refused_columns = []
    for column, j in columns:
        if j is None:
            cells = [None] * len(raws)
        elif j < shortest:
            cells = list(map(operator.itemgetter(j), raws))
        else:
            cells = [r[j] if j < len(r) else None for r in raws]
        out, refused = _clean_column(column, cells)
        cleaned.append(out)
        if refused:
            refused_columns.append((column, j, out))
    keys = [c.key for c, _j in columns]
    rows = [
        Row(number=number, raw=raw, values=dict(zip(keys, values, strict=True)))
        for number, raw, values in zip(numbers, raws, zip(*cleaned, strict=True), strict=True)
    ]
    if refused_columns:
        bad = sorted(
            {
                i
                for _c, _j, out in refused_columns
                for i, v in enumerate(out)
                if v.__class__ is _Refused
            }
        )
        for i in bad:
            row = rows[i]
            for column, j, out in refused_columns:
                v = out[i]
                if v.__class__ is _Refused:
                    row.values[column.key] = None
                    value = row.raw[j] if j is not None and j < len(row.raw) else None
                    row.error(column, N.text(value), v.message)
    return rows


def _is_example(columns, raw, example) -> bool:
    for (_c, j), ex in zip(columns, example, strict=True):
        value = N.text(raw[j]) if j is not None and j < len(raw) else ""
        if value != ex and not (_c.type == "date" and ex and value.startswith(ex)):
            return False
    return True


def _validate(kind: ImportKind, ctx: Context, rows: list[Row]) -> None:
    kind.prepare(ctx, rows)
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        kind.resolve(ctx, row)
        if row.errors:
            continue
        row.key = kind.natural_key(row)
        first = seen.get(row.key)
        if first is not None:
            row.error(
                "", "", f"与第{first}行重复（{_key_text(kind, ctx, row)}）：同一记录只能出现一次"
            )
        else:
            seen[row.key] = row.number
    kind.find_existing(ctx, [r for r in rows if not r.errors])


def _key_text(kind: ImportKind, ctx: Context, row: Row) -> str:
    """The row's key columns as the file has them (a choice's label, a code, a date),
    not as resolved (a choice's stored value, an enterprise's name)."""
    parts = [
        f"{kind.column(k).header}“{_raw_value(kind, ctx, row, kind.column(k).header)}”"
        for k in getattr(kind, "key_columns", ())
    ]
    return "，".join(parts) or "相同的唯一标识"


def _raw_value(kind: ImportKind, ctx: Context, row: Row, header: str) -> str:
    for c in kind.columns:
        if c.header == header:
            j = ctx.mapping.get(c.key)
            return N.text(row.raw[j]) if j is not None and j < len(row.raw) else ""
    return ""


def _service_errors(kind: ImportKind, ctx: Context, row: Row, exc: Exception) -> None:
    if isinstance(exc, PermissionDenied):
        row.error("", "", str(exc) or "超出您的数据范围")
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            header = kind.error_column(name)
            value = _raw_value(kind, ctx, row, header) if header else ""
            for e in errors:
                for message in e.messages:
                    row.error(header, value, message)
    else:
        for message in exc.messages:
            row.error("", "", message)


WRITE_FAILED = "写入数据库时出错，该行未写入：{error}"
DATABASE_FAILED = "数据库出错，本次导入未写入任何数据（已全部撤销），请稍后重新导入：{error}"


def _write(kind, ctx, rows, result, mode, progress) -> None:
    """Write the valid rows in one transaction; each row (or the bulk insert of new
    rows) in its own savepoint, so a row the services refuse — or whose write fails in
    the database — is reported and rolled back alone. all: any refused row rolls back
    everything; valid_only: the rest is committed; validate: always rolled back."""
    todo = [r for r in rows if not r.errors]
    total = len(rows)
    any_error = len(todo) < len(rows)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if progress:
        progress(0, total)  # validation done: writing starts
    try:
        with transaction.atomic():
            bulk = getattr(kind, "bulk_create", None)
            creates = [r for r in todo if r.existing is None]
            done = 0
            if bulk is not None and len(creates) >= getattr(kind, "bulk_threshold", 200):
                try:
                    with transaction.atomic():
                        ok = bulk(ctx, creates)
                except (ValidationError, PermissionDenied, DatabaseError):
                    pass  # write the rows one by one below: each gets its own outcome
                else:
                    counts["created"] += ok
                    any_error = any_error or ok < len(creates)
                    todo = [r for r in todo if r.existing is not None]
                    done += len(creates)
            for row in todo:
                try:
                    with transaction.atomic():
                        outcome = _apply(kind, ctx, row)
                    counts[outcome] += 1
                except (ValidationError, PermissionDenied) as exc:
                    _service_errors(kind, ctx, row, exc)
                    any_error = True
                except DatabaseError as exc:
                    row.error("", "", WRITE_FAILED.format(error=_short(exc)))
                    any_error = True
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, total)
            if mode == "validate" or (mode == "all" and any_error):
                raise _Rollback
    except _Rollback:
        result.committed = False
    except DatabaseError as exc:  # the commit itself (or the connection) failed
        result.committed = False
        result.file_errors.append(DATABASE_FAILED.format(error=_short(exc)))
        counts = {"created": 0, "updated": 0, "unchanged": 0}
    else:
        result.committed = True
    if progress:
        progress(total, total)
    result.created, result.updated, result.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    if mode == "all" and not result.committed:
        result.created = result.updated = 0
        result.unchanged = 0


def _short(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _apply(kind: ImportKind, ctx: Context, row: Row) -> str:
    if row.existing is None:
        kind.create(ctx, row)
        return "created"
    changes = kind.changes(row)
    if not changes:
        return "unchanged"
    # A field that belongs to a procedure (a school's 办学状态, say) is not changed by a
    # spreadsheet: the row names the act to use instead (jigong.core.acts).
    refused = acts.procedure_errors(row.existing, changes)
    if refused:
        raise ValidationError(refused)
    kind.update(ctx, row, changes)
    return "updated"


def run(kind_key: str, source, **kw) -> ImportResult:
    return run_import(kind_key, source, **kw)
