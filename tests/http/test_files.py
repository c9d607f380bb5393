"""The files a site ships and the old addresses of its articles: files
served at every path no other route takes (type from the bytes, ETag, 304,
byte ranges, HEAD, cache lifetimes by address, large files streamed),
uploads through POST /api/v1/files, 301s from old addresses and from
WordPress's /?p=N, and the 404 page for the rest.

The import does not bring files in yet, so files and redirects are put
into a database made by `gazette import` directly, row by row as
src/store/store_files.c writes them, or through the upload API."""

import hashlib
import json
import re
import socket
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
import requests

from conftest import SLOW, add_token, article, build_site, mime, write

FILES = "/api/v1/files"
DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "media"
PNG = (DATA / "png-3x2.png").read_bytes()
GIF = (DATA / "gif-5x4.gif").read_bytes()


# --------------------------------------------------------------------------
# helpers

def put_file(db, path, data, type, width=None, height=None, modified_at=None):
    """Stores data as the file at path, as store_put_file() does: the bytes
    once in blobs under their SHA-256, the address in files."""
    digest = hashlib.sha256(data).hexdigest()
    con = sqlite3.connect(db)
    try:
        with con:
            row = con.execute("SELECT id FROM blobs WHERE hash = ?", (digest,)).fetchone()
            blob = row[0] if row else con.execute(
                "INSERT INTO blobs (hash, size, type, width, height, data) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (digest, len(data), type, width, height, data)).lastrowid
            con.execute(
                "INSERT INTO files (path, blob_id, source, modified_at) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (path) DO UPDATE SET blob_id = ?2, source = ?3, modified_at = ?4",
                (path, blob, "test", modified_at or int(time.time())))
    finally:
        con.close()
    return digest


def prune_blobs(db):
    con = sqlite3.connect(db)
    with con:
        con.execute("DELETE FROM blobs WHERE id NOT IN (SELECT blob_id FROM files)")
    con.close()


def put_redirect(db, path, slug, origin="test"):
    """An old address of the article with slug, as store_set_redirects() keeps it."""
    con = sqlite3.connect(db)
    try:
        with con:
            n = con.execute("INSERT INTO redirects (path, article_id, origin) "
                            "SELECT ?, id, ? FROM articles WHERE slug = ?",
                            (path, origin, slug)).rowcount
        assert n == 1, slug
    finally:
        con.close()


def hashed(path, data):
    """The content-hashed address of a file (media_hashed_path())."""
    digest = hashlib.sha256(data).hexdigest()[:8]
    head, slash, name = path.rpartition("/")
    dot = name.rfind(".")
    if dot > 0:
        name = f"{name[:dot]}.{digest}{name[dot:]}"
    else:
        name = f"{name}.{digest}"
    return head + slash + name


def vm_hwm_kib(pid):
    text = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1))


