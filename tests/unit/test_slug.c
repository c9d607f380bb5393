/* Unit tests for slug.c: slugs made from titles, and the check on given ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gazette/base/buf.h"
#include "gazette/content/slug.h"
#include "gazette/base/util.h"

struct slug_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want;
};

static void run_from_text(const struct slug_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = c[i].len ? c[i].len : strlen(c[i].in);
		char *got = slug_from_text(c[i].in, len);
		assert_non_null(got);
		if (strcmp(got, c[i].want) != 0)
			print_error("case %zu: \"%s\"\n", i, c[i].in);
		assert_string_equal(got, c[i].want);
		/* Whatever we make, we must accept back. */
		if (got[0] != '\0')
			assert_true(slug_is_valid(got, strlen(got)));
		free(got);
	}
}

static void test_ascii(void **state)
{
	static const struct slug_case cases[] = {
	    {"El Salvador proposes a prison deal", 0, "el-salvador-proposes-a-prison-deal"},
	    {"Jekyll 3.1.4 \"Stability Sam\" Released", 0, "jekyll-3-1-4-stability-sam-released"},
	    {"Don't Panic!", 0, "dont-panic"},
	    {"  --Hello__World--  ", 0, "hello-world"},
	    {"", 0, ""},
	    {"!!!", 0, ""},
	    {"'''", 0, ""},
	    {"a", 0, "a"},
	    {"ABC def", 0, "abc-def"},
	    {"C++ & C#: a/b\\c", 0, "c-c-a-b-c"},
	    {"tab\tand\nnewline", 0, "tab-and-newline"},
	    {"2025-02-04-my-post.md", 0, "2025-02-04-my-post-md"},
	    {"nul\0byte", 8, "nul-byte"},
	    {"it's  'quoted'", 0, "its-quoted"},
	};
	run_from_text(cases, GZ_ARRAY_LEN(cases));
}

static void test_latin(void **state)
{
	static const struct slug_case cases[] = {
	    {"Caf\xc3\xa9 cr\xc3\xa8me \xc3\xa0 Paris", 0, "cafe-creme-a-paris"},
	    {"\xc5\x81\xc3\xb3\x64\xc5\xba", 0, "lodz"},                   /* Łódź */
	    {"\xc5\x91 \xc5\x9f \xc4\x91", 0, "o-s-d"},                    /* ő ş đ */
	    {"\xc3\x9e\x6f\x72 \xc3\xbe\x61", 0, "thor-tha"},              /* Þor þa */
	    {"Stra\xc3\x9f\x65", 0, "strasse"},                            /* Straße */
	    {"\xc3\x86sir \xc5\x93il", 0, "aesir-oeil"},                   /* Æsir œil */
	    {"\xc5\x92uvre", 0, "oeuvre"},                                 /* Œuvre */
	    {"\xc3\x85ngstr\xc3\xb6m", 0, "angstrom"},                     /* Ångström */
	    {"\xc3\x98resund \xc3\xb8l", 0, "oresund-ol"},                 /* Øresund øl */
	    {"\xc3\x87\x61 \xc3\xa7\x61", 0, "ca-ca"},                     /* Ça ça */
	    {"\xc3\x91\x61nd\xc3\xba", 0, "nandu"},                        /* Ñandú */
	    {"\xc3\xbf\xc5\xb8", 0, "yy"},                                 /* ÿŸ */
	    {"\xc5\xbd\x75\xc5\xbe\x65\x6c", 0, "zuzel"},                  /* Žužel */
	    {"\xc4\xb0stanbul \xc4\xb1\x73\xc4\xb1k", 0, "istanbul-isik"}, /* İstanbul ışık */
	    {"\xc4\xb2ssel", 0, "ijssel"},                                 /* Ĳssel */
	    {"3\xc3\x97\x34 \xc3\xb7 2", 0, "3-4-2"},                      /* 3×4 ÷ 2 */
	    {"\xc2\xa9 2025 \xc2\xbd\xc2\xb0", 0, "2025"},                 /* © ½° */
	    {"Cafe\xcc\x81", 0, "cafe"},                                   /* decomposed é */
	    {"\xc5\xbf\xc5\x8a", 0, "sng"},                                /* ſŊ */
	    {"\xc5\xa8\xc5\xb1\xc5\xa6", 0, "uut"},                        /* Ũ ű Ŧ */
	};
	run_from_text(cases, GZ_ARRAY_LEN(cases));
}

