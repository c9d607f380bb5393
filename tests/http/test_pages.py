"""HTTP tests of the HTML pages (DESIGN.md section 4): the real server, real
HTTP, small corpora built per module so every expectation is exact."""

import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest

from conftest import article, words

HTML = "text/html; charset=utf-8"


# --------------------------------------------------------------------------
# helpers

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def without_jsonld(html):
    """The page without its JSON-LD block, which must itself hold no markup:
    the one <script> element gazette writes, and data, not code."""
    for block in JSONLD.findall(html):
        assert "<" not in block and ">" not in block and "&" not in block, block[:300]
        json.loads(block)
    return JSONLD.sub("", html)

class Doc(HTMLParser):
    """The parts of a page the tests look at: links (with the element they
    sit in), <time> elements, forms, and the text of <main>."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.links = []          # dicts: href, rel, text, in_nav, in_main, in_header
        self.times = []          # dicts: datetime, text
        self.forms = []          # dicts: action, method, inputs
        self.stylesheets = []
        self.title = ""
        self.h1 = []
        self._stack = []
        self._link = None
        self._time = None
        self._in_title = False
        self._h1 = None
        self.main_text = []
        self.header_text = []
        self.footer_text = []
        self.feed(text)
        self.close()

    def _inside(self, tag, cls=None):
        for t, a in self._stack:
            if t == tag and (cls is None or cls in (a.get("class") or "").split()):
                return True
        return False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("meta", "link", "input", "br", "img", "hr"):
            if tag == "link" and a.get("rel") == "stylesheet":
                self.stylesheets.append(a.get("href"))
            if tag == "input" and self.forms:
                self.forms[-1]["inputs"].append(a)
            return
        self._stack.append((tag, a))
        if tag == "a":
            self._link = {"href": a.get("href"), "rel": a.get("rel"), "text": "",
                          "in_nav": self._inside("nav"), "in_main": self._inside("main"),
                          "in_header": self._inside("header", "site-header"),
                          "in_footer": self._inside("footer", "site-footer"),
                          "in_teaser": self._inside("article", "teaser")}
            self.links.append(self._link)
        elif tag == "time":
            self._time = {"datetime": a.get("datetime"), "text": ""}
            self.times.append(self._time)
        elif tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower(),
                               "inputs": []})
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self._h1 = ""

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag == "a":
            self._link = None
        elif tag == "time":
            self._time = None
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._h1 is not None:
            self.h1.append(self._h1.strip())
            self._h1 = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data
        if self._time is not None:
            self._time["text"] += data
        if self._in_title:
            self.title += data
        if self._h1 is not None:
            self._h1 += data
        if self._inside("main"):
            self.main_text.append(data)
        if self._inside("header", "site-header"):
            self.header_text.append(data)
        if self._inside("footer", "site-footer"):
            self.footer_text.append(data)

    def text_of(self, part):
        return re.sub(r"\s+", " ", "".join(getattr(self, part + "_text"))).strip()

    def listed_slugs(self):
        """Slugs of the articles listed in <main>, in order, once each."""
        seen = []
        for link in self.links:
            if not link["in_main"] or not link["href"]:
                continue
            m = re.search(r"/articles/([^/?#]+)$", urlsplit(link["href"]).path)
            if m and m.group(1) not in seen:
                seen.append(m.group(1))
        return seen

    def rel(self, rel):
        return [link["href"] for link in self.links if link["rel"] == rel]


def get_html(server, path, status=200, **kw):
    r = server.get(path, **kw)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["Content-Type"] == HTML, (path, r.headers.get("Content-Type"))
    return r, Doc(r.text)


def path_of(server, href):
    """The path (and query) an href points to, relative to the server root."""
    u = urlsplit(urljoin(server.url + "/", href))
    return u.path + ("?" + u.query if u.query else "")


def has_search_form(doc):
    for form in doc.forms:
        if form["method"] == "get" and urlsplit(form["action"] or "").path.endswith("/search") \
                and any(i.get("name") == "q" for i in form["inputs"]):
            return True
    return False


# --------------------------------------------------------------------------
# the main corpus: a few articles with exact expectations

BODY_MD = """Intro with **bold words** and *emphasis*.

