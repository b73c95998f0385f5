"""Platform settings (issue 14): the values the policy does not state are listed as
“平台设定（可由市人社局调整）”, and the municipal bureau adjusts them in the portal —
an audited act, refused to every other role; a deadline a page shows says which of its
figures is the platform's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jigong.core.models import AuditLog
from jigong.policy import parameters as P
from jigong.policy import rules
from jigong.reference import services as reference_services
from jigong.workflows import services as wf

PLATFORM = "平台设定（可由市人社局调整）"


@pytest.fixture(autouse=True)
def _forget_adjustments():
    """Adjustments live in the test's transaction: re-read them after it rolls back."""
    P.refresh()
    yield
    P.refresh()


def _edit_url(name: str) -> str:
    return reverse("reference:platform_setting_edit", args=[name])


def test_the_list_shows_every_platform_value_as_such(client, world):
    client.force_login(world.district_a)
    page = client.get(reverse("reference:platform_settings")).content.decode()
    assert PLATFORM in page
    for name in ("workflows.review_days", "enrolment.plan_due", "quality.benchmarks"):
        assert P.cite(name, timezone.localdate()).description in page
    # a figure of the policy is not a platform setting
    assert P.cite("targets.employment_rate_min", datetime.date(2024, 1, 1)).description not in page
    assert _edit_url("workflows.review_days") not in page  # only the municipal bureau edits


def test_municipal_adjusts_the_review_period(client, world):
    today = timezone.localdate()
    before = rules.days_after(today, "workflows.review_days", today)
    client.force_login(world.municipal)
    form = client.get(_edit_url("workflows.review_days"))
    assert form.status_code == 200
    resp = client.post(
        _edit_url("workflows.review_days"),
        {"value__workflows.review_days": "20", "start": today.isoformat(), "reason": "市局通知"},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert rules.days_after(today, "workflows.review_days", today) == today + datetime.timedelta(20)
    assert before == today + datetime.timedelta(15)
    row = AuditLog.objects.filter(act="platform_setting.adjust").latest("id")
    assert row.actor == world.municipal
    assert row.after["values"] == {"workflows.review_days": 20}
    assert "市局通知" in row.message
    listed = client.get(reverse("reference:platform_settings")).content.decode()
    assert "市局通知" in listed and "20" in listed
    # a refusal built on it cites the platform, with the bureau's value
    assert P.cite("workflows.review_days", today).basis.startswith(PLATFORM)


@pytest.mark.parametrize("who", ["district_a", "user_a"])
def test_other_roles_may_not_adjust(client, world, who):
    today = timezone.localdate()
    client.force_login(getattr(world, who))
    assert client.get(_edit_url("workflows.review_days")).status_code == 403
    resp = client.post(
        _edit_url("workflows.review_days"),
        {"value__workflows.review_days": "1", "start": today.isoformat(), "reason": "x"},
    )
    assert resp.status_code == 403
    assert P.get("workflows.review_days", today) == 15
    assert not AuditLog.objects.filter(act="platform_setting.adjust").exists()


def test_a_figure_of_the_policy_is_not_adjustable(client, world):
    client.force_login(world.municipal)
    assert client.get(_edit_url("targets.employment_rate_min")).status_code == 404


def test_bad_values_are_refused_with_the_field_and_value(client, world):
    today = timezone.localdate()
    client.force_login(world.municipal)
    resp = client.post(
        _edit_url("workflows.review_days"),
        {"value__workflows.review_days": "十五", "start": today.isoformat(), "reason": "x"},
    )
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "十五" in page and "整数" in page
    # the four weights are edited together and must sum to 1
    name = "quality.weight.skill_level"
    data = {f"value__quality.weight.{d}": "0.25" for d in rules.QUALITY_DIMENSIONS}
    data.update({f"value__{name}": "0.5", "start": today.isoformat(), "reason": "x"})
    page = client.post(_edit_url(name), data).content.decode()
    assert "1.25" in page and "之和" in page
    assert P.get(name, today) == 0.25
    # no retroactive change: what was decided stays decided on the old value
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    page = client.post(
        _edit_url("workflows.review_days"),
        {"value__workflows.review_days": "20", "start": yesterday, "reason": "x"},
    ).content.decode()
    assert yesterday in page and "今天" in page
    assert not AuditLog.objects.filter(act="platform_setting.adjust").exists()


def test_a_deadline_on_a_page_says_it_is_a_platform_setting(client, world):
    plan = wf.plan_create(actor=world.user_a, school=world.school_a, year=2026)
    client.force_login(world.user_a)
    page = client.get(reverse("workflows:enrolment_plan_detail", args=[plan.pk])).content.decode()
    assert "2026-04-30" in page
    assert f"依据{PLATFORM}，参照（九）" in page


def test_the_licensing_refusal_says_the_delegation_is_the_platforms(client, world):
    """（二十一） says only 探索下放: the district's licensing of 技工学校 is a platform
    setting, and the refusal to another district's bureau says so."""
    from django.core.exceptions import PermissionDenied

    from jigong.workflows import licensing

    with pytest.raises(PermissionDenied) as exc:
        # 重庆甲技师学院 is in the district's own district, but a 技师学院 is licensed by the city
        licensing.enrolment_suspend(actor=world.district_a, school=world.school_a, reason="x")
    assert PLATFORM in str(exc.value)


def test_the_round_page_shows_the_interim_weights_in_force_as_a_platform_setting(client, world):
    """The 双优 candidates' interim score: its weights come from the parameter (an
    adjustment shows at once) and are cited as the platform's, not as （十四）."""
    from jigong.workflows import designations

    today = timezone.localdate()
    name = "designations.interim_weights"
    weights = {
        "employment_rate": 0.4,
        "certificates_per_graduate": 0.2,
        "agreements": 0.2,
        "integrated_share": 0.2,
    }
    reference_services.platform_setting_adjust(
        actor=world.municipal, values={name: weights}, start=today, reason="市局通知"
    )
    rnd = designations.round_create(actor=world.municipal, year=today.year, kind="quality_school")
    client.force_login(world.municipal)
    page = client.get(reverse("workflows:designation_round_detail", args=[rnd.pk])).content.decode()
    assert "就业率×0.4" in page
    assert f"权重为{PLATFORM}" in page


def test_the_to_do_list_says_which_deadlines_are_platform_settings(client, world):
    wf.plan_create(actor=world.user_a, school=world.school_a, year=2026)
    client.force_login(world.user_a)
    page = client.get("/").content.decode()
    row = next(r for r in page.split('data-testid="todo-item"')[1:] if "2026-04-30" in r)
    assert PLATFORM in row.split("</tr>")[0]


def test_the_qualification_list_states_the_conditions_in_force(client, world):
    """The list's conditions are platform settings: the page states the ones in force,
    so an adjustment (no brochure condition) shows there, cited as the platform's."""
    today = timezone.localdate()
    ql = wf.qualification_list_create(actor=world.municipal, year=today.year + 1)
    client.force_login(world.municipal)
    url = reverse("workflows:qualification_detail", args=[ql.pk])
    page = client.get(url).content.decode()
    assert "当年招生简章已备案通过" in page and PLATFORM in page
    reference_services.platform_setting_adjust(
        actor=world.municipal,
        values={"enrolment.qualification_requires_brochure": False},
        start=today,
        reason="市局通知",
    )
    page = client.get(url).content.decode()
    assert "当年招生简章已备案通过" not in page and PLATFORM in page
