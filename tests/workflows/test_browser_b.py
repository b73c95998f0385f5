"""In headless Chromium: a school applies to suspend a major, the municipal bureau
finds it on its to-do list and approves it; the page shows the recomputed match."""

import re

import pytest
from playwright.sync_api import expect

from jigong.workflows.models import MajorAdjustment
from tests.browser.conftest import portal  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_major_adjustment_from_application_to_approval(portal, world):  # noqa: F811
    sm = world.school_a.majors.first()
    page = portal.login("school_a")
    page.get_by_test_id("nav-menu").get_by_role("link", name="专业设置调整").click()
    page.get_by_test_id("create-item").click()
    form = page.get_by_test_id("edit-form")
    form.get_by_label("调整类型").select_option("suspend")
    form.get_by_label("本校专业（暂停、撤销或恢复招生）").select_option(str(sm.pk))
    form.get_by_label("调整理由").fill("生源减少，暂停招生一年")
    form.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/major-adjustments/\d+/$"))
    submit = page.get_by_test_id("transition-submit")
    submit.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("detail-table")).to_contain_text("待市局审批")
    page.get_by_role("button", name="退出登录").click()

    page = portal.login("city")
    todo = page.get_by_test_id("todo")
    expect(todo).to_contain_text("暂停招生")
    todo.get_by_role("link", name=re.compile("暂停招生")).click()
    approve = page.get_by_test_id("transition-approve")
    approve.get_by_label("意见/说明").fill("同意")
    approve.get_by_role("button", name="批准").click()
    expect(page.get_by_test_id("detail-table")).to_contain_text("已批准")
    expect(page.get_by_test_id("match-change")).to_contain_text("调整前")
    item = MajorAdjustment.objects.get()
    sm.refresh_from_db()
    assert item.state == "approved" and sm.status == "suspended"
