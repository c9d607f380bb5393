"""`gazette import` and the CLI: real files in, the real database out.

Every failure case checks three things: exit status 1, the message as
`gazette: FILE:LINE: message`, and a database dump identical to before."""

import os
import re
import sqlite3
import subprocess

import pytest

from conftest import (JEKYLL, article, assert_no_sanitizer_report, build_site, command, dump,
                      foreign_db, query, run_gazette, write)


def articles(db):
    con = sqlite3.connect(db)
    try:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT slug, title, published_at, draft, kind FROM articles")}
    finally:
        con.close()


@pytest.fixture
def site(tmp_path):
    """A content folder with two good articles, imported into a database."""
    content, db = tmp_path / "content", tmp_path / "site.db"
    build_site(content, {
        "one.md": article("First story", tags="[politics, security]", author="Jane Doe"),
        "two.md": article("Second story", date="2025-02-05"),
    }, db)
    return content, db


def test_version_and_help():
    r = run_gazette("--version")
    assert r.returncode == 0 and re.match(r"gazette \d+\.\d+\.\d+\n", r.stdout)
    r = run_gazette("--help")
    assert r.returncode == 0 and "serve" in r.stdout and "import" in r.stdout
    r = run_gazette("import", "--help")
    assert r.returncode == 0 and "--db" in r.stdout and "GAZETTE_DB" in r.stdout
    r = run_gazette("serve", "--help")
    assert r.returncode == 0 and "--public-url" in r.stdout and "GAZETTE_LISTEN" in r.stdout


def test_bad_command_lines():
    for args in (["frobnicate"], ["import"], ["import", "--bogus", "x"], ["serve", "--threads", "0"],
                 ["serve", "extra"], []):
        r = run_gazette(*args)
        assert r.returncode != 0, args
        assert r.stderr.startswith("gazette: ") or r.stderr.startswith("usage:"), r.stderr


def test_import_reports_counts(site, tmp_path):
    content, db = site
    assert set(articles(db)) == {"first-story", "second-story"}
    assert query(db, "SELECT t.slug FROM tags t ORDER BY 1") == [("politics",), ("security",)]
    assert query(db, "SELECT slug, name FROM authors") == [("jane-doe", "Jane Doe")]


def test_unchanged_import_changes_nothing(site):
    content, db = site
    before = dump(db)
    r = run_gazette("import", "--db", db, content)
    assert r.returncode == 0, r.stderr
    assert "0 added, 0 updated, 2 unchanged" in r.stdout
    assert dump(db) == before


def test_changed_file_is_updated(site):
    content, db = site
    write(content / "two.md", article("Second story", date="2025-02-05", body="New zebras now.",
                                      tags="[economy]"))
    r = run_gazette("import", "--db", db, content)
    assert r.returncode == 0, r.stderr
    assert "0 added, 1 updated, 1 unchanged" in r.stdout
    body = query(db, "SELECT body_md FROM articles WHERE slug = 'second-story'")[0][0]
    assert "New zebras now." in body
    tags = query(db, "SELECT t.slug FROM tags t JOIN article_tags x ON x.tag_id = t.id "
                     "JOIN articles a ON a.id = x.article_id WHERE a.slug = 'second-story'")
    assert tags == [("economy",)]
    # The search index follows the update.
    hits = query(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'zebra'")
    assert len(hits) == 1


BAD_FILES = [
    # (file text, line, message pattern)
    ("---\ntitle: [unclosed\ndate: 2025-01-01\n---\nbody\n", 3, r"invalid YAML"),
    ("---\ndate: 2025-01-01\n---\nno title here\n", 1, r"no title"),
    ("---\ntitle: Dated badly\ndate: yesterday\n---\nbody\n", 3, r"cannot read 'yesterday' as a date"),
    ("---\ntitle: Bad month\ndate: 2025-13-01\n---\nbody\n", 3, r"as a date"),
    ("---\ntitle: No date\n---\nbody\n", 1, r"no date"),
    ("---\ntitle: Never closed\ndate: 2025-01-01\nbody\n", 1, r"not closed"),
    ("---\ntitle: Dup\ntitle: Again\ndate: 2025-01-01\n---\n", 3, r"duplicate field 'title'"),
    ("---\ntitle: Bad slug\nslug: a/b\ndate: 2025-01-01\n---\n", 3, r"slug 'a/b' cannot be used"),
    ("---\ntitle: Bad draft\ndate: 2025-01-01\ndraft: maybe\n---\n", 4, r"'draft' must be true or false"),
    ("---\ntitle:\n  nested: map\ndate: 2025-01-01\n---\n", 2, r"'title' must be text"),
    ("---\ntitle: Page\ntype: page\nslug: search\n---\n", 4, r"'search' is one of gazette's own addresses"),
]


@pytest.mark.parametrize("text,line,pattern", BAD_FILES)
def test_bad_file_aborts_and_changes_nothing(site, text, line, pattern):
    content, db = site
    before = dump(db)
    write(content / "three.md", article("Third story"))  # a good new file in the same import
    bad = write(content / "zz-bad.md", text)
    r = run_gazette("import", "--db", db, content)
    assert r.returncode == 1
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"gazette: {bad}:{line}: "), r.stderr
    assert re.search(pattern, first), first
    assert dump(db) == before


