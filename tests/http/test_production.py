"""Production: forwarded headers and the access log, SIGHUP, graceful SIGTERM
during a slow download, UNIX sockets, socket activation (systemd-socket-activate
and a hand-made LISTEN_FDS takeover), /metrics read by the real Prometheus
parser, and --read-only serving a replica that is replaced under it.

Every process a test starts is stopped by PID in a fixture teardown; every load
is bounded in time; only 127.0.0.1 and free ports are used."""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from conftest import (BIN, VALGRIND_DIR, RawConnection, article, assert_no_sanitizer_report,
                      backup_db, build_site, free_port, import_paths, metrics_text,
                      request_bytes, stop_checked, stop_process, threads_running, wait_for,
                      write)

# The combined log format, then the time taken in seconds. Quoted fields may
# hold escaped quotes (\" as Apache writes them, or \x22 as nginx does), never
# a bare one.
QUOTED = r'"((?:[^"\\]|\\.)*)"'
LOG_LINE = re.compile(
    r'^(?P<client>\S+) (?P<ident>-) (?P<user>-) '
    r'\[(?P<time>\d{2}/(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] '
    + QUOTED.replace("(", "(?P<request>", 1) + r' (?P<status>\d{3}) (?P<bytes>\d+|-) '
    + QUOTED.replace("(", "(?P<referer>", 1) + " "
    + QUOTED.replace("(", "(?P<agent>", 1) + r' (?P<seconds>\d+\.\d+)$')


# --- helpers -----------------------------------------------------------------

@pytest.fixture
def spawn(tmp_path):
    """spawn(args, log_name, **popen) -> Popen with .log_path; anything still
    running at the end is killed by its PID (tests stop theirs themselves)."""
    procs = []

    def start(args, log_name, **kw):
        log_path = tmp_path / log_name
        log = open(log_path, "w+")
        try:
            p = subprocess.Popen([str(a) for a in args], stdout=log, stderr=subprocess.STDOUT, **kw)
        except BaseException:
            log.close()
            raise
        p.log_path, p.log_file = log_path, log
        procs.append(p)
        return p

    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)
        p.log_file.close()


def finish(proc, sig=signal.SIGTERM, timeout=30):
    """Signals a spawned gazette, waits for it; returns (exit status, log)."""
    rc = stop_process(proc, sig, timeout)
    log = proc.log_path.read_text()
    assert_no_sanitizer_report(log)
    return rc, log


def log_lines(path):
    try:
        return [line for line in path.read_text().splitlines() if line]
    except FileNotFoundError:
        return []


def line_for(path, agent, timeout=5):
    """The one access log line whose user agent is `agent` (waits for it)."""
    def find():
        hits = [line for line in log_lines(path) if f'"{agent}"' in line]
        return hits or None
    hits = wait_for(find, timeout, what=f"an access log line for {agent!r} in {path}")
    assert len(hits) == 1, hits
    return hits[0]


def parsed(line):
    m = LOG_LINE.match(line)
    assert m, f"not the combined log format plus a request time: {line!r}"
    return m


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a UNIX stream socket."""

    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = str(path)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self.unix_path)
        except BaseException:
            s.close()
            raise
        self.sock = s


def unix_get(path, target, headers=None):
    conn = UnixHTTPConnection(path)
    try:
        conn.request("GET", target, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def get_fresh(port, target, timeout=10):
    """One GET on a new connection (Connection: close); returns the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", target, headers={"Connection": "close"})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def sanitizer_env_flags():
    """systemd-socket-activate passes on only a few variables: name the
    sanitizer ones (-E VAR copies VAR from our environment)."""
    flags = []
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if var in os.environ:
            flags += ["-E", var]
    return flags


# --- 2. forwarded headers and the access log ---------------------------------

