"""Registrations and recoveries are in the query log (issue 15), as /verify/'s queries
are: each attempt one row (success or the uniform refusal), the name masked and no ID
number anywhere, shown to the city where the verification log is."""

import datetime

import pytest
from django.test import Client

from jigong.certificates.models import QueryLog
from tests import factories as f
from tests.graduates.test_self_service import (  # noqa: F401 (fixture)
    PASSWORD,
    RECOVER,
    REGISTER,
    _fresh_limits,
    proof,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(world):
    return f.graduated_certificate(
        world.school_a, world.user_a, name="张晓明", birth=datetime.date(2006, 3, 1)
    )


def _row_text(row) -> str:
    return " ".join(str(getattr(row, fld.attname)) for fld in QueryLog._meta.fields)


def test_register_and_recover_attempts_are_logged_masked(world, holder):
    id_number = holder.registration.person.id_number
    c = Client(REMOTE_ADDR="10.0.0.7")
    c.post(REGISTER, proof(holder, name="张晓红"))  # a miss: the uniform refusal
    c.post(REGISTER, proof(holder))  # the match: account opened
    Client(REMOTE_ADDR="10.0.0.8").post(RECOVER, proof(holder, enrolled_year="1999"))

    rows = list(QueryLog.objects.order_by("id"))
    assert [(r.channel, r.found) for r in rows] == [
        ("grad_register", False),
        ("grad_register", True),
        ("grad_recover", False),
    ]
    miss, hit = rows[0], rows[1]
    assert miss.ip == "10.0.0.7" and miss.number == holder.number
    assert miss.name == "张*红" and hit.name == "张*明"
    for row in rows:
        text = _row_text(row)
        assert id_number not in text and id_number[-6:] not in text
        assert "张晓明" not in text and "张晓红" not in text

    # the city reads them where it reads the verification log
    city = Client()
    city.force_login(world.municipal)
    page = city.get("/query-log/").content.decode()
    assert "毕业生注册" in page and "张*红" in page
    page = city.get("/query-log/", {"channel": "grad_register"}).content.decode()
    assert "张*明" in page


def test_recover_success_is_logged(world, holder):
    Client(REMOTE_ADDR="10.0.0.9").post(REGISTER, proof(holder))
    r = Client(REMOTE_ADDR="10.0.0.10").post(
        RECOVER, proof(holder, password1="Qing-Shan-2026-lv", password2="Qing-Shan-2026-lv")
    )
    assert r.status_code == 302
    row = QueryLog.objects.filter(channel="grad_recover").get()
    assert row.found and row.ip == "10.0.0.10" and row.name == "张*明"
