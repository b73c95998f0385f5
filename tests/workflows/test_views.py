"""Workflow pages: lists, detail with timeline and buttons, forms, to-do on the home
page, scope on every page, and the public qualification list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jigong.core.navigation import menu_for
from jigong.workflows import services
from jigong.workflows.models import BrochureFiling
from tests.workflows.conftest import (
    MAKERS,
    PDF,
    force_state,
    make_brochure,
    make_internship,
    make_plan,
)

PREFIX = {
    "enrolment_plan": "/enrolment-plans/",
    "brochure": "/brochure-filings/",
    "internship": "/internship-filings/",
    "qualification": "/qualification-lists/",
}


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["municipal", "district_a", "user_a"])
@pytest.mark.parametrize("kind", list(PREFIX))
def test_list_and_detail_pages(client, world, who, kind):
    item = MAKERS[kind](world)
    login(client, getattr(world, who))
    r = client.get(PREFIX[kind])
    assert r.status_code == 200
    r = client.get(f"{PREFIX[kind]}{item.pk}/")
    assert r.status_code == 200
    text = r.content.decode()
    assert 'data-testid="timeline"' in text and "创建" in text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["enrolment_plan", "brochure", "internship"])
@pytest.mark.parametrize("who", ["user_b", "district_b"])
def test_other_scope_sees_nothing(client, world, kind, who):
    item = MAKERS[kind](world)
    login(client, getattr(world, who))
    text = client.get(PREFIX[kind]).content.decode()
    assert "重庆甲技师学院" not in text
    assert client.get(f"{PREFIX[kind]}{item.pk}/").status_code == 404
    action = next(iter(item.workflow.by_name))
    r = client.post(f"/workflows/{kind}/{item.pk}/{action}/", {"comment": "x"})
    assert r.status_code == 404
    item.refresh_from_db()
    assert item.state == "draft"
    edit = {
        "brochure": "/brochure-filings/",
        "internship": "/internship-filings/",
        "enrolment_plan": "/enrolment-plans/",
    }[kind]
    assert client.get(f"{edit}{item.pk}/edit/").status_code == 404


@pytest.mark.django_db
def test_district_b_cannot_see_district_a_summary(client, world):
    make_plan(world, year=2024)
    text = login(client, world.district_b).get("/enrolment-plans/summary/?year=2024")
    text = text.content.decode()
    assert "万州丙技工学校" in text and "重庆甲技师学院" not in text and "渝中区" not in text


@pytest.mark.django_db
def test_buttons_only_for_allowed_transitions(client, world):
    item = make_brochure(world)
    text = login(client, world.user_a).get(f"/brochure-filings/{item.pk}/").content.decode()
    assert 'data-testid="transition-submit"' in text
    assert 'data-testid="transition-approve"' not in text
    assert 'data-testid="transition-publish"' not in text
    text = login(client, world.district_a).get(f"/brochure-filings/{item.pk}/").content.decode()
    assert 'data-testid="transitions"' not in text  # a draft: nothing for the district
    force_state(item, "submitted")
    text = client.get(f"/brochure-filings/{item.pk}/").content.decode()
    assert 'data-testid="transition-approve"' in text and 'data-testid="transition-return"' in text


@pytest.mark.django_db
def test_transition_by_page_with_errors_as_messages(client, world):
    item = make_brochure(world)
    login(client, world.user_a)
    r = client.post(f"/workflows/brochure/{item.pk}/publish/", follow=True)
    text = r.content.decode()
    assert "不能执行“标记为已发布”" in text
    r = client.post(f"/workflows/brochure/{item.pk}/submit/", {"comment": "请审核"}, follow=True)
    assert "已执行“提交备案”" in r.content.decode()
    login(client, world.district_a)
    r = client.post(f"/workflows/brochure/{item.pk}/return/", {"comment": ""}, follow=True)
    assert "须填写意见或原因" in r.content.decode()
    exe = SimpleUploadedFile("意见.pdf", b"MZ\x90\x00" + b"\x00" * 50)
    r = client.post(
        f"/workflows/brochure/{item.pk}/return/",
        {"comment": "补充", "documents": exe},
        follow=True,
    )
    assert "文件内容不是扩展名所示的 PDF 文件" in r.content.decode()
    item.refresh_from_db()
    assert item.state == "submitted"
    assert client.post(f"/workflows/brochure/{item.pk}/nonsense/").status_code == 404
    assert client.get(f"/workflows/brochure/{item.pk}/approve/").status_code == 405


@pytest.mark.django_db
def test_create_brochure_by_form(client, world):
    login(client, world.user_a)
    text = client.get("/brochure-filings/").content.decode()
    assert 'data-testid="create-item"' in text
    r = client.post(
        "/brochure-filings/new/",
        {
            "year": 2025,
            "title": "2025年招生简章",
            "total_quota": 0,
            "target_groups": "初中毕业生",
            "contact": "023-1",
        },
    )
    assert r.status_code == 200 and "计划招生人数" in r.content.decode()
    r = client.post(
        "/brochure-filings/new/",
        {
            "year": 2025,
            "title": "2025年招生简章",
            "total_quota": 300,
            "target_groups": "初中毕业生",
            "tracks": "full_time",
            "contact": "023-1",
            "documents": SimpleUploadedFile("简章.pdf", PDF),
        },
    )
    item = BrochureFiling.objects.get()
    assert r.status_code == 302 and r.url == f"/brochure-filings/{item.pk}/"
    assert item.school == world.school_a and item.state == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["district_a", "municipal"])
def test_only_schools_create_filings(client, world, who):
    login(client, getattr(world, who))
    assert 'data-testid="create-item"' not in client.get("/brochure-filings/").content.decode()
    assert client.get("/brochure-filings/new/").status_code == 403


@pytest.mark.django_db
def test_plan_edit_page(client, world):
    plan = make_plan(world, quota=0)
    sm = world.school_a.majors.first()
    login(client, world.user_a)
    r = client.post(f"/enrolment-plans/{plan.pk}/edit/", {f"m{sm.pk}": 45, "p51": 10, "p52": ""})
    assert r.status_code == 302
    text = client.get(f"/enrolment-plans/{plan.pk}/").content.decode()
    assert "45" in text and "四川省" in text


@pytest.mark.django_db
def test_qualification_list_create_only_municipal(client, world):
    assert login(client, world.user_a).get("/qualification-lists/new/").status_code == 403
    login(client, world.municipal)
    r = client.post("/qualification-lists/new/", {"year": 2025})
    assert r.status_code == 302
    r = client.post("/qualification-lists/new/", {"year": 2025})
    assert "招生资质名单已存在" in r.content.decode()


@pytest.mark.django_db
def test_qualification_entries_scoped(client, world):
    ql = services.qualification_list_create(actor=world.municipal, year=2025)
    text = login(client, world.user_a).get(f"/qualification-lists/{ql.pk}/").content.decode()
    assert "重庆甲技师学院" in text and "万州丙技工学校" not in text
    text = login(client, world.municipal).get(f"/qualification-lists/{ql.pk}/").content.decode()
    assert "万州丙技工学校" in text


# --- to-do on the home page ----------------------------------------------------------


@pytest.mark.django_db
def test_todo_follows_whoever_must_act(client, world):
    item = make_brochure(world)
    internship = make_internship(world)

    def todo(user):
        text = login(client, user).get("/").content.decode()
        assert 'data-testid="todo"' in text
        return text

    assert str(item) in todo(world.user_a) and str(internship) in todo(world.user_a)
    assert str(item) not in todo(world.district_a)
    services.transition(actor=world.user_a, item=item, action="submit")
    assert str(item) in todo(world.district_a)
    assert str(item) not in todo(world.district_b)
    assert str(item) not in todo(world.user_a)
    assert str(item) not in todo(world.user_b)
    assert str(item) not in todo(world.municipal)
    plan = make_plan(world)
    services.transition(actor=world.user_a, item=plan, action="submit")
    services.transition(actor=world.district_a, item=plan, action="district_approve")
    assert str(plan) in todo(world.municipal)


@pytest.mark.django_db
def test_overdue_is_marked(client, world):
    item = make_brochure(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    BrochureFiling.objects.filter(pk=item.pk).update(due_on="2020-01-01")
    text = login(client, world.district_a).get("/").content.decode()
    assert "已逾期" in text
    text = client.get(f"/brochure-filings/{item.pk}/").content.decode()
    assert "已超过办理期限（2020-01-01）" in text


@pytest.mark.django_db
def test_menu(world):
    def labels(user):
        return {i["model"] for g in menu_for(user) for i in g["items"]}

    for who in ("municipal", "district_a", "user_a"):
        assert "workflows.BrochureFiling" in labels(getattr(world, who))
    assert "workflows.BrochureFiling" not in labels(world.department)


# --- the public list -----------------------------------------------------------------


@pytest.mark.django_db
def test_public_list_shows_only_published_lists(client, world):
    item = make_brochure(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    services.transition(actor=world.district_a, item=item, action="approve")
    draft = services.qualification_list_create(actor=world.municipal, year=2031)
    text = client.get("/qualifications/").content.decode()
    assert "尚未公布招生资质名单" in text and "重庆甲技师学院" not in text
    assert client.get("/qualifications/?year=2031").status_code == 200  # none published yet
    ql = services.qualification_list_create(actor=world.municipal, year=2025)
    services.transition(actor=world.municipal, item=ql, action="review")
    services.transition(actor=world.municipal, item=ql, action="publish")
    r = client.get("/qualifications/")
    text = r.content.decode()
    assert r.status_code == 200
    assert "2025年技工院校招生资质名单" in text and "重庆甲技师学院" in text
    assert "万州丙技工学校" not in text  # not qualified: not on the public list
    assert "未备案" not in text and "李明" not in text  # no reasons, no people
    assert "2031" not in text  # the draft list is not public
    assert client.get(f"/qualifications/?year={draft.year}").status_code == 404
