"""The staff portal in a real browser: log-in per role, menu → list → filter → detail,
学籍异动 errors, and the lock-out after five bad passwords."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize(
    "username, marker, texts",
    [
        ("city", "home-municipal", ["全市技工教育概况", "市人社局", "全市"]),
        (
            "yuzhong",
            "home-district",
            ["渝中区技工教育概况", "重庆甲技师学院", "重庆乙高级技工学校"],
        ),
        ("school_a", "home-school", ["重庆甲技师学院", "学校管理员", "在校生"]),
        ("dept", "home-department", ["部门接口用户", "/api/v1/"]),
        ("grad", "home-graduate", ["毕业生", "核验码"]),
    ],
)
def test_each_role_logs_in_to_its_home_page(portal, world, username, marker, texts):
    page = portal.login(username)
    assert page.url.rstrip("/") == portal.base_url
    expect(page.get_by_test_id(marker)).to_be_visible()
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body
    expect(page.get_by_test_id("portal-role")).to_be_visible()
    if username == "yuzhong":
        assert "万州丙技工学校" not in body
    # log out (POST) brings back the log-in page
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_menu_list_filter_detail(portal, world):
    page = portal.login("city")
    menu = page.get_by_test_id("nav-menu")
    expect(menu.get_by_role("link", name="审计日志")).to_be_visible()
    menu.get_by_role("link", name="学籍", exact=True).click()
    expect(page).to_have_url(re.compile(r"/registrations/$"))
    table = page.get_by_test_id("register-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    assert "李明" not in table.inner_text()  # masked on the list
    # filter by school
    form = page.get_by_test_id("filter-form")
    form.get_by_label("学校").select_option(label="重庆甲技师学院")
    form.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"school="))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("result-count")).to_contain_text("共 1 条")
    # search box
    form.get_by_label("搜索").fill("赵强")
    form.get_by_label("学校").select_option(index=0)
    form.get_by_role("button", name="查询").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("赵*")
    # open the detail page: full name there
    table.locator("tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/registrations/\d+/$"))
    expect(page.get_by_test_id("detail-table")).to_contain_text("赵强")
    expect(page.get_by_test_id("detail-table")).to_contain_text("万州丙技工学校")


def test_school_user_menu_and_status_change_error(portal, world):
    page = portal.login("school_a")
    menu = page.get_by_test_id("nav-menu")
    assert menu.get_by_role("link", name="审计日志").count() == 0
    menu.get_by_role("link", name="学籍", exact=True).click()
    table = page.get_by_test_id("register-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert "万州" not in page.locator("body").inner_text()
    table.locator("tbody tr a").first.click()
    page.get_by_role("link", name="学籍异动", exact=True).click()
    form = page.get_by_test_id("edit-form")
    form.get_by_label("变更为").select_option(label="复学")
    form.get_by_label("变更日期").fill("2025-03-01")
    form.get_by_role("button", name="保存").click()
    expect(page.locator('[data-field="status"]')).to_contain_text("学籍状态“在校”不能变更为“复学”")
    form.get_by_label("变更为").select_option(label="休学")
    form.get_by_label("变更日期").fill("2025-03-01")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("confirm-summary")).to_contain_text("休学")  # what will change
    page.get_by_role("button", name="确认登记").click()
    expect(page).to_have_url(re.compile(r"/registrations/\d+/$"))
    expect(page.get_by_test_id("detail-table")).to_contain_text("休学")


def test_locked_out_after_five_bad_passwords(portal, world):
    for attempt in range(1, 6):
        page = portal.login("school_b", password=f"wrong-{attempt}")
        if attempt < 5:
            expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("locked")).to_contain_text("已被锁定 30 分钟")
    # the right password is refused while locked
    page = portal.login("school_b")
    expect(page.get_by_test_id("locked")).to_be_visible()


def test_a_school_account_sets_up_two_step_verification(portal, world):
    """A school user (who sees whole ID numbers) finds 两步验证 in the top bar, scans
    the QR code, and from then on logs in with password and a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.ops.test_security import code

    page = portal.login("school_a")
    page.get_by_test_id("otp-link").click()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_test_id("otp-secret")).to_be_visible()
    page.get_by_label("动态验证码").fill("12345")
    page.get_by_role("button", name="启用").click()
    expect(page.get_by_test_id("otp-error")).to_contain_text("6 位数字")
    device = TOTPDevice.objects.get(user=world.user_a, confirmed=False)
    page.get_by_label("动态验证码").fill(code(device))
    page.get_by_role("button", name="启用").click()
    expect(page.locator("body")).to_contain_text("两步验证已启用")
    assert TOTPDevice.objects.get(user=world.user_a).confirmed
