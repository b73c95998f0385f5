"""Bounded reading of uploaded sheets: every door that reads a spreadsheet (imports, the
department batch file) goes through ``readers.read``, which calls these checks before a
library allocates anything.

What a file declares is not trusted (an .xlsx without ``<dimension>``, an .ods whose
``number-rows-repeated`` says a billion, a zip whose headers lie about sizes). The zip
members are inflated here from their raw bytes, counting what really comes out (sum
and ratio), and the XML that matters — worksheets and shared strings of an .xlsx, the
content of an .ods — is fed as it comes to a streaming expat parser that tracks the
cells' real positions, repeats included. The limits (rows, columns, cells, shared
strings) are enforced while reading: the first cell past one stops the scan. Only then
does python-calamine (or openpyxl, for a sheet whose used range is mostly blank) read
the file, within the area the scan measured. CSV is bounded in ``readers.read_csv``.

The limits are settings (docs/ops.md, “表格上传的上限”)."""

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings

MiB = 1024 * 1024
CHUNK = MiB  # inflated bytes handed to the parser at a time
RATIO_FLOOR = 8 * MiB  # the ratio is judged once this much has come out
MAX_MEMBERS = 10_000
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # the format's own limits (also for CSV lines)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # a zip member's local header, 30 bytes


class ReadError(ValueError):
    """The file as a whole cannot be read; ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


BROKEN = (
    "无法打开该 Excel 文件（文件损坏、加密或不是真正的 Excel 文件）："
    "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
)


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    unzipped: int  # bytes
    ratio: int
    shared_strings: int
    line_chars: int


def limits() -> Limits:
    s = settings
    return Limits(
        rows=s.JIGONG_SHEET_MAX_ROWS,
        columns=s.JIGONG_SHEET_MAX_COLUMNS,
        cells=s.JIGONG_SHEET_MAX_CELLS,
        unzipped=s.JIGONG_SHEET_MAX_UNZIPPED_MB * MiB,
        ratio=s.JIGONG_SHEET_MAX_RATIO,
        shared_strings=s.JIGONG_SHEET_MAX_SHARED_STRINGS,
        line_chars=s.JIGONG_SHEET_MAX_LINE_CHARS,
    )


def too_big(rule: str, where: str = "") -> ReadError:
    """The refusal: “文件超过上限：<rule>（<where>）”."""
    return ReadError(
        f"文件超过上限：{rule}"
        + (f"（{where}）" if where else "")
        + "，请拆分或删除多余内容后再上传"
    )


def column_name(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Area:
    """What a scan found: the extent of the cells holding something (what is read), and
    of every cell element, blank or styled, and the declared ``<dimension>`` (what a
    dense reader would allocate)."""

    rows: int = 0  # last row holding content
    columns: int = 0  # last column holding content
    dense_cells: int = 0  # largest rows × columns any reader would allocate

    def merge(self, rows: int, columns: int, dense: int) -> None:
        self.rows = max(self.rows, rows)
        self.columns = max(self.columns, columns)
        self.dense_cells = max(self.dense_cells, dense, rows * columns)


class _Extent:
    """Running extent of one sheet's content, refused as soon as it passes a limit."""

    def __init__(self, lim: Limits, sheet: str):
        self.lim, self.sheet = lim, sheet
        self.rows = self.columns = 0
        self.all_rows = self.all_columns = 0
        self.elements = 0

    def where(self, row: int, col: int) -> str:
        place = f"{column_name(col)}{row}" if col <= EXCEL_COLUMNS * 4 else f"第{row}行第{col}列"
        return f"工作表“{self.sheet}”的 {place} 单元格有内容"

    def content(self, row: int, first_col: int, last_col: int, last_row: int | None = None) -> None:
        last_row = last_row or row
        lim = self.lim
        if last_row > lim.rows:
            raise too_big(f"最多 {lim.rows} 行", self.where(last_row, first_col))
        if last_col > lim.columns:
            raise too_big(f"最多 {lim.columns} 列", self.where(row, last_col))
        self.rows, self.columns = max(self.rows, last_row), max(self.columns, last_col)
        if self.rows * self.columns > lim.cells:
            raise too_big(
                f"最多 {lim.cells} 个单元格（行数×列数）",
                f"工作表“{self.sheet}”用到 {self.rows} 行 × {self.columns} 列",
            )

    def element(self, row: int, col: int) -> None:
        """Any cell element (blank ones too): telemetry for the dense/sparse choice."""
        self.elements += 1
        self.all_rows, self.all_columns = max(self.all_rows, row), max(self.all_columns, col)


