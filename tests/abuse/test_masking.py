"""Issue 13, case 5: masked stays masked.

The bureaus see ID numbers masked (5003**********2258, ``viewsets.detail_masks``); the
staff search box matched a whole ID number by its keyed hash without limit, so a district
account tried the candidates one by one and recovered the whole number and the birth
date. Now a role that sees masked ID numbers has a small daily budget of whole-number
searches (``JIGONG_ID_SEARCH_PER_DAY``, counted in the shared cache), each one audited
with the number masked; over the budget the search finds nothing by ID number and says
why. The school, which sees its own students' numbers whole, searches without limit.
Part of a number (prefix, suffix, middle) matches nothing for anyone, and the audit log
holds no whole number a text search could probe."""

import pytest
from django.test import override_settings

from jigong.core import pii
from jigong.core.models import AuditLog
from tests.masking.conftest import people  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BUDGET = 5
LISTS = {
    "student": ["/students/", "/registrations/"],
    "teacher": ["/teachers/"],
    "trainee": ["/training-records/"],
}


def _candidates(number: str, n: int) -> list[str]:
    """``n`` wrong numbers of the same masked form (as an attacker enumerates them)."""
    out, day = [], 1
    while len(out) < n:
        guess = number[:10] + f"{day:02d}" + number[12:]
        if guess != number:
            out.append(guess)
        day += 1
    return out


def _found(client, url: str, q: str, number: str) -> bool:
    page = client.get(url, {"q": q}).content.decode()
    return pii.mask_id(number) in page


def _search_rows(user) -> list[AuditLog]:
    return list(AuditLog.objects.filter(actor=user, message__contains="身份证号搜索"))


@override_settings(JIGONG_ID_SEARCH_PER_DAY=BUDGET)
@pytest.mark.parametrize("role", ["district_a", "municipal"])
def test_a_bureau_cannot_confirm_a_masked_id_by_search(client, world, people, role):  # noqa: F811
    user = getattr(world, role)
    client.force_login(user)
    number = people.ids["student"]
    # within the budget the search works, and each one is audited, masked
    assert _found(client, "/students/", number, number)
    rows = _search_rows(user)
    assert len(rows) == 1 and pii.mask_id(number) in rows[0].message
    # the attacker's enumeration: the budget runs out long before the candidates do
    for guess in _candidates(number, BUDGET - 1):
        assert not _found(client, "/students/", guess, number)
    page = client.get("/students/", {"q": number}).content.decode()
    assert pii.mask_id(number) not in page.split('data-testid="search-notice"')[0]
    assert 'data-testid="search-notice"' in page and "上限" in page
    for url in ("/registrations/", "/graduation-certificates/"):
        assert not _found(client, url, number, number)
    # the export link carries the search: it spends the same budget
    r = client.get("/imports/students/export.csv", {"q": number})
    assert r.status_code == 200
    assert pii.mask_id(number) not in b"".join(r.streaming_content).decode("utf-8-sig")
    # audited: every search within the budget and the first refusal; no whole number
    rows = _search_rows(user)
    assert len(rows) == BUDGET + 1
    for row in AuditLog.objects.all():
        assert number not in f"{row.message} {row.object_repr} {row.before} {row.after}"


@override_settings(JIGONG_ID_SEARCH_PER_DAY=BUDGET)
def test_the_budget_is_per_user_and_per_day(client, world, people):  # noqa: F811
    import datetime
    from unittest import mock

    number = people.ids["student"]
    client.force_login(world.district_a)
    for guess in _candidates(number, BUDGET):
        client.get("/students/", {"q": guess})
    assert not _found(client, "/students/", number, number)
    client.force_login(world.municipal)  # another account: its own budget
    assert _found(client, "/students/", number, number)
    client.force_login(world.district_a)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        assert _found(client, "/students/", number, number)


@override_settings(JIGONG_ID_SEARCH_PER_DAY=BUDGET)
def test_the_school_searches_its_own_students_without_limit(client, world, people):  # noqa: F811
    client.force_login(world.user_a)
    number = people.ids["student"]
    for guess in _candidates(number, BUDGET + 2):
        client.get("/students/", {"q": guess})
    assert _found(client, "/students/", number, number)
    assert not _search_rows(world.user_a)


@pytest.mark.parametrize("role", ["user_a", "district_a", "municipal"])
@pytest.mark.parametrize("who", list(LISTS))
def test_part_of_a_number_matches_nothing(client, world, people, role, who):  # noqa: F811
    client.force_login(getattr(world, role))
    number = people.ids[who]
    parts = [number[:6], number[:10], number[:14], number[-4:], number[-8:], number[6:14]]
    parts += [number[:17], number[1:]]
    for url in LISTS[who]:
        for part in parts:
            page = client.get(url, {"q": part}).content.decode()
            assert pii.mask_id(number) not in page, (url, part)


def test_the_audit_log_holds_no_whole_number_to_probe(client, world, people):  # noqa: F811
    """A reason typed with an ID number in it (a correction, a revocation) is stored
    masked; the city's text search on the audit log cannot test a fragment of it."""
    from jigong.core import services as core

    number = people.ids["student"]
    person = people.person
    core.audit(world.user_a, AuditLog.Action.UPDATE, person, message=f"核对身份证号{number}")
    row = AuditLog.objects.latest("pk")
    assert number not in row.message and pii.mask_id(number) in row.message
    client.force_login(world.municipal)
    for part in (number[:10], number[6:14], number[10:]):
        page = client.get("/audit-log/", {"q": part}).content.decode()
        assert f"/audit-log/{row.pk}/" not in page, part
    page = client.get(f"/audit-log/{row.pk}/").content.decode()
    assert number not in page and pii.mask_id(number) in page


def test_the_audit_log_shows_the_city_no_whole_birth_date(client, world, people):  # noqa: F811
    """Before/after values of a person, through a service, as the city reads them."""
    from jigong.students import services

    person = people.person
    born = person.birth_date
    services.person_correct(
        actor=world.user_a, person=person, home_province="51", reason="户籍迁移"
    )
    client.force_login(world.municipal)
    rows = AuditLog.objects.filter(object_type="students.person")
    assert rows.exists()
    for row in rows:
        page = client.get(f"/audit-log/{row.pk}/").content.decode()
        assert born.isoformat() not in page and people.ids["student"] not in page
