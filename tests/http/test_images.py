"""Responsive images (issue 17, item 6): the images a site ships get copies
at a few widths and in WebP at import (libvips), kept in the database,
served at their original's hashed address + ".800w.webp" for a year, and
an article's <img> becomes a <picture> listing them.  The images are
photograph-like (tests/bench/make_image.c), 2000 pixels wide."""

import re
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, import_paths, query, run_gazette, write
from realsites import svg

MAKE_IMAGE = Path(BIN).resolve().parent / "tests" / "make-image"
WIDTHS = [480, 800, 1200, 1600]


def make_image(path, fmt, width, height, seed=1):
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(MAKE_IMAGE), fmt, str(width), str(height), str(seed), str(path)],
                   check=True, timeout=120)
    return path


def animated_gif(width, height, frames=3):
    """A GIF89a of several frames that loops (the NETSCAPE2.0 extension)."""
    from realsites import gif
    one = gif(width, height)
    head, frame = one[:13 + 768], one[13 + 768:-1]
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    control = b"\x21\xf9\x04\x04\x0a\x00\x00\x00"  # 0.1 s a frame
    return head + loop + (control + frame) * frames + b";"


def image_size(data):
    """(width, height) from a PNG's, JPEG's or WebP's header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = data[12:16]
        if kind == b"VP8 ":
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if kind == b"VP8L":
            b = int.from_bytes(data[21:25], "little")
            return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
        if kind == b"VP8X":
            return (int.from_bytes(data[24:27], "little") + 1,
                    int.from_bytes(data[27:30], "little") + 1)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i < len(data):
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + length
    raise AssertionError(f"not an image: {data[:16]!r}")


ARTICLE = """---
title: A walk along the coast
date: 2025-02-04T10:00:00Z
---

We left at dawn. The hill was the first thing we saw:

![The hill at dawn](../images/hill.jpg)

By noon the sea had turned a colour I had never seen.

![The sea at noon](/images/sea.png)

A small map, an animation of the tide, and the diagram of the route:

![Map](/images/map.png) ![Tide](/images/tide.gif) ![Route](/images/route.svg)
"""

PAGE = """---
title: About
type: page
---

![Our hill](images/hill.jpg)
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    d = tmp_path_factory.mktemp("images") / "content"
    make_image(d / "images" / "hill.jpg", "jpg", 2000, 1333, seed=1)
    make_image(d / "images" / "sea.png", "png", 2000, 1333, seed=2)
    make_image(d / "images" / "map.png", "png", 300, 200, seed=3)
    (d / "images" / "tide.gif").write_bytes(animated_gif(400, 300))
    (d / "images" / "route.svg").write_bytes(svg(1200, 800, "route"))
    write(d / "walk.md", ARTICLE)
    write(d / "about.md", PAGE)
    write(d / "site.yaml", "title: Coast\npublic_url: https://coast.example/blog\n")
    return d


@pytest.fixture(scope="module")
def site(content, make_module_site):
    db = content.parent / "site.db"
    started = time.monotonic()
    first = import_paths(db, content)
    took = time.monotonic() - started
    server = make_module_site(db=db)
    server.db, server.content, server.first_import = db, content, took
    server.first_stderr = first.stderr
    return server


def pictures(html):
    return re.findall(r"<picture>.*?</picture>", html, re.S)


def srcset(tag_html, tag):
    m = re.search(rf'<{tag}[^>]*? srcset="([^"]*)"', tag_html)
    return [c.strip().split(" ") for c in m.group(1).split(",")] if m else []


