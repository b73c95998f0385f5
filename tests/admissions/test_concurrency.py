"""Two clerks admit the last place of a plan line at the same moment: one is admitted,
the other refused with the count (the act locks the plan line on PostgreSQL; SQLite's
IMMEDIATE transactions serialise the writers). Two confirmations of one application at
once: one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jigong.admissions import services
from jigong.admissions.models import Choice, ChoiceState
from jigong.core.errors import messages_of
from tests import factories as f
from tests.admissions.conftest import fields

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(messages_of(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes, key=len)


def test_two_clerks_admitting_the_last_place_at_once_fill_it_once(enrol):
    e = enrol  # the 中级工班 line of school_a has 2 places
    first, second, third = (
        services.application_submit(**fields(e)).choices.get() for _ in range(3)
    )
    services.choice_admit(actor=e.clerk_a, choice=first)
    clerk_2 = f.user("school", school=e.world.school_a)
    outcomes = at_once(
        [
            lambda: services.choice_admit(actor=e.clerk_a, choice=second),
            lambda: services.choice_admit(actor=clerk_2, choice=third),
        ]
    )
    assert outcomes[0] == "ok", outcomes
    assert "招生计划已满" in outcomes[1] and "计划数2人，已占2人" in outcomes[1]
    assert Choice.objects.filter(state=ChoiceState.ADMITTED).count() == 2


def test_two_confirmations_of_one_application_at_once_confirm_one(enrol):
    e = enrol
    app = services.application_submit(**fields(e, e.a_mid, e.a2_mid))
    c1, c2 = app.choices.order_by("rank")
    services.choice_admit(actor=e.clerk_a, choice=c1)
    services.choice_admit(actor=e.clerk_a2, choice=c2)
    outcomes = at_once(
        [
            lambda: services.admission_confirm(application=app, choice=c1),
            lambda: services.admission_confirm(application=app, choice=c2),
        ]
    )
    assert outcomes[0] == "ok" and "只能确认一次" in outcomes[1], outcomes
    states = sorted(app.choices.values_list("state", flat=True))
    assert states == [ChoiceState.CONFIRMED, ChoiceState.RELEASED]
