"""An applicant admitted by two schools confirms one (（九）): the other choices are
released and their places freed; confirming twice, or a released or unadmitted choice,
is refused."""

import pytest
from django.core.exceptions import ValidationError

from jigong.admissions import selectors, services
from jigong.admissions.models import ChoiceState
from jigong.core.errors import messages_of
from jigong.core.models import AuditLog
from tests.admissions.conftest import YEAR, fields

pytestmark = pytest.mark.django_db


def two_admissions(e):
    app = services.application_submit(**fields(e, e.a_mid, e.a2_mid, e.a_other))
    c1, c2, c3 = app.choices.order_by("rank")
    services.choice_admit(actor=e.clerk_a, choice=c1)
    services.choice_admit(actor=e.clerk_a2, choice=c2)
    return app, c1, c2, c3


def refused(**kw) -> str:
    with pytest.raises(ValidationError) as info:
        services.admission_confirm(**kw)
    return " ".join(messages_of(info.value))


def test_confirming_one_admission_releases_the_others_and_frees_their_places(enrol):
    e = enrol
    app, _c1, c2, _c3 = two_admissions(e)
    assert selectors.places(school_major=e.a2_mid, year=YEAR) == (5, 1)
    services.admission_confirm(application=app, choice=c2)
    states = dict(app.choices.values_list("rank", "state"))
    assert states == {1: ChoiceState.RELEASED, 2: ChoiceState.CONFIRMED, 3: ChoiceState.RELEASED}
    assert selectors.places(school_major=e.a_mid, year=YEAR) == (2, 0)  # freed
    assert selectors.places(school_major=e.a2_mid, year=YEAR) == (5, 1)
    rows = AuditLog.objects.filter(act="admission.confirm")
    assert rows.count() == 3 and all(r.actor is None for r in rows)
    assert all(app.reference in r.message for r in rows)


def test_confirming_twice_or_a_released_choice_is_refused(enrol):
    e = enrol
    app, c1, c2, _c3 = two_admissions(e)
    services.admission_confirm(application=app, choice=c1)
    before = AuditLog.objects.count()
    assert "已确认录取，每个报名只能确认一次" in refused(application=app, choice=c1)
    assert "已确认录取" in refused(application=app, choice=c2)
    assert AuditLog.objects.count() == before
    c2.refresh_from_db()
    assert c2.state == ChoiceState.RELEASED


def test_only_an_admitted_choice_of_the_same_application_is_confirmed(enrol):
    e = enrol
    app = services.application_submit(**fields(e, e.a_mid, e.a2_mid))
    c1, c2 = app.choices.order_by("rank")
    text = refused(application=app, choice=c1)
    assert "待审核" in text and "不能确认录取" in text
    services.choice_admit(actor=e.clerk_a, choice=c1)
    other = services.application_submit(**fields(e, e.a_mid))
    text = refused(application=other, choice=c1)
    assert other.reference in text and app.reference not in text
    services.admission_confirm(application=app, choice=c1)
    c2.refresh_from_db()
    assert c2.state == ChoiceState.RELEASED
    # a released choice cannot be admitted any more
    with pytest.raises(ValidationError):
        services.choice_admit(actor=e.clerk_a2, choice=c2)