def test_bad_site_yaml_aborts(site):
    content, db = site
    before = dump(db)
    write(content / "site.yaml", "title: My site\nwords_per_minute: fast\n")
    r = run_gazette("import", "--db", db, content)
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {content / 'site.yaml'}:2: 'words_per_minute' must be"), r.stderr
    assert dump(db) == before


def test_missing_path_is_an_error(tmp_path):
    db = tmp_path / "x.db"
    r = run_gazette("import", "--db", db, tmp_path / "nope")
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {tmp_path / 'nope'}: No such file"), r.stderr


def test_foreign_database_is_refused(tmp_path):
    db = foreign_db(tmp_path / "other.db", "customers")
    before = dump(db)
    write(tmp_path / "c" / "a.md", article("A"))
    r = run_gazette("import", "--db", db, tmp_path / "c")
    assert r.returncode == 1
    assert "not a gazette database" in r.stderr
    assert dump(db) == before

    junk = write(tmp_path / "junk.db", "this is not sqlite at all, just text " * 100)
    r = run_gazette("import", "--db", junk, tmp_path / "c")
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {junk}: "), r.stderr


def test_jekyll_corpus_imports_without_error(tmp_path):
    db = tmp_path / "j.db"
    r = run_gazette("import", "--db", db, JEKYLL)
    assert r.returncode == 0, r.stderr
    # The posts alone, without the site's images and without its _config.yml
    # (so without the /news/YYYY/MM/DD/ permalinks): the two images they show
    # and the three links to other posts' /news/ addresses are named.
    assert sorted(r.stderr.splitlines()) == [
        f"gazette: {JEKYLL}/2014-06-04-jekyll-stickers-1-dollar-stickermule.markdown:8: "
        "warning: image '/img/jekyll-sticker.png' is not among the site's files",
        f"gazette: {JEKYLL}/2016-05-18-jekyll-3-1-4-released.markdown:16: "
        "warning: link '/news/2016/04/19/jekyll-3-0-4-released/' leads to no article of this site",
        f"gazette: {JEKYLL}/2016-05-18-jekyll-3-1-5-released.markdown:11: "
        "warning: link '/news/2016/05/18/jekyll-3-1-4-released/' leads to no article of this site",
        f"gazette: {JEKYLL}/2018-08-01-jekyll-sponsoring.markdown:56: "
        "warning: image '/img/forestry-logo.svg' is not among the site's files",
        f"gazette: {JEKYLL}/2019-08-04-jekyll-4-0-0-pre-beta1-released.markdown:14: "
        "warning: link '/news/2019/03/18/jekyll-4-0-0-pre-alpha1-released/' leads to no "
        "article of this site",
    ], r.stderr
    files = [p for p in JEKYLL.iterdir() if p.suffix in (".md", ".markdown")]
    assert "imported 102 articles" in r.stdout and len(files) == 102
    got = articles(db)
    assert len(got) == 102

    # Date and slug from the file name (no date: in the front matter).
    slug = "jekyll-turns-2-0-0"
    assert got[slug][0] == "Jekyll turns 2.0.0"
    assert got[slug][1] == 1399334400  # 2014-05-06T00:00:00Z

    # "2018-09-19 18:00:00 +0530" is 12:30 UTC; the slug comes from the file name.
    assert got["security-fixes-for-3-6-3-7-3-8"][1] == 1537360200
    # "2023-01-29 18:30:22 2023 -0800": a repeated year, read as Jekyll does.
    assert got["jekyll-3-9-3-released"][1] == 1675045822

    # `category: release` and `categories: [community]` both become tags.
    def tags_of(s):
        return [t for (t,) in query(db, "SELECT t.slug FROM tags t JOIN article_tags x ON "
                                        "x.tag_id = t.id JOIN articles a ON a.id = x.article_id "
                                        "WHERE a.slug = ?", s)]
    assert tags_of("jekyll-1-0-0-released") == ["release"]
    assert tags_of("diversity-open-source") == ["community"]
    # "DirtyF" and "dirtyf" are one author.
    assert query(db, "SELECT count(*) FROM authors WHERE slug = 'dirtyf'") == [(1,)]
    # Unknown fields are kept.
    extra = query(db, "SELECT extra FROM articles WHERE slug = 'jekyll-1-0-0-released'")[0][0]
    assert '"version"' in extra

    before = dump(db)
    r = run_gazette("import", "--db", db, JEKYLL)
    assert "0 added, 0 updated, 102 unchanged" in r.stdout
    assert dump(db) == before


