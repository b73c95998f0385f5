"""Account pages as each role (issue 15): the list holds the accounts in scope only,
another scope's account id answers 404 on every page, the forms create, change duties,
disable, enable and issue a reset link; one's own sessions are listed and ended."""

import re

import pytest
from django.test import Client

from jigong.core.models import Duty, Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db
PAGES = ("", "duties/", "disable/", "enable/", "reset/")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _admin(world):
    u = f.user("school", school=world.school_a, username="a_admin")
    u.duties = [Duty.ADMIN, Duty.RECORDS]
    u.save(update_fields=["duties"])
    return u


def test_each_role_lists_only_its_scope_and_another_scopes_id_is_404(world):
    admin = _admin(world)
    clerk_b = f.user("school", school=world.school_b, username="b_clerk")
    cases = [
        (world.municipal, {"yuzhong", "school_a", "school_b", "dept"}, set()),
        (world.district_a, {"school_a", "a_admin"}, {"school_b", "yuzhong", "city", "wanzhou"}),
        (admin, {"school_a", "a_admin"}, {"school_b", "yuzhong", "b_clerk"}),
    ]
    for user, seen, unseen in cases:
        c = _client(user)
        page = c.get("/accounts/manage/").content.decode()
        names = set(re.findall(r'data-username="([^"]+)"', page))
        assert seen <= names and not (unseen & names), (user, names)
        assert "两步验证" in page and "最近登录" in page
        others = [clerk_b, world.district_b] if user != world.municipal else []
        for other in others:
            for suffix in PAGES:
                url = f"/accounts/manage/{other.pk}/{suffix}"
                r = c.get(url) if not suffix else c.post(url, {"reason": "x", "duties": "records"})
                assert r.status_code == 404, (user, url, r.status_code)
    clerk_b.refresh_from_db()
    assert clerk_b.is_active and clerk_b.duties is None


def test_clerk_and_other_roles_get_no_account_pages(world):
    clerk = f.user("school", school=world.school_a, username="a_clerk")
    clerk.duties = [Duty.RECORDS]
    clerk.save(update_fields=["duties"])
    for user in (clerk, world.department, world.graduate):
        c = _client(user)
        assert c.get("/accounts/manage/").status_code == 403
        assert c.get(f"/accounts/manage/{world.user_a.pk}/").status_code == 403
    assert "账号管理" not in _client(clerk).get("/").content.decode()
    assert "/accounts/manage/" in _client(_admin(world)).get("/").content.decode()


def test_school_admin_creates_a_clerk_through_the_form_and_link(world):
    admin = _admin(world)
    c = _client(admin)
    form = c.get("/accounts/manage/new/").content.decode()
    assert 'name="school"' not in form  # the administrator's own school
    r = c.post(
        "/accounts/manage/new/",
        {
            "username": "a_zhengshu",
            "display_name": "证书员",
            "role": "school",
            "duties": ["certificates"],
        },
    )
    assert r.status_code == 403 and "不能授予本人不具有的职责“证书”" in r.content.decode()
    r = c.post(
        "/accounts/manage/new/",
        {"username": "a_xueji", "display_name": "学籍员", "role": "school", "duties": ["records"]},
    )
    assert r.status_code == 200
    link = re.search(r'data-testid="password-link">([^<]+)<', r.content.decode()).group(1)
    clerk = User.objects.get(username="a_xueji")
    assert clerk.school == world.school_a and clerk.duties == ["records"]
    anon = Client()
    page = anon.get(link)
    assert page.status_code == 200 and "a_xueji" in page.content.decode()
    r = anon.post(link, {"new_password1": "aaaaaaaaaaaa", "new_password2": "aaaaaaaaaaaa"})
    assert r.status_code == 200 and "密码须至少包含" in r.content.decode()
    r = anon.post(link, {"new_password1": "Xueji-Mima-2025", "new_password2": "Xueji-Mima-2025"})
    assert r.status_code == 302
    assert anon.get(link).status_code == 404
    # disable and enable through the detail page
    r = c.post(f"/accounts/manage/{clerk.pk}/disable/", {"reason": "调岗"})
    assert r.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert "已停用" in c.get(f"/accounts/manage/{clerk.pk}/").content.decode()
    c.post(f"/accounts/manage/{clerk.pk}/enable/")
    clerk.refresh_from_db()
    assert clerk.is_active
    r = c.post(f"/accounts/manage/{clerk.pk}/duties/", {"duties": ["records", "enrolment"]})
    clerk.refresh_from_db()
    assert clerk.duties == ["records"]  # 招生 is not the administrator's to grant


def test_city_requires_totp_for_a_role_on_its_page(world):
    c = _client(world.municipal)
    assert "区县人社局" in c.get("/accounts/manage/totp/").content.decode()
    c.post("/accounts/manage/totp/", {"role": Role.SCHOOL, "required": "1"})
    assert "必须使用" in c.get("/accounts/manage/totp/").content.decode()
    assert _client(world.district_a).get("/accounts/manage/totp/").status_code == 403


def test_own_sessions_are_listed_and_ended(world):
    phone, laptop = Client(HTTP_USER_AGENT="Phone/1.0"), Client(HTTP_USER_AGENT="Laptop/2.0")
    for c in (phone, laptop):
        r = c.post("/accounts/login/", {"username": "school_a", "password": "Jigong-Test-2025"})
        assert r.status_code == 302
    page = laptop.get("/accounts/sessions/").content.decode()
    assert "Phone/1.0" in page and "Laptop/2.0" in page and "当前会话" in page
    phone_pk = re.search(r'data-session="(\d+)" data-agent="Phone/1.0"', page).group(1)
    # another account cannot end it
    assert _client(world.user_b).post(f"/accounts/sessions/{phone_pk}/end/").status_code == 404
    assert phone.get("/registrations/").status_code == 200
    laptop.post(f"/accounts/sessions/{phone_pk}/end/")
    r = phone.get("/registrations/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    # end all others: the page's own session stays
    tablet = Client(HTTP_USER_AGENT="Tablet/3.0")
    tablet.post("/accounts/login/", {"username": "school_a", "password": "Jigong-Test-2025"})
    laptop.post("/accounts/sessions/end-others/")
    assert tablet.get("/registrations/").status_code == 302
    assert laptop.get("/registrations/").status_code == 200
