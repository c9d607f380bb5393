"""Real blogs moved in whole: a Hugo site (page bundles, static/, aliases, raw
HTML) and a Jekyll site (the corpus's 102 real posts with a _config.yml,
images, layouts).  Each is imported as its author would import it, then
crawled: every page, image, source, link and stylesheet inside the site
answers 200 (after one 301 at most), every old address answers 301 to the
right article, a copy of the folder changes nothing, and an export imports
back to the same articles and the same files, byte for byte."""

import hashlib
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import JEKYLL, Server, dump, import_paths, query, run_gazette, stop_checked
from realsites import HUGO_OLD_ADDRESSES, hugo_site, jekyll_site


class Refs(HTMLParser):
    """Every address a page refers to: a href, img src/srcset, source
    src/srcset, link href, audio/video src."""

    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        names = {"a": ["href"], "link": ["href"], "img": ["src", "srcset"],
                 "source": ["src", "srcset"], "audio": ["src"], "video": ["src", "poster"],
                 "iframe": ["src"]}.get(tag, [])
        for name in names:
            v = a.get(name)
            if not v:
                continue
            if name == "srcset":
                self.refs += [(tag, part.strip().split(" ")[0]) for part in v.split(",")]
            else:
                self.refs.append((tag, v))


def crawl(server, start="/"):
    """Every address inside the site reachable from start: {path: (status,
    content_type)}, each followed through one 301 at most; asserts that no
    address needs two."""
    seen, queue, broken = {}, [start], []
    base = server.url
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        r = server.get(path)
        hops = 0
        while r.status_code in (301, 302, 307, 308):
            hops += 1
            assert hops <= 1, f"{path}: more than one redirect"
            r = server.get(urljoin(base + path, r.headers["Location"]))
        seen[path] = (r.status_code, r.headers.get("Content-Type", ""))
        if r.status_code != 200:
            broken.append((path, r.status_code))
            continue
        if not r.headers.get("Content-Type", "").startswith("text/html"):
            continue
        p = Refs()
        p.feed(r.text)
        for tag, ref in p.refs:
            target = urljoin(base + path, ref)
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(base).netloc:
                continue
            if parts.path.startswith("/api/"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                queue.append(local)
    return seen, broken


def old_addresses(db):
    return query(db, "SELECT r.path, a.slug, a.kind FROM redirects r "
                     "JOIN articles a ON a.id = r.article_id ORDER BY r.path")


def check_old_addresses(server, db, expected=None):
    """Every old address answers 301 to its article's page."""
    rows = old_addresses(db)
    assert rows
    for path, slug, kind in rows:
        r = server.get(path)
        want = f"/articles/{slug}" if kind == 0 else f"/{slug}"
        assert r.status_code == 301, (path, r.status_code)
        assert unquote(urlsplit(r.headers["Location"]).path) == want, (path, r.headers["Location"])
    for path, want in (expected or {}).items():
        r = server.get(path)
        assert r.status_code == 301, (path, r.status_code)
        assert unquote(urlsplit(r.headers["Location"]).path) == unquote(want), \
            (path, r.headers["Location"])


def files_of(db):
    return query(db, "SELECT f.path, b.hash FROM files f JOIN blobs b ON b.id = f.blob_id "
                     "ORDER BY f.path")


def articles_of(db):
    return query(db, "SELECT slug, kind, title, summary, body_md, body_html, published_at, "
                     "updated_at, draft, extra, url, format, lang FROM articles ORDER BY slug")


def import_copy_again(tmp_path, db, root, where, *more):
    """Imports a copy of the site folder root, moved to tmp_path/where, into
    a copy of db (with the further paths more): the database must not change.
    Returns the import's run."""
    mine = tmp_path / "mine.db"
    shutil.copy(db, mine)
    before = dump(mine)
    copy = shutil.copytree(root, tmp_path / where)
    r = import_paths(mine, copy, *more)
    assert dump(mine) == before
    return r


def round_trip(tmp_path, db):
    """Exports db, imports the export into a new database: both hold the
    same articles, old addresses and files (compared byte for byte)."""
    out = tmp_path / "exported"
    r = run_gazette("export", "--db", db, out)
    assert r.returncode == 0, r.stderr
    again = tmp_path / "again.db"
    import_paths(again, out)
    assert articles_of(again) == articles_of(db)
    assert old_addresses(again) == old_addresses(db)
    assert files_of(again) == files_of(db)
    for path, digest in files_of(db):
        data = (out / "static" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, path
    return out


# ---- Hugo ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def hugo(tmp_path_factory):
    root = hugo_site(tmp_path_factory.mktemp("hugo") / "field-notes")
    settings = root.parent / "site.yaml"
    settings.write_text("title: Field Notes\niframe_hosts: [www.youtube-nocookie.com]\n")
    db = root.parent / "site.db"
    r = import_paths(db, root, settings)
    return root, db, r


def test_hugo_site_comes_in_whole(hugo):
    root, db, r = hugo
    assert "3 added" not in r.stdout
    assert "4 added" in r.stdout, r.stdout
    assert "warning" not in r.stderr, r.stderr
    kinds = dict(query(db, "SELECT slug, kind FROM articles"))
    assert kinds == {"the-first-frost-and-what-it-took": 0, "second-sowing": 0,
                     "a-bench-for-the-workshop": 0, "about-these-notes": 1}
    # The bundle's own files at their path below content/, static/ at the root;
    # the theme, the built site and the archetypes are not the site's files.
    paths = [p for p, _ in files_of(db)]
    assert "posts/first-frost/frost.png" in paths
    assert "posts/first-frost/frost-log.csv" in paths
    assert "images/allotment.png" in paths and "media/dawn-chorus.wav" in paths
    assert not [p for p in paths if p.startswith(("themes", "public", "archetypes", "static/"))]
    # Two people, as the byline says; the file's aliases are old addresses, not extra.
    authors = query(db, "SELECT p.name FROM article_authors x JOIN authors p "
                        "ON p.id = x.author_id JOIN articles a ON a.id = x.article_id "
                        "WHERE a.slug = 'the-first-frost-and-what-it-took' ORDER BY x.position")
    assert authors == [("Ruth Okafor",), ("Tom Brennan",)]
    extra = query(db, "SELECT extra FROM articles WHERE slug = "
                      "'the-first-frost-and-what-it-took'")[0][0]
    assert '"featured_image":"frost.png"' in extra.replace(" ", "")
    assert "aliases" not in extra


def test_hugo_site_crawls_clean(hugo, make_module_site):
    _, db, _ = hugo
    s = make_module_site(db=db)
    seen, broken = crawl(s)
    assert not broken, broken
    # The crawl reached the files, not only the pages.
    types = {t.split(";")[0] for _, t in seen.values()}
    assert {"image/png", "image/gif", "application/pdf", "text/csv"} <= types, types
    assert any(t.startswith("audio/") for t in types), types
    page = s.get("/articles/the-first-frost-and-what-it-took").text
    # The author's HTML is kept, safely: structure stays, the script and the
    # unknown iframe host go, the allowed video host stays.
    assert "<details>" in page and "<figcaption>" in page and '<div class="chart"' in page
    assert "document.write" not in page and "tracker.example.net" not in page
    assert 'src="https://www.youtube-nocookie.com/embed/' in page
    # Images carry their sizes from the files; the first one loads at once.
    imgs = re.findall(r"<img [^>]*>", page)
    assert 'width="96"' in imgs[0] and 'height="64"' in imgs[0] and "lazy" not in imgs[0]
    assert all('loading="lazy"' in i for i in imgs[1:]), imgs
    # Links between posts go straight to the article, with no redirect hop.
    assert re.search(r'href="[^"]*articles/second-sowing"', page), page
    bench = s.get("/articles/a-bench-for-the-workshop").text
    assert re.search(r'href="[^"]*the-first-frost-and-what-it-took"', bench), bench


def test_hugo_old_addresses_answer_301(hugo, make_module_site):
    _, db, _ = hugo
    s = make_module_site(db=db)
    check_old_addresses(s, db, HUGO_OLD_ADDRESSES)


def test_hugo_site_from_a_copied_folder_changes_nothing(hugo, tmp_path):
    root, db, _ = hugo
    settings = tmp_path / "site.yaml"
    shutil.copy(root.parent / "site.yaml", settings)
    r = import_copy_again(tmp_path, db, root, "elsewhere/field-notes", settings)
    assert "0 added, 0 updated, 4 unchanged" in r.stdout, r.stdout
    assert "0 new or changed" in r.stdout, r.stdout


def test_hugo_export_imports_back_the_same(hugo, tmp_path):
    _, db, _ = hugo
    out = round_trip(tmp_path, db)
    assert (out / "static" / "posts" / "first-frost" / "frost.png").is_file()


# ---- Jekyll -------------------------------------------------------------------

@pytest.fixture(scope="module")
def jekyll_blog(tmp_path_factory):
    root = jekyll_site(tmp_path_factory.mktemp("jekyll") / "jekyll-news", JEKYLL)
    db = root.parent / "site.db"
    r = import_paths(db, root)
    return root, db, r


def test_jekyll_site_comes_in_whole(jekyll_blog):
    root, db, r = jekyll_blog
    assert "104 added" in r.stdout, r.stdout  # 102 posts, ours, and the about page
    assert "warning" not in r.stderr, r.stderr
    paths = [p for p, _ in files_of(db)]
    assert paths == ["img/forestry-logo.svg", "img/jekyll-sticker.png", "img/logo.png",
                     "img/octojekyll.png"], paths
    assert "left out 1 page template" in r.stderr + r.stdout
    authors = query(db, "SELECT p.name FROM article_authors x JOIN authors p "
                        "ON p.id = x.author_id JOIN articles a ON a.id = x.article_id "
                        "WHERE a.slug = 'looking-back' ORDER BY x.position")
    assert authors == [("Frank Taillandier",), ("Ashwin Maroli",), ("Matt Rogers",)]


def test_jekyll_site_crawls_clean(jekyll_blog, make_module_site):
    _, db, _ = jekyll_blog
    s = make_module_site(db=db)
    seen, broken = crawl(s)
    # The corpus is the news section of jekyllrb.com: its posts also link to
    # the documentation and the other sections of that site, which are not
    # part of this blog.  Every other link and file answers.
    elsewhere = ("/docs/", "/tutorials/", "/help/", "/philosophy/", "/team/")
    assert not [b for b in broken if not b[0].startswith(elsewhere)], broken
    assert sum(1 for p in seen if p.startswith("/articles/")) >= 103
    page = s.get("/articles/looking-back").text
    # Old addresses and a relative path to the post's file became the article's address.
    for slug in ("jekyll-4-0-0-pre-beta1-released", "jekyll-4-0-0-released",
                 "jekyll-3-8-0-released"):
        assert re.search(rf'href="[^"]*articles/{slug}"', page), slug
    assert '<div class="note">' in page and 'width="100"' in page


def test_jekyll_old_addresses_answer_301(jekyll_blog, make_module_site):
    _, db, _ = jekyll_blog
    s = make_module_site(db=db)
    check_old_addresses(s, db, {
        # _config.yml's permalink, the redirect_from of a post, the page's .html.
        "/news/2019/08/04/jekyll-4-0-0-pre-beta1-released/":
            "/articles/jekyll-4-0-0-pre-beta1-released",
        "/news/2019/07/20/jekyll-4-0-0-pre-beta1-released/":
            "/articles/jekyll-4-0-0-pre-beta1-released",
        "/2019/08/04/jekyll-4-0-0-pre-beta1-released.html":
            "/articles/jekyll-4-0-0-pre-beta1-released",
        "/about.html": "/about-jekyll-news",
    })


def test_jekyll_site_from_a_copied_folder_changes_nothing(jekyll_blog, tmp_path):
    root, db, _ = jekyll_blog
    r = import_copy_again(tmp_path, db, root, "ci/workspace")
    assert "0 added, 0 updated, 104 unchanged" in r.stdout, r.stdout


def test_jekyll_export_imports_back_the_same(jekyll_blog, tmp_path):
    _, db, _ = jekyll_blog
    round_trip(tmp_path, db)


def test_served_site_after_round_trip_is_the_same(jekyll_blog, tmp_path):
    """The pages themselves, not only the rows: the exported and imported
    site serves the same HTML at the same addresses."""
    _, db, _ = jekyll_blog
    out = tmp_path / "out"
    assert run_gazette("export", "--db", db, out).returncode == 0
    again = tmp_path / "again.db"
    import_paths(again, out)
    a, b = Server(db), Server(again)
    try:
        for path in ("/articles/looking-back", "/about-jekyll-news",
                     "/articles/jekyll-4-0-0-released"):
            ra, rb = a.get(path), b.get(path)
            assert ra.status_code == rb.status_code == 200
            # Only the address each server was started at differs.
            def norm(t, url):
                return t.replace(url, "SITE").replace(url.replace("/", "\\/"), "SITE")
            assert norm(ra.text, a.url) == norm(rb.text, b.url), path
    finally:
        stop_checked(a)
        stop_checked(b)