## A heading

- one item
- two items

<script>alert("owned")</script>

[click me](javascript:alert(1)) and [also](JaVaScRiPt:alert(2)) and
<a href="javascript:alert(3)">raw</a> and [fine](https://example.org/ok).

| a | b |
|---|---|
| 1 | 2 |

~~struck~~ and https://example.org/auto
"""

RANK_BODY = ("The coastal report covered tides, fog banks, fishing boats and the harbour "
             "lights, and mentioned a zephyr only in passing near the end of a long day "
             "of weather along the shore with gulls, nets and lanterns.")

MAIN_FILES = {
    "hello.md": article("Hello World", date="2025-02-04T10:00:00Z", slug="hello-world",
                        author="Jane Doe", summary="One or two sentences.",
                        tags="[politics, security]", body=BODY_MD),
    "w265.md": article("Exactly two six five", date="2025-01-10T08:00:00Z", slug="w265",
                       author="Ali Ray", body=words(265)),
    "w266.md": article("Exactly two six six", date="2025-01-11T08:00:00Z", slug="w266",
                       author="Ali Ray", body=words(266)),
    "w3.md": article("Three words only", date="2025-01-12T08:00:00Z", slug="w3",
                     author="Ali Ray", tags="[politics]", body="one two three"),
    "rank-title.md": article("Zephyr over the bay", date="2024-06-01T12:00:00Z", slug="rank-title",
                             author="Ali Ray", body="Sailing boats crossed the water at dawn."),
    "rank-body.md": article("Coastal weather notes", date="2024-07-01T12:00:00Z", slug="rank-body",
                            author="Ali Ray", body=RANK_BODY),
    "about.md": article("About us", date=None, slug="about", type="page", weight=1,
                        body="We are the aboutpagemarker people."),
    "contact.md": "---\nlayout: page\ntitle: Contact\nweight: 2\n---\n\nWrite to contactpagemarker.\n",
    "draft.md": article("Secret draft", date="2025-01-01T00:00:00Z", slug="secret-draft",
                        author="Jane Doe", tags="[politics]", draft="true",
                        body="The draftmarker word lives here."),
    "future.md": article("Future news", date="2099-01-01T00:00:00Z", slug="future-news",
                         author="Jane Doe", tags="[politics]",
                         body="The futuremarker word lives here."),
}
PUBLISHED = ["hello-world", "w3", "w266", "w265", "rank-body", "rank-title"]   # newest first


@pytest.fixture(scope="module")
def site(make_module_site):
    return make_module_site(files=MAIN_FILES)


# A bigger corpus for pagination: 45 articles, one a day; 25 tagged "bulk".
BIG_START = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)


def big_files():
    files = {}
    for i in range(1, 46):
        date = (BIG_START + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fields = {"slug": f"filler-{i:02d}", "author": "Bulk Writer"}
        if i <= 25:
            fields["tags"] = "[bulk]"
        files[f"filler-{i:02d}.md"] = article(f"Filler {i:02d}", date=date,
                                               body=f"Filler article number {i}.", **fields)
    return files


def fillers(hi, lo):
    return [f"filler-{i:02d}" for i in range(hi, lo - 1, -1)]


@pytest.fixture(scope="module")
def big(make_module_site):
    return make_module_site(files=big_files())


# --------------------------------------------------------------------------
# front page and /page/N

def test_front_page_lists_published_articles_newest_first(site):
    r, doc = get_html(site, "/")
    assert doc.listed_slugs() == PUBLISHED
    assert has_search_form(doc)


def test_front_page_pagination_twenty_a_page(big):
    _, doc = get_html(big, "/")
    assert doc.listed_slugs() == fillers(45, 26)
    assert [path_of(big, h) for h in doc.rel("next")] == ["/page/2"]
    assert doc.rel("prev") == []

    _, doc = get_html(big, "/page/2")
    assert doc.listed_slugs() == fillers(25, 6)
    assert [path_of(big, h) for h in doc.rel("prev")] == ["/"]
    assert [path_of(big, h) for h in doc.rel("next")] == ["/page/3"]

    assert "<title>Articles, page 2 – " in big.get("/page/2").text

    _, doc = get_html(big, "/page/3")
    assert doc.listed_slugs() == fillers(5, 1)
    assert doc.rel("next") == []
    assert [path_of(big, h) for h in doc.rel("prev")] == ["/page/2"]


def test_page_one_redirects_to_front_page(big):
    r = big.get("/page/1")
    assert r.status_code == 301
    assert path_of(big, r.headers["Location"]) == "/"


@pytest.mark.parametrize("path", ["/page/4", "/page/99", "/page/100000000000000000000"])
def test_page_beyond_the_last_is_404(big, path):
    _, doc = get_html(big, path, status=404)
    assert has_search_form(doc)
    assert not doc.rel("next") and not doc.rel("prev")


@pytest.mark.parametrize("path,canonical", [("/page/01", "/"), ("/page/02", "/page/2"),
                                            ("/page/+2", "/page/2"), ("/tags/bulk/page/02", "/tags/bulk/page/2")])
def test_page_numbers_have_one_spelling(big, path, canonical):
    # the same list at a second address would be duplicate content: redirect or 404
    r = big.get(path)
    assert r.status_code in (301, 404), (path, r.status_code)
    if r.status_code == 301:
        assert path_of(big, r.headers["Location"]) == canonical


def test_single_page_site_has_no_page_2(site):
    get_html(site, "/page/2", status=404)


# --------------------------------------------------------------------------
# one article

def test_article_page_header(site):
    r, doc = get_html(site, "/articles/hello-world")
    assert doc.h1[0] == "Hello World"
    assert doc.title.startswith("Hello World")
    assert "One or two sentences." in doc.text_of("main")
    author_links = [l for l in doc.links if l["in_main"] and l["text"].strip() == "Jane Doe"]
    assert author_links, "author name is not a link"
    assert path_of(site, author_links[0]["href"]) == "/authors/jane-doe"
    published = [t for t in doc.times if t["datetime"] == "2025-02-04T10:00:00Z"]
    assert published, doc.times
    assert published[0]["text"].strip() == "4 February 2025"
    tag_paths = sorted(path_of(site, l["href"]) for l in doc.links
                       if l["in_main"] and "/tags/" in (l["href"] or ""))
    assert tag_paths == ["/tags/politics", "/tags/security"]
    tag_texts = sorted(l["text"].strip() for l in doc.links
                       if l["in_main"] and "/tags/" in (l["href"] or ""))
    assert tag_texts == ["politics", "security"]


def test_article_body_is_rendered_markdown(site):
    r, doc = get_html(site, "/articles/hello-world")
    body = r.text
    assert "<strong>bold words</strong>" in body
    assert "<em>emphasis</em>" in body
    assert re.search(r"<h2[^>]*>A heading</h2>", body)
    assert re.search(r"<li>one item</li>\s*<li>two items</li>", body)
    assert "<table>" in body and "<td>1</td>" in body
    assert "<del>struck</del>" in body
    assert '<a href="https://example.org/auto">https://example.org/auto</a>' in body
    assert any(l["href"] == "https://example.org/ok" and l["text"] == "fine" for l in doc.links)


def test_article_body_sanitizes_raw_html(site):
    """The author's raw HTML is kept through the allowlist: the script goes with
    its content (it is neither run nor shown), the unsafe link loses its href."""
    r, _ = get_html(site, "/articles/hello-world")
    assert "<script" not in without_jsonld(r.text).lower()
    assert 'alert("owned")' not in r.text and "alert(&quot;owned&quot;)" not in r.text
    assert '<a href="javascript' not in r.text.lower()
    assert "<a>raw</a>" in r.text


def test_article_body_drops_javascript_links(site):
    r, doc = get_html(site, "/articles/hello-world")
    for link in doc.links:
        href = re.sub(r"[\x00-\x20]", "", link["href"] or "").lower()
        assert not href.startswith("javascript:"), link
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", r.text, re.I)
    assert "click me" in doc.text_of("main")


@pytest.mark.parametrize("slug,minutes", [("w265", 1), ("w266", 2), ("w3", 1)])
def test_reading_time(site, slug, minutes):
    r, doc = get_html(site, f"/articles/{slug}")
    found = re.findall(r"(\d+) min read", doc.text_of("main"))
    assert found == [str(minutes)], found


def test_article_dates_read_in_their_zone(make_site):
    # a Jekyll date with a zone is shown and stamped in UTC
    s = make_site(files={
        "2018-09-19-zoned.md": '---\ntitle: Zoned\ndate: "2018-09-19 18:00:00 +0530"\n---\n\nText.\n',
    })
    _, doc = get_html(s, "/articles/zoned")
    assert [t["datetime"] for t in doc.times][:1] == ["2018-09-19T12:30:00Z"]
    assert doc.times[0]["text"].strip() == "19 September 2018"


def test_unknown_article_is_404(site):
    _, doc = get_html(site, "/articles/no-such-article", status=404)
    assert has_search_form(doc)


# --------------------------------------------------------------------------
# tags and authors

def test_tag_page(site):
    _, doc = get_html(site, "/tags/politics")
    # the draft and the scheduled article are tagged politics too, and absent
    assert doc.listed_slugs() == ["hello-world", "w3"]
    _, doc = get_html(site, "/tags/security")
    assert doc.listed_slugs() == ["hello-world"]


def test_tag_pagination(big):
    _, doc = get_html(big, "/tags/bulk")
    assert doc.listed_slugs() == fillers(25, 6)
    assert [path_of(big, h) for h in doc.rel("next")] == ["/tags/bulk/page/2"]
    _, doc = get_html(big, "/tags/bulk/page/2")
    assert doc.listed_slugs() == fillers(5, 1)
    assert [path_of(big, h) for h in doc.rel("prev")] == ["/tags/bulk"]
    assert doc.rel("next") == []
    get_html(big, "/tags/bulk/page/3", status=404)


def test_tag_page_one_redirects(big):
    r = big.get("/tags/bulk/page/1")
    assert r.status_code == 301
    assert path_of(big, r.headers["Location"]) == "/tags/bulk"


def test_unknown_tag_is_404(site):
    get_html(site, "/tags/no-such-tag", status=404)


def test_author_page(site):
    _, doc = get_html(site, "/authors/jane-doe")
    assert doc.listed_slugs() == ["hello-world"]
    assert "Jane Doe" in doc.h1[0]
    _, doc = get_html(site, "/authors/ali-ray")
    assert doc.listed_slugs() == ["w3", "w266", "w265", "rank-body", "rank-title"]


def test_author_pagination(big):
    _, doc = get_html(big, "/authors/bulk-writer")
    assert doc.listed_slugs() == fillers(45, 26)
    _, doc = get_html(big, "/authors/bulk-writer/page/2")
    assert doc.listed_slugs() == fillers(25, 6)
    _, doc = get_html(big, "/authors/bulk-writer/page/3")
    assert doc.listed_slugs() == fillers(5, 1)
    get_html(big, "/authors/bulk-writer/page/4", status=404)


def test_unknown_author_is_404(site):
    get_html(site, "/authors/nobody-at-all", status=404)


# --------------------------------------------------------------------------
# search

def result_count(doc):
    m = re.search(r"\b(\d+) results?\b", doc.text_of("main"))
    assert m, doc.text_of("main")
    return int(m.group(1))


def test_search_title_match_ranks_above_body_match(site):
    r, doc = get_html(site, "/search?q=zephyr")
    assert doc.listed_slugs() == ["rank-title", "rank-body"]
    assert result_count(doc) == 2
    assert re.search(r"\b2 results\b", doc.text_of("main"))
    assert re.search(r"<mark>zephyr</mark>", r.text, re.I)


def test_search_one_result(site):
    r, doc = get_html(site, "/search?q=harbour")
    assert doc.listed_slugs() == ["rank-body"]
    assert re.search(r"\b1 result\b", doc.text_of("main"))
    assert "<mark>harbour</mark>" in r.text


def test_search_query_is_kept_in_the_form(site):
    _, doc = get_html(site, "/search?q=zephyr")
    values = [i.get("value") for f in doc.forms for i in f["inputs"] if i.get("name") == "q"]
    assert "zephyr" in values


def test_search_no_match(site):
    _, doc = get_html(site, "/search?q=xylophonequartz")
    assert doc.listed_slugs() == []
    assert result_count(doc) == 0


def test_search_requires_all_words(site):
    _, doc = get_html(site, "/search?q=zephyr+harbour")
    assert doc.listed_slugs() == ["rank-body"]


@pytest.mark.parametrize("q", ['"unbalanced', 'zephyr"', "AND OR (", "NEAR(", "NEAR(zephyr",
                               "(", ")", "*", "-", "^", "title:zephyr", "zephyr AND",
                               "OR", "NOT zephyr", "{a b}", "a:b:c", "'", "\\", "%", "+++",
                               "é", "日本語", "zephyr" * 60])
def test_search_odd_queries_are_not_errors(site, q):
    r, doc = get_html(site, "/search?q=" + quote(q))
    assert has_search_form(doc)


def test_search_escapes_the_query(site):
    r, _ = get_html(site, "/search?q=" + quote('<b>zephyr</b>"'))
    assert "<b>zephyr</b>" not in r.text
    assert "&lt;b&gt;" in r.text


@pytest.mark.parametrize("path", ["/search", "/search?q=", "/search?q=+++"])
def test_empty_search_gives_the_search_page(site, path):
    _, doc = get_html(site, path)
    assert doc.listed_slugs() == []
    assert has_search_form(doc)
    assert not re.search(r"\b\d+ results?\b", doc.text_of("main"))


def test_search_never_finds_drafts_scheduled_or_pages(site):
    for word in ("draftmarker", "futuremarker", "aboutpagemarker", "contactpagemarker"):
        _, doc = get_html(site, "/search?q=" + word)
        assert doc.listed_slugs() == [], word
        assert result_count(doc) == 0, word


# --------------------------------------------------------------------------
# standalone pages

def test_standalone_pages_are_served_at_their_slug(site):
    r, doc = get_html(site, "/about")
    assert doc.h1[0] == "About us"
    assert "aboutpagemarker" in r.text
    r, doc = get_html(site, "/contact")
    assert doc.h1[0] == "Contact"
    assert "contactpagemarker" in r.text


def test_standalone_pages_are_in_the_navigation_by_weight(site):
    _, doc = get_html(site, "/articles/w3")
    nav = [path_of(site, l["href"]) for l in doc.links if l["in_nav"]]
    assert "/about" in nav and "/contact" in nav, nav
    assert nav.index("/about") < nav.index("/contact")
    texts = {path_of(site, l["href"]): l["text"].strip() for l in doc.links if l["in_nav"]}
    assert texts["/about"] == "About us"
    assert texts["/contact"] == "Contact"


def test_standalone_pages_are_never_listed(site):
    for path in ("/", "/authors/ali-ray", "/tags/politics"):
        _, doc = get_html(site, path)
        main_links = [path_of(site, l["href"]) for l in doc.links if l["in_main"]]
        assert "/about" not in main_links and "/contact" not in main_links, path
        assert "/articles/about" not in main_links and "/articles/contact" not in main_links


# --------------------------------------------------------------------------
# drafts and scheduled articles

@pytest.mark.parametrize("slug", ["secret-draft", "future-news"])
def test_drafts_and_scheduled_articles_are_not_served(site, slug):
    _, doc = get_html(site, f"/articles/{slug}", status=404)
    assert has_search_form(doc)


def test_drafts_and_scheduled_articles_are_not_listed(site):
    for path in ("/", "/tags/politics", "/authors/jane-doe"):
        r, doc = get_html(site, path)
        assert "secret-draft" not in r.text and "future-news" not in r.text, path
        assert "Secret draft" not in r.text and "Future news" not in r.text, path


def test_jekyll_published_false_and_drafts_folder(make_site):
    s = make_site(files={
        "2020-01-01-shown.md": "---\ntitle: Shown\n---\n\nVisible.\n",
        "2020-01-02-hidden.md": "---\ntitle: Hidden\npublished: false\n---\n\nNot visible.\n",
        "_drafts/unfinished.md": "---\ntitle: Unfinished\ndate: 2020-01-03\n---\n\nNot yet.\n",
    })
    _, doc = get_html(s, "/")
    assert doc.listed_slugs() == ["shown"]
    get_html(s, "/articles/hidden", status=404)
    get_html(s, "/articles/unfinished", status=404)


# --------------------------------------------------------------------------
# errors

@pytest.mark.parametrize("path", ["/no-such-page", "/articles/", "/articles/x/y", "/tags/x/y",
                                  "/nope/deeper/still", "/page/abc", "/authors/jane-doe/page/2"])
def test_unknown_addresses_get_a_real_404_page(site, path):
    r = site.get(path, allow_redirects=True)
    assert r.status_code == 404, (path, r.status_code)
    assert r.headers["Content-Type"] == HTML
    doc = Doc(r.text)
    assert has_search_form(doc)
    assert r.text.lstrip().lower().startswith("<!doctype html>")


# --------------------------------------------------------------------------
# site.yaml

def test_site_yaml_sets_title_description_and_contact(make_site):
    s = make_site(files={
        "site.yaml": "title: The Test Chronicle\ndescription: Notes from the test bench\n"
                     "contact_email: desk@chronicle.example\nlanguage: fr\n",
        "one.md": article("First story", slug="first-story"),
    })
    for path in ("/", "/articles/first-story", "/no-such-page"):
        r = s.get(path)
        doc = Doc(r.text)
        header = doc.text_of("header")
        assert "The Test Chronicle" in header, path
        assert "Notes from the test bench" in header, path
        footer = doc.text_of("footer")
        assert "The Test Chronicle" in footer, path
        assert "desk@chronicle.example" in footer, path
        assert any(l["in_footer"] and l["href"] == "mailto:desk@chronicle.example"
                   for l in doc.links), path
        assert re.search(r'<html[^>]*\blang="fr"', r.text), path
    _, doc = get_html(s, "/articles/first-story")
    assert "The Test Chronicle" in doc.title


def test_sample_site_on_a_new_database(sample):
    _, doc = get_html(sample, "/")
    assert "The Gazette" in doc.text_of("header")
    assert "editor@example.org" in doc.text_of("footer")
    assert len(doc.listed_slugs()) >= 1
    nav = [path_of(sample, l["href"]) for l in doc.links if l["in_nav"]]
    assert "/about" in nav
    get_html(sample, "/about")


# --------------------------------------------------------------------------
# canonical addresses

@pytest.mark.parametrize("path,canonical", [
    ("/articles/hello-world/", "/articles/hello-world"),
    ("/tags/politics/", "/tags/politics"),
    ("/authors/jane-doe/", "/authors/jane-doe"),
    ("/about/", "/about"),
    ("/search/?q=zephyr", "/search?q=zephyr"),
])
def test_trailing_slash_redirects_to_canonical(site, path, canonical):
    r = site.get(path)
    assert r.status_code == 301, (path, r.status_code)
    assert path_of(site, r.headers["Location"]) == canonical


def test_canonical_link(site):
    r, _ = get_html(site, "/articles/hello-world")
    m = re.search(r'<link rel="canonical" href="([^"]+)"', r.text)
    assert m and m.group(1) == site.url + "/articles/hello-world"


# --------------------------------------------------------------------------
# content type and HEAD on every route

HTML_ROUTES = [
    ("/", 200), ("/articles/hello-world", 200), ("/tags/politics", 200),
    ("/authors/jane-doe", 200), ("/search?q=zephyr", 200), ("/search", 200),
    ("/about", 200), ("/contact", 200), ("/no-such-page", 404), ("/articles/secret-draft", 404),
    ("/page/9", 404),
]


@pytest.mark.parametrize("path,status", HTML_ROUTES)
def test_html_content_type(site, path, status):
    get_html(site, path, status=status)


@pytest.mark.parametrize("path,status", HTML_ROUTES + [("/page/1", 301), ("/articles/w3/", 301)])
def test_head_matches_get(site, path, status):
    hdrs = {"Accept-Encoding": "identity"}
    g = site.get(path, headers=hdrs)
    h = site.request("HEAD", path, headers=hdrs)
    assert g.status_code == status
    assert h.status_code == status
    assert h.content == b""
    for name in ("Content-Type", "ETag", "Cache-Control", "Location", "Vary"):
        assert h.headers.get(name) == g.headers.get(name), name
    assert int(h.headers["Content-Length"]) == len(g.content)


# --------------------------------------------------------------------------
# the Jekyll corpus (conftest's jekyll server)

def test_jekyll_front_page_and_last_page(jekyll):
    _, doc = get_html(jekyll, "/")
    slugs = doc.listed_slugs()
    assert len(slugs) == 20
    assert slugs[0] == "jekyll-4-4-1-released"
    assert slugs[1] == "jekyll-4-4-0-released"
    _, doc = get_html(jekyll, "/page/6")           # 102 posts: 5 full pages and 2
    assert len(doc.listed_slugs()) == 2
    assert doc.listed_slugs()[-1] == "jekyll-1-0-0-released"
    get_html(jekyll, "/page/7", status=404)


def test_jekyll_article(jekyll):
    r, doc = get_html(jekyll, "/articles/jekyll-1-0-0-released")
    assert doc.h1[0] == "Jekyll 1.0.0 Released"
    assert [t["datetime"] for t in doc.times][:1] == ["2013-05-06T00:12:52Z"]
    assert doc.times[0]["text"].strip() == "6 May 2013"
    assert any(path_of(jekyll, l["href"]) == "/authors/parkr" for l in doc.links)
    assert any(path_of(jekyll, l["href"]) == "/tags/release" for l in doc.links)
    assert '<a href="https://twitter.com/BenBalter">@benbalter</a>' in r.text


def test_jekyll_tag_page_and_search(jekyll):
    _, doc = get_html(jekyll, "/tags/community")      # 7 .markdown and 2 .md posts
    assert len(doc.listed_slugs()) == 9
    _, doc = get_html(jekyll, "/search?q=sass")
    n = result_count(doc)
    assert 1 <= n
    assert len(doc.listed_slugs()) == min(n, 20)


# --------------------------------------------------------------------------
# every link a page shows leads somewhere

def crawl(server, start="/", limit=200, depth=99):
    """Follows every same-site link from start, `depth` links deep; returns
    {path: status}."""
    seen, todo, level = {}, [start], {start: 0}
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        r = server.get(path, allow_redirects=True)
        seen[path] = r.status_code
        if r.status_code != 200 or not r.headers.get("Content-Type", "").startswith("text/html"):
            continue
        if level[path] >= depth:
            continue
        for link in Doc(r.text).links:
            href = link["href"] or ""
            u = urlsplit(urljoin(server.url + path, href))
            if f"{u.scheme}://{u.netloc}" != server.url:
                continue
            p = u.path + ("?" + u.query if u.query else "")
            if p not in seen and p not in todo:
                todo.append(p)
                level[p] = level[path] + 1
    return seen


def test_every_link_on_the_site_works(site):
    seen = crawl(site)
    broken = {p: st for p, st in seen.items() if st != 200}
    assert broken == {}
    for p in ["/articles/hello-world", "/tags/security", "/authors/ali-ray", "/about", "/contact"]:
        assert p in seen, p


def test_every_link_on_the_jekyll_front_page_works(jekyll):
    # one level deep: the posts' own bodies link to the Jekyll docs, not here
    seen = crawl(jekyll, limit=100, depth=1)
    assert len(seen) > 20
    assert {p: st for p, st in seen.items() if st != 200} == {}


# --------------------------------------------------------------------------
# front matter is text, never markup

def test_front_matter_is_escaped(make_site):
    s = make_site(files={
        "x.md": "---\n"
                "title: '<img src=x onerror=alert(1)> & \"quoted\"'\n"
                "slug: evil\n"
                "summary: '<script>alert(2)</script>'\n"
                "author: 'Bob \"<b>\" Smith'\n"
                "tags: ['<i>tag</i>']\n"
                "date: 2025-01-01\n"
                "---\n\nBody.\n",
    })
    for path in ("/", "/articles/evil", "/search?q=body"):
        r, doc = get_html(s, path)
        low = without_jsonld(r.text).lower()
        assert "<img src=x" not in low, path
        assert "<script" not in low, path
        assert "<b>" not in low and "<i>tag</i>" not in low, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in r.text, path
    r, doc = get_html(s, "/articles/evil")
    assert doc.h1[0] == '<img src=x onerror=alert(1)> & "quoted"'
    # attribute values (meta description, title) stay inside their quotes
    assert not re.search(r'<meta name="description" content="[^"]*"[^>]*<script', r.text)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in r.text


def test_search_snippet_is_escaped(make_site):
    s = make_site(files={
        "x.md": article("Plain", slug="plain",
                        body="Before <b>quuxword</b> after & more text here."),
    })
    r, doc = get_html(s, "/search?q=quuxword")
    assert doc.listed_slugs() == ["plain"]
    main = r.text[r.text.index("<main"):]
    assert "<b>" not in main
    assert "<mark>quuxword</mark>" in main
    assert re.findall(r"<mark>(.*?)</mark>", main) == ["quuxword"]


def test_search_is_paginated(big):
    _, doc = get_html(big, "/search?q=filler")
    assert result_count(doc) == 45
    first = doc.listed_slugs()
    assert len(first) == 20
    nxt = doc.rel("next")
    assert len(nxt) == 1
    _, doc2 = get_html(big, path_of(big, nxt[0]))
    second = doc2.listed_slugs()
    assert len(second) == 20
    assert not set(first) & set(second)
    _, doc3 = get_html(big, path_of(big, doc2.rel("next")[0]))
    assert len(doc3.listed_slugs()) == 5
    assert doc3.rel("next") == []
    assert set(first) | set(second) | set(doc3.listed_slugs()) == set(fillers(45, 1))


def test_non_ascii_titles(make_site):
    s = make_site(files={
        "x.md": article("Café déjà vu – Ünïcödé", date="2025-01-02T00:00:00Z",
                        author="José Müller", tags="[Économie]", body="Crème brûlée."),
    })
    r, doc = get_html(s, "/")
    slugs = doc.listed_slugs()
    assert len(slugs) == 1
    r, doc = get_html(s, "/articles/" + slugs[0])
    assert doc.h1[0] == "Café déjà vu – Ünïcödé"
    assert "Crème brûlée." in r.text
    for link in doc.links:
        if link["in_main"] and ("/tags/" in link["href"] or "/authors/" in link["href"]):
            get_html(s, path_of(s, link["href"]))
    _, doc = get_html(s, "/search?q=" + quote("crème"))
    assert doc.listed_slugs() == slugs
