#!/bin/sh
# Runs one libFuzzer harness briefly on a copy of its checked-in seeds (for
# `meson test --suite fuzz`): the repository is never written to.
#
#   run-harness.sh HARNESS SEED_DIR DICT ARTIFACT_DIR [LIBFUZZER_FLAGS...]
#
# Exits 0 when the run ends without a finding.  On a crash, leak, timeout or
# finding, the input is kept in ARTIFACT_DIR (in the build folder), printed
# as hex, and the exit status is non-zero.
set -eu

harness=$1 seeds=$2 dict=$3 artifacts=$4
shift 4

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
# fuzz-http's database lives here too, and goes with it even after a crash.
export TMPDIR="$work/tmp"
if [ -d "$seeds" ]; then
	cp -R "$seeds/." "$work/corpus/"
fi
set --  "$@" "-artifact_prefix=$work/artifacts/" -print_final_stats=1
if [ -f "$dict" ]; then
	set -- "$@" "-dict=$dict"
fi

status=0
# The harness must not find descriptor 3 open (fuzz_http passes its socket there).
"$harness" "$@" "$work/corpus" 3>&- >"$work/log" 2>&1 || status=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$work/log" | tail -n 1)
if [ "$status" -ne 0 ] || ls "$work/artifacts" | grep -q .; then
	tail -n 80 "$work/log"
	mkdir -p "$artifacts"
	for f in "$work/artifacts"/*; do
		[ -f "$f" ] || continue
		cp "$f" "$artifacts/"
		echo "kept $artifacts/$(basename "$f"):"
		od -A d -t x1 -v "$f" | head -n 40
	done
	echo "$(basename "$harness"): FAILED (exit $status) ${runs:+after $runs}"
	# Never 77 (libFuzzer's error code), which meson would count as a skip.
	exit 1
fi
grep -E '^(stat::|INFO: seed corpus|#[0-9]+ +(INITED|DONE)|fuzz_http: answers)' "$work/log" || true
echo "$(basename "$harness"): ${runs:-? runs}, no finding"
