"""/enrol/apply/: the public application form (issue 16) — each rule's refusal shown on
its field with the form kept filled, the challenge on every submission, the limits of
/verify/, and the reference number on success."""

import datetime
import re

import pytest

from jigong.admissions.models import Application
from jigong.public import challenge
from tests import factories as f
from tests.admissions import public_world


@pytest.fixture
def w(world):
    return public_world.build(world)


@pytest.fixture
def solved(monkeypatch):
    """The browser solved the proof-of-work (tested on its own below and in Chromium)."""
    monkeypatch.setattr(challenge, "passed", lambda payload: True)


def _form(w, **over):
    data = {
        "id_number": f.id_number(birth=datetime.date(w.year - 16, 3, 1)),
        "name": "陈晓雨",
        "phone": "13800138000",
        "category": "junior_graduate",
        "schooling": "junior",
        "school_1": w.school_b.code,
        "major_1": str(w.b_nursing.pk),
        "track_1": "full_time",
        "altcha": "solved",
    }
    data.update(over)
    return data


def _error(html: str, field: str) -> str:
    found = re.findall(rf'data-testid="error-{field}">([^<]*)<', html)
    assert found, f"no error shown on {field}"
    return " ".join(found)


@pytest.mark.django_db
def test_form_lists_listed_schools_and_preselects_the_brochure_school(client, w):
    html = client.get("/enrol/apply/", {"school": w.school_a.code}).content.decode()
    assert "重庆甲技师学院" in html and "万州丙技工学校" in html
    assert "重庆乙高级技工学校" not in html  # not qualified
    assert html.count('data-testid="choice-') == w.season.max_choices
    # the brochure's school is chosen in the first row and its planned majors are listed
    assert f'<option value="{w.school_a.code}" selected>' in html
    assert f'<option value="{w.a_lathe.pk}">机床切削加工（车工）（高级工班）</option>' in html
    for label in ("企业在岗职工", "退役军人", "脱贫家庭新成长劳动力", "离校未就业高校毕业生"):
        assert label in html  # the applicant groups of （九）


@pytest.mark.django_db
def test_success_shows_the_reference_and_what_comes_next(client, w, solved):
    response = client.post("/enrol/apply/", _form(w))
    html = response.content.decode()
    assert response.status_code == 200
    app = Application.objects.get()
    assert re.fullmatch(rf"BM{w.year}-[0-9A-Z]{{10}}", app.reference)
    assert f'data-testid="reference">{app.reference}<' in html
    assert "接下来" in html and "幼儿教育" in html
    assert [(c.school_major_id, c.track) for c in app.choices.all()] == [
        (w.b_nursing.pk, "full_time")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"id_number": "500103200603010000"}, "id_number", "身份证号"),
        ({"name": ""}, "name", "姓名"),
        ({"phone": "12345"}, "phone", "联系电话"),
        ({"category": ""}, "category", "报名类别"),
        ({"schooling": ""}, "schooling", "前置学历"),
        ({"major_1": ""}, "choice-1", "志愿1"),
    ],
)
def test_each_refusal_is_shown_on_its_field_and_the_form_stays_filled(
    client, w, solved, over, field, words
):
    data = _form(w, **over)
    response = client.post("/enrol/apply/", data)
    html = response.content.decode()
    assert response.status_code == 200 and not Application.objects.exists()
    assert words in _error(html, field)
    assert 'value="13800138000"' in html or field == "phone"  # kept filled
    assert f'<option value="{w.school_b.code}" selected>' in html


@pytest.mark.django_db
def test_a_too_young_applicant_is_refused_on_the_choice(client, w, solved):
    data = _form(w, id_number=f.id_number(birth=datetime.date(w.year - 9, 3, 1)))
    html = client.post("/enrol/apply/", data).content.decode()
    assert "周岁" in _error(html, "choice-1")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_school_not_on_the_list_cannot_be_chosen(client, w, solved):
    """school_a2 runs the major but is not qualified: its major is no option, and a
    forged post of it is refused on the choice."""
    sm = w.school_a2.majors.first()
    data = _form(w, school_1=w.school_a2.code, major_1=str(sm.pk))
    html = client.post("/enrol/apply/", data).content.decode()
    assert "志愿1" in _error(html, "choice-1")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_part_time_enterprise_employee_names_the_enterprise_and_a_year(client, w, solved):
    data = _form(
        w,
        id_number=f.id_number(birth=datetime.date(w.year - 30, 3, 1)),
        category="enterprise_employee",
        schooling="senior",
        school_1=w.school_a.code,
        major_1=str(w.a_electric.pk),
        track_1="part_time",
        arrangement_months="6",
    )
    html = client.post("/enrol/apply/", data).content.decode()
    assert "统一社会信用代码" in _error(html, "enterprise_code")
    data.update(enterprise_code=f.credit_code(), arrangement_months="6")
    html = client.post("/enrol/apply/", data).content.decode()
    assert "工学安排" in _error(html, "arrangement_months")
    data.update(arrangement_months="12")
    client.post("/enrol/apply/", data)
    app = Application.objects.get()
    assert app.arrangement_months == 12 and app.enterprise_code == data["enterprise_code"]


@pytest.mark.django_db
def test_a_second_application_of_the_id_is_refused_without_the_first(client, w, solved):
    data = _form(w)
    client.post("/enrol/apply/", data)
    first = Application.objects.get().reference
    html = client.post("/enrol/apply/", {**data, "name": "另一人"}).content.decode()
    assert "该身份证号本招生季已有报名" in _error(html, "id_number")
    assert first not in html and Application.objects.count() == 1


@pytest.mark.django_db
def test_closed_season_says_so_and_takes_nothing(client, w, solved):
    w.season.closes_on = w.season.opens_on
    w.season.save()
    response = client.post("/enrol/apply/", _form(w))
    assert "当前没有开放报名的招生季" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_every_submission_needs_the_challenge(client, w):
    response = client.post("/enrol/apply/", _form(w, altcha=""))
    html = response.content.decode()
    assert 'data-testid="challenge-error"' in html and "人机验证" in html
    assert not Application.objects.exists()
    assert 'value="陈晓雨"' in html  # kept filled
    assert client.post("/enrol/apply/", _form(w, altcha="forged")).status_code == 200
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_limits_per_client_and_per_id_number(client, w, solved, settings):
    settings.JIGONG_VERIFY_MISSES_PER_CLIENT_NUMBER = (2, 3600)
    bad = _form(w, phone="1")
    for _ in range(2):
        assert client.post("/enrol/apply/", bad).status_code == 200
    response = client.post("/enrol/apply/", bad)  # the same ID number a third time
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert client.post("/enrol/apply/", _form(w)).status_code == 200  # another ID
    settings.JIGONG_VERIFY_RATE_PER_IP = (3, 60)  # 3 answered so far from this client
    response = client.post("/enrol/apply/", _form(w))
    assert response.status_code == 429 and Application.objects.count() == 1


@pytest.mark.django_db
def test_refresh_lists_the_chosen_schools_majors_without_applying(client, w, solved):
    data = _form(w, school_2=w.school_a.code, refresh="1")
    html = client.post("/enrol/apply/", data).content.decode()
    assert not Application.objects.exists()
    assert f'<option value="{w.a_electric.pk}">' in html