def test_repeated_names_keep_both(tmp_path):
    """Two files whose titles give the same slug: both are kept, as their authors expect."""
    c = tmp_path / "c"
    write(c / "a.md", article("Weekly notes", date="2025-01-01"))
    write(c / "b.md", article("Weekly notes", date="2025-01-08"))
    db = tmp_path / "s.db"
    r = run_gazette("import", "--db", db, c)
    assert r.returncode == 0, r.stderr
    assert "gets the address 'weekly-notes-2'" in r.stderr
    assert set(articles(db)) == {"weekly-notes", "weekly-notes-2"}
    # Stable: importing again changes nothing, and importing one file alone
    # updates its own article instead of taking the other's.
    before = dump(db)
    r = run_gazette("import", "--db", db, c)
    assert "2 unchanged" in r.stdout and dump(db) == before
    write(c / "b.md", article("Weekly notes", date="2025-01-08", body="Changed."))
    r = run_gazette("import", "--db", db, c / "b.md")
    assert r.returncode == 0, r.stderr
    assert "1 updated" in r.stdout
    assert query(db, "SELECT body_md FROM articles WHERE slug = 'weekly-notes-2'")[0][0].strip() == "Changed."
    assert query(db, "SELECT body_md FROM articles WHERE slug = 'weekly-notes'")[0][0].strip() == "Some words here."


def test_same_given_slug_twice_is_an_error(tmp_path):
    c = tmp_path / "c"
    write(c / "a.md", article("One", slug="same"))
    b = write(c / "b.md", article("Two", slug="same"))
    db = tmp_path / "s.db"
    r = run_gazette("import", "--db", db, c)
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {b}:4: slug 'same' is also given by {c / 'a.md'}"), r.stderr
    assert not db.exists() or articles(db) == {}


def test_given_slug_upserts(tmp_path):
    c = tmp_path / "c"
    write(c / "a.md", article("Original title", slug="story"))
    db = tmp_path / "s.db"
    assert run_gazette("import", "--db", db, c).returncode == 0
    write(c / "a.md", article("New title", slug="story"))
    r = run_gazette("import", "--db", db, c)
    assert "1 updated" in r.stdout
    assert articles(db)["story"][0] == "New title"


def test_real_world_files(tmp_path):
    """Drafts folders, READMEs, CRLF, BOMs, odd names and the same file named twice."""
    c = tmp_path / "c"
    write(c / "README.md", "# My blog\n\nNotes for myself.\n")
    write(c / "_drafts" / "idea.md", "---\ntitle: An idea\n---\nNot ready.\n")
    write(c / "posts" / "2024-03-05-Spaces and CAPS.markdown", "---\ntitle: Odd name\n---\nx\n")
    (c / "crlf.md").write_bytes(b"\xef\xbb\xbf---\r\ntitle: Windows file\r\ndate: 2025-01-01\r\n---\r\nBody\r\n")
    write(c / ".hidden" / "secret.md", article("Hidden"))
    write(c / "unpublished.md", article("Not published", published="false"))
    db = tmp_path / "s.db"
    r = run_gazette("import", "--db", db, c, c / "crlf.md")
    assert r.returncode == 0, r.stderr
    assert "README.md: skipped: no front matter" in r.stderr
    got = articles(db)
    assert set(got) == {"an-idea", "spaces-and-caps", "windows-file", "not-published"}
    assert got["an-idea"][2] == 1  # a draft
    assert got["not-published"][2] == 1
    assert got["spaces-and-caps"][1] == 1709596800  # 2024-03-05 from the file name
    assert got["windows-file"][0] == "Windows file"


