#!/usr/bin/env bash
# run.sh [SERVE OPTIONS]: installs the build dependencies if missing, builds
# gazette, and serves the built-in sample site on http://127.0.0.1:8080
# (database: ./gazette.db, created on the first run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec ./build/gazette serve "$@"
