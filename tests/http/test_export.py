"""`gazette export`: the database back to Markdown files that import again.

The round trip is checked strictly: for every slug the articles row (kind,
title, summary, Markdown, dates, draft, weight, extra fields as stored, and
the HTML rendered from the Markdown), the authors and tags in order, and the
site settings are equal after `import` of the exported folder into a new
database; exporting that database again gives the same files byte for byte;
and the JSON API answers the same on both."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import (add_token, assert_no_sanitizer_report, backup_db, build_site, import_paths,
                      query, run_gazette, sample_db, write)

ARTICLE_COLUMNS = ("kind", "title", "summary", "body_md", "published_at", "updated_at", "draft",
                   "weight", "extra", "body_html", "body_text", "excerpt", "word_count")


def snapshot(db):
    """slug -> (the articles columns, author names in order, tag names in order)."""
    rows = query(db, f"SELECT id, slug, {', '.join(ARTICLE_COLUMNS)} FROM articles")
    out = {}
    for row in rows:
        authors = [n for (n,) in query(
            db, "SELECT a.name FROM article_authors aa JOIN authors a ON a.id = aa.author_id "
            "WHERE aa.article_id = ? ORDER BY aa.position", row[0])]
        tags = [n for (n,) in query(
            db, "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id "
            "WHERE at.article_id = ? ORDER BY at.position", row[0])]
        out[row[1]] = (dict(zip(ARTICLE_COLUMNS, row[2:])), authors, tags)
    return out


def settings(db):
    return dict(query(db, "SELECT key, value FROM settings WHERE key LIKE 'site.%'"))


def files(folder):
    """Every file under folder: relative name -> bytes."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def export(db, folder):
    r = run_gazette("export", "--db", db, folder)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 0, r.stderr
    return r


def round_trip(db, work):
    """export -> import -> export; checks all three promises; returns (folder, new db)."""
    first, again = work / "export1", work / "export2"
    r = export(db, first)
    before = snapshot(db)
    pages = sum(1 for row, _, _ in before.values() if row["kind"] == 1)
    assert r.stdout.startswith(f"exported {len(before) - pages} article"), r.stdout
    assert f" and {pages} page" in r.stdout and str(first) in r.stdout

    # One Markdown file per article; the site's files below static/.
    names = {n for n in files(first) if n != "site.yaml" and not n.startswith("static/")}
    assert len(names) == len(before)

    copy = work / "reimported.db"
    import_paths(copy, first)
    after = snapshot(copy)
    assert sorted(after) == sorted(before)
    for slug in before:
        assert after[slug] == before[slug], slug
    assert settings(copy) == settings(db)

    export(copy, again)
    assert files(again) == files(first)
    return first, copy


def api_answers(server, token):
    """Every list page and every article of the API, drafts and scheduled ones
    included (a read-drafts token, ?status=all), with the server's own URL
    taken out."""
    auth = {"Authorization": f"Bearer {token}"}
    answers, slugs, page = {}, [], 1
    while True:
        r = server.get(f"/api/v1/articles?limit=100&status=all&page={page}", headers=auth)
        assert r.status_code == 200, r.text
        answers[f"list {page}"] = json.loads(r.text.replace(server.url, "BASE"))
        slugs += [a["slug"] for a in r.json()["articles"]]
        if page >= r.json()["meta"]["pagination"]["pages"]:
            break
        page += 1
    for slug in slugs:
        r = server.get(f"/api/v1/articles/{slug}", headers=auth)
        assert r.status_code == 200, (slug, r.text)
        answers[slug] = json.loads(r.text.replace(server.url, "BASE"))
    for path in ("/api/v1/tags", "/api/v1/authors"):
        answers[path] = json.loads(server.get(path).text.replace(server.url, "BASE"))
    return answers


def assert_same_api(make_site, db_a, db_b):
    a = api_answers(make_site(db=db_a), add_token(db_a, "export-check", "read-drafts"))
    b = api_answers(make_site(db=db_b), add_token(db_b, "export-check", "read-drafts"))
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key] == b[key], key
    return a


