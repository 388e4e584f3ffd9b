#ifndef HOSO_RECORD_H
#define HOSO_RECORD_H

/*
 * Reading and writing records. Every write is a transaction: take the
 * repository's writer lock (waiting briefly for another writer), stage
 * changes, and commit them as one commit that moves main by compare-and-swap.
 * Small transactions write loose objects; large ones one packfile.
 */

#include <stddef.h>
#include <jansson.h>
#include <git2.h>
#include "errors.h"
#include "id.h"
#include "repo.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hoso_txn hoso_txn;

/* A record of a walk: `data` its canonical bytes, not NUL-terminated. */
typedef int (*hoso_record_cb)(const char *unit, const char *type, const char *id,
	const char *data, size_t len, void *payload);

/*
 * Called for each record put, after the schema accepted it, with its
 * canonical text: append problems (errors refuse the record, warnings are
 * kept) and return 0, or a negative code when the check itself failed.
 * How plugins' validators join every write without core depending on them.
 */
typedef int (*hoso_check_cb)(const char *type, const char *unit, const char *id,
	const char *json, size_t len, hoso_problems *problems, void *payload);

/*
 * Called once by hoso_txn_commit, before anything is written, with the
 * transaction holding every change: rules across records (a citizen id
 * used twice, a reference to a record that is gone). Same contract as
 * hoso_check_cb.
 */
typedef int (*hoso_commit_check_cb)(hoso_txn *txn, hoso_problems *problems, void *payload);

typedef struct {
	unsigned int version;
	unsigned int lock_timeout_ms; /* how long to wait for another writer; 0: 10000 */
	int pack;                     /* 1: write one packfile; 0: loose objects; -1: by size */
	hoso_check_cb check_cb;       /* may be NULL */
	void *check_payload;          /* for both checks */
	hoso_commit_check_cb commit_check; /* may be NULL */
	hoso_problems *problems;      /* where the commit check's findings go; may be NULL */
} hoso_txn_options;

#define HOSO_TXN_OPTIONS_VERSION 1
#define HOSO_TXN_OPTIONS_INIT { HOSO_TXN_OPTIONS_VERSION, 0, -1, NULL, NULL, NULL, NULL }

typedef enum {
	HOSO_PUT_CREATE = 1,  /* the id must not exist yet */
	HOSO_PUT_REPLACE = 2, /* the id must exist (in any unit; it moves to `unit`) */
	HOSO_PUT_UPSERT = 3
} hoso_put_mode;

int hoso_txn_begin(hoso_txn **out, hoso_repo *repo, const hoso_txn_options *opts);

/*
 * Validate `record` (borrowed: an object with "type" and, unless it is new,
 * "id") and stage it under `unit`. A record without an id gets a new one.
 * Returns 0; HOSO_EINVALID with the problems appended (located at `where` and
 * `line`) and nothing staged; HOSO_EEXISTS / HOSO_ENOTFOUND by `mode`.
 * `id_out` may be NULL.
 */
int hoso_txn_put(hoso_txn *txn, const char *unit, const json_t *record, hoso_put_mode mode,
	const char *where, size_t line, hoso_problems *problems, char id_out[HOSO_ID_LEN + 1]);

/* Stage the removal of record `id`: HOSO_ENOTFOUND if there is none. */
int hoso_txn_remove(hoso_txn *txn, const char *id);

/*
 * The record `id` as this transaction sees it (staged changes included):
 * `*out` a new reference, `unit_out` (may be NULL) a borrowed string valid
 * until the next call on the transaction. HOSO_ENOTFOUND if none.
 */
int hoso_txn_get(json_t **out, const char **unit_out, hoso_txn *txn, const char *id);

/* Number of staged changes. */
size_t hoso_txn_count(const hoso_txn *txn);

/*
 * Write the staged changes as one commit on main with `message`. With
 * nothing to change, no commit is made and `*out` (may be NULL) is the tip.
 * HOSO_EINVALID, nothing written, when the commit check found errors.
 */
int hoso_txn_commit(hoso_txn *txn, const char *message, git_oid *out);

