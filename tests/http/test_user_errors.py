"""The errors a new user meets first: a database in a folder gazette may not
write, a folder with nothing to import, several bad files.  Each checks the
message, the exit status, and that nothing changed (no file made, none
left behind, the database as it was).

Runs as nobody where the tests run as root (root ignores file modes)."""

import os
import re
import subprocess

import pytest

from conftest import (article, as_nobody, assert_no_sanitizer_report, build_site, chown_tree,
                      command, dump, import_paths, run_gazette, stop_checked, wait_for, write)


def run_as_nobody(*args, env=None):
    r = subprocess.run(command(*args), capture_output=True, text=True, timeout=120, env=env,
                       preexec_fn=as_nobody())
    assert_no_sanitizer_report(r.stderr)
    return r


def import_fails(db, *paths):
    """`gazette import` that must fail: exit status 1, no sanitizer report."""
    r = run_gazette("import", "--db", db, *paths)
    assert_no_sanitizer_report(r.stderr)
    assert r.returncode == 1, (r.stdout, r.stderr)
    return r


def first_import_fails(db, *paths):
    """A first `gazette import` into db that must fail, and leave no database."""
    r = import_fails(db, *paths)
    assert not db.exists(), "a failed first import left a database"
    return r


def listing(folder):
    """What a folder holds: names, sizes and modes (nothing may appear or change)."""
    return sorted((p.name, p.stat().st_size, p.stat().st_mode) for p in folder.iterdir())


def locked(public_dir, files):
    """files imported into public_dir/site/site.db, from public_dir/content;
    all of it given to nobody, who may not write the folder site/."""
    (public_dir / "site").mkdir()
    db = build_site(public_dir / "content", files, public_dir / "site" / "site.db")
    chown_tree(public_dir)
    db.parent.chmod(0o555)
    return db


@pytest.fixture
def locked_site(public_dir):
    """A database with two articles in a folder nobody may not write."""
    db = locked(public_dir, {"one.md": article("Locked away", tags="[news]"),
                             "two.md": article("Still readable", date="2025-02-05")})
    return db, public_dir / "content"


def test_serve_in_a_folder_it_cannot_write_suggests_read_only(locked_site):
    db, _ = locked_site
    before = listing(db.parent)
    r = run_as_nobody("serve", "--db", db, "--listen", "127.0.0.1:0")
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"gazette: {db}: "), r.stderr
    assert f"its folder {db.parent} may not be written" in r.stderr, r.stderr
    assert "--read-only" in r.stderr, r.stderr
    assert listing(db.parent) == before


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_read_only_serves_a_database_in_a_folder_it_cannot_write(locked_site, make_site, how):
    """What the message suggests works: --read-only (or GAZETTE_READ_ONLY=1)."""
    db, _ = locked_site
    before = listing(db.parent)
    env = dict(os.environ, GAZETTE_READ_ONLY="1") if how == "environment" else None
    flags = ["--read-only"] if how == "flag" else []
    s = make_site(*flags, db=db, env=env, preexec_fn=as_nobody())
    assert s.get("/").status_code == 200
    page = s.get("/articles/locked-away")
    assert page.status_code == 200 and "Locked away" in page.text
    assert s.get("/api/v1/articles").json()["meta"]["pagination"]["total"] == 2
    assert s.get("/search?q=readable").status_code == 200
    assert s.get("/tags/news").status_code == 200
    assert s.get("/healthz").status_code == 200
    stop_checked(s)
    assert listing(db.parent) == before


def test_read_only_server_sees_a_new_copy_of_the_file(public_dir, make_site):
    """An immutable reader notices a replica copied over its file."""
    db = locked(public_dir, {"one.md": article("First edition")})
    s = make_site("--read-only", db=db, preexec_fn=as_nobody())
    assert s.get("/articles/second-edition").status_code == 404
    # A new copy made elsewhere and moved over the old one (root may write here).
    write(public_dir / "content" / "two.md", article("Second edition"))
    fresh = public_dir / "fresh.db"
    import_paths(fresh, public_dir / "content")
    os.chown(fresh, 65534, 65534)
    os.replace(fresh, db)
    wait_for(lambda: s.get("/articles/second-edition").status_code == 200, timeout=10,
             what="the new copy to be served")


@pytest.mark.parametrize("command", ["serve", "import"])
def test_new_database_in_a_folder_it_cannot_write(public_dir, command):
    folder = public_dir / "locked"
    folder.mkdir()
    write(public_dir / "content" / "a.md", article("An article"))
    chown_tree(public_dir)
    folder.chmod(0o555)
    db = folder / "new.db"
    args = ["--listen", "127.0.0.1:0"] if command == "serve" else [public_dir / "content"]
    r = run_as_nobody(command, "--db", db, *args)
    assert r.returncode == 1, r.stderr
    assert r.stderr == (f"gazette: {db}: cannot create the database: the folder {folder} "
                        f"may not be written by this user\n"), r.stderr
    assert listing(folder) == []


@pytest.mark.parametrize("command", ["serve", "import"])
def test_new_database_in_a_folder_that_does_not_exist(tmp_path, command):
    db = tmp_path / "no" / "such" / "new.db"
    write(tmp_path / "content" / "a.md", article("An article"))
    args = ["--listen", "127.0.0.1:0"] if command == "serve" else [tmp_path / "content"]
    r = run_gazette(command, "--db", db, *args)
    assert r.returncode == 1, r.stderr
    assert r.stderr == (f"gazette: {db}: cannot create the database: the folder "
                        f"{db.parent} does not exist\n"), r.stderr
    assert not (tmp_path / "no").exists()


