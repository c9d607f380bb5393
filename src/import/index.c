/*
 * index.c: a table from strings to article indexes, for an import's
 * slugs and old addresses.  See batch.h.
 *
 * Why not a JSON object: jansson gives each member an allocation of its
 * own, a copy of its key and a json_integer, about 160 bytes; an import of
 * 100,000 articles keeps two such tables (slugs, addresses) and so spent
 * 32 MB on them.  Here a member is a 16-byte slot, at most three quarters
 * full, its key borrowed from the batch, which keeps every key anyway.
 * Linear probing; nothing is ever removed.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "gazette/base/util.h"

static uint32_t key_hash(const char *key)
{
	uint64_t h = hash_bytes(GZ_HASH_INIT, key, strlen(key));
	return (uint32_t)(h ^ (h >> 32));
}

/* The slot key is in, or the empty slot where it would go. */
static struct index_slot *slot_of(const struct index *ix, const char *key, uint32_t hash)
{
	size_t mask = ix->cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct index_slot *s = &ix->slots[i];
		if (s->key == NULL || (s->hash == hash && strcmp(s->key, key) == 0))
			return s;
	}
}

static void grow(struct index *ix)
{
	struct index old = *ix;
	ix->cap = old.cap ? 2 * old.cap : 64;
	ix->slots = xcalloc(ix->cap, sizeof *ix->slots);
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*slot_of(ix, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	free(old.slots);
}

void index_put(struct index *ix, const char *key, size_t value)
{
	if (4 * (ix->n + 1) > 3 * ix->cap)
		grow(ix);
	uint32_t hash = key_hash(key);
	struct index_slot *s = slot_of(ix, key, hash);
	if (s->key == NULL) {
		s->key = key;
		s->hash = hash;
		ix->n++;
	}
	s->value = (uint32_t)value;
}

bool index_get(const struct index *ix, const char *key, size_t *value)
{
	if (ix->n == 0)
		return false;
	const struct index_slot *s = slot_of(ix, key, key_hash(key));
	if (s->key == NULL)
		return false;
	*value = s->value;
	return true;
}

void index_free(struct index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = ix->n = 0;
}
