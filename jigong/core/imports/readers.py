"""Readers: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv through the csv module.

A reader returns a ``Sheet``: the raw rows of the first visible sheet with content,
each with its row number as Excel shows it. Header detection is the runner's job.
"""

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 200 * 1024 * 1024
# python-calamine allocates a dense range (≈32 bytes a cell) before handing anything
# over: a sheet declaring more cells than this (say one stray cell in row 1,048,576) is
# streamed with openpyxl instead, keeping only the rows that hold something.
MAX_DENSE_CELLS = 8_000_000
_BLANK = ()  # every blank CSV line shares this row


class ReadError(ValueError):
    """The file as a whole cannot be read; ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def declared_cells(data: bytes) -> int:
    """The largest cell count an .xlsx's worksheets declare (their <dimension> element,
    which Excel, WPS, openpyxl and xlsxwriter all write near the top); 0 if unknown."""
    if data[:2] != b"PK":
        return 0
    largest = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with zf.open(name) as fh:
                    m = _DIMENSION.search(fh.read(4096))
                if m and m[3]:
                    rows = int(m[4]) - int(m[2]) + 1
                    cols = _column_number(m[3]) - _column_number(m[1]) + 1
                    largest = max(largest, rows * cols)
    except Exception:  # any broken zip: calamine will say so, in Chinese
        return 0
    return largest


def read_excel(data: bytes) -> Sheet:
    if declared_cells(data) > MAX_DENSE_CELLS:
        return read_excel_sparse(data)
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for broken files
        raise ReadError(
            "无法打开该 Excel 文件（文件损坏、加密或不是真正的 Excel 文件）："
            "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
        ) from exc
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


def read_excel_sparse(data: bytes) -> Sheet:
    """An .xlsx streamed with openpyxl (read-only): only rows holding something are
    kept, with their row numbers, so memory follows the content, not the used range."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ReadError(
            "无法打开该 Excel 文件（文件损坏、加密或不是真正的 Excel 文件）："
            "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
        ) from exc
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            rows, numbers = [], []
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
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


def decode(data: bytes) -> str:
    if data[:2] in _UTF16_BOMS:  # Excel's "Unicode 文本" (UTF-16, tab separated)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(
                "无法识别文件编码：请将 CSV 另存为 UTF-8 或 GB18030（GBK）编码"
            ) from None
    if b"\x00" in data[:4096]:
        raise ReadError("文件不是文本格式的 CSV（可能是改了扩展名的 Excel 或其他二进制文件）")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("无法识别文件编码：请将 CSV 另存为 UTF-8 或 GB18030（GBK）编码")


def sniff_delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    return "\t" if first.count("\t") > first.count(",") else ","


def read_csv(data: bytes) -> Sheet:
    textdata = decode(data)
    delimiter = sniff_delimiter(textdata[:8192])
    rows = []
    append = rows.append
    reader = csv.reader(io.StringIO(textdata, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(row) and not "".join(row).isspace():
                append([c if c != "" else None for c in row])
            else:
                append(_BLANK)
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
    return Sheet(name="CSV", rows=rows)
