#!/usr/bin/python3
"""cjk_search_measure.py: how five ways of indexing Chinese, Japanese and
Korean with SQLite's FTS5 answer readers' queries, and what they cost.

    /usr/bin/python3 tests/data/notes/cjk_search_measure.py [--big]
    /usr/bin/python3 tests/data/notes/cjk_search_measure.py --dump DIR

Uses the system's SQLite through python3's sqlite3 module (3.40.1 on
Debian 12) and ICU's word break iterator through ctypes (libicuuc.so.72).
The findings are in cjk-search.md beside this file.

The ways, each an FTS5 table (tokenizers other than unicode61 and trigram
are simulated by rewriting the text before unicode61 sees it, which gives
the same tokens at the same positions as a C tokenizer would):

  unicode61  what gazette has: 'porter unicode61 remove_diacritics 2'
  trigram    tokenize='trigram'; MATCH for 3+ characters, LIKE for fewer
  unigram    every Han, kana and Hangul letter a token of its own
  bigram     overlapping pairs of CJK letters (a lone letter stays one)
  icu        words as ICU's word break iterator (dictionary) splits them

Queries are what search_fts_query() makes of a reader's words: each word
quoted, all must match; a CJK word becomes a phrase of its tokens.

--big also indexes ~2 MB per language of real translated text (the
.mo catalogues of /usr/share/locale: zh_CN, ja, ko), in articles of about
1500 bytes, and reports index size, build time and query time.  --dump
writes those articles to DIR for cjk_search_bench.c, which measures the
real tokenizer (store/fts_cjk.c) the same way.
"""

import ctypes
import glob
import gettext
import sqlite3
import sys
import time

# ---- the documents: news-like paragraphs, written for this note -----------

DOCS = {
    "zh1": "国家统计局周三公布的数据显示，今年第一季度国内生产总值同比增长5.3%，"
           "高于市场预期。分析人士认为，消费和出口的回暖是经济增长的主要动力，"
           "但房地产市场仍然疲软。",
    "zh2": "北京市政府宣布，将在未来三年内新建十条地铁线路，总投资超过两千亿元。"
           "市交通委员会表示，新线路将重点连接城市副中心和大兴国际机场。",
    "zh3": "苹果公司在发布会上推出了新款iPhone 16，搭载自研的A18芯片。"
           "分析师预计，人工智能功能将推动新一轮换机潮。",
    "zh4": "中国女排在巴黎奥运会小组赛中以三比一战胜美国队，队长朱婷赛后表示，"
           "球队的目标是夺得金牌。",
    "zh5": "臺灣中央氣象署發布颱風警報，預計颱風將於明天清晨登陸東部沿海地區，"
           "經濟損失可能擴大。",
    "ja1": "日本銀行は19日の金融政策決定会合で、マイナス金利政策の解除を決めた。"
           "利上げは17年ぶりとなる。植田和男総裁は記者会見で、物価上昇の持続性に自信を示した。",
    "ja2": "東京都は、来年度から都内の公立小学校の給食費を無償化する方針を固めた。"
           "対象となる児童はおよそ60万人に上る。",
    "ja3": "京都市の観光客数が過去最高を記録した。市は混雑対策として、市バスの観光特急路線を新設する。",
    "ja4": "トヨタ自動車は新型の電気自動車を発表した。一回の充電で走行できる距離は600キロを超えるという。",
    "ja5": "コンピューターウイルスによる被害が拡大している。警察庁によると、"
           "今年上半期の被害額は過去最悪となった。",
    "ko1": "한국은행은 기준금리를 연 3.5%로 동결했다. 이창용 총재는 물가 상승률이 "
           "목표 수준으로 안정될 때까지 긴축 기조를 유지하겠다고 밝혔다.",
    "ko2": "서울시는 내년부터 대중교통 무제한 정기권을 도입한다고 발표했다. "
           "서울에서 지하철과 버스를 한 달 동안 자유롭게 이용할 수 있다.",
    "ko3": "삼성전자가 새로운 스마트폰 갤럭시를 공개했다. 인공지능 기능이 대폭 강화되었다.",
    "ko4": "부산국제영화제가 개막했다. 올해 영화제에는 70개국에서 200편이 넘는 영화가 초청되었다.",
    "en1": "The Bank of Japan (日本銀行) raised interest rates for the first time in 17 years, "
           "ending the era of negative rates in Tokyo.",
}

