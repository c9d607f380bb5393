/*
 * files.c: the files a site ships (images, PDFs, audio, fonts, downloads)
 * into the store, at the address they had below the imported folder (or
 * below --static's folder, at the site root).  Their bytes are kept once
 * under their SHA-256: an unchanged file writes nothing.  One file's bytes
 * are in memory at a time.
 */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gazette/base/media.h"
#include "gazette/base/util.h"
#include "variants.h"

/* One file over a limit, or at an address no file may have: an error naming it. */
static void file_error(struct diag_list *errs, const struct input *in, const char *what)
{
	struct diag err;
	diag_clear(&err);
	diag_set_file(&err, in->path);
	diag_set(&err, 0, "%s", what);
	diag_list_add(errs, &err);
}

void files_check(struct batch *b, struct diag_list *errs)
{
	int64_t max_file = b->opts->max_file > 0 ? b->opts->max_file : IMPORT_MAX_FILE;
	int64_t max_files = b->opts->max_files > 0 ? b->opts->max_files : IMPORT_MAX_FILES;
	int64_t total = 0;
	b->files = json_object();
	for (size_t i = 0; i < b->ninputs; i++) {
		const struct input *in = &b->inputs[i];
		const char *why;
		if (in->kind != IN_FILE || in->duplicate)
			continue;
		struct buf msg = BUF_INIT;
		json_t *other = json_object_get(b->files, in->rel);
		if (in->size > max_file)
			buf_printf(&msg, "larger than --max-file-size (%lld MiB)",
			           (long long)(max_file >> 20));
		else if (!media_path_valid(in->rel, strlen(in->rel), &why))
			buf_printf(&msg, "cannot be served at its address: %s", why);
		else if (other)
			buf_printf(&msg, "its address '%s' is also the address of %s", in->rel,
			           b->inputs[json_integer_value(other)].path);
		if (msg.len > 0) {
			file_error(errs, in, msg.data);
			buf_free(&msg);
			continue;
		}
		json_object_set_new(b->files, in->rel, json_integer((json_int_t)i));
		total += in->size;
	}
	if (total > max_files) {
		struct diag err;
		diag_clear(&err);
		diag_set(&err, 0,
		         "the site's files take %.0f MiB, more than --max-files-size (%.0f MiB); "
		         "nothing was imported",
		         (double)total / (1 << 20), (double)max_files / (1 << 20));
		diag_list_add(errs, &err);
	}
}

/* Keeps one file; *changed if its address now holds other bytes.  0, or -1 with err. */
static int write_file(struct store *st, const struct input *in, int64_t max_file, int64_t now,
                      bool *changed, struct diag *err)
{
	size_t len;
	char *data = read_file(in->path, (size_t)max_file, &len);
	if (data == NULL) {
		diag_set_file(err, in->path);
		diag_set(err, 0, "%s", strerror(errno));
		return -1;
	}
	struct media_info info;
	media_inspect(data, len, in->rel, &info);
	if (store_put_file(st, in->rel, data, len, info.type, info.width, info.height, in->source,
	                   now, changed) < 0) {
		free(data);
		diag_set(err, 0, "cannot write the database: %s", store_errmsg(st));
		return -1;
	}
	/* An image's smaller and WebP copies (once per image's bytes). */
	int rc = variants_make(st, in->rel, data, len, err);
	free(data);
	return rc;
}

int files_write(struct batch *b, struct store *st, int64_t now, struct import_stats *stats,
                struct diag *err)
{
	int64_t max_file = b->opts->max_file > 0 ? b->opts->max_file : IMPORT_MAX_FILE;
	const char *path;
	json_t *index;
	json_object_foreach(b->files, path, index)
	{
		bool changed;
		const struct input *in = &b->inputs[json_integer_value(index)];
		if (write_file(st, in, max_file, now, &changed, err) < 0)
			return -1;
		stats->site_files++;
		stats->files_changed += changed;
	}
	return 0;
}
