#ifndef HOSO_CORE_FINDEX_H
#define HOSO_CORE_FINDEX_H

/*
 * The field index: for the fields validators ask about ("member.citizen_id"),
 * which records hold which value, so that a rule across records checks a
 * changed set without reading the whole repository. It is a cache kept
 * beside the repository (<gitdir>/hoso-index.sqlite, SQLite): it names the
 * tree it reflects and follows main by diffing trees, and is rebuilt from
 * scratch when it is missing, damaged or indexes other fields. Nothing in
 * it is ever the only copy of anything.
 */

#include <git2.h>
#include "hoso/repo.h"

typedef struct hoso_findex hoso_findex;

/* Open (or create) the index of `fields` ("type.field", `n` of them). */
int hoso_findex_open(hoso_findex **out, hoso_repo *repo, const char *const *fields, size_t n);
void hoso_findex_free(hoso_findex *ix);

/* Bring the index to `tree` (NULL: empty) and keep it there. */
int hoso_findex_update(hoso_findex *ix, const git_tree *tree);

/*
 * A scratch view on top of the updated index: changes applied between begin
 * and discard are seen by hoso_findex_find and then forgotten.
 */
int hoso_findex_begin(hoso_findex *ix);
/* Record `id` now reads `data` in `unit` (NULL: removed). */
int hoso_findex_apply(hoso_findex *ix, const char *unit, const char *id, const char *data,
	size_t len);
void hoso_findex_discard(hoso_findex *ix);

/* 1 if `field` ("type.field") is indexed. */
int hoso_findex_has(const hoso_findex *ix, const char *field);

/*
 * Call `cb` with the unit and id of every record whose `field` holds
 * `value`; a non-zero return stops.
 */
int hoso_findex_find(hoso_findex *ix, const char *field, const char *value,
	int (*cb)(const char *unit, const char *id, void *payload), void *payload);

/* Call `cb` with every value of `field` and the record holding it. */
int hoso_findex_each(hoso_findex *ix, const char *field,
	int (*cb)(const char *value, const char *unit, const char *id, void *payload), void *payload);

/*
 * Where record `id` is, if the index holds any field of it: 1 with its unit
 * and type, else 0 (look in the tree).
 */
int hoso_findex_locate(hoso_findex *ix, const char *id, char unit[64], char type[64]);

#endif
