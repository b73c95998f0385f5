"""Issue 15, done-when: a graduate of a built world registers on a phone, creates a
verification code on their page, and an employer verifies it from /verify/ (one
server, one browser)."""

import datetime

from tests import factories as f

PHONE = {"width": 390, "height": 844}
PASSWORD = "Chao-Tian-Men-2025"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_graduate_registers_creates_a_code_and_an_employer_verifies_it(portal, world):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="刘洋", birth=datetime.date(2006, 5, 2)
    )
    person = cert.registration.person
    page = portal.page
    page.set_viewport_size(PHONE)

    # from the log-in page to the registration
    page = portal.goto("/accounts/login/")
    page.get_by_role("link", name="毕业生注册").click()
    page.wait_for_load_state()
    assert page.url.endswith("/graduates/register/") and _fits(page)
    page.get_by_label("身份证号").fill(person.id_number)
    page.get_by_label("姓名").fill("刘洋")
    page.get_by_label("证书编号").fill(cert.number)
    page.get_by_label("入学年份").fill(str(cert.registration.enrolled_on.year))
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="核验并注册").click()
    page.wait_for_load_state()

    # the graduate's own page: the certificate, the account's name to log in with
    assert page.url.endswith("/graduate/")
    assert cert.number in page.content() and _fits(page)
    username = page.get_by_test_id("my-username").inner_text().strip()
    assert username.startswith("by")
    form = page.get_by_test_id("code-create-form")
    form.locator("input[name=days]").fill("60")
    form.get_by_role("button", name="生成验证码").click()
    page.wait_for_load_state()
    code = page.get_by_test_id("new-code").inner_text().strip()
    assert len(code.replace("-", "")) == 16

    # the employer, in a browser with no session, from /verify/
    employer = page.context.browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        other = employer.new_page()
        other.goto(portal.base_url + "/verify/")
        other.get_by_role("link", name="凭验证码查看核验报告").click()
        other.wait_for_load_state()
        other.get_by_label("在线验证码").fill(code)
        other.get_by_role("button", name="查看核验报告").click()
        other.wait_for_load_state()
        text = other.content()
        assert cert.number in text and "刘*" in text and _fits(other)
    finally:
        employer.close()
