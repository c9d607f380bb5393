"""Request and connection limits (issue 6): each limit answers with its
status at the boundary and not below it, is set by its flag, is logged and
counted in /metrics, and leaves the server answering everyone else.
Slow clients are held to deadlines libmicrohttpd does not keep by itself."""

import re
import time

from conftest import (RawConnection, article, metrics, raw_request, request_bytes, run_gazette,
                      wait_for)


# --------------------------------------------------------------------------
# helpers

def exchange(server, target="/", headers=(), method="GET", body=b""):
    """One request exactly as given (Host: localhost, so that its length is
    known), on its own connection: the Response."""
    return raw_request(server, method, target, headers, body, host="localhost", timeout=10)


def status_of(server, target="/", headers=()):
    return exchange(server, target, headers).status


def metric(server, limit):
    """How often a limit was hit, as /metrics counts it."""
    return metrics(server)[f'gazette_limit_hits_total{{limit="{limit}"}}']


HEALTHZ = request_bytes("GET", "/healthz", host="x")


def healthz_on(conn):
    """GET /healthz (Connection: close) on conn: what the server sent until it closed."""
    conn.send(HEALTHZ)
    return conn.read_to_end()


def open_connections(server, source):
    """gazette_http_connections_open, asked from source on a connection of
    its own (the session's may be refused); None while that is refused."""
    try:
        return metrics(server, source=source)["gazette_http_connections_open"]
    except (OSError, AssertionError):
        return None


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
    r = exchange(sample, "/", [f"X-Pad: {'v' * (room + 1)}"])
    assert r.status == 431
    assert b"headers are too large" in r.body
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
    assert exchange(sample, "/", ["Content-Length: 5"], body=b"hello").status == 413
    assert metric(sample, "body") == 1


def test_each_limit_is_a_flag(make_site):
    s = make_site("--max-uri", "100", "--max-headers", "10", "--max-header-bytes", "512",
                  "--max-query-params", "2", "--max-param-bytes", "20")
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


def test_limits_are_logged_once_per_interval(sample):
    s = sample
    for _ in range(5):
        assert status_of(s, "/" + "a" * 9000) == 414
    rc, log = s.stop()
    assert rc == 0
    lines = [l for l in log.splitlines() if "--max-uri" in l]
    # The first hit is logged at once; the next ones within 10 s are only counted.
    assert len(lines) == 1, log
    assert "from 127.0.0.1" in lines[0]


def test_bad_limit_values_are_refused(tmp_path):
    r = run_gazette("serve", "--db", tmp_path / "x.db", "--max-uri", "10")
    assert r.returncode == 2
    assert "--max-uri must be a whole number from 64 to 16384" in r.stderr
    assert not (tmp_path / "x.db").exists()


# --------------------------------------------------------------------------
# connections

def test_connections_per_address(make_site):
    s = make_site("--max-connections-per-ip", "3")
    held = [RawConnection(s) for _ in range(3)]
    # The guard counts a connection when the HTTP daemon takes it (and this one too).
    wait_for(lambda: open_connections(s, "127.0.0.2") == 4, what="three held connections")
    with RawConnection(s) as extra:
        raw = extra.read_to_end()
    assert raw.startswith(b"HTTP/1.1 503 "), raw
    assert b"Retry-After: 5" in raw
    assert b"Too many connections from your address" in raw

    # Another address is not held back by this one's connections.
    with RawConnection(s, source="127.0.0.2") as other:
        assert healthz_on(other).startswith(b"HTTP/1.1 200 ")

    # A closed connection frees its place.
    held.pop().close()

    def admitted():
        with RawConnection(s) as c:
            return healthz_on(c).startswith(b"HTTP/1.1 200 ")
    wait_for(admitted, what="the freed place")
    # Asked from another address: the client sees admitted()'s connection end
    # a moment before the guard has counted it closed, and a new connection
    # from this address may meanwhile be the fourth (a 503 once in CI).
    hits = metrics(s, source="127.0.0.2")['gazette_limit_hits_total{limit="connections_per_ip"}']
    assert hits >= 1
    for c in held:
        c.close()


def test_trusted_proxies_have_no_per_address_limit(make_site):
    s = make_site("--max-connections-per-ip", "2", "--trusted-proxy", "127.0.0.1")
    held = [RawConnection(s) for _ in range(5)]
    for c in held:
        c.send(HEALTHZ)
    for c in held:
        assert c.read_to_end().startswith(b"HTTP/1.1 200 ")
        c.close()


def test_connections_in_total(make_site):
    s = make_site("--max-connections", "4", "--max-connections-per-ip", "0")
    held = [RawConnection(s, source=f"127.0.0.{i + 1}") for i in range(3)]
    # Three and the one asking.
    wait_for(lambda: open_connections(s, "127.0.0.9") == 4, what="three held connections")
    held.append(RawConnection(s, source="127.0.0.4"))
    time.sleep(0.3)
    with RawConnection(s, source="127.0.0.5") as extra:
        raw = extra.read_to_end()
    assert raw.startswith(b"HTTP/1.1 503 "), raw
    assert b"The server is busy" in raw
    for c in held:
        c.close()
    wait_for(lambda: s.get("/healthz").status_code == 200, what="a place again")
    assert metric(s, "connections") >= 1


# --------------------------------------------------------------------------
# slow clients

def test_headers_sent_too_slowly_get_408(make_site):
    s = make_site("--header-timeout", "1")
    t0 = time.monotonic()
    with RawConnection(s) as c:
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
        # A header byte every 0.2 s keeps libmicrohttpd's idle timer from firing.
        raw, _ = c.trickle([b"X"] * 40, 0.2)
    took = time.monotonic() - t0
    assert raw.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), raw
    assert 0.9 < took < 4, took
    assert metric(s, "header_timeout") == 1
    still_answers(s)


def test_a_silent_connection_is_closed_without_a_status(make_site):
    s = make_site("--header-timeout", "1")
    t0 = time.monotonic()
    with RawConnection(s) as c:
        assert c.read_to_end() == b""
    assert time.monotonic() - t0 < 4


def test_trickling_the_next_request_line_is_cut_off(make_site):
    s = make_site("--header-timeout", "1", "--timeout", "1")
    with RawConnection(s) as c:
        c.send(request_bytes("GET", "/healthz", host="x", close=False))
        assert c.read_response(timeout=5).status == 200
        t0 = time.monotonic()
        _, closed = c.trickle([b"G"] * 33, 0.3)  # about 10 s of it
        assert closed
        # --timeout + --header-timeout after the last answer, give or take a sweep.
        assert time.monotonic() - t0 < 4
    assert metric(s, "idle_timeout") == 1


def test_an_answer_not_taken_in_time_is_dropped(make_site):
    # One page larger than what the kernel buffers between the two sockets.
    body = "\n\n".join("paragraph %d %s" % (i, "word " * 200) for i in range(8000))
    s = make_site("--send-timeout", "1", files={"big.md": article("Big", body=body)})
    with RawConnection(s, rcvbuf=4096) as c:
        c.send(request_bytes("GET", "/articles/big", host="x"))
        # The answer has begun (rendering 8,000 paragraphs may take a while on
        # a busy machine under the sanitizers): its head is in, the rest waits.
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = c.recv(timeout=60, size=1024)
            assert chunk, raw
            raw += chunk
        time.sleep(3)  # not reading
        raw += c.read_to_end(30)
    length = int(re.search(rb"Content-Length: (\d+)", raw).group(1))
    assert len(raw.partition(b"\r\n\r\n")[2]) < length
    assert metric(s, "send_timeout") == 1
    still_answers(s)
