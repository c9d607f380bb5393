"""What readers of a real blog expect (issue 17): index pages (/tags, /authors,
the archive by year and month), previous / next and related articles on every
article, author pages with what site.yaml says of them, and one URL for people
and programs (Accept: application/json on an HTML address answers the API's
JSON, with Vary: Accept and validators of its own)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import requests

import contract
import realsites
from conftest import JEKYLL, article, import_paths, query, write
from test_pages import Doc, get_html, path_of

HTML = "text/html; charset=utf-8"
CHROME_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                 "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
JSON_ACCEPT = {"Accept": "application/json"}

SITE_YAML = """title: The Allotment Gazette
description: News from the plots.
authors:
  jane-doe:
    name: Jane Doe
    bio: Grows <em>beans</em> & writes about soil.
    avatar: images/jane.png
    links:
      - {name: Mastodon, url: "https://mastodon.example/@jane"}
      - "https://jane.example/"
      - {name: Evil, url: "javascript:alert(1)"}
  ali-ray:
    name: Ali Ray
    avatar: "javascript:alert(2)"
"""

# (slug, date, author, tags): ten articles over three years, newest last.
ARTICLES = [
    ("first-seeds", "2023-11-05T09:00:00Z", "Jane Doe", "[seeds]"),
    ("winter-dig", "2024-01-10T09:00:00Z", "Ali Ray", "[soil, tools]"),
    ("spade-review", "2024-01-20T09:00:00Z", "Ali Ray", "[tools]"),
    ("bean-poles", "2024-03-02T09:00:00Z", "Jane Doe", "[beans, tools]"),
    ("beans-sown", "2024-03-15T09:00:00Z", "Jane Doe", "[beans, seeds]"),
    ("compost-heap", "2024-05-01T09:00:00Z", "Ali Ray", "[soil]"),
    ("bean-harvest", "2024-08-30T09:00:00Z", "Jane Doe", "[beans]"),
    ("seed-swap", "2025-02-01T09:00:00Z", "Jane Doe", "[seeds, beans]"),
    ("same-moment-a", "2025-02-10T09:00:00Z", "Ali Ray", "[soil]"),
    ("same-moment-b", "2025-02-10T09:00:00Z", "Ali Ray", "[soil]"),
]
ORDER = [a[0] for a in ARTICLES]  # oldest first (the same moment: by the order added)


def site_files():
    files = {"site.yaml": SITE_YAML}
    for i, (slug, date, author, tags) in enumerate(ARTICLES):
        # The file names keep the order the articles are added in.
        files[f"{i:02d}-{slug}.md"] = article(slug.replace("-", " ").capitalize(), date=date,
                                              slug=slug, author=author, tags=tags,
                                              body=f"About {slug}.")
    files["draft.md"] = article("Bean draft", date="2024-03-10T00:00:00Z", slug="bean-draft",
                                author="Jane Doe", tags="[beans, tools]", draft="true")
    files["future.md"] = article("Beans next year", date="2099-01-01T00:00:00Z",
                                 slug="beans-next-year", author="Jane Doe", tags="[beans, tools]")
    files["about.md"] = article("About", date=None, slug="about", type="page", body="Us.")
    return files


@pytest.fixture(scope="module")
def site(make_module_site):
    return make_module_site(files=site_files())


@pytest.fixture(scope="module")
def avatar_site(make_module_site, tmp_path_factory):
    """The same site with Jane's avatar among its files."""
    d = tmp_path_factory.mktemp("avatar")
    for name, text in site_files().items():
        write(d / "content" / name, text)
    (d / "content" / "images").mkdir()
    (d / "content" / "images" / "jane.png").write_bytes(realsites.png(96, 96))
    import_paths(d / "site.db", d / "content")
    return make_module_site(db=d / "site.db")


# --------------------------------------------------------------------------
# /tags and /authors

