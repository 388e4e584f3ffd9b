#ifndef HOSO_SYNC_H
#define HOSO_SYNC_H

/*
 * Replication with the province's hub: a replica is a bare clone that knows
 * its unit (git config hoso.unit), with the hub as remote "origin". Sync
 * fetches the hub's main, merges it into the local main record by record,
 * and pushes; a push refused because another replica pushed first is
 * retried after fetching and merging again.
 */

#include <stddef.h>
#include <git2.h>
#include "errors.h"
#include "record.h"
#include "repo.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress of a transfer: objects and bytes received or sent so far. */
typedef void (*hoso_progress_cb)(const char *what, size_t done, size_t total, size_t bytes,
	void *payload);

/* Ask for a password (e.g. on a terminal); return a malloc'd string or NULL. */
typedef char *(*hoso_password_cb)(const char *url, const char *user, void *payload);

typedef struct {
	unsigned int version;
	const char *user;          /* NULL: the URL's user, else $HOSO_USER */
	const char *password;      /* NULL: $HOSO_PASSWORD, else password_cb */
	hoso_password_cb password_cb;
	unsigned int deadline_s;   /* the whole network operation; 0: 120 s */
	unsigned int retries;      /* pushes refused by a race; 0: 8 */
	hoso_progress_cb progress_cb;
	void *payload;
	/*
	 * How the merge writes, like any local write: its validators, and where
	 * their findings go (write->problems). NULL: the schemas only.
	 */
	const hoso_txn_options *write;
	/*
	 * The verify the hub runs, run before every push on what it would
	 * receive, as the user it will see: problems go where the merge's do,
	 * and nothing is pushed (HOSO_EINVALID). NULL: no verify.
	 */
	const hoso_verify_options *verify;
} hoso_sync_options;

#define HOSO_SYNC_OPTIONS_VERSION 1
#define HOSO_SYNC_OPTIONS_INIT { HOSO_SYNC_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }

/*
 * Clone the hub at `url` (http(s)://[user@]host/... or a local path) into a
 * new bare replica at `path` for `unit`. The password is never stored: the
 * remote keeps the URL without it. HOSO_EOFFLINE when the hub cannot be
 * reached; HOSO_ENOTFOUND when `unit` is not one of the hub's units.
 */
int hoso_clone(hoso_repo **out, const char *url, const char *path, const char *unit,
	const hoso_sync_options *opts);

typedef struct {
	size_t received_commits;  /* new commits from the hub */
	size_t merged_records;    /* records changed on both sides, merged */
	size_t conflicts;         /* conflict records written */
	size_t sent_commits;      /* commits the hub did not have */
	unsigned int attempts;    /* pushes tried */
	int fast_forward;         /* the local main only moved forward */
	double fetch_s, merge_s, push_s;
	double check_s;           /* of merge_s: the validators on the merge, as on any local write */
	/*
	 * The replica's unit, closed by the admin: `unit_was` it was, and
	 * `unit_now` it follows (hoso_unit_follow: a merge's one successor), or
	 * "" with `unit_choice` the successors it may choose from (a split).
	 */
	char unit_was[64], unit_now[64], unit_choice[256];
} hoso_sync_stats;

/*
 * Fetch, merge, push. HOSO_EOFFLINE when the hub cannot be reached (every
 * local commit is kept; `stats->sent_commits` says how many wait);
 * HOSO_EINVALID when the merged result breaks a rule (nothing is pushed).
 */
int hoso_sync_run(hoso_repo *repo, const hoso_sync_options *opts, hoso_sync_stats *stats);

/* Commits on the local main the hub's main (as last fetched) lacks, and the reverse. */
int hoso_sync_ahead_behind(size_t *ahead, size_t *behind, hoso_repo *repo);

/*
 * The user the hub sees this replica as, when it syncs with `opts`: the
 * user given, else the user of remote origin's URL, else $HOSO_USER.
 * `*out` is malloc'd, or NULL when there is none. HOSO_EUSAGE without a
 * remote origin.
 */
int hoso_sync_user(char **out, hoso_repo *repo, const hoso_sync_options *opts);

/*
 * The hub's main now: connect to remote origin as a sync does (the same
 * user, password and deadline) and read the hub's refs, fetching nothing.
 * `*out` is zero when the hub has no main. HOSO_EOFFLINE when the hub
 * cannot be reached ("cannot reach 'URL': ..."), HOSO_ERROR when it
 * refuses (a user or password, a status), HOSO_EUSAGE without a remote origin.
 */
int hoso_sync_hub_tip(git_oid *out, hoso_repo *repo, const hoso_sync_options *opts);

/*
 * Whether a sync runs on this replica now: 1 (its pid in *pid, 0 when not
 * known yet); or was killed mid-way: 2 (its pid), and the next sync clears
 * what it left; or neither: 0. Nothing is taken or changed.
 */
int hoso_sync_running(long *pid, hoso_repo *repo);

/*
 * Settle the open conflicts on `field` of record `record_id` ("." or "":
 * an edit against a deletion, the whole record) by keeping "ours",
 * "theirs" or, for a field, a new value given as text (as FIELD=VALUE), in
 * one commit through `opts` (the validators) that also removes those
 * conflict records. HOSO_ENOTFOUND when none is open; HOSO_EUSAGE for a
 * value against a deletion; HOSO_EINVALID with `problems`.
 */
int hoso_conflict_resolve(hoso_repo *repo, const hoso_txn_options *opts, const char *record_id,
	const char *field, const char *take, hoso_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
