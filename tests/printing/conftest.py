import datetime

import pytest

from jigong.certificates import key_acts, services, signing
from tests import factories as f


@pytest.fixture
def keystore(settings, tmp_path):
    """An empty key store of the test's own (settings.JIGONG_KEYS_DIR)."""
    settings.JIGONG_KEYS_DIR = tmp_path / "keys"
    return signing.KeyStore(settings.JIGONG_KEYS_DIR)


@pytest.fixture
def signing_key(db, keystore):
    return key_acts.key_create(actor=None, keystore=keystore)


@pytest.fixture
def issue(world):
    """Graduate a registration whose study period ended in summer 2025."""

    def make(school=None, name="张晓明", level="intermediate", actor=None, **kw):
        school = school or world.school_a
        reg = f.registration(
            school,
            name=name,
            level=level,
            id_number=kw.pop("id_number", f.id_number(birth=datetime.date(2006, 3, 1))),
            enrolled_on=kw.pop("enrolled_on", datetime.date(2022, 9, 1)),
            **kw,
        )
        return services.graduate(
            actor=actor, registration=reg, issued_on=datetime.date(2025, 6, 30)
        )

    return make
