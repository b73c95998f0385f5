"""The back office is no door around the account acts (issue 15): a superuser's /admin/
cannot change an account's role, scope, duties, active flag or password, nor add one;
those go through account.create / set_duties / disable / enable / reset_password."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jigong.core.models import AuditLog, Duty
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    su = get_user_model().objects.create_superuser(
        username="root", password="Jigong-Test-2025", role="municipal"
    )
    c = Client()
    c.force_login(su)
    return c


def test_admin_post_does_not_change_role_scope_duties_or_active(world, admin_client):
    clerk = f.user("school", school=world.school_a, username="clerk_certs")
    clerk.duties = [Duty.CERTIFICATES]
    clerk.save(update_fields=["duties"])
    before = AuditLog.objects.count()
    admin_client.post(
        f"/admin/core/user/{clerk.pk}/change/",
        {
            "username": "clerk_certs",
            "display_name": "证书管理员",
            "role": "district",
            "district": world.school_b.district_id,
            "school": "",
            "duties": '["records", "certificates", "admin"]',
            "is_active": "",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "08:00:00",
        },
    )
    clerk.refresh_from_db()
    assert clerk.role == "school" and clerk.school_id == world.school_a.pk
    assert clerk.district_id is None
    assert clerk.duties == [Duty.CERTIFICATES]
    assert clerk.is_active and not clerk.is_superuser and not clerk.is_staff
    assert AuditLog.objects.count() == before
    # the page still shows the account, read-only
    page = admin_client.get(f"/admin/core/user/{clerk.pk}/change/")
    assert page.status_code == 200 and "clerk_certs" in page.content.decode()


def test_admin_cannot_set_a_password_nor_add_an_account(world, admin_client):
    clerk = f.user("school", school=world.school_a, username="clerk_records")
    admin_client.post(
        f"/admin/core/user/{clerk.pk}/password/",
        {"password1": "Another-Pass-2026!", "password2": "Another-Pass-2026!"},
    )
    clerk.refresh_from_db()
    assert clerk.check_password("Jigong-Test-2025")
    assert not clerk.check_password("Another-Pass-2026!")
    n = get_user_model().objects.count()
    admin_client.post(
        "/admin/core/user/add/",
        {
            "username": "sneaky",
            "password1": "Another-Pass-2026!",
            "password2": "Another-Pass-2026!",
            "usable_password": "true",
            "role": "municipal",
            "display_name": "x",
        },
    )
    assert get_user_model().objects.count() == n
