"""The bureaus' enrolment overview (/admissions/overview/): one row per school with its
totals (the city has ~55 schools and ~1,000 plan lines), a school's own lines on a
click, the district filter for the city, and the figures as an Excel file — each in the
viewer's scope only."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.admissions import staff_world as sw

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def w(world):
    w = sw.build(world, quota=2)
    a = sw.apply(w, w.line_mid, name="区一")
    sw.apply(w, w.line_adv, name="区二")
    sw.apply(w, w.line_b, name="区三")
    from jigong.admissions import services

    services.choice_admit(actor=w.user_a, choice=sw.choice_at(a, w.school_a))
    return w


def cells(row_html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    ]


def rows(html: str, testid: str) -> list[list[str]]:
    return [cells(r.split("</tr>")[0]) for r in html.split(f'data-testid="{testid}"')[1:]]


def test_the_city_sees_one_row_per_school_and_opens_a_school_s_lines(client, w):
    client.force_login(w.municipal)
    html = client.get("/admissions/overview/").content.decode()
    schools = {r[0]: r for r in rows(html, "overview-school")}
    assert set(schools) == {w.school_a.name, w.school_b.name}
    # school_a: two lines of 2 places; 2 applications, 1 admitted
    assert schools[w.school_a.name][2:7] == ["4", "2", "1", "0", "0"]
    assert schools[w.school_b.name][2:7] == ["2", "1", "0", "0", "0"]
    assert f"?year={w.year}&amp;school={w.school_a.pk}" in html
    html = client.get(
        f"/admissions/overview/?year={w.year}&school={w.school_a.pk}"
    ).content.decode()
    lines = rows(html, "overview-row")
    assert len(lines) == 2 and all(r[0] == w.school_a.name for r in lines)
    mid = next(r for r in lines if "中级工班" in r)
    assert mid[3:8] == ["2", "1", "1", "0", "0"]


def test_the_city_filters_by_district_and_a_district_sees_its_own_schools_only(client, w):
    client.force_login(w.municipal)
    code = w.school_b.district.code
    html = client.get(f"/admissions/overview/?district={code}").content.decode()
    assert [r[0] for r in rows(html, "overview-school")] == [w.school_b.name]
    client.force_login(w.district_a)
    html = client.get("/admissions/overview/").content.decode()
    assert [r[0] for r in rows(html, "overview-school")] == [w.school_a.name]
    # another district's school is not a choice, whatever its id
    r = client.get(f"/admissions/overview/?school={w.school_b.pk}")
    assert r.status_code == 400 and w.school_b.name not in r.content.decode()


def test_the_figures_download_as_excel_with_numbers_in_scope(client, w):
    client.force_login(w.district_a)
    r = client.get(f"/admissions/overview/?year={w.year}&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(r.content)).active
    head, *body = list(sheet.values)
    assert head[:3] == ("学校代码", "学校", "所在区县") and "计划完成率" in head
    assert {row[1] for row in body} == {w.school_a.name}  # no other district's school
    mid = next(row for row in body if row[5] == "中级工班")
    quota, applications, admitted = (head.index(h) for h in ("计划数", "报名志愿", "已录取"))
    assert (mid[quota], mid[applications], mid[admitted]) == (2, 1, 1)  # numbers, not text
    client.force_login(w.municipal)
    sheet = load_workbook(
        io.BytesIO(client.get("/admissions/overview/?format=xlsx").content)
    ).active
    assert {row[1] for row in list(sheet.values)[1:]} == {w.school_a.name, w.school_b.name}
