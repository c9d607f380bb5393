/*
 * Unit tests for fts_cjk.c: the tokens it makes, and which queries find
 * which articles in an in-memory FTS5 table (the articles and queries of
 * tests/data/notes/cjk-search.md, the answers a reader expects).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/content/search.h"
#include "gazette/store/fts_cjk.h"

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(fts_cjk_register(db), 0);
	return db;
}

static fts5_api *fts5_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	assert_non_null(api);
	return api;
}

struct collect {
	struct buf out;
	int stop_after; /* SQLITE_DONE after this many tokens; SQLITE_NOMEM after -stop_after */
	int count;
	int len; /* of the text: offsets must stay within */
};

static int collect_token(void *p, int tflags, const char *tok, int n, int start, int end)
{
	struct collect *c = p;
	assert_true(start >= 0 && start <= end && end <= c->len);
	if (c->out.len)
		buf_putc(&c->out, ' ');
	buf_printf(&c->out, "%s%.*s@%d-%d", tflags ? "+" : "", n, tok, start, end);
	c->count++;
	if (c->stop_after > 0 && c->count >= c->stop_after)
		return SQLITE_DONE;
	if (c->stop_after < 0 && c->count >= -c->stop_after)
		return SQLITE_NOMEM;
	return SQLITE_OK;
}

/* The tokens of text as "token@start-end ...", for the tokenizer spec args. */
static char *tokens_of(sqlite3 *db, const char *const *args, int nargs, int flags, const char *text,
                       size_t len, int stop_after, int *rc)
{
	fts5_api *api = fts5_of(db);
	void *ud = NULL;
	fts5_tokenizer m;
	Fts5Tokenizer *tok = NULL;
	assert_int_equal(api->xFindTokenizer(api, FTS_CJK_TOKENIZER, &ud, &m), SQLITE_OK);
	assert_int_equal(m.xCreate(ud, (const char **)args, nargs, &tok), SQLITE_OK);

	struct collect c = {BUF_INIT, stop_after, 0, (int)len};
	*rc = m.xTokenize(tok, &c, flags, text, (int)len, collect_token);
	m.xDelete(tok);
	return buf_detach(&c.out, NULL);
}

static void test_tokens(void **state)
{
	static const char *const porter[] = {"porter", "unicode61", "remove_diacritics", "2"};
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"", ""},
	    {"Hello, World", "hello@0-5 world@7-12"},
	    {"Interest rates rose", "interest@0-8 rate@9-14 rose@15-19"},
	    {"经济增长", "经@0-3 济@3-6 增@6-9 长@9-12"},
	    {"A18芯片", "a18@0-3 芯@3-6 片@6-9"},
	    {"我用Python写。", "我@0-3 用@3-6 python@6-12 写@12-15"},
	    {"コーヒーを飲む", "コ@0-3 ー@3-6 ヒ@6-9 ー@9-12 を@12-15 飲@15-18 む@18-21"},
	    {"서울에서 rates", "서@0-3 울@3-6 에@6-9 서@9-12 rate@13-18"},
	    {"「東京」、Tokyo。", "東@3-6 京@6-9 tokyo@15-20"},
	    {"Caf\xc3\xa9 \xe4\xb8\xad", "cafe@0-5 中@6-9"}, /* diacritics go, as before */
	    {"𠀀x", "𠀀@0-4 x@4-5"},
	    {"ｺｰﾋｰ", "ｺ@0-3 ｰ@3-6 ﾋ@6-9 ｰ@9-12"},
	    {"한국은행은 3.5%로", "한@0-3 국@3-6 은@6-9 행@9-12 은@12-15 3@16-17 5@18-19 로@20-23"},
	};
	sqlite3 *db = open_db();
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		int rc;
		char *got = tokens_of(db, porter, 4, FTS5_TOKENIZE_DOCUMENT, cases[i].text,
		                      strlen(cases[i].text), 0, &rc);
		if (strcmp(got, cases[i].want) != 0)
			print_error("case %zu \"%s\":\n got  %s\n want %s\n", i, cases[i].text, got,
			            cases[i].want);
		assert_int_equal(rc, SQLITE_OK);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	sqlite3_close(db);
}