def test_forwarded_headers_from_an_untrusted_peer_change_nothing(tmp_path, make_site):
    alog = tmp_path / "access.log"
    s = make_site("--access-log", alog)
    spoofs = {
        "untrusted-xff": {"X-Forwarded-For": "198.51.100.7"},
        "untrusted-chain": {"X-Forwarded-For": "6.6.6.6, 198.51.100.7"},
        "untrusted-forwarded": {"Forwarded": 'for="[2001:db8::1]:4711"'},
        "untrusted-both": {"X-Forwarded-For": "203.0.113.1", "Forwarded": "for=203.0.113.2",
                           "X-Real-IP": "203.0.113.3"},
    }
    for agent, headers in spoofs.items():
        assert s.get("/", headers={"User-Agent": agent, **headers}).status_code == 200
    for agent in spoofs:
        m = parsed(line_for(alog, agent))
        assert m["client"] == "127.0.0.1", (agent, m.group(0))
    # X-Forwarded-Host and -Proto from an untrusted peer do not make links either.
    page = s.get("/articles/what-is-gazette",
                 headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert f'<link rel="canonical" href="http://127.0.0.1:{s.port}/articles/what-is-gazette">' \
        in page.text


def test_forwarded_headers_from_a_trusted_proxy(tmp_path, make_site):
    alog = tmp_path / "access.log"
    s = make_site("--trusted-proxy", "127.0.0.1", "--access-log", alog,
                  "--public-url", "https://example.org/blog")
    cases = {
        # agent: (headers, the client the log must show)
        "no-header": ({}, "127.0.0.1"),
        "xff-one": ({"X-Forwarded-For": "203.0.113.5"}, "203.0.113.5"),
        # A client that sends its own X-Forwarded-For gets only as far as the
        # rightmost address that is not trusted.
        "xff-spoofed-chain": ({"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}, "198.51.100.7"),
        # Trusted hops on the right are skipped.
        "xff-trusted-hop": ({"X-Forwarded-For": "198.51.100.7, 127.0.0.1"}, "198.51.100.7"),
        "forwarded-v6": ({"Forwarded": 'for="[2001:db8::1]:4711"'}, "2001:db8::1"),
        "forwarded-chain": ({"Forwarded": "for=192.0.2.60;proto=https, for=198.51.100.8"},
                            "198.51.100.8"),
    }
    for agent, (headers, _) in cases.items():
        assert s.get("/healthz", headers={"User-Agent": agent, **headers}).status_code == 200
    for agent, (_, client) in cases.items():
        m = parsed(line_for(alog, agent))
        assert m["client"] == client, (agent, m.group(0))
    # --public-url stays the one source of links, whatever the proxy says.
    page = s.get("/articles/what-is-gazette",
                 headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
    assert "evil.example" not in page.text
    assert '<link rel="canonical" href="https://example.org/blog/articles/what-is-gazette">' in page.text


def test_access_log_line_format(tmp_path, make_site):
    alog = tmp_path / "access.log"
    s = make_site("--access-log", alog)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    r = s.get("/articles/what-is-gazette?from=log",
              headers={"User-Agent": "format-check/1.0", "Referer": "http://ref.example/page",
                       "Accept-Encoding": "identity"})
    assert r.status_code == 200
    missing = s.get("/articles/no-such-story", headers={"User-Agent": "format-404",
                                                        "Accept-Encoding": "identity"})
    assert missing.status_code == 404
    # A quote in a header must not end the field early (no log forging).
    evil_agent = 'evil" 200 999 "x'
    s.get("/healthz", headers={"User-Agent": evil_agent})
    after = datetime.now(timezone.utc)

    m = parsed(line_for(alog, "format-check/1.0"))
    assert m["client"] == "127.0.0.1"
    assert m["request"] == "GET /articles/what-is-gazette?from=log HTTP/1.1"
    assert m["status"] == "200"
    assert int(m["bytes"]) == len(r.content) == int(r.headers["Content-Length"])
    assert m["referer"] == "http://ref.example/page"
    when = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z")
    assert before.timestamp() - 1 <= when.timestamp() <= after.timestamp() + 1, m["time"]
    assert 0 <= float(m["seconds"]) < 5

    m404 = parsed(line_for(alog, "format-404"))
    assert m404["status"] == "404" and m404["referer"] == "-"
    assert int(m404["bytes"]) == len(missing.content)

    evil = wait_for(lambda: [line for line in log_lines(alog) if "/healthz" in line], 5,
                    what="the /healthz line")
    assert len(evil) == 1, evil
    lines = log_lines(alog)
    assert len(lines) == 3, lines
    for line in lines:
        parsed(line)
    assert parsed(evil[0])["status"] == "200", evil[0]
    assert parsed(evil[0])["agent"] != "evil", evil[0]


def test_sighup_reopens_the_access_log(tmp_path, make_site):
    alog = tmp_path / "access.log"
    rotated = tmp_path / "access.log.1"
    s = make_site("--access-log", alog)
    assert s.get("/", headers={"User-Agent": "before-rotation"}).status_code == 200
    line_for(alog, "before-rotation")
    os.rename(alog, rotated)  # what logrotate does
    assert s.get("/", headers={"User-Agent": "renamed-not-reopened"}).status_code == 200
    line_for(rotated, "renamed-not-reopened")  # still writes to the open file
    assert not alog.exists()

    s.proc.send_signal(signal.SIGHUP)
    wait_for(alog.exists, 5, what="SIGHUP to create a new access log")
    assert s.get("/", headers={"User-Agent": "after-sighup"}).status_code == 200
    new = parsed(line_for(alog, "after-sighup"))
    assert new["client"] == "127.0.0.1" and new["status"] == "200"
    assert all("before-rotation" not in line and "renamed-not-reopened" not in line
               for line in log_lines(alog))
    assert all("after-sighup" not in line for line in log_lines(rotated))
    assert s.proc.poll() is None  # SIGHUP does not stop the server


# --- 3. SIGTERM lets a slow download finish ----------------------------------

def test_sigterm_during_a_slow_download_lets_it_finish(tmp_path, make_site):
    size = 8 * 1024 * 1024
    theme = tmp_path / "theme"
    big = theme / "css" / "big.css"
    big.parent.mkdir(parents=True)
    # Incompressible text, so nothing can make the transfer shorter.
    chunk = hashlib.sha256(b"seed").hexdigest().encode()
    data = bytearray()
    counter = 0
    while len(data) < size:
        data += hashlib.sha256(chunk + str(counter).encode()).hexdigest().encode()
        counter += 1
    data = bytes(data[:size])
    big.write_bytes(data)

    s = make_site("--theme", theme)
    # A small receive window keeps most of the 8 MB on the server's side.
    with RawConnection(s, timeout=20, rcvbuf=16384) as conn:
        conn.send(request_bytes("GET", "/static/css/big.css", ["Accept-Encoding: identity"],
                                host="127.0.0.1"))
        received = bytearray()
        while b"\r\n\r\n" not in received:
            part = conn.recv(size=4096)
            assert part, "connection closed before the headers"
            received += part
        head, _, body = bytes(received).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        assert length and int(length.group(1)) == size, head
        body = bytearray(body)

        def read_slowly(seconds):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                part = conn.recv(size=8192)
                assert part, f"the download stopped at {len(body)} of {size} bytes"
                body.extend(part)
                time.sleep(0.005)

        read_slowly(0.3)
        assert len(body) < size // 4, "the download was not slow enough to test anything"
        s.proc.send_signal(signal.SIGTERM)
        read_slowly(0.3)
        # It stops accepting connections...
        with pytest.raises(ConnectionRefusedError):
            RawConnection(s, timeout=2).close()
        read_slowly(0.5)
        # ...but waits for the download in flight.
        assert s.proc.poll() is None, "gazette exited with a download in flight"
        assert len(body) < size, "the download finished too early to test anything"
        rest, closed = conn.read_until_closed(60)
        body.extend(rest)
        assert closed, f"the download did not end: {len(body)} of {size} bytes"
    assert len(body) == size
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    assert s.proc.wait(timeout=30) == 0
    stop_checked(s)


def test_sigterm_waits_for_a_request_still_arriving(sample):
    """A connection gazette has accepted, whose request is half sent when
    SIGTERM comes, is a request in flight: it gets its answer."""
    s = sample
    with RawConnection(s, timeout=10) as conn:
        conn.send(b"GET /articles/what-is-gazette HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.3)  # accepted, and the first bytes read
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert conn.send(b"Accept-Encoding: identity\r\nConnection: close\r\n\r\n"), \
            "the connection was reset instead of answered"
        answer, closed = conn.read_until_closed(10)
    assert closed and answer.startswith(b"HTTP/1.1 200 "), \
        f"the connection was reset or not closed instead of answered: {answer[:200]!r}"
    assert b"What gazette is, and why it is small" in answer
    assert s.proc.wait(timeout=30) == 0


# --- 4. UNIX socket, socket activation, takeover -----------------------------

def test_unix_socket_with_mode_0600(tmp_path, spawn):
    path = tmp_path / "g.sock"
    alog = tmp_path / "access.log"
    p = spawn([BIN, "serve", "--db", tmp_path / "s.db", "--listen", f"unix:{path}",
               "--socket-mode", "0600", "--threads", "2", "--access-log", alog,
               "--public-url", "http://127.0.0.1/blog"], "unix.log")

    def answers():
        try:
            return unix_get(path, "/healthz")[0] == 200
        except (FileNotFoundError, ConnectionRefusedError):
            assert p.poll() is None, p.log_path.read_text()
            return False
    wait_for(answers, 30, what="gazette on a UNIX socket")
    mode = os.stat(path).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o600, oct(stat.S_IMODE(mode))
    status, headers, body = unix_get(path, "/articles/what-is-gazette",
                                     {"User-Agent": "over-unix", "X-Forwarded-For": "198.51.100.20"})
    assert status == 200
    assert b"What gazette is, and why it is small" in body
    assert b'href="/blog/articles/' in body or b'href="/blog/' in body
    # Peers on a UNIX socket are trusted (the proxy is on the same machine).
    assert parsed(line_for(alog, "over-unix"))["client"] == "198.51.100.20"

    rc, log = finish(p)
    assert rc == 0, log
    assert not os.path.lexists(path), "the socket file is left behind after SIGTERM"


def test_socket_activation_with_systemd_socket_activate(tmp_path, spawn):
    exe = shutil.which("systemd-socket-activate")
    assert exe, "systemd-socket-activate (Debian's systemd package) is not installed"
    port = free_port()
    db = tmp_path / "s.db"
    p = spawn([exe, *sanitizer_env_flags(), "-l", f"127.0.0.1:{port}",
               BIN, "serve", "--db", db, "--threads", "2"], "activated.log")

    def answers():
        assert p.poll() is None, p.log_path.read_text()
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15)
        except requests.ConnectionError:
            return None  # systemd-socket-activate has not bound the port yet
    first = wait_for(answers, 30, what="a socket-activated gazette")
    assert first.status_code == 200
    r = requests.get(f"http://127.0.0.1:{port}/articles/what-is-gazette", timeout=10)
    assert r.status_code == 200 and "What gazette is" in r.text
    # systemd-socket-activate exec()s gazette: the PID we hold is gazette's.
    assert os.path.realpath(f"/proc/{p.pid}/exe") == os.path.realpath(BIN)
    log = p.log_path.read_text()
    assert "8080" not in log, log  # the passed socket, not the default address
    rc, log = finish(p)
    assert rc == 0, log


def test_takeover_of_a_passed_socket_loses_no_request(tmp_path, spawn):
    db = tmp_path / "s.db"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    port = listener.getsockname()[1]

    def activated(name):
        fd = listener.fileno()

        def as_systemd_would():  # runs in the child, before exec
            os.dup2(fd, 3)
            os.environ["LISTEN_FDS"] = "1"
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.environ.pop("LISTEN_FDNAMES", None)
        return spawn([BIN, "serve", "--db", db, "--threads", "2",
                      "--access-log", tmp_path / f"{name}.access"], f"{name}.log",
                     preexec_fn=as_systemd_would, close_fds=False)

    results, failures = [], []
    paths = ["/", "/articles/what-is-gazette", "/api/v1/articles", "/feed.xml", "/healthz"]

    def load(worker, stop):
        i = 0
        while not stop.is_set():
            target = paths[i % len(paths)]
            i += 1
            try:
                status = get_fresh(port, target)
                results.append(status)
                if status != 200:
                    failures.append((target, status))
            except Exception as e:  # noqa: BLE001 - every failure counts
                failures.append((target, repr(e)))

    try:
        a = activated("a")
        wait_for(lambda: (a.poll() is None or pytest.fail(a.log_path.read_text()))
                 and get_fresh(port, "/healthz") == 200, 30, what="instance A")
        with threads_running(8, load):
            time.sleep(0.8)
            b = activated("b")
            wait_for(lambda: "listening" in b.log_path.read_text() or
                     (b.poll() is not None and pytest.fail(b.log_path.read_text())),
                     30, what="instance B")
            time.sleep(0.8)
            served_before_term = len(results)
            rc_a, log_a = finish(a)
            a_exited_at = len(results)
            time.sleep(1.2)
        after_a = len(results) - a_exited_at
        print(f"takeover: {len(results)} requests, {len(failures)} failed, "
              f"{after_a} after A exited")
        assert rc_a == 0, log_a
        assert not failures, f"{len(failures)} of {len(results) + len(failures)} failed: {failures[:10]}"
        assert served_before_term > 20 and after_a > 20, (served_before_term, after_a)
        assert get_fresh(port, "/articles/writing-articles") == 200  # B answers alone
        b_lines = log_lines(tmp_path / "b.access")
        assert len(b_lines) >= after_a, "B did not serve the requests after A left"
        rc_b, log_b = finish(b)
        assert rc_b == 0, log_b
    finally:
        listener.close()


# --- 5. /metrics with the Prometheus parser ----------------------------------

def metric_families(server, **kw):
    """/metrics (conftest's metrics_text checks the answer), read by Prometheus' own parser."""
    from prometheus_client.parser import text_string_to_metric_families
    return {f.name: f for f in text_string_to_metric_families(metrics_text(server, **kw))}


def value(families, sample_name, **labels):
    found = [s.value for f in families.values() for s in f.samples
             if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items())
             and (not labels or set(s.labels) >= set(labels))]
    assert len(found) == 1, f"{sample_name}{labels}: {found}"
    return found[0]


def test_metrics_parse_and_move_with_traffic(make_site):
    s = make_site("--trusted-proxy", "127.0.0.1")
    before = metric_families(s)
    types = {name: f.type for name, f in before.items()}
    for name, kind in [("gazette_http_requests", "counter"),
                       ("gazette_http_request_duration_seconds", "histogram"),
                       ("gazette_cache_hits", "counter"), ("gazette_cache_misses", "counter"),
                       ("gazette_cache_promotions", "counter"),
                       ("gazette_cache_ghost_hits", "counter"),
                       ("gazette_cache_ghost_entries", "gauge"),
                       ("gazette_cache_main_entries", "gauge"),
                       ("gazette_cache_main_bytes", "gauge"),
                       ("gazette_http_connections_open", "gauge"),
                       ("gazette_articles_served", "counter")]:
        assert types.get(name) == kind, (name, types.get(name))

    n = 5
    for _ in range(n):  # a page nothing has asked for yet: one miss, then hits
        assert s.get("/articles/writing-articles").status_code == 200
    after = metric_families(s)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gazette_http_requests_total", route="article", code="2xx") == n
    assert delta("gazette_http_requests_total", route="home", code="2xx") == 0
    assert delta("gazette_cache_misses_total") == 1
    assert delta("gazette_cache_hits_total") == n - 1
    assert delta("gazette_articles_served_total") == n
    # n articles and the first /metrics itself (the second is still being answered)
    assert delta("gazette_http_request_duration_seconds_count") == n + 1
    assert delta("gazette_http_request_duration_seconds_sum") > 0
    buckets = sorted(((float(smp.labels["le"]), smp.value) for smp in
                      after["gazette_http_request_duration_seconds"].samples
                      if smp.name.endswith("_bucket")))
    assert buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), buckets
    assert buckets[-1][1] == value(after, "gazette_http_request_duration_seconds_count")
    assert value(after, "gazette_http_connections_open") >= 1

    # Through a trusted proxy, the client is the forwarded address: not allowed.
    denied = s.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"})
    assert denied.status_code == 403
    assert "gazette_" not in denied.text


def test_memory_metrics(make_site):
    # The server's own private memory, as /proc says it, and the passes
    # that give the heap's free pages back (every 5 seconds).
    s = make_site()
    fams = metric_families(s)
    assert fams["gazette_memory_private_bytes"].type == "gauge"
    assert fams["gazette_memory_trims"].type == "counter"
    with open(f"/proc/{s.proc.pid}/status") as f:
        anon = int(re.search(r"RssAnon:\s+(\d+) kB", f.read()).group(1)) * 1024
    private = value(fams, "gazette_memory_private_bytes")
    assert 1 << 20 < private and abs(private - anon) < anon / 2
    first = value(fams, "gazette_memory_trims_total")
    deadline = time.monotonic() + 30
    while value(metric_families(s), "gazette_memory_trims_total") == first:
        assert time.monotonic() < deadline, "no pass in 30 s"
        time.sleep(0.5)
    assert s.get("/").status_code == 200


def folder_in_memory(path):
    """True if path is on tmpfs or ramfs: no file of the server's there."""
    kind = subprocess.run(["stat", "-f", "-c", "%T", str(path)], capture_output=True,
                          text=True, check=True).stdout.strip()
    return kind in ("tmpfs", "ramfs")


def test_cache_kept_in_a_file(make_site):
    # The cached answers and the search's lists live in an unlinked file
    # beside the database, mapped: file-backed memory, served byte for byte.
    s = make_site(files={f"story-{i}.md": article(f"Story {i} of the harbour", slug=f"story-{i}")
                         for i in range(6)})
    folder = s.db.parent
    fams = metric_families(s)
    if folder_in_memory(folder):
        # The other branch: the heap, and the log says why (test_cache_file_not_on_tmpfs).
        assert value(fams, "gazette_memory_file_bytes") == 0
        return
    # --cache-size's 48 MiB and the lists' 32, and a quarter more.
    assert value(fams, "gazette_memory_file_bytes") == 100 << 20
    before = value(fams, "gazette_memory_file_used_bytes")
    with open(f"/proc/{s.proc.pid}/maps") as f:
        mapped = [line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6]
    assert any(m.startswith(str(folder.resolve()) + "/#") and m.endswith("(deleted)")
               for m in mapped), mapped

    plain = {}
    for i in range(6):
        first = s.get(f"/articles/story-{i}", headers={"Accept-Encoding": "identity"})
        again = s.get(f"/articles/story-{i}", headers={"Accept-Encoding": "identity"})
        assert first.status_code == again.status_code == 200
        assert again.content == first.content and f"Story {i} of the harbour" in first.text
        plain[i] = first.content
    for coding in ("gzip", "br"):
        for i in range(6):
            r = s.get(f"/articles/story-{i}", headers={"Accept-Encoding": coding})
            assert r.headers["Content-Encoding"] == coding
            assert r.content == plain[i]  # requests decodes both
    found = s.get("/search?q=harbour")
    assert found.status_code == 200
    assert all(f"/articles/story-{i}" in found.text for i in range(6))
    fams = metric_families(s)
    used = value(fams, "gazette_memory_file_used_bytes")
    # Six pages in three codings and the search's page and list, at least.
    assert used >= before + sum(len(b) for b in plain.values()), (before, used)
    assert value(fams, "gazette_memory_file_fallbacks_total") == 0
    assert value(fams, "gazette_cache_hits_total") >= 6 + 12


def test_cache_file_not_on_tmpfs(make_site):
    # A database on tmpfs: a file there would be memory the kernel cannot
    # write out, so the answers stay in the heap, and the log says so.
    shm = Path("/dev/shm")
    if not shm.is_dir() or not folder_in_memory(shm):
        pytest.skip("no tmpfs at /dev/shm")
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="gazette-shm-", dir=shm))
    try:
        s = make_site(db=folder / "site.db")
        assert s.get("/").status_code == 200
        assert s.get("/").status_code == 200
        fams = metric_families(s)
        assert value(fams, "gazette_memory_file_bytes") == 0
        assert value(fams, "gazette_memory_file_used_bytes") == 0
        assert value(fams, "gazette_cache_hits_total") >= 1
        rc, log = s.stop()
        assert rc == 0
        assert "cached answers and search lists are kept in memory" in log
        assert "tmpfs" in log
    finally:
        shutil.rmtree(folder)


