#!/usr/bin/env bash
# The whole test suite: lint, then pytest (on SQLite, or PostgreSQL when DATABASE_URL
# names one) on JIGONG_TEST_WORKERS processes (pytest-xdist, default 2: the machine's
# cores; 0 runs in this process), in a temporary data folder of the suite's own
# (jigong/settings_test.py). Installs what it needs on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
STAMP=.venv/.jigong-test-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ] || [ ! -x .venv/bin/pytest ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
    echo "$WANT" >"$STAMP"
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m jigong makemigrations --check --dry-run >/dev/null
WORKERS="${JIGONG_TEST_WORKERS:-2}"
if [ "$WORKERS" = "0" ]; then
    exec .venv/bin/pytest "$@"
fi
# loadgroup: tests spread one by one, except modules marked xdist_group (module
# fixtures: a server, a source database), which stay on one process.
exec .venv/bin/pytest -n "$WORKERS" --dist loadgroup "$@"
