/*
 * fuzz_template.c: the template engine, as a theme folder feeds it.
 *
 * Input: parts separated by NUL bytes.  With one part, it is the template
 * "main" and a built-in context is used.  With more, the last part is the
 * JSON context (the built-in one if it does not parse) and the parts
 * before it are the templates "main", "a", "b" and "c" (a fifth and later
 * are ignored), so that partials ({{> a}}) link to each other.  Each is
 * added with tmpl_set_add(), the set linked, and "main" rendered; then
 * "a" is replaced by "main"'s source and the set linked again (a theme
 * overriding a built-in file) and rendered once more.
 *
 * Beyond memory errors: when no template contains '<' (and none uses the
 * unescaped {{{ }}} or {{& }} forms), the output cannot hold '<' either,
 * whatever the context's strings say: every value is escaped.
 *
 * Templates are trusted (they come with the binary or the admin's theme),
 * and a section over an array nested in another repeats its body the
 * product of their lengths times.  Inputs whose worst case exceeds a few
 * megabytes of output are compiled and linked but not rendered, so that
 * a run finds bugs rather than the same deliberate blow-up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "gazette/base/buf.h"
#include "gazette/base/template.h"
#include "gazette/base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEMPLATES 4
/* The most bytes a render may be expected to write. */
#define OUTPUT_BUDGET (8.0 * 1024 * 1024)

static const char *const names[MAX_TEMPLATES] = {"main", "a", "b", "c"};

/* Values of every kind, with markup in the strings that escaping must defuse. */
static const char default_ctx[] =
    "{\"title\": \"<script>alert(1)</script>\", \"n\": 3, \"zero\": 0, \"t\": true,"
    " \"f\": false, \"nil\": null, \"empty\": \"\", \"none\": [],"
    " \"html\": \"<b onmouseover='x'>&amp;\","
    " \"site\": {\"name\": \"The \\\"Gazette\\\"\", \"url\": \"javascript:alert(1)\","
    "   \"nav\": [{\"title\": \"About\", \"url\": \"/about\"}, {\"title\": \"<i>\"}]},"
    " \"articles\": [{\"title\": \"One & two\", \"tags\": [\"a\", \"<b>\"], \"n\": 1},"
    "   {\"title\": \"'quoted'\", \"tags\": [], \"draft\": true}, 1.5, \"x\", null],"
    " \"nested\": {\"a\": {\"b\": {\"c\": \"</title><svg onload=alert(1)>\"}}}}";

/* The longest array anywhere in v (at least 1). */
static size_t longest_array(json_t *v, int depth)
{
	size_t best = 1, i;
	const char *k;
	json_t *e;
	if (depth > 64)
		return best;
	if (json_is_array(v)) {
		if (json_array_size(v) > best)
			best = json_array_size(v);
		json_array_foreach(v, i, e)
		{
			size_t b = longest_array(e, depth + 1);
			if (b > best)
				best = b;
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e)
		{
			size_t b = longest_array(e, depth + 1);
			if (b > best)
				best = b;
		}
	}
	return best;
}

/* Deepest nesting of sections ({{# / {{^ ... {{/) in src, and its partial tags. */
static void shape(const char *src, size_t len, size_t *depth, size_t *partials)
{
	size_t d = 0;
	for (size_t i = 0; i + 2 < len; i++) {
		if (src[i] != '{' || src[i + 1] != '{')
			continue;
		char c = src[i + 2];
		if (c == '#' || c == '^') {
			if (++d > *depth)
				*depth = d;
		} else if (c == '/' && d > 0) {
			d--;
		} else if (c == '>') {
			(*partials)++;
		}
	}
}

/* An upper bound on the bytes a render can write, in floating point so it cannot wrap. */
static double worst_output(const char **src, const size_t *len, size_t n, json_t *ctx)
{
	double total = 0, a = (double)longest_array(ctx, 0);
	size_t depth = 0, partials = 0;
	for (size_t i = 0; i < n; i++) {
		total += (double)len[i] + 1;
		shape(src[i], len[i], &depth, &partials);
	}
	/* A value may be as long as the input; a partial can repeat a whole template. */
	double per = total * 8;
	for (size_t i = 0; i < depth * n; i++)
		per *= a;
	for (size_t i = 1; i < n; i++)
		per *= (double)(partials + 1);
	return per;
}

