"""Feeds, JSON-LD, the sitemap and robots.txt, read the way feed readers and
search engines read them (feedparser, an XML parser, json)."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import feedparser
import pytest

from conftest import article

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def files(n=25):
    f = {f"a{i:02}.md": article(f"Story {i:02}", date=f"2025-01-{i + 1:02}T08:00:00Z",
                                slug=f"story-{i:02}", author="Jane Doe",
                                tags="[news, politics]" if i % 2 else "[news]",
                                body=f"Paragraph of story {i} with *emphasis*.\n\nA second one.")
         for i in range(n)}
    f["draft.md"] = article("A draft", slug="a-draft", draft="true")
    future = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    f["later.md"] = article("Not yet", slug="not-yet", date=future)
    f["about.md"] = article("About", date=None, slug="about", type="page")
    f["site.yaml"] = "title: The Daily\ndescription: News of the day.\nwords_per_minute: 100\n"
    return f


@pytest.fixture(scope="module")
def site(make_module_site):
    return make_module_site("--public-url", "https://news.example/daily", files=files())


PUBLISHED = [f"story-{i:02}" for i in range(24, -1, -1)]


def api_bodies(site):
    out = {}
    for slug in PUBLISHED[:20]:
        out[slug] = site.get(f"/api/v1/articles/{slug}").json()["article"]["body_html"]
    return out


@pytest.mark.parametrize("path,version", [("/feed.xml", "atom10"), ("/rss.xml", "rss20")])
def test_feeds_parse_and_carry_whole_articles(site, path, version):
    r = site.get(path)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == {"atom10": "application/atom+xml; charset=utf-8",
                                         "rss20": "application/rss+xml; charset=utf-8"}[version]
    d = feedparser.parse(r.content)
    assert d.bozo is False or d.bozo == 0, d.get("bozo_exception")
    assert d.version == version
    assert d.feed.title == "The Daily"
    slugs = [e.link.rsplit("/", 1)[1] for e in d.entries]
    assert slugs == PUBLISHED[:20]  # newest 20, nothing unpublished
    bodies = api_bodies(site)
    for e in d.entries:
        assert e.link.startswith("https://news.example/daily/articles/")
        # feedparser trims the trailing newline
        assert e.content[0].value == bodies[e.link.rsplit("/", 1)[1]].strip()
        assert e.author == "Jane Doe"
    assert {t.term for t in d.entries[0].tags} <= {"news", "politics", "News", "Politics"}


def test_atom_is_complete(site):
    root = ET.fromstring(site.get("/feed.xml").content)
    assert root.find(f"{ATOM}id").text == "https://news.example/daily/feed.xml"
    assert root.find(f"{ATOM}updated").text == "2025-01-25T08:00:00Z"
    entry = root.find(f"{ATOM}entry")
    for child in ("id", "title", "updated", "published", "content", "summary", "link"):
        assert entry.find(f"{ATOM}{child}") is not None, child
    self_link = [l for l in root.findall(f"{ATOM}link") if l.get("rel") == "self"][0]
    assert self_link.get("href") == "https://news.example/daily/feed.xml"


def test_json_feed(site):
    r = site.get("/feed.json")
    assert r.headers["Content-Type"] == "application/feed+json; charset=utf-8"
    f = r.json()
    assert f["version"] == "https://jsonfeed.org/version/1.1"
    assert f["title"] == "The Daily"
    assert f["home_page_url"] == "https://news.example/daily/"
    assert f["feed_url"] == "https://news.example/daily/feed.json"
    assert len(f["items"]) == 20
    bodies = api_bodies(site)
    for item in f["items"]:
        # Required by JSON Feed 1.1: id, and content_html or content_text.
        assert isinstance(item["id"], str) and item["id"]
        assert item["content_html"] == bodies[item["url"].rsplit("/", 1)[1]]
        assert item["url"] == item["id"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["date_published"])
        assert item["authors"] == [{"name": "Jane Doe"}]


@pytest.mark.parametrize("path", ["/tags/politics/feed.xml", "/tags/politics/rss.xml"])
def test_tag_feeds(site, path):
    d = feedparser.parse(site.get(path).content)
    assert not d.bozo
    assert d.feed.title == "The Daily: politics"
    assert [e.link.rsplit("/", 1)[1] for e in d.entries] == [s for s in PUBLISHED if int(s[-2:]) % 2][:20]
    j = site.get("/tags/politics/feed.json").json()
    assert j["feed_url"] == "https://news.example/daily/tags/politics/feed.json"
    assert site.get("/tags/nope/feed.xml").status_code == 404


def test_feed_limit_and_illegal_characters(make_site):
    f = {f"a{i}.md": article(f"Item {i}", date=f"2025-02-{i + 1:02}", slug=f"item-{i}") for i in range(6)}
    f["bad.md"] = ("---\ntitle: \"Bell \\a and \\uFFFE here\"\ndate: 2025-03-01\nslug: bad\n---\n\n"
                   "Text with a \x01 control and \x0b tab.\n")
    f["site.yaml"] = "title: Limited\nfeed_limit: 3\n"
    s = make_site(files=f)
    for path in ("/feed.xml", "/rss.xml"):
        body = s.get(path).content
        ET.fromstring(body)  # well-formed XML despite the characters XML forbids
        d = feedparser.parse(body)
        assert not d.bozo, d.get("bozo_exception")
        assert len(d.entries) == 3
        assert "\x01" not in body.decode() and "\x07" not in body.decode()
    assert len(s.get("/feed.json").json()["items"]) == 3


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_json_ld_news_article(site):
    html = site.get("/articles/story-03").text
    data = jsonld(html)
    graph = {item["@type"]: item for item in data["@graph"]}
    assert data["@context"] == "https://schema.org"
    a = graph["NewsArticle"]
    api = site.get("/api/v1/articles/story-03").json()["article"]
    assert a["headline"] == "Story 03"
    assert a["description"] == api["summary"]
    assert a["datePublished"] == "2025-01-04T08:00:00Z"
    assert a["dateModified"] == "2025-01-04T08:00:00Z"
    assert a["author"] == [{"@type": "Person", "name": "Jane Doe",
                            "url": "https://news.example/daily/authors/jane-doe"}]
    assert a["publisher"] == {"@type": "Organization", "name": "The Daily",
                              "url": "https://news.example/daily/"}
    assert a["wordCount"] == api["word_count"]
    # words_per_minute: 100 in site.yaml: the API and JSON-LD agree.
    assert api["reading_time_minutes"] == -(-api["word_count"] // 100)
    assert a["timeRequired"] == f"PT{api['reading_time_minutes']}M"
    assert a["keywords"] == ["news", "politics"]
    assert a["mainEntityOfPage"] == {"@type": "WebPage",
                                     "@id": "https://news.example/daily/articles/story-03"}
    crumbs = graph["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2]
    assert crumbs[1]["item"] == "https://news.example/daily/articles/story-03"


def test_json_ld_cannot_be_closed_by_a_title(make_site):
    evil = 'Ends </script><script>alert(1)</script> <!-- here'
    s = make_site(files={
        "e.md": f"---\ntitle: '{evil}'\nslug: evil\ndate: 2025-01-01\n---\nBody.\n"})
    html = s.get("/articles/evil").text
    data = jsonld(html)  # exactly one block, and it parses
    assert data["@graph"][0]["headline"] == evil
    assert html.count("<script") == 1


def test_metadata_tags(site):
    html = site.get("/articles/story-03").text
    def meta(attr, name):
        m = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', html)
        return m and m.group(1)
    assert meta("property", "og:title") == "Story 03"
    assert meta("property", "og:type") == "article"
    assert meta("property", "og:url") == "https://news.example/daily/articles/story-03"
    assert meta("property", "og:site_name") == "The Daily"
    assert meta("property", "article:published_time") == "2025-01-04T08:00:00Z"
    assert meta("name", "twitter:card") == "summary"
    assert meta("name", "description")
    assert '<link rel="canonical" href="https://news.example/daily/articles/story-03">' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert '<link rel="alternate" type="application/json" href="/daily/api/v1/articles/story-03">' in html


def test_sitemap_lists_published_articles_only(site):
    r = site.get("/sitemap.xml")
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    assert locs == [f"https://news.example/daily/articles/{s}" for s in PUBLISHED]
    lastmods = [u.find(f"{SITEMAP}lastmod").text for u in root.findall(f"{SITEMAP}url")]
    assert lastmods[0] == "2025-01-25T08:00:00Z"


def test_robots_txt(site):
    r = site.get("/robots.txt")
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: https://news.example/daily/sitemap.xml" in r.text.splitlines()
    assert "Disallow: /daily/search" in r.text.splitlines()
