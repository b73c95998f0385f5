"""Every indicator, every breakdown, against hand-written SQL on the small demo world."""

import math

import pytest
from django.db import connection

from jigong.core.models import User
from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE
from tests.indicators import reference_sql

# the small demo is built once for the module (tests/indicators/conftest.py): one process
pytestmark = pytest.mark.xdist_group("indicators_test_reference")

YEARS = (2021, 2023, 2025)


def _project(code, by, year, user) -> dict:
    ind = CATALOGUE[code]
    out = {}
    for r in S.compute(code, user=user, year=year, by=by):
        if ind.is_ratio:
            if r.denominator:
                out[r.key] = (r.numerator, r.denominator)
        elif r.numerator:
            out[r.key] = (r.numerator, None)
    return out


def _reference(code, by, year, user) -> dict:
    ind = CATALOGUE[code]
    with connection.cursor() as cursor:
        raw = reference_sql.run(cursor, code, by, year, user)
    out = {}
    for k, (n, d) in raw.items():
        if ind.is_ratio and d:
            out[k] = (n, d)
        elif not ind.is_ratio and n:
            out[k] = (n, None)
    return out


def _same(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        (n1, d1), (n2, d2) = a[k], b[k]
        if d1 != d2 or not math.isclose(float(n1), float(n2), rel_tol=0, abs_tol=1e-9):
            return False
        if isinstance(n1, int) and n1 != n2:
            return False
    return True


def test_reference_covers_the_catalogue():
    assert set(reference_sql.REFERENCE) == set(CATALOGUE)


@pytest.mark.parametrize("who", ["city", "district", "school"])
def test_every_indicator_and_breakdown_matches_sql(small_demo, who):
    user = {
        "city": lambda: User.objects.get(username="city"),
        "district": lambda: User.objects.filter(role="district").order_by("username").first(),
        "school": lambda: User.objects.filter(role="school").order_by("username").first(),
    }[who]()
    mismatches, checked = [], 0
    for code, ind in CATALOGUE.items():
        for by in (None, "group", "district", "tier", "school", "major"):
            if by == "major" and not ind.by_major:
                continue
            for year in YEARS:
                mine = _project(code, by, year, user)
                ref = _reference(code, by, year, user)
                checked += 1
                if not _same(mine, ref):
                    mismatches.append((code, by, year, mine, ref))
    assert not mismatches, mismatches[:3]
    assert checked > 400


def test_by_year_matches_sql_per_year(small_demo):
    user = User.objects.get(username="city")
    for code in CATALOGUE:
        rows = S.compute(code, user=user, year=2025, by="year")
        assert [r.key for r in rows] == [2021, 2022, 2023, 2024, 2025]
        for r in rows:
            ref = _reference(code, None, r.key, user)
            mine = _project(code, None, r.key, user)
            assert mine == ref or _same(mine, ref), (code, r.key)
            total = S.compute(code, user=user, year=r.key)[0]
            assert (r.value, r.numerator, r.denominator) == (
                total.value,
                total.numerator,
                total.denominator,
            )


def test_small_demo_figures_are_meaningful(small_demo):
    """The demo world has data for the headline figures (guards an empty comparison)."""
    user = User.objects.get(username="city")
    for code in ("students_in_school", "employment_rate", "training_person_times_cumulative"):
        assert S.compute(code, user=user, year=2025)[0].value
