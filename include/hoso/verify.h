#ifndef HOSO_VERIFY_H
#define HOSO_VERIFY_H

/*
 * Verify what a range of commits did to a data repository, as CI and the
 * hub's pre-receive hook must: every file the range changes (its net
 * change, as the tip holds it) is a valid record at its right path, or a
 * valid hoso.json, access.json or schema; the rules across records hold at
 * the tip; and the user who pushed it may write every path it changes.
 * The cost grows with what the range changes, not with the repository.
 */

#include <git2.h>
#include "errors.h"
#include "record.h"
#include "repo.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The validators of one record (hoso_check_cb's contract), called on more
 * than one thread at once: `repo` is the calling thread's own handle on
 * the repository, for any record it looks up.
 */
typedef int (*hoso_verify_record_cb)(void *payload, hoso_repo *repo, const char *type,
	const char *unit, const char *id, const char *json, size_t len, hoso_problems *problems);

/* Rules across records on `ids` as `txn` sees them (hoso_plugin_set_check_ids). */
typedef int (*hoso_verify_set_cb)(void *payload, hoso_txn *txn, const char *const *ids,
	size_t n, hoso_problems *problems);

typedef struct {
	unsigned int version;
	const char *user;          /* who wrote the range; NULL: who may write is not checked */
	hoso_verify_record_cb record_cb; /* each record's validators; may be NULL */
	hoso_verify_set_cb set_cb; /* the rules across records; may be NULL */
	void *check_payload;       /* for both */
	/* Each path checked; may be NULL. */
	void (*checked_cb)(const char *path, void *payload);
	void *checked_payload;
} hoso_verify_options;

#define HOSO_VERIFY_OPTIONS_VERSION 1
#define HOSO_VERIFY_OPTIONS_INIT { HOSO_VERIFY_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL }

typedef struct {
	git_oid from, to;  /* the range checked; `from` zero when from nothing */
	int has_from;
	size_t checked;    /* paths checked */
} hoso_verify_result;

/*
 * Verify the range `from`..`to` (revisions). `from` NULL: every file of
 * `to` (who may write is then not checked). `from` "": every file of `to`,
 * written by the user. `from` of 40 zeros (a new branch): from its merge
 * base with main; when there is none, every file of `to`, and as the
 * user's only if `to` is not on main already (it wrote nothing new).
 * Problems go to `problems`, each with
 * the path, the field, the rule and the commit that last wrote the path.
 * Returns 0 (look at the problems), HOSO_ENOTFOUND for a revision that is
 * not there, or another code when the check itself failed.
 */
int hoso_verify(hoso_repo *repo, const char *from, const char *to,
	const hoso_verify_options *opts, hoso_verify_result *result, hoso_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
