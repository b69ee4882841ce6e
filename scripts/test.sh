#!/usr/bin/env bash
# Install everything the test suite needs into ./.venv, then run lint, type checks and every test.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# Strict editable mode: setuptools links the six folders into build/__editable__.*/pantau/, a real
# package tree that mypy and import-linter can read (the default mode maps them with an import hook,
# which only Python itself follows). It is refreshed here, so new modules are always seen.
.venv/bin/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=strict
# The browser test drives Debian's Chromium (never a downloaded browser build).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
# tests/deploy checks deploy/pantau.service with systemd-analyze, from Debian's systemd package.
if ! command -v systemd-analyze >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# pytest exits 5 when it collected no test: that is a failure here, as any non-zero status is.
.venv/bin/python -m pytest "$@"