def raw_request(server, data, timeout=30):
    """Sends data on a connection of its own; returns (status, head, body)."""
    u = urlsplit(server.url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.1 (\d{3})", head)
    assert m, raw[:200]
    return int(m.group(1)), head.decode("latin-1"), body


def assert_problem(r, status, words=()):
    assert r.status_code == status, (r.request.method, r.url, r.status_code, r.text[:300])
    assert mime(r) == "application/problem+json", r.headers.get("Content-Type")
    p = r.json()
    assert p["status"] == status and p["detail"], p
    for w in words:
        assert w in p["detail"], (w, p["detail"])
    return p


SITE = {
    "rust.md": article("Rust 1.0", slug="rust-1-0", date="2015-05-15T10:00:00Z"),
    "hello.md": article("Hello world", slug="hello"),
    "about.md": article("About us", date=None, type="page", slug="about"),
}


@pytest.fixture
def db(tmp_path):
    return build_site(tmp_path / "content", SITE, tmp_path / "site.db")


class Site:
    """A server on db, with a write token."""

    def __init__(self, server, db):
        self.server, self.db = server, db
        self.token = None

    def upload(self, path, data, token=True, headers=None, **params):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {self.token}"
        return self.server.request("POST", FILES, params={"path": path, **params}, data=data,
                                   headers=h)


@pytest.fixture
def start_server(make_site):
    """start_server(db, *flags) -> Server (conftest's make_site: stopped and checked)."""
    return lambda db, *flags: make_site(*flags, db=db)


@pytest.fixture
def make_writer(start_server, db):
    def make(*flags):
        token = add_token(db, f"writer{time.monotonic_ns()}")
        s = Site(start_server(db, *flags), db)
        s.token = token
        return s
    return make


@pytest.fixture
def site(make_writer):
    return make_writer()


# --------------------------------------------------------------------------
# uploads

def test_upload_finds_type_and_size_from_the_bytes(site):
    r = site.upload("images/cat.png", PNG)
    assert r.status_code == 201, r.text
    f = r.json()["file"]
    digest = hashlib.sha256(PNG).hexdigest()
    base = site.server.url
    assert f == {"path": "images/cat.png", "url": f"{base}/images/cat.png",
                 "hashed_url": f"{base}/images/cat.{digest[:8]}.png", "type": "image/png",
                 "size": len(PNG), "width": 3, "height": 2, "sha256": digest,
                 "modified_at": f["modified_at"]}
    assert r.json()["replaced"] is False
    assert r.headers["Location"] == f"{base}/images/cat.png"
    assert r.headers["Cache-Control"] == "no-store"

    got = site.server.get("/images/cat.png")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["Accept-Ranges"] == "bytes"
    assert got.headers["ETag"] == f'"{digest[:32]}"'
    assert got.headers["Cache-Control"] == "public, max-age=3600"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "Last-Modified" in got.headers
    # the hashed address: the same bytes, cached for a year
    h = site.server.get(f"/images/cat.{digest[:8]}.png")
    assert h.status_code == 200 and h.content == PNG
    assert h.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # a hash of other bytes names nothing
    assert site.server.get("/images/cat.00000000.png").status_code == 404


def test_upload_types_ignore_lying_names(site):
    cases = [
        ("a/png-named.jpg", PNG, "image/png"),
        ("a/text.png", b"Only words here, whatever the name.\n", "text/plain; charset=utf-8"),
        ("a/page.jpg", b"<!DOCTYPE html><html><body><p>x</p></body></html>\n",
         "text/html; charset=utf-8"),
        ("a/site.css", b"body { color: red; }\na { margin: 0 auto; }\n", "text/css; charset=utf-8"),
        ("a/app.js", b"const x = 1;\nfunction f(a) { return a + x; }\n",
         "text/javascript; charset=utf-8"),
        ("a/drawing.svg", (DATA / "svg-viewbox.svg").read_bytes(), "image/svg+xml"),
        ("a/report.pdf", (DATA / "document.pdf").read_bytes(), "application/pdf"),
        ("a/sound.wav", (DATA / "audio.wav").read_bytes(), "audio/wav"),
    ]
    for path, data, want in cases:
        r = site.upload(path, data)
        assert r.status_code == 201, (path, r.text)
        assert r.json()["file"]["type"] == want, path
        got = site.server.get("/" + path)
        assert got.headers["Content-Type"] == want and got.content == data, path
    svg = site.upload("a/drawing.svg", (DATA / "svg-viewbox.svg").read_bytes()).json()["file"]
    assert (svg["width"], svg["height"]) == (25, 16)
    assert site.upload("a/report.pdf", (DATA / "document.pdf").read_bytes()).json()["file"]["width"] is None
    # what a browser could run scripts in is sandboxed
    for path in ("a/drawing.svg", "a/page.jpg"):
        csp = site.server.get("/" + path).headers["Content-Security-Policy"]
        assert csp.startswith("sandbox"), (path, csp)
    assert "Content-Security-Policy" not in site.server.get("/a/png-named.jpg").headers


def test_upload_again_and_replace(site):
    first = site.upload("images/cat.png", PNG)
    assert first.status_code == 201
    same = site.upload("images/cat.png", PNG)
    assert same.status_code == 200, same.text
    assert same.json() == {"file": first.json()["file"], "replaced": False}
    assert "Location" not in same.headers

    new = site.upload("images/cat.png", GIF, headers={"Content-Type": "image/gif"})
    assert new.status_code == 201, new.text
    assert new.json()["replaced"] is True
    f = new.json()["file"]
    assert (f["type"], f["width"], f["height"]) == ("image/gif", 5, 4)
    got = site.server.get("/images/cat.png")
    assert got.content == GIF and got.headers["Content-Type"] == "image/gif"
    # the old bytes are gone, with their hashed address; the new one answers
    assert site.server.get("/" + hashed("images/cat.png", PNG)).status_code == 404
    assert site.server.get("/" + hashed("images/cat.png", GIF)).content == GIF
    con = sqlite3.connect(site.db)
    assert con.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    con.close()


def test_upload_list(site):
    assert site.server.get(FILES).json() == {"files": []}
    site.upload("b.png", PNG)
    site.upload("a/c d.gif", GIF)
    listed = site.server.get(FILES)
    assert listed.status_code == 200
    files = listed.json()["files"]
    assert [f["path"] for f in files] == ["a/c d.gif", "b.png"]
    assert files[0]["url"] == site.server.url + "/a/c%20d.gif"
    assert site.server.get("/a/c%20d.gif").content == GIF
    # public: a token changes nothing but the caching
    assert site.server.get(FILES, headers={"Authorization": f"Bearer {site.token}"}).json() \
        == listed.json()


def test_upload_refusals(site, db):
    # no token, a bad one, one that may not write
    r = site.upload("x.png", PNG, token=False)
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = site.upload("x.png", PNG, token=False, headers={"Authorization": "Bearer nope"})
    assert_problem(r, 401)
    reader = add_token(db, "reader", scope="read-drafts")
    assert_problem(site.upload("x.png", PNG, token=False,
                               headers={"Authorization": f"Bearer {reader}"}), 403)
    # where the file would go
    assert_problem(site.server.request("POST", FILES, data=PNG,
                                       headers={"Authorization": f"Bearer {site.token}"}),
                   400, ["path="])
    for path, words in [("../x.png", ["'..'"]), ("/x.png", ["leading '/'"]), ("a//b", ["empty"]),
                        ("a\\b", ["'\\'"]), ("feed.xml", ["gazette's own"]),
                        ("tags/news", ["gazette's own"]), ("static/x.css", ["gazette's own"]),
                        ("api/x", ["gazette's own"]), ("/".join("abcdefghijklmnopq"), ["16"])]:
        assert_problem(site.upload(path, PNG), 400, words)
    # what the body is
    assert_problem(site.upload("x.png", PNG, headers={"Content-Type": "multipart/form-data; b=x"}),
                   415, ["form"])
    assert_problem(site.upload("x.png", PNG, headers={"Content-Encoding": "gzip"}), 415,
                   ["Content-Encoding"])
    html = b"<!DOCTYPE html><html><body>Not Found</body></html>\n"
    p = assert_problem(site.upload("x.png", html, headers={"Content-Type": "image/png"}), 415)
    assert "text/html" in p["detail"]
    # nothing was stored
    assert site.server.get(FILES).json() == {"files": []}
    assert site.server.get("/x.png").status_code == 404


def test_upload_size_limit(make_writer):
    site = make_writer("--max-file-size", "2048", "--max-body", "1024")
    assert site.upload("ok.bin", b"x" * 2048).status_code == 201
    assert_problem(site.upload("big.bin", b"x" * 2049), 413, ["--max-file-size"])
    # without Content-Length: chunked, refused once it passes the limit
    body = b"y" * 5000
    data = (f"POST {FILES}?path=chunked.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            f"Authorization: Bearer {site.token}\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    data += b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    status, head, _ = raw_request(site.server, data)
    assert status == 413 and "application/problem+json" in head
    assert site.server.get("/chunked.bin").status_code == 404
    # the JSON writes keep --max-body
    doc = {"title": "T", "body_markdown": "x" * 1500, "published_at": "2025-01-01T00:00:00Z"}
    r = site.server.request("POST", "/api/v1/articles", json=doc,
                            headers={"Authorization": f"Bearer {site.token}"})
    assert_problem(r, 413, ["--max-body"])


def test_read_only_server_refuses_uploads(start_server, db):
    token = add_token(db, "w")
    server = start_server(db, "--read-only")
    r = server.request("POST", FILES, params={"path": "x.png"}, data=PNG,
                       headers={"Authorization": f"Bearer {token}"})
    assert_problem(r, 403, ["read-only"])


def test_an_article_refers_to_an_uploaded_file(site):
    f = site.upload("images/cat.png", PNG).json()["file"]
    doc = {"title": "With a cat", "published_at": "2025-01-01T00:00:00Z",
           "body_markdown": f"![A cat]({f['hashed_url']})\n"}
    r = site.server.request("POST", "/api/v1/articles", json=doc,
                            headers={"Authorization": f"Bearer {site.token}"})
    assert r.status_code == 201, r.text
    page = site.server.get("/articles/with-a-cat").text
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    got = site.server.get(src)
    assert got.content == PNG
    assert got.headers["Cache-Control"] == "public, max-age=31536000, immutable"


# --------------------------------------------------------------------------
# serving: validators, ranges, HEAD, gzip

@pytest.fixture
def files_site(db, make_writer):
    """Files put straight into the database: a small one (answered from
    memory) and a 3 MB one (streamed)."""
    small = bytes(range(256)) * 4
    large = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32)
    put_file(db, "files/small.bin", small, "application/octet-stream", modified_at=1700000000)
    put_file(db, "files/large.bin", large, "application/octet-stream", modified_at=1700000000)
    site = make_writer()
    site.small, site.large = small, large
    return site


@pytest.mark.parametrize("which", ["small", "large"])
def test_etag_and_304(files_site, which):
    path = f"/files/{which}.bin"
    data = getattr(files_site, which)
    r = files_site.server.get(path)
    assert r.status_code == 200 and r.content == data
    assert r.headers["Content-Length"] == str(len(data))
    assert r.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    etag = r.headers["ETag"]
    assert etag == '"%s"' % hashlib.sha256(data).hexdigest()[:32]
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"x", W/{etag}'},
                    {"If-Modified-Since": r.headers["Last-Modified"]}):
        n = files_site.server.get(path, headers=headers)
        assert n.status_code == 304 and n.content == b"", headers
        assert n.headers["ETag"] == etag
    assert files_site.server.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    # a Range does not beat a current copy
    n = files_site.server.get(path, headers={"If-None-Match": etag, "Range": "bytes=0-1"})
    assert n.status_code == 304