static bool has_markup(const char *s, size_t n)
{
	if (memchr(s, '<', n))
		return true;
	for (size_t i = 0; i + 2 < n; i++)
		if (s[i] == '{' && s[i + 1] == '{' && (s[i + 2] == '{' || s[i + 2] == '&'))
			return true;
	return false;
}

static void render_checked(const struct tmpl_set *set, json_t *ctx, bool markup)
{
	struct buf out = BUF_INIT;
	int rc = tmpl_render(set, "main", ctx, &out);
	FUZZ_CHECK(rc == 0, "tmpl_render cannot find a template it has", NULL, 0);
	if (!markup)
		FUZZ_CHECK(out.len == 0 || memchr(out.data, '<', out.len) == NULL,
		           "a value reached the output unescaped", out.data, out.len);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src[MAX_TEMPLATES + 1];
	size_t len[MAX_TEMPLATES + 1];
	size_t nparts = 0;
	const char *p = (const char *)data, *end = p + size;

	/* Split at NULs; parts past the fifth are dropped. */
	while (nparts < MAX_TEMPLATES + 1) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		src[nparts] = p;
		len[nparts] = nul ? (size_t)(nul - p) : (size_t)(end - p);
		nparts++;
		if (nul == NULL)
			break;
		p = nul + 1;
	}
	size_t ntmpl = nparts == 1 ? 1 : nparts - 1;
	if (ntmpl > MAX_TEMPLATES)
		ntmpl = MAX_TEMPLATES;

	json_t *ctx = NULL;
	if (nparts > 1) {
		json_error_t jerr;
		ctx = json_loadb(src[nparts - 1], len[nparts - 1], JSON_DECODE_ANY, &jerr);
	}
	if (ctx == NULL)
		ctx = json_loads(default_ctx, 0, NULL);

	struct tmpl_set *set = tmpl_set_new();
	struct diag err;
	bool ok = true, markup = false;
	for (size_t i = 0; i < ntmpl; i++) {
		diag_clear(&err);
		/* Each source in its own allocation: an over-read is an ASan report. */
		char *copy = xmalloc(len[i] ? len[i] : 1);
		memcpy(copy, src[i], len[i]);
		if (tmpl_set_add(set, names[i], copy, len[i], &err) != 0) {
			FUZZ_CHECK(err.msg[0] != '\0', "tmpl_set_add failed without a message",
			           src[i], len[i]);
			ok = false;
		}
		free(copy);
		markup = markup || has_markup(src[i], len[i]);
	}
	diag_clear(&err);
	if (ok && tmpl_set_link(set, &err) != 0) {
		FUZZ_CHECK(err.msg[0] != '\0', "tmpl_set_link failed without a message", NULL, 0);
		ok = false;
	}
	bool small = worst_output(src, len, ntmpl, ctx) <= OUTPUT_BUDGET;
	if (ok) {
		for (size_t i = 0; i < ntmpl; i++)
			FUZZ_CHECK(tmpl_set_has(set, names[i]), "tmpl_set_has lost a template",
			           NULL, 0);
		if (small)
			render_checked(set, ctx, markup);
	}

	/* A theme's file replaces one: "a" becomes main's source, and the set is linked again. */
	if (ok && ntmpl > 1) {
		diag_clear(&err);
		if (tmpl_set_add(set, "a", src[0], len[0], &err) == 0) {
			diag_clear(&err);
			/* "a" may now include itself through "main": a cycle, refused. */
			const char *src2[MAX_TEMPLATES];
			size_t len2[MAX_TEMPLATES];
			memcpy(src2, src, sizeof src2);
			memcpy(len2, len, sizeof len2);
			src2[1] = src[0];
			len2[1] = len[0];
			if (tmpl_set_link(set, &err) == 0 &&
			    worst_output(src2, len2, ntmpl, ctx) <= OUTPUT_BUDGET)
				render_checked(set, ctx, markup);
		}
	}
	tmpl_set_free(set);
	json_decref(ctx);
	return 0;
}
