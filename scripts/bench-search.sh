#!/usr/bin/env bash
# bench-search.sh BENCH_SEARCH GAZETTE: CPU time a search takes in the store
# (tests/bench/bench_search.c) on a generated corpus of N articles (default
# 2000), with 2,000 two-word queries made as the shared benchmark's
# search-many route makes them: words of four letters or more from the
# titles, drawn with a fixed seed.  `meson test --benchmark search`;
# N=100000 for a large site (the corpus is kept in $BENCH_SEARCH_WORK).
set -euo pipefail
BENCH=$(realpath "$1")
GAZETTE=$(realpath "$2")
cd "$(dirname "$0")/.."
N=${N:-2000}
SHARED=${GAZETTE_SHARED:-$PWD/../shared}
[ -d "$SHARED" ] || SHARED=/work/shared
GEN=$SHARED/bench/make-corpus.py
[ -f "$GEN" ] || { echo "bench-search.sh: no corpus generator at $GEN" >&2; exit 77; }
WORK=${BENCH_SEARCH_WORK:-${TMPDIR:-/tmp}/gazette-bench-search}
mkdir -p "$WORK"
CORPUS=$WORK/corpus-$N
if [ ! -f "$CORPUS/.complete" ]; then
	rm -rf "$CORPUS"
	/usr/bin/python3 "$GEN" "$N" "$CORPUS" >/dev/null
	touch "$CORPUS/.complete"
fi
DB=$WORK/search-$N.db
rm -f "$DB" "$DB-wal" "$DB-shm"
"$GAZETTE" import --db "$DB" "$CORPUS" >/dev/null
printf '%s\0' "$CORPUS"/*.md | xargs -0 grep -h '^title:' | /usr/bin/python3 -c '
import random, re, sys
words = sorted({w.lower() for line in sys.stdin for w in re.findall(r"[A-Za-z]{4,}", line[6:])})
rnd = random.Random(7)
for _ in range(2000):
    print("%s %s" % (rnd.choice(words), rnd.choice(words)))
' > "$WORK/queries.txt"
echo "corpus: N=$N; queries: $WORK/queries.txt"
"$BENCH" "$DB" "$WORK/queries.txt" 3
