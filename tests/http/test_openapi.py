"""The API description, static/openapi.json: it lints clean, every path it
names is one the server routes, and the contract checker that holds every
API answer of these tests to it (contract.py) can fail."""

import copy
import json
import os
import subprocess

import pytest
import requests

import contract
from conftest import ROOT

SPEC = contract.spec()
REDOCLY = ROOT / "tests" / "node_modules" / ".bin" / "redocly"
OFFLINE = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def operations():
    for template, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                yield template, method, item[method]


# --------------------------------------------------------------------------
# the document itself

def test_redocly_lint_is_clean():
    assert REDOCLY.exists(), f"{REDOCLY} is missing: run `npm ci` (scripts/deps.sh test)"
    r = subprocess.run([str(REDOCLY), "lint", "static/openapi.json", "--config", "tests/redocly.yaml"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, **OFFLINE))
    out = r.stdout + r.stderr
    assert r.returncode == 0, f"redocly lint failed:\n{out}"
    # What follows "validating" is the lint's own report (before it, redocly
    # may print a notice about the Node.js version, which is not about us).
    report = out[out.index("validating"):]
    assert "Your API description is valid" in report, f"redocly lint:\n{out}"
    assert "warning" not in report.lower() and "ignored" not in report, \
        f"redocly lint warns or ignores problems:\n{out}"


def test_version_dialect_and_servers_placeholder():
    assert SPEC["openapi"] == "3.1.0"
    assert SPEC["jsonSchemaDialect"] == "https://spec.openapis.org/oas/3.1/dialect/base"
    # The server fills in its public URL when it serves the document.
    assert [s["url"] for s in SPEC["servers"]] == ["/api/v1"]


def test_file_is_two_space_json():
    text = (ROOT / "static" / "openapi.json").read_text()
    assert text == json.dumps(SPEC, indent=2, ensure_ascii=False) + "\n", \
        "static/openapi.json is not in its canonical 2-space form"


def test_every_operation_is_complete():
    ids = []
    for template, method, op in operations():
        where = f"{method.upper()} {template}"
        for key in ("operationId", "summary", "tags", "security", "responses"):
            assert key in op, f"{where} has no {key}"
        ids.append(op["operationId"])
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes), f"{where}: no 2xx answer"
        # Answers any request may get (malformed, too long, server trouble).
        assert {"400", "414", "431", "500", "503"} <= codes, f"{where}: {sorted(codes)}"
        if method in ("get", "head"):
            assert "304" in codes, f"{where}: conditional GETs answer 304"
        if op["security"] and op["security"] != [{}]:
            assert "401" in codes, f"{where} takes a token but has no 401"
        if method == "head":
            get = SPEC["paths"][template]["get"]
            assert op["responses"] == get["responses"], f"{where} answers as GET does"
    assert len(ids) == len(set(ids))


def test_every_path_takes_options_and_answers_other_methods():
    for template, item in SPEC["paths"].items():
        assert {"get", "head", "options"} <= set(item), template
        assert item["x-other-methods"]["responses"] == {
            "405": {"$ref": "#/x-responses/MethodNotAllowed"}}, template


