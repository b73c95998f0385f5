"""（九） online enrolment on the indicators (issue 16): plan fulfilment by school,
district and group; the share of 高中毕业生, 退役军人 and 脱贫家庭新成长劳动力 among
技师学院 entrants (the tier on the entry date); applications and admissions by
partner province of origin. No target in the policy: figures only."""

import datetime
import itertools

import pytest
from django.db import connection

from jigong.admissions.models import Application, Choice, ChoiceState
from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE, TARGET_INDICATORS
from jigong.schools.models import TierChange
from tests import factories as f
from tests.admissions import public_world
from tests.indicators import reference_sql

pytestmark = pytest.mark.django_db

_refs = itertools.count(1)


def _applicant(w, choices, *, province="50", category="junior_graduate"):
    """An application with ``choices`` [(school_major, state)] in rank order, as the
    admissions acts leave it (rows written directly: the read side is under test)."""
    app = Application.objects.create(
        season=w.season,
        reference=f"BM{w.year}-T{next(_refs):08d}",
        id_number=f.id_number(),
        name="张三",
        phone="13800000000",
        category=category,
        schooling="junior",
        home_province=province,
    )
    for rank, (sm, state) in enumerate(choices, 1):
        Choice.objects.create(
            application=app,
            rank=rank,
            school=sm.school,
            school_major=sm,
            track="full_time",
            state=state,
        )
    return app


def _rows(code, user, year, by):
    return {
        r.key: (r.numerator, r.denominator) for r in S.compute(code, user=user, year=year, by=by)
    }


def _reference(code, user, year, by):
    with connection.cursor() as cursor:
        return reference_sql.run(cursor, code, by, year, user)


def test_plan_fulfilment_counts_places_held_against_the_approved_plan(world):
    w = public_world.build(world)
    A, C, E = ChoiceState.ADMITTED, ChoiceState.CONFIRMED, ChoiceState.ENROLLED
    _applicant(w, [(w.a_lathe, A)])
    _applicant(w, [(w.a_lathe, C), (w.b_lathe, ChoiceState.RELEASED)])
    _applicant(w, [(w.a_electric, E)])
    _applicant(w, [(w.a_electric, ChoiceState.SUBMITTED), (w.b_nursing, A)])
    _applicant(w, [(w.a_electric, ChoiceState.REFUSED), (w.b_nursing, ChoiceState.WAITLISTED)])
    # a plan not yet approved counts for nothing
    clerk = f.user("school", school=world.school_a2)
    a2_lathe = world.school_a2.majors.get(major=w.a_lathe.major, level="intermediate")
    draft = public_world.plan(world.school_a2, clerk, [(a2_lathe, 80)], year=w.year)
    type(draft).objects.filter(pk=draft.pk).update(state="submitted")

    ind = CATALOGUE["plan_fulfilment"]
    assert ind.clause == "（九）" and ind.is_ratio and ind.target is None
    assert "plan_fulfilment" not in TARGET_INDICATORS  # the policy sets no figure
    (city,) = S.compute("plan_fulfilment", user=w.municipal, year=w.year)
    assert (city.numerator, city.denominator) == (4, 155)  # a 40+60, b 30+25
    schools = _rows("plan_fulfilment", w.municipal, w.year, "school")
    assert schools[w.school_a.code] == (3, 100) and schools[w.school_b.code] == (1, 55)
    groups = {
        r.key: r.value
        for r in S.compute("plan_fulfilment", user=w.municipal, year=w.year, by="group")
    }
    assert groups[w.school_a.district.group] == pytest.approx(3 / 100)
    assert groups[w.school_b.district.group] == pytest.approx(1 / 55)
    # a district bureau sees its district only, a school itself
    (wanzhou,) = S.compute("plan_fulfilment", user=w.district_b, year=w.year)
    assert (wanzhou.numerator, wanzhou.denominator) == (1, 55)
    (own,) = S.compute("plan_fulfilment", user=w.user_a, year=w.year)
    assert (own.numerator, own.denominator) == (3, 100)
    # the year before has no plan and no season: no data
    (before,) = S.compute("plan_fulfilment", user=w.municipal, year=w.year - 1)
    assert before.value is None
    for by in (None, "group", "district", "school"):
        ref = {
            k: v for k, v in _reference("plan_fulfilment", w.municipal, w.year, by).items() if v[1]
        }
        mine = {k: v for k, v in _rows("plan_fulfilment", w.municipal, w.year, by).items() if v[1]}
        assert mine == ref, by


def _entrant(school, source, entry_point, enrolled_on, level="advanced"):
    return f.registration(
        school,
        name="周晓",
        id_number=f.id_number(birth=datetime.date(2004, 3, 1)),
        source=source,
        entry_point=entry_point,
        enrolled_on=enrolled_on,
        level=level,
        duration_months=36,
    )


