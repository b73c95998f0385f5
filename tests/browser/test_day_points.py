"""Issue 19 points 7 and 8 in a real browser: the district's dashboard reads its own
figures against the city's targets without a verdict, and an all-or-nothing import
that wrote nothing hands the whole file back from its page."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.imports.conftest import student_fields
from tests.imports.helpers import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERDICTS = ("达成", "未达成", "进行中")


def test_district_dashboard_shows_its_own_figures_and_its_share(portal, world):
    portal.login("wanzhou")
    page = portal.goto("/dashboard/?year=2025")
    row = page.get_by_test_id("target-students_in_school")
    expect(row).to_contain_text("全市目标")
    expect(row.get_by_test_id("actual-students_in_school")).to_have_text("1")  # 万州区's one
    expect(row).to_contain_text("占全市目标")
    status = row.locator("[data-testid^='status-']").inner_text().strip()
    assert not status.startswith(VERDICTS), status


def test_all_or_nothing_import_hands_back_the_whole_file(portal, world, tmp_path):
    rows = [
        student_fields(world.school_a.code, id_number=f.id_number(), name="钱一"),
        student_fields(world.school_a.code, id_number=f.id_number(), name="孙二", major="9999"),
        student_fields(world.school_a.code, id_number=f.id_number(), name="李三"),
    ]
    header = list(rows[0])
    upload = tmp_path / "学籍.xlsx"
    upload.write_bytes(xlsx([[r[h] for h in header] for r in rows], header=header))

    portal.login("school_a")
    page = portal.goto("/imports/students/")
    page.locator("#id_file").set_input_files(str(upload))
    page.locator("input[name=mode][value=all]").check()
    page.get_by_role("button", name="开始导入").click()
    expect(page.get_by_test_id("report-holds")).to_contain_text("本次未写入任何数据")
    with page.expect_download() as download:
        page.get_by_test_id("report-download").click()
    assert "整份文件" in page.get_by_test_id("report-download").inner_text()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    names = [row[header.index("姓名")] for row in book.iter_rows(min_row=2, values_only=True)]
    assert names == ["钱一", "孙二", "李三"]  # every row, the good ones kept
