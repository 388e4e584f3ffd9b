#ifndef HOSO_UNIT_H
#define HOSO_UNIT_H

/*
 * Units change: an admin adds, closes, merges and splits them, each change
 * one commit. A closed unit stays in hoso.json with "valid_to" (its last
 * day) and "successors"; its records move to the successors' directories,
 * keeping their ids; hoso.json's "reorganizations" keeps, for each merge
 * and split, the day it took effect and the commit before it, so that a
 * record's unit on an earlier day can be told ("as of").
 */

#include <stddef.h>
#include <jansson.h>
#include <git2.h>
#include "errors.h"
#include "record.h"
#include "repo.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	HOSO_UNIT_ADD = 1,
	HOSO_UNIT_CLOSE,
	HOSO_UNIT_MERGE,
	HOSO_UNIT_SPLIT
} hoso_unit_op;

typedef struct {
	unsigned int version;
	hoso_unit_op op;
	const char *on;                  /* YYYY-MM-DD: the first day of the new units (close: the day it closes) */
	const char *const *from;         /* close, split: one unit; merge: one or more */
	size_t nfrom;
	const char *const *into;         /* merge: one unit; split: two or more (existing, open) */
	size_t ninto;
	/*
	 * split: "FIELD=VALUE[,VALUE...]", the Nth for into[N]; as many as
	 * `into`, or one fewer and the last of `into` takes the rest. A record
	 * without FIELD goes where the record it belongs to goes (by cell_id,
	 * member_id, parent_id, then any other *_id).
	 */
	const char *const *by;
	size_t nby;
	const char *const *dissolve;     /* merge, split: the levels of organizations closed */
	size_t ndissolve;
	const char *reparent_to;         /* the organization that takes the dissolved ones' children */
	const char *code, *name, *level, *parent, *from_date; /* add */
	const hoso_txn_options *txn;     /* may be NULL */
} hoso_unit_change;

#define HOSO_UNIT_CHANGE_VERSION 1
#define HOSO_UNIT_CHANGE_INIT { HOSO_UNIT_CHANGE_VERSION, 0 }

typedef struct {
	size_t moved;      /* records moved to another unit */
	size_t dissolved;  /* organizations closed */
	size_t reparented; /* organizations given a new parent */
	size_t users;      /* access.json users given the successors of their units */
	git_oid commit;
} hoso_unit_result;

/*
 * Make the change as one commit on main. HOSO_EUSAGE for a change that
 * cannot be (an unknown or closed unit, a bad date), HOSO_EINVALID with the
 * problems appended when records refuse it (a split rule leaving records
 * without a place, an organization the schema refuses after the change).
 */
int hoso_unit_apply(hoso_unit_result *out, hoso_repo *repo, const hoso_unit_change *change,
	hoso_problems *problems);

/* 1 if `unit` was open on `date` (valid_from <= date <= valid_to). */
int hoso_unit_open_on(const hoso_unit *unit, const char *date);

/*
 * The unit a record of closed unit `unit` goes to under `config` (a
 * hoso.json): its successor, chosen among several as the split chose: by
 * its rules on `record` (may be NULL), else where what the record belongs
 * to is now (`unit_of`, may be NULL: the unit of a record by id, or NULL),
 * else the split's last unit without a rule, else its first. NULL when
 * `unit` is open or has no successor. Borrowed from `config`.
 */
const char *hoso_unit_successor(const json_t *config, const char *unit, const json_t *record,
	const char *(*unit_of)(const char *id, void *payload), void *payload);

/* The codes `config` (a hoso.json) lists under `key` ("successors", "predecessors") of `unit`, as "A, B" in `buf` ("" if none). */
const char *hoso_unit_codes(char *buf, size_t size, const json_t *config, const char *unit,
	const char *key);

/*
 * A replica whose own unit was closed into one successor (a merge) follows
 * it: its unit becomes the successor (the last of a chain), as the admin's
 * change says. 1 when it switched, with the codes in `from` and `to`; 0
 * when there was nothing to do or the choice is the clerk's (a split:
 * several successors, in `to` as "A, B").
 */
int hoso_unit_follow(hoso_repo *repo, char from[64], char to[256]);

/*
 * Units as they were on a day: the unit each record was in then, told by
 * the commit before each reorganization that took effect after it.
 */
typedef struct hoso_units_as_of hoso_units_as_of;

/* `*out` is NULL (and 0 returned) when no reorganization took effect after `date`. */
int hoso_units_as_of_new(hoso_units_as_of **out, hoso_repo *repo, const char *date);

/*
 * The unit record `id`, now in `unit`, was in on the day (borrowed).
 * A record that was not there before the reorganization (written after it,
 * in a unit it made) is where what it belongs to was (its cell_id,
 * member_id, parent_id...), read from `data` (its JSON; may be NULL), else
 * in `unit`. Accepts a NULL view.
 */
const char *hoso_units_as_of_unit(const hoso_units_as_of *view, const char *id, const char *unit,
	const char *data, size_t len);

/*
 * Organization `id` as it was on the day, when a reorganization since has
 * changed it (closed it, gave it a new parent): its blob before the first
 * reorganization after the day. NULL: read it as it is now. Corrections
 * made to it after that reorganization are not seen on an earlier day.
 */
const git_oid *hoso_units_as_of_org(const hoso_units_as_of *view, const char *id);

void hoso_units_as_of_free(hoso_units_as_of *view);

#ifdef __cplusplus
}
#endif

#endif
