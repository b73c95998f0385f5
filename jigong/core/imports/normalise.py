"""Cell normalisation: what real Excel/WPS/CSV files bring, folded or refused in Chinese.

Every function takes a raw cell (str, int, float, bool, date, datetime or None) and
returns the clean value, or raises ``CellError`` with the reason (the runner adds the
row, the column and the value).
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Zero-width marks and control characters (other than whitespace, which is folded):
# dropped. A NUL would also be refused by PostgreSQL as a text value.
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1C), 0x7F))
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff" + _CONTROLS))
_SPACES = re.compile(r"\s+")
# Anything text() would have to fold after NFKC: zero-width marks, control characters,
# any whitespace other than a single inner space, a space at either end.
_ODD = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1b\x7f]|[^\S ]|  |^ | $")
_ODD_SPACE = re.compile(r"[^\S ]|  |^ | $")  # whitespace plain_text() must fold
MAX_DIGITS = 18  # longer digit strings are not numbers anyone types (and int() slows)
INT_RANGE = (-(2**63), 2**63 - 1)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is the Chinese reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value) -> bool:
    if value is None:
        return True
    if value.__class__ is str and value.isascii():
        return not value or value.isspace()  # NFKC leaves ASCII alone
    return isinstance(value, str) and not text(value)


def _clean_ascii(s: str) -> str:
    """text() for an ASCII string: NFKC is the identity and there are no zero-width
    marks, so only whitespace runs need folding (str.split uses the same notion of
    whitespace as the ``\\s`` pattern)."""
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    return " ".join(s.translate(_INVISIBLE).split())


def text(value) -> str:
    """NFKC-fold (full-width digits/letters/brackets → ASCII), drop zero-width marks,
    turn NBSP and ideographic spaces into plain spaces, collapse runs, strip."""
    if value.__class__ is str:
        if value.isascii():
            return _clean_ascii(value)
        s = unicodedata.normalize("NFKC", value)
        if _ODD.search(s) is None:
            return s  # no zero-width marks, no whitespace but single inner spaces
        return _SPACES.sub(" ", s.translate(_INVISIBLE)).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if not value.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    s = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return _SPACES.sub(" ", s).strip()


def plain_text(value) -> str:
    """Free text (a name, a title, an address) as the user wrote it: zero-width marks and
    control characters dropped, any run of whitespace (NBSP and the ideographic space
    included) one plain space, stripped — but not NFKC-folded. Chinese text writes
    full-width brackets and punctuation (“订单班（2018级）”); folding them to ASCII stored
    a different title than the page stores for the same input, and a re-imported export
    no longer matched its own rows. Non-text cells read as text() reads them."""
    if value.__class__ is not str:
        return text(value)
    if value.isascii():
        return _clean_ascii(value)
    s = value.translate(_INVISIBLE)
    return " ".join(s.split()) if _ODD_SPACE.search(s) else s


def compact(value) -> str:
    """Like text() but with every space removed and upper-cased (codes, numbers)."""
    return text(value).replace(" ", "").upper()


# An ID number as a bureau's export writes it (5001**********1234): the middle hidden.
_MASKED_ID = re.compile(r"[0-9]{0,17}\*+[0-9]{0,17}X?")
MASKED_ID = (
    "身份证号已脱敏（中间位显示为*）：按您的权限导出的文件隐藏了身份证号，不能据此导入或核对记录。"
    "请填写完整的18位身份证号，或由学校使用本校导出的文件（含完整身份证号）导入"
)


def is_masked_id(value: str) -> bool:
    """Whether ``value`` (folded, as id_number() folds it) is a masked ID number."""
    return "*" in value and _MASKED_ID.fullmatch(value) is not None


_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
_NUMERIC_ID = re.compile(r"\d{15,17}\.0+")


def id_number(value) -> str:
    """An ID number as text. Numbers (Excel turned the column numeric) are refused:
    the last digits are already lost, only the user can put them back."""
    if isinstance(value, bool):
        raise CellError("应为18位身份证号")
    if isinstance(value, int | float):
        raise CellError(
            "身份证号被 Excel 存成了数字（可能已显示为科学计数法，末尾几位已丢失）："
            "请将该列设置为“文本”格式后重新填写"
        )
    s = compact(value)
    if len(s) > 40:
        raise CellError("不是18位身份证号（内容过长）")
    if is_masked_id(s):
        raise CellError(MASKED_ID)
    if ("E" in s and _SCIENTIFIC.fullmatch(s)) or ("." in s and _NUMERIC_ID.fullmatch(s)):
        raise CellError(
            "身份证号是科学计数法或数字形式，末尾几位已丢失：请将该列设置为“文本”格式后重新填写"
        )
    return s


def code(value) -> str:
    """A code (school code, credit code, major code): folded, spaces removed, upper-case.
    Whole numbers typed into a numeric cell (major code 101 for 0101) keep their digits."""
    if isinstance(value, float) and not value.is_integer():
        return text(value).upper()
    return compact(value)


_DATE_TEXT = (
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def date(value) -> datetime.date:
    """Excel date cells and serials, and text dates 2025-07-01, 2025/7/1, 2025.7.1,
    2025年7月1日, 20250701 (a time part after the date is ignored)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 99991231:
            return date(str(int(value)))
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError("不是有效日期")
    s = text(value)
    s = s.split(" ")[0] if re.match(r"\d{4}\D\d{1,2}\D\d{1,2} \d", s) else s
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # a serial that came through as text (CSV)
        return date(float(s))
    for pattern in _DATE_TEXT:
        m = pattern.fullmatch(s)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError("不是有效日期（月或日超出范围）") from None
    raise CellError("不是可识别的日期：请写成 2025-07-01、2025/7/1 或 2025年7月1日")


def integer(value) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return _in_range(value)
    if isinstance(value, float):
        if value.is_integer():
            return _in_range(int(value))
        raise CellError("应为整数")
    s = compact(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", s):
        digits = s.lstrip("+-").split(".")[0].lstrip("0")
        if len(digits) > MAX_DIGITS:
            raise CellError("数值过大")
        return int(s.split(".")[0])
    raise CellError("应为整数")


def _in_range(value: int) -> int:
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise CellError("数值过大")
    return value


def decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, int | float):
        return Decimal(str(value))
    s = compact(value).replace(",", "")
    if len(s) > 40:
        raise CellError("应为数字（内容过长）")
    pct = s.endswith("%")
    try:
        d = Decimal(s.rstrip("%"))
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not d.is_finite():
        raise CellError("应为数字")
    return d / 100 if pct else d


TRUE = {"是", "Y", "YES", "TRUE", "1", "√", "对"}
FALSE = {"否", "N", "NO", "FALSE", "0", "×", "X", "不是"}


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    s = compact(value)
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise CellError("应填“是”或“否”")


def header(value) -> str:
    """A header folded for matching: NFKC (full-width brackets → ASCII), all spaces,
    line breaks and asterisks (required marks) removed, brackets unified."""
    s = compact(value).replace("*", "").replace("＊", "")
    return s.replace("[", "(").replace("]", ")").replace("【", "(").replace("】", ")")