@pytest.mark.parametrize("which", ["small", "large"])
def test_ranges(files_site, which):
    path = f"/files/{which}.bin"
    data = getattr(files_site, which)
    size = len(data)
    get = files_site.server.get
    etag = get(path, stream=True).headers["ETag"]
    for spec, start, end in [("bytes=0-9", 0, 9),                 # the first bytes
                             ("bytes=-10", size - 10, size - 1),   # the last
                             ("bytes=100-199", 100, 199),          # the middle
                             ("bytes=500-", 500, size - 1),        # to the end
                             ("bytes=10-99999999", 10, size - 1),  # an end past the end
                             ("bytes=-99999999", 0, size - 1),     # a suffix longer than it
                             ("BYTES = 7-7", 7, 7)]:
        r = get(path, headers={"Range": spec})
        assert r.status_code == 206, (spec, r.status_code)
        assert r.headers["Content-Range"] == f"bytes {start}-{end}/{size}", spec
        assert r.headers["Content-Length"] == str(end - start + 1), spec
        assert r.content == data[start:end + 1], spec
        assert r.headers["ETag"] == etag and r.headers["Accept-Ranges"] == "bytes"
        assert "Content-Encoding" not in r.headers
    for spec in (f"bytes={size}-", f"bytes={size + 5}-{size + 10}", "bytes=-0"):
        r = get(path, headers={"Range": spec})
        assert r.status_code == 416, spec
        assert r.headers["Content-Range"] == f"bytes */{size}", spec
    # several ranges, or what is not a range of bytes: the whole file
    for spec in ("bytes=0-1,5-6", "bytes=5-2", "items=0-1", "bytes=x-", "bytes=1-2;"):
        r = get(path, headers={"Range": spec})
        assert r.status_code == 200 and r.content == data, spec
    # If-Range: the same file gets its part, another the whole
    lm = get(path, stream=True).headers["Last-Modified"]
    for cond, status in ((etag, 206), ('"0123"', 200), (f"W/{etag}", 200), (lm, 206),
                         ("Wed, 15 Nov 2023 22:13:20 GMT", 200)):
        r = get(path, headers={"Range": "bytes=1-2", "If-Range": cond})
        assert r.status_code == status, cond
        assert r.content == (data[1:3] if status == 206 else data), cond
    # HEAD: the headers of the whole, no body, and no range
    h = files_site.server.request("HEAD", path, headers={"Range": "bytes=0-9"})
    assert h.status_code == 200 and h.content == b""
    assert h.headers["Content-Length"] == str(size)
    g = get(path, stream=True)
    for k in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Accept-Ranges"):
        assert h.headers[k] == g.headers[k], k
    g.close()


