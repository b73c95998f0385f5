"""The registry of acts in the browser: the city suspends a school's enrolment on the
compliance page, then finds that act, and only it, by the audit log's 事项 filter."""

import re

from playwright.sync_api import expect

from jigong.workflows import licensing


def test_city_filters_the_audit_log_by_act(portal, world):
    licensing.enrolment_suspend(actor=world.municipal, school=world.school_b, reason="违规招生")
    page = portal.login("city")
    page.get_by_test_id("nav-menu").get_by_role("link", name="审计日志").click()
    form = page.get_by_test_id("filter-form")
    form.get_by_label("事项").select_option(label="暂停招生")
    form.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"act=school\.suspend_enrolment"))
    table = page.get_by_test_id("register-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("暂停招生")
    expect(table).to_contain_text("万州丙技工学校")
    table.locator("tbody tr a").first.click()
    expect(page.get_by_test_id("detail-table")).to_contain_text("违规招生")
