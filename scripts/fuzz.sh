#!/bin/sh
# A fuzzing campaign: builds build-fuzz (clang, ASan+UBSan, libFuzzer) if
# needed, then runs each harness for SECONDS with two processes, one after
# the other, and prints the executions of each.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     # default 600 s; all of them
#   HARNESS: frontmatter router template http highlight sanitize media
#
# New corpus entries and crash artifacts go to a work folder outside the
# repository ($GAZETTE_FUZZ_DIR, default ~/.cache/gazette-fuzz/HARNESS/);
# the checked-in seeds (tests/fuzz/corpus/HARNESS) are read, never written.
# Set GAZETTE_FUZZ_JOBS to use more or fewer processes (default 2).
# Exit status: 0 if no harness found anything, 1 otherwise.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
seconds=${1:-600}
[ $# -gt 0 ] && shift
harnesses=${*:-frontmatter router template http highlight sanitize media}
jobs=${GAZETTE_FUZZ_JOBS:-2}
work_root=${GAZETTE_FUZZ_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gazette-fuzz}

case $seconds in
'' | *[!0-9]*) echo "usage: $0 [SECONDS] [frontmatter|router|template|http|highlight|sanitize|media ...]" >&2; exit 2 ;;
esac

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz.sh: clang is missing: apt-get install -y clang libclang-rt-14-dev" >&2
	exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
	# The core library gets coverage instrumentation (fuzzer-no-link); only the
	# harnesses link libFuzzer.
	CC=clang meson setup "$build" "$root" -Dwerror=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link \
		--buildtype=debugoptimized
fi
ninja -C "$build" $(for h in $harnesses; do echo "tests/fuzz/fuzz-$h"; done)

# -max_len per harness, as in tests/fuzz/meson.build.
max_len() {
	case $1 in
	frontmatter) echo 32768 ;;
	router) echo 4096 ;;
	template) echo 16384 ;;
	http) echo 16384 ;;
	sanitize) echo 32768 ;;
	*) echo "fuzz.sh: unknown harness $1" >&2; exit 2 ;;
	esac
}

found=0
summary=""
for h in $harnesses; do
	len=$(max_len "$h")
	exe=$build/tests/fuzz/fuzz-$h
	work=$work_root/$h
	mkdir -p "$work/corpus" "$work/artifacts" "$work/logs" "$work/tmp"
	rm -f "$work/logs"/fuzz-*.log
	rm -rf "$work/tmp"/* # fuzz-http's databases, left behind by a crash
	echo "== $h: $seconds s, $jobs processes, work folder $work"
	# -jobs: each process a full run of max_total_time; logs in the cwd.
	# New inputs go to the first corpus folder (the work one), seeds are read.
	(cd "$work/logs" && TMPDIR="$work/tmp" "$exe" \
		-jobs="$jobs" -workers="$jobs" \
		-max_total_time="$seconds" -max_len="$len" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-dict="$root/tests/fuzz/dict/$h.dict" \
		-artifact_prefix="$work/artifacts/" \
		"$work/corpus" "$root/tests/fuzz/corpus/$h" 3>&- >/dev/null 2>&1) || true
	runs=0
	for log in "$work/logs"/fuzz-*.log; do
		[ -f "$log" ] || continue
		n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -n 1)
		runs=$((runs + ${n:-0}))
	done
	crashes=$(ls "$work/artifacts" | wc -l)
	corpus=$(ls "$work/corpus" | wc -l)
	line="$h: $runs executions in $seconds s x $jobs, corpus $corpus, artifacts $crashes"
	echo "$line"
	summary="$summary$line
"
	if [ "$crashes" -gt 0 ]; then
		found=1
		for f in "$work/artifacts"/*; do
			echo "  $f"
		done
		grep -h -m 3 -E 'FINDING|ERROR: (Address|Undefined|Leak)Sanitizer|runtime error|SUMMARY' \
			"$work/logs"/fuzz-*.log | sed 's/^/  /' || true
	fi
done
echo "== summary"
printf '%s' "$summary"
total=0
for n in $(printf '%s' "$summary" | sed -n 's/^[a-z]*: \([0-9]*\) executions.*/\1/p'); do
	total=$((total + n))
done
echo "total: $total executions"
exit "$found"
