"""Pages of issue 6 part B: lists, details, forms, the compliance page, the 双优 round,
the revenue table and the supplement export — and scope on every one of them."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from jigong.core.navigation import menu_for
from jigong.staff import services as staff
from jigong.workflows import records, services
from jigong.workflows.models import CurriculumRecord, PaySupplementCalc, TeacherHiring
from tests import factories as f
from tests.workflows.helpers_b import founding_world, make_adjustment, make_founding, make_round

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def rows(world):
    """One record of every kind at school_a (渝中区), shown by the pages below."""
    teacher = staff.teacher_create(
        actor=None,
        school=world.school_a,
        name="孙一体化",
        id_number=f.id_number(birth=datetime.date(1984, 2, 2)),
        kind="part_time",
        hired_on=datetime.date(2021, 1, 1),
    )
    out = {
        "other_revenue": records.other_revenue_create(
            actor=world.user_a,
            school=world.school_a,
            year=2024,
            amount=Decimal("5000"),
            description="甲校培训包",
        ),
        "supplement": records.supplement_calculate(
            actor=world.user_a,
            school=world.school_a,
            year=2024,
            rate=Decimal("0.1"),
            excellent=False,
        ),
        "hiring": records.hiring_create(
            actor=world.user_a,
            school=world.school_a,
            post="甲校实习指导教师",
            skill_post=True,
            practical_weight="0.6",
            positions=1,
            announced_on=datetime.date(2025, 3, 1),
        ),
        "integrated_training": records.training_create(
            actor=world.user_a,
            teacher=teacher,
            title="甲校一体化课程开发",
            organiser="市人社局",
            level="municipal",
            hours=40,
            started_on=datetime.date(2025, 5, 1),
            ended_on=datetime.date(2025, 5, 5),
        ),
        "competition": records.competition_create(
            actor=world.user_a,
            teacher=teacher,
            name="甲校教师职业能力大赛",
            level="municipal",
            year=2025,
        ),
        "curriculum": records.curriculum_set(
            actor=world.user_a,
            school=world.school_a,
            year=2024,
            labour_spirit_hours=16,
            note="甲校课程",
        ),
        "aid": records.aid_programme_create(
            actor=world.user_a,
            school=world.school_a,
            year=2025,
            name="甲校助学金",
            kind="grant",
            funder="财政",
            amount_per_person=Decimal("2000"),
        ),
        "major_adjustment": make_adjustment(world),
    }
    records.aid_recipient_add(actor=world.user_a, programme=out["aid"], registration=world.reg_a)
    return out


PREFIX = {
    "other_revenue": "/training-revenue/other/",
    "supplement": "/pay-supplements/",
    "hiring": "/teacher-hirings/",
    "integrated_training": "/integrated-trainings/",
    "competition": "/teacher-competitions/",
    "curriculum": "/curriculum-records/",
    "aid": "/aid-programmes/",
    "major_adjustment": "/major-adjustments/",
}
MARK = {
    "other_revenue": "甲校培训包",
    "supplement": "重庆甲技师学院",
    "hiring": "甲校实习指导教师",
    "integrated_training": "甲校一体化课程开发",
    "competition": "甲校教师职业能力大赛",
    "curriculum": "重庆甲技师学院",
    "aid": "甲校助学金",
    "major_adjustment": "重庆甲技师学院",
}


@pytest.mark.parametrize("kind", list(PREFIX))
@pytest.mark.parametrize("who", ["municipal", "district_a", "user_a"])
def test_list_and_detail_in_scope(client, world, rows, kind, who):
    login(client, getattr(world, who))
    r = client.get(PREFIX[kind])
    assert r.status_code == 200 and MARK[kind] in r.content.decode()
    r = client.get(f"{PREFIX[kind]}{rows[kind].pk}/")
    assert r.status_code == 200 and MARK[kind] in r.content.decode()


@pytest.mark.parametrize("kind", list(PREFIX))
@pytest.mark.parametrize("who", ["user_b", "district_b"])
def test_other_scope_sees_nothing(client, world, rows, kind, who):
    login(client, getattr(world, who))
    r = client.get(PREFIX[kind])
    assert r.status_code == 200 and MARK[kind] not in r.content.decode()
    assert client.get(f"{PREFIX[kind]}{rows[kind].pk}/").status_code == 404


def test_supplement_steps_shown_and_export_scoped(client, world, rows):
    records.supplement_calculate(
        actor=world.user_b, school=world.school_b, year=2024, rate=Decimal("0.05"), excellent=False
    )
    text = (
        login(client, world.user_a)
        .get(f"/pay-supplements/{rows['supplement'].pk}/")
        .content.decode()
    )
    assert "计算过程" in text and "追加绩效工资总量 = 5,000.00 × 10% = 500.00 元" in text

    def exported(user, query=""):
        r = login(client, user).get(f"/pay-supplements/export.xlsx{query}")
        assert r.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
        return [row for row in sheet.iter_rows(min_row=2, values_only=True)]

    assert {r[1] for r in exported(world.municipal)} == {"重庆甲技师学院", "万州丙技工学校"}
    assert {r[1] for r in exported(world.user_b)} == {"万州丙技工学校"}
    assert {r[1] for r in exported(world.district_a, "?year=2024")} == {"重庆甲技师学院"}
    row = exported(world.user_a)[0]
    assert row[9] == 500 and "5,000.00 × 10%" in row[11]


def test_revenue_page_and_calculation_form(client, world, rows):
    login(client, world.user_b)
    text = client.get("/training-revenue/?year=2024").content.decode()
    assert "万州丙技工学校" in text and "重庆甲技师学院" not in text
    assert "上限可上浮" not in text and "控制增幅" in text  # the +5 points are not on the rate
    assert client.get(f"/pay-supplements/{world.school_a.pk}/2024/calculate/").status_code == 404
    r = client.post(f"/pay-supplements/{world.school_b.pk}/2024/calculate/", {"rate": "30"})
    assert "超出允许范围5%—20%" in r.content.decode()
    assert not PaySupplementCalc.objects.filter(school=world.school_b).exists()
    r = client.post(
        f"/pay-supplements/{world.school_b.pk}/2024/calculate/", {"rate": "25", "excellent": "on"}
    )
    assert "超出允许范围5%—20%" in r.content.decode()  # 优秀 does not raise the cap
    form = {"rate": "20", "excellent": "on", "control_base": "100000", "control_growth": "8"}
    url = f"/pay-supplements/{world.school_b.pk}/2024/calculate/"
    r = client.post(url, {**form, "growth_extra": "6"})
    assert "不超过调控基数的5个百分点" in r.content.decode()
    r = client.post(url, {**form, "growth_extra": "5"})
    assert r.status_code == 302
    calc = PaySupplementCalc.objects.get(school=world.school_b)
    assert calc.rate == Decimal("0.20") and calc.growth_ceiling == Decimal("113000.00")
    detail = client.get(r.url).content.decode()
    assert "113,000.00" in detail and "超额绩效年人均水平上限（元）" in detail
    assert "考核优秀上浮（占调控基数）" in detail and "5.00%" in detail


def test_hiring_form_refuses_a_low_practical_weight(client, world):
    login(client, world.user_a)
    data = {
        "post": "焊工实习指导教师",
        "skill_post": "on",
        "practical_weight": "0.4",
        "positions": "1",
        "announced_on": "2025-03-01",
        "hired": "0",
    }
    r = client.post("/teacher-hirings/new/", data)
    text = r.content.decode()
    assert r.status_code == 200 and "实际操作能力测试比重40%低于50%（依据（二十））" in text
    assert TeacherHiring.objects.count() == 0
    r = client.post("/teacher-hirings/new/", {**data, "practical_weight": "0.5"})
    assert r.status_code == 302 and TeacherHiring.objects.get().school == world.school_a


def test_curriculum_form_records_fewer_than_sixteen_hours(client, world):
    login(client, world.district_a)
    data = {"school": world.school_b.pk, "year": "2024", "labour_spirit_hours": "16"}
    r = client.post("/curriculum-records/new/", data)
    assert "school" in r.context["form"].errors  # 万州 school is not offered to 渝中区
    r = client.post(
        "/curriculum-records/new/",
        {**data, "school": world.school_a.pk, "labour_spirit_hours": "12"},
    )
    assert r.status_code == 302  # （五） is reported against, not a refusal
    assert CurriculumRecord.objects.get().labour_spirit_hours == 12
    r = client.post(
        "/curriculum-records/new/",
        {**data, "school": world.school_a.pk, "labour_spirit_hours": "-1"},
    )
    assert "不能为负数" in r.content.decode()


def test_aid_recipient_by_id_number(client, world, rows):
    p = rows["aid"]
    login(client, world.user_a)
    r = client.post(
        f"/aid-programmes/{p.pk}/recipients/new/", {"id_number": world.reg_b.person.id_number}
    )
    assert "本校没有该学生的学籍" in r.content.decode()
    login(client, world.user_b)
    assert client.get(f"/aid-programmes/{p.pk}/recipients/new/").status_code == 404


def test_compliance_page_and_status_changes(client, world):
    login(client, world.user_b)
    text = client.get("/compliance/").content.decode()
    assert "万州丙技工学校" in text and "重庆甲技师学院" not in text
    assert 'data-testid="status-form"' not in text  # a school cannot suspend itself
    assert (
        client.post(f"/compliance/{world.school_a.pk}/suspend/", {"reason": "x"}).status_code == 404
    )
    login(client, world.district_a)
    text = client.get("/compliance/").content.decode()
    assert "重庆甲技师学院" in text and "万州丙技工学校" not in text
    r = client.post(f"/compliance/{world.school_a.pk}/suspend/", {"reason": "x"}, follow=True)
    assert "由市人社局" in r.content.decode()
    login(client, world.district_b)
    r = client.post(f"/compliance/{world.school_b.pk}/suspend/", {"reason": ""}, follow=True)
    assert "须填写原因" in r.content.decode()
    r = client.post(
        f"/compliance/{world.school_b.pk}/suspend/", {"reason": "违规招生"}, follow=True
    )
    assert "办学状态已变更为“暂停招生”" in r.content.decode()
    world.school_b.refresh_from_db()
    assert world.school_b.status == "suspended"


def test_founding_pages(client, world):
    fw = founding_world(world)
    item = make_founding(fw)
    login(client, fw.user_small)
    text = client.get(f"/founding-applications/{item.pk}/").content.decode()
    assert "区县人社局" in text and 'data-testid="transition-submit_district"' in text
    assert 'data-testid="transition-submit_municipal"' not in text
    assert 'data-testid="criteria"' in text
    for who in ("user_b", "district_b", "user_a"):
        login(client, getattr(world, who))
        assert client.get(f"/founding-applications/{item.pk}/").status_code == 404
        r = client.post(f"/workflows/founding/{item.pk}/submit_district/")
        assert r.status_code == 404
    login(client, world.district_a)
    assert "渝中筹建技工学校" in client.get("/founding-applications/").content.decode()


def test_designation_round_pages(client, world):
    r = make_round(world)
    login(client, world.municipal)
    text = client.get(f"/designation-rounds/{r.pk}/").content.decode()
    assert 'data-testid="candidates"' in text and "临时综合分" in text and "0 / 15" in text
    resp = client.post(
        f"/designation-rounds/{r.pk}/designate/", {"key": world.school_a.pk}, follow=True
    )
    assert "已认定：重庆甲技师学院" in resp.content.decode()
    for who in ("district_a", "user_a"):
        login(client, getattr(world, who))
        assert client.get("/designation-rounds/").status_code == 403
        assert client.get(f"/designation-rounds/{r.pk}/").status_code == 404
        assert (
            client.post(
                f"/designation-rounds/{r.pk}/designate/", {"key": world.school_a2.pk}
            ).status_code
            == 404
        )


def test_major_adjustment_shows_the_match(client, world):
    item = make_adjustment(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    services.transition(actor=world.municipal, item=item, action="approve")
    text = login(client, world.user_a).get(f"/major-adjustments/{item.pk}/").content.decode()
    assert 'data-testid="major-match"' in text and "调整前" in text


def test_part_time_teachers_page(client, world, rows):
    login(client, world.user_a)
    assert "孙**化" in client.get("/part-time-teachers/").content.decode()
    login(client, world.user_b)
    assert "孙**化" not in client.get("/part-time-teachers/").content.decode()


def test_menu_entries_per_role(world):
    def labels(user):
        return {i["label"] for g in menu_for(user) for i in g["items"]}

    city, school = labels(world.municipal), labels(world.user_a)
    for label in (
        "设立申请",
        "双优计划认定",
        "专业设置调整",
        "教师招聘",
        "绩效工资追加测算",
        "学生资助项目",
    ):
        assert label in city
    assert "双优计划认定" not in school and "设立申请" in school


def test_todo_lists_the_new_items(client, world):
    item = make_adjustment(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    text = login(client, world.municipal).get("/").content.decode()
    assert "专业设置调整" in text and "待市局审批" in text
    fw = founding_world(world)
    make_founding(fw)
    text = login(client, fw.user_small).get("/").content.decode()
    assert "设立申请" in text