def test_tags_page_lists_every_tag_with_its_count(site):
    r, doc = get_html(site, "/tags")
    assert doc.h1 == ["Tags"]
    links = {path_of(site, l["href"]): l["text"] for l in doc.links if l["in_main"]}
    # Counts of published articles only: the draft and the scheduled one do not count.
    assert links == {"/tags/beans": "beans", "/tags/soil": "soil", "/tags/seeds": "seeds",
                     "/tags/tools": "tools"}
    text = doc.text_of("main")
    for name, n in (("beans", 4), ("soil", 4), ("seeds", 3), ("tools", 3)):
        assert f"{name} {n} articles" in text, text
    # The most used first, as the API lists them.
    api = site.get("/api/v1/tags").json()["tags"]
    assert [path_of(site, l["href"]) for l in doc.links if l["in_main"]] == \
        [f"/tags/{t['slug']}" for t in api]
    assert "<title>Tags – The Allotment Gazette</title>" in r.text


def test_authors_page_lists_authors_with_counts_and_bios(avatar_site):
    s = avatar_site
    r, doc = get_html(s, "/authors")
    assert doc.h1 == ["Authors"]
    people = [(path_of(s, l["href"]), l["text"]) for l in doc.links if l["in_main"]]
    assert people == [("/authors/ali-ray", "Ali Ray"), ("/authors/jane-doe", "Jane Doe")]
    text = doc.text_of("main")
    assert "Ali Ray 5 articles" in text and "Jane Doe 5 articles" in text
    # The bio is text: its markup is shown, never run.
    assert "Grows &lt;em&gt;beans&lt;/em&gt; &amp; writes about soil." in r.text
    assert '<img class="avatar" src="' + s.url + '/images/jane.png"' in r.text
    assert "javascript:" not in r.text


def test_author_page_has_bio_avatar_and_links(avatar_site):
    s = avatar_site
    r, doc = get_html(s, "/authors/jane-doe")
    assert doc.h1 == ["Articles by Jane Doe"]
    profile = re.search(r'<div class="profile">(.*?)</div>\n</div>', r.text, re.S).group(1)
    assert 'src="' + s.url + '/images/jane.png"' in profile and 'alt=""' in profile
    assert 'width="96" height="96"' in profile
    assert "Grows &lt;em&gt;beans&lt;/em&gt; &amp; writes about soil." in profile
    hrefs = re.findall(r'<a href="([^"]*)">([^<]*)</a>', profile)
    assert hrefs == [("https://mastodon.example/@jane", "Mastodon"),
                     ("https://jane.example/", "https://jane.example/")]
    assert "javascript" not in r.text
    # The avatar it shows is there.
    img = s.get("/images/jane.png")
    assert img.status_code == 200 and img.headers["Content-Type"] == "image/png"
    # An author site.yaml says nothing more of (or only an unsafe avatar) has no profile.
    r, doc = get_html(s, "/authors/ali-ray")
    assert 'class="profile"' not in r.text and "javascript" not in r.text
    # The API carries the same.
    jane = [a for a in s.get("/api/v1/authors").json()["authors"] if a["slug"] == "jane-doe"][0]
    assert jane["bio"] == "Grows <em>beans</em> & writes about soil."
    assert jane["avatar"] == s.url + "/images/jane.png"
    assert jane["links"] == [{"name": "Mastodon", "url": "https://mastodon.example/@jane"},
                             {"name": "https://jane.example/", "url": "https://jane.example/"}]
    ali = [a for a in s.get("/api/v1/authors").json()["authors"] if a["slug"] == "ali-ray"][0]
    assert (ali["bio"], ali["avatar"], ali["links"]) == ("", None, [])


def test_index_pages_are_in_the_navigation(site):
    r, doc = get_html(site, "/")
    nav = [path_of(site, l["href"]) for l in doc.links if l["in_nav"]]
    assert nav[:3] == ["/", "/archive", "/tags"]
    footer = [path_of(site, l["href"]) for l in doc.links if l["in_footer"]]
    assert {"/archive", "/tags", "/authors", "/feed.xml"} <= set(footer)


