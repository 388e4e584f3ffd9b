#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "common.h"

typedef struct {
	char *key;
	void *value;
	uint64_t hash;
} slot;

struct hoso_map {
	slot *slots;
	size_t cap, count; /* cap is a power of two */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h ? h : 1;
}

int hoso_map_new(hoso_map **out)
{
	hoso_map *m = calloc(1, sizeof(*m));

	if (!m || !(m->slots = calloc(16, sizeof(slot)))) {
		free(m);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	m->cap = 16;
	*out = m;
	return 0;
}

void hoso_map_free(hoso_map *map)
{
	size_t i;

	if (!map)
		return;
	for (i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	free(map);
}

static slot *find(const hoso_map *map, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (map->cap - 1);

	while (map->slots[i].key) {
		if (map->slots[i].hash == h && strcmp(map->slots[i].key, key) == 0)
			return &map->slots[i];
		i = (i + 1) & (map->cap - 1);
	}
	return &map->slots[i];
}

static int grow(hoso_map *map)
{
	slot *old = map->slots;
	size_t i, oldcap = map->cap;

	if (!(map->slots = calloc(oldcap * 2, sizeof(slot)))) {
		map->slots = old;
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	map->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(map, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int hoso_map_set(hoso_map *map, const char *key, void *value, void **old)
{
	uint64_t h = hash_str(key);
	slot *s;

	if (old)
		*old = NULL;
	if ((map->count + 1) * 4 > map->cap * 3 && grow(map) < 0)
		return HOSO_ERROR;
	s = find(map, key, h);
	if (s->key) {
		if (old)
			*old = s->value;
		s->value = value;
		return 0;
	}
	if (!(s->key = strdup(key)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	s->hash = h;
	s->value = value;
	map->count++;
	return 0;
}

void *hoso_map_get(const hoso_map *map, const char *key)
{
	slot *s = find(map, key, hash_str(key));

	return s->key ? s->value : NULL;
}

size_t hoso_map_count(const hoso_map *map)
{
	return map->count;
}

void hoso_map_foreach(const hoso_map *map, void (*cb)(const char *key, void *value, void *payload),
	void *payload)
{
	size_t i;

	for (i = 0; i < map->cap; i++)
		if (map->slots[i].key)
			cb(map->slots[i].key, map->slots[i].value, payload);
}
