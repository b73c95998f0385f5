"""A brochure says which tracks it offers (全日制, 非全日制 or both, issue 16): the school
files it, the brochure shows it, /enrol/ filters by it and an application is held to it.
The data migration gives existing brochures what the old guess from 招生对象 gave."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jigong.admissions import services as adm
from jigong.workflows import services as wf
from jigong.workflows.models import BrochureFiling
from tests import factories as f
from tests.admissions import public_world
from tests.admissions.public_world import brochure
from tests.workflows.conftest import pdf


@pytest.fixture
def w(world):
    return public_world.build(world)


def _cards(client, **query) -> dict[str, str]:
    """{school name: its card's text} on /enrol/."""
    response = client.get("/enrol/", query)
    assert response.status_code == 200
    text = response.content.decode()
    cards = text.split('data-testid="brochure"')[1:]
    return {
        name: card
        for card in cards
        for name in ("重庆甲技师学院", "万州丙技工学校")
        if name in card.split("card-body")[0]
    }


@pytest.mark.django_db
def test_the_filter_reads_the_track_the_school_filed_not_the_target_groups(client, w):
    # 甲's new brochure names 企业在岗职工 yet offers full-time only; 丙's names no such
    # group yet offers part-time only (an evening course for anyone)
    BrochureFiling.objects.filter(pk__in=[w.brochure_a.pk, w.brochure_b.pk]).delete()
    brochure(
        w.school_a,
        w.user_a,
        year=w.year,
        target_groups="应往届初高中毕业生、企业在岗职工",
        tracks="full_time",
    )
    brochure(w.school_b, w.user_b, year=w.year, target_groups="社会人员", tracks="part_time")
    assert set(_cards(client, track="part_time")) == {"万州丙技工学校"}
    assert set(_cards(client, track="full_time")) == {"重庆甲技师学院"}
    assert set(_cards(client)) == {"重庆甲技师学院", "万州丙技工学校"}


@pytest.mark.django_db
def test_a_brochure_offering_both_is_found_by_either_and_shows_both(client, w):
    brochure(w.school_b, w.user_b, year=w.year, contact="023-58000001", tracks="both")
    assert "万州丙技工学校" in _cards(client, track="part_time")
    card = _cards(client, track="part_time")["万州丙技工学校"]
    assert "学习形式" in card and "全日制、非全日制" in card
    only_full = _cards(client, track="full_time")["重庆甲技师学院"]
    assert "学习形式" in only_full


@pytest.mark.django_db
def test_the_school_files_the_tracks_on_its_form_and_sees_them(client, world):
    client.force_login(world.user_a)
    data = {
        "year": 2026,
        "title": "2026年招生简章",
        "total_quota": 300,
        "target_groups": "企业在岗职工",
        "contact": "023-61234567",
    }
    r = client.post("/brochure-filings/new/", {**data, "documents": pdf()})
    assert r.status_code == 200 and "学习形式" in r.content.decode()  # required: say it
    assert not BrochureFiling.objects.exists()
    r = client.post("/brochure-filings/new/", {**data, "tracks": "part_time", "documents": pdf()})
    item = BrochureFiling.objects.get()
    assert r.status_code == 302 and item.tracks == "part_time"
    detail = client.get(f"/brochure-filings/{item.pk}/").content.decode()
    assert "学习形式" in detail and "非全日制" in detail
    r = client.post(f"/brochure-filings/{item.pk}/edit/", {**data, "tracks": "both"})
    item.refresh_from_db()
    assert r.status_code == 302 and item.tracks == "both"


@pytest.mark.django_db
def test_the_act_refuses_an_unknown_track_naming_field_value_and_rule(world):
    with pytest.raises(ValidationError) as exc:
        wf.brochure_create(
            actor=world.user_a,
            school=world.school_a,
            year=2026,
            title="2026年招生简章",
            total_quota=300,
            target_groups="应届初中毕业生",
            contact="023-61234567",
            tracks="夜校",
        )
    message = " ".join(exc.value.message_dict["tracks"])
    assert "学习形式" in message and "夜校" in message and "非全日制" in message
    assert not BrochureFiling.objects.exists()


def _application(w, track, school_major):
    return {
        "season": w.season,
        "id_number": f.id_number(birth=public_world.datetime.date(w.year - 16, 4, 9)),
        "name": "陈晓雨",
        "phone": "13800138000",
        "category": "junior_graduate",
        "schooling": "junior",
        "choices": [{"school_major": school_major, "track": track}],
    }


@pytest.mark.django_db
def test_an_application_to_a_track_no_brochure_offers_is_refused(w):
    # 丙's brochure offers full-time only
    with pytest.raises(ValidationError) as exc:
        adm.application_submit(actor=None, **_application(w, "part_time", w.b_nursing))
    messages = exc.value.message_dict["choices.1.track"]
    assert any("学习形式" in m and "非全日制" in m and "招生简章" in m for m in messages)
    # 甲's offers both
    app = adm.application_submit(actor=None, **_application(w, "part_time", w.a_electric))
    assert app.choices.get().track == "part_time"


@pytest.mark.django_db
def test_the_apply_form_offers_only_the_tracks_of_the_schools_brochures(client, w):
    text = client.get("/enrol/apply/", {"school": w.school_b.code}).content.decode()
    select = text.split('id="id_track_1"')[1].split(">", 1)[1].split("</select>")[0]
    assert "全日制" in select and "非全日制" not in select
    text = client.get("/enrol/apply/", {"school": w.school_a.code}).content.decode()
    select = text.split('id="id_track_1"')[1].split(">", 1)[1].split("</select>")[0]
    assert "非全日制" in select
    # the script's data: each school's tracks
    assert f'"{w.school_b.code}": ["full_time"]' in text


BEFORE = [("workflows", "0006_tier_upgrade")]
AFTER = [("workflows", "0007_brochure_tracks")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_brochures_the_track_the_old_guess_gave(world):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("workflows", "BrochureFiling")
    groups = {
        "应往届初高中毕业生": "full_time",
        "应往届初高中毕业生、企业在岗职工": "both",
        "非全日制学员": "both",
    }
    ids = {
        old.objects.create(
            school_id=world.school_a.pk,
            year=2025,
            title=f"简章{n}",
            total_quota=100,
            target_groups=text,
            contact="023-1",
            state="approved",
        ).pk: expected
        for n, (text, expected) in enumerate(groups.items())
    }
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    got = dict(BrochureFiling.objects.filter(pk__in=ids).values_list("pk", "tracks"))
    assert got == ids
