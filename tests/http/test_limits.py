"""Request and connection limits (issue 6): each limit answers with its
status at the boundary and not below it, is set by its flag, is logged and
counted in /metrics, and leaves the server answering everyone else.
Slow clients are held to deadlines libmicrohttpd does not keep by itself."""

import re
import socket
import time
from urllib.parse import urlsplit


from conftest import article, build_site, wait_for


# --------------------------------------------------------------------------
# helpers

def addr(server):
    u = urlsplit(server.url)
    return u.hostname, u.port


def connect(server, source="127.0.0.1", timeout=10):
    return socket.create_connection(addr(server), timeout=timeout, source_address=(source, 0))


def read_all(sock):
    chunks = []
    while True:
        try:
            b = sock.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def exchange(server, target="/", headers=(), method="GET", body=b""):
    """One request exactly as given, on its own connection; returns (status, head, body)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close", *headers]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with connect(server) as s:
        s.sendall(data)
        raw = read_all(s)
    head, _, rest = raw.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    assert m, f"no status line in {raw[:200]!r}"
    return int(m.group(1)), head.decode("latin-1"), rest


def status_of(server, target="/", headers=()):
    return exchange(server, target, headers)[0]


def metric(server, limit):
    text = server.get("/metrics").text
    m = re.search(r'^gazette_limit_hits_total\{limit="%s"\} (\d+)$' % limit, text, re.M)
    assert m, text
    return int(m.group(1))


def still_answers(server):
    r = server.get("/")
    assert r.status_code == 200


# --------------------------------------------------------------------------
# the request's size: exactly at each default limit passes, one more fails

def test_uri_limit_is_8192_bytes_by_default(sample):
    at = "/" + "a" * 8191
    assert status_of(sample, at) == 404
    assert status_of(sample, at + "a") == 414
    assert metric(sample, "uri") == 1
    still_answers(sample)


def test_header_bytes_limit_is_16384_by_default(sample):
    # Counted as name + ": " + value + CRLF; Host and Connection come first.
    fixed = len("Host: localhost\r\n") + len("Connection: close\r\n")
    room = 16384 - fixed - len("X-Pad: \r\n")
    assert status_of(sample, "/", [f"X-Pad: {'v' * room}"]) == 200
    status, head, body = exchange(sample, "/", [f"X-Pad: {'v' * (room + 1)}"])
    assert status == 431
    assert b"headers are too large" in body
    assert metric(sample, "header_bytes") == 1
    still_answers(sample)


def test_header_count_limit_is_100_by_default(sample):
    # Host and Connection are two of them.
    assert status_of(sample, "/", [f"X-H{i}: v" for i in range(98)]) == 200
    assert status_of(sample, "/", [f"X-H{i}: v" for i in range(99)]) == 431
    assert metric(sample, "header_count") == 1
    still_answers(sample)


def test_query_parameter_count_and_length(sample):
    many = "&".join(f"x{i}=1" for i in range(32))
    assert sample.get("/api/v1/articles?" + many).status_code == 200
    r = sample.get("/api/v1/articles?" + many + "&one=more")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "more than 32 parameters" in r.json()["detail"]

    # 2048 bytes as sent, name and '=' included (q has its own, lower limit).
    x = "x=" + "a" * 2046
    assert sample.get("/api/v1/articles?" + x).status_code == 200
    r = sample.get("/search?" + x + "a")
    assert r.status_code == 400
    assert "longer than 2048 bytes" in r.text
    assert metric(sample, "query") == 2


def test_a_body_where_none_is_taken_is_413_and_counted(sample):
    status, _, _ = exchange(sample, "/", ["Content-Length: 5"], body=b"hello")
    assert status == 413
    assert metric(sample, "body") == 1


def test_each_limit_is_a_flag(start_server):
    s = start_server(None, "--max-uri", "100", "--max-headers", "10",
                     "--max-header-bytes", "512", "--max-query-params", "2",
                     "--max-param-bytes", "20")
    assert status_of(s, "/" + "a" * 99) == 404
    assert status_of(s, "/" + "a" * 100) == 414
    assert status_of(s, "/", [f"X-H{i}: v" for i in range(8)]) == 200
    assert status_of(s, "/", [f"X-H{i}: v" for i in range(9)]) == 431
    assert status_of(s, "/", ["X-Pad: " + "v" * 600]) == 431
    assert s.get("/api/v1/articles?a=1&b=2").status_code == 200
    assert s.get("/api/v1/articles?a=1&b=2&c=3").status_code == 400
    assert s.get("/search?q=" + "a" * 18).status_code == 200
    assert s.get("/search?q=" + "a" * 19).status_code == 400
    assert s.get("/search?q=a&x=" + "a" * 30).status_code == 400


def test_limits_are_logged_once_per_interval(start_server):
    s = start_server()
    for _ in range(5):
        assert status_of(s, "/" + "a" * 9000) == 414
    rc, log = s.stop()
    assert rc == 0
    lines = [l for l in log.splitlines() if "--max-uri" in l]
    # The first hit is logged at once; the next ones within 10 s are only counted.
    assert len(lines) == 1, log
    assert "from 127.0.0.1" in lines[0]


def test_bad_limit_values_are_refused(tmp_path):
    from conftest import run_gazette
    r = run_gazette("serve", "--db", tmp_path / "x.db", "--max-uri", "10")
    assert r.returncode == 2
    assert "--max-uri must be a whole number from 64 to 16384" in r.stderr
    assert not (tmp_path / "x.db").exists()


# --------------------------------------------------------------------------
# connections

def test_connections_per_address(start_server):
    s = start_server(None, "--max-connections-per-ip", "3")
    held = [connect(s) for _ in range(3)]
    # The guard counts a connection when the HTTP daemon takes it (and this one too).
    wait_for(lambda: "gazette_http_connections_open 4" in metrics_via(s, "127.0.0.2")
             or None, what="three held connections")
    with connect(s) as extra:
        raw = read_all(extra)
    assert raw.startswith(b"HTTP/1.1 503 "), raw
    assert b"Retry-After: 5" in raw
    assert b"Too many connections from your address" in raw

    # Another address is not held back by this one's connections.
    with connect(s, source="127.0.0.2") as other:
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_all(other).startswith(b"HTTP/1.1 200 ")

    # A closed connection frees its place.
    held.pop().close()
    def admitted():
        with connect(s) as c:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return read_all(c).startswith(b"HTTP/1.1 200 ")
    wait_for(admitted, what="the freed place")
    assert metric(s, "connections_per_ip") >= 1
    for c in held:
        c.close()


def test_trusted_proxies_have_no_per_address_limit(start_server):
    s = start_server(None, "--max-connections-per-ip", "2", "--trusted-proxy", "127.0.0.1")
    held = [connect(s) for _ in range(5)]
    for c in held:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for c in held:
        assert read_all(c).startswith(b"HTTP/1.1 200 ")
        c.close()


def test_connections_in_total(start_server):
    s = start_server(None, "--max-connections", "4", "--max-connections-per-ip", "0")
    held = [connect(s, source=f"127.0.0.{i + 1}") for i in range(3)]
    # Three and the one asking.
    wait_for(lambda: "gazette_http_connections_open 4" in metrics_via(s, "127.0.0.9")
             or None, what="three held connections")
    held.append(connect(s, source="127.0.0.4"))
    time.sleep(0.3)
    with connect(s, source="127.0.0.5") as extra:
        raw = read_all(extra)
    assert raw.startswith(b"HTTP/1.1 503 "), raw
    assert b"The server is busy" in raw
    for c in held:
        c.close()
    wait_for(lambda: s.get("/healthz").status_code == 200, what="a place again")
    assert metric(s, "connections") >= 1


def metrics_via(server, source):
    """/metrics on a connection of its own (the session's may be refused)."""
    try:
        with connect(server, source=source) as c:
            c.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return read_all(c).decode()
    except OSError:
        return ""


# --------------------------------------------------------------------------
# slow clients

def test_headers_sent_too_slowly_get_408(start_server):
    s = start_server(None, "--header-timeout", "1")
    t0 = time.monotonic()
    with connect(s) as c:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        raw = b""
        # A header byte every 0.2 s keeps libmicrohttpd's idle timer from firing.
        c.settimeout(0.2)
        for _ in range(40):
            try:
                c.sendall(b"X")
            except OSError:
                break
            try:
                got = c.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            raw += got
            if not got:
                break
    took = time.monotonic() - t0
    assert raw.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), raw
    assert 0.9 < took < 4, took
    assert metric(s, "header_timeout") == 1
    still_answers(s)


