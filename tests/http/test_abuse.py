"""Hostile clients (issue 6).

1. A table of malformed and malicious requests, sent as exact bytes on a raw
   socket: each row gives the statuses it may get (more than one only where
   the RFC allows either, said in the row), and after every row the server
   must still answer a normal GET / with 200 on a new connection.
2. The request and connection limits of `gazette serve`, at their defaults
   and with small values, each logged when hit.
3. An XSS corpus through import (titles, summaries, authors, tags, bodies,
   site settings, slugs) and through query parameters: no script, event
   handler or javascript: URL reaches a page, feed, JSON-LD block or API
   answer unescaped.  Pages are parsed with html.parser, feeds with an XML
   parser.
4. Slow clients: Debian's slowhttptest (slowloris and slow read) against
   gazette while a normal client on another source address keeps reading;
   its success rate and latency go to tests/artifacts/slowloris.json.
"""

import csv
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Callable, Optional
from urllib.parse import quote

import pytest

from conftest import (ROOT, SANITIZED, RawConnection, article, build_site, dump, exchange,
                      metrics, parse_responses, raw_request, request_bytes, run_gazette, wait_for,
                      write)

HTML = "text/html; charset=utf-8"
PROBLEM = "application/problem+json"
ARTIFACTS = ROOT / "tests" / "artifacts"


# --------------------------------------------------------------------------
# raw HTTP

def get_root_ok(server, source=None):
    """A normal GET / on a new connection: 200 with a whole HTML page."""
    r = raw_request(server, "GET", "/", host="localhost", timeout=10, source=source)
    assert r.status == 200, (r.head, r.body[:300])
    assert r.body.rstrip().endswith(b"</html>")
    return r


def req(method="GET", target="/", headers=(), version="HTTP/1.1", host=True, close=True,
        body=b""):
    """The bytes of one request (request_bytes); {HOST} is replaced by the
    server's address when sent (with_host)."""
    return request_bytes(method, target, headers, version, "{HOST}" if host else None, close,
                         body)


def req_bytes(raw_target, method=b"GET", headers=b""):
    """A request whose target holds bytes that are not text (NUL, 0xff)."""
    return (method + b" " + raw_target + b" HTTP/1.1\r\nHost: {HOST}\r\n" + headers +
            b"Connection: close\r\n\r\n")


def with_host(server, data):
    """data with {HOST} replaced by the server's address."""
    return data.replace(b"{HOST}", server.host.encode())


# --------------------------------------------------------------------------
# the site every table row runs against

ABUSE_FILES = {
    "one.md": article("First story", slug="first-story", author="Jane Doe",
                      tags="[politics, security]", summary="The first one.",
                      body="Words about the harbour and the council.\n\n" * 20),
    "two.md": article("Second story", date="2025-02-05T10:00:00Z", slug="second-story",
                      author="Ali Ray", tags="[politics]", body="The council voted."),
    "about.md": article("About", date=None, slug="about", type="page", body="About us."),
}


@pytest.fixture(scope="module")
def abuse_site(make_module_site):
    return make_module_site(files=ABUSE_FILES)


# --------------------------------------------------------------------------
# the table

@dataclass
class Case:
    id: str
    data: bytes
    expect: frozenset            # acceptable statuses of the (first) answer
    why: str = ""                # why more than one status is acceptable
    kind: Optional[str] = None   # "html" or "problem": the error's content type
    answers: int = 1             # how many responses the connection must carry
    methods: tuple = ()
    check: Optional[Callable] = None  # check(responses, raw bytes)

    def __post_init__(self):
        self.expect = frozenset(self.expect)
        assert len(self.expect) == 1 or self.why, f"{self.id}: say why either status is fine"


def no_secrets(rs, raw):
    assert b"root:x:0:0" not in raw and b"daemon:x:1:1" not in raw, raw[:300]


def allow_get_head(rs, raw):
    assert rs[0].headers.get("allow") == "GET, HEAD", rs[0].headers


def names_parameters(rs, raw):
    assert b"parameter" in rs[0].body.lower(), rs[0].body[:500]


def html_200(rs, raw):
    assert rs[0].headers["content-type"] == HTML and rs[0].body.rstrip().endswith(b"</html>")


def json_200(rs, raw):
    doc = json.loads(rs[0].body)
    assert isinstance(doc["articles"], list)


def pipelined_root_then_health(rs, raw):
    assert [r.status for r in rs] == [200, 200]
    assert rs[0].headers["content-type"] == HTML and rs[0].body.rstrip().endswith(b"</html>")
    assert rs[1].body.strip() == b"ok"


def pipelined_three(rs, raw):
    assert [r.status for r in rs] == [200, 200, 404]
    assert rs[0].headers["content-type"] == "application/json"
    assert json.loads(rs[0].body)["articles"][0]["slug"] == "second-story"
    assert rs[1].body == b""  # HEAD
    assert rs[2].headers["content-type"] == HTML


def fifty_health(rs, raw):
    assert [r.status for r in rs] == [200] * 50
    assert all(r.body.strip() == b"ok" for r in rs)


