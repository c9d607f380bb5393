"""Fixtures for the HTTP tests: the real gazette binary, started on a free
port, talked to over real HTTP, and stopped with SIGTERM (which must give
exit status 0 and, under the sanitizers, no report)."""

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

import contract

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("GAZETTE_BIN", str(ROOT / "build" / "gazette"))
SANITIZED = os.environ.get("GAZETTE_SANITIZED") == "1"
# The project's shared folder (corpora, benchmark) sits next to the checkout;
# GAZETTE_SHARED points elsewhere when the checkout is somewhere else.
SHARED = Path(os.environ.get("GAZETTE_SHARED", ROOT.parent / "shared"))
if not SHARED.is_dir() and Path("/work/shared").is_dir():
    SHARED = Path("/work/shared")
JEKYLL = SHARED / "corpora" / "jekyll-posts"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
# GAZETTE_VALGRIND_DIR: run every gazette the tests start under valgrind's
# memcheck, each writing its report to a file there (empty when clean).
VALGRIND_DIR = os.environ.get("GAZETTE_VALGRIND_DIR")
WRAP = ["valgrind", "--quiet", f"--log-file={VALGRIND_DIR}/%p.log", "--error-exitcode=97",
        "--leak-check=full", "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
        "--num-callers=30"] if VALGRIND_DIR else []
# Builds whose every step is many times slower than a release build's.
SLOW = SANITIZED or bool(VALGRIND_DIR)


def command(*args):
    """The command line that runs gazette with args (under valgrind if asked)."""
    return [*WRAP, BIN, *map(str, args)]


def mime(r):
    """A response's media type, without parameters."""
    return r.headers.get("Content-Type", "").split(";")[0].strip()


def add_token(db, name, scope="write"):
    """`gazette token add`: the token, printed once on stdout alone."""
    r = run_gazette("token", "add", name, "--db", db, "--scope", scope)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and re.fullmatch(r"[A-Za-z0-9_-]{32,}", lines[0]), r.stdout
    return lines[0]


def run_gazette(*args, env=None, timeout=120):
    """Runs a gazette command to completion; returns the CompletedProcess."""
    return subprocess.run(command(*args), capture_output=True, text=True,
                          env=env, timeout=timeout * (10 if VALGRIND_DIR else 1))


@pytest.fixture(autouse=True)
def valgrind_clean():
    """Under valgrind, fails the test whose gazette processes reported errors."""
    if not VALGRIND_DIR:
        yield
        return
    before = set(os.listdir(VALGRIND_DIR))
    yield
    reports = []
    for name in sorted(set(os.listdir(VALGRIND_DIR)) - before):
        text = (Path(VALGRIND_DIR) / name).read_text(errors="replace")
        if text.strip():
            reports.append(f"{name}:\n{text}")
    assert not reports, "valgrind:\n" + "\n".join(reports)


def assert_no_sanitizer_report(text):
    for mark in SANITIZER_MARKS:
        assert mark not in text, f"sanitizer report:\n{text}"


def as_nobody():
    """A preexec_fn that runs the child as nobody (root ignores file modes);
    None when the tests do not run as root."""
    def pre():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    return pre if os.geteuid() == 0 else None


