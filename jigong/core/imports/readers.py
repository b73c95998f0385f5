"""Readers: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv through the csv module.

A reader returns a ``Sheet``: the raw rows of the first visible sheet with content,
each with its row number as Excel shows it. Header detection is the runner's job.
"""

import csv
import io
import os
from dataclasses import dataclass, field

EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ENCODINGS = ("utf-8-sig", "gb18030")
MAX_BYTES = 200 * 1024 * 1024


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


def decode(data: bytes) -> str:
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
    try:
        rows = [
            [c if c != "" else None for c in row]
            for row in csv.reader(io.StringIO(textdata, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise ReadError(f"CSV 格式错误：{exc}") from exc
    return Sheet(name="CSV", rows=rows)
