#!/usr/bin/env bash
# deps.sh [build|test]: installs what gazette needs from Debian's packages,
# only what is missing, on a fresh Debian 12 machine.  Needs root (or sudo).
set -euo pipefail

build_pkgs=(gcc pkg-config meson ninja-build libmicrohttpd-dev libjansson-dev
	libsqlite3-dev libmd4c-dev libyaml-dev zlib1g-dev libstemmer-dev)
test_pkgs=(libcmocka-dev python3-pytest python3-requests curl)

want=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
	want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "deps.sh: installing ${missing[*]}" >&2
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" >/dev/null