@pytest.fixture
def public_dir():
    """A folder outside pytest's (0700) tmp tree, usable by nobody."""
    import shutil
    import tempfile
    d = Path(tempfile.mkdtemp(prefix="gazette-ro-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    for p in sorted(d.rglob("*"), reverse=True):
        p.chmod(0o755 if p.is_dir() else 0o644)
    d.chmod(0o755)
    shutil.rmtree(d)


def chown_tree(path):
    """Gives path and all below it to nobody (when the tests run as root)."""
    if os.geteuid() == 0:
        for p in [path, *path.rglob("*")]:
            os.chown(p, 65534, 65534)


class Server:
    """A running `gazette serve` on 127.0.0.1 and a free port."""

    def __init__(self, db, *extra, env=None, log_path=None, preexec_fn=None):
        """log_path: where its output goes (default: beside db, as DB.log);
        several servers on one database each need their own.  preexec_fn:
        as subprocess's (as_nobody() runs it as another user)."""
        self.db = Path(db)
        self.log_path = Path(log_path) if log_path else self.db.with_suffix(".log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
            command("serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "2", *extra),
            stdout=self.log, stderr=subprocess.STDOUT, env=env, preexec_fn=preexec_fn)
        try:
            self.url = self._wait_for_url()
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise
        self.session = requests.Session()
        self.base_paths = base_paths(self.url, extra, env)

    def _wait_for_url(self):
        deadline = time.monotonic() + (120 if VALGRIND_DIR else 30)
        while time.monotonic() < deadline:
            text = self.log_path.read_text()
            m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", text)
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                raise RuntimeError(f"gazette serve exited {self.proc.returncode}:\n{text}")
            time.sleep(0.02)
        raise RuntimeError("gazette serve did not start:\n" + self.log_path.read_text())

    # Every answer of the API (under /api) that get() and request() hand a
    # test has been checked against static/openapi.json (contract.py).
    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self._checked(self.session.get(self._url(path), timeout=30, **kw), kw)

    def request(self, method, path, **kw):
        kw.setdefault("allow_redirects", False)
        return self._checked(self.session.request(method, self._url(path), timeout=30, **kw), kw)

    def _url(self, path):
        return path if path.startswith(("http://", "https://")) else self.url + path

    def _checked(self, r, kw):
        """Checks every API answer (redirects followed included) against the spec."""
        if not kw.get("stream"):
            for answer in [*r.history, r]:
                target = contract.api_target(answer.request.path_url,
                                             getattr(self, "base_paths", ()))
                if target is not None:
                    contract.check_answer(answer.request.method, target, answer)
        return r

    def stop(self, sig=signal.SIGTERM):
        """Stops the server; returns its exit status and log."""
        self.session.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode, self.log_path.read_text()


def base_paths(url, extra=(), env=None):
    """The paths a server's requests may carry before /api: its own URL's and
    its public URL's (--public-url or GAZETTE_PUBLIC_URL), which it strips."""
    from urllib.parse import urlsplit
    public = (env if env is not None else os.environ).get("GAZETTE_PUBLIC_URL")
    extra = [str(a) for a in extra]
    for i, a in enumerate(extra):
        if a == "--public-url" and i + 1 < len(extra):
            public = extra[i + 1]
        elif a.startswith("--public-url="):
            public = a.split("=", 1)[1]
    paths = [urlsplit(url).path]
    if public:
        paths.append(urlsplit(public).path)
    return tuple(p.rstrip("/") for p in paths if p.rstrip("/"))


def pytest_terminal_summary(terminalreporter):
    if contract.counts["checked"]:
        terminalreporter.section("API contract (static/openapi.json)")
        for line in contract.summary_lines():
            terminalreporter.write_line(line)


@pytest.fixture
def start_server(tmp_path):
    """start_server(db=None, *flags) -> Server; every one is stopped and checked."""
    servers = []

    def start(db=None, *extra, env=None):
        s = Server(db or tmp_path / f"site{len(servers)}.db", *extra, env=env)
        servers.append(s)
        return s

    yield start
    for s in servers:
        rc, log = s.stop()
        assert_no_sanitizer_report(log)
        assert rc == 0, f"gazette serve exited {rc}:\n{log}"


@pytest.fixture
def sample(start_server):
    """A server on a new database: the built-in sample site."""
    return start_server()


def write(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def article(title, date="2025-02-04T10:00:00Z", body="Some words here.", **fields):
    """The text of an article file with the given front matter."""
    lines = ["---", f"title: {title}"]
    if date is not None:
        lines.append(f"date: {date}")
    for k, v in fields.items():
        lines.append(f"{k}: {v}")
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def import_paths(db, *paths):
    """Runs a successful `gazette import` (checked, sanitizer-clean)."""
    r = run_gazette("import", "--db", db, *paths)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 0, r.stderr
    return r


def build_site(folder, files, db):
    """Writes files ({name: text}) into folder and imports it into db."""
    for name, text in files.items():
        write(folder / name, text)
    import_paths(db, folder)
    return db


def stop_checked(server):
    """Stops a server started by hand: exit 0 and no sanitizer report."""
    rc, log = server.stop()
    assert_no_sanitizer_report(log)
    assert rc == 0, f"gazette serve exited {rc}:\n{log}"


def words(n, word="lorem"):
    return " ".join([word] * n)


def query(db, sql, *args):
    """The rows of one SQL query on a database file."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def dump(db):
    """Everything in a database, for before/after comparisons."""
    con = sqlite3.connect(db)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


@pytest.fixture(scope="session")
def jekyll_db(tmp_path_factory):
    """A database with the Jekyll corpus imported (shared, read-only)."""
    db = tmp_path_factory.mktemp("jekyll") / "jekyll.db"
    r = run_gazette("import", "--db", db, JEKYLL)
    assert r.returncode == 0, r.stderr
    assert_no_sanitizer_report(r.stderr)
    return db


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=10.0, interval=0.02, what="a condition"):
    """Polls predicate() until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


