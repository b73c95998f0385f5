import datetime

import pytest

from jigong.certificates import services as certificates
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder_cert(world):
    """A certificate at school_a whose holder has the graduate account world.graduate."""
    reg = f.registration(
        world.school_a,
        name="张晓明",
        id_number=f.id_number(birth=datetime.date(2006, 3, 1)),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    cert = certificates.graduate(
        actor=world.user_a, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
    world.graduate.person = reg.person
    world.graduate.save(update_fields=["person"])
    return cert


@pytest.fixture
def other_cert(world):
    """A certificate at school_b, held by someone else."""
    reg = f.registration(
        world.school_b,
        name="赵强",
        id_number=f.id_number(birth=datetime.date(2006, 4, 1), area="500101"),
        enrolled_on=datetime.date(2022, 9, 1),
    )
    return certificates.graduate(
        actor=world.user_b, registration=reg, issued_on=datetime.date(2025, 6, 30)
    )
