"""Search snippets as readers see them: the words marked are those the index
matched (stems, prefixes, each word of a phrase, never an excluded one), in the
window of the text with the most different words, cut with an ellipsis.

Each case is an article of its own on one site; its title shares no word with
the query unless the case says so, so the snippet comes from the body."""

from urllib.parse import quote

import pytest

from conftest import article

LONG = " ".join(f"w{i}" for i in range(1, 61)).replace("w4 ", "alpha ", 1) \
    .replace("w31 ", "alpha ", 1).replace("w33 ", "omega ", 1)

# (slug, title, body, query, the snippet with its matches in [brackets])
CASES = [
    # Stems match as the index matches them.
    ("stem", "One", "The glacier melts slowly.", "glaciers", "The [glacier] melts slowly."),
    ("stems", "Two", "The glaciers melt slowly.", "melting glacier",
     "The [glaciers] [melt] slowly."),
    ("runs", "Three", "She runs, he ran, they run.", "Running", "She [runs], he ran, they [run]."),
    # Prefixes, phrases (each word), excluded words and case.
    ("prefix", "Four", "GLACIOLOGIST and glaciology", "glacio*",
     "[GLACIOLOGIST] and [glaciology]"),
    ("phrase", "Five", "Fast is slow to melt, not slow melt.", "\"slow melt\" -quick",
     "Fast is [slow] to [melt], not [slow] [melt]."),
    # No match in the text (the title matched): its first words.
    ("zebra", "Zebra", "One two three.", "zebra", "One two three."),
    # Long text: the window with the most different words, cut with ellipses.
    ("long", "Six", LONG, "alpha omega",
     "…w28 w29 w30 [alpha] w32 [omega] w34 w35 w36 w37 w38 w39 w40 w41 w42 w43 w44 w45 w46 "
     "w47 w48 w49 w50 w51…"),
    ("cafe", "Seven", "Un café crème.", "café", "Un [café] crème."),
]


@pytest.fixture(scope="module")
def site(make_module_site):
    return make_module_site(files={
        f"{slug}.md": article(title, date=f"2025-01-{i + 1:02d}", body=body, slug=slug)
        for i, (slug, title, body, _, _) in enumerate(CASES)})


@pytest.mark.parametrize("slug,title,body,q,want", CASES, ids=[c[0] for c in CASES])
def test_snippet(site, slug, title, body, q, want):
    r = site.get(f"/api/v1/articles?q={quote(q)}&fields=slug,snippet&limit=100")
    assert r.status_code == 200, r.text
    found = {a["slug"]: a["snippet"] for a in r.json()["articles"]}
    assert slug in found, (q, sorted(found))
    got = "".join(f"[{s['text']}]" if s["match"] else s["text"] for s in found[slug])
    assert got == want, q
