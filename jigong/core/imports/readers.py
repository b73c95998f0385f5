"""Readers: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv through the csv module,
each within the limits of ``bounds`` (rows, columns, cells, unzipped size, shared
strings, line length), checked while reading and before python-calamine allocates.

A reader returns a ``Sheet``: the raw rows of the first visible sheet with content,
each with its row number as Excel shows it. Header detection is the runner's job.
"""

import csv
import io
import os
from dataclasses import dataclass, field

from jigong.core.imports import bounds
from jigong.core.imports.bounds import BROKEN, ReadError

__all__ = ["ReadError", "Sheet", "read"]

EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class Sheet:
    name: str
    rows: list  # list of lists of cell values (None for blank)
    first_row: int = 1  # Excel row number of rows[0]
    merged: list = field(default_factory=list)  # ((r0, c0), (r1, c1)) zero-based, absolute
    numbers: list | None = None  # Excel row number of each row, when rows were skipped

    def number(self, i: int) -> int:
        """The row number Excel shows for rows[i]."""
        return self.numbers[i] if self.numbers is not None else self.first_row + i


def extension(filename: str) -> str:
    return os.path.splitext(filename or "")[1].lower()


def read(source, filename: str | None = None) -> Sheet:
    """Read a path, bytes or a binary file object; the extension picks the reader."""
    if isinstance(source, str | os.PathLike):
        filename = filename or os.fspath(source)
        with open(source, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ReadError("文件超过 200 MB：请拆分后分批导入")
    if not data:
        raise ReadError("文件是空的")
    ext = extension(filename or "")
    if ext in EXCEL_EXTENSIONS or (not ext and data[:2] == b"PK"):
        return read_excel(data)
    if ext in CSV_EXTENSIONS or not ext:
        return read_csv(data)
    raise ReadError(f"不支持的文件类型“{ext}”：请上传 .xlsx、.xls、.ods 或 .csv 文件")


def read_excel(data: bytes) -> Sheet:
    """Zip formats (.xlsx, .xlsm, .ods) and .xls are scanned first (``bounds.check_zip``,
    ``bounds.check_xls``): past a limit they are refused; an .xlsx sheet whose cells,
    blank ones included, span more than the cell limit is streamed with openpyxl within
    the area holding content, the rest read by python-calamine."""
    if data[:2] == b"PK":
        area = bounds.check_zip(data)
        if area.dense_cells > bounds.limits().cells:
            return read_excel_sparse(data, area)
    elif data[:8] == bounds.OLE2:
        bounds.check_xls(data)  # refused past a limit: no streaming reader for .xls
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for broken files
        raise ReadError(BROKEN) from exc
    try:
        for meta in wb.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                continue  # hidden and very hidden sheets are ignored
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart and macro sheets
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            if not any(any(c not in (None, "") for c in row) for row in rows[:50]):
                continue
            try:
                merged = [tuple(r) for r in (sheet.merged_cell_ranges or [])]
            except Exception:  # not every format reports merges
                merged = []
            return Sheet(name=meta.name, rows=rows, first_row=1, merged=merged)
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError("读取 Excel 文件失败（文件可能已损坏）：请另存为 .xlsx 后再导入") from exc
    raise ReadError("文件中没有可见且有内容的工作表")


def read_excel_sparse(data: bytes, area: bounds.Area) -> Sheet:
    """An .xlsx streamed with openpyxl (read-only) within ``area`` (the rows and columns
    holding content, as the scan found them): only rows holding something are kept,
    with their row numbers, so memory follows the content, not the used range."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(BROKEN) from exc
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            rows, numbers = [], []
            cells = ws.iter_rows(max_row=area.rows, max_col=area.columns, values_only=True)
            for number, row in enumerate(cells, start=1):
                if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in row):
                    rows.append(list(row))
                    numbers.append(number)
            if rows:
                return Sheet(name=ws.title, rows=rows, numbers=numbers)
    except Exception as exc:
        raise ReadError("读取 Excel 文件失败（文件可能已损坏）：请另存为 .xlsx 后再导入") from exc
    finally:
        wb.close()
    raise ReadError("文件中没有可见且有内容的工作表")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UNKNOWN_ENCODING = "无法识别文件编码：请将 CSV 另存为 UTF-8 或 GB18030（GBK）编码"


def encodings(data: bytes) -> tuple[str, ...]:
    """The encodings to try, in order."""
    if data[:2] in _UTF16_BOMS:  # Excel's "Unicode 文本" (UTF-16, tab separated)
        return ("utf-16",)
    if b"\x00" in data[:4096]:
        raise ReadError("文件不是文本格式的 CSV（可能是改了扩展名的 Excel 或其他二进制文件）")
    return ENCODINGS


def sniff_delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    return "\t" if first.count("\t") > first.count(",") else ","


def read_csv(data: bytes) -> Sheet:
    """Decoded as it is read (UTF-8, else GB18030), line by line: a record longer than
    the line limit, more rows holding content than the row limit, more columns than the
    column limit, or more lines than Excel's 1,048,576 are refused when reached; blank
    records are not kept (their row numbers are)."""
    for encoding in encodings(data):
        try:
            return _read_csv(data, encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(_UNKNOWN_ENCODING)


def _read_csv(data: bytes, encoding: str) -> Sheet:
    lim = bounds.limits()
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    delimiter = sniff_delimiter(text.read(8192))
    text.seek(0)
    budget = [0, 0]  # characters of the current record, lines read

    def lines():
        while line := text.readline(lim.line_chars + 1):
            budget[0] += len(line)
            budget[1] += 1
            if budget[0] > lim.line_chars:
                raise bounds.too_big(
                    f"每行最多 {lim.line_chars} 个字符", f"第{len(numbers) + blanks + 1}行"
                )
            if budget[1] > bounds.EXCEL_ROWS:
                raise bounds.too_big(f"最多 {bounds.EXCEL_ROWS} 行（含空行）")
            yield line

    rows, numbers = [], []
    blanks = 0
    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for row in reader:
            budget[0] = 0
            if not any(row) or "".join(row).isspace():
                blanks += 1
                continue
            number = len(numbers) + blanks + 1
            while row and row[-1] == "":
                row.pop()
            if len(row) > lim.columns:
                raise bounds.too_big(f"最多 {lim.columns} 列", f"第{number}行有 {len(row)} 列")
            if len(rows) >= lim.rows:
                raise bounds.too_big(f"最多 {lim.rows} 行有内容", f"第{number}行")
            rows.append([c if c != "" else None for c in row])
            numbers.append(number)
    except csv.Error as exc:
        line = reader.line_num
        if "NUL" in str(exc):
            raise ReadError(
                f"文件第{line}行含有空字符：不是文本格式的 CSV（可能是改了扩展名的二进制文件）"
            ) from exc
        if "field larger" in str(exc):
            raise ReadError(
                f"CSV 第{line}行有单元格超过{csv.field_size_limit()}个字符：请检查引号是否配对"
            ) from exc
        raise ReadError(f"CSV 第{line}行格式错误：请检查引号是否配对") from exc
    return Sheet(name="CSV", rows=rows, numbers=numbers)
