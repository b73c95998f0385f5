import contextlib
import os
from types import SimpleNamespace

import pytest

from tests import factories as f

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The run's data folder, PII key and cache: jigong/settings_test.py (hermetic).
# tests/core/test_pii.py covers the key file; tests/ops/test_backup.py its round trip.


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failed test: nothing may pass by not running."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI=true: {skipped} skipped test(s) count as failures", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _id_numbers_of_this_test():
    """ID numbers handed out by a test are free again after it (its rows are gone): the
    500 sequence numbers of a birth date last a test, not the whole run. Numbers of
    module fixtures, made before the test, stay taken."""
    before = set(f._issued)
    yield
    f._issued.intersection_update(before)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty default cache (per process, LocMem): a rate window
    another test filled in the same worker must not answer this one's queries with 429."""
    from django.core.cache import cache

    from jigong.policy import parameters

    cache.clear()
    parameters.refresh()  # the bureau's adjustments of platform values: re-read per test
    yield
    cache.clear()
    parameters.refresh()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real log-ins, cheaper hashing: PBKDF2's cost is not what these tests measure."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background jobs run at once, in the test's transaction (django-tasks' immediate
    backend); tests/jobs/test_worker.py runs a real `jigong worker` on the database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_dashboard_warming_after_imports(request):
    """An import that wrote rows queues the warming of every dashboard scope it changed
    (a worker job, jigong/indicators/tasks.py); the immediate backend above would compute
    all those figures inside the import — most of an import test's time (an operator's or
    the city's import: every scope). Off here: a dashboard not warmed computes the same
    figures on its first visit. The tests of the warming itself ask for
    ``warming_after_imports`` (tests/indicators/test_dashboard_cache.py)."""
    if "warming_after_imports" in request.fixturenames:
        yield
        return
    from jigong.core.imports.runner import imported
    from jigong.indicators import cache

    uid = "indicators-warm-after-import"
    assert imported.disconnect(dispatch_uid=uid), "the warming after imports moved"
    yield
    imported.connect(cache._imported, dispatch_uid=uid)


@pytest.fixture
def warming_after_imports():
    """An import warms the dashboards of the scopes it changed, as the worker would."""


@pytest.fixture
def reference_data(db):
    """Districts, taxonomy and catalogue; reloaded when a transactional test flushed them."""
    from jigong.reference.services import ensure_reference_data

    ensure_reference_data()


def make_world() -> SimpleNamespace:
    """Two districts, three schools, one user per role, a registration at each school.

    school_a and school_a2 are in 渝中区 (district_a's district); school_b is in 万州区.
    """
    school_a = f.school(district_code="500103", tier="technician_college", name="重庆甲技师学院")
    school_a2 = f.school(district_code="500103", tier="senior_school", name="重庆乙高级技工学校")
    school_b = f.school(district_code="500101", tier="school", name="万州丙技工学校")
    w = SimpleNamespace(
        school_a=school_a,
        school_a2=school_a2,
        school_b=school_b,
        municipal=f.user("municipal", username="city"),
        district_a=f.user("district", district_=school_a.district, username="yuzhong"),
        district_b=f.user("district", district_=school_b.district, username="wanzhou"),
        user_a=f.user("school", school=school_a, username="school_a"),
        user_b=f.user("school", school=school_b, username="school_b"),
        department=f.user("department", username="dept"),
        graduate=f.user("graduate", username="grad"),
    )
    w.reg_a = f.registration(school_a, name="李明", id_number=f.id_number(sex="M"))
    w.reg_a2 = f.registration(school_a2, name="王芳", id_number=f.id_number(sex="F"))
    w.reg_b = f.registration(school_b, name="赵强", id_number=f.id_number(sex="M", area="500101"))
    return w


@pytest.fixture
def world(db, reference_data):
    """make_world(), made for the test."""
    return make_world()


@contextlib.contextmanager
def built_once(django_db_blocker):
    """For a module fixture: what is made inside is made once, in a transaction rolled
    back when the module ends; each test runs in a savepoint of it (pytest-django's
    ``db``), so a test sees exactly what was made, whatever the tests before it wrote."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def fast_hashing():
    """Passwords hashed as the tests' own are (_fast_password_hashing), for what a module
    fixture makes before any test's settings apply."""
    from django.test.utils import override_settings

    return override_settings(PASSWORD_HASHERS=FAST_HASHERS)


@pytest.fixture(scope="module")
def _world_of_the_module(django_db_setup, django_db_blocker):
    from jigong.reference.services import ensure_reference_data

    with built_once(django_db_blocker):
        with fast_hashing():
            ensure_reference_data()
            w = make_world()
        yield w


@pytest.fixture
def world_of_the_module(_world_of_the_module, db):
    """make_world() made once per module (many tests that each need only a world); each
    test gets its own instances read afresh, so what a test changed in memory or in the
    database is gone for the next."""
    return SimpleNamespace(
        **{
            name: type(obj)._base_manager.get(pk=obj.pk)
            for name, obj in vars(_world_of_the_module).items()
        }
    )
