"""Search in Chinese and Japanese (issue 17 item 4): a word is found inside a
sentence, whatever its length, and the snippet marks its letters.

The index makes each CJK letter a token (src/store/fts_cjk.c, schema 5), so a
reader's word becomes a phrase of its letters: a substring search."""

import sqlite3
from urllib.parse import quote

import pytest

from conftest import article, backup_db, connect, query

ZH_ECONOMY = ("国家统计局周一公布的数据显示，今年第三季度国内生产总值同比增长百分之四点九，"
              "经济增长主要得益于消费回暖和出口改善。分析人士认为，地铁和高铁等基础设施投资"
              "仍是稳定经济的重要动力。")
ZH_CHIPS = ("苹果公司在发布会上推出了搭载新一代A18芯片的iPhone，芯片性能提升约百分之二十。"
            "业内预计，换机潮将在明年上半年到来。")
JA_CARS = ("日本銀行は金融政策決定会合で、短期金利を据え置くことを決めた。自動車メーカー各社は"
           "円安の追い風を受け、四半期の利益が過去最高となった。東京都内の販売店では")
JA_TECH = ("セキュリティ企業によると、新しいコンピューターウイルスが国内の病院を狙っている。"
           "専門家はソフトウェアの更新を呼びかけている。")
EN = "The council met in Tokyo to discuss interest rates and the economy of the region."

FILES = {
    "zh-economy.md": article("第三季度经济数据", date="2025-03-01", body=ZH_ECONOMY,
                             slug="zh-economy", lang="zh"),
    "zh-chips.md": article("新款手机发布", date="2025-03-02", body=ZH_CHIPS, slug="zh-chips",
                           lang="zh"),
    "ja-cars.md": article("日銀、金利据え置き", date="2025-03-03", body=JA_CARS, slug="ja-cars",
                          lang="ja"),
    "ja-tech.md": article("新たなウイルスに警戒", date="2025-03-04", body=JA_TECH, slug="ja-tech",
                          lang="ja"),
    "en.md": article("Council meets in Tokyo", date="2025-03-05", body=EN, slug="en-tokyo"),
}


@pytest.fixture(scope="module")
def cjk(make_module_site):
    return make_module_site(files=FILES)


def found(site, q):
    r = site.get(f"/api/v1/articles?q={quote(q)}&fields=slug,snippet&limit=100")
    assert r.status_code == 200, r.text
    return r.json()["articles"]


def slugs(site, q):
    return sorted(a["slug"] for a in found(site, q))


@pytest.mark.parametrize("q, want", [
    ("经济", ["zh-economy"]),                 # two letters inside a sentence
    ("增长", ["zh-economy"]),
    ("地铁", ["zh-economy"]),
    ("铁", ["zh-economy"]),                   # one letter (地铁 and 高铁)
    ("芯片", ["zh-chips"]),
    ("A18芯片", ["zh-chips"]),                 # Latin and CJK in one word
    ("iPhone 芯片", ["zh-chips"]),
    ("换机潮", ["zh-chips"]),                  # at the end of its run of letters
    ("潮", ["zh-chips"]),
    ("金融政策", ["ja-cars"]),                 # four letters
    ("自動車", ["ja-cars"]),
    ("東京都", ["ja-cars"]),
    ("コンピューター", ["ja-tech"]),           # katakana words run together
    ("ウイルス", ["ja-tech"]),
    ("经济 -地铁", []),                        # exclusion
    ("経済", []),                              # another letter (Japanese form): not found
    ("Tokyo", ["en-tokyo"]),                   # English keeps its stems...
    ("rate", ["en-tokyo"]),                    # ... "rates"
])
def test_cjk_words_are_found_inside_sentences(cjk, q, want):
    assert slugs(cjk, q) == want, q


def test_cjk_snippets_mark_the_letters(cjk):
    [a] = found(cjk, "经济")
    marked = [s["text"] for s in a["snippet"] if s["match"]]
    assert marked and all(m == "经济" for m in marked), a["snippet"]
    [a] = found(cjk, "コンピューター")
    assert [s["text"] for s in a["snippet"] if s["match"]] == ["コンピューター"]
    text = "".join(s["text"] for s in a["snippet"])
    assert "コンピューター" in text


def test_cjk_search_page(cjk):
    r = cjk.get("/search?q=" + quote("芯片"))
    assert r.status_code == 200
    assert "/articles/zh-chips" in r.text
    assert "<mark>芯片</mark>" in r.text


def test_the_index_uses_the_cjk_tokenizer(cjk):
    sql = query(cjk.db, "SELECT sql FROM sqlite_schema WHERE name = 'articles_fts'")[0][0]
    assert "gz_cjk" in sql
    # Another program reads and matches the index with the gz_cjk extension loaded.
    assert query(cjk.db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"芯片\"'") \
        == [(1,)]
    assert query(cjk.db, "PRAGMA user_version") == [(7,)]


def test_another_program_writes_the_index_with_the_extension(cjk, tmp_path):
    """build/gz_cjk (src/store/fts_cjk_ext.c) lets another program change the text
    (the triggers write articles_fts) and check the index; without it, it cannot."""
    db = backup_db(cjk.db, tmp_path / "copy.db")
    plain = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such tokenizer: gz_cjk"):
            plain.execute("UPDATE articles SET body_text = '晴天' WHERE slug = 'en-tokyo'")
    finally:
        plain.close()
    con = connect(db)
    try:
        con.execute("UPDATE articles SET body_text = '明天东京天气晴朗' WHERE slug = 'en-tokyo'")
        con.commit()
        got = con.execute("SELECT a.slug FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
                          " WHERE articles_fts MATCH '\"天气\"'").fetchall()
        assert got == [("en-tokyo",)]
        assert con.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'region'") \
            .fetchall() == [(0,)]  # the old text left the index
        con.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        con.close()


def test_cjk_search_page_as_json(cjk):
    """/search asked for as JSON (Accept) finds the same articles as the API."""
    r = cjk.get("/search?q=" + quote("自動車"), headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert [a["slug"] for a in r.json()["articles"]] == ["ja-cars"]