# A reader's query and the articles a reader expects (by hand, as a reader
# of the language would: 京都 is Kyoto, not the 京都 inside 東京都).
QUERIES = [
    # 1 character
    ("铁", {"zh2"}),
    ("金", {"zh4", "ja1"}),
    ("市", {"zh1", "zh2", "ja3"}),
    ("금", {"ko1"}),
    ("元", {"zh2"}),
    ("潮", {"zh3"}),
    # 2 characters
    ("经济", {"zh1"}),
    ("地铁", {"zh2"}),
    ("芯片", {"zh3"}),
    ("京都", {"ja3"}),
    ("金利", {"ja1"}),
    ("서울", {"ko2"}),
    ("금리", {"ko1"}),
    # 3 characters
    ("奥运会", {"zh4"}),
    ("自動車", {"ja4"}),
    ("영화제", {"ko4"}),
    ("東京都", {"ja2"}),
    ("經濟", {"zh5"}),
    # 4 characters and more
    ("人工智能", {"zh3"}),
    ("金融政策", {"ja1"}),
    ("한국은행", {"ko1"}),
    ("기준금리", {"ko1"}),
    ("コンピューター", {"ja5"}),
    ("ウイルス", {"ja5"}),
    # mixed Latin and CJK, and Latin alone
    ("iPhone 芯片", {"zh3"}),
    ("A18芯片", {"zh3"}),
    ("Japan 日本銀行", {"en1"}),
    ("rate", {"en1"}),
    ("Tokyo", {"en1"}),
]

# ---- which characters are CJK letters --------------------------------------
# The simulation's own approximation of lang_is_cjk_char() (base/lang.c,
# which asks ICU): the blocks of Han, kana and Hangul letters.
CJK_RANGES = [
    (0x1100, 0x11FF), (0x3005, 0x3007), (0x3041, 0x3096), (0x309D, 0x309F),
    (0x30A1, 0x30FA), (0x30FC, 0x30FF), (0x3131, 0x318E), (0x31F0, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7AF),
    (0xD7B0, 0xD7FF), (0xF900, 0xFAFF), (0xFF66, 0xFF9D), (0xFFA0, 0xFFDC),
    (0x20000, 0x3FFFF),
]


def is_cjk(ch):
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def runs(text):
    """Splits text into (is_cjk, string) runs."""
    out, cur, kind = [], "", None
    for ch in text:
        k = is_cjk(ch)
        if kind is not None and k != kind:
            out.append((kind, cur))
            cur = ""
        cur += ch
        kind = k
    if cur:
        out.append((kind, cur))
    return out


def unigrams(text):
    return "".join(" " + " ".join(s) + " " if k else s for k, s in runs(text))


def bigrams(text):
    parts = []
    for k, s in runs(text):
        if not k:
            parts.append(s)
        elif len(s) == 1:
            parts.append(" " + s + " ")
        else:
            parts.append(" " + " ".join(s[i:i + 2] for i in range(len(s) - 1)) + " ")
    return "".join(parts)


# ---- ICU's word break iterator, through ctypes ------------------------------

_icu = None


def icu():
    global _icu
    if _icu is None:
        lib = ctypes.CDLL("libicuuc.so.72")
        lib.ubrk_open_72.restype = ctypes.c_void_p
        lib.ubrk_open_72.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
                                     ctypes.c_int32, ctypes.POINTER(ctypes.c_int)]
        lib.ubrk_next_72.argtypes = [ctypes.c_void_p]
        lib.ubrk_getRuleStatus_72.argtypes = [ctypes.c_void_p]
        lib.ubrk_close_72.argtypes = [ctypes.c_void_p]
        _icu = lib
    return _icu