def build_option(name):
    """The value of a meson option in the build that made BIN, or None."""
    info = Path(BIN).resolve().parent / "meson-info" / "intro-buildoptions.json"
    if not info.exists():
        return None
    return next((o["value"] for o in json.loads(info.read_text()) if o["name"] == name), None)


def test_malloc_is_the_one_linked(make_site):
    # The build links mimalloc ahead of the C library (meson.build) unless
    # told not to or sanitized; /metrics names the file malloc really comes
    # from, which must then be mimalloc's, and mapped in the process.
    s = make_site()
    needed = subprocess.run(["readelf", "-d", BIN], capture_output=True, text=True,
                            check=True).stdout
    links = "libmimalloc.so" in needed
    info = metric_families(s)["gazette_build_info"]
    source = next(smp.labels["malloc"] for smp in info.samples)
    with open(f"/proc/{s.proc.pid}/maps") as f:
        mapped = {Path(line.split()[-1]).name for line in f if "/" in line}
    # The name it was loaded by (a soname) or the file behind it (libmimalloc.so.2.0).
    assert any(m == source or m.startswith(source + ".") for m in mapped), (source, mapped)
    if VALGRIND_DIR:
        return  # valgrind runs its own malloc in place of whichever is bound: not seen here
    sanitized = build_option("b_sanitize") not in (None, "none")
    if build_option("allocator") in ("auto", "mimalloc") and not sanitized:
        assert links, "the build found no mimalloc (libmimalloc-dev, cmake: scripts/deps.sh)"
    assert source.startswith("libmimalloc.so") == links, (source, links)


