/*
 * cjk_search_bench.c: the real tokenizer (store/fts_cjk.c) against
 * unicode61 on the articles cjk_search_measure.py --dump writes: index
 * size, time to index, time per query.  Not part of the build:
 *
 *   /usr/bin/python3 tests/data/notes/cjk_search_measure.py --dump /tmp
 *   cc -O2 -Iinclude tests/data/notes/cjk_search_bench.c build/libgazette-core.a \
 *      $(pkg-config --libs sqlite3 icu-i18n icu-uc jansson) -lpthread -lm \
 *      -o /tmp/cjk_search_bench
 *   /tmp/cjk_search_bench /tmp/zh_CN.docs /tmp/ja.docs /tmp/ko.docs
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazette/base/util.h"
#include "gazette/content/search.h"
#include "gazette/store/fts_cjk.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const queries[][5] = {
    {"数", "文件", "不存在", "无法打开", "GTK 窗口"},
    {"数", "削除", "無効な", "ディレクトリ", "GTK ウィンドウ"},
    {"수", "파일", "사용자", "디렉터리", "GTK 창"},
};

static void run(const char *path, const char *const *qs)
{
	size_t len;
	char *all = read_file(path, 1 << 30, &len);
	if (all == NULL) {
		perror(path);
		exit(1);
	}
	static const char *const tokenizers[] = {
	    "porter unicode61 remove_diacritics 2",
	    "gz_cjk porter unicode61 remove_diacritics 2",
	};
	for (size_t k = 0; k < 2; k++) {
		sqlite3 *db;
		sqlite3_open(":memory:", &db);
		fts_cjk_register(db);
		char sql[256];
		snprintf(sql, sizeof sql,
		         "CREATE VIRTUAL TABLE t USING fts5(body, content='', tokenize='%s')",
		         tokenizers[k]);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "%s\n", sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_stmt *ins;
		sqlite3_prepare_v2(db, "INSERT INTO t (rowid, body) VALUES (?, ?)", -1, &ins, NULL);
		double t0 = now();
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		int docs = 0;
		for (size_t i = 0; i < len;) {
			size_t n = strnlen(all + i, len - i);
			sqlite3_bind_int(ins, 1, ++docs);
			sqlite3_bind_text(ins, 2, all + i, (int)n, SQLITE_STATIC);
			sqlite3_step(ins);
			sqlite3_reset(ins);
			i += n + 1;
		}
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		double build = now() - t0;
		sqlite3_finalize(ins);

		sqlite3_stmt *s;
		sqlite3_prepare_v2(db, "SELECT sum(length(block)) FROM t_data", -1, &s, NULL);
		sqlite3_step(s);
		double size = (double)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);

		printf("%-14s %-44s %5d docs %5.2f MB text, index %5.2f MB (%.2f of the text), "
		       "indexing %.2f s (%.1f MB/s)\n",
		       path, tokenizers[k], docs, (double)len / 1e6, size / 1e6,
		       size / (double)len, build, (double)len / 1e6 / build);
		sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &s, NULL);
		printf("   queries:");
		for (int q = 0; q < 5; q++) {
			char *fts = search_fts_query(qs[q], strlen(qs[q]));
			int hits = 0, reps = 50;
			t0 = now();
			for (int r = 0; r < reps; r++) {
				sqlite3_bind_text(s, 1, fts, -1, SQLITE_STATIC);
				if (sqlite3_step(s) == SQLITE_ROW)
					hits = sqlite3_column_int(s, 0);
				sqlite3_reset(s);
			}
			printf("  %s: %.2f ms (%d)", qs[q], (now() - t0) / reps * 1e3, hits);
			free(fts);
		}
		printf("\n");
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	free(all);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc && i <= 3; i++)
		run(argv[i], queries[i - 1]);
	return 0;
}