def test_shares_among_technician_college_entrants_judge_the_tier_on_the_entry_date(world):
    """school_a became a 技师学院 on 2025-03-01 (a 高级技校 before); school_a2 was one
    until 2025-03-01 (a 高级技校 after). Only entrants at a school that was a 技师学院 on
    their entry date count; a previous graduate counts as a 高中毕业生 when he enters
    at the senior entry point."""
    TierChange.objects.create(
        school=world.school_a,
        from_tier="senior_school",
        to_tier="technician_college",
        effective_on=datetime.date(2025, 3, 1),
        decision="晋级",
    )
    TierChange.objects.create(
        school=world.school_a2,
        from_tier="technician_college",
        to_tier="senior_school",
        effective_on=datetime.date(2025, 3, 1),
        decision="退出",
    )
    a, a2, b = world.school_a, world.school_a2, world.school_b
    sept, jan = datetime.date(2025, 9, 1), datetime.date(2025, 2, 1)
    _entrant(a, "senior_graduate", "senior", sept)
    _entrant(a, "previous_graduate", "senior", sept)
    _entrant(a, "previous_graduate", "junior", sept)  # not a 高中毕业生
    _entrant(a, "veteran", "senior", sept)
    _entrant(a, "poverty_family", "junior", sept)
    _entrant(a, "junior_graduate", "junior", sept)
    _entrant(a, "senior_graduate", "senior", jan)  # a was a 高级技校 then
    _entrant(a2, "veteran", "senior", jan)  # a2 was a 技师学院 then
    _entrant(a2, "senior_graduate", "senior", sept)  # no longer
    _entrant(b, "senior_graduate", "senior", sept, "intermediate")  # 技工学校

    expected = {  # entrants of 2025 at a 技师学院 on entry: 6 at a, 1 at a2
        "technician_entrants_senior_share": 2,
        "technician_entrants_veteran_share": 2,
        "technician_entrants_poverty_share": 1,
    }
    for code, n in expected.items():
        ind = CATALOGUE[code]
        assert ind.clause == "（九）" and ind.is_ratio and ind.target is None
        (city,) = S.compute(code, user=world.municipal, year=2025)
        assert (city.numerator, city.denominator) == (n, 7), code
        schools = _rows(code, world.municipal, 2025, "school")
        assert schools.get(b.code, (0, 0))[1] == 0
        for by in (None, "school", "district", "major"):
            ref = {k: v for k, v in _reference(code, world.municipal, 2025, by).items() if v[1]}
            mine = {k: v for k, v in _rows(code, world.municipal, 2025, by).items() if v[1]}
            assert mine == ref, (code, by)
    (a_only,) = S.compute("technician_entrants_veteran_share", user=world.user_a, year=2025)
    assert (a_only.numerator, a_only.denominator) == (1, 6)


def test_applications_and_admissions_by_partner_province(world):
    w = public_world.build(world)
    A = ChoiceState.ADMITTED
    _applicant(w, [(w.a_lathe, A), (w.b_lathe, ChoiceState.RELEASED)], province="52")
    _applicant(w, [(w.a_electric, ChoiceState.SUBMITTED)], province="52")
    _applicant(w, [(w.b_nursing, ChoiceState.ENROLLED)], province="51")
    _applicant(w, [(w.b_nursing, A)], province="50")  # 重庆: not cross-province
    _applicant(w, [(w.a_electric, A)], province="44")  # 广东: not a partner

    def city(code):
        (row,) = S.compute(code, user=w.municipal, year=w.year)
        return row.value

    assert city("enrol_applications_cross_province") == 4  # choices named
    assert city("enrol_admitted_cross_province") == 2  # holding a place
    assert city("enrol_applications_cross_province_52") == 3
    assert city("enrol_admitted_cross_province_52") == 1
    assert city("enrol_applications_cross_province_51") == 1
    assert city("enrol_admitted_cross_province_51") == 1
    assert city("enrol_admitted_cross_province_53") is None  # none at all: 无数据
    (b_only,) = S.compute("enrol_applications_cross_province", user=w.user_b, year=w.year)
    assert b_only.value == 2
    for code in ("enrol_applications_cross_province", "enrol_admitted_cross_province_52"):
        assert CATALOGUE[code].clause == "（九）"
        for by in (None, "group", "school", "major"):
            ref = {k: v[0] for k, v in _reference(code, w.municipal, w.year, by).items() if v[0]}
            mine = {k: v[0] for k, v in _rows(code, w.municipal, w.year, by).items() if v[0]}
            assert mine == ref, (code, by)


def test_annual_report_has_an_enrolment_section_with_the_figures(world):
    from jigong.quality import report as R

    w = public_world.build(world)
    _applicant(w, [(w.a_lathe, ChoiceState.ADMITTED)], province="52")
    _applicant(w, [(w.b_nursing, ChoiceState.ENROLLED)])
    ctx = R.context(user=w.municipal, year=w.year)
    titles = [s["title"] for s in ctx["sections"]]
    assert "八、招生报名" in titles and titles[-1] == "附录 学校明细表"
    totals = {t["name"]: t["value"] for t in ctx["admissions"]["totals"]}
    assert totals["招生计划完成率"] == "1.29%"  # 2 of 155 places
    assert totals["跨省录取人次（云南、贵州、四川）"].startswith("1")
    assert "技师学院新生中退役军人占比" in totals
    html = R.live_html(ctx)
    assert "八、招生报名" in html and "招生计划完成率" in html