def icu_words(text):
    """The words of text as ICU's dictionary-based word break finds them, space-separated."""
    lib = icu()
    u16 = text.encode("utf-16-le")
    n = len(u16) // 2
    buf = ctypes.create_string_buffer(u16, len(u16) + 2)
    st = ctypes.c_int(0)
    bi = lib.ubrk_open_72(1, b"zh", buf, n, ctypes.byref(st))  # UBRK_WORD
    if st.value > 0:
        raise RuntimeError("ubrk_open: %d" % st.value)
    words, prev = [], 0
    while True:
        pos = lib.ubrk_next_72(bi)
        if pos == -1:
            break
        if lib.ubrk_getRuleStatus_72(bi) >= 100:  # a word, not spaces or punctuation
            words.append(u16[prev * 2:pos * 2].decode("utf-16-le"))
        prev = pos
    lib.ubrk_close_72(bi)
    return " ".join(words)


# ---- the ways ---------------------------------------------------------------

PORTER = "porter unicode61 remove_diacritics 2"
WAYS = {
    # name: (tokenize, rewrite of text and query)
    "unicode61": (PORTER, lambda s: s),
    "trigram": ("trigram", lambda s: s),
    "unigram": (PORTER, unigrams),
    "bigram": (PORTER, bigrams),
    "icu": (PORTER, icu_words),
}


def fts_query(way, q):
    """search_fts_query()'s form: every word quoted, all must match."""
    rewrite = WAYS[way][1]
    parts = []
    for word in q.split():
        w = rewrite(word).strip()
        if way == "bigram" and len(word) == 1 and is_cjk(word):
            parts.append('"%s"*' % w)  # a letter starts a pair; at a run's end it is lost
        else:
            parts.append('"%s"' % w.replace('"', '""'))
    return " ".join(parts)


def make(db, way, table, docs, content=True):
    tok, rewrite = WAYS[way]
    opts = "" if content else ", content=''"
    db.execute("CREATE VIRTUAL TABLE %s USING fts5(body, tokenize=%s%s)"
               % (table, "'" + tok + "'", opts))
    db.executemany("INSERT INTO %s (rowid, body) VALUES (?, ?)" % table,
                   [(i, rewrite(t)) for i, t in docs])


def search(db, way, table, q, plain="plain"):
    """Row ids matching q.  Trigram: LIKE on the plain table for words under 3 characters."""
    if way == "trigram":
        sets = []
        for word in q.split():
            if len(word) >= 3:
                sql = "SELECT rowid FROM %s WHERE %s MATCH ?" % (table, table)
                arg = '"%s"' % word
            else:
                sql = "SELECT rowid FROM %s WHERE body LIKE ?" % plain
                arg = "%" + word + "%"
            sets.append({r[0] for r in db.execute(sql, (arg,))})
        return set.intersection(*sets)
    sql = "SELECT rowid FROM %s WHERE %s MATCH ?" % (table, table)
    return {r[0] for r in db.execute(sql, (fts_query(way, q),))}