def test_index_pages_of_an_empty_site(make_site):
    # (authors: {} because a site.yaml without authors leaks in import.c's
    # write_site(), which is not this issue's: see the report.)
    s = make_site(files={"site.yaml": "title: Empty\nauthors: {}\n",
                         "about.md": article("About", date=None, slug="about", type="page")})
    for path, text in (("/tags", "No article has a tag yet."),
                       ("/authors", "Nothing has been published yet."),
                       ("/archive", "Nothing has been published yet.")):
        r, doc = get_html(s, path)
        assert text in doc.text_of("main"), path
    assert s.get("/api/v1/archive").json() == {"years": []}


# --------------------------------------------------------------------------
# previous, next and related

def neighbours(server, slug):
    r, doc = get_html(server, f"/articles/{slug}")
    body_prev = [path_of(server, l["href"]) for l in doc.links if l["rel"] == "prev"]
    body_next = [path_of(server, l["href"]) for l in doc.links if l["rel"] == "next"]
    head_prev = re.findall(r'<link rel="prev" href="([^"]*)">', r.text)
    head_next = re.findall(r'<link rel="next" href="([^"]*)">', r.text)
    assert [path_of(server, h) for h in head_prev] == body_prev
    assert [path_of(server, h) for h in head_next] == body_next
    return body_prev, body_next


def test_every_article_links_to_the_one_before_and_after(site):
    for i, slug in enumerate(ORDER):
        prev, nxt = neighbours(site, slug)
        assert prev == ([f"/articles/{ORDER[i - 1]}"] if i > 0 else []), slug
        assert nxt == ([f"/articles/{ORDER[i + 1]}"] if i + 1 < len(ORDER) else []), slug


def test_article_nav_names_the_articles(site):
    r, doc = get_html(site, "/articles/bean-poles")
    nav = re.search(r'<nav class="article-nav" aria-label="Previous and next articles">(.*?)</nav>',
                    r.text, re.S).group(1)
    assert "Spade review" in nav and "Beans sown" in nav
    # Drafts, scheduled articles and pages are never a way on.
    assert "bean-draft" not in r.text and "beans-next-year" not in r.text


def related(server, slug):
    r, doc = get_html(server, f"/articles/{slug}")
    m = re.search(r'<section class="related".*?</section>', r.text, re.S)
    if not m:
        return []
    return [path_of(server, h).split("/")[-1] for h in re.findall(r'href="([^"]*)"', m.group(0))]


def test_related_articles_share_tags(site):
    # bean-poles (beans, tools): winter-dig, spade-review share tools; bean-harvest,
    # beans-sown, seed-swap beans; spade-review and beans-sown are its neighbours.
    got = related(site, "bean-poles")
    assert len(got) == 3
    assert "spade-review" not in got and "beans-sown" not in got  # linked already
    assert set(got) <= {"winter-dig", "bean-harvest", "seed-swap"}
    tags = {a[0]: set(a[3].strip("[]").split(", ")) for a in ARTICLES}
    for slug in ORDER:
        for other in related(site, slug):
            assert tags[slug] & tags[other], (slug, other)
            assert other != slug
    # Most tags in common first: seed-swap shares seeds and beans with beans-sown.
    assert related(site, "beans-sown")[0] == "seed-swap"


def test_related_articles_follow_the_data(make_site):
    """Each connection keeps every tag's articles (store_nav.c), read again
    once the data changes: an article imported while the server runs
    becomes a related one, and leaves when its tag goes."""
    def kale(title, date, slug, tags="[kale]"):
        return article(title, date=date, slug=slug, tags=tags)
    s = make_site(files={"a.md": kale("Alpha", "2024-01-01T00:00:00Z", "alpha"),
                         "b.md": kale("Beta", "2024-03-01T00:00:00Z", "beta"),
                         "c.md": kale("Gamma", "2024-05-01T00:00:00Z", "gamma")})
    # Every worker reads its index now (the next article, beta, is linked already).
    for _ in range(8):
        assert related(s, "alpha") == ["gamma"]
    write(s.content / "d.md", kale("Delta", "2024-07-01T00:00:00Z", "delta"))
    import_paths(s.db, s.content)
    for _ in range(8):
        assert sorted(related(s, "alpha")) == ["delta", "gamma"]
    write(s.content / "d.md", kale("Delta", "2024-07-01T00:00:00Z", "delta", tags="[chard]"))
    import_paths(s.db, s.content)
    for _ in range(8):
        assert related(s, "alpha") == ["gamma"]


