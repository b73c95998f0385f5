import datetime

import pytest

from jigong.certificates import services as certificates
from jigong.public import services
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cert(world):
    reg = f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    return certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )


@pytest.fixture
def issue(world):
    def make(scopes=("verify", "verify:batch", "equivalence"), rate=600, name="市征兵办"):
        return services.api_key_create(
            actor=world.municipal, name=name, scopes=list(scopes), rate_per_minute=rate
        )

    return make


@pytest.fixture
def key(issue):
    return issue().key
