"""Schemathesis against /api/v1/openapi.json through the Django WSGI application: the
public verification endpoint, the department endpoints (with a valid key) and the staff
endpoints (with a session) answer no 5xx and nothing outside their documented schema."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from jigong.certificates import services as certificates
from jigong.public import ratelimit
from jigong.public import services as public
from tests import factories as f

# What the API promises: no server error, and every status, content type, header and
# body documented in the schema.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
OPERATIONS = r"^/api/v1/(certificates|department|me|schools)"


@pytest.fixture
def keep_connection():
    # As Django's test client does: the WSGI handler must not close the test's
    # connection (inside the test transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(world, client, keep_connection):
    from django.core.cache import cache

    cache.clear()
    ratelimit.forget_leases()
    reg = f.registration(world.school_a, name="张晓明", enrolled_on=datetime.date(2022, 9, 1))
    certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
    key = public.api_key_create(
        actor=world.municipal,
        name="市征兵办",
        scopes=["verify", "verify:batch", "equivalence"],
        rate_per_minute=public.MAX_RATE,
    ).key
    client.force_login(world.user_a)
    session = client.cookies["sessionid"].value
    yield {"X-API-Key": key}, {"sessionid": session}
    cache.clear()


# The schema is generated without the database (django-ninja builds it from the routers).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex=OPERATIONS
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db(transaction=False)
def test_api_conforms_to_its_schema(case, auth_headers):
    headers, cookies = auth_headers
    case.cookies = {**(case.cookies or {}), **cookies}
    case.call_and_validate(headers=headers, checks=CHECKS)
