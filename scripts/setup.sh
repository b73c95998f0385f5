#!/usr/bin/env bash
# One command from a fresh clone to a running platform with demo data:
# installs system packages (when root), creates .venv, installs jigong, migrates the
# SQLite database, builds the demo world and serves http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${JIGONG_DEMO_SCALE:-full}"
PORT="${PORT:-8000}"

# Browser (tests, PDFs) and CJK fonts from Debian; PostgreSQL is optional.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq || true
        apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
    else
        echo "提示：未安装 chromium 与 fonts-noto-cjk（请以 root 运行 apt-get install chromium fonts-noto-cjk）" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

export DEBUG="${DEBUG:-1}"
.venv/bin/jigong migrate --noinput
if [ "${JIGONG_SKIP_DEMO:-0}" != "1" ]; then
    .venv/bin/jigong demo --scale "$SCALE" --reset
fi
if [ "${JIGONG_NO_SERVE:-0}" = "1" ]; then
    exit 0
fi
echo "平台地址：http://127.0.0.1:${PORT}/"
exec .venv/bin/jigong runserver "127.0.0.1:${PORT}" --noreload