def test_range_on_a_cached_answer(files_site):
    """The small file's answer is kept in the cache: ranges come from it all the same."""
    get = files_site.server.get
    for _ in range(3):
        assert get("/files/small.bin").content == files_site.small
    r = get("/files/small.bin", headers={"Range": "bytes=1000-"})
    assert r.status_code == 206 and r.content == files_site.small[1000:]


def test_text_files_are_gzipped(db, make_writer):
    css = ("body { color: #222; }\n" * 200).encode()
    put_file(db, "css/old.css", css, "text/css; charset=utf-8")
    put_file(db, "img/a.png", PNG * 30, "image/png")
    site = make_writer()
    r = site.server.get("/css/old.css", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.content == css
    assert r.headers["Vary"] == "Accept-Encoding"
    r = site.server.get("/img/a.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    # a range is of the identity body
    r = site.server.get("/css/old.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == css[:4] and "Content-Encoding" not in r.headers


def test_large_file_is_streamed_not_held(db, start_server):
    """40 MB go out without the server's peak memory growing by anything
    like that: they are read from the database as the client takes them."""
    big = hashlib.sha256(b"big").digest() * (40 * 1024 * 1024 // 32)
    digest = put_file(db, "video/big.mp4", big, "video/mp4")
    server = start_server(db)
    assert server.get("/").status_code == 200
    before = vm_hwm_kib(server.proc.pid)
    r = server.get("/video/big.mp4", stream=True)
    assert r.status_code == 200 and r.headers["Content-Length"] == str(len(big))
    h = hashlib.sha256()
    for chunk in r.iter_content(1 << 16):
        h.update(chunk)
    assert h.hexdigest() == digest
    middle = server.get("/video/big.mp4", headers={"Range": "bytes=20000000-20999999"})
    assert middle.status_code == 206 and middle.content == big[20000000:21000000]
    after = vm_hwm_kib(server.proc.pid)
    # SQLite's page cache and a connection of its own: a few MB, never 40
    assert after - before < 12 * 1024, (before, after)


def test_a_file_replaced_while_it_streams(db, start_server):
    """A download begun goes on with the bytes it began with (a snapshot of
    its own), whatever an upload commits meanwhile."""
    old = hashlib.sha256(b"old").digest() * (8 * 1024 * 1024 // 32)
    new = hashlib.sha256(b"new").digest() * (8 * 1024 * 1024 // 32)
    put_file(db, "v.bin", old, "application/octet-stream")
    server = start_server(db)
    r = server.get("/v.bin", stream=True)
    it = r.iter_content(1 << 16)
    got = bytearray(next(it))
    put_file(db, "v.bin", new, "application/octet-stream")
    prune_blobs(db)  # the old bytes are gone from the file's table
    for chunk in it:
        got += chunk
    assert bytes(got) == old
    assert server.get("/v.bin").content == new


# --------------------------------------------------------------------------
# old addresses

def test_old_addresses_redirect(db, start_server):
    put_redirect(db, "/2015/05/15/Rust%201.0.html", "rust-1-0", "url")
    put_redirect(db, "/2015/05/15/rust", "rust-1-0", "aliases")
    put_redirect(db, "/company/about-us", "about", "aliases")
    put_redirect(db, "/?p=123", "hello", "wordpress")
    server = start_server(db)
    for path, where in [("/2015/05/15/Rust 1.0.html", "/articles/rust-1-0"),
                        ("/2015/05/15/Rust%201.0.html", "/articles/rust-1-0"),
                        ("/2015/05/15/rust", "/articles/rust-1-0"),
                        ("/2015/05/15/rust/", "/articles/rust-1-0"),
                        ("/2015/05/15/rust?utm_source=x", "/articles/rust-1-0"),
                        ("/company/about-us", "/about"),
                        ("/?p=123", "/articles/hello"),
                        ("/?p=0123&replytocom=4", "/articles/hello")]:
        r = server.get(path)
        assert r.status_code == 301, (path, r.status_code)
        assert r.headers["Location"] == where, path
        assert r.headers["Cache-Control"] == "public, max-age=86400", path
    # a post number no article had: the front page as usual
    r = server.get("/?p=999")
    assert r.status_code == 200 and mime(r) == "text/html"
    assert server.get("/").text == r.text
    assert server.get("/?p=abc").status_code == 400
    # followed, they land on the article
    r = server.get("/2015/05/15/rust/", allow_redirects=True)
    assert r.status_code == 200 and "Rust 1.0" in r.text


def test_old_addresses_below_a_public_path(db, start_server):
    put_redirect(db, "/2015/05/15/rust", "rust-1-0")
    put_redirect(db, "/?p=7", "about")
    put_file(db, "images/cat.png", PNG, "image/png", 3, 2)
    server = start_server(db, "--public-url", "http://example.org/blog")
    for prefix in ("", "/blog"):
        r = server.get(prefix + "/2015/05/15/rust")
        assert r.status_code == 301 and r.headers["Location"] == "/blog/articles/rust-1-0"
        r = server.get(prefix + "/?p=7")
        assert r.status_code == 301 and r.headers["Location"] == "/blog/about"
        assert server.get(prefix + "/images/cat.png").content == PNG
    f = server.get(FILES).json()["files"][0]
    assert f["url"] == "http://example.org/blog/images/cat.png"
    assert f["hashed_url"] == "http://example.org/blog/" + hashed("images/cat.png", PNG)


def test_missing_addresses_are_the_404_page(db, start_server):
    put_file(db, "images/cat.png", PNG, "image/png")
    server = start_server(db)
    for path in ("/nothing/here", "/images/dog.png", "/images/cat.png/x", "/images%2Fcat.png",
                 "/nothing", "/tags/x/y", "/2015/05/15/rust"):
        r = server.get(path)
        assert r.status_code == 404, path
        assert mime(r) == "text/html", path
        assert "Hello world" in r.text, path  # the way back: the latest articles
    # the API's unknown addresses stay problem+json
    assert_problem(server.get("/api/v1/nothing"), 404)
    # writes to an unknown address find nothing, as before
    assert server.request("POST", "/images/cat.png", data=b"x").status_code == 404
    assert server.request("DELETE", "/images/cat.png").status_code == 404


def test_a_page_wins_over_a_file_of_its_name(db, start_server):
    put_file(db, "about", b"a file called about\n", "text/plain; charset=utf-8")
    put_file(db, "cat.png", PNG, "image/png")
    server = start_server(db)
    assert "About us" in server.get("/about").text
    r = server.get("/cat.png")
    assert r.status_code == 200 and r.content == PNG


def test_files_below_reserved_names(db, start_server):
    """A path that looks like one of gazette's but that no route takes is a file."""
    put_file(db, "articles", b"odd\n", "text/plain; charset=utf-8")
    put_file(db, "articles/.well-known", b"x\n", "text/plain; charset=utf-8")
    put_file(db, "tags/news/photo.jpg", PNG, "image/png")
    server = start_server(db)
    assert server.get("/articles").content == b"odd\n"
    assert server.get("/articles/.well-known").content == b"x\n"
    assert server.get("/tags/news/photo.jpg").content == PNG
    assert server.get("/articles/hello").status_code == 200