PAD_HEAD = len(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:65535\r\nConnection: close\r\nX-Pad: \r\n\r\n")


def many_params(n, value="1"):
    return "&".join(f"p{i}={value}" for i in range(n))


def headers_total(n):
    """n header fields in all (Host and Connection are two of them)."""
    return [f"X-H{i}: v" for i in range(n - 2)]


FTS_QUERIES = ["AND OR (", '"', "NEAR(", "*", "col:x", "^x", "title:council", "a AND",
               "(", ")", '"unbalanced', "NOT", "- -", "council*", "{title summary}: x",
               "NEAR(a b, -1)", "a + b", "''", "\\", "**", '"*"', "OR", "AND AND", ":",
               "x:", "council NOT", "c*u*n", "%", "NEAR/2", "\u00e9\u00e8*", "\u2603"]

CASES = [
    # --- length and size limits (defaults: --max-uri 8192, --max-header-bytes
    #     16384, --max-headers 100, --max-query-params 32, values 2048 bytes)
    Case("uri-8192-is-allowed", req(target="/" + "a" * 8191), {404}, kind="html"),
    Case("uri-8193-is-414", req(target="/" + "a" * 8192), {414}),
    Case("uri-query-over-8192-is-414", req(target="/search?q=x&" + "z" * 8200), {414}),
    Case("uri-40k-is-414-from-libmicrohttpd", req(target="/" + "a" * 40000), {414}),
    Case("header-bytes-under-16384", req(headers=["X-Pad: " + "v" * (16384 - PAD_HEAD - 200)]),
         {200}),
    Case("header-bytes-over-16384-is-431", req(headers=["X-Pad: " + "v" * (16384 - PAD_HEAD + 200)]),
         {431}),
    Case("header-40k-is-431-from-libmicrohttpd", req(headers=["X-Pad: " + "v" * 40000]), {431}),
    Case("headers-100-fields", req(headers=headers_total(100)), {200}),
    Case("headers-101-fields-is-431", req(headers=headers_total(101)), {431}),
    Case("headers-2000-tiny-fields-is-431", req(headers=[f"a{i}:" for i in range(2000)]), {431}),
    Case("query-32-params", req(target="/?" + many_params(32)), {200}),
    Case("query-33-params-is-400", req(target="/?" + many_params(33)), {400}, kind="html",
         check=names_parameters),
    Case("query-33-params-api-is-400", req(target="/api/v1/articles?" + many_params(33)), {400},
         kind="problem", check=names_parameters),
    Case("query-value-2045", req(target="/?x=" + "a" * 2045), {200}),
    Case("query-value-2049-is-400", req(target="/?x=" + "a" * 2049), {400}, kind="html",
         check=names_parameters),
    Case("query-value-2049-api-is-400", req(target="/api/v1/articles?x=" + "a" * 2049), {400},
         kind="problem", check=names_parameters),

    # --- percent-encoding
    Case("pct-zz-in-path", req(target="/articles/%zz"), {400}, kind="html"),
    Case("pct-alone-in-path", req(target="/articles/%"), {400}, kind="html"),
    Case("pct-one-digit-in-path", req(target="/articles/%4"), {400}, kind="html"),
    Case("pct-one-digit-at-end", req(target="/articles/first-stor%7"), {400}, kind="html"),
    Case("pct-zz-in-q", req(target="/search?q=%zz"), {400}, kind="html"),
    Case("pct-alone-in-q", req(target="/search?q=%"), {400}, kind="html"),
    Case("pct-one-digit-in-q", req(target="/search?q=%4"), {400}, kind="html"),
    Case("pct-zz-in-key", req(target="/search?%zz=1&q=x"), {400}, kind="html"),
    Case("pct-zz-in-api-tag", req(target="/api/v1/articles?tag=%zz"), {400}, kind="problem"),
    Case("pct-zz-in-api-slug", req(target="/api/v1/articles/%zz"), {400}, kind="problem"),
    Case("pct-zz-in-ignored-param", req(target="/?utm_source=%zz"), {200, 400},
         why="a parameter the route does not take may be ignored or refused"),
    Case("pct-encoded-slash-is-not-a-separator", req(target="/articles/first%2Fstory"), {404},
         kind="html"),

    # --- NUL bytes
    Case("nul-pct-in-path", req(target="/articles/%00"), {400}, kind="html"),
    Case("nul-pct-inside-slug", req(target="/articles/first-story%00.html"), {400}, kind="html"),
    Case("nul-pct-in-q", req(target="/search?q=a%00b"), {400}, kind="html"),
    Case("nul-pct-in-api-q", req(target="/api/v1/articles?q=%00"), {400}, kind="problem"),
    Case("nul-raw-in-target", req_bytes(b"/\x00x"), {400}),
    Case("nul-raw-after-slug", req_bytes(b"/articles/first-story\x00.json"), {400}),
    Case("nul-raw-in-header-value", req(headers=["X-A: a\x00b"]), {200, 400},
         why="RFC 9110 5.5: reject, or replace the NUL with SP"),

    # --- invalid UTF-8
    Case("utf8-pct-ff", req(target="/articles/%ff"), {400}, kind="html"),
    Case("utf8-pct-c3-28", req(target="/articles/%c3%28"), {400}, kind="html"),
    Case("utf8-pct-lone-continuation", req(target="/tags/%80"), {400}, kind="html"),
    Case("utf8-overlong-slash", req(target="/static/%c0%af%c0%afetc/passwd"), {400}, kind="html",
         check=no_secrets),
    Case("utf8-overlong-dots", req(target="/static/%c0%ae%c0%ae/x"), {400}, kind="html"),
    Case("utf8-surrogate", req(target="/articles/%ed%a0%80"), {400}, kind="html"),
    Case("utf8-pct-in-q", req(target="/search?q=%c3%28"), {400}, kind="html"),
    Case("utf8-pct-in-api-q", req(target="/api/v1/articles?q=%ff"), {400}, kind="problem"),
    Case("utf8-raw-ff", req_bytes(b"/\xff"), {400}, kind="html"),
    Case("utf8-raw-in-slug", req_bytes(b"/articles/first-\xc3\x28"), {400}, kind="html"),
    Case("utf8-valid-raw-is-fine", req_bytes(b"/articles/caf\xc3\xa9"), {404}, kind="html"),

    # --- traversal
    Case("dotdot-static-etc-passwd", req(target="/static/../../etc/passwd"), {400}, kind="html",
         check=no_secrets),
    Case("dotdot-pct-static", req(target="/static/%2e%2e/"), {400}, kind="html"),
    Case("dotdot-pct-upper", req(target="/static/%2E%2E/%2E%2E/etc/passwd"), {400}, kind="html",
         check=no_secrets),
    Case("dotdot-root", req(target="/../../../../etc/passwd"), {400}, kind="html",
         check=no_secrets),
    Case("dotdot-in-articles", req(target="/articles/../about"), {400}, kind="html"),
    Case("dotdot-pct-slash-one-segment", req(target="/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
         {400, 404}, kind="html", check=no_secrets,
         why="decoded once it is one segment named '../../etc/passwd': refused, or no such file"),
    Case("dotdot-mixed", req(target="/static/..%2f..%2fetc/passwd"), {400, 404}, kind="html",
         check=no_secrets, why="'..%2f..%2fetc' is one segment: refused, or no such file"),
    Case("dotdot-backslash", req(target="/static/..%5c..%5cetc%5cpasswd"), {400, 404},
         kind="html", check=no_secrets, why="backslashes are not separators: refused or 404"),
    Case("dotdot-double-encoded", req(target="/static/%252e%252e/%252e%252e/etc/passwd"), {404},
         kind="html", check=no_secrets),
    Case("static-absolute", req(target="/static//etc/passwd"), {400, 404}, kind="html",
         check=no_secrets, why="an empty segment: refused or not found"),
    Case("dot-segment", req(target="/static/./css/site.css"), {400}, kind="html"),

    # --- request-target forms and methods
    Case("absolute-form-own-authority", req(target="http://{HOST}/"), {200}),
    Case("absolute-form-other-authority", req(target="http://evil.example/articles/first-story",
                                              host=False, headers=["Host: evil.example"]),
         {200, 400, 421},
         why="RFC 9110 7.4: 421 for an authority it does not serve; gazette is not "
             "virtual-hosted, so serving its own page (200) or refusing (400) is also safe"),
    Case("asterisk-form-get", req(target="*"), {400}),
    Case("connect-authority", req("CONNECT", "example.com:443", host=False,
                                  headers=["Host: example.com:443"]), {400, 405, 501},
         why="CONNECT to an authority: malformed for this server (400), not allowed (405) "
             "or not implemented (501); never a tunnel"),
    Case("connect-own", req("CONNECT", "{HOST}"), {400, 405, 501},
         why="as above"),
    Case("method-foo", req("FOO", "/"), {405}, kind="html", check=allow_get_head),
    Case("method-trace", req("TRACE", "/", headers=["Cookie: secret=1"]), {405}, kind="html",
         check=lambda rs, raw: (allow_get_head(rs, raw), b"secret=1" not in rs[0].body)),
    Case("method-lowercase-get", req("get", "/"), {405}, kind="html", check=allow_get_head),
    Case("method-post-without-token", req("POST", "/api/v1/articles",
                                          headers=["Content-Length: 7",
                                                   "Content-Type: application/json"],
                                          body=b'{"a":1}'), {401},
         kind="problem",
         check=lambda rs, raw: rs[0].headers.get("www-authenticate", "").startswith("Bearer"),
         why="writes need a token; refused before the body is read"),
    Case("method-long", req("X" * 5000, "/"), {400, 405, 501},
         why="an unknown method: 405 (the address takes GET and HEAD) or 501"),
    Case("get-with-body-is-413", req(headers=["Content-Length: 5"], body=b"hello"), {413},
         kind="html"),
    Case("body-refused-before-it-is-sent",
         req(headers=["Content-Length: 50000000", "Expect: 100-continue"]), {413}, kind="html",
         check=lambda rs, raw: not raw.startswith(b"HTTP/1.1 100") or
         pytest.fail("100 Continue: the server asked for the body")),
    Case("chunked-body-is-413", req("GET", "/api/v1/articles", ["Transfer-Encoding: chunked"],
                                    body=b"5\r\nhello\r\n0\r\n\r\n"), {413}, kind="problem"),
    Case("version-2.0", req(version="HTTP/2.0"), {505}),
    Case("version-1.2", req(version="HTTP/1.2"), {200, 505},
         why="RFC 9112 2.3: a higher minor version may be answered as 1.1"),
    Case("version-garbage", req(version="HTTX/1.1"), {400, 505},
         why="not an HTTP version: 400, or a version not supported"),

    # --- Host
    Case("http10-without-host", req(version="HTTP/1.0", host=False, close=False), {200}),
    Case("http11-without-host", req(host=False), {400}),
    Case("http11-two-hosts", req(headers=["Host: other.example"]), {400}),
    Case("space-before-colon", req(headers=["X-Evil : 1"]), {400}),
    Case("obs-fold", req(headers=["X-Folded: a", " b"]), {200, 400},
         why="RFC 9112 5.2: reject obs-fold with 400, or replace it with SP"),
    Case("bare-lf-line-ends", b"GET / HTTP/1.1\nHost: {HOST}\nConnection: close\n\n", {200, 400},
         why="RFC 9112 2.2: a recipient may accept a bare LF as a line end"),
    Case("double-spaces-in-request-line",
         b"GET  /articles/first-story  HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n",
         {200, 301, 400},
         why="RFC 9112 3: 400 or a 301 to the right target, or parse on word boundaries"),

    # --- framing: pipelining and request smuggling
    Case("pipelined-two-gets",
         b"GET / HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
         b"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n",
         {200}, answers=2, check=pipelined_root_then_health),
    Case("pipelined-get-head-404",
         b"GET /api/v1/articles?limit=1 HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
         b"HEAD /api/v1/tags HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
         b"GET /no-such-page HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n",
         {200}, answers=3, methods=("GET", "HEAD", "GET"), check=pipelined_three),
    Case("pipelined-fifty",
         b"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n" * 49 +
         b"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n",
         {200}, answers=50, check=fifty_health),
    Case("te-and-cl-smuggling",
         b"GET / HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n"
         b"\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
         {400, 413},
         why="RFC 9112 6.1: both framings may be refused (400); gazette takes no body (413); "
             "either way one answer, then the connection closes"),
    Case("te-and-cl-post",
         b"POST /api/v1/articles HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 6\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
         {400}, why="RFC 9112 6.1: both framings in one request are refused"),
    Case("two-content-lengths",
         b"GET / HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\n"
         b"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
         {400, 413},
         why="RFC 9112 6.3: differing lengths are a framing error (400); 413 also refuses it; "
             "one answer, then the connection closes"),
    Case("te-obfuscated",
         b"GET / HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: xchunked\r\n\r\n"
         b"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n",
         {400, 413, 501}, why="an unknown transfer coding: 501 (RFC 9112 6.1), 400 or 413"),
]

# FTS5 syntax in q is never a syntax error (README: "nothing a reader types is a syntax error").
for _i, _q in enumerate(FTS_QUERIES):
    CASES.append(Case(f"fts-search-{_i}", req(target="/search?q=" + quote(_q, safe="")), {200},
                      kind="html", check=html_200))
    CASES.append(Case(f"fts-api-{_i}", req(target="/api/v1/articles?q=" + quote(_q, safe="")),
                      {200}, check=json_200))
    CASES.append(Case(f"fts-api-relevance-{_i}",
                      req(target="/api/v1/articles?order=relevance&limit=5&q=" +
                          quote(_q, safe="")), {200}, check=json_200))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_abuse_table(abuse_site, case):
    raw, closed = exchange(abuse_site, with_host(abuse_site, case.data), timeout=5)
    assert closed, f"{case.id}: the connection was still open 5 s later; got {raw[:300]!r}"
    assert raw, f"{case.id}: closed without an answer"
    rs = parse_responses(raw, case.methods)
    assert rs[0].status in case.expect, \
        f"{case.id}: got {rs[0].status} {rs[0].reason}, expected {sorted(case.expect)} " \
        f"{case.why}\n{raw[:600]!r}"
    # One answer per request: a second one would be a smuggled request.
    assert len(rs) == case.answers, \
        f"{case.id}: {len(rs)} responses, expected {case.answers}: {[r.status for r in rs]}"
    for r in rs:
        assert r.status < 500 or r.status in (501, 505), f"{case.id}: {r.status}"
        assert r.header_count("content-length") <= 1
    if case.kind == "html" and rs[0].status >= 400:
        assert rs[0].headers.get("content-type") == HTML, (case.id, rs[0].headers)
        assert rs[0].headers.get("x-content-type-options") == "nosniff"
    if case.kind == "problem" and rs[0].status >= 400:
        assert rs[0].headers.get("content-type") == PROBLEM, (case.id, rs[0].headers)
        problem = json.loads(rs[0].body)
        assert problem["status"] == rs[0].status and problem["detail"]
    no_secrets(rs, raw)
    if case.check:
        case.check(rs, raw)
    # The server still answers a normal request, on a new connection.
    get_root_ok(abuse_site)


# --------------------------------------------------------------------------
# limits: defaults, small values, logging

DEFAULTS = {
    "max-uri": "8192",
    "max-header-bytes": "16384",
    "max-headers": "100",
    "max-query-params": "32",
    "header-timeout": "10",
    "timeout": "30",
    "max-connections": "1000",
    "max-connections-per-ip": "256",
}


def test_limit_flags_and_their_defaults():
    r = run_gazette("serve", "--help", timeout=30)
    assert r.returncode == 0, r.stderr
    text = r.stdout + r.stderr
    for flag, default in DEFAULTS.items():
        m = re.search(rf"^\s*--{flag} [A-Z]+\s.*$", text, re.M)
        assert m, f"--{flag} is not in `gazette serve --help`:\n{text}"
        assert re.search(rf"\[{default}\]", m.group(0)), \
            f"--{flag}: default should be [{default}]: {m.group(0).strip()}"


def warn_lines(server, flag):
    """The log's warn lines that name --FLAG (and not a longer flag)."""
    pat = re.compile(rf"gazette\[warn\]: .*--{re.escape(flag)}(?![\w-])")
    return [l for l in server.log_path.read_text().splitlines() if pat.search(l)]


def wait_logged(server, flag):
    return wait_for(lambda: warn_lines(server, flag), timeout=5,
                    what=f"a warn line naming --{flag}")


@pytest.fixture(scope="module")
def tight(make_module_site):
    """Small limits, all at once."""
    return make_module_site("--max-uri", "100", "--max-header-bytes", "1024",
                            "--max-headers", "10", "--max-query-params", "3", files=ABUSE_FILES)


def status_of(server, data, source=None):
    raw, closed = exchange(server, with_host(server, data), source=source)
    assert closed and raw, raw[:300]
    return parse_responses(raw)[0]


def test_small_max_uri(tight):
    assert status_of(tight, req(target="/" + "a" * 99)).status == 404
    assert status_of(tight, req(target="/" + "a" * 100)).status == 414
    assert status_of(tight, req(target="/search?q=" + "a" * 95)).status == 414
    wait_logged(tight, "max-uri")
    get_root_ok(tight)


def test_small_max_header_bytes(tight):
    assert status_of(tight, req(headers=["X-Pad: " + "v" * 700])).status == 200
    assert status_of(tight, req(headers=["X-Pad: " + "v" * 1100])).status == 431
    wait_logged(tight, "max-header-bytes")
    get_root_ok(tight)


def test_small_max_headers(tight):
    assert status_of(tight, req(headers=headers_total(10))).status == 200
    assert status_of(tight, req(headers=headers_total(11))).status == 431
    wait_logged(tight, "max-headers")
    get_root_ok(tight)


def test_small_max_query_params(tight):
    assert status_of(tight, req(target="/?" + many_params(3))).status == 200
    r = status_of(tight, req(target="/?" + many_params(4)))
    assert r.status == 400 and r.headers["content-type"] == HTML
    names_parameters([r], b"")
    r = status_of(tight, req(target="/api/v1/articles?" + many_params(4)))
    assert r.status == 400 and r.headers["content-type"] == PROBLEM
    assert "parameter" in json.loads(r.body)["detail"]
    wait_logged(tight, "max-query-params")
    get_root_ok(tight)


def test_header_timeout_gives_408_to_a_slowloris(make_site):
    s = make_site("--header-timeout", "1", "--timeout", "30")
    t0 = time.monotonic()
    with RawConnection(s) as conn:
        conn.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
        # A header line every 0.2 s: libmicrohttpd's idle timer never fires.
        got, _ = conn.trickle([b"X-%d: y\r\n" % i for i in range(40)], 0.2)
        took = time.monotonic() - t0
        rest, closed = conn.read_until_closed(3)
        got += rest
    assert got.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), got[:200]
    r = parse_responses(got)[0]
    assert r.headers.get("connection", "").lower() == "close"
    assert closed
    assert 0.8 <= took <= 3.0, took
    wait_logged(s, "header-timeout")
    get_root_ok(s)


def test_header_timeout_on_a_silent_connection(make_site):
    s = make_site("--header-timeout", "1")
    t0 = time.monotonic()
    with RawConnection(s) as conn:
        got, closed = conn.read_until_closed(6)
    assert closed and time.monotonic() - t0 <= 3.0
    # Nothing was asked: closing silently or with a 408 are both right.
    assert got == b"" or got.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), got[:200]


