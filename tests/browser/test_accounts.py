"""Issue 15's “Done when”, first sentence, in Chromium: a district official creates a
school administrator, who creates two clerks with different duties (学籍; 证书), each
seeing only what their duty allows. One server, one browser."""

import re

from tests.browser.conftest import PASSWORD

NEW_PASSWORD = "Xin-Mima-2025!"


def _create(page, *, username, display, duties, school=None):
    page.goto(page.url.split("/accounts/")[0] + "/accounts/manage/new/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("姓名").fill(display)
    page.get_by_label("角色").select_option("school")
    if school is not None:
        page.get_by_label("所属学校").select_option(str(school.pk))
    for label in duties:
        page.locator("[data-testid=account-form]").get_by_label(label, exact=True).check()
    page.get_by_role("button", name="保存").click()
    link = page.get_by_test_id("password-link").inner_text().strip()
    assert "/accounts/password-link/" in link
    return link


def _set_password_and_login(portal, link, username):
    page = portal.page
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    return portal.login(username, NEW_PASSWORD)


def _menu_has(page, href: str) -> bool:
    return page.locator(f"a.nav-link[href='{href}']").count() > 0


def test_district_creates_admin_who_creates_two_clerks_each_seeing_their_duty(
    portal, world, certificate
):
    person = certificate.registration.person
    page = portal.login(world.district_a.username, PASSWORD)
    link = _create(
        page,
        username="jia-admin",
        display="甲校管理员",
        duties=["学籍", "证书", "管理员"],
        school=world.school_a,
    )

    page = _set_password_and_login(portal, link, "jia-admin")
    assert page.get_by_role("link", name="账号管理").count() >= 1
    links = {}
    for username, display, duty in (
        ("jia-xueji", "学籍员", "学籍"),
        ("jia-zhengshu", "证书员", "证书"),
    ):
        links[username] = _create(page, username=username, display=display, duties=[duty])
    listing = portal.goto("/accounts/manage/").get_by_test_id("account-list").inner_text()
    assert "jia-xueji" in listing and "jia-zhengshu" in listing and "school_b" not in listing

    cert_url, person_url = f"/graduation-certificates/{certificate.pk}/", f"/students/{person.pk}/"
    # the 学籍 clerk: corrects the student, does not revoke the certificate, manages no one
    page = _set_password_and_login(portal, links["jia-xueji"], "jia-xueji")
    assert page.get_by_role("link", name="账号管理").count() == 0
    # the menu shows the sections of the clerk's duties and the shared registers only
    assert _menu_has(page, "/registrations/") and _menu_has(page, "/graduation-certificates/")
    assert not _menu_has(page, "/enrolment-plans/") and not _menu_has(page, "/training-records/")
    assert "须具有“招生”职责" in portal.goto("/enrolment-plans/").content()
    assert portal.goto(person_url).get_by_role("link", name="更正学生信息").count() == 1
    assert portal.goto(cert_url).get_by_role("link", name="撤销").count() == 0
    page = portal.goto(cert_url.replace(f"{certificate.pk}/", f"{certificate.pk}/revoke/"))
    assert "须具有“证书”职责" in page.content()

    # the 证书 clerk: the reverse
    page = _set_password_and_login(portal, links["jia-zhengshu"], "jia-zhengshu")
    assert _menu_has(page, "/graduation-certificates/") and _menu_has(page, "/registrations/")
    assert not _menu_has(page, "/enrolment-plans/") and not _menu_has(page, "/training-records/")
    assert portal.goto(cert_url).get_by_role("link", name="撤销").count() == 1
    assert portal.goto(person_url).get_by_role("link", name="更正学生信息").count() == 0
    assert portal.goto("/accounts/manage/").title is not None
    assert "须具有“管理员”职责" in portal.page.content()
