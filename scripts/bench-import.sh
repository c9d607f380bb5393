#!/usr/bin/env bash
# bench-import.sh [GAZETTE]: how long `gazette import` takes, and its peak
# memory, for a generated corpus (N articles, 10000) against Hugo building
# the same files into a site.  Prints one line per tool and the ratio.
#
# Hugo (Debian's package) gets the smallest layouts that render every
# article and a paginated list, so that it does the same work gazette's
# import does: parse the front matter, render the Markdown, index lists.
# Needs /usr/bin/time and hugo (apt-get install hugo time); the corpus
# generator comes from the shared benchmark folder (../shared/bench).
set -euo pipefail
GAZETTE=$(realpath "${1:-$(dirname "$0")/../build/gazette}")
cd "$(dirname "$0")/.."
N=${N:-10000}
SHARED=${GAZETTE_SHARED:-$PWD/../shared}
[ -d "$SHARED" ] || SHARED=/work/shared
GEN=$SHARED/bench/make-corpus.py
for tool in hugo /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-import.sh: $tool is missing" >&2; exit 77; }
done
[ -f "$GEN" ] || { echo "bench-import.sh: no corpus generator at $GEN" >&2; exit 77; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$GEN" "$N" "$WORK/corpus" >/dev/null 2>&1

# A Hugo site over the same files.
mkdir -p "$WORK/hugo/content/articles" "$WORK/hugo/layouts/_default"
cp "$WORK/corpus"/*.md "$WORK/hugo/content/articles/"
cat >"$WORK/hugo/config.toml" <<'EOF'
baseURL = "http://127.0.0.1/"
title = "bench"
paginate = 20
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
EOF
cat >"$WORK/hugo/layouts/_default/single.html" <<'EOF'
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head>
<body><article><h1>{{ .Title }}</h1><p>{{ .Summary }}</p>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .ReadingTime }} min read</p>{{ .Content }}</article></body></html>
EOF
cat >"$WORK/hugo/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>
{{ range (.Paginate .Site.RegularPages).Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ end }}
</body></html>
EOF

# run NAME COMMAND...: wall seconds and peak resident KiB, from /usr/bin/time.
run() {
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 ||
		{ cat "$WORK/$name.log" >&2; exit 1; }
	read -r secs kib <"$WORK/$name.time"
	printf '%-16s %8.2f s %8d MiB peak\n' "$name" "$secs" $((kib / 1024))
	eval "${name//-/_}_secs=$secs"
}
# Hugo must have written a page per article, or it did not do the work.
pages() { find "$WORK/public/articles" -name index.html | wc -l; }

echo "import of $N generated articles:"
run gazette-import "$GAZETTE" import --db "$WORK/site.db" "$WORK/corpus"
run hugo-build hugo --source "$WORK/hugo" --destination "$WORK/public" --quiet
[ "$(pages)" -ge "$N" ] || { echo "bench-import.sh: hugo wrote $(pages) article pages" >&2; exit 1; }
/usr/bin/python3 -c "import sys; g, h = map(float, sys.argv[1:]); print(f'gazette / hugo time: {g / h:.2f}')" \
	"$gazette_import_secs" "$hugo_build_secs"
