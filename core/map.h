#ifndef HOSO_CORE_MAP_H
#define HOSO_CORE_MAP_H

/* A string-keyed hash map (open addressing). Keys are copied; values are the caller's. */

#include <stddef.h>

typedef struct hoso_map hoso_map;

int hoso_map_new(hoso_map **out);
void hoso_map_free(hoso_map *map);
/* Insert or replace; `*old` (may be NULL) gets the value replaced or NULL. */
int hoso_map_set(hoso_map *map, const char *key, void *value, void **old);
void *hoso_map_get(const hoso_map *map, const char *key);
size_t hoso_map_count(const hoso_map *map);
/* Visit every entry in no particular order. */
void hoso_map_foreach(const hoso_map *map, void (*cb)(const char *key, void *value, void *payload),
	void *payload);

#endif
