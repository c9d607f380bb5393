"""The authenticated write API (issue 7): POST, PUT, PATCH and DELETE of
articles with bearer tokens, drafts and scheduled articles, revisions,
If-Match against lost updates, body limits, read-only replicas and CORS.
Each test talks real HTTP to a real `gazette serve` on a free port; every
/api answer that goes through server.get()/request() is checked against
static/openapi.json (contract.py), and answers fetched from threads are
checked the same way through check()."""

import base64
import json
import random
import re
import shutil
import sqlite3
import statistics
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
import requests

import contract
from conftest import (ROOT, SANITIZED, SLOW, VALGRIND_DIR, add_token, answer_to, article,
                      assert_no_sanitizer_report, build_site, connect, mime, run_gazette)

API = "/api/v1/articles"
PAST = "2025-02-04T10:00:00Z"
ARTIFACTS = ROOT / "tests" / "artifacts"
# Time a slow build (sanitizers, valgrind) may need where a test waits for something.
PATIENCE = 8 if SLOW else 1


# --------------------------------------------------------------------------
# helpers

def assert_problem(r, status, names=()):
    """An RFC 9457 problem answer whose detail names each of `names`."""
    assert r.status_code == status, (r.request.method, r.url, r.status_code, r.text[:500])
    assert mime(r) == "application/problem+json", r.headers.get("Content-Type")
    p = r.json()
    assert p["status"] == status and p["title"] and p["detail"], p
    for name in names:
        assert name in p["detail"], (name, p["detail"])
    return p


def error_fields(r):
    """The fields a 400 for a document names in its `errors`."""
    p = assert_problem(r, 400)
    assert "errors" in p, p
    for e in p["errors"]:
        assert e["detail"], e
    return [e["field"] for e in p["errors"]]


def utc(t):
    """RFC 3339 UTC text of a POSIX time."""
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def doc(title, body="Some words here.", **fields):
    """A valid document (published in the past unless told otherwise)."""
    d = {"title": title, "body_markdown": body}
    if not fields.get("draft"):
        d["published_at"] = PAST
    d.update(fields)
    return d