def test_slow_but_timely_request_and_idle_keep_alive_survive(make_site):
    """A request sent in pieces within --header-timeout is answered, and a
    kept-alive connection idle longer than --header-timeout (but not --timeout)
    is still usable: the header deadline starts with the request."""
    s = make_site("--header-timeout", "1", "--timeout", "30")
    with RawConnection(s) as conn:
        for piece in (b"GET /healthz HT", b"TP/1.1\r\nHost: x\r\n", b"\r\n"):
            conn.send(piece)
            time.sleep(0.2)
        first = conn.read_response(timeout=5)
        assert first.head.startswith("HTTP/1.1 200 "), first.head
        time.sleep(2.5)
        conn.send(request_bytes("GET", "/healthz", host="x"))
        raw, closed = conn.read_until_closed(5)
    assert raw.startswith(b"HTTP/1.1 200 "), raw[:200]


def test_idle_keep_alive_closes_after_timeout(make_site):
    s = make_site("--timeout", "2")
    with RawConnection(s) as conn:
        conn.send(request_bytes("GET", "/healthz", host="x", close=False))
        assert conn.read_response(timeout=5).head.startswith("HTTP/1.1 200 ")
        t0 = time.monotonic()
        raw, closed = conn.read_until_closed(8)
        took = time.monotonic() - t0
    assert closed, "an idle connection outlived --timeout 2 by 6 s"
    assert 1.5 <= took <= 4.5, took
    assert not raw.startswith(b"HTTP/1.1 2"), raw[:200]


