#ifndef HOSO_MERGE_H
#define HOSO_MERGE_H

/*
 * The three-way merge of one record, field by field: what sync does with a
 * record changed on both sides since their common base.
 *
 * - A field changed on one side only: that side's value.
 * - Objects: merged recursively, field by field.
 * - Arrays the schema marks as sets ("x-set"): base, plus what either side
 *   added, minus what either side removed; the result sorted bytewise.
 * - Other arrays and scalars changed on both sides to different values: a
 *   conflict. The winner is the side with the later stamp (then, on equal
 *   stamps, the greater tiebreak string), so every replica that merges the
 *   same two versions, whichever side it is on, picks the same winner.
 * - Edited on one side, deleted on the other: the edit stays, and one
 *   conflict on the whole record (field "") records the deletion.
 * - Deleted on both sides: deleted.
 * - Created on both sides (no base): merged as if the base were {}.
 */

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "errors.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { HOSO_MERGE_OURS = 1, HOSO_MERGE_THEIRS = 2 } hoso_merge_side;

typedef struct {
	unsigned int version;
	int64_t ours_stamp;          /* e.g. the commit time of our change */
	int64_t theirs_stamp;
	const char *ours_tiebreak;   /* e.g. our commit id; may be NULL */
	const char *theirs_tiebreak;
} hoso_merge_options;

#define HOSO_MERGE_OPTIONS_VERSION 1
#define HOSO_MERGE_OPTIONS_INIT { HOSO_MERGE_OPTIONS_VERSION, 0, 0, NULL, NULL }

typedef struct {
	char *field;              /* dotted path ("education.general"); "" for the whole record */
	json_t *ours;             /* our value (new reference), NULL when absent or deleted */
	json_t *theirs;           /* their value (new reference), NULL when absent or deleted */
	hoso_merge_side winner;
	int deleted;              /* an edit against a deletion */
} hoso_merge_conflict;

typedef struct {
	json_t *merged;           /* new reference; NULL when the record is deleted */
	hoso_merge_conflict *conflicts;
	size_t nconflicts;
} hoso_merge_result;

/*
 * Merge `ours` and `theirs` (either NULL: deleted) from `base` (NULL: none).
 * All borrowed. `schema` (may be NULL) tells which arrays are sets. Fills
 * `*out`, to be released with hoso_merge_result_clear.
 */
int hoso_merge_record(hoso_merge_result *out, const json_t *base, const json_t *ours,
	const json_t *theirs, const hoso_schema *schema, const hoso_merge_options *opts);

void hoso_merge_result_clear(hoso_merge_result *result);

#ifdef __cplusplus
}
#endif

#endif
