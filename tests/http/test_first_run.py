"""README's first command, `scripts/run.sh`, as a new user meets it: a fresh
copy of the project on a machine without the test-only libraries.

`without-packages` (in the shared tools folder) hides every file of the
named Debian packages in a private mount namespace, as on a machine that
never had them: pkg-config, CMake's config files, headers and libraries
all miss them.  It needs root.

Each test copies the files git tracks (as they are in the working tree,
so an uncommitted change is tried too, and a file never added is missing
as it would be from a clone) and builds there from nothing: a release
build, as run.sh makes it."""

import os
import re
import signal
import subprocess
import time

import pytest
import requests

from conftest import ROOT, SANITIZED, SHARED, free_port

HIDE = SHARED / "tools" / "without-packages"
# What the tests need and the server must not: the unit-test library.
TEST_ONLY = ["libcmocka-dev", "libcmocka0"]

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="without-packages needs root"),
    pytest.mark.skipif(not HIDE.exists(), reason=f"no {HIDE}"),
    # These build their own copy and never use the binary under test: the
    # release run covers them, the sanitizer run need not build it all again.
    pytest.mark.skipif(SANITIZED, reason="builds its own copy; run with the release build"),
]


@pytest.fixture
def fresh_copy(tmp_path):
    """The project's tracked files, copied into a new folder."""
    dest = tmp_path / "gazette"
    dest.mkdir()
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], capture_output=True,
                           check=True).stdout
    subprocess.run(["tar", "-C", ROOT, "--null", "-T", "-", "-cf", "-"], input=files,
                   stdout=open(dest / ".copy.tar", "wb"), check=True)
    subprocess.run(["tar", "-C", dest, "-xf", dest / ".copy.tar"], check=True)
    (dest / ".copy.tar").unlink()
    return dest


def hidden(*packages):
    """The command prefix that runs what follows without these packages."""
    return [str(HIDE), *packages, "--"]


def run_sh(copy, *args, hide=TEST_ONLY, timeout=600):
    """Runs scripts/run.sh to completion (for runs that must fail)."""
    return subprocess.run([*hidden(*hide), "scripts/run.sh", *map(str, args)], cwd=copy,
                          capture_output=True, text=True, timeout=timeout)


