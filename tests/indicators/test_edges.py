"""Hand-made edge cases: no data, zero denominators, empty districts, future years,
bad input, and the cache following writes."""

import datetime

import pytest

from jigong.certificates.services import graduate
from jigong.employment.services import outcome_record
from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduate_a(world):
    """A 2024 graduate of school_a, employed; school_b has no graduate at all."""
    reg = f.registration(
        world.school_a,
        name="陈静",
        id_number=f.id_number(sex="F"),
        enrolled_on=datetime.date(2021, 9, 1),
    )
    graduate(actor=world.user_a, registration=reg, issued_on=datetime.date(2024, 6, 30))
    reg.refresh_from_db()
    outcome_record(
        actor=world.user_a,
        registration=reg,
        status="employed",
        recorded_on=datetime.date(2024, 8, 31),
        employer_name="重庆某机械有限公司",
    )
    return reg


def test_school_without_graduates_has_no_rate(world, graduate_a):
    rows = {
        r.key: r for r in S.compute("employment_rate", user=world.municipal, year=2024, by="school")
    }
    assert rows[world.school_a.code].value == 1.0
    assert rows[world.school_a.code].numerator == 1 and rows[world.school_a.code].denominator == 1
    b = rows[world.school_b.code]
    assert b.value is None and b.denominator == 0  # undefined, not 0%
    assert S.compute("employment_rate", user=world.user_b, year=2024)[0].value is None


def test_year_with_no_data_is_none(world, graduate_a):
    for code in CATALOGUE:
        if code == "campus_network_coverage":
            continue  # the school's current registered value; founding dates unknown here
        for by in (None, "group", "district", "tier", "school"):
            for r in S.compute(code, user=world.municipal, year=2012, by=by):
                assert r.value is None, (code, by, r)


def test_future_year_is_none(world, graduate_a):
    future = S.today().year + 3
    for code in CATALOGUE:
        assert S.compute(code, user=world.municipal, year=future)[0].value is None, code
    trend = S.compute("students_in_school", user=world.municipal, year=future, by="year")
    assert trend[-1].key == future and trend[-1].value is None
    assert any(r.value for r in trend)  # the years with data still show


def test_district_without_schools(world, graduate_a):
    rows = {
        r.key: r
        for r in S.compute("students_in_school", user=world.municipal, year=2024, by="district")
    }
    assert rows["500104"].value is None  # 大渡口区: no school in this world
    assert rows["500103"].value == 2  # 渝中区: reg_a and reg_a2 (the graduate left in 2024)
    empty = f.user("district", district_=f.district("500104"), username="dadukou")
    for code in CATALOGUE:
        assert S.compute(code, user=empty, year=2024)[0].value is None, code
    assert [r.value for r in S.compute("employment_rate", user=empty, year=2024, by="school")] == []


def test_counts_and_scope(world, graduate_a):
    city = S.compute("graduates", user=world.municipal, year=2024)[0]
    assert city.value == 1
    assert S.compute("graduates", user=world.user_b, year=2024)[0].value is None
    tiers = {
        r.key: r.value for r in S.compute("graduates", user=world.municipal, year=2024, by="tier")
    }
    assert tiers == {"technician_college": 1, "senior_school": 0, "school": 0}
    groups = {
        r.key: r.value for r in S.compute("graduates", user=world.municipal, year=2024, by="group")
    }
    assert groups["main_metro"] == 1 and groups["northeast"] == 0 and groups["southeast"] is None
    assert [r.key for r in S.compute("graduates", user=world.user_a, year=2024, by="school")] == [
        world.school_a.code
    ]
    assert [
        r.key for r in S.compute("graduates", user=world.district_a, year=2024, by="district")
    ] == ["500103"]


def test_cache_follows_writes(world, graduate_a):
    assert S.compute("new_enrolment", user=world.municipal, year=2024)[0].value == 3
    f.registration(world.school_b, name="周杰", id_number=f.id_number(area="500101"))
    assert S.compute("new_enrolment", user=world.municipal, year=2024)[0].value == 4


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"code": "nope", "year": 2024}, "indicator", "指标“nope”不存在"),
        ({"code": "graduates", "year": "二〇二四"}, "year", "年度“二〇二四”不是有效年份"),
        ({"code": "graduates", "year": 12}, "year", "超出范围"),
        ({"code": "graduates", "year": 2024, "by": "city"}, "by", "分组方式“city”无效"),
        ({"code": "training_person_times", "year": 2024, "by": "major"}, "by", "不按专业统计"),
    ],
)
def test_bad_input_is_a_chinese_error(world, kwargs, field, words):
    code = kwargs.pop("code")
    with pytest.raises(S.IndicatorError) as exc:
        S.compute(code, user=world.municipal, **kwargs)
    assert exc.value.field == field and words in exc.value.message


def test_target_status(world, graduate_a):
    rows = {t.indicator.code: t for t in S.targets_table(user=world.municipal, year=2024)}
    assert (
        rows["employment_rate"].status == "met" and rows["employment_rate"].status_label == "达成"
    )
    assert rows["students_in_school"].status == "not_met"  # a floor in every year (保持)
    assert (
        rows["quality_schools"].actual is None and rows["quality_schools"].status_label == "无数据"
    )
    done = {t.indicator.code: t for t in S.targets_table(user=world.municipal, year=2026)}
    # the period ended in 2025: its end-of-period verdict, not the 2026 figure
    assert done["students_in_school"].status == "not_met"
    assert "目标期已结束" in done["students_in_school"].status_label
    assert done["training_person_times_cumulative"].status_label.endswith("期末判定：无数据")
