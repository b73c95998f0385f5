"""Issue 13, case 9 (second half): every query parameter of every page and API
operation is validated — a bad year, number, date or choice is a 400 naming the
parameter, the value and the rule, never a 500."""
# ruff: noqa: F401, F811  (the fuzz world's fixtures, imported)

import os
import re

import pytest
from django.http import QueryDict
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, fuzz_world
from tests.test_permission_matrix import ROLES, matrix_world

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


@pytest.mark.django_db
def test_the_api_names_a_bad_year_in_its_error_json(world):
    response = _client(world.municipal).get("/api/v1/indicators/targets", {"year": "10000"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "year" and "10000" in body["detail"] and "2100" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "0000-00-00"])
def test_a_date_filter_out_of_the_years_is_shown_on_the_page(world, value):
    """Found by the sweep below: /query-log/?at_after=0001-01-01 answered 500 (the day's
    start in Asia/Shanghai is before year 1 in UTC)."""
    response = _client(world.municipal).get("/query-log/", {"at_after": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body and ("2000" in body or "日期" in body), body[-3000:]


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["abc", "0", "9999-12-31", "/ok/\x00"])
def test_a_next_that_is_not_a_path_goes_home(world, target):
    """Found by the sweep below: /accounts/otp/verify/?next=abc answered 500 (redirect()
    took the value for a view name)."""
    response = _client(world.municipal).get("/accounts/otp/verify/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,name",
    [
        ("/enrolment-plans/", "year"),
        ("/training-records/", "year"),
        ("/employment-outcomes/", "graduation_year"),
        ("/school-majors/", "opened_year"),
    ],
)
def test_a_year_filter_out_of_range_is_shown_on_the_page(world, path, name):
    """A register's year filter takes the same years: 10000 is an error under the
    filter (it once listed nothing, as if no row matched)."""
    response = _client(world.municipal).get(path, {name: "10000"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body and "2100" in body, body[-3000:]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,value,rule",
    [
        ("state", "zzz", "以下之一"),
        ("school", "50\x0001", "控制字符"),
        ("overdue", "x" * 50, "以下之一"),
    ],
)
def test_the_findings_filters_are_read_as_parameters(world, name, value, rule):
    """/supervision/ read its filters raw: an unknown state listed everything, a NUL in
    the school code reached the database."""
    response = _client(world.municipal).get("/supervision/", {name: value})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"参数 {name} " in body and rule in body, body[-2000:]


# --- every query parameter of every page and API operation ---------------------------
#
# Pages: the URL patterns come from the resolver and the roles that may GET each from
# the permission matrix (tests/permission_matrix.yaml, whose own meta-test makes every
# new pattern have a row). The names a page reads are found by asking it: each request
# here carries a recording QueryDict, and the first GET of a page (with a probe key, so
# that filter forms bind) lists every name its view, form or FilterSet read.
# API operations: the OpenAPI schema lists every GET operation and its query parameters.

READ: set[str] = set()
EXAMPLES = int(os.environ.get("JIGONG_PARAMS_EXAMPLES", "150"))
DERANDOMIZE = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class RecordingQueryDict(QueryDict):
    """request.GET that notes every name read (``*``: all of them, by iteration)."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        READ.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)

    def __iter__(self):
        READ.add("*")
        return super().__iter__()

    def items(self):
        READ.add("*")
        return super().items()

    def lists(self):
        READ.add("*")
        return super().lists()


@pytest.fixture
def recording(monkeypatch):
    from django.core.handlers.wsgi import WSGIRequest

    def get(request):
        if "_recording_get" not in request.__dict__:
            raw = request.META.get("QUERY_STRING", "")
            request.__dict__["_recording_get"] = RecordingQueryDict(raw, encoding=request._encoding)
        return request.__dict__["_recording_get"]

    def set_(request, value):
        request.__dict__["_recording_get"] = value

    monkeypatch.setattr(WSGIRequest, "GET", property(get, set_))
    READ.clear()
    yield READ


PROBE = "_probe"
ALLOWED = ("ok", "own")


def page_targets(fuzz_world):
    """(route name, URL of the own-side object, roles that may GET it)."""
    from tests.test_permission_matrix import _query, _url, routes

    all_routes = routes()
    out = []
    for name, row in sorted(fuzz_world.matrix["rows"].items()):
        spec = row.methods.get("GET")
        if spec is None or name == "admin:*" or name.startswith("api-v1:"):
            continue
        roles = [r for r in ROLES if spec[r] in ALLOWED]
        if not roles:
            continue
        url = _url(all_routes[name], row.args, row.objects, 0)
        out.append((name, url, _query(row.query, 0), roles))
    return out


HOSTILE = [
    "0",
    "-1",
    "10000",
    "99999999999999999999",
    str(2**63),
    "-" + "9" * 40,
    "1e400",
    "NaN",
    "１２",
    "abc",
    "0000-00-00",
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
    "\x00",
    "2025\x00",
    "测" * 3000,
    "😀\u202e",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "",
    " ",
    "%(x)s%s",
]
# the sweep's values, one of each kind (Hypothesis draws from all of HOSTILE and more)
SWEEP = ["0", "99999999999999999999", "-1", "abc", "0001-01-01", "\x00", "测" * 3000, ""]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _role(roles):
    return "municipal" if "municipal" in roles else roles[0]


def discover(fuzz_world):
    """Each page the matrix lets some role GET, with the names its view read."""
    out = []
    for name, url, query, roles in page_targets(fuzz_world):
        READ.clear()
        sep = "&" if query else "?"
        response = fuzz_world.clients[_role(roles)].get(f"{url}{query}{sep}{PROBE}=1")
        assert response.status_code < 500, (name, response.status_code)
        out.append((name, url, query, roles, sorted(READ - {PROBE, "*"})))
    return out


def api_targets(fuzz_world):
    """(route name, path, its query parameters, roles) of every GET operation."""
    from jigong.api import api
    from tests.test_permission_matrix import _url, routes

    all_routes = routes()
    names = {str(p.pattern): p.name for p in api._get_urls()}
    out = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "get" not in methods:
            continue
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/api/v1/"))
        name = f"api-v1:{names[route]}"
        query = [p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"]
        row = fuzz_world.matrix["rows"].get(name)
        if row is None:  # test_every_route_has_a_row names it; fuzzed anonymously here
            out.append((name, "/api/v1/" + route, query, ["anonymous"]))
            continue
        roles = [r for r in ROLES if row.methods["GET"][r] in ALLOWED]
        out.append((name, _url(all_routes[name], row.args, row.objects, 0), query, roles))
    return out


ERRORS: list[str] = []


@pytest.fixture
def errors(fuzz_world):
    """The clients answer a server error as a 500 response (not a raised exception), and
    the exception is noted with the request that raised it."""
    from django.core.signals import got_request_exception

    def note(sender, request=None, **kw):
        import sys

        ERRORS.append(f"{request.get_full_path()[:200]}: {sys.exc_info()[1]!r}"[:400])

    for c in fuzz_world.clients.values():
        c.raise_request_exception = False
    got_request_exception.connect(note)
    ERRORS.clear()
    yield ERRORS
    got_request_exception.disconnect(note)


def check(response, what: str, sent: dict):
    status = response.status_code
    assert status < 500, f"{what}: answered {status}: {ERRORS[-1:]}"
    if status == 400 and response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert CJK.search(body), f"{what}: a 400 without Chinese text"
        if "参数 " in body:
            assert any(f"参数 {n} " in body for n in sent), f"{what}: 400 names no parameter"


def _get(client, url, query, data):
    params = QueryDict(query.lstrip("?"), mutable=True)
    for k, v in data.items():
        params.setlist(k, v if isinstance(v, list) else [v])
    return client.get(f"{url}?{params.urlencode()}")


@pytest.mark.django_db
def test_every_page_parameter_refuses_hostile_values(fuzz_world, recording, errors):
    """Every parameter of every page at once set to each sweep value, then Hypothesis
    over pages, roles, subsets of their parameters and hostile values (lists too)."""
    pages = discover(fuzz_world)
    with_params = [p for p in pages if p[4]]
    assert len(with_params) > 40, [p[0] for p in with_params]  # the discovery works
    for _name, url, query, roles, names in with_params:
        client = fuzz_world.clients[_role(roles)]
        for value in SWEEP:
            sent = dict.fromkeys(names, value)
            _get(client, url, query, sent)
    assert not errors, f"{len(errors)} server error(s):\n" + "\n".join(sorted(set(errors)))

    @settings(FUZZ, max_examples=EXAMPLES, derandomize=DERANDOMIZE)
    @given(st.data())
    def fuzz(data):
        name, url, query, roles, names = data.draw(st.sampled_from(pages), label="page")
        role = data.draw(st.sampled_from(roles), label="role")
        keys = names or ["year", "page", "q"]  # a page that reads none may still be sent some
        chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1, unique=True), label="keys")
        sent = {k: data.draw(VALUES, label=k) for k in chosen}
        response = _get(fuzz_world.clients[role], url, query, sent)
        check(response, f"GET {url} ({name}) as {role} {sent!r}"[:400], sent)

    fuzz()


@pytest.mark.django_db
def test_every_api_query_parameter_refuses_hostile_values(fuzz_world, errors):
    """Every GET operation of the OpenAPI schema, each query parameter hostile, as the
    roles the matrix lets read it: never a 5xx (schemathesis checks the documented
    answers of the certificate, department and school operations)."""
    operations = api_targets(fuzz_world)
    assert any(q for _n, _u, q, _r in operations)
    for _name, url, query, roles in operations:
        for value in SWEEP:
            sent = dict.fromkeys(query, value)
            _get(fuzz_world.clients[_role(roles or ["anonymous"])], url, "", sent)
    assert not errors, f"{len(errors)} server error(s):\n" + "\n".join(sorted(set(errors)))

    @settings(FUZZ, max_examples=EXAMPLES, derandomize=DERANDOMIZE)
    @given(st.data())
    def fuzz(data):
        name, url, query, roles = data.draw(st.sampled_from(operations), label="operation")
        role = data.draw(st.sampled_from(roles or ["anonymous"]), label="role")
        chosen = data.draw(st.lists(st.sampled_from(query or ["x"]), unique=True), label="keys")
        sent = {k: data.draw(VALUES, label=k) for k in chosen}
        response = _get(fuzz_world.clients[role], url, "", sent)
        assert response.status_code < 500, f"GET {url} ({name}) as {role} {sent!r}"[:400]

    fuzz()


VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.dates().map(str),
    st.text(max_size=30),
    st.lists(st.sampled_from(HOSTILE[:16]), min_size=2, max_size=3),  # a repeated key
)
