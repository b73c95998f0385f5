import io

import pytest
from django.core.management import call_command

from jigong.indicators import cache
from tests.conftest import built_once, fast_hashing


@pytest.fixture(autouse=True)
def _fresh_indicator_cache():
    """Each test computes from its own database state."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def _small_demo_of_the_module(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        with fast_hashing():
            call_command(
                "demo", "--scale", "small", "--no-progress", "--seed", "7", stdout=io.StringIO()
            )
        yield


@pytest.fixture
def small_demo(_small_demo_of_the_module, db):
    """The small demo (seed 7), built once per module (tests/conftest.py built_once)."""
    cache.clear()
