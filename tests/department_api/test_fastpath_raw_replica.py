"""The raw department path reads the replica exactly when ReplicaReadsMiddleware would:
DATABASE_REPLICA_URL set and the path in JIGONG_REPLICA_PATHS. The certificate exists
only on the replica, so finding it proves where the read went."""

import pytest

from jigong.certificates.models import GraduationCertificate
from jigong.core.routers import DEFAULT_PATHS, REPLICA
from jigong.public import services
from tests.department_api.test_fastpath_raw import API, call, environ, make_apps
from tests.ops.conftest import engine  # noqa: F401 (fixture)
from tests.ops.test_replica import _replica_alias, cert, replica  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("listed", [True, False])
def test_raw_path_reads_the_replica_when_its_path_is_listed(cert, replica, world, settings, listed):  # noqa: F811
    settings.JIGONG_REPLICA_PATHS = (*DEFAULT_PATHS, API) if listed else DEFAULT_PATHS
    key = services.api_key_create(
        actor=world.municipal, name="市征兵办", scopes=["verify"], rate_per_minute=600
    ).key
    GraduationCertificate.objects.filter(pk=cert.pk).delete()  # now only on the replica
    _raw, entry, lean, _site = make_apps()
    env = environ(key, number=cert.number, name="张晓明")
    learned = call(entry, env)  # the lean handler, learning the headers
    got = call(entry, env)
    assert isinstance(got[3], list), "answered by the raw path"
    assert got[:3] == learned[:3] == call(lean, env)[:3]
    assert (b'"found":true' in got[2]) is listed
