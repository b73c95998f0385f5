"""Issue 13, case 9 (second half): every query parameter of every page and API
operation is validated — a bad year, number, date or choice is a 400 naming the
parameter, the value and the rule, never a 500."""

import pytest
from django.test import Client

YEARS = ["0", "10000", "99999999999999999999"]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/quality/", "/enrolment-plans/summary/"])
@pytest.mark.parametrize("year", YEARS)
def test_a_year_out_of_range_is_a_400_naming_it(world, path, year):
    response = _client(world.municipal).get(path, {"year": year})
    assert response.status_code == 400, response.status_code
    body = response.content.decode()
    assert "year" in body and f"“{year}”" in body and "2000" in body, body[:2000]