/* The wrapped tokenizer and its arguments come from the spec; none means unicode61. */
static void test_wrapped(void **state)
{
	static const char *const plain[] = {"unicode61"};
	static const char *const keep[] = {"unicode61", "remove_diacritics", "0"};
	static const char *const ascii[] = {"ascii"};
	sqlite3 *db = open_db();
	int rc;
	char *got = tokens_of(db, plain, 1, 0, "rates 率", strlen("rates 率"), 0, &rc);
	assert_string_equal(got, "rates@0-5 率@6-9");
	free(got);
	got = tokens_of(db, NULL, 0, 0, "Rates Café", strlen("Rates Café"), 0, &rc);
	assert_string_equal(got, "rates@0-5 cafe@6-11");
	free(got);
	got = tokens_of(db, keep, 3, 0, "Café", strlen("Café"), 0, &rc);
	assert_string_equal(got, "café@0-5");
	free(got);
	got = tokens_of(db, ascii, 1, 0, "abc中def", strlen("abc中def"), 0, &rc);
	assert_string_equal(got, "abc@0-3 中@3-6 def@6-9");
	free(got);

	/* A tokenizer that does not exist, or itself, is refused when the table is made. */
	static const char *const bad[] = {
	    "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'gz_cjk nosuch')",
	    "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'gz_cjk gz_cjk')",
	    "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'gz_cjk unicode61 nosuch 1')",
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(bad); i++)
		assert_int_not_equal(sqlite3_exec(db, bad[i], NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/*
 * Text that is not UTF-8: no crash, offsets within the text, the CJK
 * letters found where they are.  Other bytes go to unicode61, which reads
 * them its own lenient way (a cut "\xe4\xb8" is a letter to it).
 */
static void test_invalid_utf8(void **state)
{
	static const char *const porter[] = {"porter", "unicode61"};
	static const struct {
		const char *text;
		size_t len;
		const char *cjk; /* the CJK token(s) expected, or NULL for none */
	} cases[] = {
	    {"\xff\xe7\xbb\x8f\xe4\xb8", 6, "经@1-4"}, /* a stray byte, 经, half of 中 */
	    {"\xe4\xb8", 2, NULL},
	    {"\xed\xa0\x80\xe4\xb8\xad", 6, "中@3-6"},       /* a surrogate, 中 */
	    {"a\0\xe4\xb8\xad\0b", 7, "a@0-1 中@2-5 b@6-7"}, /* NUL bytes */
	    {"\xc0\xaf\xe4\xb8\xad", 5, "中@2-5"},           /* an overlong '/' */
	    {"\xe4\xb8\xad\xad", 4, "中@0-3"},               /* a stray continuation */
	};
	sqlite3 *db = open_db();
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		int rc;
		char *text = xstrndup(cases[i].text, cases[i].len); /* its own block, for ASan */
		char *got = tokens_of(db, porter, 2, 0, text, cases[i].len, 0, &rc);
		assert_int_equal(rc, SQLITE_OK);
		if (cases[i].cjk != NULL)
			assert_non_null(strstr(got, cases[i].cjk));
		else
			assert_null(strstr(got, "中"));
		free(got);
		free(text);
	}
	sqlite3_close(db);
}

/*
 * When FTS5's callback says stop (SQLITE_DONE), tokenizing stops and
 * returns SQLITE_OK, as unicode61 does; another code is an error, passed on.
 */
static void test_stop(void **state)
{
	static const char *const porter[] = {"porter", "unicode61"};
	sqlite3 *db = open_db();
	int rc;
	const char *text = "one 二 three 四 five 六";
	static const char *const want[] = {
	    "on@0-3",
	    "on@0-3 二@4-7",
	    "on@0-3 二@4-7 three@8-13",
	    "on@0-3 二@4-7 three@8-13 四@14-17",
	    "on@0-3 二@4-7 three@8-13 四@14-17 five@18-22",
	};
	for (int stop = 1; stop <= 5; stop++) {
		char *got = tokens_of(db, porter, 2, 0, text, strlen(text), stop, &rc);
		assert_int_equal(rc, SQLITE_OK);
		assert_string_equal(got, want[stop - 1]);
		free(got);
	}
	for (int stop = 1; stop <= 5; stop++) {
		char *got = tokens_of(db, porter, 2, 0, text, strlen(text), -stop, &rc);
		assert_int_equal(rc, SQLITE_NOMEM);
		assert_string_equal(got, want[stop - 1]);
		free(got);
	}
	sqlite3_close(db);
}

/* The articles of tests/data/notes/cjk-search.md. */
static const char *const docs[] = {
    /* 1 zh1 */ "国家统计局周三公布的数据显示，今年第一季度国内生产总值同比增长5.3%，"
                "高于市场预期。分析人士认为，消费和出口的回暖是经济增长的主要动力，"
                "但房地产市场仍然疲软。",
    /* 2 zh2 */
    "北京市政府宣布，将在未来三年内新建十条地铁线路，总投资超过两千亿元。"
    "市交通委员会表示，新线路将重点连接城市副中心和大兴国际机场。",
    /* 3 zh3 */
    "苹果公司在发布会上推出了新款iPhone 16，搭载自研的A18芯片。"
    "分析师预计，人工智能功能将推动新一轮换机潮。",
    /* 4 zh4 */
    "中国女排在巴黎奥运会小组赛中以三比一战胜美国队，队长朱婷赛后表示，"
    "球队的目标是夺得金牌。",
    /* 5 zh5 */
    "臺灣中央氣象署發布颱風警報，預計颱風將於明天清晨登陸東部沿海地區，"
    "經濟損失可能擴大。",
    /* 6 ja1 */
    "日本銀行は19日の金融政策決定会合で、マイナス金利政策の解除を決めた。"
    "利上げは17年ぶりとなる。植田和男総裁は記者会見で、物価上昇の持続性に自信を示した。",
    /* 7 ja2 */
    "東京都は、来年度から都内の公立小学校の給食費を無償化する方針を固めた。"
    "対象となる児童はおよそ60万人に上る。",
    /* 8 ja3 */
    "京都市の観光客数が過去最高を記録した。市は混雑対策として、市バスの観光特急路線を新設する。",
    /* 9 ja4 */
    "トヨタ自動車は新型の電気自動車を発表した。一回の充電で走行できる距離は600キロを超えるという。",
    /* 10 ja5 */
    "コンピューターウイルスによる被害が拡大している。警察庁によると、"
    "今年上半期の被害額は過去最悪となった。",
    /* 11 ko1 */
    "한국은행은 기준금리를 연 3.5%로 동결했다. 이창용 총재는 물가 상승률이 "
    "목표 수준으로 안정될 때까지 긴축 기조를 유지하겠다고 밝혔다.",
    /* 12 ko2 */
    "서울시는 내년부터 대중교통 무제한 정기권을 도입한다고 발표했다. "
    "서울에서 지하철과 버스를 한 달 동안 자유롭게 이용할 수 있다.",
    /* 13 ko3 */ "삼성전자가 새로운 스마트폰 갤럭시를 공개했다. 인공지능 기능이 대폭 강화되었다.",
    /* 14 ko4 */
    "부산국제영화제가 개막했다. 올해 영화제에는 70개국에서 200편이 넘는 영화가 초청되었다.",
    /* 15 en1 */
    "The Bank of Japan (日本銀行) raised interest rates for the first time in 17 years, "
    "ending the era of negative rates in Tokyo.",
};

static sqlite3 *articles_db(void)
{
	sqlite3 *db = open_db();
	assert_int_equal(
	    sqlite3_exec(db,
	                 "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'gz_cjk porter "
	                 "unicode61 remove_diacritics 2')",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_stmt *ins;
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO t (rowid, body) VALUES (?, ?)", -1, &ins, NULL),
	    SQLITE_OK);
	for (size_t i = 0; i < GZ_ARRAY_LEN(docs); i++) {
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
		sqlite3_bind_text(ins, 2, docs[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	return db;
}

/* The rows a reader's query finds, through search_fts_query() as the store runs it: "1 6". */
static char *rows_for(sqlite3 *db, const char *q)
{
	char *fts = search_fts_query(q, strlen(q));
	assert_non_null(fts);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, fts, -1, SQLITE_TRANSIENT);
	struct buf b = BUF_INIT;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		buf_printf(&b, "%s%lld", b.len ? " " : "", (long long)sqlite3_column_int64(s, 0));
	if (rc != SQLITE_DONE)
		print_error("\"%s\" -> %s: %s\n", q, fts, sqlite3_errmsg(db));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(s);
	free(fts);
	return buf_detach(&b, NULL);
}

static void test_queries(void **state)
{
	static const struct {
		const char *q;
		const char *want;
	} cases[] = {
	    /* 1 letter */
	    {"铁", "2"},
	    {"金", "4 6"},
	    {"市", "1 2 8"},
	    {"元", "2"}, /* last of its run: bigrams lose it */
	    {"금", "11"},
	    /* 2 letters */
	    {"经济", "1"},
	    {"經濟", "5"}, /* traditional and simplified are different letters */
	    {"地铁", "2"},
	    {"芯片", "3"},
	    {"金利", "6"},
	    {"서울", "12"}, /* in 서울시는 and 서울에서 */
	    {"금리", "11"},
	    {"京都", "7 8"}, /* Kyoto, and inside 東京都 (Tokyo): substring search */
	    /* 3 letters */
	    {"奥运会", "4"},
	    {"自動車", "9"},
	    {"영화제", "14"},
	    {"東京都", "7"},
	    /* 4 letters and more */
	    {"人工智能", "3"},
	    {"金融政策", "6"},
	    {"한국은행", "11"},
	    {"기준금리", "11"},
	    {"コンピューター", "10"},
	    {"ウイルス", "10"},
	    {"인공지능", "13"},
	    /* Letters that are all there, but not side by side. */
	    {"经增", ""},
	    {"国京", ""},
	    /* Mixed, Latin, and the query language. */
	    {"iPhone 芯片", "3"},
	    {"A18芯片", "3"},
	    {"A18 芯片", "3"},
	    {"Japan 日本銀行", "15"},
	    {"rate", "15"}, /* porter: "rates" */
	    {"tokyo", "15"},
	    {"\"日本銀行\"", "6 15"},
	    {"日本銀行 -Japan", "6"},
	    {"芯*", "3"},
	    {"人工智*", "3"},
	    {"東京", "7"},
	    {"东京", ""}, /* simplified 东: no article has it */
	};
	sqlite3 *db = articles_db();
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *got = rows_for(db, cases[i].q);
		if (strcmp(got, cases[i].want) != 0)
			print_error("\"%s\": got [%s], want [%s]\n", cases[i].q, got,
			            cases[i].want);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	sqlite3_close(db);
}

/* Offsets are the text's: highlight() marks the matched letters, whole. */
static void test_highlight(void **state)
{
	static const struct {
		const char *q;
		int row;
		const char *want; /* a piece of the highlighted text */
	} cases[] = {
	    {"经济", 1, "回暖是[经济]增长"},
	    {"A18芯片", 3, "自研的[A18芯片]。"},
	    {"서울", 12, "[서울]시는"},
	    {"rate", 15, "interest [rates] for"},
	    {"コンピューター", 10, "[コンピューター]ウイルス"},
	};
	sqlite3 *db = articles_db();
	sqlite3_stmt *s;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ? "
	                       "AND rowid = ?",
	                       -1, &s, NULL),
	    SQLITE_OK);
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *fts = search_fts_query(cases[i].q, strlen(cases[i].q));
		sqlite3_bind_text(s, 1, fts, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 2, cases[i].row);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		const char *got = (const char *)sqlite3_column_text(s, 0);
		if (strstr(got, cases[i].want) == NULL)
			print_error("\"%s\": %s\n", cases[i].q, got);
		assert_non_null(strstr(got, cases[i].want));
		sqlite3_reset(s);
		free(fts);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tokens),       cmocka_unit_test(test_wrapped),
	    cmocka_unit_test(test_invalid_utf8), cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_queries),      cmocka_unit_test(test_highlight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