class RunSh:
    """scripts/run.sh serving in the background, as README tells a user to run it."""

    def __init__(self, copy, hide=TEST_ONLY):
        self.port = free_port()
        self.log_path = copy.parent / "run.log"
        self.log = open(self.log_path, "w+")
        # A session of its own: run.sh ends in `exec gazette serve`, inside
        # the namespace; SIGTERM to the group reaches it.
        self.proc = subprocess.Popen(
            [*hidden(*hide), "scripts/run.sh", "--listen", f"127.0.0.1:{self.port}"],
            cwd=copy, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 600
        while "listening on" not in self.log_path.read_text():
            if self.proc.poll() is not None:
                raise AssertionError(f"run.sh exited {self.proc.returncode}:\n"
                                     + self.log_path.read_text())
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError("run.sh did not serve:\n" + self.log_path.read_text())
            time.sleep(0.2)

    def gazette_pid(self):
        """The gazette that run.sh became, inside the wrapper's session."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            if comm == "gazette" and int(fields[3]) == self.proc.pid:  # its session
                return int(entry)
        return None

    def stop(self):
        """SIGTERM to gazette itself: its exit status is the wrapper's."""
        pid = self.gazette_pid()
        if self.proc.poll() is None and pid:
            os.kill(pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode, self.log_path.read_text()


def run_sh_serves_the_sample(copy):
    """scripts/run.sh in copy serves the sample site, then stops with exit
    status 0 on SIGTERM; returns what it printed."""
    server = RunSh(copy)
    try:
        assert_sample_site(server.url)
    finally:
        rc, log = server.stop()
    assert rc == 0, log
    return log


def assert_sample_site(url):
    """The built-in sample site answers: its pages and its API."""
    home = requests.get(url + "/", timeout=10)
    assert home.status_code == 200 and "What gazette is, and why it is small" in home.text, \
        home.text[:500]
    assert requests.get(url + "/articles/what-is-gazette", timeout=10).status_code == 200
    api = requests.get(url + "/api/v1/articles", timeout=10).json()
    assert api["meta"]["pagination"]["total"] >= 3, api


def assert_cmocka_was_hidden(copy):
    log = (copy / "build" / "meson-logs" / "meson-log.txt").read_text()
    assert re.search(r"Run-time dependency cmocka found: NO", log), \
        "meson found cmocka: the test did not hide it"


def test_readme_first_command_on_a_machine_without_test_libraries(fresh_copy):
    """README: `scripts/run.sh` builds and serves the sample site."""
    assert not (fresh_copy / "build").exists()
    run_sh_serves_the_sample(fresh_copy)
    assert_cmocka_was_hidden(fresh_copy)
    assert (fresh_copy / "gazette.db").exists()
    # The release build compiled every file without a single warning (run.sh
    # keeps what ninja printed in build/meson-logs/build.txt).
    build = (fresh_copy / "build" / "meson-logs" / "build.txt").read_text()
    assert re.search(r"Compiling C object .*gazette\.p/src_cmd_main\.c\.o", build), build[:2000]
    assert "Linking target gazette" in build, build[-2000:]
    warnings = [line for line in build.splitlines() if "warning:" in line]
    assert not warnings, "\n".join(warnings)
    # Run again, on the same folder and database: it builds nothing new and serves.
    log = run_sh_serves_the_sample(fresh_copy)
    assert "created" not in log, "the second run made a new database"


def test_run_sh_recovers_from_an_empty_build_folder(fresh_copy):
    """An empty build/ (a user's mkdir, an interrupted copy) is configured anew."""
    (fresh_copy / "build").mkdir()
    run_sh_serves_the_sample(fresh_copy)
    assert_cmocka_was_hidden(fresh_copy)


def test_run_sh_shows_why_the_build_failed_and_recovers(fresh_copy):
    """Without a build library, meson's own message reaches the user; the
    half-configured build/ that failed setup leaves behind does not stop the
    next run once the library is back."""
    build = fresh_copy / "build"
    r = run_sh(fresh_copy, "--listen", f"127.0.0.1:{free_port()}",
               hide=[*TEST_ONLY, "libjansson-dev"], timeout=300)
    assert r.returncode != 0
    assert re.search(r"Dependency \"?jansson\"? not found", r.stderr), r.stderr
    assert "meson setup" in r.stderr, r.stderr
    # What the failed `meson setup` left: its private folder, no build.ninja.
    assert (build / "meson-private").is_dir() and not (build / "build.ninja").exists()
    # Put right (the library is back), the same command builds and serves.
    run_sh_serves_the_sample(fresh_copy)
    assert_cmocka_was_hidden(fresh_copy)


def test_readme_lists_what_the_build_needs_and_every_address():
    """README tells the truth: every build library and every address."""
    readme = (ROOT / "README.md").read_text()
    deps = (ROOT / "scripts" / "deps.sh").read_text()
    build_pkgs = re.search(r"build_pkgs=\(([^)]*)\)", deps).group(1).split()
    for pkg in build_pkgs:
        assert pkg in readme, f"README does not list the build dependency {pkg}"
    test_pkgs = re.search(r"test_pkgs=\(([^)]*)\)", deps).group(1).split()
    for pkg in test_pkgs:
        assert pkg in readme, f"README does not list the test dependency {pkg}"
    for path in ["/feed.xml", "/rss.xml", "/feed.json", "/sitemap.xml", "/robots.txt",
                 "/healthz", "/metrics", "/api/v1/openapi.json", "/tags/TAG/feed.xml"]:
        assert f"`{path}" in readme, f"README's table of addresses lacks {path}"
