"""A district's (or a school's) dashboard: its own figures and its share of each city
target, never a city target read as its own (issue 19, point 7)."""

import re
from decimal import Decimal
from html import unescape

import pytest

from jigong.indicators.catalogue import CATALOGUE, year_end
from jigong.policy import rules
from jigong.schools.models import SchoolDesignation
from tests import factories as f

pytestmark = pytest.mark.django_db

VERDICTS = ("达成", "未达成", "进行中")
YEAR = 2025  # in the targets' period: the city's figures get a verdict


def _row(page: str, code: str) -> str:
    return re.search(rf'data-testid="target-{code}">(.*?)</tr>', page, re.S).group(1)


def _cell(row: str, testid: str) -> str:
    return unescape(re.search(rf'data-testid="{testid}[^"]*">(.*?)<', row, re.S).group(1)).strip()


def _verdict(label: str) -> bool:
    return label.startswith(VERDICTS)


def _page(client, user, year=YEAR) -> str:
    client.force_login(user)
    r = client.get(f"/dashboard/?year={year}")
    assert r.status_code == 200
    return r.content.decode()


def _city_target(code: str, year: int):
    return rules.target_citation(CATALOGUE[code].target, year_end(year)).value


def test_district_sees_its_own_figures_and_its_share_of_the_city_target(client, world):
    f.registration(world.school_b, name="钱多", id_number=f.id_number(sex="M"))
    year = YEAR
    SchoolDesignation.objects.create(school=world.school_b, kind="quality_school", year=year)
    page = _page(client, world.district_b)

    row = _row(page, "students_in_school")
    assert _cell(row, "actual-") == "2"  # 万州区's own students, not the city's 4
    target = _city_target("students_in_school", year)
    assert "全市目标" in row and f"≥{target:,}人" in row
    assert _cell(row, "share-") == "占全市目标 <0.01%"  # 2 of 120,000
    assert not _verdict(_cell(row, "status-"))  # the city's target is no verdict on it

    row = _row(page, "quality_schools")
    assert _cell(row, "actual-") == "1"
    target = _city_target("quality_schools", year)
    share = (Decimal(1) / Decimal(str(target)) * 100).quantize(Decimal("0.01"))
    assert _cell(row, "share-") == f"占全市目标 {share}%"
    assert not _verdict(_cell(row, "status-"))


def test_no_city_target_is_a_verdict_on_a_district_or_a_school(client, world):
    for user in (world.district_a, world.district_b, world.user_a):
        page = _page(client, user)
        for code in ("students_in_school", "quality_schools", "employment_rate"):
            row = _row(page, code)
            assert not _verdict(_cell(row, "status-")), (user.username, code)
            assert "全市目标" in row


def test_a_ratio_target_is_a_reference_not_a_share(client, world):
    """A district's employment rate is its own rate: compared with the city's ≥98% for
    reference, never a share of it."""
    page = _page(client, world.district_b)
    row = _row(page, "employment_rate")
    assert "全市目标" in row and "占全市目标" not in row


def test_the_city_keeps_its_verdicts(client, world):
    page = _page(client, world.municipal)
    row = _row(page, "students_in_school")
    assert _verdict(_cell(row, "status-"))
    assert "全市目标" not in row and "占全市目标" not in row


def test_api_says_whose_target_and_the_share(client, world):
    client.force_login(world.district_b)
    rows = client.get(f"/api/v1/indicators/targets?year={YEAR}").json()
    students = next(r for r in rows if r["indicator"]["code"] == "students_in_school")
    assert students["actual"] == 1 and students["figures_scope"] == "district"
    assert students["status"] is None and not _verdict(students["status_label"])
    assert students["share"] == pytest.approx(1 / students["target"])
    client.force_login(world.municipal)
    rows = client.get(f"/api/v1/indicators/targets?year={YEAR}").json()
    assert rows[0]["status"] in ("met", "not_met", "in_progress") and rows[0]["share"] is None
    assert rows[0]["figures_scope"] == "city"
