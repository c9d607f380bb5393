/* dbwatch.c: the wal-index header as a change counter; see dbwatch.h. */
#include "gazette/store/dbwatch.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazette/base/util.h"

/* Two copies of the 48-byte header, then the checkpoint information (walformat.html 2.2). */
#define HDR_WORDS    12
#define INDEX_HEADER 136

int dbwatch_open(struct dbwatch *w, const char *db_path)
{
	char path[4096];
	struct stat st;

	w->fd = -1;
	w->map = NULL;
	if ((size_t)snprintf(path, sizeof path, "%s-shm", db_path) >= sizeof path)
		return -1;
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return -1;
	/* Mapping past the end of the file would fault on reading: it must hold the header. */
	if (fstat(w->fd, &st) < 0 || st.st_size < INDEX_HEADER)
		goto fail;
	w->maplen = INDEX_HEADER;
	w->map = mmap(NULL, w->maplen, PROT_READ, MAP_SHARED, w->fd, 0);
	if (w->map == MAP_FAILED) {
		w->map = NULL;
		goto fail;
	}
	return 0;
fail:
	close(w->fd);
	w->fd = -1;
	return -1;
}

void dbwatch_close(struct dbwatch *w)
{
	if (w->map)
		munmap((void *)(uintptr_t)w->map, w->maplen);
	if (w->fd >= 0)
		close(w->fd);
	w->map = NULL;
	w->fd = -1;
}

uint64_t dbwatch_stamp(const struct dbwatch *w)
{
	const uint32_t *hdr = w->map;
	uint32_t first[HDR_WORDS], second[HDR_WORDS];

	/*
	 * SQLite writes the second copy, then the first, with a barrier
	 * between; reading the first, then the second, and finding them
	 * equal means neither was half-written.
	 */
	for (int i = 0; i < HDR_WORDS; i++)
		first[i] = __atomic_load_n(&hdr[i], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (int i = 0; i < HDR_WORDS; i++)
		second[i] = __atomic_load_n(&hdr[HDR_WORDS + i], __ATOMIC_RELAXED);

	uint64_t stamp = hash_bytes(GZ_HASH_INIT, first, sizeof first);
	/* A commit in progress: a stamp that matches nothing before it. */
	if (memcmp(first, second, sizeof first) != 0)
		stamp = ~stamp;
	return stamp;
}