def test_article_page_changes_with_its_neighbours(make_site):
    """A new article changes its neighbour's page: Last-Modified moves on and a
    conditional GET with the old validators gets the new page."""
    s = make_site(files={"a.md": article("Alpha", date="2024-01-01T00:00:00Z", slug="alpha")})
    r1 = s.get("/articles/alpha")
    assert "article-nav" not in r1.text
    write(s.content / "b.md", article("Beta", date="2024-02-01T00:00:00Z", slug="beta"))
    import_paths(s.db, s.content)
    r2 = s.get("/articles/alpha", headers={"If-None-Match": r1.headers["ETag"],
                                          "If-Modified-Since": r1.headers["Last-Modified"]})
    assert r2.status_code == 200 and 'rel="next" href="/articles/beta"' in r2.text
    assert r2.headers["ETag"] != r1.headers["ETag"]


# --------------------------------------------------------------------------
# the archive

def archive_groups(html):
    """[(month heading, [slugs])] of an archive page."""
    out = []
    for heading, body in re.findall(r'<h2 id="month-[0-9-]+">([^<]*)</h2>\n<ul class="archive-list">'
                                    r'(.*?)</ul>', html, re.S):
        out.append((heading, re.findall(r'href="[^"]*/articles/([^"]*)"', body)))
    return out


def test_archive_groups_articles_by_month(site):
    r, doc = get_html(site, "/archive")
    assert doc.h1 == ["Archive"]
    assert archive_groups(r.text) == [
        ("February 2025", ["same-moment-b", "same-moment-a", "seed-swap"]),
        ("August 2024", ["bean-harvest"]), ("May 2024", ["compost-heap"]),
        ("March 2024", ["beans-sown", "bean-poles"]), ("January 2024", ["spade-review", "winter-dig"]),
        ("November 2023", ["first-seeds"])]
    years = re.search(r'<nav class="archive-nav" aria-label="Years">(.*?)</nav>', r.text, re.S).group(1)
    assert re.findall(r'href="([^"]*)">(\d+)</a> <span class="count">\((\d+)\)', years) == [
        ("/archive/2025", "2025", "3"), ("/archive/2024", "2024", "6"), ("/archive/2023", "2023", "1")]
    assert "10 articles" in doc.text_of("main")


def test_archive_of_a_year_and_a_month(site):
    r, doc = get_html(site, "/archive/2024")
    assert doc.h1 == ["Archive: 2024"]
    assert [g[0] for g in archive_groups(r.text)] == ["August 2024", "May 2024", "March 2024",
                                                      "January 2024"]
    assert 'href="/archive/2024" aria-current="page"' in r.text
    months = re.search(r'aria-label="Months">(.*?)</nav>', r.text, re.S).group(1)
    assert re.findall(r'href="([^"]*)"', months) == ["/archive/2024/08", "/archive/2024/05",
                                                     "/archive/2024/03", "/archive/2024/01"]
    r, doc = get_html(site, "/archive/2024/03")
    assert doc.h1 == ["Archive: March 2024"]
    assert archive_groups(r.text) == [("March 2024", ["beans-sown", "bean-poles"])]
    assert 'href="/archive/2024/03" aria-current="page"' in r.text
    assert "<title>Archive: March 2024 – The Allotment Gazette</title>" in r.text
    # A year or month with nothing published (the draft's month has only it) is not there.
    for path in ("/archive/2022", "/archive/2024/02", "/archive/2099", "/archive/2099/01"):
        get_html(site, path, status=404)
    # One spelling: anything else is no archive page.
    for path in ("/archive/2024/3", "/archive/24", "/archive/2024/13"):
        assert site.get(path).status_code == 404, path


