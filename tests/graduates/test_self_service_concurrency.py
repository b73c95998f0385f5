"""Two registrations of one graduate at the same moment open one account; the other is
refused as already linked (the act locks the person's row on PostgreSQL; SQLite's
IMMEDIATE transactions serialise the writers)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jigong.core.models import User
from jigong.graduates import services
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_registrations_at_once_open_one_account(world):
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="陈静", birth=datetime.date(2006, 8, 8)
    )
    person = cert.registration.person
    proof = {
        "id_number": person.id_number,
        "name": person.name,
        "certificate_number": cert.number,
        "enrolled_year": cert.registration.enrolled_on.year,
        "password": "Nan-Shan-Road-2025",
    }
    barrier = threading.Barrier(2)
    outcomes = []

    def register():
        try:
            barrier.wait()
            services.graduate_account_register(actor=None, **proof)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["AlreadyLinked", "ok"], outcomes
    assert User.objects.filter(person=person).count() == 1
