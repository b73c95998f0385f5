"""The error report: the rows as they were, plus a 错误说明 column, so the user fixes
that file and imports it again. When nothing was written (all-or-nothing, validation, a
failed commit) it holds every row of the file, the refused ones marked and the others
blank in 错误说明, so the fixed file writes them all; when the valid rows were written
(valid_only) it holds the refused rows only."""

import datetime
import os
import tempfile
from pathlib import Path

from jigong.core import cells
from jigong.core.imports.exports import _raw_rows
from jigong.core.imports.runner import ImportResult

ERROR_HEADER = "错误说明"


def error_report(result: ImportResult, out=None):
    """Write the report to a path or file object; with no target return the bytes.

    Written in xlsxwriter's constant_memory mode into a private temporary folder (removed
    afterwards, as the exports do), the good rows as row XML (``exports._raw_rows``):
    the whole file of a large upload comes back in seconds, not minutes."""
    with tempfile.TemporaryDirectory(prefix="jigong-report-") as folder:
        if isinstance(out, str | os.PathLike):
            _write(result, os.fspath(out), folder)
            return out
        path = os.path.join(folder, "report.xlsx")
        _write(result, path, folder)
        data = Path(path).read_bytes()
    if out is None:
        return data
    out.write(data)
    return out


def _write(result: ImportResult, path: str, folder: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, cells.xlsx_options(constant_memory=True, tmpdir=folder))
    whole = result.report_is_whole_file
    ws = wb.add_worksheet("导入文件（已标出错误行）" if whole else "拒绝的行")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    err_head = wb.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
    err = wb.add_format({"font_color": "#C00000", "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    headers = list(result.headers)
    for j, h in enumerate(headers):
        ws.write_string(0, j, str(h or ""), head)
        ws.set_column(j, j, 14, text)
    ecol = len(headers)
    ws.write_string(0, ecol, ERROR_HEADER, err_head)
    ws.write_string(0, ecol + 1, "原行号", head)
    ws.set_column(ecol, ecol, 60)
    by_row: dict[int, list[str]] = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(str(e))
    raw = _raw_rows(ws, ecol + 2, set(), date)  # None: xlsxwriter's cells for every row

    def write_cells(i, values, messages):
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, datetime.datetime | datetime.date):
                d = (
                    v
                    if isinstance(v, datetime.datetime)
                    else datetime.datetime(v.year, v.month, v.day)
                )
                ws.write_datetime(i, j, d, date)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, int | float):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, cells.neutralise(str(v)), text)
        if messages:  # a good row's 错误说明 stays blank
            ws.write_string(i, ecol, "\n".join(messages), err)

    rows = result.all_rows if whole else result.refused_rows
    for i, (number, values) in enumerate(rows, 1):
        values = list(values[:ecol]) + [None] * (ecol - len(values))
        messages = by_row.get(number)
        if raw is not None and not messages:
            plain = [cells.neutralise(v) if v.__class__ is str else v for v in values]
            if raw[0](i, [*plain, None, number]):
                continue
        write_cells(i, values, messages)
        ws.write_number(i, ecol + 1, number)
        if raw is not None:
            ws._write_single_row(i + 1)  # flushed before the next raw row
    if raw is not None:
        raw[1]()
    ws.freeze_panes(1, 0)
    if result.file_errors:
        ws2 = wb.add_worksheet("文件错误")
        for i, m in enumerate(result.file_errors):
            ws2.write_string(i, 0, m)
    wb.close()