def test_archive_pages_hold_a_hundred_articles(make_module_site):
    """The Jekyll corpus (102 real posts): two pages, every post once, the
    counts by year those of the posts' own dates."""
    posts = [p for p in JEKYLL.iterdir() if p.suffix in (".md", ".markdown")]
    assert len(posts) == 102
    s = make_module_site(files={p.name: p.read_text() for p in posts})
    r1, doc1 = get_html(s, "/archive")
    r2, doc2 = get_html(s, "/archive/page/2")
    first = [slug for _, slugs in archive_groups(r1.text) for slug in slugs]
    second = [slug for _, slugs in archive_groups(r2.text) for slug in slugs]
    assert len(first) == 100 and len(second) == 2 and not set(first) & set(second)
    assert doc1.rel("next") == ["/archive/page/2"] and doc2.rel("prev") == ["/archive"]
    assert '<link rel="next" href="/archive/page/2">' in r1.text
    get_html(s, "/archive/page/3", status=404)
    assert s.get("/archive/page/1").headers["Location"] == "/archive"
    by_year = Counter(p.name[:4] for p in posts)
    years = {y["year"]: y["count"] for y in s.get("/api/v1/archive").json()["years"]}
    assert years == {int(y): n for y, n in by_year.items()}
    # Each year's page lists that year's posts.
    for year, n in by_year.items():
        r, _ = get_html(s, f"/archive/{year}")
        assert sum(len(g[1]) for g in archive_groups(r.text)) == n, year
    # And previous / next lead through all of them, oldest to newest.
    slug = second[-1]
    seen = [slug]
    while True:
        _, nxt = neighbours(s, slug)
        if not nxt:
            break
        slug = nxt[0].split("/")[-1]
        seen.append(slug)
    assert len(seen) == 102 and seen[::-1] == first + second


def test_archive_api(site):
    body = site.get("/api/v1/archive").json()
    assert body == {"years": [
        {"year": 2025, "count": 3, "url": site.url + "/archive/2025", "months": [
            {"month": 2, "count": 3, "url": site.url + "/archive/2025/02"}]},
        {"year": 2024, "count": 6, "url": site.url + "/archive/2024", "months": [
            {"month": 8, "count": 1, "url": site.url + "/archive/2024/08"},
            {"month": 5, "count": 1, "url": site.url + "/archive/2024/05"},
            {"month": 3, "count": 2, "url": site.url + "/archive/2024/03"},
            {"month": 1, "count": 2, "url": site.url + "/archive/2024/01"}]},
        {"year": 2023, "count": 1, "url": site.url + "/archive/2023", "months": [
            {"month": 11, "count": 1, "url": site.url + "/archive/2023/11"}]}]}
    got = site.get("/api/v1/articles?year=2024&month=3").json()
    assert [a["slug"] for a in got["articles"]] == ["beans-sown", "bean-poles"]
    assert [a["slug"] for a in site.get("/api/v1/articles?year=2023").json()["articles"]] == \
        ["first-seeds"]
    r = site.get("/api/v1/articles?month=3")
    assert r.status_code == 400 and "'month'" in r.json()["detail"]
    assert site.get("/api/v1/articles?year=24").status_code == 400
    # Pages of a year keep the year in their links.
    r = site.get("/api/v1/articles?year=2024&limit=2")
    assert r.headers["Link"] == f'<{site.url}/api/v1/articles?limit=2&year=2024&page=2>; rel="next"'


def test_archive_below_a_public_path(make_site):
    s = make_site("--public-url", "https://example.org/blog",
                  files={"a.md": article("Alpha", date="2024-05-01T00:00:00Z", slug="alpha",
                                         tags="[x]")})
    r, doc = get_html(s, "/blog/archive")
    assert 'href="/blog/archive/2024"' in r.text and 'href="/blog/articles/alpha"' in r.text
    r, doc = get_html(s, "/archive/2024/05")
    assert 'href="/blog/archive/2024/05" aria-current="page"' in r.text
    r, doc = get_html(s, "/tags")
    assert 'href="/blog/tags/x"' in r.text
    assert s.get("/api/v1/archive").json()["years"][0]["url"] == \
        "https://example.org/blog/archive/2024"


