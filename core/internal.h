#ifndef HOSO_CORE_INTERNAL_H
#define HOSO_CORE_INTERNAL_H

/* The repository and transaction internals shared by repo.c, txn.c and read.c. */

#include <git2.h>
#include <jansson.h>
#include "hoso/repo.h"
#include "hoso/record.h"

struct hoso_repo {
	git_repository *git;
	char *gitdir;
	char *workdir;
	char *own_unit;
	json_t *config;           /* hoso.json at the tip */
	hoso_unit *units;
	size_t nunits;
	hoso_schema_set *schemas; /* each type loaded on first use */
	int all_schemas;          /* every type is loaded */
	int from_env;             /* opened where git's environment says */
};

/* The same repository opened again, for another thread (libgit2's handles are one thread's). */
int hoso_repo_open_again(hoso_repo **out, const hoso_repo *repo);
int hoso_repo_git_again(git_repository **out, const hoso_repo *repo);

/* Take hoso.json from `tree` (the tip's, or the hub's for a merge that takes it); hoso_repo_reload goes back to the tip's. */
int hoso_repo_units_from(hoso_repo *repo, const git_tree *tree);

/* The tree of main's tip (new reference), or NULL with 0 when main is unborn. */
int hoso_repo_tip_tree(git_tree **out, git_oid *commit, hoso_repo *repo);

/* Read the blob at `path` in `tree`: HOSO_ENOTFOUND if none. */
int hoso_tree_read(git_blob **out, git_repository *git, const git_tree *tree, const char *path);

/*
 * Find record `id` in `tree` by looking in every unit's directory, under
 * `type` or, when `type` is NULL, under every type there: 1 found (its unit
 * in `unit`, its type in `type_out` if not NULL), 0 not.
 */
int hoso_tree_find(char unit[64], char *type_out, hoso_repo *repo, const git_tree *tree,
	const char *type, const char *id);

/*
 * A transaction that only checks: changes staged on top of `base` (NULL:
 * empty), seen by reads and checks as a commit would see them; no lock is
 * taken and it cannot commit.
 */
int hoso_txn_begin_check(hoso_txn **out, hoso_repo *repo, const git_tree *base,
	const hoso_txn_options *opts);

/* Make the transaction's commit a merge: `theirs` becomes its second parent. */
void hoso_txn_set_merge_parent(hoso_txn *txn, const git_oid *theirs);

/* Seconds the transaction's commit checks (rules across records) took. */
double hoso_txn_check_seconds(const hoso_txn *txn);

/* The commit the transaction started from (zero when main was unborn). */
const git_oid *hoso_txn_base(const hoso_txn *txn);

/*
 * Stage record `id` of `type` in `unit` as the blob `blob`, already in the
 * object database and already checked (a record taken as it is from the
 * hub). A record of that id elsewhere is moved.
 */
int hoso_txn_put_blob(hoso_txn *txn, const char *unit, const char *type, const char *id,
	const git_oid *blob);

/*
 * Stage record `id` at `path` exactly, as a diff of two trees gives it: its
 * blob (already in the object database), or NULL when the path goes. No
 * search for the id elsewhere: stage a move's removal before its addition.
 */
int hoso_txn_stage_path(hoso_txn *txn, const char *path, const char *id, const char *unit,
	const char *type, const git_oid *blob);

/* Stage a file that is not a record (hoso.json, access.json, schemas/). */
int hoso_txn_put_file(hoso_txn *txn, const char *path, const char *data, size_t len);

/* A file that differs between two trees: its blob before and after (NULL where none). */
typedef int (*hoso_delta_cb)(const char *path, const git_oid *old, const git_oid *new,
	void *payload);

/*
 * Call `cb` for every file that differs between `a` and `b` (either may be
 * NULL: empty), in path order, `prefix` put before each path. Only subtrees
 * whose ids differ are read. A non-zero return stops the walk.
 */
int hoso_tree_delta(git_repository *git, const git_tree *a, const git_tree *b,
	const char *prefix, hoso_delta_cb cb, void *payload);

/* 1 if `s` may be a unit's code: 1 to 16 letters, digits, '-' or '_'. */
int hoso_unit_code_valid(const char *s);

/* data/<unit>/<type>/<shard>/<id>.json: 1 with the parts filled, 0 when not a record path. */
int hoso_record_path_parse(const char *path, char unit[64], char type[64],
	char id[HOSO_ID_LEN + 1]);

#endif
