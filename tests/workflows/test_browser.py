"""In headless Chromium: a school files a brochure (form + PDF), submits it, and the
district bureau finds it on its to-do list and approves it."""

import re

import pytest
from playwright.sync_api import expect

from jigong.workflows.models import BrochureFiling, Step
from tests.browser.conftest import portal  # noqa: F401  (fixture)
from tests.workflows.conftest import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_brochure_from_submission_to_approval(portal, world, tmp_path):  # noqa: F811
    pdf = tmp_path / "2025年招生简章.pdf"
    pdf.write_bytes(PDF)

    # the school files and submits
    page = portal.login("school_a")
    page.get_by_test_id("nav-menu").get_by_role("link", name="招生简章备案").click()
    page.get_by_test_id("create-item").click()
    form = page.get_by_test_id("edit-form")
    form.get_by_label("招生年度").fill("2025")
    form.get_by_label("简章名称").fill("重庆甲技师学院2025年招生简章")
    form.get_by_label("计划招生人数").fill("300")
    form.get_by_label("招生对象").fill("应往届初高中毕业生、企业在岗职工")
    form.get_by_label("学习形式").select_option(label="全日制、非全日制")
    form.get_by_label("招生咨询电话").fill("023-63000000")
    form.locator("#id_documents").set_input_files(str(pdf))
    form.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/brochure-filings/\d+/$"))
    expect(page.get_by_test_id("detail-table")).to_contain_text("草稿")
    expect(page.get_by_test_id("detail-table")).to_contain_text("全日制、非全日制")
    expect(page.get_by_test_id("timeline")).to_contain_text("2025年招生简章.pdf")
    submit = page.get_by_test_id("transition-submit")
    submit.get_by_label("意见/说明").fill("请审核")
    submit.get_by_role("button", name="提交备案").click()
    expect(page.get_by_test_id("detail-table")).to_contain_text("待审核")
    expect(page.get_by_test_id("transitions")).to_have_count(0)
    page.get_by_role("button", name="退出登录").click()

    # the district finds it on its to-do list and approves it
    page = portal.login("yuzhong")
    todo = page.get_by_test_id("todo")
    expect(todo).to_contain_text("重庆甲技师学院2025年招生简章")
    todo.get_by_role("link", name=re.compile("重庆甲技师学院2025年招生简章")).click()
    approve = page.get_by_test_id("transition-approve")
    approve.get_by_label("意见/说明").fill("同意备案")
    approve.get_by_role("button", name="备案通过").click()
    expect(page.get_by_test_id("detail-table")).to_contain_text("备案通过")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("step")).to_have_count(3)
    expect(timeline).to_contain_text("同意备案")
    item = BrochureFiling.objects.get()
    assert item.state == "approved"
    assert list(Step.objects.values_list("action", flat=True)) == ["create", "submit", "approve"]
