"""The demo world's online enrolment (issue 16): the 2026 season open on the public
form, applications online and entered by schools in every state, and the 2026 cohort
of most schools enrolled from admissions — all through the acts, in one small world."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from jigong.admissions.models import Application, Choice, ChoiceState
from jigong.core.models import User
from jigong.demo import state
from jigong.indicators import cache
from jigong.indicators import selectors as S

pytestmark = pytest.mark.xdist_group("test_demo_admissions")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "demo", "--scale", "small", "--seed", "7", "--no-progress", stdout=io.StringIO()
        )
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(world, db):
    cache.clear()
    return world


def test_the_2026_season_is_open_on_the_public_form(demo):
    from jigong.admissions.models import Season

    season = Season.objects.get(year=2026)
    assert season.is_open(timezone.localdate())
    page = Client().get("/enrol/apply/")
    assert page.status_code == 200
    assert b'data-testid="apply-form"' in page.content
    assert b'data-testid="season-closed"' not in page.content
    brochures = Client().get("/enrol/")
    assert brochures.status_code == 200 and "2026年招生简章" in brochures.content.decode()


def test_applications_in_every_state_through_both_channels(demo):
    apps = Application.objects.filter(season__year=2026)
    assert apps.count() >= 40
    assert set(apps.values_list("channel", flat=True)) == {"online", "offline"}
    assert set(Choice.objects.values_list("state", flat=True)) == set(ChoiceState.values)
    refused = Choice.objects.filter(state=ChoiceState.REFUSED)
    assert all(refused.values_list("reason", flat=True))
    # one confirmation per application at most; its other choices released or refused
    for app in apps.filter(choices__state=ChoiceState.CONFIRMED):
        states = list(app.choices.values_list("state", flat=True))
        assert states.count(ChoiceState.CONFIRMED) == 1
        assert not {ChoiceState.ADMITTED, ChoiceState.SUBMITTED} & set(states)


def test_the_2026_cohort_is_enrolled_from_admissions(demo):
    enrolled = Choice.objects.filter(state=ChoiceState.ENROLLED).select_related(
        "registration", "application", "school_major"
    )
    assert enrolled.count() >= 10
    for c in enrolled:
        reg = c.registration
        assert reg is not None and reg.school_id == c.school_id
        assert reg.major_id == c.school_major.major_id and reg.level == c.school_major.level
        assert reg.source == c.application.category and reg.track == c.track
        assert reg.enrolled_on == min(datetime.date(2026, 9, 1), timezone.localdate())
    city = User.objects.get(username="city")
    (row,) = S.compute("plan_fulfilment", user=city, year=2026)
    assert row.numerator and row.denominator and 0 < row.value < 1


def test_a_reset_needs_no_force_after_the_build(demo):
    """The enrolment runs through the acts as the demo's users: their audit rows are
    the build's, not a person's changes."""
    assert state.user_changes() == 0
    assert state.reset_blocker() == ""


def test_brochures_say_their_tracks_and_part_time_choices_go_where_offered(demo):
    from jigong.workflows.models import BrochureFiling
    from jigong.workflows.selectors import offered_tracks

    filed = BrochureFiling.objects.filter(year=2026)
    assert {"both", "full_time"} <= set(filed.values_list("tracks", flat=True))
    part_time = Choice.objects.filter(application__season__year=2026, track="part_time")
    assert part_time.exists()
    offered = offered_tracks(set(part_time.values_list("school_id", flat=True)), 2026)
    assert all("part_time" in offered[c.school_id] for c in part_time)
    everything = Client().get("/enrol/").content.decode().count('data-testid="brochure"')
    fewer = Client().get("/enrol/?track=part_time").content.decode()
    assert 0 < fewer.count('data-testid="brochure"') <= everything