def test_import_into_a_read_only_file_leaves_nothing_beside_it(public_dir):
    """The folder may be written, the file may not: no -wal or -shm appears."""
    content, folder = public_dir / "content", public_dir / "site"
    folder.mkdir()
    db = build_site(content, {"a.md": article("An article")}, folder / "site.db")
    for suffix in ("-wal", "-shm"):
        side = folder / f"site.db{suffix}"
        if side.exists():
            side.unlink()
    write(content / "b.md", article("Another article"))
    chown_tree(public_dir)
    db.chmod(0o444)
    before, listed = dump(db), listing(folder)
    r = run_as_nobody("import", "--db", db, content)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"gazette: {db}: cannot write the database: the file may not "
                               f"be written by this user; nothing was changed"), r.stderr
    assert listing(folder) == listed, "the failed import left files beside the database"
    assert dump(db) == before


def test_import_of_a_folder_without_markdown(tmp_path):
    empty = tmp_path / "photos"
    write(empty / "cat.jpg", "not really a cat")
    db = tmp_path / "new.db"
    r = first_import_fails(db, empty)
    assert r.stderr == (f"gazette: {empty}: no Markdown files in this folder (*.md, "
                        f"*.markdown); nothing was imported\n"), r.stderr
    assert r.stdout == ""
    # Into an existing database: the same, and it stays as it was.
    build_site(tmp_path / "c", {"a.md": article("Kept")}, db)
    before = dump(db)
    (tmp_path / "nothing").mkdir()
    r = import_fails(db, tmp_path / "nothing")
    assert "no Markdown files in this folder" in r.stderr, r.stderr
    assert dump(db) == before


def test_import_of_readmes_only(tmp_path):
    """Markdown without front matter is skipped; with nothing left it is an error."""
    docs = tmp_path / "docs"
    write(docs / "README.md", "# Read me\n\nNot an article.\n")
    r = first_import_fails(tmp_path / "new.db", docs)
    assert r.stderr.splitlines() == [
        f"gazette: {docs / 'README.md'}: skipped: no front matter, so not an article",
        f"gazette: {docs}: no article to import: 1 Markdown file without front matter was "
        f"skipped; nothing was imported"], r.stderr


def test_import_names_every_bad_file(tmp_path):
    content = tmp_path / "content"
    write(content / "a-good.md", article("Good one"))
    bad = {
        "b-yaml.md": ("---\ntitle: [unclosed\ndate: 2025-01-01\n---\nbody\n", 3, "invalid YAML"),
        "c-notitle.md": ("---\ndate: 2025-01-01\n---\nbody\n", 1, "no title"),
        "d-date.md": ("---\ntitle: When\ndate: someday\n---\nbody\n", 3, "as a date"),
    }
    for name, (text, _, _) in bad.items():
        write(content / name, text)
    write(content / "e-good.md", article("Good two"))
    db = build_site(tmp_path / "first", {"x.md": article("Already there")}, tmp_path / "site.db")
    before = dump(db)
    r = import_fails(db, content, tmp_path / "missing")
    lines = r.stderr.splitlines()
    assert lines[0] == f"gazette: {tmp_path / 'missing'}: No such file or directory", lines
    for (name, (_, line, pattern)), got in zip(sorted(bad.items()), lines[1:4]):
        assert got.startswith(f"gazette: {content / name}:{line}: ") and pattern in got, lines
    assert lines[4] == f"gazette: import: 4 mistakes; nothing was imported into {db}", lines
    assert len(lines) == 5, lines
    assert dump(db) == before


def test_import_stops_naming_after_twenty(tmp_path):
    content = tmp_path / "content"
    for i in range(25):
        write(content / f"bad-{i:02}.md", "---\ndate: 2025-01-01\n---\nno title\n")
    r = import_fails(tmp_path / "x.db", content)
    lines = r.stderr.splitlines()
    named = [line for line in lines if re.match(r"gazette: .*bad-\d\d\.md:1: no title", line)]
    assert len(named) == 20, lines
    assert lines[-2:] == ["gazette: ... and 5 more",
                          f"gazette: import: 25 mistakes; nothing was imported into "
                          f"{tmp_path / 'x.db'}"], lines


def test_two_files_giving_the_same_slug_are_both_named(tmp_path):
    content = tmp_path / "content"
    for name in ("a", "b", "c"):
        write(content / f"{name}.md", article(f"Story {name}", slug="same"))
    write(content / "d.md", article("Story d", slug="other"))
    write(content / "e.md", article("Story e", slug="other"))
    r = first_import_fails(tmp_path / "x.db", content)
    lines = r.stderr.splitlines()
    assert lines[:3] == [
        f"gazette: {content / 'b.md'}:4: slug 'same' is also given by {content / 'a.md'}",
        f"gazette: {content / 'c.md'}:4: slug 'same' is also given by {content / 'a.md'}",
        f"gazette: {content / 'e.md'}:4: slug 'other' is also given by {content / 'd.md'}",
    ], lines


def test_export_reads_a_database_it_may_not_write(locked_site, public_dir):
    db, _ = locked_site
    out = public_dir / "out"
    out.mkdir()
    chown_tree(out)
    before = listing(db.parent)
    r = run_as_nobody("export", "--db", db, out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["one.md", "two.md"]  # where they were imported from
    assert listing(db.parent) == before
