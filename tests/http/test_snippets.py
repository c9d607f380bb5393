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

FILLER = " ".join("alpha" if i == 30 else f"w{i}" for i in range(1, 41))
ACCENTS = "…w27 w28 w29 [alpha] w31 w32 w33 w34 w35 w36 w37 w38 w39 w40"
DIGITS = ACCENTS
CJK = ACCENTS

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
    # Words with letters outside ASCII, and separators outside it, before the
    # window: the window's words are counted as the index counts them.
    ("accents", "Eight", "Le café—crème, «naïve» Émile s’en va. " + FILLER, "alpha", ACCENTS),
    ("digits", "Nine", "R2D2 x86_64 v1.2, it's 3rd. " + FILLER, "alpha", DIGITS),
    ("cjk", "Ten", "Intro 東京都 über. " + FILLER, "alpha", CJK),
    # Such words, then a long plain stretch, then again: the splitting goes
    # back and forth between plain ASCII and the rest.
    ("mixed", "Eleven", "Émile " + " ".join(f"pad{i}" for i in range(80)) + " s’en, «naïve»—東京 "
     + FILLER, "alpha", ACCENTS),
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


def _plain_article(rnd, depth, longest=13, letters=""):
    """ASCII text in which "zqmarker" is token number depth: words of letters
    and digits of every length, separated by runs of spaces and punctuation,
    so that words cross every place in an 8-byte block.  Long words (up to
    longest letters) take the window past where the server first reads the
    text; letters adds others to choose from."""
    words = []
    for _ in range(depth + 60):
        word = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                  + letters)
                       for _ in range(rnd.randint(1, longest)))
        words.append(word)
    words[0] = "Start"
    words[depth] = "zqmarker"
    seps = [rnd.choice([" ", "  ", ", ", "; ", " (", ") ", " / ", " = ", "! ", "? ", ": "])
            for _ in words]
    return "".join(w + s for w, s in zip(words, seps)).strip()


RND_TEXTS = [_plain_article(__import__("random").Random(seed), depth)
             for seed, depth in enumerate([3, 4, 9, 17, 40, 77, 150, 301, 555, 1023])] + [
    _plain_article(__import__("random").Random(seed), depth, longest)
    for seed, depth, longest in [(20, 300, 40), (21, 40, 200), (22, 700, 60)]] + [
    # Letters of two bytes in UTF-8: where the text is cut to be read in part.
    _plain_article(__import__("random").Random(30), 400, 40, "éøßñÅ" * 10)]


@pytest.fixture(scope="module")
def plain_site(make_module_site):
    return make_module_site(files={
        f"plain{i}.md": article(f"Plain {i}", date=f"2025-02-{i + 1:02d}", body=text,
                                slug=f"plain{i}")
        for i, text in enumerate(RND_TEXTS)})


@pytest.mark.parametrize("i", range(len(RND_TEXTS)))
def test_snippet_window_in_plain_text(plain_site, i):
    """The window's words are the text's own, counted as unicode61 counts
    them (runs of letters and digits): the three before the match, it, and
    those after, up to 24."""
    import re
    tokens = re.findall(r"[^\W_]+", RND_TEXTS[i])
    at = tokens.index("zqmarker")
    want = tokens[max(0, at - 3):max(0, at - 3) + 24]
    r = plain_site.get("/api/v1/articles?q=zqmarker&fields=slug,snippet&limit=100")
    assert r.status_code == 200, r.text
    found = {a["slug"]: a["snippet"] for a in r.json()["articles"]}
    got = "".join(s["text"] for s in found[f"plain{i}"])
    assert re.findall(r"[^\W_]+", got) == want
    assert [s["text"] for s in found[f"plain{i}"] if s["match"]] == ["zqmarker"]


def _crowded_text(rnd):
    """About 120 words, some 72 of them "wolf" (and 24 "wolves"), at
    random places: more than the 64 matches a snippet keeps."""
    words = []
    for _ in range(120):
        if rnd.random() < 0.8:
            words.append(rnd.choice(["wolf", "wolf", "Wolf", "wolves"]))
        else:
            words.append("".join(rnd.choice("aeioukrst") for _ in range(rnd.randint(1, 6))))
    return " ".join(words)


CROWD = [_crowded_text(__import__("random").Random(1000 + n)) for n in range(1100)]


def _snippets(site, q, pages):
    got = {}
    for page in range(1, pages + 1):
        r = site.get(f"/api/v1/articles?q={quote(q)}&fields=slug,snippet&limit=100&page={page}")
        assert r.status_code == 200, r.text
        for a in r.json()["articles"]:
            got[a["slug"]] = "".join(f"[{s['text']}]" if s["match"] else s["text"]
                                     for s in a["snippet"])
    return got


def test_snippets_of_a_word_in_most_articles(make_module_site):
    """A word in many articles has a list too large to keep where it
    stands in each (over 64 KB: 1,100 articles with 64 places each);
    FTS5 is asked where it stands in each result.  The snippets are the
    same as on a site of 100 of those articles, whose list keeps them."""
    def files(n):
        return {f"crowd{i}.md": article(f"Crowd {i}", date=f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                                        body=CROWD[i], slug=f"crowd{i}")
                for i in range(n)}
    small = _snippets(make_module_site(files=files(100)), "wolf", 1)
    crowded = _snippets(make_module_site(files=files(1100)), "wolf", 11)
    assert len(small) == 100 and len(crowded) == 1100
    assert all(s.count("[") >= 5 for s in small.values())
    for slug, want in small.items():
        assert crowded[slug] == want, slug


def test_the_lists_in_metrics(make_site):
    """/metrics shows the bytes of the search's word lists, kept once for
    every worker: none before a search, some after, whichever worker
    answers /metrics."""
    from conftest import metrics
    s = make_site(files={f"m{i}.md": article(f"Moraine {i}", body="A moraine of gravel.",
                                             slug=f"m{i}") for i in range(30)})
    assert metrics(s)["gazette_search_lists_bytes"] == 0
    assert s.get("/api/v1/articles?q=moraine").status_code == 200
    assert s.get("/api/v1/articles?q=gravel").status_code == 200
    for _ in range(4):  # on new connections: any worker
        assert metrics(s, source="127.0.0.1")["gazette_search_lists_bytes"] > 0