def test_first_import_replaces_the_sample_site(tmp_path, sample):
    s = sample
    assert s.get("/articles/what-is-gazette").status_code == 200
    write(tmp_path / "c" / "mine.md", article("My own story"))
    r = run_gazette("import", "--db", s.db, tmp_path / "c")
    assert r.returncode == 0, r.stderr
    assert "sample site was removed" in r.stdout
    assert s.get("/articles/what-is-gazette").status_code == 404
    assert s.get("/articles/my-own-story").status_code == 200
    assert s.get("/about").status_code == 404
    # The sample's settings went with it: no sample title or contact address.
    front = s.get("/").text
    assert "editor@example.org" not in front and "The Gazette" not in front


def test_moving_the_content_folder_does_not_duplicate(tmp_path):
    content = tmp_path / "content"
    write(content / "hello.md", article("Hello world"))
    write(content / "2025-01-02-jekyll-style.md", "---\ntitle: Jekyll style\n---\nx\n")
    db = tmp_path / "s.db"
    assert run_gazette("import", "--db", db, content).returncode == 0
    before = dump(db)
    moved = content.rename(tmp_path / "content-moved")
    r = run_gazette("import", "--db", db, moved)
    assert r.returncode == 0, r.stderr
    # An article is its slug, not where its file lay: the same content is unchanged.
    assert "0 added, 0 updated, 2 unchanged" in r.stdout
    assert set(articles(db)) == {"hello-world", "jekyll-style"}
    assert dump(db) == before


def test_a_failed_first_import_leaves_no_database(tmp_path):
    write(tmp_path / "c" / "bad.md", "---\ntitle: No date\n---\n")
    db = tmp_path / "new.db"
    r = run_gazette("import", "--db", db, tmp_path / "c")
    assert r.returncode == 1
    assert not db.exists()
    assert not (tmp_path / "new.db-wal").exists()
    assert not (tmp_path / "new.db-journal").exists()


def test_a_first_import_leaves_a_database_served_through_the_log(tmp_path):
    """The first import writes a new file through a rollback journal (once, not
    into the log and again at the checkpoint), then hands it back in WAL mode:
    so a later import runs while a reader holds its snapshot."""
    content, db = tmp_path / "c", tmp_path / "new.db"
    write(content / "one.md", article("First story"))
    r = run_gazette("import", "--db", db, content)
    assert r.returncode == 0, r.stderr
    assert query(db, "PRAGMA journal_mode") == [("wal",)]
    assert not (tmp_path / "new.db-journal").exists()
    reader = sqlite3.connect(db)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        write(content / "two.md", article("Second story", date="2025-02-05"))
        r = run_gazette("import", "--db", db, content)
        assert r.returncode == 0, r.stderr
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    finally:
        reader.close()
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


def test_invalid_environment_values_are_errors(tmp_path):
    import os
    for var, value in (("GAZETTE_THREADS", "abc"), ("GAZETTE_READ_ONLY", "maybe")):
        env = dict(os.environ, **{var: value})
        r = run_gazette("serve", "--db", tmp_path / "x.db", env=env)
        assert r.returncode == 2, (var, r.stderr)
        assert r.stderr.startswith("gazette: serve: "), r.stderr
        assert not (tmp_path / "x.db").exists()


def written(db):
    """What an import wrote, but for the moment it wrote it (modified_at)."""
    con = sqlite3.connect(db)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(articles)") if r[1] != "modified_at"]
        return {
            "articles": con.execute(f"SELECT {', '.join(cols)} FROM articles ORDER BY id").fetchall(),
            "redirects": con.execute("SELECT * FROM redirects ORDER BY path").fetchall(),
            "tags": con.execute("SELECT * FROM article_tags ORDER BY 1, 2").fetchall(),
            "files": con.execute("SELECT path FROM files ORDER BY path").fetchall(),
        }
    finally:
        con.close()