def _parser(start, end=None, chars=None):
    p = expat.ParserCreate(namespace_separator="}")
    p.buffer_text = True

    def doctype(*_a):
        raise ReadError("文件中的 XML 含有文档类型声明（DOCTYPE），不是 Excel/WPS 写出的文件")

    p.StartDoctypeDeclHandler = doctype
    p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if chars is not None:
        p.CharacterDataHandler = chars
    return p


class _Expat:
    parser = None

    def feed(self, piece: bytes, final: bool = False) -> None:
        _feed(self.parser, piece, final)


def _int(value, default: int = 1) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ReadError(BROKEN) from None


# --- .xlsx / .xlsm ------------------------------------------------------------------------


class _SharedStrings(_Expat):
    """Counts the shared strings (declared and real) and notes which are blank."""

    def __init__(self, lim: Limits):
        self.lim = lim
        self.blank = bytearray()
        self.in_t = False
        self.current_blank = True
        self.parser = _parser(self.start, self.end, self.chars)

    def start(self, name, attrs):
        if name == _MAIN + "si":
            if len(self.blank) >= self.lim.shared_strings:
                raise too_big(
                    f"共享字符串最多 {self.lim.shared_strings} 个",
                    f"第 {len(self.blank) + 1} 个",
                )
            self.current_blank = True
        elif name == _MAIN + "t":
            self.in_t = True
        elif name == _MAIN + "sst":
            # python-calamine reserves room for the declared count before reading
            for key in ("count", "uniqueCount"):
                declared = _int(attrs.get(key), 0)
                if declared > self.lim.shared_strings:
                    raise too_big(
                        f"共享字符串最多 {self.lim.shared_strings} 个",
                        f"文件声明 {declared} 个",
                    )

    def end(self, name):
        if name == _MAIN + "t":
            self.in_t = False
        elif name == _MAIN + "si":
            self.blank.append(self.current_blank)

    def chars(self, text):
        if self.in_t and self.current_blank and not text.isspace():
            self.current_blank = False

    def is_blank(self, index: int) -> bool:
        return not (0 <= index < len(self.blank)) or bool(self.blank[index])


class _Worksheet(_Expat):
    """Real positions of the cells of one worksheet (``r`` attributes, or the position
    after the previous cell/row when absent), and which hold something."""

    def __init__(self, lim: Limits, name: str, sst: _SharedStrings | None):
        self.extent = _Extent(lim, name)
        self.sst = sst
        self.row = self.col = 0
        self.declared = 0
        self.in_cell = self.in_v = self.in_t = False
        self.type = ""
        self.value: list[str] = []
        self.has = False
        self.parser = _parser(self.start, self.end, self.chars)

    def start(self, name, attrs):
        if name == _MAIN + "c":
            ref = attrs.get("r")
            if ref:
                m = _REF.match(ref)
                if not m:
                    raise ReadError(BROKEN)
                self.col = _letters(m[1])
                self.row = int(m[2])
            else:
                self.col += 1
            self.in_cell, self.has, self.type = True, False, attrs.get("t", "n")
            self.value = []
        elif name == _MAIN + "row":
            self.row = _int(attrs.get("r"), self.row + 1)
            self.col = 0
        elif not self.in_cell:
            if name == _MAIN + "dimension":
                self.declared = _dimension_cells(attrs.get("ref", ""))
        elif name == _MAIN + "v":
            self.in_v = True
        elif name == _MAIN + "t":
            self.in_t = True
        elif name == _MAIN + "f":
            self.has = True

    def end(self, name):
        if name == _MAIN + "v":
            self.in_v = False
            text = "".join(self.value).strip()
            if self.type == "s":
                if text and self.sst is not None:
                    self.has = self.has or not self.sst.is_blank(_int(text, -1))
            elif text:
                self.has = True
        elif name == _MAIN + "t":
            self.in_t = False
        elif name == _MAIN + "c":
            self.in_cell = False
            self.extent.element(self.row, self.col)
            if self.has:
                self.extent.content(self.row, self.col, self.col)

    def chars(self, text):
        if self.in_v:
            if len(self.value) < 8:
                self.value.append(text[:64])
        elif self.in_t and not self.has and not text.isspace():
            self.has = True


