"""/dashboard/, /api/v1/indicators and `jigong targets`: scoped, Chinese, never a 500."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jigong.core.navigation import menu_for

pytestmark = pytest.mark.django_db

OTHERS = {
    "user_a": ["重庆乙高级技工学校", "万州丙技工学校"],
    "user_b": ["重庆甲技师学院", "重庆乙高级技工学校"],
}
QUERIES = [
    "",
    "?by=school",
    "?by=district",
    "?by=group",
    "?by=tier",
    "?by=major",
    "?by=school&district=500101",
    "?by=school&district=500103",
    "?by=district&group=northeast",
    "?indicator=employment_rate&by=school",
    "?year=2024&indicator=training_person_times&by=school&tier=school",
]


def _get(client, user, url):
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r


@pytest.mark.parametrize("who", ["municipal", "district_a", "user_a"])
def test_dashboard_shows_targets_and_charts(client, world, who):
    text = _get(client, getattr(world, who), "/dashboard/").content.decode()
    assert 'data-testid="targets-table"' in text
    for words in ("在校生规模", "毕业生就业率", "（二）", "≥98%", "≥120,000人", "一区两群对比"):
        assert words in text
    assert "vendor/echarts/echarts.min.js" in text and 'data-chart="trend"' in text
    assert "https://" not in text  # no CDN


def test_dashboard_menu_entry(world):
    for who in ("municipal", "district_a", "user_a"):
        labels = [i["label"] for g in menu_for(getattr(world, who)) for i in g["items"]]
        assert "目标看板" in labels
    assert menu_for(world.department) == []


@pytest.mark.parametrize("who", ["user_a", "user_b"])
def test_school_user_never_sees_another_school(client, world, who):
    user = getattr(world, who)
    for q in QUERIES:
        text = _get(client, user, "/dashboard/" + q).content.decode()
        assert user.school.name in text or "?by=district" in q or "group=" in q or "district=" in q
        for other in OTHERS[who]:
            assert other not in text, (q, other)


def test_district_user_sees_its_district_only(client, world):
    for q in QUERIES:
        text = _get(client, world.district_a, "/dashboard/" + q).content.decode()
        assert "万州丙技工学校" not in text and "万州区" not in text, q


def test_city_drills_down(client, world):
    text = _get(client, world.municipal, "/dashboard/?by=group").content.decode()
    assert "by=district&amp;group=main_metro" in text
    text = _get(
        client, world.municipal, "/dashboard/?by=district&group=main_metro"
    ).content.decode()
    assert "渝中区" in text and "万州区" not in text and "by=school&amp;district=500103" in text
    text = _get(client, world.municipal, "/dashboard/?by=school&district=500103").content.decode()
    assert "重庆甲技师学院" in text and "万州丙技工学校" not in text.split('id="compare"')[0]


def test_dashboard_no_data_and_bad_input(client, world):
    text = _get(client, world.municipal, "/dashboard/?year=2031").content.decode()
    assert 'data-testid="actual-employment_rate">无数据<' in text
    # after 十四五 (2021–2025) no verdict against its targets, only the period's
    assert 'data-testid="status-employment_rate">“十四五”目标期已结束，期末判定：无数据<' in text
    text = _get(
        client, world.municipal, "/dashboard/?year=abc&indicator=zzz&by=major"
    ).content.decode()
    assert "年度“abc”不是有效年份" in text and "指标“zzz”不存在" in text
    text = _get(
        client, world.municipal, "/dashboard/?indicator=alliances&by=major"
    ).content.decode()
    assert "不按专业统计" in text


def test_dashboard_refuses_non_staff(client, world):
    client.force_login(world.department)
    assert client.get("/dashboard/").status_code == 403
    client.logout()
    assert client.get("/dashboard/").status_code == 302


# --- API ---------------------------------------------------------------------------


def _api(client, user, url, status=200):
    client.force_login(user)
    r = client.get("/api/v1/indicators" + url)
    assert r.status_code == status, (url, r.status_code, r.content[:300])
    return r.json()


def test_api_catalogue_and_targets(client, world):
    items = _api(client, world.municipal, "")
    codes = {i["code"] for i in items}
    assert {"employment_rate", "students_in_school", "campus_network_coverage"} <= codes
    rate = next(i for i in items if i["code"] == "employment_rate")
    assert rate["kind"] == "ratio" and rate["clause"] == "（二）" and rate["denominator"]
    rows = _api(client, world.municipal, "/targets?year=2025")
    assert rows[0]["indicator"]["code"] == "students_in_school"
    # 保持在12万人以上 is a floor every year: 2025, the period's last year, gives the verdict
    assert rows[0]["target"] == 120000 and rows[0]["status"] == "not_met"
    assert rows[0]["kind"] == "“十四五”期间每年保持"
    assert [r["key"] for r in rows[0]["trend"]] == [2021, 2022, 2023, 2024, 2025]


@pytest.mark.parametrize("who", ["user_a", "user_b"])
def test_api_is_scoped(client, world, who):
    user = getattr(world, who)
    for by in ("school", "district", "group", "tier"):
        body = _api(client, user, f"/students_in_school?year=2025&by={by}")
        text = json.dumps(body, ensure_ascii=False)
        for other in OTHERS[who]:
            assert other not in text
    body = _api(client, user, "/students_in_school?year=2025&by=school")
    assert [r["label"] for r in body["rows"]] == [user.school.name]
    assert body["rows"][0]["value"] == 1
    body = _api(client, user, "/students_in_school?year=2025&by=school&district=500101")
    assert all(r["label"] == user.school.name for r in body["rows"])


def test_api_no_data_and_errors(client, world):
    body = _api(client, world.municipal, "/employment_rate?year=2031")
    assert body["rows"][0]["value"] is None and body["rows"][0]["text"] == "无数据"
    err = _api(client, world.municipal, "/employment_rate?year=abc", status=400)
    assert "年度“abc”不是有效年份" in err["detail"] and err["field"] == "year"
    err = _api(client, world.municipal, "/nope", status=400)
    assert "指标“nope”不存在" in err["detail"]
    err = _api(client, world.municipal, "/alliances?by=major", status=400)
    assert "不按专业统计" in err["detail"]
    _api(client, world.department, "", status=403)


# --- CLI ---------------------------------------------------------------------------


def test_targets_command(world):
    out = io.StringIO()
    call_command("targets", "--year", "2025", stdout=out)
    text = out.getvalue()
    for words in (
        "全市 · 2025年政策目标完成情况",
        "在校生规模",
        "（二）",
        "≥120,000人",
        "目标类型",
        "未达成",
        "无数据",
    ):
        assert words in text
    out = io.StringIO()
    call_command("targets", "--year", "2025", "--as", "school_b", stdout=out)
    assert "万州丙技工学校" in out.getvalue()
    with pytest.raises(CommandError, match="年度“x”不是有效年份"):
        call_command("targets", "--year", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="用户“ghost”不存在"):
        call_command("targets", "--as", "ghost", stdout=io.StringIO())
