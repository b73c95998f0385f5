import datetime

import pytest

from tests import factories as f


@pytest.fixture
def holder_cert(world):
    """A certificate at school_a whose holder has the graduate account world.graduate."""
    cert = f.graduated_certificate(
        world.school_a, world.user_a, name="张晓明", birth=datetime.date(2006, 3, 1)
    )
    world.graduate.person = cert.registration.person
    world.graduate.save(update_fields=["person"])
    return cert


@pytest.fixture
def other_cert(world):
    """A certificate at school_b, held by someone else."""
    return f.graduated_certificate(
        world.school_b, world.user_b, name="赵强", birth=datetime.date(2006, 4, 1), area="500101"
    )