@contextmanager
def holding(server, n, source=None):
    """n kept-alive connections, each answered once, open while the block runs."""
    held = []
    try:
        for _ in range(n):
            held.append(RawConnection(server, source))
            held[-1].send(request_bytes("GET", "/healthz", host="x", close=False))
            r = held[-1].read_response(timeout=5)
            assert r.head.startswith("HTTP/1.1 200 "), (len(held), r.head)
        yield held
    finally:
        for conn in held:
            conn.close()


def refused(server, source=None):
    """What a connection over a limit gets: (raw answer, whether it was closed)."""
    with RawConnection(server, source) as conn:
        if not conn.send(request_bytes("GET", "/healthz", host="x")):
            return b"", True
        return conn.read_until_closed(5)


def assert_refused(raw, closed):
    assert closed, "a refused connection was not closed"
    # Refused: closed, with a 503 (Retry-After) or nothing at all; never served.
    assert raw == b"" or raw.startswith(b"HTTP/1.1 503 "), raw[:200]
    if raw:
        r = parse_responses(raw)[0]
        assert int(r.headers["retry-after"]) > 0


def test_max_connections_gives_503_with_retry_after(make_site):
    s = make_site("--max-connections", "4", "--max-connections-per-ip", "0")
    with holding(s, 4):
        raw, closed = refused(s, "127.0.0.2")
        assert raw.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), raw[:200]
        r = parse_responses(raw)[0]
        assert int(r.headers["retry-after"]) > 0
        assert r.headers.get("connection", "").lower() == "close"
        assert closed
        wait_logged(s, "max-connections")
    wait_for(lambda: refused(s)[0].startswith(b"HTTP/1.1 200 "), what="a place again")


def test_max_connections_per_ip_small(make_site):
    s = make_site("--max-connections-per-ip", "2")
    with holding(s, 2):
        assert_refused(*refused(s))
        # Another address has places of its own.
        get_root_ok(s, source="127.0.0.2")
        wait_logged(s, "max-connections-per-ip")
    wait_for(lambda: refused(s)[0].startswith(b"HTTP/1.1 200 "), what="a place again")


def test_max_connections_per_ip_default_is_256(sample):
    with holding(sample, 256):
        assert_refused(*refused(sample))
        get_root_ok(sample, source="127.0.0.2")


def test_max_connections_per_ip_zero_is_no_limit(make_site):
    s = make_site("--max-connections-per-ip", "0")
    with holding(s, 300):
        get_root_ok(s)


