"""Sites and articles in other languages than English (issue 17, item 4):
<html lang> and dir from site.yaml's language and an article's lang, right
to left for Arabic, Hebrew, Persian and Urdu, dates in words in the page's
language (ICU's data), machine dates still RFC 3339, and reading times that
count Chinese, Japanese and Korean by the character."""

import json
import re

import pytest

from conftest import article
from languages import ARABIC, CHINESE, JAPANESE, expected_minutes

HTML_TAG = re.compile(r"<html lang=\"([^\"]*)\" dir=\"([^\"]*)\">")
TIME = re.compile(r'<time datetime="([^"]*)">([^<]*)</time>')
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def html_tag(page):
    m = HTML_TAG.search(page)
    assert m, page[:300]
    return m.groups()


def meta_line(page):
    """The byline of the first article on a page: date and reading time."""
    m = re.search(r'<p class="meta">(.*?)</p>', page, re.S)
    assert m, page[:2000]
    return m.group(1)


@pytest.fixture(scope="module")
def mixed(make_module_site):
    """An English site with an Arabic, a Japanese and a Chinese article."""
    return make_module_site(files={
        "site.yaml": "title: Field Notes\nlanguage: en\n",
        "ar.md": ARABIC, "ja.md": JAPANESE, "zh.md": CHINESE,
        "en.md": article("Notes from the road", date="2025-01-15T09:00:00Z",
                         body="A short English post.\n"),
    })


def slug_of(server, lang):
    doc = server.get("/api/v1/articles?limit=10").json()
    return next(a["slug"] for a in doc["articles"] if a["lang"] == lang)


def test_arabic_article_reads_right_to_left(mixed):
    slug = slug_of(mixed, "ar")
    page = mixed.get(f"/articles/{slug}").text
    assert html_tag(page) == ("ar", "rtl")
    # The site's own parts (English here) say so, in their direction.
    assert '<header class="site-header" lang="en" dir="ltr">' in page
    assert '<footer class="site-footer" lang="en" dir="ltr">' in page
    # The date for people in Arabic, with Arabic-Indic digits; for machines, RFC 3339.
    times = TIME.findall(page)
    assert ("2025-02-04T10:00:00Z", "٤ فبراير ٢٠٢٥") in times
    assert all(RFC3339.match(t) for t, _ in times)
    # Reading time in Arabic (ICU's unit names, Arabic plural rules).
    minutes = mixed.get(f"/api/v1/articles/{slug}").json()["article"]["reading_time_minutes"]
    assert minutes == 1  # about 250 words
    assert meta_line(page).endswith("· دقيقة")  # one minute: the word alone
    assert "min read" not in meta_line(page)
    # Search engines are told the article's language.
    ld = json.loads(JSONLD.search(page).group(1))
    assert ld["@graph"][0]["inLanguage"] == "ar"
    # Code stays left to right (the stylesheet's rule for pre and code).
    assert "sqlite3 site.db" in page


@pytest.mark.parametrize("lang,text", [("ja", JAPANESE), ("zh-Hans", CHINESE)])
def test_cjk_reading_time_counts_characters(mixed, lang, text):
    slug = slug_of(mixed, lang)
    a = mixed.get(f"/api/v1/articles/{slug}").json()["article"]
    chars, words, minutes = expected_minutes(text)
    assert chars > 600  # real-shaped: several paragraphs
    # Word counts split at the letters; the Markdown's few Latin words remain.
    assert abs(a["word_count"] - words) <= 3, (a["word_count"], words)
    assert a["reading_time_minutes"] == minutes
    # Counting words at spaces made the whole article a handful of words: 1 minute.
    assert a["reading_time_minutes"] >= 2


def test_cjk_article_page(mixed):
    slug = slug_of(mixed, "ja")
    page = mixed.get(f"/articles/{slug}").text
    assert html_tag(page) == ("ja", "ltr")
    assert ("2025-02-04T10:00:00Z", "2025年2月4日") in TIME.findall(page)
    assert re.search(r"· \d+ 分</p>", page), meta_line(page)
    slug = slug_of(mixed, "zh-Hans")
    page = mixed.get(f"/articles/{slug}").text
    assert html_tag(page) == ("zh-Hans", "ltr")
    assert ("2025-02-04T10:00:00Z", "2025年2月4日") in TIME.findall(page)
    assert re.search(r"· \d+分钟</p>", page), meta_line(page)


def test_lists_mark_each_article_in_its_language(mixed):
    page = mixed.get("/").text
    assert html_tag(page) == ("en", "ltr")
    assert '<header class="site-header">' in page  # the page is the site's language
    teasers = re.findall(r'<article class="teaser"([^>]*)>', page)
    assert ' lang="ar" dir="rtl"' in teasers
    assert ' lang="ja" dir="ltr"' in teasers
    assert ' lang="zh-Hans" dir="ltr"' in teasers
    assert "" in teasers  # the English one carries nothing
    # Each date in its article's language; English keeps "min read".
    times = [text for _, text in TIME.findall(page)]
    assert "٤ فبراير ٢٠٢٥" in times and "2025年2月4日" in times
    assert "15 January 2025" in times
    assert "1 min read" in page


