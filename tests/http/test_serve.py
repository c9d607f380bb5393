"""`gazette serve` as a process: start-up, themes, signals, bad configurations."""

import re
import signal
import subprocess

import pytest

from conftest import (BIN, Server, article, assert_no_sanitizer_report, dump, foreign_db,
                      run_gazette, write)


def test_sample_site_on_a_new_database(tmp_path, make_site):
    db = tmp_path / "new.db"
    s = make_site(db=db)
    assert db.exists()
    log = s.log_path.read_text()
    assert "created" in log and "sample site" in log
    assert re.search(r"listening on http://127\.0\.0\.1:\d+/", log)
    front = s.get("/")
    assert front.status_code == 200
    for slug in ("what-is-gazette", "writing-articles", "behind-nginx"):
        assert f"/articles/{slug}" in front.text
        assert s.get(f"/articles/{slug}").status_code == 200
    assert s.get("/about").status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly(tmp_path, sig):
    s = Server(tmp_path / "s.db")
    assert s.get("/").status_code == 200
    rc, log = s.stop(sig)
    assert rc == 0, log
    assert "stopped" in log
    assert_no_sanitizer_report(log)


def test_theme_overrides_templates_and_files(tmp_path, make_site):
    theme = tmp_path / "theme"
    write(theme / "templates" / "foot.html",
          "</main><footer><p>My own footer for {{site.title}}</p></footer></body></html>\n")
    write(theme / "css" / "site.css", "body { color: rebeccapurple; }\n")
    write(theme / "css" / "extra.css", "p { margin: 0; }\n")
    s = make_site("--theme", theme)
    page = s.get("/")
    assert page.status_code == 200
    assert "My own footer for The Gazette" in page.text
    assert "Served by" not in page.text  # the built-in footer is gone
    css = s.get("/static/css/site.css")
    assert css.text == "body { color: rebeccapurple; }\n"
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
    assert s.get(href).text == css.text
    assert s.get("/static/css/extra.css").status_code == 200
    # Everything the theme does not replace is still built in.
    assert s.get("/static/icons/favicon.svg").headers["Content-Type"] == "image/svg+xml"


def test_theme_links_out_of_the_folder_are_not_served(tmp_path, make_site):
    secret = write(tmp_path / "secret.txt", "do not serve me\n")
    theme = tmp_path / "theme"
    (theme / "css").mkdir(parents=True)
    (theme / "css" / "leak.css").symlink_to(secret)
    s = make_site("--theme", theme)
    r = s.get("/static/css/leak.css")
    assert r.status_code == 404
    assert "do not serve me" not in r.text


def test_broken_theme_is_refused_at_start(tmp_path):
    theme = tmp_path / "theme"
    write(theme / "templates" / "home.html", "{{> head}}\n\n{{#articles}}\n{{title}}\n{{> foot}}\n")
    r = subprocess.run([BIN, "serve", "--db", tmp_path / "s.db", "--listen", "127.0.0.1:0",
                        "--theme", theme], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert re.search(r"gazette: templates/home\.html:3: unclosed section 'articles'", r.stderr), r.stderr


@pytest.mark.parametrize("args,message", [
    (["--listen", "nonsense"], "--listen nonsense: expected HOST:PORT"),
    (["--listen", "127.0.0.1:99999"], "--listen 127.0.0.1:99999: expected HOST:PORT"),
    (["--public-url", "example.org"], "--public-url example.org: expected an absolute"),
    (["--threads", "x"], "--threads must be a whole number"),
])
def test_bad_flags(tmp_path, args, message):
    r = run_gazette("serve", "--db", tmp_path / "s.db", *args, timeout=30)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr


def test_port_in_use(tmp_path, sample):
    r = run_gazette("serve", "--db", tmp_path / "other.db", "--listen", f"127.0.0.1:{sample.port}",
                    timeout=30)
    assert r.returncode == 1
    assert "cannot listen on" in r.stderr and "in use" in r.stderr


def test_foreign_database_is_refused(tmp_path):
    db = foreign_db(tmp_path / "app.db")
    before = dump(db)
    r = run_gazette("serve", "--db", db, "--listen", "127.0.0.1:0", timeout=30)
    assert r.returncode == 1
    assert f"gazette: {db}: not a gazette database" in r.stderr
    assert dump(db) == before


def test_environment_sets_flags(make_site):
    import os
    env = dict(os.environ, GAZETTE_PUBLIC_URL="https://news.example.org/")
    s = make_site(env=env)
    page = s.get("/articles/what-is-gazette").text
    assert '<link rel="canonical" href="https://news.example.org/articles/what-is-gazette">' in page
    api = s.get("/api/v1/articles?limit=1").json()
    assert api["articles"][0]["url"].startswith("https://news.example.org/articles/")


def test_public_url_with_a_path(make_site):
    s = make_site("--public-url", "https://example.org/blog/")
    page = s.get("/").text
    assert 'href="/blog/static/css/site.' in page
    assert 'action="/blog/search"' in page
    assert 'href="/blog/articles/behind-nginx"' in page
    assert '<link rel="canonical" href="https://example.org/blog/">' in page
    assert 'href="/blog/authors/the-gazette-team"' in page
    assert s.get("/articles/behind-nginx/").headers["Location"] == "/blog/articles/behind-nginx"


def test_read_only_serves_an_existing_database(tmp_path, make_site):
    db = tmp_path / "ro.db"
    write(tmp_path / "c" / "a.md", article("Read only story"))
    assert run_gazette("import", "--db", db, tmp_path / "c").returncode == 0
    s = make_site("--read-only", db=db)
    assert s.get("/articles/read-only-story").status_code == 200
    missing = run_gazette("serve", "--read-only", "--db", tmp_path / "none.db", timeout=30)
    assert missing.returncode == 1 and "no such database" in missing.stderr
