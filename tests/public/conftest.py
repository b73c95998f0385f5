import datetime

import pytest

from tests import factories as f


@pytest.fixture
def finishing(world):
    """A registration at school_a whose study period ended in summer 2025."""

    def make(school=None, name="张晓明", level="intermediate", **kw):
        return f.registration(
            school or world.school_a,
            name=name,
            level=level,
            id_number=kw.pop("id_number", f.id_number(birth=datetime.date(2006, 3, 1))),
            enrolled_on=kw.pop("enrolled_on", datetime.date(2022, 9, 1)),
            **kw,
        )

    return make
