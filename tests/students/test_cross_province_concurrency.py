"""Two enrolments against the last place of a cross-province quota at the same moment:
one is registered, the other refused with the count (the act locks the quota row on
PostgreSQL; SQLite's IMMEDIATE transactions serialise the writers)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jigong.core.errors import messages_of
from jigong.students import services
from tests.students.test_cross_province_quota import _approve_quota, _cross, _item

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_enrolments_at_once_fill_the_last_place_once(world):
    _approve_quota(world.school_a, quota=1)
    items = [_item(world, name=f"李云{k}") for k in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def enrol(item):
        try:
            barrier.wait()
            services.registration_create(actor=world.user_a, **item)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(messages_of(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes, key=len)[0] == "ok", outcomes
    assert "跨省招生计划已满：2025年云南省核定1人，已招1人" in sorted(outcomes, key=len)[1]
    assert _cross(world.school_a) == 1