def test_sample_site_round_trips(tmp_path, make_site):
    db = sample_db(tmp_path / "sample.db")
    folder, copy = round_trip(db, tmp_path)
    assert (folder / "site.yaml").is_file()
    assert "with the site settings" in export(db, tmp_path / "again").stdout
    # The files are what an author would write: delimiters, fields, then the body as stored.
    about = (folder / "about.md").read_text()
    assert about.startswith("---\ntitle: About\nslug: about\n")
    assert "\ntype: page\n" in about
    body = query(db, "SELECT body_md FROM articles WHERE slug = 'about'")[0][0]
    assert about.endswith("\n---\n" + body)
    answers = assert_same_api(make_site, db, copy)
    assert len(answers) > 3


def test_jekyll_corpus_round_trips(jekyll_db, tmp_path, make_site):
    # A private copy: the session's database stays untouched.
    db = backup_db(jekyll_db, tmp_path / "jekyll.db")
    assert len(snapshot(db)) >= 100
    _, copy = round_trip(db, tmp_path)
    answers = assert_same_api(make_site, db, copy)
    assert len(answers) > 100


# An adversarial site: every file imports; each one tests a way YAML could
# read back something else.
NASTY = {
    "quotes.md": """---
title: 'He said "stop": the #1 rule, isn''t it?'
summary: "Colons: here; a # hash, 'single' and \\"double\\" quotes, a trailing colon:"
author: "O'Brien: the elder"
date: 2025-01-02T03:04:05Z
tags: [politics, "open source", "a, b", "#hash", "x: y"]
---
Body with a line that looks like front matter:

---
title: not a field
---

...

and the end, no newline at the end""",
    "dashes.md": """---
title: "--- dashes ---"
slug: dashes
summary: "..."
date: 2025-01-03
---
---
The body starts with a delimiter line.
---
""",
    "yamlish.md": """---
title: "null"
summary: "~"
date: 2025-01-04 10:00:00 +0530
lastmod: 2025-01-05
plain_null_text: "null"
null_cap: "Null"
null_upper: "NULL"
tilde: "~"
empty: ""
yes_text: yes
true_text: "true"
version: 3.10
day: 2025-01-01
octal: 0o17
hexish: 0x1F
inf: .inf
star: "*not an alias"
amp: "&not an anchor"
bang: "!not a tag"
pct: "%not a directive"
at: "@at"
backtick: "`tick`"
pipe: "| not a block"
gt: "> not folded"
question: "? not a key"
dash_item: "- not a list"
brackets: "[not, a, list]"
braces: "{not: a map}"
hash_after_space: "a #comment"
colon_space: "a: b"
---
Plain body.
""",
    "tilde.md": """---
title: "~"
slug: tilde-title
date: 2025-01-06
---
A title that plain YAML would read as null.
""",
    "yes.md": """---
title: "yes"
summary: "3.10"
date: 2025-01-07
---
Body.
""",
    "spaces.md": """---
title: Spaces
date: 2025-01-08
padded: "  two spaces both sides  "
leading: " lead"
trailing: "trail "
tabbed: "a\\tb\\t"
crlf: "one\\r\\ntwo"
lone_cr: "one\\rtwo"
nel: "a\\Nb"
line_separator: "a\\Lb"
paragraph_separator: "a\\Pb"
bom: "\\ufeffbom"
control: "bell\\a"
newline_lead: "\\nlead"
newline_trail: "trail\\n"
newline_only: "\\n"
space_newline: "a \\n b"
blank_lines: "a\\n\\n\\nb"
delimiter_inside: "a\\n---\\nb"
dots_inside: "a\\n...\\nb"
dashes_start: "--- x"
dots_start: "... x"
---
Body.
""",
    "unicode.md": """---
title: Ünïcödé — 日本語 🎉 « guillemets »
summary: |
  A summary on
  two lines, with ünïcödé.

authors: [José Álvarez, 李雷, "Ali: Ray"]
author: Jane Doe
date: 2025-01-09T12:00:00+02:00
categories: Open Source, C Language
category: Ünïcödé Tag
---
Ünïcödé body: ☃ — “quotes”.
""",
    "nested.md": """---
title: Nested extra fields
date: 2025-01-10
meta:
  nested:
    - a
    - [b, c]
    - {d: e, f: ~, g: ""}
  empty_list: []
  empty_map: {}
  nothing: ~
  "key: with colon": value
  "null": key named null
  "~": key named tilde
list_of_maps:
  - name: one
    value: "1"
  - name: two
    value: ~
long_text: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.
plain_empty:
---
Body.
""",
    "draft.md": """---
title: A draft without a date
draft: true
tags: [wip]
---
Not ready.
""",
    "scheduled.md": """---
title: From the future
date: 2099-12-31T23:59:59Z
summary: Scheduled.
---
Later.
""",
    "about.md": """---
title: About us
type: page
weight: 3
summary: A page with a weight.
---
We are a page.
""",
    "negative.md": """---
title: Negative weight page
layout: page
weight: -2
---
Page via Jekyll's layout.
""",
    # Fields written under a second name because the first is taken by a null.
    "aliases.md": """---
title: Aliases
summary: ''
description: Not the summary
date: ~
publishDate: 2021-06-01T08:00:00Z
lastmod:
updated: 2021-06-02
tags: ~
categories: [cat one]
authors:
author: [Solo Author]
---
Body.
""",
    "published-false.md": """---
title: Unpublished
date: 2022-02-02
draft:
published: false
---
Jekyll's way of saying draft.
""",
    "typed-page.md": """---
title: Typed page
type: blog
layout: page
---
A page by layout, with a type of its own.
""",
    "empty-slug.md": """---
title: An empty slug field
slug:
date: 2022-03-03
---
The slug comes from the title, and again after export.
""",
    "dated-page.md": """---
title: A page whose slug looks like a date
slug: 2020-01-01-looks-dated
type: page
---
Its file must not be named like a Jekyll post.
""",
    "empty-body.md": """---
title: Empty body
date: 2022-04-04
---
""",
    "crlf.md": "---\r\ntitle: Windows\r\ndate: 2022-05-05\r\n---\r\nLine one\r\nLine two\r\n",
}


