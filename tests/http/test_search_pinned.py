"""What search means, pinned: the results of a set of queries on the Jekyll
corpus (conftest's JEKYLL), recorded in tests/data/search-pinned.json.

For each query: the total, every result's slug in rank order (all pages),
and the highlighted snippet of each, as the API answers them; and the
/search page's marked words.  Any change to how search matches (every word
required, in any order, stemmed; phrases; prefixes; -exclusion), ranks
(bm25, title 10, summary 4, body 1) or highlights shows here as a diff.

The file was made before the search path was rewritten for speed; to make
it again, deliberately, when the meaning is meant to change:

    GAZETTE_PIN_SEARCH=1 GAZETTE_BIN=build/gazette /usr/bin/python3 -m pytest \\
        -q -p no:cacheprovider tests/http/test_search_pinned.py
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest

PINNED = Path(__file__).resolve().parents[1] / "data" / "search-pinned.json"

QUERIES = [
    "jekyll",                      # nearly every article: bm25 over all of them
    "liquid filter",               # every word required...
    "filter liquid",               # ... in any order
    "releases",                    # stemmed: release, released, releasing
    "configuring",
    "Documentation",               # case
    "LiQuId FiLtErS",
    '"front matter"',              # a phrase
    '"matter front"',              # its words in another order: not the phrase
    '"github pages" -windows',     # a phrase and an excluded word
    "plug*",                       # prefixes
    "collect* jekyll",
    "jekyll*",
    "jekyll -release",             # exclusion
    "windows -github",
    "happy jekylling",
    "kramdown",
    "sass",
    "parkr thanks",
    "theme* gem",
    "incremental regeneration",
    "security",
    "3.0",                         # digits
    "Err",
    "café",                        # diacritics
    "nonexistentwordzzz",          # nothing
    "-jekyll",                     # nothing but an exclusion: nothing to search
    "the and of",                  # common words
    "a",
    "ruby gem install bundler",    # four words
]


def quoted(q):
    return quote(q, safe="")


def api_results(server, q):
    """{total, slugs, snippets} of q through /api/v1/articles, all pages."""
    slugs, snippets, page, total = [], [], 1, None
    while True:
        r = server.get(f"/api/v1/articles?q={quoted(q)}&limit=100&page={page}"
                       "&fields=slug,snippet")
        assert r.status_code == 200, (q, r.status_code, r.text[:200])
        body = r.json()
        total = body["meta"]["pagination"]["total"]
        for a in body["articles"]:
            slugs.append(a["slug"])
            snippets.append("".join(f"[{s['text']}]" if s["match"] else s["text"]
                                    for s in a["snippet"]))
        if body["meta"]["pagination"]["next"] is None:
            break
        page += 1
    return {"total": total, "slugs": slugs, "snippets": snippets}


def page_marks(server, q):
    """The /search page's result count and the words it marks, in order."""
    r = server.get(f"/search?q={quoted(q)}")
    assert r.status_code == 200
    m = re.search(r"\b(\d+) results?\b", r.text)
    return {"count": int(m.group(1)) if m else None,
            "marks": re.findall(r"<mark>(.*?)</mark>", r.text)}


def current(server):
    return {q: {**api_results(server, q), "page": page_marks(server, q)} for q in QUERIES}


def test_search_results_are_as_pinned(jekyll):
    got = current(jekyll)
    if os.environ.get("GAZETTE_PIN_SEARCH") == "1":
        PINNED.write_text(json.dumps(got, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        pytest.skip(f"wrote {PINNED}")
    want = json.loads(PINNED.read_text())
    assert sorted(want) == sorted(QUERIES), "the queries changed: pin them again"
    for q in QUERIES:
        assert got[q]["total"] == want[q]["total"], q
        assert got[q]["slugs"] == want[q]["slugs"], q
        assert got[q]["snippets"] == want[q]["snippets"], q
        assert got[q]["page"] == want[q]["page"], q


def test_the_pinned_results_say_something(jekyll):
    """The pins themselves hold what they are meant to show."""
    want = json.loads(PINNED.read_text())
    assert want["jekyll"]["total"] > 90
    assert sorted(want["liquid filter"]["slugs"]) == sorted(want["filter liquid"]["slugs"])
    assert 0 < want["liquid filter"]["total"] < want["jekyll"]["total"]
    assert want['"front matter"']["total"] > want['"matter front"']["total"]
    assert want["releases"]["total"] > 0
    assert any("[released]" in s.lower() or "[release]" in s.lower()
               for s in want["releases"]["snippets"])
    assert want["jekyll -release"]["total"] < want["jekyll"]["total"]
    assert want["nonexistentwordzzz"]["total"] == 0 and want["-jekyll"]["total"] == 0
    assert want["plug*"]["total"] > 0
    assert any(m.lower().startswith("plug") for m in want["plug*"]["page"]["marks"])


# --------------------------------------------------------------------------
# The store ranks a search itself (store_search.c) unless a tag or an author
# narrows it; then SQL ranks it (store_rank.c).  On a site where every
# article has the same tag and the same author, both must give the same
# answer: same articles, same order, same total, same snippets.

WORDS = ("glacier river summit harbour melt melting melted ice snow storm coast "
         "council budget vote election ocean tide").split()


def varied_site(make_site):
    import random
    from conftest import add_token, article
    rnd = random.Random(3)
    files = {}
    for i in range(60):
        body = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 120)))
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 4))).title()
        fields = {"slug": f"a{i:02}", "tags": "[all]", "author": "Ann Lee",
                  "summary": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 8)))}
        date = f"2024-01-{1 + i % 28:02}T10:00:00Z"
        if i % 11 == 0:
            fields["draft"] = "true"
        if i % 13 == 0:
            date = "2099-01-01T00:00:00Z"
        files[f"a{i:02}.md"] = article(title, date=date, body=body, **fields)
    s = make_site(files=files)
    s.reader = add_token(s.db, "reader", scope="read-drafts")
    return s


@pytest.mark.parametrize("status", ["published", "draft", "scheduled", "all"])
def test_the_store_ranks_as_sql_does(make_site, status):
    s = varied_site(make_site)
    auth = {"Authorization": f"Bearer {s.reader}"}
    queries = ["glacier", "melt", "glacier river", "river glacier", '"glacier river"',
               "gla*", "storm -coast", "ice snow tide", "council -vote -budget", "nothinghere"]
    for q in queries:
        for page, limit in ((1, 100), (2, 7)):
            base = f"/api/v1/articles?q={quoted(q)}&status={status}&limit={limit}&page={page}"
            fast = s.get(base, headers=auth)
            sql = s.get(base + "&tag=all&author=ann-lee", headers=auth)
            assert fast.status_code == sql.status_code == 200
            a, b = fast.json(), sql.json()
            assert a["meta"] == b["meta"], (q, status)
            assert [x["slug"] for x in a["articles"]] == [x["slug"] for x in b["articles"]], \
                (q, status, page)
            assert a["articles"] == b["articles"], (q, status)
