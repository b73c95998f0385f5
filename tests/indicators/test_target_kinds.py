"""Issue 14, misreadings 2 and 3: a “保持” target is a floor in every year of 十四五,
a 累计 target runs to the period's end, a 末 target is judged on its last year; after
the period a year's figures are not judged against it. The dashboard's table, `jigong
targets` and the annual report say which kind each target is and the verdict."""

import datetime
import io

import pytest
from django.core.management import call_command

from jigong.certificates.services import graduate
from jigong.employment.services import outcome_record
from jigong.indicators import selectors as S
from jigong.quality import report as R
from tests import factories as f

pytestmark = pytest.mark.django_db


def _graduate(world, name, year, status, **extra):
    reg = f.registration(
        world.school_a,
        name=name,
        id_number=f.id_number(sex="F"),
        enrolled_on=datetime.date(year - 3, 9, 1),
    )
    graduate(actor=world.user_a, registration=reg, issued_on=datetime.date(year, 6, 30))
    reg.refresh_from_db()
    outcome_record(
        actor=world.user_a,
        registration=reg,
        status=status,
        recorded_on=datetime.date(year, 8, 31),
        **extra,
    )


@pytest.fixture
def employment(world):
    """2023: one graduate, employed (100%); 2024: one employed, one not (50%)."""
    _graduate(world, "陈静", 2023, "employed", employer_name="重庆某机械有限公司")
    _graduate(world, "王芳", 2024, "employed", employer_name="重庆某机械有限公司")
    _graduate(world, "赵丽", 2024, "unemployed")


def _rows(world, year):
    return {t.indicator.code: t for t in S.targets_table(user=world.municipal, year=year)}


def test_a_maintained_floor_is_missed_in_the_year_it_is_missed(world, employment):
    assert _rows(world, 2023)["employment_rate"].status == "met"
    row = _rows(world, 2024)["employment_rate"]
    assert row.actual == 0.5
    assert row.status == "not_met"  # not “进行中”: 保持在98%以上 holds every year
    assert row.status_label.startswith("未达成") and "2024年未达到" in row.status_label
    assert row.kind_label == "“十四五”期间每年保持"


def test_the_last_year_gives_the_period_verdict(world, employment):
    rows = _rows(world, 2025)
    emp = rows["employment_rate"]
    assert emp.actual is None  # no graduate in 2025
    assert emp.status == "not_met" and "2024年未达到" in emp.status_label
    assert rows["major_industry_match"].kind_label == "“十四五”末（2025年）判定"
    training = rows["training_person_times_cumulative"]
    assert training.kind_label == "“十四五”期间累计（2025年末判定）"


def test_after_the_period_the_year_is_not_judged(world, employment):
    rows = _rows(world, 2026)
    emp = rows["employment_rate"]
    assert emp.status_label.startswith("“十四五”目标期已结束，期末判定：未达成")
    assert "2024年未达到" in emp.status_label
    assert emp.verdict.final and max(emp.verdict.judged) <= 2025
    students = rows["students_in_school"]
    assert "目标期已结束" in students.status_label
    assert all(y <= 2025 for y in students.verdict.judged)
    # a plan without an end (双优) is still judged on the year's figures
    assert "目标期已结束" not in rows["quality_schools"].status_label


def test_cli_says_the_kind_and_the_verdict(world, employment):
    out = io.StringIO()
    call_command("targets", "--year", "2024", stdout=out)
    text = out.getvalue()
    assert "目标类型" in text and "每年保持" in text and "末（2025年）判定" in text
    line = next(ln for ln in text.splitlines() if "毕业生就业率" in ln)
    assert "未达成" in line and "进行中" not in line


def test_annual_report_of_2025_shows_each_kind_and_verdict(world, employment):
    targets = {t["code"]: t for t in R.context(user=world.municipal, year=2025)["targets"]}
    emp = targets["employment_rate"]
    assert emp["kind"] == "“十四五”期间每年保持"
    assert emp["status"].startswith("未达成") and "2024年未达到" in emp["status"]
    assert targets["major_industry_match"]["kind"] == "“十四五”末（2025年）判定"
    assert targets["training_person_times_cumulative"]["kind"].startswith("“十四五”期间累计")


def test_api_says_the_kind(client, world, employment):
    client.force_login(world.municipal)
    rows = {
        r["indicator"]["code"]: r for r in client.get("/api/v1/indicators/targets?year=2024").json()
    }
    assert rows["employment_rate"]["kind"] == "“十四五”期间每年保持"
    assert rows["employment_rate"]["status"] == "not_met"


def test_dashboard_says_the_kind_and_the_verdict(client, world, employment):
    client.force_login(world.municipal)
    text = client.get("/dashboard/?year=2024").content.decode()
    assert 'data-testid="kind-employment_rate">“十四五”期间每年保持<' in text
    assert 'data-testid="kind-major_industry_match">“十四五”末（2025年）判定<' in text
    assert "未达成（2024年未达到）" in text
