"""Every check that depends on the request comes before the cache.

Each test first warms the cache with the plain answer at the same address
(and checks, by /metrics, that it is now a hit), then sends the request the
check is about: the token, the scope, ?status=, the method, the limits.  A
hit must never stand in for a refusal, and an answer a token saw must never
be stored for anyone else."""

import pytest

from conftest import add_token, answer_to, article, metrics, raw_request, request_bytes

FILES = {
    "pub.md": article("Published piece", date="2025-01-02", slug="pub", tags="[news]"),
    "older.md": article("Older piece", date="2025-01-01", slug="older"),
    "draft.md": article("Secret draft", date="2025-01-03", slug="secret", draft="true"),
    "later.md": article("Far future", date="2099-01-01", slug="later"),
}


@pytest.fixture
def site(make_site):
    s = make_site(files=FILES)
    # Tokens first: adding one is a commit, which would clear the cache.
    s.reader = add_token(s.db, "reader", scope="read-drafts")
    s.writer = add_token(s.db, "writer", scope="write")
    return s


def warm(s, path, n=2):
    """Asks path until the cache answers it; returns the answer."""
    first = s.get(path)
    assert first.status_code == 200, (path, first.status_code, first.text[:200])
    hits = metrics(s)["gazette_cache_hits_total"]
    for _ in range(n):
        again = s.get(path)
        assert again.status_code == 200 and again.content == first.content
    assert metrics(s)["gazette_cache_hits_total"] - hits == n, f"{path} is not cached"
    return first