# --------------------------------------------------------------------------
# the XSS corpus

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "\"><script>alert(2)</script>",
    "'><img src=x onerror=alert(3)>",
    "<img src=x onerror=\"alert(4)\">",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "</script><script>alert(7)</script>",
    "</title><script>alert(8)</script>",
    "<!--<script>alert(9)</script>-->",
    "--><script>alert(10)</script><!--",
    "<a href=\"javascript:alert(11)\">x</a>",
    "<iframe src=\"javascript:alert(12)\"></iframe>",
    "<body onload=alert(13)>",
    "<scr<script>ipt>alert(14)</scr</script>ipt>",
    "&lt;script&gt;alert(15)&lt;/script&gt;",
    "&#60;script&#62;alert(16)&#60;/script&#62; &#x3C;img src=x onerror=alert(16)&#x3E;",
    "\u202e<script>alert(17)</script>\u202d",
    "\uff1cscript\uff1ealert(18)\uff1c/script\uff1e",
    "\u00bcscript\u00bealert(19)\u00bc/script\u00be",
    "x\" onmouseover=\"alert(20)\" y=\"",
    "x' onfocus='alert(21)' autofocus='",
    "<style>*{background:url(javascript:alert(22))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(23)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(24)\">",
    "<base href=\"javascript:alert(25)//\">",
    "<object data=\"data:text/html,<script>alert(26)</script>\"></object>",
    "{{site.title}} {{{evil}}} {{#articles}}{{/articles}} {{> head}}",
    "line\u2028sep\u2029para </script>",
    "<details open ontoggle=alert(27)>",
    "]]><script>alert(28)</script><![CDATA[",
    "&amp;lt;script&amp;gt;alert(29)&amp;lt;/script&amp;gt;",
    "javascript:alert(30)",
    "<a href=\"&#x6A;avascript:alert(31)\">y</a>",
    "\\u003cscript\\u003ealert(32)\\u003c/script\\u003e",
]

# Markdown that tries to smuggle a URL, a tag or an attribute past the renderer.
MD_ATTACKS = r"""
[a1](javascript:alert(101)) [a2](JaVaScRiPt:alert(102)) [a3](<javascript:alert(103)>)
[a4](java&#x09;script:alert(104)) [a5](&#106;avascript:alert(105)) [a6](vbscript:msgbox(106))
[a7](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMDcpPC9zY3JpcHQ+) [a8](data:text/html,x)
[a9](javascript&colon;alert(109)) [a10](JAVASCRIPT:alert(110)) [a11](java%0Ascript:alert(111))
[a12](https://example.org/"onmouseover="alert(112)) [a13](https://example.org/ "t\" onmouseover=\"alert(113)")
[a14](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(114))
[a15](mailto:x@example.org?body=%3Cscript%3Ealert(115)%3C/script%3E) [a16](%6Aavascript:alert(116))
[a17](//evil.example/x) [a18](\javascript:alert(118)) [a19](jav&#x0A;ascript:alert(119))

![i1](javascript:alert(121)) ![i2](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTIyKT4=)
![i3](x" onerror="alert(123)) ![i4 "onerror="alert(124)](/x.png) ![i5](vbscript:msgbox(125))
![i6](data:text/html,<script>alert(126)</script>)

<javascript:alert(131)> <vbscript:msgbox(132)> <data:text/html,alert(133)>

www.example.com/<script>alert(134)</script> https://example.org/<img/src/onerror=alert(135)>

[r1][ref1] [r2][ref2]

[ref1]: javascript:alert(136)
[ref2]: <data:text/html;base64,PHNjcmlwdD4=> "x\" onclick=\"alert(137)"

<script>alert(141)</script>

<img src=x onerror=alert(142)>

<a href="javascript:alert(143)">raw</a>

<svg/onload=alert(144)>

<div onclick="alert(145)">div</div>

<!-- <script>alert(146)</script> -->

<![CDATA[ <script>alert(147)</script> ]]>

<?php echo 1; ?> <!DOCTYPE html>

| h <script>alert(151)</script> | <img src=x onerror=alert(152)> |
| --- | --- |
| <b onmouseover=alert(153)>b</b> | `<script>alert(154)</script>` |

~~<script>alert(155)</script>~~ *<img src=x onerror=alert(156)>* **<svg onload=alert(157)>**

```html
<script>alert(158)</script>
```

    <script>alert(159)</script>

> <iframe src="javascript:alert(160)"></iframe>

- <style>body{background:url("javascript:alert(161)")}</style>
- [x](javascript:alert(162)) and ![y](javascript:alert(163))

The classic bypasses of HTML sanitizers:

<noscript><p title="</noscript><img src=x onerror=alert(171)>"></noscript>

<!--<img src="--><img src=x onerror=alert(172)//">

<svg><p><style><img src=x onerror=alert(173)></style></p></svg>

<math><mtext><table><mglyph><style><img src=x onerror=alert(174)></style></mglyph></table></mtext></math>

<math><mi xlink:href="javascript:alert(175)">m</mi></math>

<svg><a xlink:href="javascript:alert(176)"><text x="20" y="20">s</text></a></svg>

<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(177)">e1</a>
<a href="&#x6A;avascript&#x3A;alert(178)">e2</a> <a href="java&Tab;script:alert(179)">e3</a>
<a href="  &#x0A;javascript:alert(180)">e4</a> <a href="JaVaScRiPt:alert(181)">e5</a>

<form><button formaction="javascript:alert(182)">f</button></form>

<iframe srcdoc="<script>alert(183)</script>"></iframe> <object data="javascript:alert(184)"></object>

<template><img src=x onerror=alert(185)></template> <textarea><img src=x onerror=alert(186)></textarea>

<a href="https://example.org/" target="_blank">new tab</a> <details open><summary>More</summary>kept</details>
"""


YAML_ESCAPED = r"Y \u003cscript\u003ealert(36)\u003c/script\u003e \x3cimg src=x onerror=alert(37)\x3e"
YAML_DECODED = "Y <script>alert(36)</script> <img src=x onerror=alert(37)>"


def yq(s):
    """A YAML double-quoted string (JSON's escapes are YAML's)."""
    return json.dumps(s)


