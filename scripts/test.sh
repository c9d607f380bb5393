#!/usr/bin/env bash
# test.sh: installs what the tests need, builds gazette twice (optimised with
# -Werror, and with AddressSanitizer + UndefinedBehaviorSanitizer), lints
# src/ (clang-tidy and cppcheck), runs the unit and HTTP suites against both
# builds and the browser suite against the optimised one, memcheck over the
# route suites, and the fuzz harnesses on their seeds (a clang build).
# The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
ART=$ROOT/tests/artifacts
mkdir -p "$ART"
rm -f "$ART"/*.xml

scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }

build() { # DIR MESON-ARGS...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" -Dwerror=true "$@" >"$ART/setup-$(basename "$dir").log" 2>&1 ||
			{ cat "$ART/setup-$(basename "$dir").log"; return 1; }
	fi
	ninja -C "$dir" >"$ART/build-$(basename "$dir").log" 2>&1 ||
		{ tail -40 "$ART/build-$(basename "$dir").log"; return 1; }
}

# A failed meson test or pytest run is counted from its report; a failed
# build or stage counts as one failure, a line in $BROKEN (the stages of the
# background lane run in subshells, which cannot raise a shell variable).
BROKEN=$ART/broken.txt
: >"$BROKEN"
fail() { echo "$1" >>"$BROKEN"; }

# pytest over ARGS with the environment its caller sets (GAZETTE_BIN and the
# like, as assignments before the call), its report in $ART/JUNIT, and the
# last TAIL lines of what it printed.
pytest_stage() { # JUNIT TAIL PYTEST-ARGS...
	local junit=$1 lines=$2
	shift 2
	$PY -m pytest -q -p no:cacheprovider --junitxml="$ART/$junit" "$@" 2>&1 | tail -"$lines"
}

suite() { # NAME BUILD-DIR [PYTEST-ARGS...]
	local name=$1 dir=$2
	shift 2
	echo "== [${SECONDS}s] $name: unit tests (meson test, $dir)"
	meson test -C "$dir" --suite unit --print-errorlogs --num-processes 2 \
		--logbase "unit" >"$ART/$name-unit.log" 2>&1
	grep -E '^ *[0-9]+/[0-9]+ ' "$ART/$name-unit.log" | sed 's/^/   /'
	cp "$dir/meson-logs/unit.junit.xml" "$ART/$name-unit.junit.xml" 2>/dev/null || fail "$name unit"
	echo "== [${SECONDS}s] $name: HTTP tests (pytest, real server on free ports)"
	GAZETTE_BIN=$ROOT/$dir/gazette GAZETTE_SANITIZED=$([ "$name" = asan ] && echo 1 || echo 0) \
		pytest_stage "$name-http.junit.xml" 25 tests/http "$@"
}

# README's first command on a fresh copy without the test-only libraries
# (tests/http/test_first_run.py): three builds from nothing, which need no
# gazette of ours and no quiet machine.
first_run() {
	echo "== [${SECONDS}s] first run: README's scripts/run.sh in fresh copies (release builds)"
	GAZETTE_BIN=$ROOT/build/gazette GAZETTE_SANITIZED=0 GAZETTE_TEST_PORT_BASE=24000 \
		pytest_stage first-run.junit.xml 5 tests/http/test_first_run.py
}

# Static analysis of src/ with the build's compile commands (scripts/lint.sh:
# clang-tidy and cppcheck, about 4 CPU-minutes); any finding not in
# scripts/lint-baseline.txt fails the stage, and that counts as one failure.
lint() { # BUILD-DIR
	echo "== [${SECONDS}s] lint: clang-tidy and cppcheck over src/ ($1/compile_commands.json)"
	scripts/lint.sh "$1" >"$ART/lint.log" 2>&1 || fail lint
	tail -25 "$ART/lint.log" | sed 's/^/   /'
}

# libFuzzer (clang): each harness briefly on its checked-in seeds.
fuzz() {
	echo "== [${SECONDS}s] fuzz: libFuzzer harnesses (build-fuzz, clang, ASan + UBSan)"
	if CC=clang build build-fuzz --buildtype=debugoptimized -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link; then
		meson test -C build-fuzz --suite fuzz --print-errorlogs --logbase fuzz \
			>"$ART/fuzz.log" 2>&1
		grep -E '^ *[0-9]+/[0-9]+ ' "$ART/fuzz.log" | sed 's/^/   /'
		cp build-fuzz/meson-logs/fuzz.junit.xml "$ART/fuzz.junit.xml" 2>/dev/null || fail fuzz
	else
		fail "fuzz build"
	fi
}

# valgrind's memcheck on the HTTP suites that reach the most code: every
# read route, pages, feeds and the API (the release build).  The write,
# abuse, limit and load suites are left to the sanitizers here, being
# mostly waiting under valgrind (the whole HTTP suite under valgrind:
# GAZETTE_VALGRIND_DIR=DIR with pytest tests/http, about 8 minutes).  Each
# gazette writes its report to a file; a test fails on a non-empty one, and
# so does this stage.
memcheck() {
	echo "== [${SECONDS}s] valgrind: HTTP tests under memcheck (build)"
	local vg=$ART/valgrind reports
	rm -rf "$vg" && mkdir -p "$vg"
	[ -x build/gazette ] || return 0
	GAZETTE_BIN=$ROOT/build/gazette GAZETTE_VALGRIND_DIR=$vg GAZETTE_TEST_PORT_BASE=20000 \
		pytest_stage valgrind-http.junit.xml 5 \
		tests/http/test_api.py tests/http/test_pages.py tests/http/test_feeds.py
	reports=$(find "$vg" -type f -size +0 | wc -l)
	echo "   valgrind: $(ls "$vg" | wc -l) processes checked, $reports with a report"
	if [ "$reports" -gt 0 ]; then
		find "$vg" -type f -size +0 | head -3 | xargs head -40
		fail valgrind
	fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# Two lanes on the machine's two cores.  The foreground lane runs the suites
# that watch the clock (the HTTP suites' slow clients and kills);
# the background lane, at nice 19, gives way to it and fills the time the
# foreground spends waiting on sockets and timers: the ASan build, lint,
# README's first command, memcheck (whose tests allow ten times the usual
# timeouts) and the fuzz harnesses.  Its output is printed when it ends.
if ! build build --buildtype=debugoptimized -Dtests=enabled; then
	fail "release build"
fi
rm -f "$ART/asan-built"
(
	renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
	build build-asan --buildtype=debug -Dtests=enabled -Db_sanitize=address,undefined \
		-Db_lundef=false && touch "$ART/asan-built"
	[ -f build/compile_commands.json ] && lint build
	first_run
	memcheck
	fuzz
) >"$ART/background.log" 2>&1 &
background=$!

[ -x build/gazette ] && suite release build --ignore=tests/http/test_first_run.py
while kill -0 "$background" 2>/dev/null && [ ! -f "$ART/asan-built" ]; do sleep 1; done
if [ -f "$ART/asan-built" ]; then
	suite asan build-asan
else
	fail "asan build"
fi
wait "$background"
cat "$ART/background.log"

# The browser suites once, against the optimised build, on a machine with
# nothing else to do: Lighthouse measures it.  The sanitizers watch the HTTP
# suites' traffic.
echo "== [${SECONDS}s] release: browser tests (Chromium, axe-core, Nu checker, Lighthouse)"
if [ -x build/gazette ]; then
	GAZETTE_BIN=$ROOT/build/gazette GAZETTE_SANITIZED=0 \
		pytest_stage release-browser.junit.xml 25 tests/browser
fi

echo "== [${SECONDS}s] every stage run; counting"
sed 's/^/   broken: /' "$BROKEN"
$PY - "$ART" "$(wc -l <"$BROKEN")" <<'PYEOF'
import glob, sys, xml.etree.ElementTree as ET
art, broken = sys.argv[1], int(sys.argv[2])
passed = failed = 0
for f in sorted(glob.glob(art + "/*.junit.xml")):
    for case in ET.parse(f).getroot().iter("testcase"):
        if case.find("skipped") is not None:
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
print(f"{passed} passed, {failed + broken} failed")
sys.exit(1 if failed + broken else 0)
PYEOF
