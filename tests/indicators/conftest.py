import io

import pytest
from django.core.management import call_command

from jigong.indicators import cache


@pytest.fixture(autouse=True)
def _fresh_indicator_cache():
    """Each test computes from its own database state."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_demo(db):
    call_command("demo", "--scale", "small", "--no-progress", "--seed", "7", stdout=io.StringIO())
    cache.clear()
