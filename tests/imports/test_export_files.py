"""Export files: the rows written straight as sheet XML are the bytes xlsxwriter writes
cell by cell; ID numbers opened in bulk still refuse an altered value, leaving no file."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from jigong.core import pii
from jigong.core.imports import exports
from jigong.core.imports.base import get_kind
from jigong.students.models import Person
from tests import factories as f


def _parts(data: bytes) -> dict:
    """The package's parts, less docProps (it holds the creation time)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps")}


def _both(monkeypatch, tmp_path, write) -> tuple[dict, dict]:
    out = {}
    for raw in (True, False):
        monkeypatch.setattr(exports, "RAW_ROWS", raw)
        path = tmp_path / f"raw-{raw}.xlsx"
        write(str(path))
        out[raw] = _parts(path.read_bytes())
    return out[True], out[False]


def _sheet(data: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.values)


def test_student_export_is_the_same_file_either_way(world, monkeypatch, tmp_path):
    names = ["李 四", " 王五", "赵六 ", "A&B<C>", "_x0041_", "周\t七"]
    numbers = []
    for name in names:
        reg = f.registration(world.school_a, name=name, id_number=f.id_number())
        numbers.append(reg.person.id_number)
    raw, cells = _both(
        monkeypatch,
        tmp_path,
        lambda path: exports.export("students", path, user=world.user_a),
    )
    assert raw == cells
    rows = _sheet((tmp_path / "raw-True.xlsx").read_bytes())
    written = {(r[0], r[1]) for r in rows[1:]}
    # "_x0041_" is written escaped, as xlsxwriter does (openpyxl reads the escape back)
    expected = {(n, name.strip()) for n, name in zip(numbers, names, strict=True)}
    assert {e for e in expected if "_x" not in e[1]} <= written
    assert {r[10] for r in rows[1:]} == {datetime.datetime(2024, 9, 1)}


def test_every_kind_of_cell_is_written_as_xlsxwriter_writes_it(monkeypatch, tmp_path):
    kind = get_kind("students")
    day = datetime.date(2024, 9, 1)
    rows = [
        ["500103200705011234", "张三", "B0001", "B2018", "0101", "中级工班", "初中起点", 36,
         "全日制", "应届", day, "重庆市"],
        ["", "a & b", " x", "y ", "_x00A9_", "c\x01", "<b>z</b>", 3.5, True, False,
         datetime.date(1900, 1, 1), None],
        [None] * 12,
        ["x" * 20000, "a\nb", 12, "E", "M", "L", "P", 10**17, "T", "S",
         datetime.datetime(2024, 1, 2, 3, 4, 5), "\ufffe"],
        [1234, "\u3000全角", "B", "E", "M", "L", "P", 2.5e-7, "T", "S",
         datetime.date(1900, 3, 1), "省"],
    ]  # fmt: skip
    raw, cells = _both(monkeypatch, tmp_path, lambda path: exports._xlsx(kind, iter(rows), path))
    assert raw == cells


def test_a_name_that_looks_like_rich_text_reads_back_as_written(world):
    """xlsxwriter passes "<r>…</r>" on as rich-text XML; the export writes it as text
    (here through a file object, as the export page does)."""
    reg = f.registration(world.school_a, name="<r>陈</r>", id_number=f.id_number())
    buf = io.BytesIO()
    exports.export("students", buf, user=world.user_a, fmt="xlsx")
    rows = _sheet(buf.getvalue())
    assert (reg.person.id_number, "<r>陈</r>") in {(r[0], r[1]) for r in rows[1:]}


def test_an_altered_id_number_stops_the_export_and_leaves_no_file(world, tmp_path):
    reg = f.registration(world.school_a, name="孙八", id_number=f.id_number())
    blob = bytes(Person.objects.get(pk=reg.person_id).id_number_enc)
    Person.objects.filter(pk=reg.person_id).update(id_number_enc=blob[:-1] + b"\x00")
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"students.{fmt}"
        with pytest.raises(pii.PIIError, match="无法解密"):
            exports.export("students", str(out), user=world.user_a)
        assert not out.exists()
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("raw", [True, False])
def test_more_rows_than_a_sheet_holds_is_refused_in_chinese(world, monkeypatch, tmp_path, raw):
    """Excel's sheet ends at 1,048,576 rows: a bigger export is refused with the reason
    and the way out (CSV, or filters), and no file is left, instead of rows dropped
    silently. The limit is lowered here to the world's few rows."""
    from django.core.exceptions import ValidationError

    monkeypatch.setattr(exports, "RAW_ROWS", raw)
    f.registration(world.school_a, name="钱九", id_number=f.id_number())
    rows = len(list(exports.rows(get_kind("students"), world.user_a, None)))
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", rows - 1)
    out = tmp_path / "students.xlsx"
    with pytest.raises(ValidationError) as refused:
        exports.export("students", str(out), user=world.user_a)
    assert f"超过 {rows - 1:,} 行" in refused.value.messages[0]
    assert "请改用 CSV" in refused.value.messages[0]
    assert list(tmp_path.iterdir()) == []
    assert exports.export("students", str(tmp_path / "students.csv"), user=world.user_a) == rows


def test_the_export_page_says_why_and_goes_back_to_the_list(client, world, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 0)
    client.force_login(world.user_a)
    r = client.get("/imports/students/export.xlsx?q=李明", follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0].endswith("?q=%E6%9D%8E%E6%98%8E")
    assert "超过 0 行（Excel 单个工作表的上限）" in r.content.decode()


def test_the_export_command_says_why(world, monkeypatch, tmp_path):
    from django.core.management import CommandError, call_command

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 0)
    with pytest.raises(CommandError, match="请改用 CSV"):
        call_command("export", "students", "--out", str(tmp_path / "all.xlsx"))
    assert list(tmp_path.iterdir()) == []
