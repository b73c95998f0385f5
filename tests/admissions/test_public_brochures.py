"""/enrol/: the public brochure search (issue 16) — what an applicant finds, filters,
and what disappears when a school leaves the qualification list."""

import pytest

from jigong.workflows import licensing
from tests.admissions import public_world
from tests.admissions.public_world import brochure, publish_list


@pytest.fixture
def w(world):
    return public_world.build(world)


def _schools(client, **query):
    response = client.get("/enrol/", query)
    assert response.status_code == 200
    text = response.content.decode()
    return {s for s in ("重庆甲技师学院", "重庆乙高级技工学校", "万州丙技工学校") if s in text}


@pytest.mark.django_db
def test_brochures_of_listed_schools_with_plan_lines_quota_and_contact(client, w):
    response = client.get("/enrol/")
    text = response.content.decode()
    assert response.status_code == 200
    assert _schools(client) == {"重庆甲技师学院", "万州丙技工学校"}  # 乙 files no brochure
    assert f"重庆甲技师学院{w.year}年招生简章" in text
    # plan numbers per major and level, the cross-province quota, the contact
    assert "机床切削加工（车工）" in text and "高级工班" in text
    assert 'data-quota="40"' in text and 'data-quota="60"' in text
    assert "贵州省" in text and 'data-cross="15"' in text
    assert "023-58000000" in text
    assert f'href="/enrol/schools/{w.school_a.code}/"' in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "万州"}, {"万州丙技工学校"}),
        ({"q": "幼儿教育"}, {"万州丙技工学校"}),  # a major's name
        ({"q": "车工"}, {"重庆甲技师学院", "万州丙技工学校"}),
        ({"district": "500101"}, {"万州丙技工学校"}),
        ({"group": "main_metro"}, {"重庆甲技师学院"}),
        ({"group": "northeast"}, {"万州丙技工学校"}),
        ({"tier": "technician_college"}, {"重庆甲技师学院"}),
        ({"major": "0202"}, {"重庆甲技师学院"}),
        ({"level": "advanced"}, {"重庆甲技师学院"}),
        ({"major": "0101", "level": "intermediate"}, {"万州丙技工学校"}),
        ({"track": "part_time"}, {"重庆甲技师学院"}),  # names 企业在岗职工
        ({"track": "full_time"}, {"重庆甲技师学院", "万州丙技工学校"}),
        ({"q": "不存在的学校"}, set()),
    ],
)
def test_search_and_filters(client, w, query, expected):
    assert _schools(client, **query) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, name",
    [({"tier": "x"}, "tier"), ({"level": "博士"}, "level"), ({"page": "-1"}, "page")],
)
def test_bad_filter_answers_400_naming_the_parameter(client, w, query, name):
    response = client.get("/enrol/", query)
    assert response.status_code == 400
    assert f"参数 {name}" in response.content.decode()


@pytest.mark.django_db
def test_a_suspended_school_disappears_at_once(client, w):
    assert "万州丙技工学校" in _schools(client)
    licensing.enrolment_suspend(actor=w.municipal, school=w.school_b, reason="督导整改")
    assert _schools(client) == {"重庆甲技师学院"}
    assert client.get(f"/enrol/schools/{w.school_b.code}/").status_code == 404


@pytest.mark.django_db
def test_a_school_left_off_a_newer_list_disappears_at_once(client, w):
    assert _schools(client) == {"重庆甲技师学院", "万州丙技工学校"}
    # next year's list: only school_a filed (and had approved) a brochure for it
    brochure(w.school_a, w.user_a, year=w.year + 1)
    publish_list(w, w.year + 1)
    assert _schools(client) == {"重庆甲技师学院"}
    assert client.get(f"/enrol/schools/{w.school_b.code}/").status_code == 404


