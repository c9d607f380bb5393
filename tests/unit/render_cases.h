/*
 * render_cases.h: tables of cases for the renderers of an editor's JSON
 * document into HTML (lexical_render, mobiledoc_render: the same
 * contract), and the loops that check them.  Include it after <cmocka.h>
 * (and what cmocka needs before it).
 */
#ifndef GAZETTE_TEST_RENDER_CASES_H
#define GAZETTE_TEST_RENDER_CASES_H

#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "gazette/base/buf.h"
#include "gazette/base/log.h"
#include "assert_json.h"

/* 0 and the HTML in out, the names of unknown cards added to unknown; or -1 and err. */
typedef int (*json_render_fn)(const char *json, size_t len, struct buf *out, json_t *unknown,
                              struct diag *err);

struct render_case {
	const char *doc;     /* the JSON document */
	const char *html;    /* what it renders to */
	const char *unknown; /* JSON list of the unknown cards named; NULL: "[]" */
};

struct render_error {
	const char *doc; /* the JSON document */
	const char *msg; /* the message it is refused with (no line) */
};

/* Each case renders (with a list for the unknown cards) to its HTML and names its unknown cards. */
static void run_render_cases(json_render_fn render, const struct render_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT;
		struct diag err;
		json_t *unknown = json_array();
		diag_clear(&err);
		int rc = render(c[i].doc, strlen(c[i].doc), &out, unknown, &err);
		if (rc != 0)
			fail_msg("case %zu: %s", i, err.msg);
		if (strcmp(out.data ? out.data : "", c[i].html) != 0)
			print_error("case %zu:\n got  %s\n want %s\n", i, out.data ? out.data : "",
			            c[i].html);
		assert_string_equal(out.data ? out.data : "", c[i].html);
		assert_json(unknown, c[i].unknown ? c[i].unknown : "[]");
		json_decref(unknown);
		buf_free(&out);
	}
}

/* Each case (rendered with no list for the unknown cards) gives -1 and its message, at line 0. */
static void run_render_errors(json_render_fn render, const struct render_error *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct buf out = BUF_INIT;
		struct diag err;
		diag_clear(&err);
		int rc = render(c[i].doc, strlen(c[i].doc), &out, NULL, &err);
		if (rc != -1 || strcmp(err.msg, c[i].msg) != 0)
			print_error("case %zu: rc %d: %s\n", i, rc, err.msg);
		assert_int_equal(rc, -1);
		assert_string_equal(err.msg, c[i].msg);
		assert_int_equal(err.line, 0);
		buf_free(&out);
	}
}

#endif