def messages(r, db):
    """An import's messages and summary, without the time it took and the database's name."""
    return re.sub(r" in [0-9.]+ s:", " in T s:", r.stderr + r.stdout).replace(str(db), "DB")


@pytest.mark.skipif((len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1) < 2,
                    reason="one CPU: the import never prepares articles on a second thread")
def test_a_second_core_changes_nothing_an_import_writes(tmp_path):
    """While import.c writes one article, ahead.c prepares the next ones on a second thread
    (read again, rendered, references rewritten); pinned to one CPU it does not start, and one
    thread does both.  Both must write the same rows with the same ids, the same old addresses,
    and say the same things in the same order: over real posts (links between them, images
    that are not there: warnings), over 300 made ones that each link to the one before by its
    old address and to a file of the site, and over a second import where some changed."""
    made, static = tmp_path / "made", tmp_path / "static"
    static.mkdir()
    (static / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    def day(i):
        return f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}"

    for i in range(300):
        before = f"[the one before](/{day(i - 1).replace('-', '/')}/post-{i - 1}.html)" if i else ""
        body = (f"Post {i} says {'something ' * (i % 40)}.\n\n{before} ![logo](/logo.png) "
                f"[nowhere](/2023/12/31/missing-{i}.html)\n")
        write(made / "_posts" / f"{day(i)}-post-{i}.md",
              article(f"Post {i}", date=day(i), body=body,
                      permalink=f"/{day(i).replace('-', '/')}/post-{i}.html"))
        if i % 50 == 7:  # no front matter: skipped, and said so in its place
            write(made / "_posts" / f"{day(i)}-post-{i}-notes.md", f"Notes on post {i}.\n")
    runs = {}
    for name, pin in (("two", []), ("one", ["taskset", "-c", "0"])):
        (tmp_path / name).mkdir()
        db = tmp_path / name / "site.db"  # the same name in both summaries
        first = subprocess.run(pin + command("import", "--db", db, "--static", static,
                                             JEKYLL, made),
                               capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stderr
        assert_no_sanitizer_report(first.stderr)
        runs[name] = [(written(db), messages(first, db))]
    for i in range(0, 300, 7):  # some changed, the rest current: both kinds go through
        p = next((made / "_posts").glob(f"*-post-{i}.md"))
        p.write_text(p.read_text().replace("says", "now says"))
    for name, pin in (("two", []), ("one", ["taskset", "-c", "0"])):
        db = tmp_path / name / "site.db"
        again = subprocess.run(pin + command("import", "--db", db,
                                             "--static", static, JEKYLL, made),
                               capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
        runs[name].append((written(db), messages(again, db)))
    assert "warning" in runs["two"][0][1] and "'/logo.png'" not in runs["two"][0][1]
    assert "post-5.html' leads" not in runs["two"][0][1] and "missing-5.html' leads" in runs["two"][0][1]
    assert "43 updated" in runs["two"][1][1], runs["two"][1][1]
    posts = [p for p in JEKYLL.iterdir() if p.suffix in (".md", ".markdown")]
    assert len(runs["two"][0][0]["articles"]) == 300 + len(posts)
    assert "post-57-notes.md: skipped" in runs["two"][0][1]
    for k in range(2):
        assert runs["two"][k][1] == runs["one"][k][1]
        for what in ("articles", "redirects", "tags", "files"):
            assert runs["two"][k][0][what] == runs["one"][k][0][what], what

    # Mistakes in many files: each is named, in the same order, and nothing is written.
    for i in range(3, 300, 37):
        p = next((made / "_posts").glob(f"*-post-{i}.md"))
        p.write_text(p.read_text().replace("title: ", "title: [", 1))
    said = {}
    for name, pin in (("two", []), ("one", ["taskset", "-c", "0"])):
        db = tmp_path / name / "site.db"
        before = written(db)
        bad = subprocess.run(pin + command("import", "--db", db, "--static", static, JEKYLL, made),
                             capture_output=True, text=True, timeout=600)
        assert bad.returncode == 1 and written(db) == before, bad.stderr
        said[name] = messages(bad, db)
    assert said["two"] == said["one"] and said["two"].count("post-") >= 8, said["two"]
