#!/usr/bin/env bash
# bench.sh [GAZETTE]: imports a generated corpus into a fresh database, starts
# gazette on it and measures each route with wrk: requests per second and
# p99 latency.  Knobs: N (articles, 2000), DURATION (5s), CONNS (32),
# THREADS (gazette --threads; default one per core).  Needs wrk and the
# corpus generator of the shared benchmark folder (../shared/bench).
# For gazette against nginx and Express, use ../shared/bench/run.sh.
set -euo pipefail
GAZETTE=$(realpath "${1:-$(dirname "$0")/../build/gazette}")
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${N:-2000}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-32}
SHARED=${GAZETTE_SHARED:-$ROOT/../shared}
[ -d "$SHARED" ] || SHARED=/work/shared
GEN=$SHARED/bench/make-corpus.py
command -v wrk >/dev/null || { echo "bench.sh: wrk is missing (apt-get install wrk)" >&2; exit 77; }
[ -f "$GEN" ] || { echo "bench.sh: no corpus generator at $GEN" >&2; exit 77; }

WORK=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

/usr/bin/python3 "$GEN" "$N" "$WORK/corpus" >/dev/null 2>&1
"$GAZETTE" import --db "$WORK/site.db" "$WORK/corpus"

args=(serve --db "$WORK/site.db" --listen 127.0.0.1:0)
[ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
"$GAZETTE" "${args[@]}" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 100); do
	url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -1 || true)
	[ -n "$url" ] && break
	sleep 0.05
done
[ -n "$url" ] || { cat "$WORK/serve.log" >&2; exit 1; }

# Request lists: every article, and many different two-word searches.
grep -h '^slug:' "$WORK"/corpus/*.md | sed 's/^slug: *//' >"$WORK/slugs"
sed 's#^#/articles/#' "$WORK/slugs" >"$WORK/articles"
sed 's#^#/api/v1/articles/#' "$WORK/slugs" >"$WORK/api-articles"
grep -h '^title:' "$WORK"/corpus/*.md | /usr/bin/python3 -c '
import random, re, sys
words = sorted({w.lower() for line in sys.stdin for w in re.findall(r"[A-Za-z]{4,}", line[6:])})
rnd = random.Random(11)
for _ in range(20000):
    print("/search?q=%s+%s" % (rnd.choice(words), rnd.choice(words)))' >"$WORK/searches"

printf '%-28s %10s %9s %7s\n' route req/s p99_ms errors
run() { # NAME PATH [LIST]
	local list=()
	[ -n "${3:-}" ] && list=(-- "$3")
	wrk -t1 -c"$CONNS" -d1s -s scripts/bench-paths.lua "$url$2" "${list[@]}" >/dev/null 2>&1 || true
	local out
	out=$(wrk -t1 -c"$CONNS" -d"$DURATION" -s scripts/bench-paths.lua "$url$2" "${list[@]}" 2>&1 |
		grep '^RESULT' || echo "RESULT - - -")
	read -r _ rps p99 errs <<<"$out"
	printf '%-28s %10s %9s %7s\n' "$1" "$rps" "$p99" "$errs"
}
run "/" /
run "/articles/{slug}" /articles/x "$WORK/articles"
run "/api/v1/articles?limit=20" "/api/v1/articles?limit=20"
run "/api/v1/articles/{slug}" /api/v1/articles/x "$WORK/api-articles"
run "/search?q=glacier" "/search?q=glacier"
run "/search (20,000 distinct)" /search "$WORK/searches"
echo "peak RSS of gazette serve: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status)"
