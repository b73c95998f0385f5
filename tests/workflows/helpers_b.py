"""Set-up for the licensing, 双优, catalogue and record tests (issue 6 part B)."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from jigong.workflows import catalogue, designations, licensing
from tests import factories as f
from tests.workflows.conftest import pdf


def founding_world(w):
    """Two founding schools in 渝中区: a 技工学校 (reviewed by 渝中区) and a 技师学院
    (reviewed by the municipal bureau), each with its own school user."""
    small = f.school(
        district_code="500103", tier="school", name="渝中筹建技工学校", status="founding"
    )
    big = f.school(
        district_code="500103",
        tier="technician_college",
        name="渝中筹建技师学院",
        status="founding",
    )
    return SimpleNamespace(
        small=small,
        big=big,
        user_small=f.user("school", school=small, username="founding_small"),
        user_big=f.user("school", school=big, username="founding_big"),
    )


def make_founding(fw, *, big=False, started=None):
    school, user = (fw.big, fw.user_big) if big else (fw.small, fw.user_small)
    return licensing.founding_create(
        actor=user,
        school=school,
        founding_started_on=started or timezone.localdate() - datetime.timedelta(days=365),
        planned_students=1200,
        summary="校舍、师资、设备已按标准建设",
        documents=[pdf("设立申请书.pdf")],
    )


def make_adjustment(w, *, action="suspend", school_major=None):
    sm = school_major or w.school_a.majors.first()
    return catalogue.adjustment_create(
        actor=w.user_a,
        school=w.school_a,
        action=action,
        school_major=sm,
        reason="生源减少，暂停招生",
    )


def make_round(w, *, year=2025, kind="quality_school"):
    return designations.round_create(actor=w.municipal, year=year, kind=kind)
