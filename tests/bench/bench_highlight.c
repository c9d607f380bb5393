/*
 * bench_highlight.c: how fast code blocks are highlighted at import.
 *
 *   bench-highlight SEED_DIR      (meson test -C build --benchmark highlight)
 *
 * For each language, its seed snippet (tests/fuzz/corpus/highlight/, the
 * file named by the language's short name, less the two bytes that tell
 * fuzz_highlight.c the language and options) is repeated to 4 MB and given
 * to hl_render(); then the same 4 MB go through md_render() in a fence,
 * which is what an import does, once with the language and once without
 * (plain, as before highlighting).  Prints MB/s for each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazette/base/buf.h"
#include "gazette/base/util.h"
#include "gazette/content/highlight.h"
#include "gazette/content/markdown.h"

#define TARGET (4u << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The time md_render() takes on code in a fence with info string info. */
static double md_time(const char *info, const char *code, size_t len)
{
	struct buf md = BUF_INIT;
	struct md_doc doc;
	buf_printf(&md, "```%s\n", info);
	buf_append(&md, code, len);
	buf_puts(&md, "```\n");
	double t0 = now();
	if (md_render(md.data, md.len, &doc) != 0) {
		fprintf(stderr, "bench-highlight: md_render failed\n");
		exit(1);
	}
	double t = now() - t0;
	md_doc_free(&doc);
	buf_free(&md);
	return t;
}

int main(int argc, char **argv)
{
	static const char *const files[][2] = {
	    {"rs", "rust"},
	    {"c", "c"},
	    {"cpp", "cpp"},
	    {"go", "go"},
	    {"py", "python"},
	    {"js", "javascript"},
	    {"ts", "typescript"},
	    {"java", "java"},
	    {"kt", "kotlin"},
	    {"swift", "swift"},
	    {"rb", "ruby"},
	    {"php", "php"},
	    {"sh", "bash"},
	    {"console", "console"},
	    {"ps1", "powershell"},
	    {"sql", "sql"},
	    {"html", "html"},
	    {"xml", "xml"},
	    {"css", "css"},
	    {"json", "json"},
	    {"yaml", "yaml"},
	    {"toml", "toml"},
	    {"dockerfile", "dockerfile"},
	    {"diff", "diff"},
	    {"md", "markdown"},
	    {"makefile", "makefile"},
	};
	double sum_hl = 0, sum_md = 0, sum_plain = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-highlight SEED_DIR\n");
		return 2;
	}
	printf("%-12s %10s %12s %12s\n", "language", "hl MB/s", "import MB/s", "plain MB/s");
	for (size_t k = 0; k < GZ_ARRAY_LEN(files); k++) {
		char path[4096];
		size_t n;
		if (snprintf(path, sizeof(path), "%s/%s", argv[1], files[k][0]) >=
		    (int)sizeof(path))
			return 2;
		char *seed = read_file(path, 1 << 20, &n);
		if (!seed || n <= 2) {
			fprintf(stderr, "bench-highlight: cannot read %s\n", path);
			return 1;
		}
		struct buf code = BUF_INIT, out = BUF_INIT;
		while (code.len < TARGET)
			buf_append(&code, seed + 2, n - 2);
		if (code.data[code.len - 1] != '\n')
			buf_putc(&code, '\n');
		const struct hl_lang *L = hl_lang_find(files[k][1], strlen(files[k][1]));
		double mb = (double)code.len / (1 << 20);
		double t0 = now();
		hl_render(&out, L, code.data, code.len, NULL);
		double hl = now() - t0;
		double md = md_time(files[k][1], code.data, code.len);
		double plain = md_time("", code.data, code.len);
		printf("%-12s %10.1f %12.1f %12.1f\n", files[k][1], mb / hl, mb / md, mb / plain);
		fflush(stdout);
		sum_hl += hl / mb;
		sum_md += md / mb;
		sum_plain += plain / mb;
		buf_free(&code);
		buf_free(&out);
		free(seed);
	}
	double nl = (double)GZ_ARRAY_LEN(files);
	printf("%-12s %10.1f %12.1f %12.1f\n", "mean", nl / sum_hl, nl / sum_md, nl / sum_plain);
	printf("import time per MB of code: %.1f ms highlighted, %.1f ms plain\n",
	       1000 * sum_md / nl, 1000 * sum_plain / nl);
	return 0;
}
