#!/usr/bin/env bash
# run.sh [SERVE OPTIONS]: installs the build dependencies if missing, builds
# gazette (an optimised build in build/), and serves the built-in sample
# site on http://127.0.0.1:8080 (database: ./gazette.db, created on the
# first run).  Options go to `gazette serve`: scripts/run.sh --listen
# 127.0.0.1:9000 --db site.db.
#
# Safe to run again and again: it configures build/ when it has no
# build.ninja (a first run, or a setup that failed half-way) or when meson
# says the folder is stale, and it is quiet only while everything works:
# meson's and ninja's own messages are shown when they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command quietly; on failure shows what it said, and stops.
quiet() { # WHAT COMMAND...
	local what=$1; shift
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		echo "run.sh: $what failed (its messages are above)" >&2
		exit 1
	fi
}

# A fresh configuration of build/.  A folder meson set up before keeps its
# options (--wipe); anything else there is only what a failed run left.
configure() {
	if [ -f build/meson-private/coredata.dat ] &&
		meson setup --wipe build --buildtype=release >"$log" 2>&1; then
		return
	fi
	rm -rf build
	quiet "configuring the build (meson setup build)" meson setup build --buildtype=release
}

[ -f build/build.ninja ] || configure
if ! ninja -C build >"$log" 2>&1; then
	# A build folder from another meson version, or one that cannot
	# regenerate itself, asks to be set up again; then one more try.
	if grep -qiE 'wipe|reconfigure|incompatible|regenerat' "$log"; then
		configure
		quiet "building (ninja -C build)" ninja -C build
	else
		cat "$log" >&2
		echo "run.sh: building (ninja -C build) failed (its messages are above)" >&2
		exit 1
	fi
fi
# What the build printed, warnings included, stays for whoever asks.
cp "$log" build/meson-logs/build.txt 2>/dev/null || true
rm -f "$log"
trap - EXIT
exec ./build/gazette serve "$@"
