"""HTTP behaviour (DESIGN.md section 5): caching validators, gzip and Brotli, HEAD,
methods, static files, request-target decoding, live imports, headers."""

import gzip
import http.client
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import brotli
import pytest

from conftest import (VALGRIND_DIR, RawConnection, article, import_paths, raw_request,
                      request_bytes, write)

HTML = "text/html; charset=utf-8"


# --------------------------------------------------------------------------
# helpers

def http_date(dt):
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


IDENT = {"Accept-Encoding": "identity"}

FILES = {
    "one.md": article("First story", date="2025-02-04T10:00:00Z", slug="first-story",
                      author="Jane Doe", tags="[politics]",
                      body="\n\n".join(f"Paragraph {i} of the first story, with enough words "
                                       "in it to make the page worth compressing." for i in range(40))),
    "two.md": article("Second story", date="2025-02-05T10:00:00Z", slug="second-story",
                      author="Jane Doe", body="Short."),
    "about.md": article("About", date=None, slug="about", type="page", body="About us."),
}


@pytest.fixture(scope="module")
def site(make_module_site):
    return make_module_site(files=FILES)


ROUTES = ["/", "/articles/first-story", "/tags/politics", "/authors/jane-doe",
          "/search?q=story", "/about", "/api/v1/articles", "/api/v1/articles/first-story",
          "/api/v1/tags", "/api/v1/authors", "/static/css/site.css"]


# --------------------------------------------------------------------------
# ETag, Last-Modified, 304

@pytest.mark.parametrize("path", ROUTES + ["/healthz"])
def test_validators_on_answers(site, path):
    r = site.get(path, headers=IDENT)
    assert r.status_code == 200
    assert re.fullmatch(r'(W/)?"[^"\s]+"', r.headers["ETag"]), r.headers["ETag"]
    parsedate_to_datetime(r.headers["Last-Modified"])
    r2 = site.get(path, headers=IDENT)
    assert r2.headers["ETag"] == r.headers["ETag"]
    assert r2.content == r.content


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v1/nope"])
def test_validators_on_errors(site, path):
    r = site.get(path)
    assert r.status_code == 404
    assert "ETag" in r.headers and "Last-Modified" in r.headers


@pytest.mark.parametrize("path", ROUTES)
def test_if_none_match_gives_304(site, path):
    r = raw_request(site, "GET", path, IDENT)
    assert r.status == 200
    etag = r.headers["etag"]
    r2 = raw_request(site, "GET", path, {**IDENT, "If-None-Match": etag})
    assert r2.status == 304, path
    assert r2.body == b""
    assert r2.headers["etag"] == etag
    # HEAD is conditional too
    r3 = raw_request(site, "HEAD", path, {**IDENT, "If-None-Match": etag})
    assert r3.status == 304 and r3.body == b"" and r3.headers["etag"] == etag


def test_if_none_match_lists_weak_and_star(site):
    r = site.get("/articles/first-story", headers=IDENT)
    etag = r.headers["ETag"]
    strong = etag[2:] if etag.startswith("W/") else etag
    for value in (f'"nope", {etag}', f"W/{strong}", "*", f'{etag}, "other"'):
        r2 = site.get("/articles/first-story", headers={**IDENT, "If-None-Match": value})
        assert r2.status_code == 304, value
        assert r2.content == b""


def test_if_none_match_other_tag_gives_200(site):
    r = site.get("/articles/first-story", headers={**IDENT, "If-None-Match": '"not-the-tag"'})
    assert r.status_code == 200
    assert "First story" in r.text


def test_if_modified_since(site):
    r = site.get("/articles/first-story", headers=IDENT)
    lm = r.headers["Last-Modified"]
    when = parsedate_to_datetime(lm)
    r2 = site.get("/articles/first-story", headers={**IDENT, "If-Modified-Since": lm})
    assert r2.status_code == 304 and r2.content == b""
    assert r2.headers["ETag"] == r.headers["ETag"]
    later = http_date(when + timedelta(days=1))
    r3 = site.get("/articles/first-story", headers={**IDENT, "If-Modified-Since": later})
    assert r3.status_code == 304
    older = http_date(when - timedelta(days=400))
    r4 = site.get("/articles/first-story", headers={**IDENT, "If-Modified-Since": older})
    assert r4.status_code == 200 and r4.content == r.content
    r5 = site.get("/articles/first-story", headers={**IDENT, "If-Modified-Since": "yesterday"})
    assert r5.status_code == 200 and r5.content == r.content


