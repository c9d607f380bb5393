#!/usr/bin/env bash
# lint.sh BUILD-DIR: static analysis of every C file of src/ (and of the
# headers they include from src/ and include/gazette/), with the compile
# commands meson wrote in BUILD-DIR/compile_commands.json:
#
#   clang-tidy  the checks of .clang-tidy: bug patterns, the static analyser,
#               and the limits on a function's size and cognitive complexity
#   cppcheck    --enable=warning,performance,portability,style
#
# The two run at once, clang-tidy over JOBS files in parallel (default: the
# number of cores; about 4 CPU-minutes in all).  Each finding is printed as
# "file:line: message [check]", then one summary line.  Exit status 1 on a
# finding that scripts/lint-baseline.txt does not allow, on a file of src/
# missing from the compile commands, or when a tool fails; baseline entries
# that no longer occur are reported (remove them) but do not fail.
#
# Suppressing: in .clang-tidy (a check turned off, with its reason), or on
# the line above the finding, always with the reason beside it:
#   /* NOLINTNEXTLINE(check-name): why */    (clang-tidy)
#   /* cppcheck-suppress id ; why */          (cppcheck)
#
#   scripts/lint.sh build                # what CI runs (scripts/test.sh, meson test --suite lint)
#   scripts/lint.sh build src/site/api.c # only these files (and the headers they include)
#   JOBS=1 scripts/lint.sh build         # on a busy machine
set -uo pipefail

if [ $# -lt 1 ] || [ ! -f "$1/compile_commands.json" ]; then
	echo "usage: $0 BUILD-DIR [FILE...]   (BUILD-DIR: a meson build folder, with compile_commands.json)" >&2
	exit 2
fi
BUILD=$(cd "$1" && pwd)
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
only=()
for f in "$@"; do
	only+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
PY=/usr/bin/python3
CLANG_TIDY=${CLANG_TIDY:-clang-tidy}
CPPCHECK=${CPPCHECK:-cppcheck}
JOBS=${JOBS:-$(nproc)}
for tool in "$CLANG_TIDY" "$CPPCHECK" "$PY"; do
	command -v "$tool" >/dev/null ||
		{ echo "lint: $tool is missing (scripts/deps.sh test installs it)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

# The compile commands of src/'s files alone, with absolute paths (cppcheck's
# --project takes every entry of the file it is given), and the list of
# src/'s files the build does not compile: those would go unchecked.
"$PY" - "$BUILD" "$ROOT" "$tmp" "${only[@]}" <<'PYEOF' || exit 1
import json, os, sys
build, root, tmp, only = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4:])
src = os.path.join(root, "src") + os.sep
seen, keep = set(), []
for e in json.load(open(os.path.join(build, "compile_commands.json"))):
    f = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if only and f not in only:
        continue
    if f.startswith(src) and f not in seen:
        seen.add(f)
        keep.append(dict(e, file=f))
json.dump(keep, open(os.path.join(tmp, "compile_commands.json"), "w"), indent=1)
# Largest first, so that the last file to finish is a short one.
with open(os.path.join(tmp, "files"), "w") as out:
    for f in sorted(seen, key=lambda f: -os.path.getsize(f)):
        out.write(f + "\n")
with open(os.path.join(tmp, "unbuilt"), "w") as out:
    for d, _, names in os.walk(src):
        for n in sorted(names):
            f = os.path.join(d, n)
            if n.endswith(".c") and f not in seen and (not only or f in only):
                out.write(os.path.relpath(f, root) + "\n")
PYEOF

# cppcheck, alongside clang-tidy: a few seconds of one core.
cppcheck_args=(
	--project="$tmp/compile_commands.json"
	--enable=warning,performance,portability,style
	--library=posix,gnu,sqlite3,zlib
	--library="$ROOT/scripts/lint-jansson.cfg" # jansson's foreach macros (cppcheck reads no system header)
	--inline-suppr
	--quiet
	--template='{file}:{line}: {message} [cppcheck-{id}]'
	# Checks turned off, one line each with its reason:
	--suppress=readdirCalled # readdir_r() is deprecated (glibc 2.24); readdir() is safe on a DIR that one thread owns, as every one of ours is
)
"$CPPCHECK" "${cppcheck_args[@]}" >"$tmp/cppcheck.out" 2>"$tmp/cppcheck.txt" &
cppcheck_pid=$!

