/*
 * bench_sanitize.c: how fast sanitize_html() is on a 1 MB body shaped like
 * what blogs hold (`meson test --benchmark sanitize`).  Prints MB/s of
 * input, for gumbo's parse alone and for the whole sanitizer, without and
 * with a policy (iframe hosts, a URL rewrite, image attributes), and the
 * peak memory.  Times are CPU time of this process.  It measures; it
 * asserts only that sanitizing works.
 *
 *   bench_sanitize [MEGABYTES] [SECONDS]    default 1 MB, about 2 s per line
 */
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gazette/base/buf.h"
#include "gazette/content/sanitize.h"
#include "sanitize_check.h"

static const char *const words[] = {
    "the",      "of",     "and",   "to",       "in",    "a",       "is",      "that",
    "for",      "it",     "as",    "was",      "with",  "be",      "by",      "on",
    "not",      "this",   "are",   "or",       "from",  "at",      "which",   "but",
    "have",     "an",     "they",  "you",      "were",  "there",   "one",     "all",
    "election", "budget", "river", "festival", "coach", "weather", "council", "café",
};

static unsigned long seed = 1;

static unsigned next(unsigned n)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(seed >> 33) % n;
}

static void sentence(struct buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ' ');
		buf_puts(b, words[next(sizeof(words) / sizeof(words[0]))]);
	}
}

/* One blog post's body: what WordPress and hand-written Markdown hold. */
static void post(struct buf *b, unsigned i)
{
	buf_printf(b, "<h2 id=\"post-%u\">Post %u: ", i, i);
	sentence(b, 5);
	buf_puts(b, "</h2>\n");
	for (unsigned p = 0; p < 4; p++) {
		buf_puts(b, "<p style=\"text-align:left\">");
		sentence(b, 25);
		buf_printf(b,
		           " <a href=\"https://example.com/%u/story?a=1&amp;b=2\" "
		           "target=\"_blank\">",
		           i);
		sentence(b, 3);
		buf_puts(b, "</a> ");
		sentence(b, 10);
		buf_puts(b, " <em>");
		sentence(b, 2);
		buf_puts(b, "</em> &amp; <code>x &lt; y</code>, <strong>");
		sentence(b, 2);
		buf_puts(b, "</strong>.</p>\n");
	}
	buf_puts(b, "<ul>\n<li>");
	sentence(b, 6);
	buf_puts(b, "</li>\n<li>");
	sentence(b, 4);
	buf_puts(b, " <b>bold</b></li>\n<li><ol><li>one</li><li>two</li></ol></li>\n</ul>\n");
	buf_printf(b,
	           "<figure class=\"wp-block-image size-large\"><img src=\"../images/%u.jpg\" "
	           "srcset=\"../images/%u.jpg 1x, ../images/%u@2x.jpg 2x\" alt=\"",
	           i, i, i);
	sentence(b, 3);
	buf_puts(b, "\" width=\"800\" height=\"600\" onclick=\"zoom(this)\" data-id=\"7\">"
	            "<figcaption>");
	sentence(b, 6);
	buf_puts(b, "</figcaption></figure>\n");
	buf_puts(b, "<table class=\"data\"><thead><tr><th>Team</th><th>Score</th></tr></thead>"
	            "<tbody><tr><td colspan=\"2\">");
	sentence(b, 4);
	buf_puts(b, "</td></tr><tr><td>Home</td><td align=\"right\">3</td></tr></tbody></table>\n");
	buf_puts(b, "<blockquote cite=\"https://example.org/q\"><p>");
	sentence(b, 12);
	buf_puts(b, "</p></blockquote>\n<pre><code class=\"language-c\">int main(void)\n{\n"
	            "\treturn 0;\n}\n</code></pre>\n");
	if (i % 10 == 0)
		buf_puts(b, "<iframe width=\"560\" height=\"315\" "
		            "src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\" frameborder=\"0\" "
		            "allowfullscreen></iframe>\n<script>track()</script>\n");
}

/* CPU time, not wall time: the figure should not depend on what else the machine runs. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lazy(void *ctx, const char *src, size_t src_len, unsigned index, bool has_width,
                 bool has_height, struct buf *out)
{
	if (index > 0)
		buf_puts(out, " loading=\"lazy\"");
}

/* Runs one configuration for about `seconds`; returns MB/s of input. */
static double measure(const char *what, const struct buf *in, const struct sanitize_policy *p,
                      bool parse_only, double seconds)
{
	double mb = (double)in->len / (1024.0 * 1024.0), start = now(), elapsed;
	unsigned runs = 0;
	size_t out_len = 0;
	do {
		if (parse_only) {
			GumboOptions opt = kGumboDefaultOptions;
			opt.max_errors = 0;
			opt.fragment_context = GUMBO_TAG_BODY;
			GumboOutput *g = gumbo_parse_with_options(&opt, in->data, in->len);
			gumbo_destroy_output(&opt, g);
		} else {
			struct buf out = BUF_INIT;
			if (sanitize_html(in->data, in->len, p, &out) != 0) {
				fprintf(stderr, "bench_sanitize: sanitize_html failed\n");
				exit(1);
			}
			out_len = out.len;
			buf_free(&out);
		}
		runs++;
		elapsed = now() - start;
	} while (elapsed < seconds);
	double rate = mb * runs / elapsed;
	printf("%-34s %7.1f MB/s  (%u runs, %.2f CPU ms each", what, rate, runs,
	       elapsed * 1000 / runs);
	if (!parse_only)
		printf(", output %.2f MB", (double)out_len / (1024.0 * 1024.0));
	printf(")\n");
	return rate;
}

int main(int argc, char **argv)
{
	double megabytes = argc > 1 ? atof(argv[1]) : 1.0;
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	struct buf in = BUF_INIT;
	unsigned posts = 0;

	if (megabytes <= 0 || seconds <= 0) {
		fprintf(stderr, "usage: bench_sanitize [MEGABYTES] [SECONDS]\n");
		return 2;
	}
	while ((double)in.len < megabytes * 1024 * 1024)
		post(&in, posts++);
	printf("input: %.2f MB, %u blog posts' bodies\n", (double)in.len / (1024.0 * 1024.0),
	       posts);

	struct sanitize_policy full = {sanitize_check_hosts, sanitize_check_rewrite, lazy, NULL};
	measure("gumbo parse alone (malloc)", &in, NULL, true, seconds);
	measure("sanitize_html, no policy", &in, NULL, false, seconds);
	measure("sanitize_html, iframes+rewrite+img", &in, &full, false, seconds);

	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
	buf_free(&in);
	return 0;
}