def test_a_page_cannot_take_the_archive_address(tmp_path):
    from conftest import run_gazette
    write(tmp_path / "c" / "archive.md", "---\ntitle: Archive\ntype: page\n---\nOld list.\n")
    r = run_gazette("import", "--db", tmp_path / "x.db", tmp_path / "c")
    assert r.returncode != 0 and "'archive' is one of gazette's own addresses" in r.stderr


# --------------------------------------------------------------------------
# one URL, two representations

# An HTML address and the API address whose JSON it answers.
MATCHING = [
    ("/", "/api/v1/articles"),
    ("/page/2", "/api/v1/articles?page=2"),
    ("/articles/bean-poles", "/api/v1/articles/bean-poles"),
    ("/tags", "/api/v1/tags"),
    ("/tags/beans", "/api/v1/articles?tag=beans"),
    ("/authors", "/api/v1/authors"),
    ("/authors/jane-doe", "/api/v1/articles?author=jane-doe"),
    ("/search?q=beans", "/api/v1/articles?q=beans"),
    ("/search", "/api/v1/articles"),
    ("/archive", "/api/v1/articles?limit=100"),
    ("/archive/2024", "/api/v1/articles?year=2024&limit=100"),
    ("/archive/2024/03", "/api/v1/articles?year=2024&month=3&limit=100"),
]


@pytest.fixture(scope="module")
def many(make_module_site):
    """Twenty-five articles: the front page and a tag have two pages."""
    files = {}
    for i in range(25):
        files[f"{i:02d}.md"] = article(f"Story {i}", date=f"2024-02-{i + 1:02d}T08:00:00Z",
                                       slug=f"story-{i}", author="Jane Doe", tags="[beans]")
    return make_module_site(files=files)


@pytest.mark.parametrize("html,api", MATCHING)
def test_json_of_an_html_address_is_the_api_answer(site, many, html, api):
    s = many if html == "/page/2" else site
    page = s.get(html, headers={"Accept": "application/json"})
    same = s.get(api)
    assert page.status_code == same.status_code == 200, (html, page.text[:300])
    assert page.headers["Content-Type"] == same.headers["Content-Type"] == "application/json"
    assert page.json() == same.json(), html
    assert page.content == same.content
    assert page.headers.get("Link") == same.headers.get("Link")
    contract.check_answer("GET", api, page)
    assert page.headers["Vary"] == "Accept, Accept-Encoding"
    # The API's own address does not vary.
    assert "Accept" not in [v.strip() for v in same.headers.get("Vary", "").split(",")]


@pytest.mark.parametrize("accept", [None, "text/html", "*/*", CHROME_ACCEPT,
                                    "text/html;q=0.9, application/json;q=0.8",
                                    "application/json;q=0"])
def test_browsers_and_others_get_the_page(site, accept):
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:
        # requests sends "*/*" unless told otherwise: a raw request sends none.
        r = requests.get(site.url + "/tags/beans", headers={"Accept": None}, timeout=30)
    else:
        r = site.get("/tags/beans", headers=headers)
    assert r.status_code == 200 and r.headers["Content-Type"] == HTML
    assert r.headers["Vary"] == "Accept, Accept-Encoding"


@pytest.mark.parametrize("accept", ["application/json", "application/json, text/html;q=0.9",
                                    "text/html;q=0.5, application/*", "application/json;q=0.9, */*;q=0.1"])
