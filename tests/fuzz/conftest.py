"""The fuzz world: the permission matrix's world (own objects at school_a, the other
school's at school_b) plus a founding school's account and application, and the
Hypothesis profile that bounds the run (JIGONG_FUZZ_EXAMPLES raises it)."""

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.test_permission_matrix import _clients, _url, load_matrix, matrix_world  # noqa: F401

EXAMPLES = int(os.environ.get("JIGONG_FUZZ_EXAMPLES", "20"))
settings.register_profile(
    "jigong-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings.get_profile("jigong-fuzz")


@pytest.fixture
def fuzz_world(matrix_world, world, settings):  # noqa: F811
    from tests.workflows.helpers_b import founding_world, make_founding

    settings.JIGONG_VERIFY_RATE_PER_IP = (100_000, 60)
    settings.JIGONG_VERIFY_MISSES_BEFORE_CHALLENGE = (100_000, 3600)
    fw = founding_world(world)
    founding = [make_founding(fw), make_founding(fw, big=True)]
    matrix_world.objects["founding"] = (founding[0].pk, founding[1].pk)
    matrix_world.objects["enrolled"] = (world.reg_a.pk, world.reg_b.pk)
    matrix_world.users["founding"] = fw.user_small
    matrix_world.clients = _clients(matrix_world)
    matrix_world.matrix = load_matrix()
    _url.objects = matrix_world.objects
    return matrix_world


@pytest.fixture
def accounts(world):
    """The lighter world of the account forms: one logged-in client per staff role."""
    from types import SimpleNamespace

    from django.test import Client

    users = {"municipal": world.municipal, "district": world.district_a, "school": world.user_a}
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return SimpleNamespace(users=users, clients=clients)
