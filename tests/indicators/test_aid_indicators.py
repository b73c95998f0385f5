"""（二十一） student aid on the indicators: 受助学生人次 and 资助金额 by the year of
payment, in the user's scope, with no target (issue 14)."""

import datetime
from decimal import Decimal

import pytest

from jigong.indicators import selectors as S
from jigong.indicators.catalogue import CATALOGUE
from jigong.workflows import aid, records
from jigong.workflows.services import transition
from tests import factories as f

pytestmark = pytest.mark.django_db


def _paid(world, reg, amount, paid_on, programme):
    app = aid.application_create(
        actor=world.user_a,
        programme=programme,
        registration=reg,
        amount_requested=Decimal("2000"),
        grounds="hardship",
        applied_on=datetime.date(2025, 3, 1),
    )
    aid.applications_submit(actor=world.user_a, programme=programme)
    transition(
        actor=world.district_a, item=app, action="approve", values={"amount_approved": amount}
    )
    if paid_on:
        transition(actor=world.user_a, item=app, action="pay", values={"paid_on": paid_on})


def _total(code, user, year):
    (row,) = S.compute(code, user=user, year=year)
    return row.numerator or 0


def test_recipients_and_amounts_count_paid_aid_by_year_in_scope(world):
    programme = records.aid_programme_create(
        actor=None,
        school=world.school_a,
        year=2025,
        name="国家助学金",
        kind="grant",
        funder="中央财政",
        amount_per_person=Decimal("2000"),
    )
    others = [
        f.registration(world.school_a, name=f"学生{i}", id_number=f.id_number()) for i in range(2)
    ]
    _paid(world, world.reg_a, Decimal("1500"), datetime.date(2025, 4, 1), programme)
    _paid(world, others[0], Decimal("2000"), datetime.date(2025, 5, 1), programme)
    _paid(world, others[1], Decimal("1000"), None, programme)  # approved, not paid
    for code in ("aid_recipients", "aid_amount"):
        ind = CATALOGUE[code]
        assert ind.clause == "（二十一）" and ind.target is None
    assert _total("aid_recipients", world.municipal, 2025) == 2
    assert Decimal(str(_total("aid_amount", world.municipal, 2025))) == Decimal("3500")
    assert _total("aid_recipients", world.district_a, 2025) == 2
    assert _total("aid_recipients", world.district_b, 2025) == 0
    assert _total("aid_amount", world.municipal, 2024) == 0
    # the hand-written reference SQL agrees, by school
    from django.db import connection

    from tests.indicators import reference_sql

    for code in ("aid_recipients", "aid_amount"):
        with connection.cursor() as cursor:
            ref = reference_sql.run(cursor, code, "school", 2025, world.municipal)
        mine = {
            r.key: r.numerator
            for r in S.compute(code, user=world.municipal, year=2025, by="school")
            if r.numerator
        }
        assert {k: float(n) for k, (n, _) in ref.items()} == {k: float(v) for k, v in mine.items()}