class Fallback(Exception):
    """The fast scan met something it does not read (a comment, CDATA, an entity in a
    reference, a very long element): the member is scanned again with expat."""


# The fast scan counts plain ``<c r="A1"`` start tags: a prefixed element, or a cell
# whose first attribute is not a plain reference, sends the member to expat.
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_C_STARTS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_BAD_REF = re.compile(rb'<c r="(?![A-Z]{1,3}[1-9][0-9]{0,6}")')
_CARRY = 4 * MiB


def _greater(s: str, digits: bool) -> bytes:
    """A pattern for the strings of one alphabet greater than ``s`` (digits without
    leading zeros, or column letters): longer ones, or as long and greater."""
    alpha, top = ("0-9", "9") if digits else ("A-Z", "Z")
    alts = [("[1-9]" if digits else "[A-Z]") + f"[{alpha}]{{{len(s)},}}"]
    for i, ch in enumerate(s):
        if ch < top:
            alts.append(s[:i] + f"[{chr(ord(ch) + 1)}-{top}]" + f"[{alpha}]" * (len(s) - i - 1))
    return ("(?:" + "|".join(alts) + ")").encode()


def _rows_over(n: int):
    return re.compile(rb'<c r="[A-Z]{1,3}(' + _greater(str(n), True) + rb')"')


def _columns_over(n: int):
    name = column_name(n) if n else ""
    pattern = _greater(name, False) if name else b"[A-Z]{1,3}"
    return re.compile(rb'<c r="(' + pattern + rb")[0-9]")