def test_a_silent_connection_is_closed_without_a_status(start_server):
    s = start_server(None, "--header-timeout", "1")
    t0 = time.monotonic()
    with connect(s) as c:
        assert read_all(c) == b""
    assert time.monotonic() - t0 < 4


def test_trickling_the_next_request_line_is_cut_off(start_server):
    s = start_server(None, "--header-timeout", "1", "--timeout", "1")
    with connect(s) as c:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        c.settimeout(5)
        assert c.recv(4096).startswith(b"HTTP/1.1 200 ")
        t0 = time.monotonic()
        closed = False
        c.settimeout(0.3)
        while time.monotonic() - t0 < 10:
            try:
                c.sendall(b"G")
                if c.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        assert closed
        # --timeout + --header-timeout after the last answer, give or take a sweep.
        assert time.monotonic() - t0 < 4
    assert metric(s, "idle_timeout") == 1


def test_an_answer_not_taken_in_time_is_dropped(start_server, tmp_path):
    # One page larger than what the kernel buffers between the two sockets.
    body = "\n\n".join("paragraph %d %s" % (i, "word " * 200) for i in range(8000))
    db = build_site(tmp_path / "big", {"big.md": article("Big", body=body)}, tmp_path / "b.db")
    s = start_server(db, "--send-timeout", "1")
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(addr(s))
    c.sendall(b"GET /articles/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    # The answer has begun (rendering 8,000 paragraphs may take a while on a
    # busy machine under the sanitizers): its head is in, the rest waits.
    c.settimeout(60)
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = c.recv(1024)
        assert chunk, raw
        raw += chunk
    time.sleep(3)  # not reading
    c.settimeout(10)
    raw += read_all(c)
    c.close()
    length = int(re.search(rb"Content-Length: (\d+)", raw).group(1))
    assert len(raw.partition(b"\r\n\r\n")[2]) < length
    assert metric(s, "send_timeout") == 1
    still_answers(s)