def xss_files():
    files = {"site.yaml": "title: " + yq("Site <script>alert('site')</script>") + "\n"
             "description: " + yq("\"><img src=x onerror=alert('desc')>") + "\n"}
    for i, p in enumerate(PAYLOADS):
        body = "\n\n".join([
            p,
            f"Inline: before {p} after.",
            f"[link {p}](https://example.org/?q={quote(p, safe='')})",
            "`code " + p.replace("`", "") + "`",
            f"# Heading {p}",
        ])
        files[f"x{i:02d}.md"] = "\n".join([
            "---",
            "title: " + yq(f"T{i} {p}"),
            "summary: " + yq(p),
            "author: " + yq(f"Writer {i} {p}"),
            "tags: [" + yq(f"{p} t{i}") + ", " + yq(f"plain{i}") + "]",
            f"date: 2025-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "---", "", body, ""])
    # A title that is nothing but a payload: its slug is derived from it.
    files["bare.md"] = "\n".join(["---", "title: " + yq("<script>alert('bare')</script>"),
                                  "date: 2025-04-01T10:00:00Z",
                                  "authors: [" + yq("<img src=x onerror=alert('a1')>") + ", " +
                                  yq("\" onmouseover=\"alert('a2')") + "]",
                                  "---", "", "Bare.", ""])
    # YAML's own escapes make the markup only when the file is read.
    files["yaml-escapes.md"] = "\n".join([
        "---", 'title: "' + YAML_ESCAPED + '"', "slug: yaml-escapes",
        "date: 2025-04-03T10:00:00Z", "---", "", "Escapes.", ""])
    files["md-attacks.md"] = "\n".join(["---", "title: Markdown attacks", "slug: md-attacks",
                                        "date: 2025-04-02T10:00:00Z",
                                        "tags: [" + yq("</script><script>alert('tag')</script>") + "]",
                                        "---", MD_ATTACKS])
    files["evil-page.md"] = "\n".join(["---", "title: " + yq("Page <svg onload=alert('page')>"),
                                       "slug: evil-page", "type: page", "weight: 1",
                                       "---", "", "A page. <script>alert('p')</script>", ""])
    return files


@pytest.fixture(scope="module")
def xss_site(make_module_site):
    return make_module_site(files=xss_files())


SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "background", "cite",
             "xlink:href", "longdesc", "ping", "manifest", "icon", "lowsrc", "dynsrc", "codebase",
             "srcset", "imagesrcset"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg",
                  "math", "style", "template", "portal", "xmp", "plaintext", "noscript"}


def url_problem(value):
    """Why a URL attribute is dangerous, or None.  Browsers drop leading and
    trailing C0 controls and spaces and tab/CR/LF anywhere before the scheme."""
    v = value.strip("".join(map(chr, range(0x21))))
    v = re.sub(r"[\t\r\n]", "", v).lower()
    m = re.match(r"^([a-z][a-z0-9+.\-]*):", v)
    if m and m.group(1) not in SAFE_SCHEMES:
        return f"scheme {m.group(1)}:"
    return None


class SafetyParser(HTMLParser):
    """Collects what must never be in a page gazette writes."""

    def __init__(self, allow_jsonld):
        super().__init__(convert_charrefs=True)
        self.allow_jsonld = allow_jsonld
        self.problems = []
        self.jsonld = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            if self.allow_jsonld and attrs == [("type", "application/ld+json")]:
                self._script = []
            else:
                self.problems.append(f"<script {attrs}>")
                self._script = None

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            self.problems.append(f"<script {attrs}/>")

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if re.match(r"^on[a-z]+$", name):
                self.problems.append(f"<{tag} {name}={value!r}>: event handler")
            if name in URL_ATTRS:
                for part in (value.split(",") if name.endswith("srcset") else [value]):
                    why = url_problem(part.strip().split(" ")[0] if name.endswith("srcset")
                                      else part)
                    if why:
                        self.problems.append(f"<{tag} {name}={value!r}>: {why}")
            if name == "style" and re.search(r"javascript|expression|url\s*\(", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            if name == "http-equiv" and value.lower() in ("refresh", "set-cookie"):
                self.problems.append(f"<meta http-equiv={value!r}>")

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.jsonld.append("".join(self._script))
            self._script = None


def check_html(text, where, fragment=False):
    """Asserts an HTML page (or a fragment from a feed or the API) is safe."""
    p = SafetyParser(allow_jsonld=not fragment)
    p.feed(text)
    p.close()
    assert not p.problems, f"{where}: {p.problems[:5]}"
    opened = len(re.findall(r"<script", text, re.I))
    closed = len(re.findall(r"</script", text, re.I))
    assert opened == closed == len(p.jsonld) <= (0 if fragment else 1), \
        f"{where}: {opened} '<script' and {closed} '</script' for {len(p.jsonld)} JSON-LD blocks"
    for block in p.jsonld:
        assert "<" not in block, f"{where}: a raw '<' in the JSON-LD block"
        json.loads(block)
    return p


def walk_json(value, where, path=""):
    """Checks the HTML and URLs inside a JSON answer."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and (k.endswith("_html") or k == "snippet"):
                check_html(v, f"{where} {path}.{k}", fragment=True)
            elif isinstance(v, str) and (k in ("url", "external_url", "image", "banner_image",
                                               "icon", "favicon", "avatar")
                                         or k.endswith("_url")):
                assert url_problem(v) is None, f"{where} {path}.{k} = {v!r}"
            else:
                walk_json(v, where, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            walk_json(v, where, f"{path}[{i}]")


def check_xml(body, where):
    assert b"<!DOCTYPE" not in body and b"<!ENTITY" not in body, where
    root = ET.fromstring(body)
    # RSS: an item's description and content:encoded are read as HTML (the
    # channel's description and the titles are text).
    for item in root.iter("item"):
        for el in item:
            tag = el.tag.split("}")[-1]
            if tag in ("description", "encoded"):
                check_html(el.text or "", f"{where} <item><{tag}>", fragment=True)
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        kind = el.get("type")
        # Atom: type="html" (and "xhtml") is markup; the default, "text", is not.
        if kind == "html":
            check_html(el.text or "", f"{where} <{tag}>", fragment=True)
        elif kind == "xhtml":
            check_html("".join(ET.tostring(c, encoding="unicode") for c in el),
                       f"{where} <{tag}>", fragment=True)
        if tag in ("link", "uri", "icon", "logo", "url", "comments"):
            for u in (el.get("href"), el.text):
                if u and u.strip():
                    assert url_problem(u.strip()) is None, f"{where} <link> {u!r}"
    return root


def check_answer(server, path, seen):
    """Fetches path and checks it by its content type; returns the response."""
    r = server.get(path)
    where = f"GET {path[:120]}"
    assert r.status_code < 500, f"{where}: {r.status_code}"
    assert r.headers.get("X-Content-Type-Options") == "nosniff", where
    ctype = r.headers.get("Content-Type", "").split(";")[0].strip()
    if r.status_code in (301, 302, 304) or r.request.method == "HEAD":
        loc = r.headers.get("Location")
        if loc:
            assert url_problem(loc) is None, f"{where}: Location {loc!r}"
        return r
    if ctype == "text/html":
        check_html(r.text, where)
        seen["html"] += 1
    elif ctype in ("application/atom+xml", "application/rss+xml", "application/xml",
                   "text/xml"):
        check_xml(r.content, where)
        seen["xml"] += 1
    elif ctype in ("application/json", "application/feed+json", PROBLEM):
        walk_json(r.json(), where)
        seen["json"] += 1
    else:
        assert ctype in ("text/plain", "text/css", "image/svg+xml",
                         "image/vnd.microsoft.icon"), f"{where}: {ctype}"
        assert "<script" not in r.text.lower() or ctype == "text/plain", where
    return r


def all_articles(server):
    out, page = [], 1
    while True:
        doc = server.get(f"/api/v1/articles?limit=100&page={page}").json()
        out += doc["articles"]
        if len(doc["articles"]) < 100:
            return out
        page += 1


class Texts(HTMLParser):
    """The h1 text and the search box's value, entity-decoded."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.h1, self.inputs, self._in_h1 = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "input":
            self.inputs.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data


def test_xss_corpus_through_import(xss_site):
    s = xss_site
    seen = {"html": 0, "xml": 0, "json": 0}
    articles = all_articles(s)
    assert len(articles) == len(PAYLOADS) + 3, [a["slug"] for a in articles]
    for a in articles:
        # Letters of any script are fine in a slug; of ASCII only [A-Za-z0-9._-].
        assert re.fullmatch(r"[^\x00-\x7f]|[A-Za-z0-9_]", a["slug"][0]), a["slug"]
        assert not re.search(r"[\x00-\x2c/:-@\[-^`{-\x7f]", a["slug"]), a["slug"]
    tags = s.get("/api/v1/tags").json()
    authors = s.get("/api/v1/authors").json()
    tag_slugs = [t["slug"] for t in (tags["tags"] if isinstance(tags, dict) else tags)]
    author_slugs = [x["slug"] for x in (authors["authors"] if isinstance(authors, dict)
                                        else authors)]
    assert len(tag_slugs) >= 2 * len(PAYLOADS) and len(author_slugs) >= len(PAYLOADS) + 2

    paths = ["/", "/page/2", "/evil-page", "/feed.xml", "/rss.xml", "/feed.json",
             "/sitemap.xml", "/robots.txt", "/api/v1/articles?limit=100", "/api/v1/tags",
             "/api/v1/authors", "/articles/md-attacks"]
    for a in articles:
        paths += [f"/articles/{a['slug']}", f"/api/v1/articles/{a['slug']}"]
    for t in tag_slugs:
        paths += [f"/tags/{t}", f"/tags/{t}/feed.xml", f"/tags/{t}/rss.xml",
                  f"/tags/{t}/feed.json", f"/api/v1/articles?tag={t}"]
    for a in author_slugs:
        paths += [f"/authors/{a}", f"/api/v1/articles?author={a}"]
    for word in ("script", "alert", "onerror", "javascript", "img", "svg", "style", "iframe",
                 "mouseover", "cdata", "site title", "lt", "x27", "\u00bc"):
        paths += [f"/search?q={quote(word)}", f"/api/v1/articles?q={quote(word)}"]
    problems = []
    for p in paths:
        try:
            check_answer(s, p, seen)
        except AssertionError as e:
            problems.append(str(e).split("\n")[0][:400])
    assert not problems, f"{len(problems)} unsafe answers:\n" + "\n".join(problems[:30])
    assert seen["html"] > 100 and seen["xml"] > 100 and seen["json"] > 100, seen

    # Escaped, not mangled: what was written is what a reader sees.
    for i, p in enumerate(PAYLOADS):
        a = next(x for x in articles if x["title"].startswith(f"T{i} "))
        assert a["title"] == f"T{i} {p}", (a["title"], p)
        page = s.get(f"/articles/{a['slug']}").text
        assert Texts(page).h1[0] == f"T{i} {p}"
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                  page, re.S).group(1))
        graph = ld.get("@graph", [ld])
        assert any(g.get("headline") == f"T{i} {p}" for g in graph), ld
    page = s.get("/articles/yaml-escapes").text
    assert Texts(page).h1[0] == YAML_DECODED


