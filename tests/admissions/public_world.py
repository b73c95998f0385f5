"""The world of the public enrolment pages (/enrol/): on top of ``world``, this year's
season, approved brochures and plans of school_a (技师学院, 渝中区, 主城都市区) and
school_b (技工学校, 万州区, 渝东北; its brochure full-time only, school_a's both), and a
published qualification list naming both. school_a2 files no brochure, so it is not qualified."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jigong.workflows import services as wf
from tests import factories as f
from tests.workflows.conftest import force_state, pdf


def brochure(
    school,
    actor,
    *,
    year,
    target_groups="应往届初高中毕业生",
    contact="023-12345678",
    tracks="full_time",
):
    item = wf.brochure_create(
        actor=actor,
        school=school,
        year=year,
        title=f"{school.name}{year}年招生简章",
        total_quota=300,
        target_groups=target_groups,
        cross_province=False,
        contact=contact,
        tracks=tracks,
        documents=[pdf()],
    )
    return force_state(item, "approved")


def plan(school, actor, lines, *, year, cross=None):
    p = wf.plan_create(actor=actor, school=school, year=year)
    for sm, quota in lines:
        wf.plan_line_set(actor=actor, plan=p, school_major=sm, quota=quota)
    for province, quota in (cross or {}).items():
        wf.plan_cross_province_set(actor=actor, plan=p, province=province, quota=quota)
    return force_state(p, "approved")


def publish_list(w, year):
    ql = wf.qualification_list_create(actor=w.municipal, year=year)
    wf.transition(actor=w.municipal, item=ql, action="review")
    wf.transition(actor=w.municipal, item=ql, action="publish")
    return ql


def build(w):
    """Majors, plans, brochures, the list and the season of this year; returns ``w``."""
    from jigong.admissions.models import Season

    year = timezone.localdate().year
    w.year = year
    lathe = f.major("0101", "机床切削加工（车工）")
    electric = f.major("0202", "电气自动化设备安装与维修")
    nursing = f.major("0303", "幼儿教育")
    w.a_lathe = f.school_major(w.school_a, lathe, "advanced")
    w.a_electric = f.school_major(w.school_a, electric, "intermediate")
    w.b_nursing = f.school_major(w.school_b, nursing, "intermediate")
    w.b_lathe = w.school_b.majors.get(major=lathe, level="intermediate")  # world's 学籍
    plan(w.school_a, w.user_a, [(w.a_lathe, 40), (w.a_electric, 60)], year=year, cross={"52": 15})
    plan(w.school_b, w.user_b, [(w.b_nursing, 30), (w.b_lathe, 25)], year=year)
    w.brochure_a = brochure(
        w.school_a,
        w.user_a,
        year=year,
        target_groups="应往届初高中毕业生、企业在岗职工",
        tracks="both",
    )
    w.brochure_b = brochure(w.school_b, w.user_b, year=year, contact="023-58000000")
    w.qualification_list = publish_list(w, year)
    today = timezone.localdate()
    w.season = Season.objects.create(
        year=year,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
        max_choices=3,
    )
    return w
