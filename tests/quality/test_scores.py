"""Scores against hand-computed expectations (qworld in conftest.py), weights read from
the parameters, a 无数据 dimension left out (not 0), ranking and distribution scoped."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.models import AuditLog
from jigong.policy import parameters as P
from jigong.quality import selectors, services
from jigong.quality.evaluation import evaluate
from jigong.quality.models import QualityScore

pytestmark = pytest.mark.django_db
D = Decimal


def _by_code(rows):
    return {e.code: e for e in rows}


def test_scores_by_hand(qworld):
    w = qworld
    a = _by_code(evaluate(user=w.municipal, year=2024))[w.school_a.code]
    m = a.inputs["measures"]
    # 就业质量: employment 2/2 = 1 → 100 (benchmark 0.98); in field 1/2 → 0.5/0.8 → 62.5
    assert m["employment_rate"]["score"] == "100" and m["in_field_rate"]["score"] == "62.5"
    assert a.dimensions["employment_quality"] == D("81.25")
    # 技能水平: certificate rate 1/2 → 0.5/0.8 → 62.5; 技师 share 1/2 → 0.5/0.5 → 100
    assert m["certificate_rate"]["value"] == "0.5" and m["technician_share"]["score"] == "100"
    assert a.dimensions["skill_level"] == D("81.25")
    # 校企合作: 1 agreement per 2 students → 50 per 100 (≥ 2) → 100; 订单班 1/2 → 100;
    # part-time teachers 1/10 → 0.1/0.2 → 50; mean 83.33
    assert m["agreements_per_100"]["value"] == "50"
    assert m["part_time_teacher_share"]["score"] == "50"
    assert a.dimensions["school_enterprise"] == D("83.33")
    # 职业道德: no curriculum record, no review → 无数据, left out of the total
    assert a.dimensions["professional_ethics"] is None
    assert a.total == D("81.94")  # (81.25 + 81.25 + 83.33) / 3


def test_no_data_dimension_is_not_zero_and_zero_is_zero(qworld):
    rows = _by_code(evaluate(user=qworld.municipal, year=2024))
    b = rows[qworld.school_b.code]
    # school_b has a student but no agreement: a real 0; no graduates: 无数据
    assert b.dimensions["school_enterprise"] == D("0.00")
    assert b.dimensions["employment_quality"] is None
    assert b.dimensions["skill_level"] is None
    assert b.total == D("0.00")
    # ranks: 1, 2, 2 (ties share)
    assert [rows[c].rank for c in (qworld.school_a.code, qworld.school_a2.code, b.code)] == [
        1,
        2,
        2,
    ]
    # a year without any data: every dimension 无数据, nobody ranked
    assert all(
        e.total is None and e.rank is None for e in evaluate(user=qworld.municipal, year=2015)
    )


def test_weights_are_read_from_the_parameters(qworld, monkeypatch):
    real = P.get
    other = {
        "professional_ethics": 0.1,
        "skill_level": 0.4,
        "employment_quality": 0.4,
        "school_enterprise": 0.1,
    }

    def fake(name, on):
        if name.startswith("quality.weight."):
            return other[name.rsplit(".", 1)[1]]
        return real(name, on)

    monkeypatch.setattr(P, "get", fake)
    a = _by_code(evaluate(user=qworld.municipal, year=2024))[qworld.school_a.code]
    # (0.4 × 81.25 + 0.4 × 81.25 + 0.1 × 83.33) / 0.9
    assert a.total == D("81.48")
    assert a.inputs["weights"]["skill_level"] == "0.4"


def test_compute_stores_audits_and_recomputes(qworld):
    w = qworld
    before = AuditLog.objects.filter(object_type="quality.qualityscore").count()
    rows = services.scores_compute(actor=w.municipal, year=2024)
    assert len(rows) == 3
    a = QualityScore.objects.get(school=w.school_a, year=2024)
    assert (a.total, a.rank, a.ranked) == (D("81.94"), 1, 3)
    assert a.inputs["measures"]["in_field_rate"]["denominator"] == 2
    assert AuditLog.objects.filter(object_type="quality.qualityscore").count() == before + 3
    # a reviewed 职业道德 score replaces 无数据 and the year is recomputed, audited
    services.review_set(
        actor=w.municipal,
        school=w.school_a,
        year=2024,
        dimension="professional_ethics",
        score=D("90"),
        basis="2024年督导评估报告",
    )
    a.refresh_from_db()
    assert a.professional_ethics == D("90.00")
    assert a.total == D("83.96")  # (90 + 81.25 + 81.25 + 83.33) / 4
    change = AuditLog.objects.filter(object_type="quality.qualityscore", action="update").latest(
        "id"
    )
    assert change.before["total"] == "81.94" and change.after["total"] == "83.96"


def test_bad_input_refused_with_nothing_written(qworld):
    w = qworld
    with pytest.raises(PermissionDenied):
        services.scores_compute(actor=w.user_a, year=2024)
    with pytest.raises(ValidationError) as info:
        services.scores_compute(actor=w.municipal, year=2999)
    assert "未来年份" in str(info.value) and "2999" in str(info.value)
    with pytest.raises(ValidationError) as info:
        services.scores_compute(actor=w.municipal, year=2015)
    assert "没有可用于质量评价的数据" in str(info.value)
    with pytest.raises(ValidationError) as info:
        services.review_set(
            actor=w.municipal,
            school=w.school_a,
            year=2024,
            dimension="professional_ethics",
            score=D("120"),
            basis="依据",
        )
    assert "score" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.review_set(
            actor=w.municipal,
            school=w.school_a,
            year=2024,
            dimension="professional_ethics",
            score=D("80"),
            basis="  ",
        )
    assert not QualityScore.objects.exists()


def test_ranking_and_distribution_are_scoped(qworld, client):
    w = qworld
    services.scores_compute(actor=w.municipal, year=2024)
    assert selectors.ranking(user=w.municipal, year=2024)[0].school == w.school_a
    assert {s.school for s in selectors.ranking(user=w.district_a, year=2024)} == {
        w.school_a,
        w.school_a2,
    }
    own = selectors.ranking(user=w.user_b, year=2024)
    assert [s.school for s in own] == [w.school_b] and own[0].rank == 2
    assert selectors.distribution(user=w.user_b, year=2024) == []
    bins = {b["label"]: b["count"] for b in selectors.distribution(user=w.municipal, year=2024)}
    assert bins["80–90"] == 1 and bins["0–10"] == 2

    client.force_login(w.user_b)
    page = client.get("/quality/?year=2024").content.decode()
    assert w.school_b.name in page and "第2名/3" in page
    assert w.school_a.name not in page and w.school_a2.name not in page
    assert 'data-testid="distribution"' not in page
    a = QualityScore.objects.get(school=w.school_a, year=2024)
    assert client.get(f"/quality/scores/{a.pk}/").status_code == 404
    assert client.post("/quality/compute/", {"year": 2024}).status_code == 403

    client.force_login(w.municipal)
    page = client.get("/quality/?year=2024").content.decode()
    assert 'data-testid="histogram"' in page and w.school_a.name in page
    detail = client.get(f"/quality/scores/{a.pk}/").content.decode()
    assert "81.94" in detail and "就业专业对口率" in detail


def test_compute_and_review_pages(qworld, client):
    w = qworld
    client.force_login(w.municipal)
    r = client.post("/quality/compute/", {"year": 2024}, follow=True)
    assert "已计算2024年3所学校" in r.content.decode()
    r = client.post("/quality/compute/", {"year": 2999}, follow=True)
    assert "未来年份" in r.content.decode()
    r = client.post(
        "/quality/reviews/new/",
        {
            "school": w.school_a.pk,
            "year": 2024,
            "dimension": "professional_ethics",
            "score": "150",
            "basis": "x",
        },
    )
    assert r.status_code == 200 and "100" in r.content.decode()
    r = client.post(
        "/quality/reviews/new/",
        {
            "school": w.school_a.pk,
            "year": 2024,
            "dimension": "professional_ethics",
            "score": "90",
            "basis": "督导报告",
        },
    )
    assert r.status_code == 302
    assert QualityScore.objects.get(school=w.school_a, year=2024).total == D("83.96")
    client.force_login(w.district_a)
    assert client.get("/quality/reviews/new/").status_code == 403