def test_if_none_match_wins_over_if_modified_since(site):
    r = site.get("/", headers=IDENT)
    lm = r.headers["Last-Modified"]
    r2 = site.get("/", headers={**IDENT, "If-None-Match": '"other"', "If-Modified-Since": lm})
    assert r2.status_code == 200
    assert r2.content == r.content


def test_conditional_request_does_not_turn_errors_into_304(site):
    r = site.get("/no-such-page")
    r2 = site.get("/no-such-page", headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 404


# --------------------------------------------------------------------------
# gzip and Brotli

CODINGS = {  # what a client sends, the coding it gets, its decoder, its ETag's mark
    "gzip": ("gzip", "gzip", gzip.decompress, "-gz"),
    "brotli": ("gzip, deflate, br", "br", brotli.decompress, "-br"),
}


@pytest.mark.parametrize("coding", CODINGS)
@pytest.mark.parametrize("path", ["/", "/articles/first-story", "/api/v1/articles/first-story",
                                  "/static/css/site.css", "/search?q=story", "/feed.xml"])
def test_compressed_when_accepted(site, path, coding):
    accept, name, decode, mark = CODINGS[coding]
    plain = site.get(path, headers=IDENT)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers.get("Vary", "")
    assert int(plain.headers["Content-Length"]) == len(plain.content)

    r = raw_request(site, "GET", path, {"Accept-Encoding": accept})
    assert r.status == 200
    assert r.headers.get("content-encoding") == name, path
    assert "accept-encoding" in r.headers.get("vary", "").lower()
    assert r.headers["content-type"] == plain.headers["Content-Type"]
    assert int(r.headers["content-length"]) == len(r.body)
    assert decode(r.body) == plain.content
    assert len(r.body) <= len(plain.content) / 2
    assert r.headers["etag"] == plain.headers["ETag"][:-1] + mark + '"'


@pytest.mark.parametrize("accept,coding", [
    ("gzip;q=0", None), ("br;q=0, gzip;q=0", None), ("identity", None), ("deflate", None),
    ("br, gzip;q=0.5", "br"), ("gzip, br;q=0.5", "gzip"), ("br", "br"), ("gzip", "gzip"),
    ("gzip, deflate, br, zstd", "br"), ("br;q=0, *", "gzip"), ("*", "br")])
def test_coding_q_values(site, accept, coding):
    r = raw_request(site, "GET", "/articles/first-story", {"Accept-Encoding": accept})
    assert r.status == 200 and r.headers.get("content-encoding") == coding


@pytest.mark.parametrize("first", ["br", "gzip"])
def test_a_page_made_for_a_browser_serves_every_client(site, first):
    # The first client takes a compressed answer, so the cache keeps only
    # that; the others get the same content, each in its own coding.
    path = "/search?q=paragraph+" + ("story" if first == "br" else "first")
    r = raw_request(site, "GET", path, {"Accept-Encoding": first})
    assert r.status == 200 and r.headers.get("content-encoding") == first
    content = brotli.decompress(r.body) if first == "br" else gzip.decompress(r.body)
    assert b"Paragraph" in content
    tag = r.headers["etag"]
    for _ in range(2):
        plain = raw_request(site, "GET", path)
        assert plain.status == 200 and "content-encoding" not in plain.headers
        assert plain.body == content
        assert int(plain.headers["content-length"]) == len(content)
        assert plain.headers["content-type"] == HTML
        assert plain.headers["etag"] == tag[:-4] + '"'
        assert plain.headers["last-modified"] == r.headers["last-modified"]
        assert plain.headers.get("content-security-policy")
    other = "gzip" if first == "br" else "br"
    o = raw_request(site, "GET", path, {"Accept-Encoding": other})
    assert o.headers.get("content-encoding") == other
    assert (gzip.decompress(o.body) if other == "gzip" else brotli.decompress(o.body)) == content
    # an identity client holding the page revalidates against it
    nm = raw_request(site, "GET", path, {"If-None-Match": tag[:-4] + '"'})
    assert nm.status == 304 and nm.body == b""
    head = raw_request(site, "HEAD", path)
    assert head.status == 200 and int(head.headers["content-length"]) == len(content)


def test_clients_of_every_coding_at_once(site):
    # Eight clients at once on pages nobody asked for yet, each asking in a
    # coding of its own: whichever comes first makes the page, the others
    # make their coding from it (or get it decoded once, while another
    # makes it), and every answer is the same content.
    paths = [f"/search?q=paragraph+{i}" for i in range(8)]  # asked for by no other test
    seen = {p: set() for p in paths}
    codings = ["br", "gzip", None, "gzip, br", "br;q=0.5, gzip", None, "br", "gzip"]
    # what each may get: while another thread makes its coding, a client
    # gets the next it accepts, or identity
    allowed = {"br": {"br", None}, "gzip": {"gzip", None}, None: {None},
               "gzip, br": {"br", "gzip", None}, "br;q=0.5, gzip": {"gzip", "br", None}}
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}
    errors = []

    def client(k):
        for round_ in range(6):
            for p in paths:
                accept = codings[(k + round_) % len(codings)]
                r = raw_request(site, "GET", p, {"Accept-Encoding": accept} if accept else {})
                enc = r.headers.get("content-encoding")
                if r.status != 200 or enc not in allowed[accept]:
                    errors.append((k, p, accept, r.status, enc))
                else:
                    seen[p].add(decode[enc](r.body))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for p in paths:
        assert len(seen[p]) == 1, p  # one content, whatever the coding
        assert b"</html>" in next(iter(seen[p]))
    # Every coding was asked for: each is made now, and each client gets its own.
    expect = {"br": "br", "gzip": "gzip", None: None, "gzip, br": "br", "br;q=0.5, gzip": "gzip"}
    for p in paths:
        for accept, enc in expect.items():
            r = raw_request(site, "GET", p, {"Accept-Encoding": accept} if accept else {})
            assert r.headers.get("content-encoding") == enc, (p, accept)
            assert decode[enc](r.body) in seen[p]