def bearer(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def check(server, r):
    """Checks an answer fetched outside server.get()/request() against the spec."""
    target = contract.api_target(r.request.path_url, server.base_paths)
    if target is not None:
        contract.check_answer(r.request.method, target, r)
    return r


def revoke_token(db, name):
    r = run_gazette("token", "revoke", name, "--db", db)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 0, r.stderr


def token_names(db):
    r = run_gazette("token", "list", "--db", db)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 0, r.stderr
    return [line.split("\t")[0] for line in r.stdout.splitlines()]


class Site:
    """A running server on a copy of the base database, with its tokens."""

    def __init__(self, server, writer, reader):
        self.server = server
        self.db = server.db
        self.writer = writer  # scope write
        self.reader = reader  # scope read-drafts

    def get(self, path, token=None, **kw):
        headers = {**bearer(token), **kw.pop("headers", {})}
        return self.server.get(path, headers=headers, **kw)

    def send(self, method, path, body=None, token="writer", headers=None, **kw):
        """A write; body is JSON-encoded unless it is bytes or text already."""
        token = self.writer if token == "writer" else token
        h = {**bearer(token), **(headers or {})}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        return self.server.request(method, path, data=body, headers=h, **kw)

    def post(self, body, **kw):
        return self.send("POST", API, body, **kw)

    def put(self, slug, body, **kw):
        return self.send("PUT", f"{API}/{slug}", body, **kw)

    def patch(self, slug, body, **kw):
        return self.send("PATCH", f"{API}/{slug}", body, **kw)

    def delete(self, slug, **kw):
        return self.send("DELETE", f"{API}/{slug}", **kw)

    def article(self, slug, token="reader", status=200):
        """GET /api/v1/articles/SLUG (with the read-drafts token by default)."""
        r = self.get(f"{API}/{slug}", token=self.reader if token == "reader" else token,
                     headers={"Accept-Encoding": "identity"})
        assert r.status_code == status, (slug, r.status_code, r.text[:300])
        return r.json()["article"] if status == 200 else r

    def listed(self, query="", token=None):
        """Every slug of /api/v1/articles?query (all pages), in order."""
        out, page = [], 1
        while True:
            sep = "&" if query else ""
            r = self.get(f"{API}?{query}{sep}limit=100&page={page}", token=token)
            assert r.status_code == 200, (query, r.status_code, r.text[:300])
            d = r.json()
            out += d["articles"]
            if d["meta"]["pagination"]["next"] is None:
                return out
            page += 1


FILES = {
    "old.md": article("Old news", date="2024-05-01T08:00:00Z", slug="old-news",
                      author="Ann Archive", tags="[archive]", body="From the archive."),
    "about.md": article("About us", date=None, slug="about", type="page",
                        body="The aboutpagemarker page."),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A database with an article, a page and two tokens, made once per module."""
    d = tmp_path_factory.mktemp("writebase")
    db = build_site(d / "content", FILES, d / "base.db")
    writer = add_token(db, "editor")
    reader = add_token(db, "previewer", scope="read-drafts")
    return db, writer, reader


@pytest.fixture
def make_site(base, make_site, tmp_path):
    """make_site(*flags) -> Site: conftest's make_site (which this one
    overrides) serving a fresh copy of the base database."""
    serve, count = make_site, [0]

    def make(*flags):
        db = tmp_path / f"write{count[0]}.db"
        count[0] += 1
        shutil.copy(base[0], db)
        return Site(serve(*flags, db=db), base[1], base[2])

    return make


@pytest.fixture
def site(make_site):
    return make_site()


# --------------------------------------------------------------------------
# 1. the routes and their answers

def test_post_creates_an_article(site):
    body = doc("Hello world", slug="hello", summary="A greeting.", author="Jane Doe",
               tags=["news", "Machine Learning"], body="Some *Markdown* here.")
    r = site.post(body, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"{site.server.url}{API}/hello"
    assert "no-store" in r.headers["Cache-Control"]
    a = r.json()["article"]
    assert a["slug"] == "hello" and a["title"] == "Hello world" and a["summary"] == "A greeting."
    assert a["author"] == {"slug": "jane-doe", "name": "Jane Doe"}
    assert a["tags"] == [{"slug": "news", "name": "news"},
                         {"slug": "machine-learning", "name": "Machine Learning"}]
    assert a["published_at"] == PAST and a["status"] == "published"
    assert a["body_html"] == "<p>Some <em>Markdown</em> here.</p>\n"
    # readers see it on their next request, anonymous ones included
    got = site.get(urlsplit(r.headers["Location"]).path, headers={"Accept-Encoding": "identity"})
    assert got.status_code == 200 and got.json()["article"] == a
    assert "hello" in [x["slug"] for x in site.listed()]
    html = site.get("/articles/hello")
    assert html.status_code == 200 and "Hello world" in html.text
    assert "/articles/hello" in site.get("/").text
    assert "/articles/hello" in site.get("/tags/machine-learning").text


def test_post_derives_the_slug_and_takes_several_authors(site):
    r = site.post(doc("Two Authors, One Piece!", authors=["Jane Doe", "Ali Ray"]))
    assert r.status_code == 201, r.text
    a = r.json()["article"]
    assert a["slug"] == "two-authors-one-piece"
    assert r.headers["Location"].endswith(f"{API}/two-authors-one-piece")
    assert [p["name"] for p in a["authors"]] == ["Jane Doe", "Ali Ray"]
    assert a["author"]["name"] == "Jane Doe"
    assert site.get("/authors/ali-ray").status_code == 200


def test_an_authors_name_is_the_newest_spelling(site):
    """As after an import: "the Leadership Council" on an older article and
    "The Leadership Council" on a newer one name one author, spelled the new way."""
    assert site.post(doc("Older", author="the Leadership Council",
                         published_at="2021-01-01T00:00:00Z")).status_code == 201
    r = site.post(doc("Newer", author="The Leadership Council",
                      published_at="2022-01-01T00:00:00Z"))
    assert r.status_code == 201, r.text
    authors = {a["slug"]: a["name"] for a in site.get("/api/v1/authors").json()["authors"]}
    assert authors["the-leadership-council"] == "The Leadership Council"
    older = site.get(f"{API}/older").json()["article"]
    assert older["author"]["name"] == "The Leadership Council"


def test_a_retag_shows_everywhere_at_once(site):
    """Each worker keeps every article's tags and byline, and every tag's
    articles, in memory once a list or a page has read them
    (store_taxonomy.c): a write changes them on the very next request, in
    the order written, in lists, pages, tag pages and related articles,
    whichever worker answers."""
    for i, tags in enumerate([["zeta", "alpha"], ["alpha"], ["beta"]]):
        r = site.post(doc(f"Piece {i}", slug=f"piece-{i}", tags=tags, author="Jane Doe",
                          published_at=f"2025-03-0{i + 1}T10:00:00Z"))
        assert r.status_code == 201, r.text

    def fresh(path):
        # A new connection each time, so that both workers answer in turn.
        r = requests.get(site.server.url + path, headers={"Connection": "close"})
        assert r.status_code == 200, (path, r.status_code)
        return r

    def piece0():
        return next(a for a in fresh(f"{API}?limit=100").json()["articles"]
                    if a["slug"] == "piece-0")

    for _ in range(4):  # every worker reads its taxonomy
        assert [t["slug"] for t in piece0()["tags"]] == ["zeta", "alpha"]
        fresh("/articles/piece-2")
    r = site.patch("piece-0", {"tags": ["beta", "New One", "zeta"],
                               "authors": ["Ali Ray", "Jane Doe"]})
    assert r.status_code == 200, r.text
    for _ in range(4):
        a = piece0()
        assert [t["slug"] for t in a["tags"]] == ["beta", "new-one", "zeta"]
        assert [p["slug"] for p in a["authors"]] == ["ali-ray", "jane-doe"]
        assert a["author"]["slug"] == "ali-ray"
        one = fresh(f"{API}/piece-0").json()["article"]
        assert one["tags"] == a["tags"] and one["authors"] == a["authors"]
        assert "/articles/piece-0" in fresh("/tags/new-one").text
        assert "/articles/piece-0" not in fresh("/tags/alpha").text
        # piece-2's only tag is beta: piece-0 is now its related article
        page = fresh("/articles/piece-2").text
        related = page[page.index('class="related"'):]
        assert "/articles/piece-0" in related


def test_post_to_an_existing_slug_is_409(site):
    assert site.post(doc("First", slug="taken")).status_code == 201
    assert_problem(site.post(doc("Second", slug="taken")), 409)
    assert_problem(site.post(doc("Imported", slug="old-news")), 409)
    # the same title makes the same slug
    assert_problem(site.post(doc("Old news")), 409)
    assert site.article("taken")["title"] == "First"
    assert site.article("old-news")["title"] == "Old news"


def test_each_bad_field_is_named(site):
    before = [a["slug"] for a in site.listed("status=all", token=site.reader)]
    r = site.post({"title": "", "body_markdown": 3, "tags": "news", "published_at": "yesterday",
                   "draft": "yes", "slug": "not a slug", "colour": "red", "weight": 1.5,
                   "authors": [""], "extra": []})
    fields = error_fields(r)
    for name in ("title", "body_markdown", "tags", "published_at", "draft", "slug", "colour",
                 "weight", "authors", "extra"):
        assert name in fields, (name, r.json())
    # required fields, and author with authors
    fields = error_fields(site.post({"summary": "no title, no body"}))
    assert {"title", "body_markdown"} <= set(fields), fields
    fields = error_fields(site.post(doc("Both", author="A", authors=["B"])))
    assert fields == ["author"]
    # a published article needs a date (a draft does not)
    fields = error_fields(site.post({"title": "Undated", "body_markdown": "x"}))
    assert fields == ["published_at"], fields
    # a PUT's slug is its address's
    fields = error_fields(site.put("old-news", doc("Renamed", slug="other")))
    assert fields == ["slug"]
    # not a JSON object at all: a problem saying so
    assert_problem(site.post("[1, 2]", headers={"Content-Type": "application/json"}), 400,
                   ["object"])
    assert_problem(site.post("{\"title\": ", headers={"Content-Type": "application/json"}),
                   400, ["not valid JSON"])
    assert_problem(site.post("{\"title\": \"a\", \"title\": \"b\", \"body_markdown\": \"c\", "
                             "\"published_at\": \"2025-01-01T00:00:00Z\"}",
                             headers={"Content-Type": "application/json"}), 400)
    # nothing was written
    assert [a["slug"] for a in site.listed("status=all", token=site.reader)] == before
    assert site.article("old-news")["title"] == "Old news"


def test_a_body_that_is_not_json_is_415(site):
    body = json.dumps(doc("Typed", slug="typed"))
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                  "text/json", None):
        headers = {"Content-Type": ctype} if ctype else {}
        assert_problem(site.post(body, headers=headers), 415, ["application/json"])
        assert_problem(site.put("typed", body, headers=headers), 415)
        assert_problem(site.patch("old-news", '{"title": "x"}', headers=headers), 415)
    # a merge patch is JSON for PATCH, not for POST or PUT
    merge = {"Content-Type": "application/merge-patch+json"}
    assert_problem(site.post(body, headers=merge), 415)
    assert_problem(site.put("typed", body, headers=merge), 415)
    site.article("typed", status=404)
    # parameters and case do not matter
    r = site.post(body, headers={"Content-Type": "Application/JSON; charset=utf-8"})
    assert r.status_code == 201, r.text
    r = site.patch("typed", '{"summary": "Patched."}', headers=merge)
    assert r.status_code == 200 and r.json()["article"]["summary"] == "Patched."


def test_put_replaces_or_creates(site):
    r = site.put("fresh", doc("Fresh", summary="S.", tags=["a", "b"], author="Jane Doe"))
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"{site.server.url}{API}/fresh"
    assert r.json()["article"]["slug"] == "fresh"
    # a replace: what the document does not give is gone
    r = site.put("fresh", doc("Fresh again", body="New body."))
    assert r.status_code == 200, r.text
    assert "Location" not in r.headers
    a = r.json()["article"]
    assert a["title"] == "Fresh again" and a["tags"] == [] and a["author"] is None
    assert a["summary"] == "New body." and a["body_html"] == "<p>New body.</p>\n"
    assert site.article("fresh") == a
    assert site.get("/tags/a").status_code == 404
    # an imported article is replaced the same way
    r = site.put("old-news", doc("Old news, rewritten", body="Rewritten."))
    assert r.status_code == 200 and site.article("old-news")["title"] == "Old news, rewritten"
    # a slug in the document may repeat the address's
    assert site.put("fresh", doc("Same slug", slug="fresh")).status_code == 200


def test_search_results_follow_changes(site):
    """Each connection keeps what search read until the data changes
    (store_search.c): after a change, every search, on whichever connection,
    shows the article as it is now, its title, tags and byline."""
    assert site.post(doc("Cardword first", slug="card", author="Jane Doe", tags=["x", "y"],
                         body="The cardword body.")).status_code == 201

    def found(n):
        # a new query string each time, so that no cached answer stands in
        r = site.get(f"{API}?q=cardword&limit={n}")
        assert r.status_code == 200, r.text
        (a,) = r.json()["articles"]
        return a["title"], [t["name"] for t in a["tags"]], a["author"]["name"]

    for n in range(1, 9):
        assert found(n) == ("Cardword first", ["x", "y"], "Jane Doe")
    assert site.patch("card", {"title": "Cardword second", "tags": ["z"],
                               "authors": ["John Roe"]}).status_code == 200
    for n in range(9, 17):
        assert found(n) == ("Cardword second", ["z"], "John Roe")
    assert "Cardword second" in site.get("/search?q=cardword").text


def test_patch_merges(site):
    assert site.post(doc("Patchable", slug="p", summary="Sum.", author="Jane Doe",
                         tags=["x", "y"], body="Original body.")).status_code == 201
    r = site.patch("p", {"title": "Patched title"})
    assert r.status_code == 200, r.text
    a = r.json()["article"]
    assert a["title"] == "Patched title"
    assert a["summary"] == "Sum." and a["author"]["name"] == "Jane Doe"
    assert [t["name"] for t in a["tags"]] == ["x", "y"]
    assert a["body_html"] == "<p>Original body.</p>\n" and a["published_at"] == PAST
    # null removes a field; nested extra objects merge
    r = site.patch("p", {"tags": None, "extra": {"mood": "calm", "series": {"n": 1}}})
    assert r.status_code == 200 and r.json()["article"]["tags"] == []
    r = site.patch("p", {"extra": {"series": {"m": 2}}})
    assert r.status_code == 200
    revs = site.get(f"{API}/p/revisions", token=site.reader).json()["revisions"]
    assert revs  # the document itself is checked in the revisions test
    # a patch that leaves the document invalid is refused, naming the field
    assert error_fields(site.patch("p", {"title": None})) == ["title"]
    assert error_fields(site.patch("p", {"draft": "no"})) == ["draft"]
    assert site.article("p")["title"] == "Patched title"
    # only existing articles are patched
    assert_problem(site.patch("no-such", {"title": "x"}), 404)
    site.article("no-such", status=404)


def test_delete_is_204_then_gone(site):
    assert site.post(doc("Doomed", slug="doomed", tags=["doomtag"])).status_code == 201
    assert site.get("/articles/doomed").status_code == 200
    r = site.delete("doomed")
    assert r.status_code == 204 and r.content == b"", r.text
    assert_problem(site.get(f"{API}/doomed"), 404)
    assert_problem(site.get(f"{API}/doomed", token=site.reader), 404)
    assert site.get("/articles/doomed").status_code == 404
    assert site.get("/tags/doomtag").status_code == 404
    assert "doomed" not in [a["slug"] for a in site.listed("status=all", token=site.reader)]
    assert "/articles/doomed" not in site.get("/feed.xml").text
    assert_problem(site.delete("doomed"), 404)
    # an imported article too
    assert site.delete("old-news").status_code == 204
    assert site.get("/articles/old-news").status_code == 404


def test_if_match(site):
    assert site.post(doc("Guarded", slug="g", body="v1")).status_code == 201
    etag = site.get(f"{API}/g", headers={"Accept-Encoding": "identity"}).headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag), etag
    # a tag that is not the article's: 412 and nothing changes
    # (the second differs from the article's in its last digit only)
    last = "1" if etag[-2] == "0" else "0"
    for wrong in ('"0000000000000000"', etag[:-2] + last + '"', '"x", "y"'):
        assert_problem(site.put("g", doc("Lost", body="lost"), headers={"If-Match": wrong}),
                       412)
        assert_problem(site.patch("g", {"title": "Lost"}, headers={"If-Match": wrong}), 412)
        assert_problem(site.delete("g", headers={"If-Match": wrong}), 412)
    assert site.article("g")["title"] == "Guarded"
    # the current tag (alone, or in a list): the write happens
    r = site.put("g", doc("Guarded 2", body="v2"), headers={"If-Match": f'"nope", {etag}'})
    assert r.status_code == 200, r.text
    # the old tag is stale now
    assert_problem(site.patch("g", {"title": "Lost"}, headers={"If-Match": etag}), 412)
    etag2 = r.headers["ETag"]
    assert etag2 != etag
    r = site.patch("g", {"title": "Guarded 3"}, headers={"If-Match": etag2})
    assert r.status_code == 200, r.text
    # "*": any current article, none for a new slug
    assert site.patch("g", {"summary": "S."}, headers={"If-Match": "*"}).status_code == 200
    assert_problem(site.put("new-slug", doc("New"), headers={"If-Match": "*"}), 412)
    assert_problem(site.put("new-slug", doc("New"), headers={"If-Match": etag}), 412)
    site.article("new-slug", status=404)
    # DELETE with the current tag
    etag4 = site.get(f"{API}/g", headers={"Accept-Encoding": "identity"}).headers["ETag"]
    assert_problem(site.delete("g", headers={"If-Match": etag2}), 412)
    assert site.delete("g", headers={"If-Match": etag4}).status_code == 204


@pytest.mark.parametrize("draft", [False, True])
def test_the_etag_of_a_write_is_the_etag_of_a_get(site, draft):
    """The ETag a write answers with is the one GET gives next, so an editor can
    send it straight back in If-Match."""
    plain = {"Accept-Encoding": "identity"}
    fields = {"draft": True} if draft else {}
    writes = [lambda: site.post(doc("Tagged", slug="t", **fields), headers=plain),
              lambda: site.put("t", doc("Tagged 2", body="Two.", **fields), headers=plain),
              lambda: site.patch("t", {"summary": "Three."}, headers=plain)]
    tags = []
    for i, write in enumerate(writes):
        w = write()
        assert w.status_code in (200, 201), w.text
        got = site.get(f"{API}/t", token=site.reader, headers=plain)
        assert got.status_code == 200
        assert w.headers["ETag"] == got.headers["ETag"]
        assert w.json() == got.json()
        if not draft:  # the public answer is the same article, with the same tag
            assert site.get(f"{API}/t", headers=plain).headers["ETag"] == w.headers["ETag"]
        tags.append(w.headers["ETag"])
        # and it is accepted as If-Match right away
        r = site.patch("t", {"summary": f"Checked {i}."}, headers={**plain, "If-Match": tags[-1]})
        assert r.status_code == 200, r.text
        tags.append(r.headers["ETag"])
    assert len(set(tags)) == len(tags), tags


def test_the_gzip_etag_is_accepted_in_if_match(site):
    long_body = " ".join(f"word{i}" for i in range(600))
    assert site.post(doc("Zipped", slug="z", body=long_body)).status_code == 201
    r = site.get(f"{API}/z", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip"
    gz = r.headers["ETag"]
    plain = site.get(f"{API}/z", headers={"Accept-Encoding": "identity"}).headers["ETag"]
    assert gz == plain[:-1] + '-gz"', (gz, plain)
    r = site.put("z", doc("Zipped 2", body=long_body), headers={"If-Match": gz})
    assert r.status_code == 200, r.text
    # the gzip tag of the old version is as stale as the plain one
    assert_problem(site.patch("z", {"title": "Lost"}, headers={"If-Match": gz}), 412)
    assert_problem(site.patch("z", {"title": "Lost"}, headers={"If-Match": plain}), 412)
    assert site.article("z")["title"] == "Zipped 2"


def test_pages_cannot_be_written_through_the_api(site):
    page = site.get("/about")
    assert page.status_code == 200 and "aboutpagemarker" in page.text
    # not an article of the API
    assert_problem(site.get(f"{API}/about", token=site.reader), 404)
    # a document cannot make one
    fields = error_fields(site.post(doc("New page", slug="new-page", type="page")))
    assert fields == ["type"]
    assert site.get("/new-page").status_code == 404
    # nor replace, patch, delete or take the slug of one
    assert_problem(site.put("about", doc("Hijacked", body="hijack")), 409, ["page"])
    assert_problem(site.patch("about", {"title": "Hijacked"}), 409, ["page"])
    assert_problem(site.delete("about"), 404)
    assert_problem(site.post(doc("Hijacked", slug="about")), 409)
    page = site.get("/about")
    assert page.status_code == 200 and "aboutpagemarker" in page.text
    assert "Hijacked" not in page.text
    assert site.get(f"{API}/about/revisions", token=site.reader).status_code == 404
    # "post" is the one type a document may name
    r = site.post(doc("Typed post", slug="typed-post", type="post"))
    assert r.status_code == 201, r.text


def test_other_methods_are_405(site):
    for method, path in (("POST", f"{API}/old-news"), ("PUT", API), ("DELETE", API),
                         ("PATCH", API), ("POST", f"{API}/old-news/revisions"),
                         ("DELETE", f"{API}/old-news/revisions"), ("POST", "/api/v1/tags")):
        r = site.send(method, path, doc("x"))
        assert_problem(r, 405)
        assert "GET" in r.headers["Allow"], (method, path, r.headers)
    assert site.article("old-news")["title"] == "Old news"


# --------------------------------------------------------------------------
# 2. security

WRITES = [("POST", API, doc("Intruder", slug="intruder")),
          ("PUT", f"{API}/old-news", doc("Intruder")),
          ("PATCH", f"{API}/old-news", {"title": "Intruder"}),
          ("DELETE", f"{API}/old-news", None)]


def assert_unchanged(site):
    assert site.article("old-news")["title"] == "Old news"
    site.article("intruder", status=404)


def assert_401(r):
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer"), r.headers
    return r


def test_writes_need_a_token(site):
    for method, path, body in WRITES:
        r = assert_401(site.send(method, path, body, token=None))
        assert "error=" not in r.headers["WWW-Authenticate"]  # none was sent
        assert "token" in r.json()["detail"]
    assert_unchanged(site)


def test_wrong_tokens_are_401(site):
    good = site.writer
    last = "A" if good[-1] != "A" else "B"
    wrong = [good[:-1] + last,           # differs only in its last byte
             last + good[1:],            # only in its first
             good + "A", good[:-1],      # one byte more, one less
             good.upper() if good.upper() != good else good.lower(),
             "gz_" + "A" * 43, "x", site.reader + "x"]
    for token in wrong:
        assert token != good
        for method, path, body in WRITES:
            r = assert_401(site.send(method, path, body, token=token))
            assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
        # a wrong token does not read drafts either
        assert_401(site.get(f"{API}?status=draft", token=token))
    assert_unchanged(site)


def test_a_revoked_token_is_401_on_the_next_request(site):
    token = add_token(site.db, "temp")  # added while the server runs
    r = site.post(doc("Before", slug="before"), token=token)
    assert r.status_code == 201, r.text
    revoke_token(site.db, "temp")
    assert "temp" not in token_names(site.db)
    # the same keep-alive connection, the very next request
    assert_401(site.post(doc("After", slug="after"), token=token))
    assert_401(site.patch("before", {"title": "After"}, token=token))
    assert_401(site.get(f"{API}?status=draft", token=token))
    site.article("after", status=404)
    assert site.article("before")["title"] == "Before"
    # other tokens still work, and the name can be given again
    assert site.post(doc("Other", slug="other")).status_code == 201
    again = add_token(site.db, "temp")
    assert again != token
    assert site.post(doc("Again", slug="again"), token=again).status_code == 201
    assert_401(site.post(doc("Old", slug="old-again"), token=token))


def test_a_read_drafts_token_cannot_write(site):
    for method, path, body in WRITES:
        r = site.send(method, path, body, token=site.reader)
        assert_problem(r, 403, ["read drafts"])
        assert "WWW-Authenticate" not in r.headers
    assert_unchanged(site)
    # yet it reads drafts
    assert site.get(f"{API}?status=draft", token=site.reader).status_code == 200


MALFORMED = [
    "Basic ZWRpdG9yOnNlY3JldA==",
    "Bearer",
    "Bearer ",
    "Bearer    ",
    "Token {t}",
    "Bearer{t}",
    "Bearer\t{t}",
    "{t}",
    "Bearer {t} {t}",
    "Bearer {t},",
    "Bearer \"{t}\"",
    "Bearer {t}\tx",
    "Bearer " + "A" * 600,
    "Bearer " + "A" * 8000,
    "Bearer {t}" + "A" * 5000,
    "Bearer " + "é" * 40,
    "Bearer %s" % ("x" * 511),
]


def raw_post(server, data):
    """The one HTTP/1.1 answer to data, sent as it is on a connection of its own."""
    r = answer_to(server, data, "POST", timeout=30 * PATIENCE)
    assert r.head.startswith("HTTP/1.1 "), r.head
    return r


def test_malformed_authorization_is_401_and_harmless(site):
    t = site.writer
    for header in MALFORMED:
        value = header.replace("{t}", t)
        for method, path, body in WRITES[:2]:
            r = assert_401(site.send(method, path, body, token=None,
                                     headers={"Authorization": value.encode("utf-8")}))
            assert 'error="invalid_token"' in r.headers["WWW-Authenticate"], value[:40]
        # on a read that would be public without it: a bad token is still 401
        assert_401(site.get(API, headers={"Authorization": value.encode("utf-8")}))
        assert_401(site.get(f"{API}?status=draft",
                            headers={"Authorization": value.encode("utf-8")}))
    # raw bytes no client library would send: a NUL-free control byte, bytes above 0x7f
    for value in (b"Bearer \x01\x02", b"Bearer \xff\xfe\xfd", b"Bearer " + t.encode() + b"\x7f"):
        req = (b"POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: 2\r\nAuthorization: "
               + value + b"\r\n\r\n{}")
        r = raw_post(site.server, req)
        assert r.status in (400, 401), (value, r.status, r.head)
    # two Authorization fields are not two chances
    req = (b"POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
           b"Content-Type: application/json\r\nContent-Length: 2\r\n"
           b"Authorization: Bearer nope\r\nAuthorization: Bearer " + t.encode() + b"\r\n\r\n{}")
    r = raw_post(site.server, req)
    assert r.status in (400, 401), (r.status, r.head)
    assert_unchanged(site)
    # RFC 7235 2.1: the scheme is case-insensitive; RFC 6750 2.1: 1*SP before the token
    for value in (f"bearer {t}", f"BEARER {t}", f"Bearer  {t}"):
        r = site.get(f"{API}?status=draft", headers={"Authorization": value})
        assert r.status_code == 200, (value, r.status_code)
    # and the server is still fine
    assert site.get("/healthz").status_code == 200


def test_tokens_are_not_stored_in_clear(site):
    db = site.db
    tokens = [site.writer, site.reader, add_token(db, "ci"),
              add_token(db, "preview2", scope="read-drafts")]
    # use them, so that anything a server might note about a use is there too
    assert site.post(doc("Stored", slug="stored"), token=tokens[2]).status_code == 201
    assert site.get(f"{API}?status=all", token=tokens[3]).status_code == 200
    site.server.stop()
    log = site.server.log_path.read_text()
    files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
    blob = b"".join(p.read_bytes() for p in files)
    con = connect(db)  # with gz_cjk: every table is read, the search index too
    try:
        values = []
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in con.execute(f'SELECT * FROM "{table}"'):
                values += [v for v in row if isinstance(v, (str, bytes))]
        assert con.execute("SELECT count(*) FROM tokens").fetchone()[0] == 4
    finally:
        con.close()
    for token in tokens:
        prefix, _, rest = token.partition("_") if token.startswith("gz_") else ("", "", token)
        raw = base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4))
        assert len(raw) >= 32, token
        forms = [token.encode(), rest.encode(), raw, raw.hex().encode(), raw.hex().upper().encode(),
                 base64.b64encode(raw).rstrip(b"=")]
        for form in forms:
            assert form not in blob, f"a form of a token is in the database files: {form[:12]!r}"
            for v in values:
                vb = v.encode() if isinstance(v, str) else v
                assert form not in vb, f"a form of a token is in a column: {form[:12]!r}"
        assert token not in log


# --------------------------------------------------------------------------
# 3. drafts and scheduled articles

HIDDEN_PATHS = ["/", "/feed.xml", "/rss.xml", "/feed.json", "/sitemap.xml",
                "/tags/archive", "/authors/ann-archive", "/tags/archive/feed.xml"]


def make_hidden(site):
    """A draft and a scheduled article, each with words, a tag and an author of its own."""
    r = site.post(doc("Secret draft zorblax", slug="secret-draft", draft=True,
                      body="The zorblax draft text.", tags=["archive", "zorbtag"],
                      author="Ghost Zorb"))
    assert r.status_code == 201 and r.json()["article"]["status"] == "draft", r.text
    r = site.post(doc("Future quixotry", slug="future-news", published_at="2099-01-01T00:00:00Z",
                      body="The quixotry future text.", tags=["archive", "quixtag"],
                      author="Ann Archive"))
    assert r.status_code == 201 and r.json()["article"]["status"] == "scheduled", r.text
    r = site.post(doc("Dated draft", slug="dated-draft", draft=True,
                      published_at="2025-01-01T00:00:00Z"))
    assert r.status_code == 201 and r.json()["article"]["status"] == "draft", r.text
    assert site.post(doc("Visible piece", slug="visible", tags=["archive"])).status_code == 201


def test_drafts_and_scheduled_articles_are_invisible_to_readers(site):
    make_hidden(site)
    hidden = ("secret-draft", "future-news", "dated-draft", "zorblax", "quixotry", "zorbtag",
              "quixtag", "Ghost Zorb")
    for path in HIDDEN_PATHS:
        r = site.get(path)
        assert r.status_code == 200, (path, r.status_code)
        for word in hidden:
            assert word not in r.text, (path, word)
    # the visible one is there, so the pages were not simply stale
    for path in ("/", "/feed.xml", "/rss.xml", "/feed.json", "/sitemap.xml", "/tags/archive"):
        assert "/articles/visible" in site.get(path).text, path
    for slug in ("secret-draft", "future-news", "dated-draft"):
        assert site.get(f"/articles/{slug}").status_code == 404
        assert_problem(site.get(f"{API}/{slug}"), 404)
    for path in ("/tags/zorbtag", "/tags/quixtag", "/authors/ghost-zorb", "/tags/zorbtag/feed.xml"):
        assert site.get(path).status_code == 404, path
    for word in ("zorblax", "quixotry", "text"):
        r = site.get(f"/search?q={word}")
        assert r.status_code == 200, word
        for slug in ("secret-draft", "future-news", "dated-draft"):
            assert slug not in r.text, (word, slug)
        r = site.get(f"{API}?q={word}")
        assert r.status_code == 200 and r.json()["articles"] == [], word
    # (search works: it finds the visible one)
    assert "/articles/visible" in site.get("/search?q=words").text
    assert [a["slug"] for a in site.get(f"{API}?q=words").json()["articles"]] == ["visible"]
    listed = [a["slug"] for a in site.listed()]
    assert sorted(listed) == ["old-news", "visible"]
    assert all(a["status"] == "published" for a in site.listed())
    tags = {x["slug"]: x["count"] for x in site.get("/api/v1/tags").json()["tags"]}
    assert tags == {"archive": 2}, tags
    authors = {x["slug"]: x["count"] for x in site.get("/api/v1/authors").json()["authors"]}
    assert authors == {"ann-archive": 1}, authors
    # asking for them without a token
    for status in ("draft", "scheduled", "all"):
        assert_401(site.get(f"{API}?status={status}"))
    assert site.get(f"{API}?status=published").status_code == 200
    assert_401(site.get(f"{API}/secret-draft/revisions"))


def test_a_token_sees_drafts_by_status(site):
    make_hidden(site)
    expect = {"published": {"old-news", "visible"}, "draft": {"secret-draft", "dated-draft"},
              "scheduled": {"future-news"}}
    expect["all"] = set().union(*expect.values())
    for token in (site.reader, site.writer):
        for status, slugs in expect.items():
            arts = site.listed(f"status={status}", token=token)
            assert {a["slug"] for a in arts} == slugs, status
            if status != "all":
                assert {a["status"] for a in arts} == {status}
            r = site.get(f"{API}?status={status}", token=token)
            cc = r.headers["Cache-Control"]
            assert "private" in cc or "no-store" in cc, cc
            assert "public" not in cc, cc
        arts = site.listed("status=all&tag=archive", token=token)
        assert {a["slug"] for a in arts} == {"old-news", "visible", "secret-draft", "future-news"}
        a = site.article("secret-draft", token=token)
        assert a["status"] == "draft" and a["title"] == "Secret draft zorblax"
        assert a["published_at"] is None
        assert site.article("future-news", token=token)["status"] == "scheduled"
        assert site.article("old-news", token=token)["status"] == "published"
        r = site.get(f"{API}/secret-draft", token=token)
        assert "private" in r.headers["Cache-Control"] or "no-store" in r.headers["Cache-Control"]
        assert "public" not in r.headers["Cache-Control"]
    # a token's answer is never handed to someone without one (the server's cache)
    assert_problem(site.get(f"{API}/secret-draft"), 404)
    assert "secret-draft" not in site.get(API).text
    # nor does a token make the HTML site show drafts
    assert site.get("/articles/secret-draft", token=site.writer).status_code == 404
    # the anonymous published list may be cached by anyone
    assert "public" in site.get(API).headers["Cache-Control"]
    # a draft is published by a patch, and readers see it at once
    r = site.patch("secret-draft", {"draft": False, "published_at": PAST})
    assert r.status_code == 200 and r.json()["article"]["status"] == "published"
    assert site.get("/articles/secret-draft").status_code == 200
    assert "/articles/secret-draft" in site.get("/feed.xml").text


def test_a_scheduled_article_appears_at_its_moment(site):
    """Published a few seconds ahead, it shows on the site, in the API and in
    the feeds when its time comes: no restart, no import, no stale cache."""
    lead = 20 if VALGRIND_DIR else 8 if SLOW else 4
    due = int(time.time()) + lead
    r = site.post(doc("Timely", slug="timely-piece", published_at=utc(due),
                      body="The chronoglyph text.", tags=["timetag"]))
    assert r.status_code == 201 and r.json()["article"]["status"] == "scheduled", r.text
    paths = ["/", "/articles/timely-piece", "/feed.xml", "/rss.xml", "/feed.json",
             "/sitemap.xml", "/tags/timetag", "/search?q=chronoglyph", API,
             f"{API}/timely-piece", f"{API}?tag=timetag", "/api/v1/tags"]

    def visible(path):
        r = site.get(path)
        if path in ("/articles/timely-piece", f"{API}/timely-piece", "/tags/timetag"):
            return r.status_code == 200
        if path == f"{API}?tag=timetag":
            return r.status_code == 200 and "timely-piece" in r.text
        assert r.status_code == 200, (path, r.status_code)
        return ("timetag" if path == "/api/v1/tags" else "timely-piece") in r.text

    # before: nowhere (and each answer now sits in the server's cache)
    for path in paths:
        assert not visible(path), path
    assert time.time() < due, "the lead was too short to look before the moment"
    seen = {}
    deadline = due + 5 * PATIENCE
    while len(seen) < len(paths) and time.time() < deadline:
        for path in paths:
            if path not in seen and visible(path):
                seen[path] = time.time()
        time.sleep(0.05)
    assert set(seen) == set(paths), f"never appeared: {set(paths) - set(seen)}"
    early = {p: round(due - t, 3) for p, t in seen.items() if t < due}
    assert not early, f"shown before its moment (seconds early): {early}"
    late = {p: round(t - due, 3) for p, t in seen.items() if t > due + 2 * PATIENCE}
    assert not late, f"shown late (seconds): {late}"
    assert site.article("timely-piece", token=None)["status"] == "published"


# --------------------------------------------------------------------------
# 4. revisions

def test_revisions_keep_what_writes_replaced_and_restore_it(site):
    v1 = doc("Version one", slug="rev", summary="First.", author="Jane Doe", tags=["one"],
             body="The first body.", extra={"mood": "calm"})
    assert site.post(v1).status_code == 201
    original = site.article("rev")
    assert_problem(site.get(f"{API}/rev/revisions"), 401)
    assert site.get(f"{API}/rev/revisions", token=site.reader).json()["revisions"] == []
    assert site.put("rev", doc("Version two", body="The second body.",
                               tags=["two"])).status_code == 200
    assert site.patch("rev", {"title": "Version three"}).status_code == 200
    r = site.get(f"{API}/rev/revisions", token=site.reader)
    assert r.status_code == 200
    assert "private" in r.headers["Cache-Control"] or "no-store" in r.headers["Cache-Control"]
    revs = r.json()["revisions"]
    assert [x["reason"] for x in revs] == ["updated", "updated"]
    assert revs[0]["id"] > revs[1]["id"], "newest first"
    by_title = {x["article"]["title"]: x["article"] for x in revs}
    assert set(by_title) == {"Version one", "Version two"}
    old = by_title["Version one"]
    assert old["body_markdown"] == "The first body." and old["summary"] == "First."
    assert old["authors"] == ["Jane Doe"] and old["tags"] == ["one"]
    assert old["published_at"] == PAST and old["draft"] is False and old["type"] == "post"
    assert old["extra"] == {"mood": "calm"}
    assert by_title["Version two"]["tags"] == ["two"]
    # undo: PUT the old document back
    r = site.put("rev", old)
    assert r.status_code == 200, r.text
    restored = site.article("rev")
    assert restored == original
    html = site.get("/articles/rev").text
    assert "Version one" in html and "The first body." in html
    assert site.get("/tags/one").status_code == 200 and site.get("/tags/two").status_code == 404
    assert len(site.get(f"{API}/rev/revisions", token=site.reader).json()["revisions"]) == 3
    # a deleted article keeps its revisions, and comes back the same way
    assert site.delete("rev").status_code == 204
    revs = site.get(f"{API}/rev/revisions", token=site.reader).json()["revisions"]
    assert revs[0]["reason"] == "deleted" and revs[0]["article"]["title"] == "Version one"
    r = site.put("rev", revs[0]["article"])
    assert r.status_code == 201, r.text
    assert site.article("rev") == original
    assert_problem(site.get(f"{API}/never-was/revisions", token=site.reader), 404)


# --------------------------------------------------------------------------
# 5. limits

def sized_doc(slug, size):
    """A document whose JSON text is exactly size bytes."""
    d = doc("Sized", slug=slug, body="")
    d["body_markdown"] = "x" * (size - len(json.dumps(d)))
    text = json.dumps(d)
    assert len(text) == size
    return text


def test_max_body_with_content_length(make_site):
    site = make_site("--max-body", "2048")
    ok = sized_doc("at-limit", 2048)
    r = site.post(ok, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    for method, path in (("POST", API), ("PUT", f"{API}/over"), ("PATCH", f"{API}/at-limit")):
        r = site.send(method, path, sized_doc("over", 2049),
                      headers={"Content-Type": "application/json"})
        assert_problem(r, 413, ["--max-body"])
        r = site.send(method, path, sized_doc("over", 100000),
                      headers={"Content-Type": "application/json"})
        assert_problem(r, 413)
    site.article("over", status=404)
    assert site.article("at-limit")["title"] == "Sized"
    assert site.get("/healthz").status_code == 200
    assert site.post(doc("Small", slug="small")).status_code == 201


def chunked_post(site, text, chunk=500):
    body = text.encode()
    parts = [body[i:i + chunk] for i in range(0, len(body), chunk)]
    data = (f"POST {API} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            f"Authorization: Bearer {site.writer}\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode()
    for p in parts:
        data += b"%x\r\n" % len(p) + p + b"\r\n"
    data += b"0\r\n\r\n"
    return raw_post(site.server, data)


def test_max_body_with_chunked_transfer_encoding(make_site):
    site = make_site("--max-body", "2048")
    r = chunked_post(site, sized_doc("chunked-ok", 2048))
    assert r.status == 201, (r.head, r.body[:300])
    r = chunked_post(site, sized_doc("chunked-over", 2049))
    assert r.status == 413, (r.head, r.body[:300])
    assert "application/problem+json" in r.head
    assert json.loads(r.body)["status"] == 413
    r = chunked_post(site, sized_doc("chunked-huge", 200000), chunk=4096)
    assert r.status == 413, r.head
    assert site.article("chunked-ok")["title"] == "Sized"
    for slug in ("chunked-over", "chunked-huge"):
        site.article(slug, status=404)
    # still answering, reads and writes
    assert site.get("/").status_code == 200
    assert site.post(doc("After", slug="after-chunks")).status_code == 201


def test_the_default_body_limit_is_one_mebibyte(site):
    r = site.post(sized_doc("mib", 1 << 20), headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text[:300]
    r = site.post(sized_doc("mib-over", (1 << 20) + 1),
                  headers={"Content-Type": "application/json"})
    assert_problem(r, 413)


def test_a_read_only_server_refuses_writes(make_site):
    site = make_site("--read-only")
    for method, path, body in WRITES:
        r = site.send(method, path, body)
        p = assert_problem(r, 403, ["read-only"])
        assert "primary" in p["detail"]
    # a token is still needed to be told so
    for method, path, body in WRITES:
        assert_401(site.send(method, path, body, token=None))
    # reads, drafts included, work
    assert site.article("old-news")["title"] == "Old news"
    assert site.get(f"{API}?status=all", token=site.reader).status_code == 200
    assert site.get("/articles/old-news").status_code == 200
    assert_unchanged(site)


# --------------------------------------------------------------------------
# 6. CORS

PREFLIGHT = {"Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "authorization, content-type, if-match"}


def test_cors_reads_are_open_and_writes_are_not_by_default(site):
    origin = {"Origin": "https://editor.example"}
    for path in (API, f"{API}/old-news", "/api/v1/tags", "/api/v1/openapi.json"):
        r = site.get(path, headers=origin)
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*", path
    r = site.post(doc("Cross", slug="cross"), headers=origin)
    assert r.status_code == 201
    assert "Access-Control-Allow-Origin" not in r.headers
    for r in (site.patch("cross", {"title": "x"}, headers=origin),
              site.post(doc("Cross", slug="cross"), headers=origin),
              site.post(doc("Cross"), token=None, headers=origin),
              site.post("nope", headers={**origin, "Content-Type": "text/plain"}),
              site.delete("cross", headers=origin)):
        assert r.status_code in (200, 204, 401, 409, 415), r.status_code
        assert "Access-Control-Allow-Origin" not in r.headers, (r.status_code, r.headers)
    r = site.send("OPTIONS", f"{API}/old-news", token=None, headers={**origin, **PREFLIGHT})
    assert r.status_code == 204
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Methods" not in r.headers
    # a preflight for a read is open to all
    r = site.send("OPTIONS", API, token=None,
                  headers={**origin, "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" not in r.headers["Access-Control-Allow-Methods"]


def test_cors_origin_may_write(make_site):
    site = make_site("--cors-origin", "https://editor.example")
    origin = {"Origin": "https://editor.example"}
    for path, method in ((f"{API}/old-news", "PUT"), (f"{API}/old-news", "PATCH"),
                         (f"{API}/old-news", "DELETE"), (API, "POST")):
        r = site.send("OPTIONS", path, token=None,
                      headers={**origin, **PREFLIGHT, "Access-Control-Request-Method": method})
        assert r.status_code == 204, r.text
        assert r.content == b""
        assert r.headers["Access-Control-Allow-Origin"] == "https://editor.example"
        methods = [m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")]
        assert method in methods, methods
        allowed = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "if-match"} <= allowed, allowed
        assert "Origin" in r.headers.get("Vary", "")
    r = site.send("OPTIONS", f"{API}/old-news", token=None, headers={**origin, **PREFLIGHT})
    assert {"PUT", "PATCH", "DELETE"} <= {m.strip() for m in
                                          r.headers["Access-Control-Allow-Methods"].split(",")}
    # the write itself, from that origin
    r = site.put("old-news", doc("Edited in the browser"), headers=origin)
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == "https://editor.example"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    assert "Origin" in r.headers["Vary"]
    # any other origin (a look-alike too) gets no CORS headers at all
    for other in ("https://evil.example", "https://editor.example.evil.example",
                  "http://editor.example", "https://editor.example:8443", "null"):
        h = {"Origin": other}
        r = site.send("OPTIONS", f"{API}/old-news", token=None, headers={**h, **PREFLIGHT})
        assert r.status_code == 204
        assert "Access-Control-Allow-Origin" not in r.headers, other
        assert "Access-Control-Allow-Methods" not in r.headers, other
        r = site.patch("old-news", {"summary": "s"}, headers=h)
        assert r.status_code == 200
        assert "Access-Control-Allow-Origin" not in r.headers, other
        # its reads stay open
        assert site.get(API, headers=h).headers["Access-Control-Allow-Origin"] == "*"


# --------------------------------------------------------------------------
# 7. lost updates

def test_lost_update_two_writers_same_if_match(site):
    """Two editors PUT the same article at the same moment with the ETag they
    both read: one wins (200), the other gets 412, every time."""
    assert site.post(doc("Contended", slug="c", body="start")).status_code == 201
    sessions = [requests.Session(), requests.Session()]
    url = f"{site.server.url}{API}/c"
    try:
        for s in sessions:  # open each connection before the race
            assert s.get(site.server.url + "/healthz", timeout=30).status_code == 200
        for rep in range(20):
            etag = site.get(f"{API}/c", headers={"Accept-Encoding": "identity"}).headers["ETag"]
            barrier = threading.Barrier(2)
            answers = [None, None]

            def put(i):
                body = json.dumps(doc(f"Writer {i} rep {rep}", body=f"by {i} in {rep}"))
                barrier.wait()
                answers[i] = sessions[i].put(url, data=body, timeout=60, headers={
                    **bearer(site.writer), "Content-Type": "application/json",
                    "If-Match": etag, "Accept-Encoding": "identity"})

            threads = [threading.Thread(target=put, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for a in answers:
                check(site.server, a)
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [200, 412], (rep, [a.text[:200] for a in answers])
            winner = next(i for i in range(2) if answers[i].status_code == 200)
            a = site.article("c")
            assert a["title"] == f"Writer {winner} rep {rep}", (rep, a["title"])
            assert site.get(f"{API}/c", headers={"Accept-Encoding": "identity"}).headers["ETag"] \
                == answers[winner].headers["ETag"]
    finally:
        for s in sessions:
            s.close()
    revs = site.get(f"{API}/c/revisions", token=site.reader).json()["revisions"]
    assert len(revs) == 20  # one per winning write, none for a refused one


# --------------------------------------------------------------------------
# 8. many writers and readers at once

MARK = re.compile(r"\bm(\d+)x(\d+)\b")


def marks(text):
    return {m.group(0) for m in MARK.finditer(text)}


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000, 2)


def whole(title, *parts):
    """True if every part carries the one marker the title carries."""
    m = marks(title)
    return len(m) == 1 and all(marks(p) == m for p in parts)


def run_clients(clients, stop_at, fail, together=False):
    """Runs each client in a thread of its own until stop_at.  A client is
    (name, step) or (name, step, headers): step(session, n) is called with
    n = 1, 2, ... on a requests.Session of the client's own that sends those
    headers.  An exception ends the client: fail(f"{name}: {exception!r}").
    together: the clients start at the same moment.  Returns when every one
    has ended, which each must within 300 s of stop_at."""
    barrier = threading.Barrier(len(clients)) if together else None

    def run(name, step, headers=None):
        s = requests.Session()
        s.headers.update(headers or {})
        if barrier:
            barrier.wait()
        n = 0
        try:
            while time.monotonic() < stop_at:
                n += 1
                step(s, n)
        except Exception as e:  # noqa: BLE001 - reported by the test
            fail(f"{name}: {e!r}")
        finally:
            s.close()

    threads = [threading.Thread(target=run, args=client) for client in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, stop_at - time.monotonic()) + 300)
    assert not any(t.is_alive() for t in threads), "a client thread hung"


def test_concurrent_readers_never_see_half_a_write(make_site):
    """Two writers rewrite ten articles (title, body and tags, one marker each)
    as fast as they can while readers fetch the list and the feed, which
    read rows, tags and bodies with separate queries: every article read must
    be one write's, never the title of one and the tags or body of the next."""
    site = make_site("--threads", "4")
    server = site.server
    slugs = [f"hot-{i}" for i in range(10)]
    for slug in slugs:
        assert site.post(doc(f"Hot m0x0 {slug}", slug=slug, body="Body m0x0.",
                             tags=["m0x0"])).status_code == 201
    stop_at = time.monotonic() + 6
    problems, counts = [], {"writes": 0, "reads": 0}
    lock = threading.Lock()

    def writer(w):
        def step(s, n):
            m = f"m{w + 1}x{n}"
            slug = slugs[n % len(slugs)]
            r = s.patch(f"{server.url}{API}/{slug}", timeout=60, data=json.dumps(
                {"title": f"Hot {m} {slug}", "body_markdown": f"Body {m}.", "tags": [m]}),
                headers={**bearer(site.writer), "Content-Type": "application/json"})
            if n % 25 == 0:
                check(server, r)
            with lock:
                counts["writes"] += 1
                if r.status_code != 200:
                    problems.append(f"PATCH {slug}: {r.status_code} {r.text[:200]}")
        return step

    def reader(s, k):
        path = f"{API}?limit=20" if k % 2 else "/feed.json"
        r = s.get(server.url + path, timeout=60)
        if k % 25 == 0:
            check(server, r)
        with lock:
            counts["reads"] += 1
        if r.status_code != 200:
            with lock:
                problems.append(f"GET {path}: {r.status_code}")
            return
        if path == "/feed.json":
            torn = [(it["title"], it["content_html"]) for it in r.json()["items"]
                    if "/articles/hot-" in it["url"]
                    and not whole(it["title"], it["content_html"])]
        else:
            torn = [(a["title"], a["summary"], a["tags"]) for a in r.json()["articles"]
                    if a["slug"].startswith("hot-") and not whole(
                        a["title"], a["summary"], " ".join(t["name"] for t in a["tags"]))]
        if torn:
            with lock:
                problems.append(f"GET {path}: half a write: {torn[:2]}")

    def fail(msg):
        with lock:
            problems.append(msg[:600])

    run_clients([(f"writer {w}", writer(w)) for w in range(2)] +
                [(f"reader {i}", reader) for i in range(8)], stop_at, fail)
    print(f"\nhalf-write check: {counts}")
    assert not problems, f"{len(problems)} problems, the first:\n" + "\n".join(problems[:6])
    assert counts["writes"] >= 10 and counts["reads"] >= 20, counts


def test_concurrent_writers_and_readers(make_site):
    site = make_site("--threads", "4")
    server = site.server
    duration = 10 if SANITIZED else 20
    writers, readers = 8, 32
    created = []           # slugs that got 201, in order
    expected = {}          # slug -> the marker of its last acknowledged write
    lock = threading.Lock()
    errors = []            # what went wrong, for the assertion at the end
    stats = {"writes": 0, "w201": 0, "w200": 0, "reads": 0, "5xx": 0}
    lat = {"read": [], "write": []}
    stop_at = time.monotonic() + duration

    def note(kind, r, t0, check_it):
        dt = time.monotonic() - t0
        with lock:
            lat[kind].append(dt)
            stats["reads" if kind == "read" else "writes"] += 1
            if r.status_code >= 500:
                stats["5xx"] += 1
                errors.append(f"{r.request.method} {r.request.path_url}: {r.status_code} "
                              f"{r.text[:200]}")
        if check_it:
            try:
                check(server, r)
            except AssertionError as e:
                with lock:
                    errors.append(str(e)[:500])

    def fail(msg):
        with lock:
            errors.append(msg)

    def writer(w):
        mine = []

        def step(s, n):
            marker = f"m{w}x{n}"
            body = {"title": f"Article {marker}",
                    "body_markdown": f"Body of {marker}.\n\nMore words about {marker}.",
                    "published_at": PAST, "tags": [f"writer{w}", marker]}
            if n % 4 == 0 and mine:
                slug = random.choice(mine)
                if n % 8 == 0:
                    method, data, ctype = "PUT", {**body, "author": f"Writer {w}"}, \
                        "application/json"
                else:
                    method, data, ctype = "PATCH", {k: body[k] for k in
                                                ("title", "body_markdown", "tags")}, \
                        "application/merge-patch+json"
                want = 200
            else:
                slug = f"w{w}-{n}"
                method, data, ctype, want = "POST", {**body, "slug": slug}, \
                    "application/json", 201
            url = f"{server.url}{API}" + ("" if method == "POST" else f"/{slug}")
            t0 = time.monotonic()
            r = s.request(method, url, data=json.dumps(data), timeout=60,
                          headers={"Content-Type": ctype})
            note("write", r, t0, True)
            if r.status_code != want:
                fail(f"{method} {slug}: {r.status_code} {r.text[:200]}")
                return
            got = r.json()["article"]
            if marks(got["title"]) != {marker} or marks(got["body_html"]) != {marker} \
                    or {t["name"] for t in got["tags"]} != {f"writer{w}", marker}:
                fail(f"{method} {slug} answered another version: {got['title']}")
            expected[slug] = marker
            with lock:
                stats["w201" if want == 201 else "w200"] += 1
                if want == 201:
                    created.append(slug)
                    mine.append(slug)
        return step

    def reader(i):
        rnd = random.Random(i)

        def step(s, k):
            choice = rnd.random()
            with lock:
                known = created[rnd.randrange(len(created))] if created else None
            if choice < 0.4 and known:
                path = f"{API}/{known}"
            elif choice < 0.7:
                path = f"{API}?limit=20&page={rnd.randint(1, 3)}"
            elif choice < 0.8:
                path = "/"
            else:
                path = "/feed.json"
            t0 = time.monotonic()
            r = s.get(server.url + path, timeout=60)
            note("read", r, t0, k % 25 == 0)
            if r.status_code != 200:
                fail(f"GET {path}: {r.status_code} {r.text[:200]}")
                return
            # every article is whole: its title, body and tags are of one write
            tagged = lambda a: " ".join(t["name"] for t in a["tags"])  # noqa: E731
            if path.startswith(f"{API}/"):
                a = r.json()["article"]
                pairs = [(a["title"], a["body_html"]), (a["title"], tagged(a))]
            elif path.startswith(API):
                pairs = [pair for a in r.json()["articles"] if a["slug"].startswith("w")
                         for pair in ((a["title"], a["summary"]), (a["title"], tagged(a)))]
            elif path == "/feed.json":
                pairs = [(it["title"], it.get("content_html", "")) for it in
                         r.json()["items"] if MARK.search(it["title"])]
            else:
                pairs = []
            for title, body in pairs:
                if marks(title) != marks(body) or len(marks(title)) != 1:
                    fail(f"GET {path}: a torn article: {title!r} / {body[:120]!r}")
        return step

    began = time.monotonic()
    ident = {"Accept-Encoding": "identity"}
    run_clients([(f"writer {w}", writer(w), {**bearer(site.writer), **ident})
                 for w in range(writers)] +
                [(f"reader {i}", reader(i), ident) for i in range(readers)],
                stop_at, fail, together=True)
    elapsed = time.monotonic() - began

    # every acknowledged write is in the database, as last acknowledged
    final = {a["slug"]: a for a in site.listed("status=all", token=site.reader)}
    found = [slug for slug in created if slug in final]
    stale = [slug for slug, m in expected.items()
             if slug in final and marks(final[slug]["title"]) != {m}]
    con = sqlite3.connect(site.db)
    try:
        in_sqlite = {row[0] for row in con.execute("SELECT slug FROM articles")}
    finally:
        con.close()

    figures = {
        "build": "asan" if SANITIZED else "release",
        "duration_s": round(elapsed, 2),
        "writer_threads": writers, "reader_threads": readers, "server_threads": 4,
        "writes_sent": stats["writes"], "writes_201": stats["w201"],
        "writes_200": stats["w200"], "writes_found_in_db": len(found),
        "writes_in_sqlite": len(set(created) & in_sqlite),
        "reads": stats["reads"], "5xx": stats["5xx"], "errors": len(errors),
        "writes_per_s": round(stats["writes"] / elapsed, 1),
        "reads_per_s": round(stats["reads"] / elapsed, 1),
        "latency_ms": {kind: {"p50": percentile(v, 50), "p99": percentile(v, 99),
                              "max": percentile(v, 100),
                              "mean": round(statistics.fmean(v) * 1000, 2) if v else None}
                       for kind, v in lat.items()},
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    artifact = ARTIFACTS / f"write-concurrency-{figures['build']}.json"
    artifact.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nwrite concurrency:", json.dumps(figures, indent=2))

    assert not errors, f"{len(errors)} errors, the first:\n" + "\n".join(errors[:8])
    assert stats["5xx"] == 0
    assert stats["w201"] >= writers and stats["w200"] >= 1, stats
    assert stats["reads"] >= readers * 5, stats
    assert len(found) == len(created), sorted(set(created) - set(final))[:10]
    assert set(created) <= in_sqlite
    assert not stale, stale[:10]
