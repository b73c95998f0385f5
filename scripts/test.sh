#!/usr/bin/env bash
# The whole test suite: lint, then pytest (on SQLite, or PostgreSQL when DATABASE_URL
# names one). Installs what it needs on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q -e ".[test]"
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m jigong makemigrations --check --dry-run >/dev/null
.venv/bin/pytest "$@"
