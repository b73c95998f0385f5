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


def test_recovery_after_a_miss_asks_the_challenge_and_then_logs_in(portal, world, settings):
    """A graduate who mistyped once meets the ALTCHA challenge on /graduates/recover/ (the
    limits of /verify/), solves it in the browser and sets a new password."""
    import time

    from jigong.graduates import services

    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (1, 3600)
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="周琳", birth=datetime.date(2006, 9, 9)
    )
    person = cert.registration.person
    proof = {
        "身份证号": person.id_number,
        "姓名": "周琳",
        "证书编号": cert.number,
        "入学年份": str(cert.registration.enrolled_on.year),
    }
    services.graduate_account_register(
        actor=None,
        id_number=person.id_number,
        name="周琳",
        certificate_number=cert.number,
        enrolled_year=proof["入学年份"],
        password="Old-Password-2024x",
    )
    page = portal.page
    page.set_viewport_size(PHONE)
    page = portal.goto("/accounts/login/")
    page.get_by_role("link", name="找回密码").click()
    page.wait_for_load_state()

    def fill(values):
        for label, value in values.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_label("设置密码").fill(PASSWORD)
        page.get_by_label("再次输入密码").fill(PASSWORD)

    fill({**proof, "入学年份": "2019"})
    page.get_by_role("button", name="核验并重设密码").click()
    page.wait_for_load_state()
    assert "未能核实您的身份" in page.content()
    assert page.get_by_test_id("verify-challenge").is_visible() and _fits(page)
    fill(proof)
    payload = page.locator("altcha-widget input[name=altcha]")
    page.locator("altcha-widget input[type=checkbox]").wait_for()
    page.locator("altcha-widget label").first.click()
    start = time.perf_counter()
    while not payload.input_value() and time.perf_counter() - start < 10:
        time.sleep(0.01)
    page.get_by_role("button", name="核验并重设密码").click()
    page.wait_for_load_state()
    assert page.url.endswith("/graduate/") and cert.number in page.content()
