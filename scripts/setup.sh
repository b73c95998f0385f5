#!/usr/bin/env bash
# One command from a fresh clone to the platform as production runs it, with demo data:
# installs system packages (when root) beside the Python packages, then `jigong up`:
# migrations, the shared cache table, a signing key when none exists, `jigong serve`
# (Granian) and `jigong worker` under one supervisor, and the demo world built beside
# them when the database has none. Ctrl-C stops everything.
#
# A later run keeps every row: it migrates and serves. JIGONG_DEMO_RESET=1 rebuilds the
# demo (refused when users have changed data; add JIGONG_DEMO_FORCE=1 to wipe anyway).
# JIGONG_DEMO_SCALE=small|full|none, PORT=8000, JIGONG_NO_SERVE=1 (build only).
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${JIGONG_DEMO_SCALE:-full}"
PORT="${PORT:-8000}"
T0=$(date +%s)

# Browser (PDFs) and CJK fonts from Debian, installed while pip works; PostgreSQL is optional.
APT_PID=""
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq || true
            apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null
        ) >var-apt.log 2>&1 &
        APT_PID=$!
    else
        echo "提示：未安装 chromium 与 fonts-noto-cjk（打印证书需要；请以 root 运行 apt-get install chromium fonts-noto-cjk）" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# pip only when the project's requirements changed since the last install (a second
# run of this command starts in seconds).
STAMP=.venv/.jigong-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ] || [ ! -x .venv/bin/jigong ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e .
    echo "$WANT" >"$STAMP"
fi
if [ -n "$APT_PID" ]; then
    if ! wait "$APT_PID"; then
        echo "提示：apt-get 安装 chromium/fonts-noto-cjk 失败（见 var-apt.log），打印证书将不可用" >&2
    fi
    rm -f var-apt.log
fi
echo "[setup] 安装完成（$(($(date +%s) - T0)) 秒）"

DEMO_ARGS=(--demo "$SCALE")
if [ "${JIGONG_DEMO_RESET:-0}" = "1" ]; then
    DEMO_ARGS+=(--demo-reset)
    if [ "${JIGONG_DEMO_FORCE:-0}" = "1" ]; then DEMO_ARGS+=(--force); fi
fi

if [ "${JIGONG_NO_SERVE:-0}" = "1" ]; then
    DEMO_ARGS+=(--no-serve)
fi
exec .venv/bin/jigong up --port "$PORT" "${DEMO_ARGS[@]}"