def test_adversarial_site_round_trips(tmp_path, make_site):
    db = build_site(tmp_path / "content", NASTY, tmp_path / "nasty.db")
    assert len(snapshot(db)) == len(NASTY)
    folder, copy = round_trip(db, tmp_path)
    names = set(files(folder))
    # Each file goes back where it was imported from, under its own name.
    assert names == set(NASTY), names ^ set(NASTY)
    assert "dashes.md" in names and "site.yaml" not in names
    dashes = (folder / "dashes.md").read_text()
    assert dashes.endswith("\n---\n---\nThe body starts with a delimiter line.\n---\n")
    # Strings plain YAML would read as null are quoted; YAML 1.1 look-alikes need not be.
    yamlish = (folder / "yamlish.md").read_text()
    assert "title: 'null'\n" in yamlish and "tilde: '~'\n" in yamlish and "empty: ''\n" in yamlish
    nested = (folder / "nested.md").read_text()
    assert "nothing: ~\n" in nested and "plain_empty: ~\n" in nested
    # The second names stand in where the first is a null the author wrote.
    aliases = (folder / "aliases.md").read_text()
    for line in ("summary: ''\n", "publishDate: 2021-06-01T08:00:00Z\n", "updated: 2021-06-02T00:00:00Z\n",
                 "categories: [cat one]\n", "author: [Solo Author]\n", "date: ~\n"):
        assert line in aliases, (line, aliases)
    assert "published: false\n" in (folder / "published-false.md").read_text()
    assert "layout: page\n" in (folder / "typed-page.md").read_text()
    empty_slug = (folder / "empty-slug.md").read_text()
    assert "slug: ~\n" in empty_slug and "slug: an" not in empty_slug
    answers = assert_same_api(make_site, db, copy)
    # The comparison covered what readers do not see.
    statuses = {a["article"]["status"] for k, a in answers.items()
                if isinstance(a, dict) and "article" in a}
    assert {"draft", "scheduled", "published"} <= statuses, statuses