def test_every_ref_resolves():
    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                contract._resolve(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(SPEC)


def test_examples_fit_their_schemas():
    """The examples in the document are answers the checker accepts."""
    schemas = SPEC["components"]["schemas"]
    for name, schema in schemas.items():
        for ex in schema.get("examples", []):
            contract.validate({"$ref": f"#/components/schemas/{name}"}, ex)
    for name, resp in SPEC["components"]["responses"].items():
        for mt, media in resp.get("content", {}).items():
            if "example" in media:
                contract.validate(media["schema"], media["example"])


# --------------------------------------------------------------------------
# the spec and the router agree

SAMPLE_SLUG = "what-is-gazette"  # an article of the built-in sample site


@pytest.fixture(scope="module")
def sample_server(make_module_site):
    return make_module_site()


def raw_get(server, path):
    """A GET the contract hook does not see (its answer is judged here)."""
    return requests.get(server.url + path, timeout=30, allow_redirects=False)


@pytest.mark.parametrize("template", list(SPEC["paths"]))
def test_every_spec_path_is_routed(sample_server, template):
    """The router knows each path: it does not answer as it does for an
    address it has no route for."""
    unknown = raw_get(sample_server, "/api/v1/no-such-route-anywhere")
    assert unknown.status_code == 404
    path = "/api/v1" + template.replace("{slug}", SAMPLE_SLUG)
    r = raw_get(sample_server, path)
    assert not (r.status_code == 404 and r.json().get("detail") == unknown.json()["detail"]), \
        f"{path}: the server has no route for {template}"


def test_openapi_json_is_served_with_the_public_url(sample_server):
    r = sample_server.get("/api/v1/openapi.json")
    assert r.status_code == 200, r.text[:300]
    doc = r.json()
    assert doc["servers"] == [{"url": sample_server.url + "/api/v1"}]
    served = dict(doc, servers=SPEC["servers"])
    assert served == SPEC, "the served document is not static/openapi.json"


# --------------------------------------------------------------------------
# the checker can fail

def fake(status=200, body=None, ctype="application/json", headers=None, raw=None):
    """A requests.Response as the server might have sent it."""
    r = requests.Response()
    r.status_code = status
    r._content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    h = {"ETag": '"abc"', "Last-Modified": "Sun, 29 Nov 2026 23:51:19 GMT"}
    if ctype:
        h["Content-Type"] = ctype
    h.update(headers or {})
    r.headers.update(h)
    return r


ARTICLE = copy.deepcopy(SPEC["components"]["responses"]["ArticleList"]["content"]
                        ["application/json"]["example"]["articles"][0])


def listing(*articles, **pagination):
    p = {"page": 1, "limit": 20, "pages": 1, "total": len(articles), "next": None, "prev": None}
    p.update(pagination)
    return {"articles": list(articles), "meta": {"pagination": p}}


def rejects(method, path, response, *words):
    with pytest.raises(AssertionError) as e:
        contract.check_answer(method, path, response)
    for w in words:
        assert w in str(e.value), str(e.value)
    return str(e.value)


def test_checker_accepts_a_right_answer():
    contract.check_answer("GET", "/api/v1/articles", fake(body=listing(ARTICLE)))
    trimmed = {k: ARTICLE[k] for k in ("slug", "title")}
    contract.check_answer("GET", "/api/v1/articles?fields=slug,title",
                          fake(body=listing(trimmed)))
    contract.check_answer("HEAD", "/api/v1/articles", fake())


def test_checker_rejects_a_wrong_body():
    wrong = dict(ARTICLE, word_count="many")
    rejects("GET", "/api/v1/articles", fake(body=listing(wrong)), "word_count", "integer")
    rejects("GET", "/api/v1/articles", fake(body=listing(dict(ARTICLE, secret=1))),
            "'secret' was unexpected")
    rejects("GET", "/api/v1/articles", fake(body=listing(ARTICLE, next=0)), "next")
    rejects("GET", "/api/v1/articles", fake(body={"articles": []}), "'meta' is a required")
    rejects("GET", "/api/v1/articles", fake(body=listing(dict(ARTICLE, published_at=None))),
            "published_at")
    rejects("GET", f"/api/v1/articles/{ARTICLE['slug']}",
            fake(body={"article": dict(ARTICLE, updated_at="2025-02-05 10:00")}), "updated_at")
    rejects("GET", "/api/v1/tags", fake(body={"tags": [{"slug": "x", "name": "x"}]}),
            "'count' is a required")
    rejects("GET", "/api/v1/articles", fake(raw=b"{not json"), "not JSON")


def test_checker_enforces_trimming():
    untrimmed = {k: v for k, v in ARTICLE.items() if k != "status"}
    rejects("GET", "/api/v1/articles", fake(body=listing(untrimmed)), "'status' is a required")
    rejects("GET", "/api/v1/articles?fields=slug", fake(body=listing(ARTICLE)),
            "not among ?fields=slug")
    # The single answer has body_html unless trimmed away.
    rejects("GET", "/api/v1/articles/x", fake(body={"article": ARTICLE}), "'body_html'")
    contract.check_answer("GET", "/api/v1/articles/x?fields=slug",
                          fake(body={"article": {"slug": "x"}}))
    # With q, a snippet.
    rejects("GET", "/api/v1/articles?q=word", fake(body=listing(ARTICLE)), "'snippet'")
    snippet = [{"text": "a ", "match": False}, {"text": "word", "match": True}]
    contract.check_answer("GET", "/api/v1/articles?q=word",
                          fake(body=listing(dict(ARTICLE, snippet=snippet))))


def test_checker_rejects_what_the_spec_does_not_list():
    rejects("GET", "/api/v1/articles", fake(status=418, body={}), "no 418 answer")
    rejects("GET", "/api/v1/tags", fake(ctype="text/html", raw=b"<p>hi</p>"),
            "Content-Type text/html")
    rejects("PUT", "/api/v1/tags", fake(status=200, body={}), "no 200 answer",
            "x-other-methods")
    # A problem's status must be the answer's.
    p = {"type": "about:blank", "title": "Not Found", "status": 400, "detail": "x"}
    rejects("GET", "/api/v1/articles/x", fake(404, p, "application/problem+json"),
            "not the HTTP status")
    # Required headers.
    rejects("PUT", "/api/v1/tags", fake(405, dict(p, status=405, title="Method Not Allowed"),
                                        "application/problem+json"), "Allow header")
    rejects("GET", "/api/v1/articles", fake(401, dict(p, status=401, title="Unauthorized"),
                                            "application/problem+json"), "WWW-Authenticate")
    # No body where the spec has none.
    rejects("OPTIONS", "/api/v1/tags", fake(204, raw=b"x", ctype=None,
                                            headers={"Allow": "GET, HEAD, OPTIONS"}), "no body")


def test_checker_wants_problems_for_unknown_addresses():
    p = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No."}
    contract.check_answer("GET", "/api/v1/nope", fake(404, p, "application/problem+json"))
    contract.check_answer("GET", "/api/v2", fake(404, p, "application/problem+json"))
    rejects("GET", "/api/v1/nope", fake(404, raw=b"<h1>Not Found</h1>", ctype="text/html"),
            "application/problem+json")
    rejects("GET", "/api/v1/articles/a/b", fake(404, dict(p, extra=1),
                                                "application/problem+json"),
            "'extra' was unexpected")


def test_api_target():
    assert contract.api_target("/api/v1/tags") == "/api/v1/tags"
    assert contract.api_target("/blog/api/v1/tags?x=1", ("/blog",)) == "/api/v1/tags?x=1"
    assert contract.api_target("/blog/api/v1/tags") is None
    assert contract.api_target("/apix") is None
    assert contract.api_target("/tags") is None
    assert contract.match_template("/articles/abc/revisions")[0] == "/articles/{slug}/revisions"
    assert contract.match_template("/articles/") is None
    assert contract.match_template("/articles/a/b") is None
