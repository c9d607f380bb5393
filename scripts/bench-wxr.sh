#!/usr/bin/env bash
# bench-wxr.sh WXR_READ [N...]: makes synthetic WordPress exports of N posts
# (scripts/make-wxr.py; 5000 and 50000 by default) and reads each through
# wxr_read() with a counting sink (WXR_READ: tests/bench/wxr_read.c as
# built, build/tests/wxr-read), printing the file size, the time and the
# peak memory (/usr/bin/time).  Peak memory must not grow with N: the
# reader holds one post at a time.  `meson test --benchmark wxr` runs it.
# With GAZETTE=build/gazette, each export is also imported whole into a
# new database (`gazette import`), timed the same way: what a user moving
# a WordPress site in waits for.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
reader="${1:?usage: bench-wxr.sh WXR_READ [N...]}"
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(5000 50000)

dir="$(mktemp -d "${TMPDIR:-/tmp}/bench-wxr.XXXXXX")"
trap 'rm -rf "$dir"' EXIT

for n in "${sizes[@]}"; do
	file="$dir/export-$n.xml"
	/usr/bin/python3 "$here/make-wxr.py" "$n" > "$file"
	mb=$(( $(stat -c %s "$file") / 1048576 ))
	/usr/bin/time -f "%e s %M KB" -o "$dir/time" "$reader" "$file" > "$dir/out"
	docs=$(sed -n 's/^WXR [0-9.]*: \([0-9]*\) documents.*/\1/p' "$dir/out")
	printf 'wxr: %6d posts, %4d MB: %s documents, %s peak RSS\n' \
		"$n" "$mb" "$docs" "$(cat "$dir/time")"
	if [ -n "${GAZETTE:-}" ]; then
		/usr/bin/time -f "%e s %M KB" -o "$dir/time" "$GAZETTE" import --db "$dir/site.db" \
			"$file" > "$dir/out" 2> "$dir/err"
		printf 'import: %6d posts, %4d MB: %s peak RSS; database %d MB\n' "$n" "$mb" \
			"$(cat "$dir/time")" $(( $(stat -c %s "$dir/site.db") / 1048576 ))
		rm -f "$dir/site.db"
	fi
	rm -f "$file"
done