def quality():
    names = sorted(DOCS)
    ids = {n: i + 1 for i, n in enumerate(names)}
    back = {i: n for n, i in ids.items()}
    docs = [(ids[n], DOCS[n]) for n in names]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE plain (rowid INTEGER PRIMARY KEY, body TEXT)")
    db.executemany("INSERT INTO plain VALUES (?, ?)", docs)
    for way in WAYS:
        make(db, way, "t_" + way, docs)

    # The trigram table's own LIKE, to show what SQLite 3.40 does with 1-2 CJK characters.
    like_short = {q: {back[r[0]] for r in db.execute(
        "SELECT rowid FROM t_trigram WHERE body LIKE ?", ("%" + q + "%",))}
        for q in ("经济", "铁", "an")}

    print("query".ljust(16) + "".join(w.ljust(12) for w in WAYS) + "  expected")
    score = {w: [0, 0, 0] for w in WAYS}  # right, missed, extra
    for q, want in QUERIES:
        row = q.ljust(16 - sum(1 for c in q if ord(c) > 0x2e80))
        for way in WAYS:
            got = {back[r] for r in search(db, way, "t_" + way, q)}
            missed, extra = want - got, got - want
            mark = "ok" if not missed and not extra else \
                ("-" + ",".join(sorted(missed)) if missed else "") + \
                ("+" + ",".join(sorted(extra)) if extra else "")
            score[way][0] += not missed and not extra
            score[way][1] += len(missed)
            score[way][2] += len(extra)
            row += mark.ljust(12)
        print(row + "  " + ",".join(sorted(want)))
    print("\n%d queries; right / documents missed / documents extra:" % len(QUERIES))
    for way, (ok, missed, extra) in score.items():
        print("  %-10s %2d / %2d / %2d" % (way, ok, missed, extra))
    print("\ntrigram table, body LIKE '%x%':",
          ", ".join("%s -> %s" % (q, sorted(r) or "nothing") for q, r in like_short.items()))
    print("icu splits:", icu_words(DOCS["ja2"][:12]), "|", icu_words(DOCS["ja3"][:10]),
          "|", icu_words(DOCS["ko2"][:12]))


# ---- --big: size and speed on real translated text --------------------------

def corpus(lang, size=1500):
    texts = []
    for f in sorted(glob.glob("/usr/share/locale/%s/LC_MESSAGES/*.mo" % lang)):
        try:
            with open(f, "rb") as fp:
                cat = gettext.GNUTranslations(fp)._catalog
        except Exception:
            continue
        texts += [v for k, v in sorted(cat.items(), key=lambda kv: str(kv[0]))
                  if k and isinstance(v, str)]
    docs, cur = [], []
    n = 0
    for t in texts:
        cur.append(t)
        n += len(t.encode())
        if n >= size:
            docs.append("\n".join(cur))
            cur, n = [], 0
    return docs


BIG_QUERIES = {
    "zh_CN": ["数", "文件", "不存在", "无法打开", "GTK 窗口"],
    "ja": ["数", "削除", "無効な", "ディレクトリ", "GTK ウィンドウ"],
    "ko": ["수", "파일", "사용자", "디렉터리", "GTK 창"],
}


def big():
    print("\nlanguage way         docs  text MB  index MB  index/text  build s  "
          "query ms (1, 2, 3, 4+ chars, mixed)")
    for lang, queries in BIG_QUERIES.items():
        docs = list(enumerate(corpus(lang), 1))
        text_mb = sum(len(t.encode()) for _, t in docs) / 1e6
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE plain (rowid INTEGER PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO plain VALUES (?, ?)", docs)
        for way in WAYS:
            table = "t_" + way
            t0 = time.perf_counter()
            make(db, way, table, docs, content=(way == "trigram"))
            db.commit()
            build = time.perf_counter() - t0
            size = db.execute("SELECT sum(length(block)) FROM %s_data" % table).fetchone()[0]
            times = []
            for q in queries:
                t0 = time.perf_counter()
                reps = 5
                for _ in range(reps):
                    hits = len(search(db, way, table, q))
                times.append("%.1f(%d)" % ((time.perf_counter() - t0) / reps * 1e3, hits))
            print("%-8s %-10s %5d  %7.2f  %8.2f  %10.2f  %7.2f  %s" % (
                lang, way, len(docs), text_mb, size / 1e6, size / 1e6 / text_mb, build,
                ", ".join(times)))


def dump(folder):
    """Writes each language's articles to FOLDER/LANG.docs, NUL-separated, for cjk_search_bench.c."""
    for lang in BIG_QUERIES:
        with open("%s/%s.docs" % (folder, lang), "wb") as f:
            f.write(b"\0".join(t.encode() for t in corpus(lang)))


if __name__ == "__main__":
    if "--dump" in sys.argv:
        dump(sys.argv[sys.argv.index("--dump") + 1])
        sys.exit(0)
    print("SQLite", sqlite3.sqlite_version)
    quality()
    if "--big" in sys.argv:
        big()
