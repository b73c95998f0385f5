"""Issue 15: a school's 证书 clerk makes a graduate's invitation link on the 学籍 page; the
graduate opens it on a phone in Chromium, sets a password and lands on their own
records; the link works once (one server, one browser)."""

import datetime

from jigong.core.models import Duty
from tests import factories as f

PHONE = {"width": 390, "height": 844}
PASSWORD = "Jie-Fang-Bei-2025"


def test_invitation_link_opens_the_graduates_own_records_once(portal, world, settings):
    settings.JIGONG_PUBLIC_URL = portal.base_url
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="陈静", birth=datetime.date(2006, 7, 8)
    )
    other = f.graduated_certificate(
        world.school_a, world.user_a, name="黄磊", birth=datetime.date(2006, 8, 9)
    )
    clerk = f.user("school", school=world.school_a, username="clerk_certs_inv")
    clerk.duties = [Duty.CERTIFICATES]
    clerk.save(update_fields=["duties"])

    # the school: the 学籍 page offers the invitation; the link is shown once
    page = portal.login("clerk_certs_inv")
    page = portal.goto(f"/registrations/{cert.registration.pk}/")
    page.get_by_role("link", name="邀请开通毕业生账号").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="生成邀请链接").click()
    page.wait_for_load_state()
    link = page.get_by_test_id("invitation-link").inner_text().strip()
    assert link.startswith(portal.base_url + "/graduates/invitation/")
    assert page.get_by_role("button", name="打印").is_visible()

    # the graduate, on a phone with no session: sets a password, sees own records only
    phone = page.context.browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        g = phone.new_page()
        g.goto(link)
        assert "陈*" in g.content() and "陈静" not in g.content()
        g.get_by_label("设置密码").fill(PASSWORD)
        g.get_by_label("再次输入密码").fill(PASSWORD)
        g.get_by_role("button", name="设置密码并开通").click()
        g.wait_for_load_state()
        assert g.url.endswith("/graduate/")
        body = g.content()
        assert cert.number in body and other.number not in body
        assert g.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

        # the link works once: opened again (even by its holder), it is spent
        g.goto(link)
        assert "该邀请链接已失效" in g.content()
        assert g.get_by_label("设置密码").count() == 0
    finally:
        phone.close()