def test_programs_get_the_json(site, accept):
    r = site.get("/tags/beans", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert [a["slug"] for a in r.json()["articles"]] == \
        ["seed-swap", "bean-harvest", "beans-sown", "bean-poles"]


def test_the_two_representations_have_validators_of_their_own(site):
    """Each answer has its own ETag; a validator of one never makes the
    other a 304; and the cache keeps them apart, whichever comes first."""
    for path in ("/articles/seed-swap", "/tags/soil", "/archive/2024"):
        html1 = site.get(path)
        json1 = site.get(path, headers=JSON_ACCEPT)
        html2 = site.get(path)  # from the cache now
        json2 = site.get(path, headers=JSON_ACCEPT)
        assert html1.headers["Content-Type"] == html2.headers["Content-Type"] == HTML
        assert json1.headers["Content-Type"] == json2.headers["Content-Type"] == "application/json"
        assert html1.content == html2.content and json1.content == json2.content
        assert html1.headers["ETag"] != json1.headers["ETag"]
        assert html2.headers["ETag"] == html1.headers["ETag"]
        # Conditional requests: each representation's own tag gives 304, the other's 200.
        for accept, mine, other in ((None, html1, json1), ("application/json", json1, html1)):
            h = {"Accept": accept} if accept else {}
            same = site.get(path, headers={**h, "If-None-Match": mine.headers["ETag"]})
            assert same.status_code == 304 and same.headers["Vary"] == "Accept, Accept-Encoding"
            assert same.headers["ETag"] == mine.headers["ETag"]
            changed = site.get(path, headers={**h, "If-None-Match": other.headers["ETag"]})
            assert changed.status_code == 200 and changed.content == mine.content
        # Last-Modified: the JSON of an article is the article's date; its page also
        # shows its neighbours, whose last change is the last import.
        assert "Last-Modified" in html1.headers and "Last-Modified" in json1.headers
    art = site.get("/articles/seed-swap", headers=JSON_ACCEPT)
    assert art.headers["Last-Modified"] == "Sat, 01 Feb 2025 09:00:00 GMT"
    # gzip: the JSON of a page is compressed as the API's is, under its own tag.
    gz = site.get("/archive", headers={**JSON_ACCEPT, "Accept-Encoding": "gzip"})
    assert gz.headers.get("Content-Encoding") == "gzip" and gz.json()["articles"]


def test_head_follows_accept(site):
    r = site.request("HEAD", "/articles/bean-poles", headers=JSON_ACCEPT)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.content == b""
    full = site.get("/articles/bean-poles", headers=JSON_ACCEPT)
    assert r.headers["ETag"] == full.headers["ETag"]


def test_json_errors_are_problems(site):
    for path, status in (("/tags/no-such-tag", 404), ("/authors/nobody", 404),
                         ("/articles/bean-draft", 404), ("/articles/nothing-here", 404),
                         ("/tags/beans/page/9", 200)):
        r = site.get(path, headers=JSON_ACCEPT)
        assert r.status_code == status, path
        if status == 404:
            assert r.headers["Content-Type"] == "application/problem+json"
            assert r.json()["status"] == 404
            assert r.headers["Vary"] == "Accept, Accept-Encoding"
    # The HTML of the same address is the HTML error page.
    r = site.get("/tags/no-such-tag")
    assert r.status_code == 404 and r.headers["Content-Type"] == HTML


def test_addresses_without_json_ignore_accept(site):
    """A standalone page, a feed, the sitemap: no API address holds them."""
    for path, kind in (("/about", HTML), ("/feed.xml", "application/atom+xml; charset=utf-8"),
                       ("/sitemap.xml", "application/xml; charset=utf-8")):
        r = site.get(path, headers=JSON_ACCEPT)
        assert r.status_code == 200 and r.headers["Content-Type"] == kind, path
        assert "Accept" not in [v.strip() for v in r.headers.get("Vary", "").split(",")], path


def test_old_post_number_still_redirects_for_programs(make_site, tmp_path):
    """WordPress's /?p=N leads to the article whatever the Accept."""
    s = make_site(files={"a.md": article("Alpha", date="2024-01-01T00:00:00Z", slug="alpha",
                                         aliases='["/?p=12"]')})
    r = s.get("/?p=12", headers=JSON_ACCEPT)
    assert r.status_code == 301 and r.headers["Location"].endswith("/articles/alpha")
    r = s.get("/?p=13", headers=JSON_ACCEPT)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert "p=13" not in r.headers.get("Link", "")
