"""Settings for the test suite (pytest-django's DJANGO_SETTINGS_MODULE): jigong/settings.py
in a data folder of the run's own, so that no test reads or writes the checkout's
``var/`` (its database, signing keys, PII key, uploads, static files).

The first process of a run makes a temporary root (removed when it exits) and each
pytest-xdist worker works in a folder of it; processes the tests start inherit
``JIGONG_DATA_DIR``. The cache is per process (LocMem): tests that need the shared
database cache start their own server processes.
"""

import atexit
import os
import shutil
import tempfile


def _data_dir() -> str:
    root = os.environ.get("JIGONG_TEST_ROOT")
    if not root:
        root = tempfile.mkdtemp(prefix="jigong-tests-")
        os.environ["JIGONG_TEST_ROOT"] = root
        atexit.register(shutil.rmtree, root, True)
    path = os.path.join(root, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    os.makedirs(path, exist_ok=True)
    return path


os.environ["JIGONG_DATA_DIR"] = _data_dir()
# ID numbers are sealed with this run's key, not a file in a key folder: several tests
# point settings.JIGONG_KEYS_DIR at an empty folder of their own.
os.environ.setdefault("JIGONG_PII_KEY", "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE=")

from jigong.settings import *  # noqa: E402, F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # as production's: the warmed figures of every scope exceed Django's 300 entries
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}