def test_xss_markdown_links_keep_only_safe_schemes(xss_site):
    page = xss_site.get("/articles/md-attacks")
    assert page.status_code == 200
    check_html(page.text, "md-attacks")
    body = xss_site.get("/api/v1/articles/md-attacks").json()
    html = body.get("body_html") or body.get("article", {}).get("body_html")
    check_html(html, "md-attacks body_html", fragment=True)
    # The safe ones survive: the renderer restricts, it does not strip everything.
    assert 'href="https://example.org/' in html
    assert "mailto:x@example.org" in html
    # Raw HTML goes through the allowlist: what is harmless stays, scripts go
    # with their content, handlers and unsafe URLs go, the rest is unwrapped.
    assert "<div>div</div>" in html
    assert "alert(141)" not in html and "alert(183)" not in html
    assert 'rel="noopener noreferrer"' in html
    assert "<details open=\"\"><summary>More</summary>kept</details>" in html
    # Shown as code, a script is text: escaped.
    # (The highlighter wraps the tokens in spans; the text stays escaped.)
    assert "&lt;script&gt;alert(158)&lt;/script&gt;" in re.sub(r"</?span[^>]*>", "", html)


XSS_QUERY_PATHS = [
    "/search?q={p}", "/search?q={p}&page=2", "/search?q=script&page={p}", "/?page={p}",
    "/api/v1/articles?q={p}", "/api/v1/articles?tag={p}", "/api/v1/articles?author={p}",
    "/api/v1/articles?fields={p}", "/api/v1/articles?order={p}", "/api/v1/articles?limit={p}",
    "/tags/{s}", "/tags/{s}/feed.xml", "/authors/{s}", "/articles/{s}", "/{s}", "/static/{s}",
    "/api/v1/articles/{s}", "/api/{s}", "/search/{s}", "/page/{s}",
]


def test_xss_through_query_parameters_and_paths(xss_site):
    seen = {"html": 0, "xml": 0, "json": 0}
    problems = []
    for p in PAYLOADS + ["\"autofocus onfocus=alert(1) x=\"", "'><svg/onload=alert(2)>"]:
        q = quote(p, safe="")
        for tmpl in XSS_QUERY_PATHS:
            try:
                r = check_answer(xss_site, tmpl.format(p=q, s=q), seen)
                if tmpl == "/search?q={p}":
                    assert r.status_code == 200
                    box = [i for i in Texts(r.text).inputs if i.get("name") == "q"]
                    assert box and box[0].get("value") == p.strip(" \t"), (box, p)
            except AssertionError as e:
                problems.append(str(e).split("\n")[0][:400])
    assert not problems, f"{len(problems)} unsafe answers:\n" + "\n".join(problems[:30])
    assert seen["html"] > 400 and seen["json"] > 200, seen


@pytest.mark.parametrize("slug", ["<script>alert(1)</script>", "../../etc/passwd",
                                  "javascript:alert(1)", "a\" onmouseover=\"alert(1)",
                                  "x/../../y", "%2e%2e", "a b", "\u202eevil"])
def test_xss_slug_attempts_are_refused(tmp_path, slug):
    db = tmp_path / "site.db"
    build_site(tmp_path / "base", {"ok.md": article("Fine story", slug="fine")}, db)
    before = dump(db)
    write(tmp_path / "c" / "evil.md", "\n".join(["---", "title: Evil", "slug: " + yq(slug),
                                                  "date: 2025-01-01T10:00:00Z", "---", "x", ""]))
    r = run_gazette("import", "--db", db, tmp_path / "c")
    assert r.returncode == 1, (slug, r.stdout, r.stderr)
    assert re.search(r"^gazette: .*evil\.md:3: slug ", r.stderr, re.M), r.stderr
    assert dump(db) == before


def test_xss_site_public_url_must_be_http(tmp_path, make_site):
    """A site.yaml public_url of javascript: is refused, or never written into a link."""
    files = {"site.yaml": "public_url: \"javascript:alert(1)//\"\n",
             "a.md": article("A story", slug="a-story")}
    for name, text in files.items():
        write(tmp_path / "c" / name, text)
    db = tmp_path / "site.db"
    r = run_gazette("import", "--db", db, tmp_path / "c")
    if r.returncode != 0:
        assert r.returncode == 1 and re.search(r"^gazette: .*public_url", r.stderr, re.M), r.stderr
        return
    s = make_site(db=db)
    seen = {"html": 0, "xml": 0, "json": 0}
    for path in ("/", "/articles/a-story", "/feed.xml", "/rss.xml", "/feed.json",
                 "/sitemap.xml", "/api/v1/articles", "/robots.txt"):
        r = check_answer(s, path, seen)
        assert "javascript:" not in r.text, path


