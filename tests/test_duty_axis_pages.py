"""The duty axis of the permission matrix for what a clerk *sees* (issue 15): every row
of a section (jigong.core.sections) that the role's account reaches is opened by a clerk
of that role without the section's duty — refused, unless it is a register of a shared
section — and by one holding only that duty — answered as the role's account is."""

import pytest
from django.test import Client

from tests.test_permission_matrix import (  # noqa: F401 (fixture)
    _outcome,
    _query,
    _request,
    _url,
    load_matrix,
    matrix_world,
    routes,
)

pytestmark = pytest.mark.django_db


def _clerk(role, base, duties):
    from tests import factories as f

    if role == "school":
        u = f.user("school", school=base.school)
    elif role == "district":
        u = f.user("district", district_=base.district)
    else:
        u = f.user(role)
    u.duties = duties
    u.save(update_fields=["duties"])
    c = Client()
    c.force_login(u)
    return c


def test_duty_axis_of_the_pages(matrix_world):  # noqa: F811 (the imported fixture)
    from jigong.core.models import ROLE_DUTIES
    from jigong.core.sections import SECTIONS

    matrix = load_matrix()
    _url.objects = matrix_world.objects
    _request.header_failures = []
    all_routes = routes()
    failures, tried = [], 0
    for section in SECTIONS:
        for name in (*section.read, *section.act):
            row = matrix["rows"][name]
            if "GET" not in row.methods:
                continue
            shared_read = section.shared and name in section.read
            for role, duties in ROLE_DUTIES.items():
                cell = row.methods["GET"].get(str(role))
                if section.duty not in duties or cell not in ("ok", "own"):
                    continue
                url = _url(all_routes[name], row.args, row.objects, 0) + _query(row.query, 0)
                others = [d for d in duties if d != section.duty]
                for held, expected in (
                    (others, "ok" if shared_read else "no"),
                    ([section.duty], "ok"),
                ):
                    tried += 1
                    c = _clerk(role, matrix_world.users[str(role)], held)
                    got = _outcome(_request(c, "GET", url))
                    if got != expected:
                        failures.append(f"GET {url} ({name}, {role}) held {held}: {got}")
    assert tried >= 20
    assert not failures, "\n".join(failures)