static void test_scripts(void **state)
{
	static const struct slug_case cases[] = {
	    /* Привет Мир */
	    {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\x9c\xd0\xb8\xd1\x80", 0,
	     "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82-\xd0\xbc\xd0\xb8\xd1\x80"},
	    /* Ёлка Ђ -> ёлка ђ */
	    {"\xd0\x81\xd0\xbb\xd0\xba\xd0\xb0 \xd0\x82", 0,
	     "\xd1\x91\xd0\xbb\xd0\xba\xd0\xb0-\xd1\x92"},
	    /* ΑΘΗΝΑ Ώρα -> αθηνα ώρα */
	    {"\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91 \xce\x8f\xcf\x81\xce\xb1", 0,
	     "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1-\xcf\x8e\xcf\x81\xce\xb1"},
	    /* 日本語のニュース */
	    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
	     "\xe3\x83\x8b\xe3\x83\xa5\xe3\x83\xbc\xe3\x82\xb9",
	     0,
	     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
	     "\xe3\x83\x8b\xe3\x83\xa5\xe3\x83\xbc\xe3\x82\xb9"},
	    /* 東京、大阪。 -> 東京-大阪 (CJK punctuation separates) */
	    {"\xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x81\xe5\xa4\xa7\xe9\x98\xaa\xe3\x80\x82", 0,
	     "\xe6\x9d\xb1\xe4\xba\xac-\xe5\xa4\xa7\xe9\x98\xaa"},
	    /* Don’t “stop” — ever… */
	    {"Don\xe2\x80\x99t \xe2\x80\x9cstop\xe2\x80\x9d \xe2\x80\x94 ever\xe2\x80\xa6", 0,
	     "dont-stop-ever"},
	    /* I ❤️ C 🎉! */
	    {"I \xe2\x9d\xa4\xef\xb8\x8f C \xf0\x9f\x8e\x89!", 0, "i-c"},
	    /* fullwidth ！ and ideographic space */
	    {"a\xef\xbc\x81\xe3\x80\x80\x62", 0, "a-b"},
	    /* non-breaking space */
	    {"a\xc2\xa0\x62", 0, "a-b"},
	    /* Arabic letters are kept as they are */
	    {"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 1", 0, "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85-1"},
	    /* an astral-plane letter (CJK extension B) is kept */
	    {"\xf0\xa0\x80\x80x", 0, "\xf0\xa0\x80\x80x"},
	};
	run_from_text(cases, GZ_ARRAY_LEN(cases));
}

static void test_invalid_utf8(void **state)
{
	static const struct slug_case cases[] = {
	    {"bad\xffword", 0, "bad-word"},
	    {"trunc\xe2\x82", 0, "trunc"},
	    {"\xc0\xaf"
	     "x",
	     0, "x"}, /* overlong '/' */
	    {"sur\xed\xa0\x80rogate", 0, "sur-rogate"},
	    {"\xc3", 0, ""},
	};
	run_from_text(cases, GZ_ARRAY_LEN(cases));
}

/* A long text: head, then n copies of rep, then tail. */
struct long_text {
	const char *head, *rep;
	int n;
	const char *tail;
};

static char *build(const struct long_text *t)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, t->head);
	for (int i = 0; i < t->n; i++)
		buf_puts(&b, t->rep);
	buf_puts(&b, t->tail);
	return buf_detach(&b, NULL);
}

static void test_length(void **state)
{
	static const struct {
		struct long_text in, want;
	} cases[] = {
	    /* 8 words: 87 bytes, cut at the last '-' within 80 */
	    {{"", "abcdefghij ", 8, ""}, {"", "abcdefghij-", 6, "abcdefghij"}},
	    {{"Don't ", "stop ", 20, "!"}, {"dont-", "stop-", 14, "stop"}},
	    /* a '-' exactly at byte 80: the 80 bytes before it stay */
	    {{"", "a", 80, " b"}, {"", "a", 80, ""}},
	    /* exactly 80 bytes stay; 81 in one word are cut at 80 */
	    {{"", "a", 80, ""}, {"", "a", 80, ""}},
	    {{"", "a", 81, ""}, {"", "a", 80, ""}},
	    /* one word of 3-byte characters: 26 fit (27 would take 81 bytes) */
	    {{"", "\xe6\x97\xa5", 28, ""}, {"", "\xe6\x97\xa5", 26, ""}},
	    /* 2-byte characters (д) after one byte: 1 + 39 * 2 = 79 bytes */
	    {{"x", "\xd0\xb4", 45, ""}, {"x", "\xd0\xb4", 39, ""}},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		char *in = build(&cases[i].in), *want = build(&cases[i].want);
		char *got = slug_from_text(in, strlen(in));
		assert_string_equal(got, want);
		assert_true(strlen(got) <= 80);
		free(got);
		free(want);
		free(in);
	}
}

struct valid_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	bool want;
};

static void test_is_valid(void **state)
{
	char long_ok[201], long_bad[202];
	memset(long_ok, 'a', 200);
	long_ok[200] = '\0';
	memset(long_bad, 'a', 201);
	long_bad[201] = '\0';

	const struct valid_case cases[] = {
	    {"hello-world", 0, true},
	    {"jekyll-1.0.0-released", 0, true},
	    {"caf\xc3\xa9", 0, true},
	    {"a_b", 0, true},
	    {"A", 0, true},
	    {"_draft", 0, true},
	    {"a..b", 0, true},
	    {"\xe6\x97\xa5\xe6\x9c\xac", 0, true},
	    {long_ok, 0, true},
	    {"", 0, false},
	    {".hidden", 0, false},
	    {"..", 0, false},
	    {"-x", 0, false},
	    {"a/b", 0, false},
	    {"a\\b", 0, false},
	    {"a b", 0, false},
	    {"a%2F", 0, false},
	    {"a?b", 0, false},
	    {"a#b", 0, false},
	    {"a\x01", 0, false},
	    {"a\x7f", 0, false},
	    {"a\0b", 3, false},
	    {long_bad, 0, false},
	    {"bad\xff", 0, false},
	    {"trunc\xc3", 0, false},
	    {"a\xc2\xa0\x62", 0, false},     /* no-break space */
	    {"a\xc2\x85\x62", 0, false},     /* C1 control NEL */
	    {"a\xe2\x80\x8b\x62", 0, false}, /* zero-width space */
	    {"a:b", 0, false},
	    {"a+b", 0, false},
	};
	for (size_t i = 0; i < GZ_ARRAY_LEN(cases); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		if (slug_is_valid(cases[i].in, len) != cases[i].want)
			print_error("case %zu: \"%s\"\n", i, cases[i].in);
		assert_int_equal(slug_is_valid(cases[i].in, len), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ascii),   cmocka_unit_test(test_latin),
	    cmocka_unit_test(test_scripts), cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_length),  cmocka_unit_test(test_is_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