def test_article_images_become_pictures(site):
    html = site.get("/articles/a-walk-along-the-coast").text
    pics = pictures(html)
    assert len(pics) == 3  # the hill, the sea, the small map
    hill, sea, small = pics
    for pic, ext, name in ((hill, "jpg", "hill"), (sea, "png", "sea")):
        webp = srcset(pic, "source")
        assert [int(d[:-1]) for _, d in webp] == WIDTHS
        assert all(re.fullmatch(rf"\.\./images/{name}\.[0-9a-f]{{8}}\.{ext}\.\d+w\.webp", u)
                   for u, _ in webp)
        fallback = srcset(pic, "img")
        assert [d for _, d in fallback] == ["480w", "800w", "1200w", "1600w", "2000w"]
        assert fallback[-1][0] == re.search(r'<img src="([^"]*)"', pic).group(1)
        assert all(u.endswith(f".{ext}") for u, _ in fallback)
        assert 'type="image/webp"' in pic and 'sizes="' in pic
        assert 'width="2000" height="1333"' in pic  # no layout shift
    # Smaller than every width: WebP at its own size only.
    assert [d for _, d in srcset(small, "source")] == ["300w"]
    assert srcset(small, "img") == []
    # The first image loads at once (it is likely the largest paint), the rest lazily.
    assert 'loading="lazy"' not in hill and 'loading="lazy"' in sea
    # The animation and the SVG stay as they are.
    for name in ("tide", "route"):
        tag = re.search(rf'<img src="\.\./images/{name}\.[^>]*>', html).group(0)
        assert "srcset" not in tag
        assert f"<picture><source" not in html.split(tag)[0][-200:]


def test_copies_are_served_smaller_and_cached(site):
    html = site.get("/articles/a-walk-along-the-coast").text
    base = "/articles/"
    for pic in pictures(html):
        original_url = re.search(r'<img src="([^"]*)"', pic).group(1)
        original = site.get(base + original_url)
        assert original.status_code == 200
        for tag, want_type in (("source", "image/webp"), ("img", None)):
            for url, descriptor in srcset(pic, tag):
                if url == original_url:
                    continue
                r = site.get(base + url)
                assert r.status_code == 200, url
                assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
                assert r.headers["Content-Type"] == (want_type or original.headers["Content-Type"])
                assert r.headers.get("ETag")
                width, height = image_size(r.content)
                assert width == int(descriptor[:-1]), url
                ow, oh = image_size(original.content)
                assert abs(height - round(width * oh / ow)) <= 1
                assert len(r.content) < len(original.content), url
                # A 304 for the browser that has it.
                again = site.get(base + url, headers={"If-None-Match": r.headers["ETag"]})
                assert again.status_code == 304


def test_phone_sized_copy_is_a_fraction_of_the_original(site):
    html = site.get("/articles/a-walk-along-the-coast").text
    hill, sea = pictures(html)[:2]
    for pic in (hill, sea):
        original = site.get("/articles/" + re.search(r'<img src="([^"]*)"', pic).group(1))
        url800 = next(u for u, d in srcset(pic, "source") if d == "800w")
        copy = site.get("/articles/" + url800)
        # What a phone of 412 CSS pixels at 1.75 dppx downloads.
        assert len(copy.content) * 10 < len(original.content), (len(copy.content),
                                                                len(original.content))


def test_wrong_addresses_are_404(site):
    html = site.get("/articles/a-walk-along-the-coast").text
    url = srcset(pictures(html)[0], "source")[1][0][len("../"):]
    assert site.get("/" + url).status_code == 200
    for bad in (url.replace(".800w.", ".801w."), re.sub(r"\.[0-9a-f]{8}\.", ".00000000.", url),
                url.replace(".800w.webp", ".800w.png"), url.replace(".800w.", ".0800w.")):
        assert site.get("/" + bad).status_code == 404, bad
    # The animation has no copies.
    tide = re.search(r'<img src="\.\./(images/tide\.[^"]*)"', html).group(1)
    assert site.get("/" + tide).status_code == 200
    assert site.get("/" + tide + ".480w.webp").status_code == 404


def test_standalone_page_links_from_the_root(site):
    html = site.get("/about").text
    (pic,) = pictures(html)
    assert all(u.startswith("images/hill.") for u, _ in srcset(pic, "source"))
    for u, _ in srcset(pic, "source"):
        assert site.get("/" + u).status_code == 200


