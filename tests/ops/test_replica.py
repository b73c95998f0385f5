"""The read replica: public verification reads go to DATABASE_REPLICA_URL's alias, all
else to default. The replica here is a second database (a copy of the test database
made with jigong.core.backup), so a row present only there proves where reads went."""

import datetime
import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jigong.certificates import services
from jigong.certificates.models import GraduationCertificate
from jigong.core import backup
from jigong.core.routers import REPLICA, ReplicaRouter, replica_reads
from jigong.students.models import Registration
from tests import factories as f

API = "/api/v1/certificates/verify"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
    pytest.mark.xdist_group("test_replica"),  # module fixtures: one process runs them
]


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """Declare the alias for the module (the test cases must know it up front); each test
    points it at its own copy. TEST MIRROR keeps Django from flushing it."""
    connections.settings[REPLICA] = {
        **connections["default"].settings_dict,
        "TEST": {"MIRROR": "default"},
    }
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def cert(world):
    reg = f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    return services.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )


@pytest.fixture
def replica(cert, engine, tmp_path):
    """A second database holding a copy of the (committed) test data."""
    default = connections["default"].settings_dict
    if engine == "sqlite":
        path = tmp_path / "replica.sqlite3"
        source, copy = sqlite3.connect(default["NAME"]), sqlite3.connect(path)
        source.backup(copy)
        source.close(), copy.close()
        name = str(path)
    else:
        name = engine.create("replica")
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "r.tar.gz"
            backup.create_backup(archive, include_keys=False)
            connections.settings["replica_load"] = {**default, "NAME": name}
            try:
                backup.restore_backup(archive, alias="replica_load")
            finally:
                connections["replica_load"].close()
                del connections["replica_load"]
                del connections.settings["replica_load"]
    connections[REPLICA].close()
    connections.settings[REPLICA]["NAME"] = name
    yield
    connections[REPLICA].close()
    connections.settings[REPLICA]["NAME"] = default["NAME"]


def test_router_choices(cert, replica):
    r = ReplicaRouter()
    assert router.db_for_read(GraduationCertificate) == "default"
    with replica_reads():
        assert r.db_for_read(GraduationCertificate) == REPLICA
        assert r.db_for_read(Registration) == REPLICA
        assert r.db_for_read(Session) is None  # sessions stay on the primary
        assert r.db_for_write(GraduationCertificate) == "default"
        assert router.db_for_read(GraduationCertificate) == REPLICA
    assert r.allow_migrate(REPLICA, "certificates") is False
    assert r.allow_migrate("default", "certificates") is True


def test_router_without_replica_uses_default(cert):
    saved = connections.settings.pop(REPLICA)
    try:
        with replica_reads():
            assert router.db_for_read(GraduationCertificate) == "default"
    finally:
        connections.settings[REPLICA] = saved


def test_public_verification_reads_the_replica(client, cert, replica):
    number = cert.number
    # The row now exists only on the replica: found through /verify and the API means
    # the read went there.
    GraduationCertificate.objects.filter(pk=cert.pk).delete()
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        r = client.get(API, {"number": number, "name": "张晓明"}, REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 200 and r.json()["found"] is True
    assert r.json()["holder"] == "张*明"
    assert any("certificates_graduationcertificate" in q["sql"] for q in on_replica)
    assert not any("certificates_graduationcertificate" in q["sql"] for q in on_default)

    r = client.post("/verify/", {"number": number, "name": "张晓明"}, REMOTE_ADDR="203.0.113.10")
    assert r.status_code == 200 and "张*明" in r.content.decode()


def test_staff_pages_read_the_primary(client, cert, replica, world):
    GraduationCertificate.objects.filter(pk=cert.pk).delete()
    client.force_login(world.municipal)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        r = client.get(reverse("certificates:graduationcertificate_list"))
    assert r.status_code == 200 and cert.number not in r.content.decode()
    assert not on_replica.captured_queries