class _FastWorksheet:
    """The extent of every cell element of a worksheet, by a few regular-expression
    searches a piece (no Python work a cell): when every ``<c>`` carries a plain
    reference (as Excel, WPS, LibreOffice and the Python writers write them), the
    largest row is found by searching for a reference past the largest seen, and the
    same for columns. Anything unusual — a comment or CDATA, a cell without a
    reference, a ``>`` inside a value, a sheet past a limit — raises ``Fallback``: the
    member is then scanned exactly by ``_Worksheet``, which tells content from blanks."""

    def __init__(self, lim: Limits, name: str, sst=None):
        self.lim = lim
        self.extent = _Extent(lim, name)
        self.rows = self.columns = 0
        self.declared = 0
        self.carry = b""
        self.head = True

    def feed(self, piece: bytes, final: bool = False) -> None:
        buf = self.carry + piece
        cut = len(buf) if final else buf.rfind(b">") + 1
        buf, self.carry = buf[:cut], buf[cut:]
        if len(self.carry) > _CARRY:
            raise Fallback
        if final and self.carry.strip():
            raise Fallback
        if b"<!" in buf or _PREFIXED.search(buf):
            raise Fallback
        if self.head:
            m = re.search(
                rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^>]*\sref\s*=\s*[\"']([^\"']*)", buf
            )
            if m:
                self.declared = _dimension_cells(m[1].decode("ascii", "replace"))
            self.head = b"sheetData" not in buf
        cells = sum(buf.count(start) for start in _C_STARTS)
        if not cells:
            return
        # each cell starts with its reference, given once, plainly (rows: r first too)
        plain = buf.count(b'<c r="')
        if plain != cells or buf.count(b' r="') != plain + buf.count(b'<row r="'):
            raise Fallback
        if _BAD_REF.search(buf):
            raise Fallback
        if not self.columns:  # the first cells give the starting point
            for m in _columns_over(0).finditer(buf[:65536]):
                self.columns = max(self.columns, _letters(m[1].decode()))
        for m in _columns_over(self.columns).finditer(buf):
            self.columns = max(self.columns, _letters(m[1].decode()))
            if self.columns > self.lim.columns:
                raise Fallback
        tail = None
        for tail in _rows_over(self.rows).finditer(buf, max(0, len(buf) - 65536)):  # noqa: B007
            pass  # the last reference of the piece: the rows after it are few
        if tail is not None:
            self.rows = max(self.rows, int(tail[1]))
        for m in _rows_over(self.rows).finditer(buf):
            self.rows = max(self.rows, int(m[1]))
            if self.rows > self.lim.rows:
                raise Fallback
        lim = self.lim
        if self.rows > lim.rows or self.columns > lim.columns:
            raise Fallback
        if self.rows * self.columns > lim.cells:
            raise Fallback
        e = self.extent
        e.rows, e.columns = self.rows, self.columns
        e.all_rows, e.all_columns = self.rows, self.columns


def _letters(s: str) -> int:
    n = 0
    for ch in s.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _dimension_cells(ref: str) -> int:
    parts = ref.split(":")
    if len(parts) != 2:
        return 0
    a, b = _REF.match(parts[0]), _REF.match(parts[1])
    if not (a and b):
        return 0
    rows = int(b[2]) - int(a[2]) + 1
    cols = _letters(b[1]) - _letters(a[1]) + 1
    return max(rows, 0) * max(cols, 0)


# --- .ods ---------------------------------------------------------------------------------


class _OdsContent(_Expat):
    """Real positions of an .ods's cells, ``number-rows-repeated`` and
    ``number-columns-repeated`` applied, per table; repeated blank cells and rows only
    move the position (LibreOffice writes them to the sheet's end)."""

    def __init__(self, lim: Limits):
        self.lim = lim
        self.extent: _Extent | None = None
        self.tables: list[_Extent] = []
        self.depth = 0  # nested tables (in cells) are not read by calamine's first level
        self.row = self.col = 0
        self.row_repeat = 1
        self.row_first = self.row_last = 0
        self.cell_first = self.cell_repeat = 0
        self.in_cell = False
        self.has = False
        self.parser = _parser(self.start, self.end, self.chars)

    def start(self, name, attrs):
        if name == _TABLE + "table":
            self.depth += 1
            if self.depth == 1:
                self.extent = _Extent(self.lim, attrs.get(_TABLE + "name", "")[:40])
                self.row = 0
        elif self.depth != 1:
            return
        elif name == _TABLE + "table-row":
            self.row_repeat = max(_int(attrs.get(_TABLE + "number-rows-repeated")), 1)
            self.col = 0
            self.row_first = self.row_last = 0
        elif name in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            self.cell_repeat = max(_int(attrs.get(_TABLE + "number-columns-repeated")), 1)
            self.cell_first = self.col + 1
            self.col += self.cell_repeat
            self.in_cell = True
            self.has = (_OFFICE + "value-type") in attrs

    def end(self, name):
        if name == _TABLE + "table":
            self.depth -= 1
            if self.depth == 0 and self.extent is not None:
                self.tables.append(self.extent)
        elif self.depth != 1:
            return
        elif name in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            self.in_cell = False
            if self.has:
                self.extent.content(self.row + 1, self.cell_first, self.col)
                self.row_first = self.row_first or self.cell_first
                self.row_last = self.col
        elif name == _TABLE + "table-row":
            if self.row_last:
                last_row = self.row + self.row_repeat
                self.extent.content(self.row + 1, self.row_first, self.row_last, last_row)
            self.row += self.row_repeat

    def chars(self, text):
        if self.in_cell and self.depth == 1 and not self.has and not text.isspace():
            self.has = True