def slugs(r):
    return [a["slug"] for a in r.json()["articles"]]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("status", ["draft", "scheduled", "all"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_status_without_a_token_is_401_after_the_list_is_cached(site, status, method):
    """The issue's case: a plain list cached, then ?status=draft without a token."""
    for path in ("/api/v1/articles", "/api/v1/articles?status=published",
                 "/api/v1/articles?limit=20"):
        warm(site, path)
    for path in (f"/api/v1/articles?status={status}", f"/api/v1/articles?limit=20&status={status}"):
        hits = metrics(site)["gazette_cache_hits_total"]
        for _ in range(2):
            r = site.request(method, path)
            assert r.status_code == 401, (path, r.status_code)
            assert r.headers["WWW-Authenticate"] == 'Bearer realm="gazette"'
            assert r.headers["Access-Control-Allow-Origin"] == "*"
            if method == "GET":
                assert r.headers["Content-Type"].startswith("application/problem+json")
        # Never looked up: a read that needs a token does not touch the cache.
        assert metrics(site)["gazette_cache_hits_total"] == hits


def test_a_bad_token_is_refused_after_the_answer_is_cached(site):
    for path in ("/api/v1/articles", "/api/v1/articles/pub"):
        warm(site, path)
        for h in (bearer("not-a-token-we-know-at-all-xxxxxxxxxxx"), {"Authorization": "Basic eDp5"}):
            r = site.get(path, headers=h)
            assert r.status_code == 401, (path, h)
            assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_a_token_sees_drafts_and_no_one_else_does(site):
    anon = warm(site, "/api/v1/articles")
    assert slugs(anon) == ["pub", "older"]
    warm(site, "/api/v1/articles?status=published")

    for path, want in (("/api/v1/articles?status=draft", ["secret"]),
                       ("/api/v1/articles?status=all", ["later", "secret", "pub", "older"]),
                       ("/api/v1/articles?status=scheduled", ["later"])):
        r = site.get(path, headers=bearer(site.reader))
        assert r.status_code == 200
        assert sorted(slugs(r)) == sorted(want), path
        assert r.headers["Cache-Control"] == "private, no-store"
    # A token's answer at the very address of a cached one is the token's own...
    r = site.get("/api/v1/articles", headers=bearer(site.reader))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    # ... and the anonymous answer stays what it was, still from the cache.
    hits = metrics(site)["gazette_cache_hits_total"]
    again = site.get("/api/v1/articles")
    assert again.content == anon.content
    assert metrics(site)["gazette_cache_hits_total"] == hits + 1
    assert site.get("/api/v1/articles?status=draft").status_code == 401


def test_a_draft_read_with_a_token_is_never_served_to_others(site):
    warm(site, "/api/v1/articles/pub")
    assert site.get("/api/v1/articles/secret").status_code == 404
    r = site.get("/api/v1/articles/secret", headers=bearer(site.reader))
    assert r.status_code == 200 and r.json()["article"]["slug"] == "secret"
    assert r.headers["Cache-Control"] == "private, no-store"
    for _ in range(2):
        assert site.get("/api/v1/articles/secret").status_code == 404
        assert site.get("/articles/secret").status_code == 404


def test_revisions_need_a_token_whatever_is_cached(site):
    warm(site, "/api/v1/articles/pub")
    assert site.get("/api/v1/articles/pub/revisions").status_code == 401
    r = site.get("/api/v1/articles/pub/revisions", headers=bearer(site.reader))
    assert r.status_code == 200
    assert site.get("/api/v1/articles/pub/revisions").status_code == 401


def test_writes_check_token_and_scope_after_the_address_is_cached(site):
    warm(site, "/api/v1/articles/pub")
    warm(site, "/api/v1/articles")
    body = {"title": "x", "body_markdown": "y", "published_at": "2025-01-05T00:00:00Z"}
    assert site.request("DELETE", "/api/v1/articles/pub").status_code == 401
    r = site.request("DELETE", "/api/v1/articles/pub", headers=bearer(site.reader))
    assert r.status_code == 403
    assert site.request("PUT", "/api/v1/articles/pub", json=body).status_code == 401
    assert site.request("POST", "/api/v1/articles", json=body).status_code == 401
    r = site.request("POST", "/api/v1/articles", json=body, headers=bearer(site.reader))
    assert r.status_code == 403
    # Nothing was written: the cached answers still stand.
    assert site.get("/api/v1/articles/pub").status_code == 200
    assert slugs(site.get("/api/v1/articles")) == ["pub", "older"]


@pytest.mark.parametrize("path, method, status", [
    ("/api/v1/tags", "POST", 405),
    ("/api/v1/tags", "DELETE", 405),
    ("/", "POST", 405),
    ("/articles/pub", "PUT", 405),
    ("/api/v1/articles", "PATCH", 405),
    ("/api/v1/articles", "OPTIONS", 204),
    ("/articles/pub", "BREW", 405),
])
def test_the_method_is_checked_after_the_address_is_cached(site, path, method, status):
    warm(site, path)
    r = raw_request(site, method, path)
    assert r.status == status, (method, path, r.status)
    assert r.body != site.get(path).content or not r.body
    if status == 405:
        assert "GET" in r.headers["allow"]


def test_limits_are_checked_after_the_address_is_cached(make_site):
    s = make_site("--max-query-params", "3", "--max-param-bytes", "64", "--max-uri", "200",
                  "--max-headers", "12", files=FILES)
    base = "/api/v1/articles?limit=5"
    warm(s, base)
    warm(s, "/search?q=piece")
    cases = [
        (base + "&a=1&b=2&c=3", {}, 400),        # more parameters than allowed
        (base + "&x=" + "y" * 80, {}, 400),      # a parameter longer than allowed
        ("/search?q=piece&junk=" + "z" * 190, {}, 414),  # the address too long
        (base, {f"X-H{i}": "v" for i in range(20)}, 431),  # too many headers
        ("/api/v1/articles?limit=0", {}, 400),   # the rules of the query
        ("/api/v1/articles?limit=5&limit=5", {}, 400),
        ("/api/v1/articles?limit=5&tag=nope", {}, 400),
    ]
    for target, headers, want in cases:
        r = raw_request(s, "GET", target, headers=headers)
        assert r.status == want, (target, r.status, r.body[:200])
    # No Host in HTTP/1.1: 400, however cached the address.
    r = answer_to(s, request_bytes("GET", base, host=None), "GET", 30, None)
    assert r.status == 400, r.status
    assert metrics(s)["gazette_limit_hits_total{limit=\"query\"}"] >= 2
