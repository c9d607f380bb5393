/* util.c: the allocation policy, UTF-8 checks, hashing, small parsers. */
#include "gazette/base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(size_t n)
{
	fprintf(stderr, "gazette: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 1;
}

/*
 * Skips ASCII from i eight bytes at a time, for utf8_valid(): an article's
 * HTML is nearly all ASCII, and every page checks it (column_string()).
 * Returns where the first eight bytes holding a NUL or a byte above 0x7f
 * start, or the last fewer than eight; the byte loop goes on from there.
 * (v - ones) & ~v & high is not 0 exactly when some byte of v is 0 (it
 * may mark the wrong byte, never the wrong word), and v & high when some
 * byte is not ASCII.
 */
static size_t ascii_run(const unsigned char *s, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	while (i + 8 <= n) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		if (((v | ((v - ones) & ~v)) & high) != 0)
			break;
		i += 8;
	}
	return i;
}

/*
 * Follows the well-formed byte sequences of Unicode 15, table 3-7, so
 * overlong forms, surrogates and code points above U+10FFFF fail.
 */
bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		i = ascii_run(s, i, n);
		if (i == n)
			break;
		unsigned char c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_seq_len(c);
		if (len == 1 || i + len > n)
			return false;
		unsigned char lo = 0x80, hi = 0xbf;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

uint32_t utf8_decode(const char *str, size_t n, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];

	*len = 1;
	if (c < 0x80)
		return c;
	size_t k = utf8_seq_len(c);
	if (k == 1 || k > n)
		return UTF8_INVALID;
	/* The second byte's range rules out overlongs, surrogates and > U+10FFFF (table 3-7). */
	unsigned char lo = 0x80, hi = 0xbf;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return UTF8_INVALID;
	uint32_t cp = c & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return UTF8_INVALID;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*len = k;
	return cp;
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	/* Back off continuation bytes (10xxxxxx) so the cut falls before a lead byte. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* The one binary search of both, for each type of sorted array. */
#define LOWER_BOUND(name, type)                                                                    \
	size_t name(const type *a, size_t n, type key)                                             \
	{                                                                                          \
		size_t lo = 0, hi = n;                                                             \
		while (lo < hi) {                                                                  \
			size_t mid = lo + (hi - lo) / 2;                                           \
			if (a[mid] < key)                                                          \
				lo = mid + 1;                                                      \
			else                                                                       \
				hi = mid;                                                          \
		}                                                                                  \
		return lo;                                                                         \
	}

LOWER_BOUND(lower_bound_i64, int64_t)
LOWER_BOUND(lower_bound_u32, uint32_t)

uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int parse_uint_range(const char *s, size_t n, long long min, long long max, long long *out)
{
	long long v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

char *read_file(const char *path, size_t max_size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;

	struct stat st;
	char *data = NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if ((uintmax_t)st.st_size > max_size) {
		errno = EFBIG;
		goto fail;
	}
	size_t size = (size_t)st.st_size, got = 0;
	data = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = read(fd, data + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break; /* the file shrank while we read it: take what is there */
		got += (size_t)r;
	}
	close(fd);
	data[got] = '\0';
	*len = got;
	return data;

fail:;
	int saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return NULL;
}

void path_folder(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}