def test_numbers_and_booleans_in_extra_keep_their_types(tmp_path):
    """Extra fields keep their types through an export and an import: a
    number or a boolean is written plain, text that would read as one is
    quoted."""
    db = build_site(tmp_path / "content", {"a.md": NASTY["scheduled.md"]}, tmp_path / "a.db")
    extras = [
        {"int": 3, "big": -9007199254740993, "real": 0.1, "yes": True, "no": False,
         "list": [1, 2.5, None, "x"], "map": {"k": True}},
        # Text that looks like a number or a boolean stays text.
        {"version": "3.10", "flag": "true", "zip": "007", "nothing": "null"},
    ]
    for i, extra in enumerate(extras):
        con = sqlite3.connect(db)
        con.execute("UPDATE articles SET extra = ?", (json.dumps(extra),))
        con.commit()
        con.close()
        folder = tmp_path / f"out{i}"
        export(db, folder)
        copy = tmp_path / f"copy{i}.db"
        import_paths(copy, folder)
        assert json.loads(query(copy, "SELECT extra FROM articles")[0][0]) == extra


def test_an_empty_slug_that_the_title_does_not_give_is_left_out(tmp_path):
    """`slug:` left empty in a Jekyll file named YYYY-MM-DD-NAME: the slug
    came from the file name, so the export writes it, and the empty field
    goes (with a notice): the one difference after the round trip."""
    db = build_site(tmp_path / "content", {
        "2020-01-02-from-the-name.md": "---\ntitle: Another title\nslug:\nkeep: me\n---\nBody.\n",
    }, tmp_path / "a.db")
    folder = tmp_path / "out"
    r = export(db, folder)
    assert "the empty field 'slug' is left out" in r.stderr
    text = (folder / "2020-01-02-from-the-name.md").read_text()
    assert "slug: from-the-name\n" in text and "slug: ~" not in text
    copy = tmp_path / "copy.db"
    import_paths(copy, folder)
    before, after = snapshot(db), snapshot(copy)
    assert json.loads(before["from-the-name"][0]["extra"]) == {"slug": None, "keep": "me"}
    assert json.loads(after["from-the-name"][0]["extra"]) == {"keep": "me"}
    before["from-the-name"][0]["extra"] = after["from-the-name"][0]["extra"]
    assert after == before


def test_non_empty_folder_is_refused(tmp_path):
    db = build_site(tmp_path / "content", {"a.md": NASTY["scheduled.md"]}, tmp_path / "a.db")
    out = tmp_path / "out"
    write(out / "notes.txt", "an author's file")
    r = run_gazette("export", "--db", db, out)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {out}: ") and "not empty" in r.stderr, r.stderr
    assert r.stdout == ""
    assert files(out) == {"notes.txt": b"an author's file"}
    # A hidden file counts too, and a file is not a folder.
    (out / "notes.txt").unlink()
    write(out / ".keep", "")
    assert run_gazette("export", "--db", db, out).returncode == 1
    assert files(out) == {".keep": b""}
    r = run_gazette("export", "--db", db, out / ".keep")
    assert r.returncode == 1 and f"gazette: {out / '.keep'}: " in r.stderr, r.stderr
    # An empty folder is fine.
    (out / ".keep").unlink()
    export(db, out)
    assert sorted(files(out)) == ["a.md"]


def test_missing_database_is_an_error(tmp_path):
    db, out = tmp_path / "missing.db", tmp_path / "out"
    r = run_gazette("export", "--db", db, out)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {db}: no such database"), r.stderr
    assert not db.exists() and not out.exists()


