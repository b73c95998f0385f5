"""Bad input, generated (Hypothesis) and hand-made: every file ends in a clear Chinese
report — never an unhandled exception or a 500 — and leaves the database as it was."""

import contextlib
import io
import re
import time

import openpyxl
import pytest
import xlsxwriter
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jigong.core.imports import run_import
from jigong.core.imports.base import kinds
from jigong.core.imports.bounds import check_zip, limits
from jigong.students.models import Registration

from .conftest import as_rows
from .helpers import csv_bytes, headers, xlsx

pytestmark = pytest.mark.xdist_group("test_bad_input")  # its module fixtures: one process

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
CJK = re.compile(r"[\u4e00-\u9fff]")
KINDS = sorted(kinds())


def table_counts() -> dict:
    """Rows in every table of ours (registers, audit log, users …), less the background
    job that carried a page upload (jigong.jobs) and its audit rows."""
    from jigong.core.models import AuditLog

    counts = {
        m._meta.db_table: m._base_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("jigong.") and not m.__module__.startswith("jigong.jobs.")
    }
    counts[AuditLog._meta.db_table] = AuditLog.objects.exclude(
        object_type__startswith="jobs."
    ).count()
    return counts


def messages(result) -> list[str]:
    return result.file_errors + [str(e) for e in result.errors]


def assert_clear_refusal(result) -> None:
    """Refused, with every message in Chinese and naming where (row/column or file)."""
    assert not result.ok and not (result.created or result.updated)
    assert messages(result)
    for m in messages(result):
        assert CJK.search(m), m
        assert "Traceback" not in m and "Error:" not in m, m
    for e in result.errors:
        assert e.row > 0 and e.message, e