# --------------------------------------------------------------------------
# slow clients: slowhttptest while a normal client keeps reading

SLOWHTTPTEST = shutil.which("slowhttptest")
ATTACK_SECONDS = 15
PER_IP = 50


class NormalClient(threading.Thread):
    """GETs path every ~100 ms from its own source address, each on a new connection."""

    def __init__(self, server, path, source="127.0.0.2"):
        super().__init__(daemon=True)
        self.server, self.path, self.source = server, path, source
        self.stop = threading.Event()
        self.latencies, self.failures = [], []

    def run(self):
        data = request_bytes("GET", self.path, host=self.server.host)
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                raw, closed = exchange(self.server, data, timeout=5, source=self.source)
                rs = parse_responses(raw)
                ok = closed and len(rs) == 1 and rs[0].status == 200 and rs[0].body
                why = None if ok else f"{[r.status for r in rs]} closed={closed}"
            except (OSError, AssertionError, ValueError) as e:
                why = repr(e)
            took = time.monotonic() - t0
            if why:
                self.failures.append((round(took, 3), why))
            else:
                self.latencies.append(took)
            self.stop.wait(max(0.0, 0.1 - took))

    def summary(self):
        n = len(self.latencies) + len(self.failures)
        lat = sorted(self.latencies) or [float("nan")]
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        return {"requests": n, "ok": len(self.latencies),
                "success_rate": round(len(self.latencies) / n, 4) if n else 0.0,
                "p50_ms": round(1000 * statistics.median(lat), 2),
                "p99_ms": round(1000 * pick(0.99), 2),
                "max_ms": round(1000 * lat[-1], 2),
                "failures": self.failures[:10]}


class Dripper(threading.Thread):
    """A slowloris of our own (from 127.0.0.3): a header line every second;
    records when the server's 408 arrives."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.answer, self.after = b"", None

    def run(self):
        t0 = time.monotonic()
        try:
            with RawConnection(self.server, "127.0.0.3", timeout=30) as conn:
                self.answer, _ = conn.trickle([b"GET / HTTP/1.1\r\nHost: x\r\n"] +
                                              [b"X-Drip-%d: y\r\n" % i for i in range(25)], 1.0)
                if conn.first_byte_at is not None:
                    self.after = conn.first_byte_at - t0
        except OSError:
            pass


def metric_value(server, name):
    """A sample of /metrics, asked on a connection of its own from an address
    the attack does not use."""
    return metrics(server, source="127.0.0.4")[name]


class Sampler(threading.Thread):
    """Samples the server's open connections every 0.25 s."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.stop, self.open = server, threading.Event(), []

    def run(self):
        while not self.stop.is_set():
            try:
                self.open.append(metric_value(self.server, "gazette_http_connections_open"))
            except (OSError, AssertionError, KeyError):
                pass
            self.stop.wait(0.25)


def run_attack(tmp_path, server, args, name, path="/"):
    if SLOWHTTPTEST is None:
        pytest.fail("slowhttptest is not installed: apt-get install -y slowhttptest")
    prefix = tmp_path / name
    cmd = [SLOWHTTPTEST, *args, "-c", "300", "-r", "150", "-l", str(ATTACK_SECONDS), "-p", "3",
           "-u", f"{server.url}{path}", "-g", "-o", str(prefix)]
    client = NormalClient(server, path)
    sampler = Sampler(server)
    dripper = Dripper(server) if "-H" in args else None
    attack = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    t0 = time.monotonic()
    try:
        sampler.start()
        time.sleep(2)  # let the attack ramp up (150 connections a second)
        client.start()
        if dripper:
            dripper.start()
        time.sleep(ATTACK_SECONDS - 3)
        client.stop.set()
        client.join(10)
        try:
            attack.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    finally:
        if attack.poll() is None:
            os.killpg(attack.pid, signal.SIGKILL)
            attack.wait()
        sampler.stop.set()
        sampler.join(10)
    attack_seconds = time.monotonic() - t0
    if dripper:
        dripper.join(20)
    rows = list(csv.DictReader(open(prefix.with_suffix(".csv"))))
    # slowhttptest stops early when the server has closed all its connections.
    assert len(rows) >= 5, f"slowhttptest ran {len(rows)} s"
    per_ip_hits = metric_value(server, 'gazette_limit_hits_total{limit="connections_per_ip"}')
    result = client.summary()
    result["attack"] = {"tool": "slowhttptest", "args": " ".join(args), "connections": 300,
                        "rate": 150, "seconds": round(attack_seconds, 1),
                        "per_ip_limit": PER_IP,
                        "attacker_max_connected": max(int(r["Connected"]) for r in rows),
                        "attacker_closed_at_end": int(rows[-1]["Closed"]),
                        "server_max_open": max(sampler.open, default=-1),
                        "refused_by_per_ip_limit": per_ip_hits}
    record = ARTIFACTS / "slowloris.json"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        all_runs = json.loads(record.read_text())
    except (OSError, ValueError):
        all_runs = {}
    all_runs[name + ("-sanitized" if SANITIZED else "")] = dict(result, sanitized=SANITIZED,
                          when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    record.write_text(json.dumps(all_runs, indent=2) + "\n")
    print(f"\n{name}: normal client {result['ok']}/{result['requests']} "
          f"({100 * result['success_rate']:.1f}%), latency p50 {result['p50_ms']} ms, "
          f"p99 {result['p99_ms']} ms, max {result['max_ms']} ms; server held at most "
          f"{result['attack']['server_max_open']} connections, refused {per_ip_hits} "
          f"over the per-address limit")
    return result, dripper


def test_slowloris_does_not_starve_other_clients(tmp_path, make_site):
    s = make_site("--max-connections-per-ip", str(PER_IP))
    result, dripper = run_attack(tmp_path, s, ["-H", "-i", "1", "-x", "24", "-t", "GET"],
                                 "slowloris")
    assert result["requests"] >= 80, result
    assert result["success_rate"] == 1.0, result
    # The attacker's 300 connections met the per-address limit: about 250 refused.
    assert result["attack"]["refused_by_per_ip_limit"] >= 300 - PER_IP - 50, result
    # The default --header-timeout (10 s) cuts a client that never finishes its headers.
    assert dripper.answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), dripper.answer[:200]
    assert 9.0 <= dripper.after <= 12.5, dripper.after
    get_root_ok(s)


def test_slow_read_does_not_starve_other_clients(tmp_path, make_site):
    big = "\n\n".join(f"Paragraph {i}: " + "the council met again to talk about the harbour. " * 20
                      for i in range(300))
    s = make_site("--max-connections-per-ip", str(PER_IP),
                  files={"big.md": article("Big story", slug="big", body=big)})
    result, _ = run_attack(tmp_path, s, ["-X", "-k", "3", "-n", "1", "-z", "32", "-w", "1",
                                         "-y", "512", "-t", "GET"], "slowread",
                           path="/articles/big")
    assert result["requests"] >= 80, result
    assert result["success_rate"] == 1.0, result
    assert result["attack"]["refused_by_per_ip_limit"] >= 300 - PER_IP - 50, result
    get_root_ok(s)