def test_bad_command_lines(tmp_path):
    for args in (["export"], ["export", "a", "b"], ["export", "--bogus", "x"]):
        r = run_gazette(*args)
        assert r.returncode == 2, args
        assert r.stderr.startswith("gazette: "), r.stderr
    r = run_gazette("export", "--help")
    assert r.returncode == 0 and "--db" in r.stdout and "DIR" in r.stdout
    assert "export" in run_gazette("--help").stdout


def test_missing_parent_folder_is_an_error(tmp_path):
    db = build_site(tmp_path / "content", {"a.md": NASTY["scheduled.md"]}, tmp_path / "a.db")
    out = tmp_path / "no" / "such" / "out"
    r = run_gazette("export", "--db", db, out)
    assert r.returncode == 1 and r.stderr.startswith(f"gazette: {out}: "), r.stderr
    assert not (tmp_path / "no").exists()


def test_failure_midway_leaves_nothing(tmp_path):
    """An article that cannot be written so that it imports back the same
    (here an extra field that would be read as its title, which only the
    write API could store) stops the export, which removes what it wrote."""
    files_in = {f"{n:02d}.md": f"---\ntitle: Story {n}\ndate: 2024-01-{n:02d}\n---\nBody {n}.\n"
                for n in range(1, 6)}
    db = build_site(tmp_path / "content", files_in, tmp_path / "a.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET extra = ? WHERE slug = 'story-2'",
                (json.dumps({"title": "Shadow"}),))
    con.commit()
    con.close()
    out = tmp_path / "out"
    r = run_gazette("export", "--db", db, out)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 1
    assert r.stderr.startswith(f"gazette: {out}/02.md: "), r.stderr
    assert "'title'" in r.stderr
    assert not out.exists()
    # Into a folder that was there: the folder stays, empty.
    out.mkdir()
    assert run_gazette("export", "--db", db, out).returncode == 1
    assert list(out.iterdir()) == []


def test_unsafe_slug_never_leaves_the_folder(tmp_path):
    db = build_site(tmp_path / "content", {"a.md": NASTY["scheduled.md"]}, tmp_path / "a.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET slug = '../escaped'")
    con.commit()
    con.close()
    out = tmp_path / "out"
    r = run_gazette("export", "--db", db, out)
    assert r.returncode == 1 and "cannot name a file" in r.stderr, r.stderr
    assert not (tmp_path / "escaped.md").exists() and not out.exists()


def test_file_names_from_slugs_never_clash(tmp_path):
    """Articles with no file of their own (the write API's) are named by
    their slug; two slugs that want one file name (a page whose slug looks
    like a Jekyll file name gets a leading '_', and "_" + that slug exists
    too) get two files, and both import back."""
    db = build_site(tmp_path / "content", {
        "a.md": "---\ntitle: A\nslug: 2020-01-01-clash\ntype: page\n---\nA page.\n",
        "b.md": "---\ntitle: B\nslug: _2020-01-01-clash\ntype: page\n---\nAnother.\n",
    }, tmp_path / "a.db")
    con = sqlite3.connect(db)
    con.execute("UPDATE articles SET path = ''")
    con.commit()
    con.close()
    out = tmp_path / "out"
    export(db, out)
    assert sorted(files(out)) == ["_2020-01-01-clash-2.md", "_2020-01-01-clash.md"]
    copy = tmp_path / "copy.db"
    import_paths(copy, out)
    assert sorted(snapshot(copy)) == sorted(snapshot(db)) == ["2020-01-01-clash",
                                                              "_2020-01-01-clash"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder_is_an_error(tmp_path):
    db = build_site(tmp_path / "content", {"a.md": NASTY["scheduled.md"]}, tmp_path / "a.db")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        r = run_gazette("export", "--db", db, out)
    finally:
        out.chmod(0o700)
    assert r.returncode == 1 and f"gazette: {out}/a.md: " in r.stderr, r.stderr
