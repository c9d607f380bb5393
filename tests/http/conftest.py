"""Fixtures for the HTTP tests: the real gazette binary, started on a free
port, talked to over real HTTP, and stopped with SIGTERM (which must give
exit status 0 and, under the sanitizers, no report)."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

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
# The last is the server's own leak report for the blocks of its cache's
# file (src/base/filemem.c), which LeakSanitizer and valgrind do not see.
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "blocks of the cache's file are still in use")
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
        self.content = None  # the folder its articles were imported from (make_site's files)
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

    @property
    def port(self):
        """The TCP port it listens on."""
        return urlsplit(self.url).port

    @property
    def host(self):
        """Its address as a Host header names it: 127.0.0.1:PORT."""
        return urlsplit(self.url).netloc

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
        stop_process(self.proc, sig)
        self.log.close()
        return self.proc.returncode, self.log_path.read_text()


def stop_process(proc, sig=signal.SIGTERM, timeout=60):
    """Sends sig to proc if it still runs and waits for it to exit, killing it
    if it outlives timeout; returns its exit status."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


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


class Sites:
    """Sites made for tests: articles written into a folder, imported, served.
    Each is a Server under root; stop_all() stops every one of them."""

    def __init__(self, root):
        self.root = Path(root)
        self.servers = []

    def __call__(self, *flags, files=None, db=None, **kw):
        """A running `gazette serve` with flags.  files ({name: text}, names
        may hold folders): written into a content folder of the site's own
        (server.content) and imported into its database first.  db: the
        database to serve (default: a new one in the site's folder; without
        files, serve fills a new one with the built-in sample site).  kw:
        Server's (env, log_path, preexec_fn)."""
        folder = self.root / f"site{len(self.servers)}"
        folder.mkdir(parents=True, exist_ok=True)
        db = Path(db) if db else folder / "site.db"
        if files is not None:
            build_site(folder / "content", files, db)
        kw.setdefault("log_path", folder / "serve.log")
        s = Server(db, *flags, **kw)
        if files is not None:
            s.content = folder / "content"
        self.servers.append(s)
        return s

    def stop_all(self):
        """Stops every server not stopped yet; fails unless each exited 0
        without a sanitizer report."""
        problems = []
        for s in self.servers:
            rc, log = s.stop()
            if any(mark in log for mark in SANITIZER_MARKS) or rc != 0:
                problems.append(f"gazette serve exited {rc}:\n{log}")
        assert not problems, "\n".join(problems)


@pytest.fixture
def make_site(tmp_path):
    """make_site(*flags, files=None, db=None, **kw) -> Server (see Sites),
    stopped and checked when the test ends."""
    sites = Sites(tmp_path / "sites")
    yield sites
    sites.stop_all()


@pytest.fixture(scope="module")
def make_module_site(tmp_path_factory):
    """make_site for a module's fixtures: its servers run until the module ends."""
    sites = Sites(tmp_path_factory.mktemp("sites"))
    yield sites
    sites.stop_all()


@pytest.fixture
def sample(make_site):
    """A server on a new database: the built-in sample site."""
    return make_site()


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


def sample_db(path):
    """A database holding the built-in sample site, made as `gazette serve`
    makes it (the server is stopped again)."""
    stop_checked(Server(path))
    return path


def backup_db(src, dst):
    """A consistent copy of a database, by SQLite's backup API (a file that
    has a -wal beside it is copied whole)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        b.close()
        a.close()
    return dst


def foreign_db(path, table="users"):
    """An SQLite database of some other program: one table, one row."""
    con = sqlite3.connect(path)
    try:
        con.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute(f"INSERT INTO {table} (name) VALUES ('ann')")
        con.commit()
    finally:
        con.close()
    return path


def words(n, word="lorem"):
    return " ".join([word] * n)


# The gz_cjk tokenizer as an SQLite extension (src/store/fts_cjk_ext.c), beside the
# binary under test: the search index needs it to be written, matched or checked.
# A sanitized build's cannot load into this (unsanitized) Python: take build/'s.
GZ_CJK = os.environ.get("GAZETTE_CJK_EXT") or str(
    (ROOT / "build" if SANITIZED else Path(BIN).resolve().parent) / "gz_cjk")


def connect(db, **kw):
    """sqlite3.connect(db, **kw) with the gz_cjk tokenizer loaded."""
    con = sqlite3.connect(db, **kw)
    con.enable_load_extension(True)
    con.load_extension(str(GZ_CJK))
    con.enable_load_extension(False)
    return con


def query(db, sql, *args):
    """The rows of one SQL query on a database file."""
    con = connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def dump(db):
    """Everything in a database, for before/after comparisons."""
    con = connect(db)
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


@pytest.fixture(scope="module")
def jekyll(jekyll_db, make_module_site):
    """A server on the Jekyll corpus (jekyll_db), for a module's tests."""
    return make_module_site(db=jekyll_db)