/*
 * Every record the transaction changes, in no particular order: `data` its
 * new canonical text, or NULL (with `unit` and `type` NULL) when it goes.
 */
int hoso_txn_foreach_change(hoso_txn *txn, hoso_record_cb cb, void *payload);

/* The id of every record the transaction puts or removes, without reading it. */
int hoso_txn_foreach_id(hoso_txn *txn, int (*cb)(const char *id, void *payload), void *payload);

/*
 * Record `id` as the transaction sees it, as its stored bytes: `*data`
 * malloc'd, `unit` and `type` (may be NULL) filled. HOSO_ENOTFOUND if none.
 */
int hoso_txn_read(char **data, size_t *len, char unit[64], char type[64], hoso_txn *txn,
	const char *id);

/* 1 if the transaction puts or removes record `id`. */
int hoso_txn_changes(const hoso_txn *txn, const char *id);

/* The tree the transaction started from (borrowed; NULL when main was unborn). */
const git_tree *hoso_txn_base_tree(const hoso_txn *txn);

/* Drop what was not committed and release the lock. Accepts NULL. */
void hoso_txn_free(hoso_txn *txn);

/* 1 if `s` is a real calendar date written YYYY-MM-DD, else 0. */
int hoso_date_valid(const char *s);

/* Read record `id` at the tip. `unit_out` (may be NULL) gets a malloc'd code. */
int hoso_record_get(json_t **out, char **unit_out, hoso_repo *repo, const char *id);

/* The path of record `id` at the tip (malloc'd), or HOSO_ENOTFOUND. */
int hoso_record_path(char **out, hoso_repo *repo, const char *id);

/*
 * Call `cb` for every record of `type` (NULL: all types) in `unit` (NULL: all
 * units) at `tree` (NULL: the tip), in path order. `data` is the record's
 * canonical bytes, not NUL-terminated. A non-zero return from `cb` stops the
 * walk and is returned.
 */
int hoso_record_foreach(hoso_repo *repo, const git_tree *tree, const char *type,
	const char *unit, hoso_record_cb cb, void *payload);

/* Record `id` in one commit: its blob and unit, or `present` 0. */
typedef struct {
	int present;
	git_oid blob;
	char unit[64];
} hoso_record_state;

/*
 * Record `id` (of `type`; NULL: any) in commit `c` and in its first parent:
 * 1 when the commit changed it (its bytes or its unit), else 0.
 */
int hoso_record_changed(hoso_record_state *now, hoso_record_state *before, hoso_repo *repo,
	const git_commit *c, const char *type, const char *id);

/* The repository path of a record. `*out` malloc'd. */
int hoso_record_path_for(char **out, const char *unit, const char *type, const char *id);

/*
 * Set the dotted `field` of `record` from text: parsed as JSON when `is_json`
 * (FIELD:=JSON), else a string converted to the integer, number or boolean
 * the schema declares (FIELD=VALUE). Missing parent objects are made.
 * HOSO_EINVALID with a problem naming the field when the text does not
 * convert. `schema` may be NULL (everything stays a string).
 */
int hoso_record_set(json_t *record, const hoso_schema *schema, const char *field,
	const char *value, int is_json, hoso_problems *problems);

/* Set the dotted `field` to `value` (borrowed), making missing parent objects. */
int hoso_record_set_value(json_t *record, const char *field, json_t *value);

/* Remove the dotted `field`; HOSO_ENOTFOUND if it was not there. */
int hoso_record_unset(json_t *record, const char *field);

/*
 * A one-line summary of a record: its name, title or kind; a code shown by
 * its label in `lang` ("vi", "en"; NULL: the code). Borrowed; "" if none.
 */
const char *hoso_record_title(const json_t *record, const hoso_schema *schema, const char *lang);

/*
 * The commit message of a one-record change into `buf`: "<verb> <type> <id>
 * in <unit>", " (<via>)" when `via` is given, then the record's title (at
 * most 160 bytes, cut between characters) after a blank line.
 */
void hoso_record_commit_message(char *buf, size_t size, const char *verb, const char *type,
	const char *id, const char *unit, const json_t *record, const char *via);

#ifdef __cplusplus
}
#endif

#endif
