"""HTTP tests of the JSON API (DESIGN.md section 4, `/api/v1`): the real
server with --public-url carrying a path prefix, real HTTP, exact answers."""

import re
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from conftest import article, mime, words

PUBLIC = "https://example.org/blog"
ARTICLE_KEYS = {"slug", "title", "summary", "url", "author", "authors", "published_at",
                "updated_at", "reading_time_minutes", "word_count", "lang", "tags", "status",
                "extra"}
PAGINATION_KEYS = {"page", "limit", "pages", "total", "next", "prev"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


# --------------------------------------------------------------------------
# helpers

def get_json(server, path, status=200):
    r = server.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert mime(r) == "application/json", (path, r.headers.get("Content-Type"))
    return r, r.json()


def assert_problem(r, status, names=()):
    """An RFC 9457 problem answer whose detail names each of `names`."""
    assert r.status_code == status, (r.url, r.status_code, r.text[:500])
    assert mime(r) == "application/problem+json", r.headers.get("Content-Type")
    p = r.json()
    assert isinstance(p, dict)
    for key in ("type", "title", "status", "detail"):
        assert key in p, (key, p)
    assert isinstance(p["type"], str) and p["type"]
    assert isinstance(p["title"], str) and p["title"]
    assert isinstance(p["detail"], str) and p["detail"]
    assert p["status"] == status and type(p["status"]) is int
    for name in names:
        assert name in p["detail"], (name, p["detail"])
    return p


def links(r):
    """The Link header as {rel: url}."""
    out = {}
    header = r.headers.get("Link", "")
    for m in re.finditer(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?', header):
        out[m.group(2)] = m.group(1)
    return out


def slugs(doc):
    return [a["slug"] for a in doc["articles"]]


# --------------------------------------------------------------------------
# the corpus

ELSAL_BODY = words(390)

FILES = {
    "elsal.md": article("El Salvador proposes a prison deal", date="2025-02-04T10:00:00Z",
                        slug="el-salvador-prison-deal", summary="One or two sentences.",
                        author="Jane Doe", lastmod="2025-02-05", tags="[politics, security]",
                        body=ELSAL_BODY),
    "s-a.md": article("Alpha security brief", date="2025-03-01T00:00:00Z", slug="s-a",
                      author="Sam Sec", summary="A.", tags="[security]"),
    "s-b.md": article("Bravo security brief", date="2025-02-20T00:00:00Z", slug="s-b",
                      author="Sam Sec", summary="B.", tags="[security]"),
    "s-c.md": article("Charlie security brief", date="2025-01-10T00:00:00Z", slug="s-c",
                      author="Sam Sec", summary="C.", tags="[security]"),
    "s-d.md": article("Delta security brief", date="2025-01-05T00:00:00Z", slug="s-d",
                      author="Sam Sec", summary="D.", tags="[security]"),
    "joint.md": article("Joint piece", date="2024-12-01T00:00:00Z", slug="joint",
                        authors="[Jane Doe, Ali Ray]", tags="[Machine Learning]",
                        summary="Two authors.", body="Written by two people together."),
    "rank-body.md": article("Coastal weather notes", date="2024-07-01T12:00:00Z", slug="rank-body",
                            author="Ali Ray", tags="[weather]", summary="Notes.",
                            body="The coastal report covered tides, fog banks, fishing boats "
                                 "and the harbour lights, and mentioned a zephyr only in passing "
                                 "near the end of a long day of weather along the shore."),
    "rank-title.md": article("Zephyr over the bay", date="2024-06-01T12:00:00Z", slug="rank-title",
                             author="Ali Ray", tags="[weather]", summary="Boats.",
                             body="Sailing boats crossed the water at dawn."),
    # never in the API:
    "about.md": article("About us", date=None, slug="about", type="page",
                        body="The aboutpagemarker page."),
    "contact.md": "---\nlayout: page\ntitle: Contact\n---\n\nWrite to contactpagemarker.\n",
    "draft.md": article("Secret draft", date="2025-01-01T00:00:00Z", slug="secret-draft",
                        author="Ghost Writer", tags="[security, draftonly]", draft="true",
                        body="The draftmarker word."),
    "future.md": article("Future news", date="2099-01-01T00:00:00Z", slug="future-news",
                         author="Ghost Writer", tags="[security, draftonly]",
                         body="The futuremarker word."),
}
NEWEST = ["s-a", "s-b", "el-salvador-prison-deal", "s-c", "s-d", "joint", "rank-body", "rank-title"]
BY_TITLE = ["s-a", "s-b", "s-c", "rank-body", "s-d", "el-salvador-prison-deal", "joint", "rank-title"]
HIDDEN = ["about", "contact", "secret-draft", "future-news"]


@pytest.fixture(scope="module")
def api(make_module_site):
    return make_module_site("--public-url", PUBLIC, files=FILES)


# --------------------------------------------------------------------------
# /api/v1/articles: shapes

def test_list_shape(api):
    r, doc = get_json(api, "/api/v1/articles")
    assert set(doc) == {"articles", "meta"}
    assert set(doc["meta"]) == {"pagination"}
    assert set(doc["meta"]["pagination"]) == PAGINATION_KEYS
    for a in doc["articles"]:
        assert set(a) == ARTICLE_KEYS, a.keys()
        assert RFC3339_UTC.match(a["published_at"]), a["published_at"]
        assert RFC3339_UTC.match(a["updated_at"]), a["updated_at"]
        assert type(a["reading_time_minutes"]) is int and a["reading_time_minutes"] >= 1
        assert type(a["word_count"]) is int
        assert set(a["author"]) == {"slug", "name"}
        for t in a["tags"]:
            assert set(t) == {"slug", "name"}
        for au in a["authors"]:
            assert set(au) == {"slug", "name"}
        assert a["authors"][0] == a["author"]
        assert a["url"] == f"{PUBLIC}/articles/{a['slug']}"
    assert slugs(doc) == NEWEST


def test_list_article_values_exact(api):
    _, doc = get_json(api, "/api/v1/articles?tag=security&limit=2&page=2")
    assert doc["articles"][0] == {
        "slug": "el-salvador-prison-deal",
        "title": "El Salvador proposes a prison deal",
        "summary": "One or two sentences.",
        "url": "https://example.org/blog/articles/el-salvador-prison-deal",
        "author": {"slug": "jane-doe", "name": "Jane Doe"},
        "authors": [{"slug": "jane-doe", "name": "Jane Doe"}],
        "published_at": "2025-02-04T10:00:00Z",
        "updated_at": "2025-02-05T00:00:00Z",
        "reading_time_minutes": 2,
        "word_count": 390,
        "lang": None,
        "tags": [{"slug": "politics", "name": "politics"}, {"slug": "security", "name": "security"}],
        "status": "published",
        "extra": {},
    }
    assert slugs(doc) == ["el-salvador-prison-deal", "s-c"]
    assert doc["meta"]["pagination"] == {"page": 2, "limit": 2, "pages": 3, "total": 5,
                                         "next": 3, "prev": 1}


def test_updated_at_defaults_to_published_at(api):
    _, doc = get_json(api, "/api/v1/articles/rank-title")
    a = doc["article"]
    assert a["published_at"] == "2024-06-01T12:00:00Z"
    assert a["updated_at"] == "2024-06-01T12:00:00Z"
    assert a["word_count"] == 7
    assert a["reading_time_minutes"] == 1


def test_several_authors(api):
    _, doc = get_json(api, "/api/v1/articles/joint")
    a = doc["article"]
    assert a["author"] == {"slug": "jane-doe", "name": "Jane Doe"}
    assert a["authors"] == [{"slug": "jane-doe", "name": "Jane Doe"},
                            {"slug": "ali-ray", "name": "Ali Ray"}]
    assert a["tags"] == [{"slug": "machine-learning", "name": "Machine Learning"}]


def test_link_header_rebuilds_the_query(api):
    """Link URLs are rebuilt from the checked parameters in one order (DESIGN's
    example: tag, limit, page), whatever order or spelling the request used."""
    expect = {
        "next": "https://example.org/blog/api/v1/articles?tag=security&limit=2&page=3",
        "prev": "https://example.org/blog/api/v1/articles?tag=security&limit=2&page=1",
    }
    for query in ("tag=security&limit=2&page=2", "page=2&limit=2&tag=security",
                  "limit=2&pag%65=2&t%61g=security", "tag=security&limit=2&page=2&utm_source=x"):
        r, _ = get_json(api, "/api/v1/articles?" + query)
        assert links(r) == expect, query


def test_link_header_cannot_be_injected(api):
    r, _ = get_json(api, '/api/v1/articles?limit=1&x=>;rel="evil",<https://evil.example/')
    assert r.status_code == 200
    link = r.headers["Link"]
    assert "evil" not in link
    assert link == "<https://example.org/blog/api/v1/articles?limit=1&page=2>; rel=\"next\""


def test_link_header_adds_page_when_absent(api):
    r, doc = get_json(api, "/api/v1/articles?limit=3&order=oldest")
    assert links(r) == {"next": "https://example.org/blog/api/v1/articles?order=oldest&limit=3&page=2"}
    assert doc["meta"]["pagination"] == {"page": 1, "limit": 3, "pages": 3, "total": 8,
                                         "next": 2, "prev": None}


def test_link_header_keeps_search_words(api):
    r, doc = get_json(api, "/api/v1/articles?q=" + quote("security brief") + "&limit=1")
    assert doc["meta"]["pagination"]["total"] == 4
    nxt = links(r)["next"]
    u = urlsplit(nxt)
    assert f"{u.scheme}://{u.netloc}{u.path}" == "https://example.org/blog/api/v1/articles"
    assert parse_qsl(u.query) == [("q", "security brief"), ("limit", "1"), ("page", "2")]


def test_last_page(api):
    r, doc = get_json(api, "/api/v1/articles?limit=3&page=3")
    assert slugs(doc) == NEWEST[6:]
    assert doc["meta"]["pagination"] == {"page": 3, "limit": 3, "pages": 3, "total": 8,
                                         "next": None, "prev": 2}
    assert links(r) == {"prev": "https://example.org/blog/api/v1/articles?limit=3&page=2"}


def test_single_page_has_no_links(api):
    r, doc = get_json(api, "/api/v1/articles?limit=100")
    assert slugs(doc) == NEWEST
    assert doc["meta"]["pagination"] == {"page": 1, "limit": 100, "pages": 1, "total": 8,
                                         "next": None, "prev": None}
    assert "next" not in links(r) and "prev" not in links(r)


@pytest.mark.parametrize("limit", [1, 7, 8, 100])
def test_limit_bounds_accepted(api, limit):
    _, doc = get_json(api, f"/api/v1/articles?limit={limit}")
    assert slugs(doc) == NEWEST[:limit]
    assert doc["meta"]["pagination"]["limit"] == limit
    assert doc["meta"]["pagination"]["pages"] == -(-8 // limit)


def test_page_walk_covers_everything_once(api):
    seen = []
    path = "/api/v1/articles?limit=3"
    r, doc = get_json(api, path)
    seen += slugs(doc)
    while "next" in links(r):
        nxt = links(r)["next"]
        assert nxt.startswith(PUBLIC)
        r, doc = get_json(api, nxt[len(PUBLIC):])
        seen += slugs(doc)
    assert seen == NEWEST


# --------------------------------------------------------------------------
# filters and order

def test_tag_filter(api):
    _, doc = get_json(api, "/api/v1/articles?tag=security")
    assert slugs(doc) == ["s-a", "s-b", "el-salvador-prison-deal", "s-c", "s-d"]
    _, doc = get_json(api, "/api/v1/articles?tag=machine-learning")
    assert slugs(doc) == ["joint"]
    _, doc = get_json(api, "/api/v1/articles?tag=weather&order=oldest")
    assert slugs(doc) == ["rank-title", "rank-body"]


def test_author_filter(api):
    _, doc = get_json(api, "/api/v1/articles?author=ali-ray")
    assert slugs(doc) == ["joint", "rank-body", "rank-title"]
    _, doc = get_json(api, "/api/v1/articles?author=jane-doe")
    assert slugs(doc) == ["el-salvador-prison-deal", "joint"]
    _, doc = get_json(api, "/api/v1/articles?author=jane-doe&tag=security")
    assert slugs(doc) == ["el-salvador-prison-deal"]
    assert doc["meta"]["pagination"]["total"] == 1


@pytest.mark.parametrize("param", ["tag", "author"])
def test_filter_naming_nothing_is_400(api, param):
    r = api.get(f"/api/v1/articles?{param}=no-such-name")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["detail"] == f"Query parameter '{param}': there is no {param} 'no-such-name'."


@pytest.mark.parametrize("order,expected", [
    ("newest", NEWEST), ("oldest", NEWEST[::-1]), ("title", BY_TITLE)])
def test_order(api, order, expected):
    _, doc = get_json(api, f"/api/v1/articles?order={order}")
    assert slugs(doc) == expected


def test_search_defaults_to_relevance(api):
    _, doc = get_json(api, "/api/v1/articles?q=zephyr")
    assert slugs(doc) == ["rank-title", "rank-body"]
    assert doc["meta"]["pagination"]["total"] == 2
    _, doc2 = get_json(api, "/api/v1/articles?q=zephyr&order=relevance")
    assert slugs(doc2) == ["rank-title", "rank-body"]


def test_search_with_other_orders(api):
    _, doc = get_json(api, "/api/v1/articles?q=zephyr&order=newest")
    assert slugs(doc) == ["rank-body", "rank-title"]
    _, doc = get_json(api, "/api/v1/articles?q=zephyr&order=oldest")
    assert slugs(doc) == ["rank-title", "rank-body"]
    _, doc = get_json(api, "/api/v1/articles?q=brief&order=title")
    assert slugs(doc) == ["s-a", "s-b", "s-c", "s-d"]


def test_search_with_tag(api):
    _, doc = get_json(api, "/api/v1/articles?q=zephyr&tag=weather&author=ali-ray")
    assert slugs(doc) == ["rank-title", "rank-body"]
    _, doc = get_json(api, "/api/v1/articles?q=zephyr&tag=security")
    assert slugs(doc) == []
    assert doc["meta"]["pagination"]["total"] == 0


@pytest.mark.parametrize("q", ['"unbalanced', "AND OR (", "NEAR(", "NEAR(a b", "*", "-",
                               "title:zephyr", "^x", "a OR", "(((", '""', "日本"])
def test_search_odd_queries(api, q):
    r, doc = get_json(api, "/api/v1/articles?q=" + quote(q))
    assert isinstance(doc["articles"], list)
    assert doc["meta"]["pagination"]["total"] == len(doc["articles"])


def test_search_syntax(api):
    _, doc = get_json(api, "/api/v1/articles?q=" + quote('"security brief"') + "&order=title")
    assert slugs(doc) == ["s-a", "s-b", "s-c", "s-d"]
    _, doc = get_json(api, "/api/v1/articles?q=" + quote("zeph*"))
    assert set(slugs(doc)) == {"rank-title", "rank-body"}
    _, doc = get_json(api, "/api/v1/articles?q=" + quote("zephyr -harbour"))
    assert slugs(doc) == ["rank-title"]


def test_fields_trims_articles(api):
    _, doc = get_json(api, "/api/v1/articles?fields=slug,title&limit=2")
    assert doc["articles"] == [{"slug": "s-a", "title": "Alpha security brief"},
                               {"slug": "s-b", "title": "Bravo security brief"}]
    assert set(doc["meta"]["pagination"]) == PAGINATION_KEYS
    _, doc = get_json(api, "/api/v1/articles?fields=url&tag=weather")
    assert doc["articles"] == [{"url": f"{PUBLIC}/articles/rank-body"},
                               {"url": f"{PUBLIC}/articles/rank-title"}]
    _, doc = get_json(api, "/api/v1/articles?fields=slug,author,tags&tag=machine-learning")
    assert doc["articles"] == [{"slug": "joint", "author": {"slug": "jane-doe", "name": "Jane Doe"},
                                "tags": [{"slug": "machine-learning", "name": "Machine Learning"}]}]


# --------------------------------------------------------------------------
# 400s

BAD = [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit"), ("limit=", "limit"),
    ("limit=-1", "limit"), ("limit=1.5", "limit"), ("limit=99999999999999999999", "limit"),
    ("limit=%2010", "limit"), ("limit=10abc", "limit"),
    ("page=0", "page"), ("page=-1", "page"), ("page=x", "page"), ("page=", "page"),
    ("order=random", "order"), ("order=", "order"), ("order=NEWEST", "order"),
    ("order=relevance", "order"),
    ("fields=slug,nope", "nope"), ("fields=bogus", "bogus"), ("fields=Slug", "Slug"),
    ("fields=body_html,nope", "nope"),
    ("limit=2&limit=3", "limit"), ("tag=security&tag=politics", "tag"),
    ("page=1&page=1", "page"), ("q=a&q=b", "q"), ("order=newest&order=oldest", "order"),
]


@pytest.mark.parametrize("query,name", BAD)
def test_bad_query_values_are_400_problems(api, query, name):
    r = api.get("/api/v1/articles?" + query)
    assert_problem(r, 400, [name])


def test_fields_error_names_the_parameter(api):
    r = api.get("/api/v1/articles?fields=slug,nope")
    p = assert_problem(r, 400, ["nope"])
    assert "fields" in p["detail"]


# --------------------------------------------------------------------------
# one article

def test_single_article(api):
    r, doc = get_json(api, "/api/v1/articles/el-salvador-prison-deal")
    assert set(doc) == {"article"}
    a = doc["article"]
    assert set(a) == ARTICLE_KEYS | {"body_html"}
    assert a["body_html"] == f"<p>{ELSAL_BODY}</p>\n"
    assert a["url"] == f"{PUBLIC}/articles/el-salvador-prison-deal"
    assert a["updated_at"] == "2025-02-05T00:00:00Z"
    _, listing = get_json(api, "/api/v1/articles?tag=politics")
    same = dict(a)
    del same["body_html"]
    assert listing["articles"] == [same]


def test_single_article_body_is_safe(make_site):
    s = make_site(files={
        "x.md": article("Unsafe", slug="unsafe",
                        body="<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
                             "![i](javascript:alert(2)) [ok](https://example.org/)"),
    })
    _, doc = get_json(s, "/api/v1/articles/unsafe")
    html = doc["article"]["body_html"]
    # The author's raw HTML goes through the allowlist: a script goes with its content.
    assert "alert(1)" not in html
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()
    assert '<a href="https://example.org/">ok</a>' in html


@pytest.mark.parametrize("slug", ["no-such-slug", *HIDDEN])
def test_unknown_or_hidden_article_is_404_problem(api, slug):
    r = api.get(f"/api/v1/articles/{slug}")
    assert_problem(r, 404)


# --------------------------------------------------------------------------
# tags and authors

def counts(api, kind, hidden=None):
    """/api/v1/KIND (tags or authors): ({slug: count}, {slug: name}), checked
    for its shape; `hidden`, named only by a draft and a scheduled article,
    must have no published article (it may be left out)."""
    r, doc = get_json(api, f"/api/v1/{kind}")
    assert list(doc) == [kind]
    for it in doc[kind]:
        assert {"slug", "name", "count"} <= set(it), it
        assert type(it["count"]) is int
    c = {it["slug"]: it["count"] for it in doc[kind]}
    if hidden:
        assert c.get(hidden, 0) == 0
        c.pop(hidden, None)
    return c, {it["slug"]: it["name"] for it in doc[kind]}


def test_tags(api):
    c, names = counts(api, "tags", "draftonly")
    assert c == {"security": 5, "politics": 1, "weather": 2, "machine-learning": 1}
    assert names["machine-learning"] == "Machine Learning"


def test_authors(api):
    c, names = counts(api, "authors", "ghost-writer")
    assert c == {"jane-doe": 2, "ali-ray": 3, "sam-sec": 4}
    assert names["sam-sec"] == "Sam Sec"


def test_counts_agree_with_filters(api):
    _, tags = get_json(api, "/api/v1/tags")
    for t in tags["tags"]:
        _, doc = get_json(api, f"/api/v1/articles?tag={t['slug']}&limit=100")
        assert doc["meta"]["pagination"]["total"] == t["count"], t
    _, authors = get_json(api, "/api/v1/authors")
    for au in authors["authors"]:
        _, doc = get_json(api, f"/api/v1/articles?author={au['slug']}&limit=100")
        assert doc["meta"]["pagination"]["total"] == au["count"], au


# --------------------------------------------------------------------------
# never in the API: drafts, scheduled articles, pages

def test_hidden_never_listed(api):
    for path in ("/api/v1/articles?limit=100", "/api/v1/articles?tag=security&limit=100",
                 "/api/v1/articles?tag=draftonly", "/api/v1/articles?author=ghost-writer",
                 "/api/v1/articles?order=oldest&limit=100", "/api/v1/articles?order=title&limit=100"):
        r = api.get(path)
        assert r.status_code in (200, 404), path
        if r.status_code == 200:
            for slug in HIDDEN:
                assert slug not in slugs(r.json()), (path, slug)
        for marker in ("secret-draft", "future-news", "aboutpagemarker"):
            assert marker not in r.text, (path, marker)


@pytest.mark.parametrize("word", ["draftmarker", "futuremarker", "aboutpagemarker",
                                  "contactpagemarker"])
def test_hidden_never_found(api, word):
    _, doc = get_json(api, f"/api/v1/articles?q={word}")
    assert doc["articles"] == []
    assert doc["meta"]["pagination"]["total"] == 0


# --------------------------------------------------------------------------
# methods and unknown addresses

API_PATHS = ["/api/v1/articles", "/api/v1/articles/el-salvador-prison-deal",
             "/api/v1/tags", "/api/v1/authors"]


# What each address takes besides GET, HEAD and OPTIONS (the write API).
WRITES = {"/api/v1/articles": {"POST"},
          "/api/v1/articles/el-salvador-prison-deal": {"PUT", "DELETE", "PATCH"},
          "/api/v1/tags": set(), "/api/v1/authors": set()}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", API_PATHS)
def test_write_methods_need_a_token_or_are_405(api, method, path):
    r = api.request(method, path, data=b'{"title": "x"}',
                    headers={"Content-Type": "application/json"})
    if method in WRITES[path]:
        assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"] == 'Bearer realm="gazette"'
    else:
        assert_problem(r, 405)
        order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        assert r.headers["Allow"] == ", ".join(
            m for m in order if m in {"GET", "HEAD", "OPTIONS"} | WRITES[path])


@pytest.mark.parametrize("path", API_PATHS + ["/api/v1/articles?tag=security&limit=2"])
def test_head_on_api(api, path):
    g = api.get(path, headers={"Accept-Encoding": "identity"})
    h = api.request("HEAD", path, headers={"Accept-Encoding": "identity"})
    assert g.status_code == h.status_code == 200
    assert h.headers["Content-Type"] == g.headers["Content-Type"]
    assert h.headers.get("ETag") == g.headers.get("ETag")
    assert h.headers.get("Link") == g.headers.get("Link")
    assert int(h.headers["Content-Length"]) == len(g.content)
    assert h.content == b""


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/articles/a/b", "/api/v1/tags/x",
                                  "/api/v1/", "/api/v1", "/api/v1/nope?limit=0"])
def test_unknown_api_address_is_404_problem(api, path):
    assert_problem(api.get(path), 404)


def test_unknown_api_address_is_404_whatever_the_method(api):
    assert_problem(api.request("POST", "/api/v1/nope"), 404)


# --------------------------------------------------------------------------
# the Jekyll corpus through the API (conftest's jekyll server)

def test_jekyll_totals(jekyll):
    _, doc = get_json(jekyll, "/api/v1/articles?limit=100")
    p = doc["meta"]["pagination"]
    assert (p["total"], p["pages"], p["next"], p["prev"]) == (102, 2, 2, None)
    assert len(doc["articles"]) == 100
    published = [a["published_at"] for a in doc["articles"]]
    assert published == sorted(published, reverse=True)
    _, doc = get_json(jekyll, "/api/v1/articles?limit=100&page=2")
    assert slugs(doc) == ["jekyll-1-0-1-released", "jekyll-1-0-0-released"]


def test_jekyll_article(jekyll):
    _, doc = get_json(jekyll, "/api/v1/articles/jekyll-1-0-0-released")
    a = doc["article"]
    assert a["title"] == "Jekyll 1.0.0 Released"
    assert a["published_at"] == "2013-05-06T00:12:52Z"
    assert a["updated_at"] == "2013-05-06T00:12:52Z"
    assert a["author"] == {"slug": "parkr", "name": "parkr"}
    assert a["tags"] == [{"slug": "release", "name": "release"}]
    assert a["url"] == jekyll.url + "/articles/jekyll-1-0-0-released"
    assert a["reading_time_minutes"] == max(1, -(-a["word_count"] // 265))
    assert 80 <= a["word_count"] <= 110         # about 91 words of prose and links


def test_jekyll_tag_and_author_counts(jekyll):
    c, _ = counts(jekyll, "tags")
    assert c["release"] == 89
    assert c["community"] == 9
    c, _ = counts(jekyll, "authors")
    assert c["parkr"] == 60
    assert sum(c.values()) >= 102


def test_jekyll_search_relevance(jekyll):
    _, doc = get_json(jekyll, "/api/v1/articles?q=sass&fields=slug,title&limit=100")
    assert doc["meta"]["pagination"]["total"] == len(doc["articles"]) >= 1
    assert "sass" in doc["articles"][0]["title"].lower()
    for a in doc["articles"]:
        assert set(a) == {"slug", "title"}