# GAZETTE_TEST_PORT_BASE: take ports from BASE up (a block of 4,000) rather
# than from the kernel's ephemeral range, so that two suites run at once
# (scripts/test.sh runs memcheck beside the others) never pick the same
# port between one's probe and its server's bind.
PORT_BASE = int(os.environ.get("GAZETTE_TEST_PORT_BASE", "0"))
_port_next = 0


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    global _port_next
    for _ in range(4000):
        port = 0
        if PORT_BASE:
            port = PORT_BASE + _port_next % 4000
            _port_next += 1
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise AssertionError(f"no free port from {PORT_BASE}")


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




@contextmanager
def threads_running(n, target):
    """Runs target(i, stop) in n threads (i = 0 .. n-1) for as long as the
    with-block lasts; yields stop, the threading.Event they are to watch,
    and sets it and joins them (30 s each at most) when the block ends."""
    stop = threading.Event()
    threads = [threading.Thread(target=target, args=(i, stop), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    try:
        yield stop
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)


# --------------------------------------------------------------------------
# raw HTTP: exact bytes on a connection of the test's own, answers as they came

@dataclass
class Response:
    """One answer, as the server wrote it."""
    status: int
    reason: str
    head: str            # the status line and the header lines, as sent
    headers: dict        # lower-case name -> value (the first one)
    all_headers: list    # (name, value), as sent
    body: bytes

    def header_count(self, name):
        return sum(1 for k, _ in self.all_headers if k.lower() == name)


def request_bytes(method="GET", target="/", headers=(), version="HTTP/1.1", host="localhost",
                  close=True, body=b""):
    """The bytes of one request: the request line, Host (none when host is
    None), headers ("Name: value" lines, or a dict), Connection: close (when
    close), a blank line and body.  Text is sent a character a byte (latin-1),
    so "\\xff" is the byte 0xff."""
    if isinstance(headers, dict):
        headers = [f"{k}: {v}" for k, v in headers.items()]
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += list(headers)
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def split_response(data, method="GET", closed=True):
    """The first response in data and the bytes after it, or None while data
    does not hold all of it.  method: its request's (a HEAD answer has no
    body).  closed: whether the connection has ended (an answer with neither
    Content-Length nor chunked framing runs to the end)."""
    head, sep, after = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})(?: (.*))?$", lines[0])
    assert m, f"not a status line: {lines[0]!r}"
    status = int(m.group(1))
    pairs = []
    for line in lines[1:]:
        k, colon, v = line.partition(":")
        assert colon and k == k.strip() and k, f"a bad header line {line!r}"
        pairs.append((k, v.strip()))
    headers = {}
    for k, v in pairs:
        headers.setdefault(k.lower(), v)
    if 100 <= status < 200 or status in (204, 304) or method == "HEAD":
        body, rest = b"", after
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body, rest = b"", after
        while True:
            size_line, crlf, rest = rest.partition(b"\r\n")
            if not crlf:
                return None
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                _, crlf, rest = rest.partition(b"\r\n")
                if not crlf:
                    return None
                break
            if len(rest) < size + 2:
                return None
            body += rest[:size]
            rest = rest[size + 2:]
    elif "content-length" in headers:
        n = int(headers["content-length"])
        if len(after) < n:
            return None
        body, rest = after[:n], after[n:]
    elif closed:
        body, rest = after, b""
    else:
        return None
    return Response(status, m.group(2) or "", head.decode("latin-1"), headers, pairs, body), rest


def parse_responses(data, methods=()):
    """Splits all a connection received into its responses, by their framing.
    methods: the requests' methods in order (GET for any not named)."""
    out = []
    rest = data
    while rest:
        method = methods[len(out)] if len(out) < len(methods) else "GET"
        got = split_response(rest, method)
        assert got, f"a response cut short: {rest[:300]!r}"
        r, rest = got
        out.append(r)
    return out


