"""Staff pages of the department API: keys and the query log (municipal bureau only),
and the purge command's retention floor."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from jigong.certificates.models import QueryLog
from jigong.core.models import ApiKey
from jigong.public import services


def _log(at, number="X"):
    services.query_log_write(
        [(at, None, "测试部门", "127.0.0.1", "api_single", "", number, "", False, "")]
    )


def test_municipal_issues_key_on_page_and_sees_it_once(client, world):
    client.force_login(world.municipal)
    assert client.get(reverse("public:apikey_list")).status_code == 200
    r = client.post(
        reverse("public:apikey_create"),
        {"name": "市征兵办", "scopes": ["verify", "verify:batch"], "rate_per_minute": "120"},
    )
    body = r.content.decode()
    key = ApiKey.objects.get()
    assert r.status_code == 200 and f"jgk_{key.prefix}_" in body
    detail = client.get(reverse("public:apikey_detail", args=[key.pk])).content.decode()
    assert key.prefix in detail and "jgk_" not in detail
    r = client.post(reverse("public:apikey_revoke", args=[key.pk]))
    key.refresh_from_db()
    assert r.status_code == 302 and key.revoked_at is not None


def test_key_form_errors_in_chinese(client, world):
    client.force_login(world.municipal)
    r = client.post(
        reverse("public:apikey_create"),
        {"name": "x", "scopes": ["verify"], "rate_per_minute": "0"},
    )
    assert (
        'data-field="rate_per_minute"' in r.content.decode() and "每分钟限额" in r.content.decode()
    )
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("who", ["user_a", "district_a", "department", "graduate"])
def test_keys_and_log_refused_to_others(client, world, who):
    issued = services.api_key_create(actor=world.municipal, name="x", scopes=["verify"])
    _log(timezone.now())
    row = QueryLog.objects.get()
    client.force_login(getattr(world, who))
    assert client.get(reverse("certificates:querylog_list")).status_code == 403
    assert client.get(reverse("certificates:querylog_detail", args=[row.pk])).status_code == 404
    assert client.get(reverse("public:apikey_list")).status_code == 403
    assert client.get(reverse("public:apikey_create")).status_code == 403
    assert client.post(reverse("public:apikey_revoke", args=[issued.api_key.pk])).status_code == 404
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is None


def test_municipal_reads_the_query_log(client, world):
    _log(timezone.now(), number="2025T000110000017")
    client.force_login(world.municipal)
    body = client.get(reverse("certificates:querylog_list")).content.decode()
    assert "2025T000110000017" in body and "测试部门" in body
    menu = client.get("/").content.decode()
    assert reverse("certificates:querylog_list") in menu


def test_purge_keeps_six_months(world):
    now = timezone.now()
    _log(now - datetime.timedelta(days=400), "OLD")
    _log(now - datetime.timedelta(days=100), "RECENT")
    today = timezone.localdate()
    with pytest.raises(CommandError) as info:
        call_command("purge_query_log", "--before", today.isoformat())
    assert "至少保存6个月" in str(info.value)
    assert QueryLog.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("purge_query_log", "--before", "not-a-date")
    call_command("purge_query_log", "--before", (today - datetime.timedelta(days=200)).isoformat())
    assert list(QueryLog.objects.values_list("number", flat=True)) == ["RECENT"]


def test_key_holder_must_be_a_department_account(client, world):
    """The 部门账号 a key is issued to is a department's account: the form offers only
    those, and the act refuses any other account by name, on the page and the CLI."""
    client.force_login(world.municipal)
    form = client.get(reverse("public:apikey_create")).content.decode()
    assert f'value="{world.department.pk}"' in form
    assert f'value="{world.user_a.pk}"' not in form
    with pytest.raises(ValidationError) as exc:
        services.api_key_create(
            actor=world.municipal, name="市征兵办", scopes=["verify"], holder=world.user_a
        )
    assert f"部门账号“{world.user_a.username}”" in str(exc.value)
    with pytest.raises(CommandError, match="部门账号"):
        call_command(
            "apikey",
            "create",
            "--name",
            "市征兵办",
            "--scope",
            "verify",
            "--holder",
            world.user_a.username,
        )
    call_command(
        "apikey",
        "create",
        "--name",
        "市征兵办",
        "--scope",
        "verify",
        "--holder",
        world.department.username,
    )
    assert ApiKey.objects.get().holder == world.department
