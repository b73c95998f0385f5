"""Exports through the restriction mechanism, in the import template's columns, so an
exported file imports back unchanged (a round trip)."""

import csv
import datetime
import io
import os

from jigong.core.imports.base import ImportKind, get_kind

DATE_FORMAT = "yyyy-mm-dd"


def rows(kind: ImportKind, user, queryset=None):
    """The export rows (cells as written), scoped to the user."""
    qs = queryset if queryset is not None else kind.queryset(user)
    columns = kind.columns
    for obj in qs.iterator(chunk_size=2000):
        yield [c.export(v) for c, v in zip(columns, kind.export_row(obj), strict=True)]


def export(kind: str | ImportKind, out, *, user=None, queryset=None, fmt: str | None = None) -> int:
    """Write an .xlsx or .csv to a path or binary file; return the number of rows."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    if fmt is None:
        fmt = os.path.splitext(str(out))[1].lower().lstrip(".") if isinstance(out, str) else "xlsx"
    data = rows(kind, user, queryset)
    if fmt == "csv":
        return _csv(kind, data, out)
    return _xlsx(kind, data, out)


def _csv(kind, data, out) -> int:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow([c.header for c in kind.columns])
    n = 0
    for row in data:
        writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])
        n += 1
    payload = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    if isinstance(out, str | os.PathLike):
        with open(out, "wb") as fh:
            fh.write(payload)
    else:
        out.write(payload)
    return n


def _xlsx(kind, data, out) -> int:
    import xlsxwriter

    target = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    wb = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": not isinstance(target, str)}
    )
    ws = wb.add_worksheet(kind.label[:31])
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": DATE_FORMAT})
    text_cols = {i for i, c in enumerate(kind.columns) if c.type in ("id_number", "code", "text")}
    for j, c in enumerate(kind.columns):
        ws.write_string(0, j, c.header, head)
        ws.set_column(j, j, max(10, len(c.header) * 2 + 2), text if j in text_cols else None)
    n = 0
    for i, row in enumerate(data, start=1):
        for j, v in enumerate(row):
            if isinstance(v, datetime.date):
                ws.write_datetime(i, j, datetime.datetime(v.year, v.month, v.day), date)
            elif isinstance(v, bool):
                ws.write_string(i, j, "是" if v else "否")
            elif isinstance(v, int | float) and j not in text_cols:
                ws.write_number(i, j, v)
            elif v is None or v == "":
                continue
            else:
                ws.write_string(i, j, str(v), text if j in text_cols else None)
        n += 1
    ws.freeze_panes(1, 0)
    wb.close()
    return n