class RawConnection:
    """A TCP connection of the test's own to a server: bytes sent exactly as
    given, answers read as they come, every wait bounded by a timeout.
    source: the local address to connect from (127.0.0.2 is another client
    to the per-address limits); rcvbuf: a receive buffer that small (a
    client that reads slowly)."""

    def __init__(self, server, source=None, timeout=10.0, rcvbuf=None):
        self.timeout = timeout
        self.buffer = b""          # read, not yet handed out by read_response
        self.first_byte_at = None  # time.monotonic() when the server's first byte came
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            if source:
                self.sock.bind((source, 0))
            self.sock.settimeout(timeout)
            self.sock.connect(("127.0.0.1", server.port))
        except BaseException:
            self.sock.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, data):
        """Sends all of data; False when the server had closed or reset the
        connection (it may have answered and closed before reading it all)."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return False

    def half_close(self):
        """Tells the server nothing more will be sent (shutdown for writing);
        what it answers can still be read."""
        self.sock.shutdown(socket.SHUT_WR)

    def recv(self, timeout=None, size=65536):
        """The next bytes the server sent (size at the most), waiting up to
        timeout (default: the connection's): b"" once it closed or reset the
        connection, None when nothing came in time."""
        if self.buffer:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
            return data
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            data = self.sock.recv(size)
        except socket.timeout:
            return None
        except (ConnectionResetError, ConnectionAbortedError):
            return b""
        if data and self.first_byte_at is None:
            self.first_byte_at = time.monotonic()
        return data

    def read_until_closed(self, timeout=None):
        """Reads until the server closes the connection (EOF or reset) or
        timeout passes; returns (the bytes, whether it closed)."""
        timeout = self.timeout if timeout is None else timeout
        chunks = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), False
            data = self.recv(left)
            if data is None:
                return b"".join(chunks), False
            if not data:
                return b"".join(chunks), True
            chunks.append(data)

    def read_to_end(self, timeout=None):
        """All the server sends before it closes the connection, which it
        must within timeout."""
        timeout = self.timeout if timeout is None else timeout
        data, closed = self.read_until_closed(timeout)
        assert closed, f"the connection was still open {timeout} s later: {data[:300]!r}"
        return data

    def read_response(self, method="GET", timeout=None):
        """The next whole response on the connection (which may carry more:
        keep-alive, pipelining); fails if the server closes or falls silent
        for timeout before it is all there."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        data, self.buffer, closed = self.buffer, b"", False
        while True:
            got = split_response(data, method, closed)
            if got:
                r, self.buffer = got
                return r
            assert not closed, f"closed before a whole response: {data[:300]!r}"
            more = self.recv(max(deadline - time.monotonic(), 0.001))
            assert more is not None, f"no whole response within {timeout} s: {data[:300]!r}"
            closed = more == b""
            data += more

    def trickle(self, pieces, interval):
        """Sends pieces one at a time, after each waiting up to interval for
        the server, until a send fails or the server closes the connection;
        returns (what the server sent meanwhile, whether it closed)."""
        got = b""
        for piece in pieces:
            if not self.send(piece):
                return got, True
            data = self.recv(interval)
            if data is None:
                continue
            if not data:
                return got, True
            got += data
        return got, False


def exchange(server, data, timeout=10.0, source=None):
    """Sends data on a new connection and reads until the server closes it;
    returns (all it sent back, whether it closed within timeout)."""
    with RawConnection(server, source, timeout) as conn:
        conn.send(data)
        return conn.read_until_closed(timeout)


def answer_to(server, data, method="GET", timeout=30.0, source=None):
    """The one response to data (a request that ends with Connection: close)
    on a new connection: the server must answer once and close."""
    raw, closed = exchange(server, data, timeout, source)
    assert closed, f"the connection was still open {timeout} s later: {raw[:300]!r}"
    rs = parse_responses(raw, [method])
    assert len(rs) == 1, f"{len(rs)} answers to one request: {raw[:600]!r}"
    return rs[0]


def raw_request(server, method="GET", target="/", headers=(), body=b"", host=None,
                timeout=30.0, source=None):
    """One request exactly as given (no client normalises it: see
    request_bytes), on a connection of its own; its Response.  host: the Host
    header (default: the server's own address)."""
    data = request_bytes(method, target, headers, host=host or server.host, body=body)
    return answer_to(server, data, method, timeout, source)


# --------------------------------------------------------------------------
# /metrics

def metrics_text(server, source=None, **kw):
    """/metrics, checked (200, Prometheus' text format, never cached).
    source: asked on a connection of its own from that address (the session's
    may be refused by a limit, or count against one); kw: as server.get's."""
    if source is None:
        r = server.get("/metrics", **kw)
        status, text = r.status_code, r.text
        ctype, cache = r.headers.get("Content-Type", ""), r.headers.get("Cache-Control")
    else:
        r = raw_request(server, "GET", "/metrics", source=source, timeout=5)
        status, text = r.status, r.body.decode()
        ctype, cache = r.headers.get("content-type", ""), r.headers.get("cache-control")
    assert status == 200, (status, text[:300])
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    assert cache == "no-store", cache
    return text


def metrics(server, source=None, **kw):
    """/metrics as {sample: value}, a sample as written, labels and all:
    m['gazette_limit_hits_total{limit="uri"}']."""
    values = {}
    for line in metrics_text(server, source, **kw).splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(None, 1)
            try:
                values[name] = int(value)
            except ValueError:
                values[name] = float(value)
    return values
