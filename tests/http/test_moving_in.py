"""Bringing a real blog over: what identifies an article, validators from the
content.  Real-shaped input: the Jekyll corpus (102 real posts) copied the
way a moved checkout or a CI workspace would hold it."""

import email.utils
import os
import shutil
from datetime import datetime, timezone

from conftest import BIN, JEKYLL, article, dump, import_paths, query, write


def count(db):
    return query(db, "SELECT count(*) FROM articles")[0][0]


def test_the_same_posts_from_another_folder_change_nothing(tmp_path):
    """A moved checkout: every post is unchanged, none is added twice."""
    first = tmp_path / "checkout" / "_posts"
    shutil.copytree(JEKYLL, first)
    db = tmp_path / "site.db"
    import_paths(db, first)
    n = count(db)
    assert n == 102
    before = dump(db)
    moved = tmp_path / "runner" / "workspace" / "blog" / "_posts"
    shutil.copytree(JEKYLL, moved)
    r = import_paths(db, moved)
    assert f"0 added, 0 updated, {n} unchanged" in r.stdout, r.stdout
    assert dump(db) == before


def test_an_edited_copy_from_elsewhere_updates_its_article(tmp_path):
    posts = tmp_path / "a" / "_posts"
    shutil.copytree(JEKYLL, posts)
    db = tmp_path / "site.db"
    import_paths(db, posts)
    name = "2016-06-03-update-on-jekyll-s-google-summer-of-code-projects.markdown"
    assert (posts / name).exists()
    slug = "update-on-jekyll-s-google-summer-of-code-projects"
    assert query(db, "SELECT count(*) FROM articles WHERE slug = ?", slug) == [(1,)]
    copy = tmp_path / "b" / name
    copy.parent.mkdir()
    copy.write_text((posts / name).read_text().replace("This year, Jekyll",
                                                        "This year, Jekyll (edited)"))
    r = import_paths(db, copy)
    assert "0 added, 1 updated, 0 unchanged" in r.stdout, r.stdout
    assert count(db) == 102
    body = query(db, "SELECT body_md FROM articles WHERE slug = ?", slug)[0][0]
    assert "This year, Jekyll (edited)" in body


def test_a_second_file_with_the_same_title_still_gets_its_own_address(tmp_path):
    c = tmp_path / "c"
    write(c / "a.md", article("Weekly notes", date="2025-01-01"))
    write(c / "b.md", article("Weekly notes", date="2025-01-08"))
    db = tmp_path / "s.db"
    r = import_paths(db, c)
    assert "gets the address 'weekly-notes-2'" in r.stderr
    # The same two files from a copy of the folder: unchanged, no third article.
    shutil.copytree(c, tmp_path / "copy")
    r = import_paths(db, tmp_path / "copy")
    assert "0 added, 0 updated, 2 unchanged" in r.stdout, r.stdout
    assert count(db) == 2


def http_time(value):
    return email.utils.parsedate_to_datetime(value)


def test_last_modified_comes_from_the_content(tmp_path, make_site):
    """An article from 2017 says 2017, not when the server started."""
    s = make_site(files={
        "old.md": article("An old story", date="2017-03-04T05:06:07Z"),
        "updated.md": article("An updated story", date="2017-03-04T05:06:07Z",
                              lastmod="2019-08-09T10:11:12Z"),
        "about.md": "---\ntitle: About\ntype: page\n---\nWho we are.\n",
    })
    r = s.get("/articles/an-old-story")
    assert r.status_code == 200
    # The page shows the article and the navigation (the About page, written now).
    page_time = http_time(r.headers["Last-Modified"])
    nav_time = datetime.fromtimestamp(
        query(s.db, "SELECT modified_at FROM articles WHERE slug = 'about'")[0][0], timezone.utc)
    assert page_time == nav_time
    # The API answer is the article alone: its own date.
    api = s.get("/api/v1/articles/an-old-story")
    assert http_time(api.headers["Last-Modified"]) == datetime(2017, 3, 4, 5, 6, 7,
                                                               tzinfo=timezone.utc)
    api = s.get("/api/v1/articles/an-updated-story")
    assert http_time(api.headers["Last-Modified"]) == datetime(2019, 8, 9, 10, 11, 12,
                                                               tzinfo=timezone.utc)
    # A conditional request with that date is answered 304.
    again = s.get("/api/v1/articles/an-updated-story",
                  headers={"If-Modified-Since": api.headers["Last-Modified"]})
    assert again.status_code == 304
    # Lists change with every import: the last one.
    changed = query(s.db, "SELECT value FROM settings WHERE key = 'gazette.changed_at'")[0][0]
    home = s.get("/")
    assert http_time(home.headers["Last-Modified"]) == datetime.fromtimestamp(int(changed),
                                                                              timezone.utc)
    # A built-in file changed when the program was made, not when it started.
    icon = s.get("/favicon.ico")
    built = datetime.fromtimestamp(int(os.stat(BIN).st_mtime), timezone.utc)
    assert http_time(icon.headers["Last-Modified"]) == built
