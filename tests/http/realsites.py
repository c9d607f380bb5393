"""Real-shaped sites for the tests of moving a blog in: a Hugo site with page
bundles, a static/ folder, aliases and the raw HTML authors write; a Jekyll
site made of the real posts of the Jekyll corpus with a _config.yml, images
beside them and posts that link to each other by their old addresses.

The binary files are made here, byte by byte, in the formats browsers and
libmagic read (PNG, GIF, SVG, WAV, PDF): small, but real files."""

import shutil
import struct
import wave
import zlib
from pathlib import Path


def png(width, height, rgb=(200, 80, 40)):
    """A real PNG of width x height pixels in one colour."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


def gif(width, height):
    """A real GIF89a in one colour: every pixel index 0, written as LZW codes
    of 9 bits after a clear code (minimum code size 8), with a clear code
    again before the table would grow, so that the width never changes."""
    head = (b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0)
            + bytes([0x20, 0x60, 0xA0]) + b"\xff" * (3 * 255)
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0))
    codes = []
    for i in range(width * height):
        if i % 250 == 0:
            codes.append(256)  # clear: the table never reaches 512 entries
        codes.append(0)
    codes.append(257)  # end of information
    bits = nbits = 0
    out = bytearray()
    for c in codes:
        bits |= c << nbits
        nbits += 9
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255])
                      for i in range(0, len(out), 255))
    return head + b"\x08" + blocks + b"\x00;"


def svg(width, height, label):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#c33"/>'
            f'<text x="10" y="30">{label}</text></svg>\n').encode()


def wav(path, seconds=1.0, rate=8000):
    """A real WAV file: a square wave, so that a browser can play it."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        period = rate // 440
        w.writeframes(bytes(200 if (i // (period // 2)) % 2 else 56
                            for i in range(int(rate * seconds))))


def pdf(title):
    """A one-page PDF that viewers open."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    text = f"BT /F1 18 Tf 20 70 Td ({title}) Tj ET".encode()
    objs[3] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1,
                                                                               xref)
    return bytes(out)


def put(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


# ---- a Hugo site ------------------------------------------------------------

HUGO_FILES = {
    "hugo.toml": """baseURL = 'https://notes.example.org/'
languageCode = 'en-gb'
title = 'Field Notes'
theme = 'ananke'

[params]
  description = 'Notes from the allotment and the workshop'
""",
    "content/_index.md": """---
title: Field Notes
---
""",
    "content/about.md": """---
title: About these notes
---

I keep an allotment on the edge of town and a small workshop behind the
house. These notes are what I would otherwise forget.

![The allotment in June](/images/allotment.png)

Write to me at [notes@example.org](mailto:notes@example.org), or read the
[planting plan](/downloads/planting-plan-2024.pdf) first.
""",
    "content/posts/_index.md": """---
title: Posts
---
""",
    "content/posts/first-frost/index.md": """---
title: "The first frost, and what it took"
date: 2023-11-14T07:30:00+00:00
lastmod: 2023-11-20T18:00:00+00:00
tags: ["garden", "weather"]
categories: ["allotment"]
author: "Ruth Okafor & Tom Brennan"
aliases:
  - /2023/11/first-frost.html
  - /posts/frost/
featured_image: frost.png
draft: false
---

The first frost came three weeks early this year. The dahlias went black
overnight; the leeks did not notice.

![Frost on the brassica netting](frost.png)

<figure class="wide">
  <img src="netting-detail.gif" alt="A close look at the netting" width="640">
  <figcaption>The netting held; the <abbr title="Brussels sprouts">sprouts</abbr> did too.</figcaption>
</figure>

Temperatures, as the shed's logger saw them:

<div class="chart" role="img" aria-label="Overnight temperature, 13-14 November">
  <span style="height:40%">4&deg;</span>
  <span style="height:10%">-2&deg;</span>
</div>

<details>
<summary>What I covered, and with what</summary>

- fleece over the salad bed
- cloches over the last lettuces
- straw around the celeriac

</details>

The whole log is in [the spreadsheet export](frost-log.csv), and last year's
notes are in [the second post](../second-sowing/) and in
[the post about the workshop](/workshop/a-bench/).

<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
 title="Time-lapse of the frost" allowfullscreen></iframe>

<iframe src="https://tracker.example.net/widget" width="300" height="200"></iframe>

<script>document.write("counter")</script>
""",
    "content/posts/first-frost/frost-log.csv": "time,celsius\n2023-11-13T22:00,4.1\n"
                                               "2023-11-14T05:00,-2.3\n",
    "content/posts/second-sowing.md": """---
title: Second sowing
date: 2023-04-02
tags: [garden]
slug: second-sowing
summary: Broad beans again, after the mice had the first lot.
---

The mice had the first sowing, so the broad beans went in again, this time
in root trainers in the cold frame.

<img src="/images/root-trainers.png" alt="Root trainers in the cold frame" width="320" height="120">

The frost is the other enemy: see [the first frost](/2023/11/first-frost.html).
A sound from the allotment at dawn:

<audio controls src="/media/dawn-chorus.wav">Your browser does not play audio.</audio>

| Row | Variety | Sown |
| --- | :-----: | ---: |
| 1 | Aquadulce | 2 April |
| 2 | The Sutton | 2 April |
""",
    "content/posts/workshop-bench.md": """---
title: "A bench for the workshop"
date: 2022-09-10T16:00:00+01:00
tags: [workshop, wood]
author: Tom Brennan
url: /workshop/a-bench/
---

Four legs, two stretchers, one top from an old door. The
[cutting list](/downloads/bench-cutting-list.pdf) fits on a page.

<picture>
  <source srcset="/images/bench-wide.png" media="(min-width: 800px)">
  <img src="/images/bench.png" alt="The finished bench">
</picture>

<kbd>Ctrl</kbd>+<kbd>Z</kbd> does not work on wood. H<sub>2</sub>O and
x<sup>2</sup> do.

Back to [the notes about the first frost](first-frost/index.md).
""",
}


def hugo_site(root):
    """Writes the Hugo site into root (its files, with real images, audio
    and PDFs); returns root."""
    root = Path(root)
    for name, text in HUGO_FILES.items():
        put(root / name, text)
    put(root / "content/posts/first-frost/frost.png", png(96, 64, (180, 200, 230)))
    put(root / "content/posts/first-frost/netting-detail.gif", gif(8, 6))
    put(root / "static/images/allotment.png", png(120, 80, (60, 140, 60)))
    put(root / "static/images/root-trainers.png", png(32, 12, (120, 90, 50)))
    put(root / "static/images/bench.png", png(40, 30, (150, 110, 70)))
    put(root / "static/images/bench-wide.png", png(80, 30, (150, 110, 70)))
    put(root / "static/images/logo.svg", svg(48, 48, "FN"))
    put(root / "static/downloads/planting-plan-2024.pdf", pdf("Planting plan 2024"))
    put(root / "static/downloads/bench-cutting-list.pdf", pdf("Cutting list"))
    put(root / "static/favicon.ico", png(16, 16))
    (root / "static/media").mkdir(parents=True, exist_ok=True)
    wav(root / "static/media/dawn-chorus.wav")
    # What a Hugo checkout also holds, which is no content.
    put(root / "themes/ananke/layouts/_default/single.html",
        "{{ define \"main\" }}{{ .Content }}{{ end }}\n")
    put(root / "public/index.html", "<!doctype html><title>built</title>\n")
    put(root / "archetypes/default.md", "---\ntitle: \"{{ .Name }}\"\ndraft: true\n---\n")
    return root


# The Hugo site's old addresses and the gazette address each must lead to.
HUGO_OLD_ADDRESSES = {
    "/posts/first-frost/": "/articles/the-first-frost-and-what-it-took",
    "/2023/11/first-frost.html": "/articles/the-first-frost-and-what-it-took",
    "/posts/frost/": "/articles/the-first-frost-and-what-it-took",
    "/posts/second-sowing/": "/articles/second-sowing",
    "/workshop/a-bench/": "/articles/a-bench-for-the-workshop",
    "/about/": "/about-these-notes",
}


# ---- a Jekyll site ----------------------------------------------------------

JEKYLL_CONFIG = """title: Jekyll News
description: What is new in Jekyll
url: https://jekyllrb.example.org
permalink: /news/:year/:month/:day/:title/
markdown: kramdown
plugins:
  - jekyll-redirect-from
exclude: [Gemfile, Gemfile.lock, vendor]
"""

JEKYLL_OWN_POSTS = {
    "_posts/2019-09-01-looking-back.md": """---
title: "Looking back at 4.0"
author: "Frank Taillandier, Ashwin Maroli and Matt Rogers"
categories: [community]
---

Three releases in one summer. The pre-releases are all still there:
[beta 1](/news/2019/08/04/jekyll-4-0-0-pre-beta1-released/),
[the first 4.0 announcement](../../../../2019/08/20/jekyll-4-0-0-released/)
and [an old link to beta 1](/news/2019/07/20/jekyll-4-0-0-pre-beta1-released/).

![The sticker, again](/img/jekyll-sticker.png)

<div class="note">
  <img src="../img/octojekyll.png" width="100" height="100" alt="Octojekyll">
  <p>Thank you, <abbr title="contributors">everyone</abbr>.</p>
</div>

The [release notes for 3.8](2018-03-15-jekyll-3-8-0-released.markdown) still apply.
""",
    "about.md": """---
title: About Jekyll News
layout: page
---

This is the news section of the Jekyll site. ![Logo](img/logo.png)
""",
}


def jekyll_site(root, corpus):
    """A Jekyll site in root: the corpus's posts in _posts, a _config.yml
    with a permalink, images in img/, layouts and includes (never published)
    and two posts of our own that link to the others; returns root."""
    root = Path(root)
    shutil.copytree(corpus, root / "_posts", ignore=shutil.ignore_patterns("LICENSE*"))
    put(root / "_config.yml", JEKYLL_CONFIG)
    for name, text in JEKYLL_OWN_POSTS.items():
        put(root / name, text)
    put(root / "img/jekyll-sticker.png", png(64, 64, (200, 0, 0)))
    put(root / "img/forestry-logo.svg", svg(120, 40, "Forestry"))
    put(root / "img/octojekyll.png", png(100, 100, (30, 30, 30)))
    put(root / "img/logo.png", png(24, 24, (200, 0, 0)))
    put(root / "_layouts/default.html", "<html>{{ content }}</html>\n")
    put(root / "_includes/footer.html", "<footer>{{ site.title }}</footer>\n")
    put(root / "feed.xml", "---\nlayout: null\n---\n<feed>{% for post in site.posts %}"
        "{% endfor %}</feed>\n")
    put(root / "Gemfile", "source 'https://rubygems.org'\ngem 'jekyll', '~> 4.0'\n")
    put(root / "_site/index.html", "<html>built</html>\n")
    return root
