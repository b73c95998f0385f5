"""One person of every kind at school_a (渝中区) whose ID numbers the tests look for."""

from types import SimpleNamespace

import pytest

from tests.test_scope_pages import _fill


@pytest.fixture
def people(world):
    import jigong.urls  # noqa: F401  (registers are declared as the URLconf loads)

    o = _fill(world.school_a, surname="欧阳", tag="甲", seed=11).objects
    person, teacher, trainee = (
        o["students.Person"],
        o["staff.Teacher"],
        o["training.TrainingRecord"],
    )
    world.graduate.person = person
    world.graduate.save(update_fields=["person"])
    return SimpleNamespace(
        o=o,
        person=person,
        ids={
            "student": person.id_number,
            "teacher": teacher.id_number,
            "trainee": trainee.trainee_id_number,
        },
        birth=person.birth_date,
    )


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]