# The long date of 2025-02-04 in each site language (ICU 72's CLDR data).
SITE_DATES = [
    ("en", "en", "ltr", "4 February 2025"),
    ("en-US", "en-US", "ltr", "February 4, 2025"),
    ("de", "de", "ltr", "4. Februar 2025"),
    ("fr", "fr", "ltr", "4 février 2025"),
    ("es", "es", "ltr", "4 de febrero de 2025"),
    ("pt", "pt", "ltr", "4 de fevereiro de 2025"),
    ("pt_BR", "pt-BR", "ltr", "4 de fevereiro de 2025"),  # a POSIX locale's spelling
    ("ja", "ja", "ltr", "2025年2月4日"),
    ("zh", "zh", "ltr", "2025年2月4日"),
    ("ko", "ko", "ltr", "2025년 2월 4일"),
    ("ar", "ar", "rtl", "٤ فبراير ٢٠٢٥"),
    ("he", "he", "rtl", "4 בפברואר 2025"),
    ("fa", "fa", "rtl", "۱۶ بهمن ۱۴۰۳"),  # the Solar Hijri calendar, Persian digits
    ("ur", "ur", "rtl", "4 فروری، 2025"),
    ("not a tag!", "en", "ltr", "4 February 2025"),
]


@pytest.fixture(scope="module")
def per_language(make_module_site):
    """One site per language of SITE_DATES, each with the same article."""
    sites = {}
    for given, _, _, _ in SITE_DATES:
        sites[given] = make_module_site(files={
            "site.yaml": f"title: Site\nlanguage: \"{given}\"\n",
            "a.md": article("A post", body="Words, and more words.\n"),
        })
    return sites


@pytest.mark.parametrize("given,tag,direction,date", SITE_DATES)
def test_site_language(per_language, given, tag, direction, date):
    s = per_language[given]
    for path in ("/", "/articles/a-post", "/search?q=words", "/tags", "/no-such-page"):
        r = s.get(path)
        assert html_tag(r.text) == (tag, direction), path
        # No article is in another language than its site: no attributes of their own.
        assert '<article class="teaser">' in r.text or "teaser" not in r.text
        assert '<header class="site-header">' in r.text
    page = s.get("/articles/a-post").text
    assert ("2025-02-04T10:00:00Z", date) in TIME.findall(page)
    home = s.get("/").text
    assert ("2025-02-04T10:00:00Z", date) in TIME.findall(home)
    # Feeds and the API keep machine dates, and say the language.
    feed = s.get("/feed.json").json()
    assert feed["language"] == tag
    assert feed["items"][0]["date_published"] == "2025-02-04T10:00:00Z"
    api = s.get("/api/v1/articles/a-post").json()["article"]
    assert api["published_at"] == "2025-02-04T10:00:00Z" and api["lang"] is None


def test_english_article_on_an_arabic_site(make_site):
    s = make_site(files={
        "site.yaml": "title: مدونة\nlanguage: ar\n",
        "a.md": ARABIC,
        "b.md": article("Release notes", date="2025-01-15T09:00:00Z", lang="en-GB",
                        body="English words here.\n"),
    })
    home = s.get("/").text
    assert html_tag(home) == ("ar", "rtl")
    assert ' lang="en-GB" dir="ltr"' in home
    page = s.get("/articles/release-notes").text
    assert html_tag(page) == ("en-GB", "ltr")
    assert '<header class="site-header" lang="ar" dir="rtl">' in page
    assert ("2025-01-15T09:00:00Z", "15 January 2025") in TIME.findall(page)
    assert "1 min read" in page


def test_invalid_article_language_is_the_sites(make_site):
    s = make_site(files={
        "site.yaml": "title: Site\nlanguage: de\n",
        "a.md": article("Ein Beitrag", lang="x-private", body="Wörter.\n"),
    })
    page = s.get("/articles/ein-beitrag").text
    assert html_tag(page) == ("de", "ltr")
    assert ("2025-02-04T10:00:00Z", "4. Februar 2025") in TIME.findall(page)
    assert "1 Minute" in meta_line(page)


def test_feeds_say_each_articles_language(mixed):
    feed = mixed.get("/feed.json").json()
    assert feed["language"] == "en"
    langs = {item["title"]: item.get("language") for item in feed["items"]}
    assert langs["Notes from the road"] is None
    assert sorted(v for v in langs.values() if v) == ["ar", "ja", "zh-Hans"]
    atom = mixed.get("/feed.xml").text
    assert atom.count('<entry xml:lang="') == 3 and atom.count("<entry>") == 1
    import xml.dom.minidom
    xml.dom.minidom.parseString(atom.encode())  # still well-formed