def test_metrics_allow_lets_another_network_in(make_site):
    s = make_site("--trusted-proxy", "127.0.0.1", "--metrics-allow", "198.51.100.0/24")
    families = metric_families(s, headers={"X-Forwarded-For": "198.51.100.9"})
    assert "gazette_http_requests" in families
    assert s.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


# --- 6. --read-only serving a replica ----------------------------------------

def snapshot(src, dst):
    """A consistent copy of a database file, as a replica would ship it."""
    tmp = backup_db(src, dst.with_name(dst.name + ".tmp"))
    os.replace(tmp, dst)  # a new inode, like rsync or a restored backup


def test_read_only_replica_sees_a_replaced_file(tmp_path, make_site):
    primary = tmp_path / "A.db"
    replica = tmp_path / "B.db"
    content = tmp_path / "content"
    build_site(content, {"first.md": article("First story", date="2025-03-01T10:00:00Z",
                                             tags="[replica]")}, primary)
    snapshot(primary, replica)
    digest = hashlib.sha256(replica.read_bytes()).hexdigest()
    inode = os.stat(replica).st_ino

    s = make_site("--read-only", db=replica)
    assert s.get("/articles/first-story").status_code == 200
    assert s.get("/articles/second-story").status_code == 404
    assert s.get("/").status_code == 200
    assert hashlib.sha256(replica.read_bytes()).hexdigest() == digest, "--read-only wrote to the file"

    write(content / "second.md", article("Second story", date="2025-03-02T10:00:00Z",
                                         tags="[replica]"))
    import_paths(primary, content)
    snapshot(primary, replica)
    assert os.stat(replica).st_ino != inode
    replaced = time.monotonic()
    statuses = []

    def second_is_served():
        r = s.get("/articles/second-story")
        statuses.append(r.status_code)
        return r.status_code == 200
    wait_for(second_is_served, 3.0, interval=0.05, what="the replaced replica to be served")
    print(f"read-only replica: new article served {time.monotonic() - replaced:.2f} s after the copy")
    assert set(statuses) <= {200, 404}, statuses
    home = s.get("/")
    assert home.status_code == 200 and "Second story" in home.text and "First story" in home.text
    assert s.get("/api/v1/articles").json()["meta"]["pagination"]["total"] == 2
    assert s.get("/tags/replica").text.count("/articles/") >= 2