def test_brotli_conditional(site):
    r = raw_request(site, "GET", "/articles/first-story", {"Accept-Encoding": "br"})
    etag = r.headers["etag"]
    assert etag.endswith('-br"')
    r2 = raw_request(site, "GET", "/articles/first-story",
                     {"Accept-Encoding": "br", "If-None-Match": etag})
    assert r2.status == 304 and r2.body == b"" and r2.headers["etag"] == etag


def test_no_gzip_without_accept_encoding(site):
    r = raw_request(site, "GET", "/articles/first-story")
    assert r.status == 200
    assert "content-encoding" not in r.headers
    assert b"First story" in r.body
    assert int(r.headers["content-length"]) == len(r.body)


@pytest.mark.parametrize("path", ["/", "/articles/first-story", "/static/css/site.css"])
def test_gzip_conditional(site, path):
    # a browser always sends Accept-Encoding: gzip and revalidates with the
    # ETag of the gzip answer it holds
    r = raw_request(site, "GET", path, {"Accept-Encoding": "gzip"})
    assert r.status == 200 and r.headers.get("content-encoding") == "gzip"
    etag = r.headers["etag"]
    r2 = raw_request(site, "GET", path, {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert r2.status == 304, (path, etag, r2.status)
    assert r2.body == b""
    assert r2.headers["etag"] == etag


def test_gzip_and_identity_tags_differ(site):
    hz = raw_request(site, "GET", "/", {"Accept-Encoding": "gzip"}).headers
    hi = raw_request(site, "GET", "/", IDENT).headers
    assert hz.get("content-encoding") == "gzip"
    assert hz["etag"] != hi["etag"]


# --------------------------------------------------------------------------
# HEAD

@pytest.mark.parametrize("path", ROUTES + ["/healthz", "/no-such-page", "/api/v1/nope"])
def test_head_has_headers_and_no_body(site, path):
    get = raw_request(site, "GET", path)
    head = raw_request(site, "HEAD", path)
    assert head.status == get.status
    assert head.body == b"", (path, head.body[:200])
    assert int(head.headers["content-length"]) == len(get.body)
    for name in ("content-type", "etag", "cache-control", "vary", "last-modified"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_with_gzip_reports_the_gzip_length(site):
    get = raw_request(site, "GET", "/", {"Accept-Encoding": "gzip"})
    head = raw_request(site, "HEAD", "/", {"Accept-Encoding": "gzip"})
    assert get.headers.get("content-encoding") == head.headers.get("content-encoding") == "gzip"
    assert head.body == b""
    assert int(head.headers["content-length"]) == len(get.body)


# --------------------------------------------------------------------------
# methods

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/", "/articles/first-story", "/search?q=x", "/about",
                                  "/tags/politics", "/static/css/site.css", "/healthz"])
def test_other_methods_are_405_with_allow(site, method, path):
    r = site.request(method, path, data=b"x=1")
    assert r.status_code == 405, (method, path)
    allow = [m.strip() for m in r.headers["Allow"].split(",")]
    assert "GET" in allow and "HEAD" in allow
    assert "POST" not in allow


def test_405_on_html_page_is_html(site):
    r = site.request("POST", "/articles/first-story")
    assert r.status_code == 405
    assert r.headers["Content-Type"] == HTML
    assert "Content-Security-Policy" in r.headers


@pytest.mark.parametrize("method", ["BREW", "OPTIONS", "TRACE"])
def test_unknown_method(site, method):
    r = raw_request(site, method, "/articles/first-story")
    assert r.status == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert raw_request(site, "GET", "/").status == 200


# --------------------------------------------------------------------------
# static files

def stylesheet_href(text):
    m = re.search(r'<link rel="stylesheet" href="([^"]+)"', text)
    assert m, "no stylesheet link"
    return m.group(1)


def test_plain_css(site):
    r = site.get("/static/css/site.css", headers=IDENT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == "text/css"
    assert "immutable" not in r.headers.get("Cache-Control", "")
    assert len(r.content) > 100


def test_fingerprinted_css_is_immutable(site):
    page = site.get("/")
    href = stylesheet_href(page.text)
    path = urlsplit(urljoin(site.url + "/", href)).path
    assert path.startswith("/static/") and path != "/static/css/site.css", path
    r = site.get(path, headers=IDENT)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == "text/css"
    cc = r.headers["Cache-Control"]
    assert "immutable" in cc
    m = re.search(r"max-age=(\d+)", cc)
    assert m and int(m.group(1)) >= 86400 * 30
    plain = site.get("/static/css/site.css", headers=IDENT)
    assert r.content == plain.content


def test_fingerprinted_icon(site):
    page = site.get("/")
    m = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml"', page.text)
    assert m
    r = site.get(urlsplit(urljoin(site.url + "/", m.group(1))).path)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == "image/svg+xml"
    assert "immutable" in r.headers["Cache-Control"]
    # Browsers ask for /favicon.ico whatever the page says: it is there.
    ico = site.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico.headers["Content-Type"] == "image/vnd.microsoft.icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00"
    assert '<link rel="icon" href="/favicon.ico"' in page.text


@pytest.mark.parametrize("path", ["/static/templates/home.html", "/static/nope.css",
                                  "/static/css/nope.css", "/static/", "/static",
                                  "/static/css", "/static/css/", "/static/meson.build",
                                  "/static/samples/about.md", "/static/css/site.00000000.css"])
def test_static_unknown_is_404(site, path):
    r = site.get(path, allow_redirects=True)     # "/static/" may first go to "/static"
    assert r.status_code == 404, (path, r.status_code)


# --------------------------------------------------------------------------
# request-target decoding

def test_encoded_slash_in_slug_is_404(site):
    r = raw_request(site, "GET", "/articles/a%2Fb")
    assert r.status == 404
    assert r.headers["content-type"] == HTML
    assert raw_request(site, "GET", "/articles/first-story%2Fx").status == 404


@pytest.mark.parametrize("target", ["/articles/%zz", "/articles/%2", "/articles/%", "/%zz",
                                    "/api/v1/articles/%g0", "/search?q=%zz",
                                    "/api/v1/articles?tag=%zz"])
def test_bad_percent_encoding_is_400(site, target):
    st = raw_request(site, "GET", target).status
    assert st == 400, (target, st)
    assert raw_request(site, "GET", "/healthz").status == 200


@pytest.mark.parametrize("target", ["/articles/../static/css/site.css", "/..", "/static/../x",
                                    "/static/css/../templates/home.html", "/articles/./first-story",
                                    "/articles/%2e%2e/x", "/static/%2E%2E/templates/home.html",
                                    "/articles/first-story/.."])
def test_dot_segments_are_400(site, target):
    st = raw_request(site, "GET", target).status
    assert st == 400, (target, st)


@pytest.mark.parametrize("target", ["/articles/%00", "/articles/a%00b", "/articles/%ff%fe",
                                    "/search?q=%00", "/search?q=%ff", "/api/v1/articles?q=%c3",
                                    "/" + "a" * 3000, "/articles/" + "%41" * 500,
                                    "/search?q=" + "x" * 5000])
def test_odd_targets_do_not_crash(site, target):
    st = raw_request(site, "GET", target).status
    assert 400 <= st < 500 or st == 200, (target, st)
    assert raw_request(site, "GET", "/healthz").status == 200


def test_percent_encoded_slug_letters(site):
    # %2D is "-": the decoded address is the article's
    r = raw_request(site, "GET", "/articles/first%2Dstory")
    assert r.status in (200, 301)
    if r.status == 301:
        assert urlsplit(urljoin(site.url + "/", r.headers["location"])).path == "/articles/first-story"


# --------------------------------------------------------------------------
# imports while the server runs

def test_import_while_running_is_seen_next_request(tmp_path, make_site):
    s = make_site(files={"a.md": article("Old one", slug="old-one", date="2024-01-01T00:00:00Z")})
    front = s.get("/", headers=IDENT)
    assert front.status_code == 200
    api = s.get("/api/v1/articles")
    assert [a["slug"] for a in api.json()["articles"]] == ["old-one"]
    assert s.get("/articles/new-one").status_code == 404
    # HTTP dates count whole seconds: let the clock move past the first answer's
    time.sleep(1.1)

    write(tmp_path / "new" / "b.md", article("New one", slug="new-one", date="2025-01-01T00:00:00Z",
                                             body="Freshly imported text."))
    import_paths(s.db, tmp_path / "new")

    r = s.get("/articles/new-one")
    assert r.status_code == 200
    assert "Freshly imported text." in r.text
    front2 = s.get("/", headers=IDENT)
    assert "/articles/new-one" in front2.text
    assert front2.headers["ETag"] != front.headers["ETag"]
    old = s.get("/", headers={**IDENT, "If-None-Match": front.headers["ETag"]})
    assert old.status_code == 200
    since = s.get("/", headers={**IDENT, "If-Modified-Since": front.headers["Last-Modified"]})
    assert since.status_code == 200, "a changed page answered 304 to If-Modified-Since"
    assert "/articles/new-one" in since.text
    assert parsedate_to_datetime(since.headers["Last-Modified"]) > \
        parsedate_to_datetime(front.headers["Last-Modified"])
    api = s.get("/api/v1/articles")
    assert [a["slug"] for a in api.json()["articles"]] == ["new-one", "old-one"]


def test_import_update_changes_served_text(make_site):
    s = make_site(files={"a.md": article("Original title", slug="story")})
    assert "Original title" in s.get("/articles/story").text
    assert "Original title" in s.get("/").text
    write(s.content / "a.md", article("Changed title", slug="story"))
    import_paths(s.db, s.content)
    r = s.get("/articles/story")
    assert "Changed title" in r.text and "Original title" not in r.text
    assert "Changed title" in s.get("/").text
    assert s.get("/api/v1/articles/story").json()["article"]["title"] == "Changed title"


def test_first_import_replaces_the_sample(tmp_path, make_site):
    s = make_site()
    sample = s.get("/api/v1/articles").json()
    assert sample["meta"]["pagination"]["total"] >= 1
    write(tmp_path / "mine" / "m.md", article("Mine", slug="mine"))
    import_paths(s.db, tmp_path / "mine")
    doc = s.get("/api/v1/articles").json()
    assert [a["slug"] for a in doc["articles"]] == ["mine"]


def test_scheduled_article_appears_when_due(make_site):
    lead = 20 if VALGRIND_DIR else 4  # starting under valgrind takes seconds
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=lead)
    s = make_site(files={
        "now.md": article("Already out", slug="already-out", date="2024-01-01T00:00:00Z"),
        "soon.md": article("Coming soon", slug="coming-soon",
                           date=due.strftime("%Y-%m-%dT%H:%M:%SZ")),
    })
    assert datetime.now(timezone.utc) < due, "the machine is too slow for this test"
    assert s.get("/articles/coming-soon").status_code == 404
    assert "coming-soon" not in s.get("/").text
    assert [a["slug"] for a in s.get("/api/v1/articles").json()["articles"]] == ["already-out"]
    while datetime.now(timezone.utc) < due + timedelta(seconds=1):
        time.sleep(0.2)
    assert s.get("/articles/coming-soon").status_code == 200
    assert "/articles/coming-soon" in s.get("/").text
    assert [a["slug"] for a in s.get("/api/v1/articles").json()["articles"]] == \
        ["coming-soon", "already-out"]


# --------------------------------------------------------------------------
# security headers, healthz

@pytest.mark.parametrize("path,status", [("/", 200), ("/articles/first-story", 200),
                                         ("/search?q=x", 200), ("/about", 200),
                                         ("/no-such-page", 404), ("/articles/%zz", 400)])
def test_security_headers_on_html(site, path, status):
    r = raw_request(site, "GET", path)
    assert r.status == status
    assert r.headers["content-type"] == HTML
    csp = r.headers["content-security-policy"]
    assert "default-src" in csp
    assert "script-src *" not in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/v1/articles", "/static/css/site.css", "/healthz"])
def test_nosniff_everywhere(site, path):
    assert site.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_healthz(site):
    r = site.get("/healthz")
    assert r.status_code == 200
    assert r.text.strip() == "ok"
    assert r.headers["Content-Type"].split(";")[0] == "text/plain"
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_keep_alive_many_requests_one_connection(site):
    """libmicrohttpd closes the connection after a response queued too early;
    gazette must keep it open across answers of every kind."""
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    conn.connect()
    sock = conn.sock
    for path in ["/", "/api/v1/articles", "/no-such-page", "/static/css/site.css",
                 "/api/v1/articles?limit=0"] * 4:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        assert r.status in (200, 400, 404)
        assert r.getheader("Connection", "").lower() != "close", path
        assert conn.sock is sock, f"the connection was closed after {path}"
    conn.close()


# --------------------------------------------------------------------------
# found in review: each of these was a real defect once

def test_bodies_are_refused_before_they_are_sent(site):
    """A POST announcing 50 MB gets its answer at once, without gazette reading a
    byte of the body (no 100 Continue, no waiting): 405 where nothing is
    written, 401 without a token; a GET with a body gets 413."""
    for target, status in (("/api/v1/tags", "405"), ("/api/v1/articles", "401")):
        with RawConnection(site, timeout=10) as conn:
            conn.send(request_bytes("POST", target, ["Content-Type: application/json",
                                                     "Content-Length: 52428800",
                                                     "Expect: 100-continue"],
                                    host="x", close=False))
            head = conn.read_response("POST").head
        assert head.startswith(f"HTTP/1.1 {status} "), head
        assert "100 Continue" not in head
    r = raw_request(site, "POST", "/api/v1/tags")
    assert r.status == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert raw_request(site, "GET", "/", {"Content-Length": "5"}).status == 413
    r = raw_request(site, "GET", "/api/v1/articles", {"Transfer-Encoding": "chunked"})
    assert r.status == 413 and r.headers["content-type"] == "application/problem+json"
    assert site.get("/").status_code == 200


def test_gzip_refused_explicitly_beats_star(site):
    # "*" stands for the codings not named: Brotli here, never gzip
    r = site.get("/articles/first-story", headers={"Accept-Encoding": "gzip;q=0, *"})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "br"
    r = site.get("/articles/first-story", headers={"Accept-Encoding": "gzip;q=0, br;q=0, *"})
    assert r.status_code == 200
    assert "Content-Encoding" not in r.headers


def test_raw_invalid_utf8_in_the_path_gets_a_styled_400(site):
    r = raw_request(site, "GET", "/\xff")
    assert r.status == 400
    text = r.body.decode("utf-8", "replace")
    assert '<link rel="stylesheet"' in text and "<title>Bad Request" in text


def test_problem_details_survive_a_cut_in_a_utf8_character(site):
    field = "a" * 63 + "%C3%A9"
    r = site.get("/api/v1/articles?fields=" + field)
    assert r.status_code == 400
    problem = r.json()
    assert problem["status"] == 400 and "fields" in problem["detail"]


def test_reserved_names_with_a_slash_are_404_not_redirects(site):
    for path in ("/articles/", "/archive/x/", "/api/", "/search/x/"):
        assert site.get(path).status_code == 404, path
    # The index pages are pages: their one spelling has no slash.
    for path in ("/tags/", "/authors/", "/archive/"):
        r = site.get(path)
        assert (r.status_code, r.headers["Location"]) == (301, path[:-1]), path


def test_page_one_in_any_spelling_redirects(site):
    assert site.get("/page/%31").headers["Location"] == "/"
    assert site.get("/tags/politics/page/%31").headers["Location"] == "/tags/politics"
    assert site.get("/page/01").status_code == 404
