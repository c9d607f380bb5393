#!/usr/bin/env bash
# deps.sh [build|test]: installs what gazette needs on a fresh Debian 12
# machine, only what is missing: Debian's packages (apt, as root or with
# sudo) and, for the tests, the pinned npm packages of tests/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(gcc pkg-config meson ninja-build libmicrohttpd-dev libjansson-dev
	libsqlite3-dev libmd4c-dev libyaml-dev zlib1g-dev libsodium-dev libxxhash-dev libbrotli-dev libxml2-dev
	libgumbo-dev libicu-dev libmagic-dev libvips-dev libmimalloc-dev cmake scdoc)
# The tests' real tools: a browser, the Nu checker's Java, nginx, systemd's
# socket activation, Brotli, feed and metrics parsers, JSON Schema (the API contract),
# XML and load tools, and the static analysers of scripts/lint.sh.
test_pkgs=(libcmocka-dev python3-pytest python3-requests python3-brotli python3-feedparser python3-jsonschema
	python3-prometheus-client curl chromium openjdk-17-jre-headless nginx systemd
	libxml2-utils wrk slowhttptest valgrind clang libclang-rt-14-dev clang-tidy cppcheck)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
	want+=("${test_pkgs[@]}")
	command -v npm >/dev/null || want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
		sudo=sudo
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# playwright-core, axe-core, Lighthouse and the Nu checker, at the versions
# the lock file pins (no browser download: Debian's Chromium is used).
if [ "${1:-build}" = test ] && ! [ tests/node_modules/.package-lock.json -nt tests/package-lock.json ]; then
	echo "deps.sh: npm ci (tests/)" >&2
	(cd tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