@pytest.mark.django_db
def test_school_page_names_tier_district_open_majors_and_brochures(client, w):
    response = client.get(f"/enrol/schools/{w.school_a.code}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "重庆甲技师学院" in text and "技师学院" in text and "渝中区" in text
    assert "电气自动化设备安装与维修" in text and "中级工班" in text
    assert f"重庆甲技师学院{w.year}年招生简章" in text
    assert client.get(f"/enrol/schools/{w.school_a2.code}/").status_code == 404  # not listed


@pytest.mark.django_db
def test_page_reads_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    """More brochures do not mean more queries (paginated, lines fetched in one read).
    Every request reads the version of what lists brochures (the list, the season, the
    suspended schools, the accepted brochures); a new search then the list, the matching
    ids and the page's rows (the list's schools, the options and the cards cached); the
    same search again nothing more."""
    for n in range(3):
        brochure(w.school_a, w.user_a, year=w.year, contact=f"023-6000000{n}")
    with django_assert_max_num_queries(12):
        response = client.get("/enrol/")
    assert response.content.decode().count('data-testid="brochure"') == 5
    with django_assert_max_num_queries(7):
        again = client.get("/enrol/", {"track": "full_time"})
    assert again.content.decode().count('data-testid="brochure"') == 5
    with django_assert_max_num_queries(4):
        same = client.get("/enrol/", {"track": "full_time"})
    assert same.content == again.content


def _reused(client, django_assert_max_num_queries) -> set[str]:
    _schools(client)
    with django_assert_max_num_queries(4):  # the drawn result page, reused
        return _schools(client)


@pytest.mark.django_db
def test_a_reused_result_page_gives_way_to_a_new_publication(
    client, w, django_assert_max_num_queries
):
    assert _reused(client, django_assert_max_num_queries) == {"重庆甲技师学院", "万州丙技工学校"}
    brochure(w.school_a, w.user_a, year=w.year + 1)
    publish_list(w, w.year + 1)  # 丙 filed no brochure for it
    assert _schools(client) == {"重庆甲技师学院"}


@pytest.mark.django_db
def test_a_reused_result_page_gives_way_to_a_suspension_and_a_new_brochure(
    client, w, django_assert_max_num_queries
):
    assert _reused(client, django_assert_max_num_queries) == {"重庆甲技师学院", "万州丙技工学校"}
    licensing.enrolment_suspend(actor=w.municipal, school=w.school_b, reason="督导整改")
    assert _schools(client) == {"重庆甲技师学院"}
    before = client.get("/enrol/").content.decode().count('data-testid="brochure"')
    brochure(w.school_a, w.user_a, year=w.year, contact="023-60000009")
    after = client.get("/enrol/").content.decode().count('data-testid="brochure"')
    assert after == before + 1


@pytest.mark.django_db
def test_no_list_published_yet_says_so(client, world):
    response = client.get("/enrol/")
    assert response.status_code == 200
    assert "尚未公布" in response.content.decode()


@pytest.mark.django_db
def test_a_long_plan_shows_its_first_lines_matching_first_and_links_the_rest(client, w):
    from jigong.workflows.models import EnrolmentPlanLine
    from tests import factories as f

    plan = EnrolmentPlanLine.objects.get(school_major=w.a_lathe).plan
    for n in range(7):  # set-up: more lines on the approved plan (its acts need a draft)
        sm = f.school_major(w.school_a, f.major(f"09{n:02d}", f"测试专业{n}"), "intermediate")
        EnrolmentPlanLine.objects.create(plan=plan, school_major=sm, quota=10 + n)
    html = client.get("/enrol/", {"q": "重庆甲", "major": "0906"}).content.decode()
    assert html.count("data-quota=") == 6 and "另有 3 个专业计划" in html
    assert 'data-quota="16"' in html  # the line of the major searched for comes first
    school = client.get(f"/enrol/schools/{w.school_a.code}/").content.decode()
    assert school.count("data-quota=") == 9  # the school's page lists them all