# clang-tidy, one process per file, JOBS at a time; each file's report apart.
# One file a process on purpose: clang-tidy 14 carries its va_list checker's
# state from one file to the next, and then reports every va_start ...
# vsnprintf pair of the later files (log.c's, buf.c's) as uninitialised.
mkdir -p "$tmp/tidy"
export CLANG_TIDY ROOT tmp
xargs -a "$tmp/files" -P "$JOBS" -I{} bash -c '
	o="$tmp/tidy/$(echo "${1#"$ROOT"/}" | tr / _)"
	"$CLANG_TIDY" -p "$tmp" --config-file="$ROOT/.clang-tidy" --quiet "$1" >"$o.out" 2>"$o.err"
	echo "$? $1" >"$o.rc"' _ {}

wait "$cppcheck_pid"
echo "$? cppcheck" >"$tmp/cppcheck.rc"

"$PY" - "$ROOT" "$BUILD" "$tmp" "$(($(date +%s) - start))" "${#only[@]}" <<'PYEOF'
import glob, os, re, sys
from collections import Counter
root, build, tmp, secs, some = sys.argv[1:]
# clang-tidy: "file:line:col: warning: message [check]"; cppcheck (the
# template above): "file:line: message [cppcheck-id]"; the baseline as cppcheck.
TIDY = re.compile(r"^(\S[^:]*):(\d+):\d+: (?:warning|error): (.*\[[^\]\s]+\])$")
FINDING = re.compile(r"^(\S[^:]*):(\d+): (.*\[[^\]\s]+\])$")
baseline_path = os.path.join(root, "scripts", "lint-baseline.txt")

def rel(path):
    """A path relative to the checkout; clang-tidy's are as the compile
    command spells them, relative to the build folder."""
    return os.path.relpath(os.path.normpath(os.path.join(build, path)), root)

def parse(text, tool):
    out = []
    for line in text.splitlines():
        m = (TIDY if tool == "clang-tidy" else FINDING).match(line)
        if m:
            out.append((rel(m.group(1)), int(m.group(2)), m.group(3), tool))
    return out

findings, broken = [], []
for rc_file in sorted(glob.glob(os.path.join(tmp, "tidy", "*.rc"))):
    base = rc_file[:-3]
    rc, path = open(rc_file).read().split(" ", 1)
    found = parse(open(base + ".out").read(), "clang-tidy")
    findings += found
    if rc != "0" and not found:
        err = open(base + ".err").read().strip().splitlines()[-5:]
        broken.append(f"clang-tidy failed on {rel(path.strip())} (exit {rc}): " + " / ".join(err))
rc = open(os.path.join(tmp, "cppcheck.rc")).read().split()[0]
cpp = open(os.path.join(tmp, "cppcheck.txt")).read()
findings += parse(cpp, "cppcheck")
if rc != "0":
    broken.append(f"cppcheck failed (exit {rc}): {cpp.strip()[-400:]}")
for f in open(os.path.join(tmp, "unbuilt")).read().split():
    findings.append((f, 1, "not in the compile commands, so never checked [lint-unbuilt]", "lint"))

# Only our own files count (the analyser may step into a library's header);
# a finding reached from several files is one finding.
findings = sorted({x for x in findings if x[0].startswith(("src/", "include/gazette/"))})

# The baseline: "file:line: message [check] | reason", one allowed finding a
# line.  Matched on file and message, not the line number, so that edits
# above a finding do not move it out of the baseline.
allowed, entries, bad = Counter(), [], []
if os.path.exists(baseline_path):
    for n, line in enumerate(open(baseline_path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        finding, _, reason = line.rpartition(" | ")
        m = FINDING.match(finding)
        if not m or not reason.strip():
            bad.append(f"scripts/lint-baseline.txt:{n}: not \"file:line: message [check] | reason\"")
            continue
        key = (m.group(1), m.group(3))
        allowed[key] += 1
        entries.append((key, finding))

new, used = [], Counter()
for f, line, msg, tool in findings:
    key = (f, msg)
    if used[key] < allowed[key]:
        used[key] += 1
    else:
        new.append(f"{f}:{line}: {msg}")
# With some files only, the others' entries are not looked at.
checked = {rel(f) for f in open(os.path.join(tmp, "files")).read().split()}
stale, left = [], allowed - used
for key, finding in entries:
    if some != "0" and key[0] not in checked:
        continue
    if left[key] > 0:
        left[key] -= 1
        stale.append(finding)

for line in new + bad + broken:
    print(line)
for finding in stale:
    print(f"lint: no longer found, remove from scripts/lint-baseline.txt: {finding}")
files = len(open(os.path.join(tmp, "files")).read().split())
by_tool = Counter(x[3] for x in findings)
print(f"lint: {files} files of src/ in {secs} s; clang-tidy {by_tool['clang-tidy']}, cppcheck "
      f"{by_tool['cppcheck']} findings, {sum(used.values())} of them allowed by the baseline; "
      f"{len(new)} new{', tool failures: ' + str(len(broken)) if broken else ''}")
sys.exit(1 if new or bad or broken else 0)
PYEOF