def test_feeds_carry_absolute_srcsets(site):
    atom = site.get("/feed.xml").text
    urls = re.findall(r"srcset=&quot;([^&]*)", atom) + re.findall(r'srcset="([^"]*)"', atom)
    assert urls
    for value in urls:
        for candidate in value.split(","):
            assert candidate.strip().startswith("https://coast.example/blog/images/"), candidate
    feed = site.get("/feed.json").json()
    body = next(i for i in feed["items"] if i["title"] == "A walk along the coast")["content_html"]
    assert 'srcset="https://coast.example/blog/images/hill.' in body


def test_copies_in_the_database(site):
    rows = query(site.db, "SELECT v.width, v.type FROM variants v JOIN files f "
                          "ON f.blob_id = v.blob_id WHERE f.path = 'images/hill.jpg' "
                          "ORDER BY v.width, v.type")
    assert rows == [(w, t) for w in WIDTHS for t in ("image/jpeg", "image/webp")]
    # Every image was looked at once, by this rule; the SVG and other files were not.
    made = query(site.db, "SELECT f.path FROM variants_made m JOIN files f "
                          "ON f.blob_id = m.blob_id ORDER BY f.path")
    assert made == [("images/hill.jpg",), ("images/map.png",), ("images/sea.png",),
                    ("images/tide.gif",)]


def test_reimport_costs_nothing(site, tmp_path):
    before = query(site.db, "SELECT count(*), sum(length(data)) FROM blobs")
    started = time.monotonic()
    r = run_gazette("import", "--db", site.db, site.content)
    took = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    assert query(site.db, "SELECT count(*), sum(length(data)) FROM blobs") == before
    # Scaling and encoding two 2000-pixel images took seconds; reading them again does not.
    assert took < site.first_import / 3, (took, site.first_import)


def test_changed_image_gets_new_copies_and_old_ones_go(tmp_path):
    d = tmp_path / "content"
    make_image(d / "images" / "a.png", "png", 1000, 600, seed=4)
    write(d / "post.md", "---\ntitle: Post\ndate: 2025-01-01\n---\n\n![A](/images/a.png)\n")
    db = tmp_path / "site.db"
    import_paths(db, d)
    first = query(db, "SELECT count(*) FROM variants")[0][0]
    assert first == 5  # 480 and 800 in PNG and WebP, and WebP at its own 1000
    assert query(db, "SELECT count(*) FROM variants WHERE type = 'image/webp'")[0][0] == 3
    make_image(d / "images" / "a.png", "png", 1000, 600, seed=5)
    import_paths(db, d)
    assert query(db, "SELECT count(*) FROM variants")[0][0] == first
    # One image, its copies: nothing left of the old bytes.
    assert query(db, "SELECT count(*) FROM variants_made")[0][0] == 1
    orphans = query(db, "SELECT count(*) FROM blobs WHERE id NOT IN (SELECT blob_id FROM files) "
                        "AND id NOT IN (SELECT variant_id FROM variants)")[0][0]
    assert orphans == 0


def test_damaged_image_is_a_warning_and_stays_an_img(tmp_path, make_site):
    d = tmp_path / "content"
    good = make_image(tmp_path / "whole.jpg", "jpg", 1200, 800).read_bytes()
    (d / "images").mkdir(parents=True)
    (d / "images" / "cut.jpg").write_bytes(good[:len(good) // 3])
    write(d / "post.md", "---\ntitle: Post\ndate: 2025-01-01\n---\n\n![Cut](/images/cut.jpg)\n")
    db = tmp_path / "site.db"
    r = import_paths(db, d)
    assert "images/cut.jpg: warning: no smaller copies of this image" in r.stderr
    s = make_site(db=db)
    html = s.get("/articles/post").text
    assert "<picture>" not in html and '<img src="../images/cut.' in html
