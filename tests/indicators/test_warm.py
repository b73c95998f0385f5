"""`jigong warm`: after it, the first /dashboard/ request reads cached figures only."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jigong.indicators import cache

PLUMBING = ("django_session", "core_user", "otp_", "SAVEPOINT", "RELEASE SAVEPOINT")


def _dashboard(client, user):
    """The page and the number of queries it made for figures (not session or user)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        r = client.get("/dashboard/")
    assert r.status_code == 200
    data = [q["sql"] for q in queries.captured_queries if not any(p in q["sql"] for p in PLUMBING)]
    return r.content.decode(), data


def test_warm_caches_the_city_dashboard(client, world):
    out = io.StringIO()
    call_command("warm", stdout=out)
    assert "已缓存全市" in out.getvalue()
    assert "项指标" in out.getvalue()

    warm_html, warm_queries = _dashboard(client, world.municipal)
    # the latest year and the scope's version (warming every scope took over a second)
    assert len(warm_queries) <= 2, warm_queries

    cache.clear()
    cold_html, cold_queries = _dashboard(client, world.municipal)
    assert len(cold_queries) > 5  # the indicators computed in the request
    # The same figures either way.
    marker = 'data-testid="target-students_in_school"'
    assert warm_html.split(marker)[1][:400] == cold_html.split(marker)[1][:400]


def test_warm_refuses_a_bad_year(world):
    with pytest.raises(CommandError, match="年度“20x5”不是有效年份"):
        call_command("warm", "--year", "20x5", stdout=io.StringIO())
