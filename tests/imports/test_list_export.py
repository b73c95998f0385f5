"""导出 Excel on register list pages: the page's filters apply, the user's scope always."""

import csv
import io
from urllib.parse import urlsplit

import openpyxl
import pytest

from tests import factories as f


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def export_link(client, list_url: str) -> str:
    r = client.get(list_url)
    assert r.status_code == 200
    url = r.context["export_url"]
    assert url and f'href="{url.replace("&", "&amp;")}"' in r.content.decode()
    return url


def sheet_rows(client, url: str) -> list[dict]:
    r = client.get(url)
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_rows(client, url: str) -> list[dict]:
    r = client.get(url)
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_button_carries_the_filters_but_not_the_page(client, world):
    client.force_login(world.municipal)
    url = export_link(client, "/registrations/?level=intermediate&page=2&q=李")
    parts = urlsplit(url)
    assert parts.path == "/imports/students/export.xlsx"
    assert "level=intermediate" in parts.query and "q=" in parts.query
    assert "page" not in parts.query


def test_no_button_where_no_kind(client, world):
    client.force_login(world.municipal)
    r = client.get("/students/")  # people, not 学籍: nothing to import back
    assert r.status_code == 200 and r.context["export_url"] is None
    assert 'data-testid="list-export"' not in r.content.decode()


def test_school_export_never_holds_another_school(client, world):
    f.registration(world.school_b, name="孙七")
    client.force_login(world.user_a)
    url = export_link(client, "/registrations/")
    assert {r["学校代码"] for r in sheet_rows(client, url)} == {world.school_a.code}
    # Asking for another school's rows by filter, by search or in CSV gives none of them.
    for query in (
        f"?school={world.school_b.pk}",
        f"?school={world.school_a2.pk}",
        "?q=赵强",
        f"?q={world.reg_b.person.id_number}",
    ):
        rows = sheet_rows(client, f"/imports/students/export.xlsx{query}")
        assert all(r["学校代码"] == world.school_a.code for r in rows), query
        rows = csv_rows(client, f"/imports/students/export.csv{query}")
        assert all(r["学校代码"] == world.school_a.code for r in rows), query
        assert world.reg_b.person.id_number not in str(rows)


def test_filters_apply(client, world):
    extra = f.registration(world.school_a2, name="周八")
    client.force_login(world.district_a)
    everything = sheet_rows(client, export_link(client, "/registrations/"))
    assert {r["学校代码"] for r in everything} == {world.school_a.code, world.school_a2.code}
    only_a2 = sheet_rows(
        client, export_link(client, f"/registrations/?school={world.school_a2.pk}")
    )
    assert {r["学校代码"] for r in only_a2} == {world.school_a2.code} and len(only_a2) == 2
    by_name = sheet_rows(client, export_link(client, "/registrations/?q=周八"))
    # a bureau's export masks ID numbers (docs/architecture.md, who sees what)
    number = extra.person.id_number
    assert [r["身份证号"] for r in by_name] == [number[:4] + "*" * 10 + number[-4:]]


@pytest.mark.parametrize(
    ("list_url", "kind"),
    [
        ("/schools/", "schools"),
        ("/registrations/", "students"),
    ],
)
def test_other_registers_offer_their_kind(client, world, list_url, kind):
    client.force_login(world.user_b)
    url = export_link(client, list_url)
    assert urlsplit(url).path == f"/imports/{kind}/export.xlsx"
    rows = sheet_rows(client, url)
    assert rows and all(r["学校代码"] == world.school_b.code for r in rows)
