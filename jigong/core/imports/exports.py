"""Exports through the restriction mechanism, in the import template's columns, so an
exported file imports back unchanged (a round trip)."""

import csv
import datetime
import io
import os

from jigong.core import pii
from jigong.core.imports.base import ImportKind, get_kind

DATE_FORMAT = "yyyy-mm-dd"


def rows(kind: ImportKind, user, queryset=None):
    """The export rows (cells as written), scoped to the user. Kinds that declare
    ``export_values`` (lookups, one per column) are read as plain tuples with
    ``values_list`` instead of model instances."""
    qs = queryset if queryset is not None else kind.queryset(user)
    columns = kind.columns
    lookups = getattr(kind, "export_values", None)
    if lookups:
        convert = [c.exporter() for c in columns]
        plain = [i for i, f in enumerate(convert) if f is None]
        if len(plain) == len(convert):
            for values in pii.values_list(qs, *lookups).iterator(chunk_size=5000):
                yield ["" if v is None else v for v in values]
            return
        for values in pii.values_list(qs, *lookups).iterator(chunk_size=5000):
            yield [
                ("" if v is None else v) if f is None else f(v)
                for f, v in zip(convert, values, strict=True)
            ]
        return
    for obj in qs.iterator(chunk_size=2000):
        yield [c.export(v) for c, v in zip(columns, kind.export_row(obj), strict=True)]


def export(
    kind: str | ImportKind,
    out,
    *,
    user=None,
    queryset=None,
    fmt: str | None = None,
    mask_ids: bool | None = None,
) -> int:
    """Write an .xlsx or .csv to a path or binary file; return the number of rows.

    ID-number columns are masked (5001**********1234) for a role that does not need them
    whole (``mask_ids`` None: `viewsets.sees_full_id(user)` decides — the school and the
    operator's CLI get them whole, the bureaus masked; a masked file does not import
    back). A file with whole ID numbers is audited: who, which kind, how many rows."""
    from jigong.core.viewsets import mask_id_number, sees_full_id

    kind = get_kind(kind) if isinstance(kind, str) else kind
    if fmt is None:
        fmt = os.path.splitext(str(out))[1].lower().lstrip(".") if isinstance(out, str) else "xlsx"
    if mask_ids is None:
        mask_ids = not sees_full_id(user)
    data = rows(kind, user, queryset)
    id_cols = [i for i, c in enumerate(kind.columns) if c.type == "id_number"]
    if mask_ids and id_cols:
        data = _masked(data, id_cols, mask_id_number)
    n = _csv(kind, data, out) if fmt == "csv" else _xlsx(kind, data, out)
    if id_cols and not mask_ids:
        _audit_full_export(user, kind, n, fmt)
    return n


def _audit_full_export(user, kind, n: int, fmt: str) -> None:
    from django.utils.translation import gettext

    from jigong.core import services as core
    from jigong.core.models import AuditLog

    school = getattr(user, "school", None) if user is not None else None
    core.audit(
        user,
        AuditLog.Action.EXPORT,
        school,
        object_type=kind.model._meta.label_lower if kind.model else "",
        message=gettext("导出%(k)s %(n)s 行（含完整身份证号，%(f)s）")
        % {"k": kind.label, "n": n, "f": fmt},
    )


def _masked(data, cols, mask):
    for row in data:
        row = list(row)
        for i in cols:
            if row[i]:
                row[i] = mask(row[i])
        yield row


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


def _writers(ws):
    """(write_string, write_number, write_datetime) of an xlsxwriter worksheet. The
    public methods wrap the private ones with a decorator that parses "A1" notation on
    every call; exports pass numeric coordinates, and skipping it measured ≈ 25% less CPU
    on 120,000 rows. The private names have been stable through XlsxWriter 3.x (pinned
    <4); should they go, the public ones are used."""
    names = ("write_string", "write_number", "write_datetime")
    private = [getattr(ws, f"_{n}", None) for n in names]
    if all(callable(m) for m in private):
        return private
    return [getattr(ws, n) for n in names]


def _xlsx(kind, data, out) -> int:
    """constant_memory: each row is flushed to the sheet's XML as the next one starts,
    so memory stays flat. Text cells carry no format of their own: the column's text
    format (set_column) already marks them, and fewer style references are written."""
    import xlsxwriter

    target = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    wb = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "in_memory": not isinstance(target, str),
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet(kind.label[:31])
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": DATE_FORMAT})
    text_cols = {i for i, c in enumerate(kind.columns) if c.type in ("id_number", "code", "text")}
    for j, c in enumerate(kind.columns):
        ws.write_string(0, j, c.header, head)
        ws.set_column(j, j, max(10, len(c.header) * 2 + 2), text if j in text_cols else None)
    write_string, write_number, write_datetime = _writers(ws)
    datetime_ = datetime.datetime
    date_ = datetime.date
    n = 0
    for i, row in enumerate(data, start=1):
        for j, v in enumerate(row):
            cls = v.__class__
            if cls is str:
                if v:
                    write_string(i, j, v)
            elif cls is date_:
                write_datetime(i, j, datetime_(v.year, v.month, v.day), date)
            elif cls is bool:
                write_string(i, j, "是" if v else "否")
            elif (cls is int or cls is float) and j not in text_cols:
                write_number(i, j, v)
            elif v is None or v == "":
                continue
            elif isinstance(v, date_):
                d = v if isinstance(v, datetime_) else datetime_(v.year, v.month, v.day)
                write_datetime(i, j, d, date)
            elif isinstance(v, bool):
                write_string(i, j, "是" if v else "否")
            elif isinstance(v, int | float) and j not in text_cols:
                write_number(i, j, v)
            else:
                write_string(i, j, str(v))
        n += 1
    ws.freeze_panes(1, 0)
    wb.close()
    return n