# --- the zip ------------------------------------------------------------------------------


def _inflate(data: memoryview, info: zipfile.ZipInfo):
    """The member's real content, in pieces, from its raw bytes (whatever its headers
    say it unzips to)."""
    if info.flag_bits & 0x1:
        raise ReadError("文件已加密：请在 Excel 或 WPS 中取消密码后另存，再上传")
    head = bytes(data[info.header_offset : info.header_offset + _LOCAL.size])
    if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
        raise ReadError(BROKEN)
    fields = _LOCAL.unpack(head)
    start = info.header_offset + _LOCAL.size + fields[-2] + fields[-1]
    raw = data[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i : i + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ReadError("文件使用了不支持的压缩方式：请在 Excel 或 WPS 中另存为 .xlsx 再上传")
    d = zlib.decompressobj(-15)
    try:
        for i in range(0, len(raw), 64 * 1024):
            out = d.decompress(raw[i : i + 64 * 1024], CHUNK)
            while True:
                if out:
                    yield out
                if not d.unconsumed_tail:
                    break
                out = d.decompress(d.unconsumed_tail, CHUNK)
            if d.eof:
                break
        rest = d.flush()
        if rest:
            yield rest
    except zlib.error:
        raise ReadError(BROKEN) from None


_MALFORMED = (struct.error, IndexError, ValueError, OverflowError, EOFError, zipfile.BadZipFile)


def _guarded(scan):
    """A malformed file met by a scan is a broken file (in Chinese), never a crash."""

    def run(data: bytes) -> Area:
        try:
            return scan(data)
        except ReadError:
            raise
        except _MALFORMED:
            raise ReadError(BROKEN) from None

    run.__doc__, run.__name__ = scan.__doc__, scan.__name__
    return run


@_guarded
def check_zip(data: bytes) -> Area:
    """Scan an .xlsx/.xlsm/.ods: refuse it past a limit; return the area to read."""
    lim = limits()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ReadError(BROKEN) from None
    if len(infos) > MAX_MEMBERS:
        raise too_big(f"压缩包内最多 {MAX_MEMBERS} 个部件", f"共 {len(infos)} 个")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise ReadError(BROKEN)
    if "xl/workbook.bin" in names:
        raise ReadError("不支持 .xlsb（Excel 二进制工作簿）：请另存为 .xlsx 后再上传")
    ods = "content.xml" in names and "mimetype" in names
    view = memoryview(data)
    sheets, strings = _parts(view, {i.filename: i for i in infos})
    # the shared strings first: a worksheet's cells are judged blank or not by them
    infos.sort(key=lambda i: i.filename not in strings)
    area = Area()
    sst = None
    out = packed = 0
    for info in infos:
        name = info.filename
        handler = None
        if ods and name == "content.xml":
            handler = _OdsContent(lim)
        elif name in strings:
            handler = sst = _SharedStrings(lim)
        elif name in sheets:
            handler = _FastWorksheet(lim, name.rsplit("/", 1)[-1][:-4], sst)
        packed += info.compress_size
        again = False
        for piece in _inflate(view, info):
            out += len(piece)
            if out > lim.unzipped:
                raise too_big(f"解压后最多 {lim.unzipped // MiB} MB", f"部件“{name[:60]}”处已超过")
            if out > RATIO_FLOOR and out > lim.ratio * max(packed, 1):
                raise too_big(
                    f"压缩比最多 {lim.ratio} 倍",
                    f"部件“{name[:60]}”解压后已达 {out // MiB} MB，"
                    f"压缩时仅 {max(packed // 1024, 1)} KB",
                )
            if handler is not None and not again:
                try:
                    handler.feed(piece)
                except Fallback:
                    again = True
        if handler is None:
            continue
        if not again:
            try:
                handler.feed(b"", final=True)
            except Fallback:
                again = True
        if again:  # the member's size is known to be within the limits now
            handler = _Worksheet(lim, handler.extent.sheet, sst)
            for piece in _inflate(view, info):
                handler.feed(piece)
            handler.feed(b"", final=True)
        if isinstance(handler, _Worksheet | _FastWorksheet):
            e = handler.extent
            area.merge(e.rows, e.columns, max(e.all_rows * e.all_columns, handler.declared))
        elif isinstance(handler, _OdsContent):
            for e in handler.tables:
                area.merge(e.rows, e.columns, 0)
    return area


_RELATION = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Relationship\s([^>]*)>")
_TARGET = re.compile(rb"\bTarget\s*=\s*[\"']([^\"']*)[\"']")
_TYPE = re.compile(rb"\bType\s*=\s*[\"']([^\"']*)[\"']")


def _parts(view, members: dict) -> tuple[set, set]:
    """The worksheet and shared-string parts of an .xlsx: the usual names, and every
    target the workbook's relationships give (python-calamine follows them, wherever
    they point)."""
    sheets = {n for n in members if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    strings = {"xl/sharedStrings.xml"}
    rels = members.get("xl/_rels/workbook.xml.rels")
    if rels is None:
        return sheets, strings
    if rels.file_size > MiB or rels.compress_size > MiB:
        raise ReadError(BROKEN)
    text = b"".join(_inflate(view, rels))
    if len(text) > MiB:
        raise ReadError(BROKEN)
    for m in _RELATION.finditer(text):
        target, kind = _TARGET.search(m[1]), _TYPE.search(m[1])
        if not (target and kind):
            continue
        path = target[1].decode("utf-8", "replace")
        path = posixpath.normpath(path[1:] if path.startswith("/") else "xl/" + path)
        kind = kind[1].rsplit(b"/", 1)[-1].lower()
        if kind in (b"worksheet", b"chartsheet", b"dialogsheet", b"macrosheet"):
            sheets.add(path)
        elif kind == b"sharedstrings":
            strings.add(path)
    return sheets, strings


def _feed(parser, piece: bytes, final: bool = False) -> None:
    try:
        parser.Parse(piece, final)
    except expat.ExpatError:
        raise ReadError(BROKEN) from None


# --- .xls (BIFF8 in an OLE2 compound file) --------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
# BIFF cell records: (row, column) at the start of the body; BLANK and MULBLANK hold no value
_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6, 0x0002, 0x0003, 0x0004}
_BLANKS = {0x0201, 0x0001}


def _u32(b, at: int) -> int:
    return struct.unpack_from("<I", b, at)[0]


def _ole_stream(data: bytes, names=("Workbook", "Book")) -> bytes:
    """The workbook stream of an OLE2 compound file, read with every chain bounded by
    the file's own sector count (a loop or an index past the end is a broken file)."""
    if len(data) < 512 or data[:8] != OLE2:
        raise ReadError(BROKEN)
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ReadError(BROKEN)
    size = 1 << shift
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    count = (len(data) - size) // size  # sectors after the header

    def sector(i: int) -> bytes:
        if i >= count:
            raise ReadError(BROKEN)
        return data[(i + 1) * size : (i + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt, seen = _u32(data, 0x44), 0
    while nxt < count and seen <= count:
        block = sector(nxt)
        difat += struct.unpack_from(f"<{size // 4 - 1}I", block)
        nxt, seen = _u32(block, size - 4), seen + 1
    fat_sectors = [i for i in difat[: _u32(data, 0x2C)] if i < count]
    fat = struct.unpack(f"<{len(fat_sectors) * size // 4}I", b"".join(map(sector, fat_sectors)))

    def chain(start: int, table) -> list[int]:
        out = []
        while start != _END and start < len(table):
            out.append(start)
            if len(out) > len(table):
                raise ReadError(BROKEN)
            start = table[start]
        return out

    directory = b"".join(sector(i) for i in chain(_u32(data, 0x30), fat))
    entries = []
    for at in range(0, len(directory) - 127, 128):
        e = directory[at : at + 128]
        length = struct.unpack_from("<H", e, 0x40)[0]
        name = e[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        entries.append((name, e[0x42], _u32(e, 0x74), _u32(e, 0x78)))
    if not entries:
        raise ReadError(BROKEN)
    found = next((e for e in entries if e[1] == 2 and e[0] in names), None)
    if found is None:
        raise ReadError(BROKEN)
    _name, _type, start, length = found
    if length >= _u32(data, 0x38):
        return b"".join(sector(i) for i in chain(start, fat))[:length]
    ministream = b"".join(sector(i) for i in chain(entries[0][2], fat))
    minifat_bytes = b"".join(sector(i) for i in chain(_u32(data, 0x3C), fat))
    minifat = struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes)
    parts = [ministream[i * mini_size : (i + 1) * mini_size] for i in chain(start, minifat)]
    return b"".join(parts)[:length]


@_guarded
def check_xls(data: bytes) -> Area:
    """Scan an .xls's records: every cell's real position (the DIMENSIONS record and the
    shared-string count as declared count too), refused past a limit. python-calamine
    allocates the range of every cell record, blank ones included (a cell at row
    65,536, column 256 of a 5 KB file took 1.2 GB), and there is no streaming reader
    for this format: a range past the cell limit is refused."""
    lim = limits()
    stream = _ole_stream(data)
    if len(stream) > lim.unzipped:
        raise too_big(f"解压后最多 {lim.unzipped // MiB} MB")
    area = Area()
    extent: _Extent | None = None
    declared = sheets = 0
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if kind == 0x0809 and len(body) >= 4:  # BOF: a worksheet starts
            if struct.unpack_from("<H", body, 2)[0] == 0x0010:
                sheets += 1
                extent, declared = _Extent(lim, f"Sheet{sheets}"), 0
            continue
        if kind == 0x000A and extent is not None:  # EOF of a worksheet
            dense = max(extent.all_rows * extent.all_columns, declared)
            area.merge(extent.rows, extent.columns, dense)
            if dense > lim.cells:
                raise too_big(
                    f"最多 {lim.cells} 个单元格（行数×列数，含空白单元格）",
                    f"工作表“{extent.sheet}”用到 {extent.all_rows} 行 × {extent.all_columns} 列",
                )
            extent = None
            continue
        if kind == 0x00FC and len(body) >= 8:  # SST: python-calamine reserves the count
            declared_strings = max(_u32(body, 0), _u32(body, 4))
            if declared_strings > lim.shared_strings:
                raise too_big(
                    f"共享字符串最多 {lim.shared_strings} 个", f"文件声明 {declared_strings} 个"
                )
            continue
        if extent is None or len(body) < 4:
            continue
        if kind == 0x0200 and len(body) >= 14:  # DIMENSIONS (BIFF8), as declared
            rows = _u32(body, 4) - _u32(body, 0)
            cols = struct.unpack_from("<H", body, 10)[0] - struct.unpack_from("<H", body, 8)[0]
            declared = max(rows, 0) * max(cols, 0)
            continue
        row, col = struct.unpack_from("<HH", body, 0)
        if kind in (0x00BD, 0x00BE) and len(body) >= 6:  # MULRK, MULBLANK: a run of cells
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            extent.element(row + 1, last + 1)
            if kind == 0x00BD:
                extent.content(row + 1, col + 1, last + 1)
        elif kind in _CELLS:
            extent.element(row + 1, col + 1)
            extent.content(row + 1, col + 1, col + 1)
        elif kind in _BLANKS:
            extent.element(row + 1, col + 1)
    return area
