"""Building import files in tests."""

import csv
import datetime
import io

import openpyxl

from jigong.core.imports.base import get_kind


def headers(kind: str) -> list[str]:
    return [c.header for c in get_kind(kind).columns]


def xlsx(rows: list[list], *, header: list[str] | None = None, kind: str | None = None, **kw):
    """An .xlsx (bytes) with a header row and data rows written as given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if kw.get("hidden_first"):
        hidden = ws
        hidden.title = "隐藏"
        hidden.append(["这是隐藏的工作表"])
        hidden.sheet_state = "hidden"
        ws = wb.create_sheet("数据")
    for r in kw.get("before", []):
        ws.append(r)
    ws.append(header or headers(kind))
    for r in rows:
        ws.append(r)
    for _ in range(kw.get("blank_rows", 0)):
        ws.append([None, " ", "\u00a0"])
    for rng in kw.get("merge", []):
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, *, header, encoding="utf-8", delimiter=","):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    for r in rows:
        w.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in r])
    return buf.getvalue().encode(encoding)