def write_xlsx(header: list, rows: list) -> bytes:
    """Written with xlsxwriter's defaults, so a string starting with "=" becomes a formula
    (with no cached value) and NaN/∞ become #NUM! error cells."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if hasattr(v, "year"):
                ws.write_datetime(i, j, v, wb.add_format({"num_format": "yyyy-mm-dd"}))
            else:
                ws.write(i, j, v)
    wb.close()
    return buf.getvalue()


# --- cells --------------------------------------------------------------------------

odd_text = st.sampled_from(
    [
        "=1+1",
        "=SUM(A1:A3)",
        "＝A1",
        "#N/A",
        "#REF!",
        "1E+17",
        "5.00103200705011E+17",
        "500103200705011234.0",
        " ",
        "\u00a0\u3000",
        "\x00",
        "\x1b[31m",
        "２０２５年１３月１日",
        "2025-02-30",
        "0000-00-00",
        "-1",
        "99999999999999999999999",
        "NaN",
        "Infinity",
        "是否",
        "<script>alert(1)</script>",
        "'; DROP TABLE students_person; --",
    ]
)
cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    odd_text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(1, 100_000)),
)


def text_cell(v) -> str:
    return "" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)


@BOUNDED
@given(data=st.data())
def test_random_cells_end_in_a_clear_report(world, data):
    """Any kind, any role, any mode, any format: random cells next to valid examples."""
    kind = kinds()[data.draw(st.sampled_from(KINDS), label="kind")]
    user = data.draw(
        st.sampled_from([world.municipal, world.district_a, world.user_a]), label="user"
    )
    mode = data.draw(st.sampled_from(["validate", "all", "valid_only"]), label="mode")
    fmt = data.draw(st.sampled_from(["xlsx", "csv", "csv-gb18030", "tsv"]), label="format")
    header = [c.header for c in kind.columns]
    example = kind.example()
    n = data.draw(st.integers(1, 4), label="rows")
    rows = [
        [
            data.draw(st.one_of(st.just(ex), cells), label=h)
            for h, ex in zip(header, example, strict=True)
        ]
        for _ in range(n)
    ]
    if fmt == "xlsx":
        content, name = write_xlsx(header, rows), "x.xlsx"
    else:
        encoding = "gb18030" if fmt == "csv-gb18030" else "utf-8"
        content = csv_bytes(
            [[text_cell(v) for v in r] for r in rows],
            header=header,
            encoding=encoding,
            delimiter="\t" if fmt == "tsv" else ",",
        )
        name = "x.csv"
    before = table_counts()
    result = run_import(kind, content, filename=name, user=user, mode=mode)
    for m in messages(result):
        assert CJK.search(m), m
    assert len(result.refused_rows) == result.refused <= result.total
    if result.created or result.updated:
        assert mode != "validate" and result.committed
    else:
        assert table_counts() == before
    if mode == "all" and not result.ok:
        assert table_counts() == before


# --- files ----------------------------------------------------------------------------


@BOUNDED
@given(
    content=st.binary(max_size=4000),
    ext=st.sampled_from([".csv", ".xlsx", ".xls", ".ods", ".txt", ""]),
)
def test_random_bytes(world, content, ext):
    before = table_counts()
    result = run_import("students", content, filename=f"x{ext}", user=world.user_a)
    assert_clear_refusal(result)
    assert table_counts() == before


@pytest.fixture(scope="module")
def sample_xlsx():
    """A real .xlsx of three rows in the 学籍 template's columns (nothing in it valid
    for the database, which does not matter to a broken file). A list, so a failing
    example does not print its bytes."""
    kind = kinds()["students"]
    return [write_xlsx(headers("students"), [kind.example()] * 3)]


@BOUNDED
@given(data=st.data())
def test_truncated_xlsx(world, sample_xlsx, data):
    (valid_xlsx_bytes,) = sample_xlsx
    cut = data.draw(st.integers(0, len(valid_xlsx_bytes) - 1))
    before = table_counts()
    result = run_import("students", valid_xlsx_bytes[:cut], filename="x.xlsx", user=world.user_a)
    assert_clear_refusal(result)
    assert result.file_errors
    assert table_counts() == before


@BOUNDED
@given(data=st.data())
def test_corrupted_xlsx(world, sample_xlsx, data):
    """Bytes overwritten anywhere: a broken file, or a readable one with odd cells."""
    (valid_xlsx_bytes,) = sample_xlsx
    content = bytearray(valid_xlsx_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    before = table_counts()
    result = run_import("students", bytes(content), filename="x.xlsx", user=world.user_a)
    assert_clear_refusal(result)
    assert table_counts() == before


@BOUNDED
@given(header=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=15))
def test_wrong_sheet_has_no_matching_header(world, header):
    names = {h for k in kinds().values() for c in k.columns for h in (c.header, *c.aliases)}
    header = [h for h in header if h.strip() not in names] or ["其他表"]
    content = write_xlsx(header, [["甲", 1, "2025-01-01"]])
    before = table_counts()
    result = run_import("students", content, filename="x.xlsx", user=world.user_a)
    assert_clear_refusal(result)
    assert "表头" in result.file_errors[0]
    assert table_counts() == before


def _one_valid_row(student_row):
    header, rows = as_rows([student_row()])
    return header, rows


BAD_FILES = {
    "empty csv": lambda h, r: (b"", "x.csv", "空"),
    "empty xlsx": lambda h, r: (b"", "x.xlsx", "空"),
    "header only xlsx": lambda h, r: (xlsx([], header=h), "x.xlsx", "没有数据行"),
    "header only csv": lambda h, r: (csv_bytes([], header=h), "x.csv", "没有数据行"),
    "wrong sheet": lambda h, r: (
        xlsx([["a", "b"]], header=["序号", "备注"]),
        "x.xlsx",
        "找不到表头",
    ),
    "missing column": lambda h, r: (
        xlsx([r[0][1:]], header=h[1:]),
        "x.xlsx",
        "缺少必填列：身份证号",
    ),
    "utf-16 without BOM": lambda h, r: (
        ",".join(h).encode("utf-16-le"),
        "x.csv",
        "不是文本格式",
    ),
    "big5": lambda h, r: (",".join(h).encode("big5", "replace"), "x.csv", "编码"),
    "undecodable bytes": lambda h, r: (b"\x81\xff" * 10, "x.csv", "无法识别文件编码"),
    "xlsx renamed .csv": lambda h, r: (xlsx(r, header=h), "x.csv", "不是文本格式"),
    "png renamed .csv": lambda h, r: (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        "x.csv",
        "不是文本格式",
    ),
    "csv renamed .xlsx": lambda h, r: (csv_bytes(r, header=h), "x.xlsx", "无法打开"),
    "pdf renamed .xlsx": lambda h, r: (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "x.xlsx",
        "无法打开",
    ),
    "unsupported extension": lambda h, r: (b"name,value\n", "x.json", "不支持"),
    "unbalanced quote": lambda h, r: (
        (",".join(h) + "\n" + '"' + "甲" * 200_000 + "\n").encode(),
        "x.csv",
        "引号",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files(world, student_row, case):
    content, name, expected = BAD_FILES[case](*_one_valid_row(student_row))
    before = table_counts()
    result = run_import("students", content, filename=name, user=world.user_a)
    assert_clear_refusal(result)
    assert expected in " ".join(messages(result)), messages(result)
    assert table_counts() == before


def test_utf16_with_bom_is_read(world, student_row):
    """Excel's "Unicode 文本" export: UTF-16 with a BOM, tab separated."""
    header, rows = _one_valid_row(student_row)
    content = csv_bytes(rows, header=header, delimiter="\t").decode().encode("utf-16")
    result = run_import("students", content, filename="x.txt", user=world.user_a, mode="validate")
    assert result.ok and result.total == 1, messages(result)


