"""Issue 15, done-when: a citizen logs in through the test OpenID provider (its own
log-in form, in headless Chromium) and lands on their own records; a staff log-in
reaches the account registered for its staff claim. One provider process, one server."""

import datetime

import pytest

from jigong.accounts import services as accounts
from tests import factories as f
from tests.oidc_provider import fixture as idp

pytestmark = pytest.mark.xdist_group("browser_sso")
PW = "idp-password"


@pytest.fixture(scope="module")
def provider():
    p = idp.start()
    yield p
    p.stop()


@pytest.fixture(autouse=True)
def sso_on(settings, provider):
    for k, v in provider.settings().items():
        setattr(settings, k, v)


def _through_the_provider(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()
    page.wait_for_load_state()
    assert "测试身份认证平台" in page.content()  # the provider's own form
    page.get_by_label("账号").fill(username)
    page.get_by_label("口令").fill(PW)
    page.get_by_role("button", name="认证").click()
    page.wait_for_load_state()
    return page


def test_a_citizen_and_a_staff_member_log_in_through_the_provider(portal, world, provider):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="何佳", birth=datetime.date(2006, 7, 7)
    )
    provider.add_user("cq-he", PW, id_number=cert.registration.person.id_number, amr=["pwd"])
    world.user_b.display_name = "万州丙学籍员"
    world.user_b.save(update_fields=["display_name"])
    accounts.account_set_sso_id(actor=world.district_b, account=world.user_b, sso_id="WZ-0031")
    provider.add_user("gov-wz31", PW, staff_id="WZ-0031")

    page = _through_the_provider(portal.page, portal.base_url, "cq-he")
    assert page.url == portal.base_url + "/graduate/"
    text = page.content()
    assert cert.number in text and "何佳" in text
    assert page.get_by_test_id("my-username").inner_text().strip().startswith("by")

    staff = page.context.browser.new_context(locale="zh-CN")
    try:
        other = _through_the_provider(staff.new_page(), portal.base_url, "gov-wz31")
        assert other.url == portal.base_url + "/"
        assert "万州丙学籍员" in other.content()
    finally:
        staff.close()