def test_formulas(world, student_row):
    """Formulas written by a program have no cached value; a formula typed into a CSV is
    text starting with "=": both are refused per cell, naming row and column."""
    header, rows = _one_valid_row(student_row)
    row = list(rows[0])
    row[header.index("姓名")] = '=CONCAT("张","三")'
    row[header.index("学制（月）")] = "=12*3"
    wb = openpyxl.Workbook()
    wb.active.append(header)
    wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    before = table_counts()
    result = run_import("students", buf.getvalue(), filename="x.xlsx", user=world.user_a)
    assert_clear_refusal(result)
    assert {(e.row, e.column) for e in result.errors} >= {(2, "姓名"), (2, "学制（月）")}
    result = run_import(
        "students", csv_bytes([row], header=header), filename="x.csv", user=world.user_a
    )
    assert_clear_refusal(result)
    name_error = next(e for e in result.errors if e.column == "姓名")
    assert "公式" in name_error.message and name_error.row == 2
    assert table_counts() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_of_100000_characters(world, student_row, fmt):
    header, _rows = _one_valid_row(student_row)
    huge = ["９" * 100_000 if i % 2 else "甲" * 100_000 for i in range(len(header))]
    content = xlsx([huge], header=header) if fmt == "xlsx" else csv_bytes([huge], header=header)
    before = table_counts()
    t0 = time.perf_counter()
    result = run_import("students", content, filename=f"x.{fmt}", user=world.user_a)
    assert time.perf_counter() - t0 < 30
    assert_clear_refusal(result)
    assert result.refused == 1
    assert {e.column for e in result.errors} == set(header)  # each cell refused, by name
    for e in result.errors:
        assert len(e.value) < 100 and "个字符）" in e.value, e  # quoted, not dumped
    assert table_counts() == before


@contextlib.contextmanager
def peak_rss_growth():
    """Growth of the peak resident memory (MiB) inside the block, on Linux."""
    box = {"mib": 0.0}

    def hwm():
        with open("/proc/self/status") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith("VmHWM")) / 1024

    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # resets the peak to the current size
    start = hwm()
    yield box
    box["mib"] = hwm() - start


@pytest.mark.parametrize("blank", [",,,,,,,,,,,\r\n", "\n", " , ,\t,\u3000\n"])
def test_a_million_empty_rows_csv(world, student_row, blank):
    header, rows = _one_valid_row(student_row)
    content = csv_bytes(rows, header=header) + (blank * 1_000_000).encode()
    before = table_counts()
    t0 = time.perf_counter()
    with peak_rss_growth() as grew:
        result = run_import(
            "students", content, filename="x.csv", user=world.user_a, mode="validate"
        )
    assert time.perf_counter() - t0 < 30
    assert grew["mib"] < 400
    assert result.ok and result.total == 1, messages(result)
    assert table_counts() == before
    empty = csv_bytes([], header=header) + (blank * 1_000_000).encode()
    assert_clear_refusal(run_import("students", empty, filename="x.csv", user=world.user_a))


def test_a_million_empty_rows_xlsx(world, student_row):
    """One stray space in row 1,048,576 makes the used range a million rows tall; the
    reader streams such sheets instead of allocating every cell."""
    header, rows = _one_valid_row(student_row)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, rows[0])
    ws.write_string(1_048_575, 20, " ")
    wb.close()
    content = buf.getvalue()
    assert check_zip(content).dense_cells > limits().cells  # read sparse, not dense
    before = table_counts()
    t0 = time.perf_counter()
    with peak_rss_growth() as grew:
        result = run_import("students", content, filename="x.xlsx", user=world.user_a)
    assert time.perf_counter() - t0 < 60
    assert grew["mib"] < 400
    assert result.ok and result.created == 1, messages(result)
    assert result.errors == [] and Registration.objects.filter(school=world.school_a).count() == 2
    assert table_counts() != before  # the one good row was written, nothing else


# --- the page --------------------------------------------------------------------------


@pytest.fixture
def page(client, world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.user_a)
    return client


def post(client, content: bytes, name: str, mode="all"):
    f = io.BytesIO(content)
    f.name = name
    return client.post("/imports/students/", {"file": f, "mode": mode}, follow=True)


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_page_reports_bad_files(page, student_row, case):
    content, name, expected = BAD_FILES[case](*_one_valid_row(student_row))
    before = table_counts()
    r = post(page, content, name)
    html = r.content.decode()
    assert r.status_code == 200
    assert "文件无法导入" in html or "错误明细" in html
    assert expected in html
    assert table_counts() == before


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(max_size=2000), name=st.sampled_from(["a.csv", "a.xlsx", "a", "学籍.xls"]))
def test_page_random_bytes(page, content, name):
    before = table_counts()
    r = post(page, content, name, mode="valid_only")
    assert r.status_code == 200
    assert "文件无法导入" in r.content.decode() or "错误明细" in r.content.decode()
    assert table_counts() == before
