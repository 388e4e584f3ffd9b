#ifndef HOSO_ACCESS_H
#define HOSO_ACCESS_H

/*
 * access.json: who may write what.
 *
 *   {"format": 1, "users": {NAME: {"role": "admin" | "province" | "clerk",
 *                                  "units": [CODE, ...]}}}
 *
 * An admin may write anything; a province user anything under data/; a
 * clerk only under data/<unit>/ of the units they hold ("units", at least
 * one, each a unit of hoso.json). Admins and province users hold no units.
 * There is at least one admin. No other keys. User names are not empty and
 * hold no control characters; like every string in the repository they are
 * compared in NFC. The file is written canonically (hoso/json.h), so equal
 * contents are equal bytes.
 */

#include <stddef.h>
#include <git2.h>
#include "errors.h"
#include "repo.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hoso_access hoso_access;

/*
 * Parse and check access.json text. `where` names it in problems
 * ("access.json"). `repo` (may be NULL) is used to check that a clerk's
 * units exist in hoso.json. Problems (HOSO_EINVALID returned, *out NULL)
 * name the field ("users.clerk-026.role") and the rule. `problems` may be
 * NULL. `*out` is the caller's, freed with hoso_access_free.
 */
int hoso_access_parse(hoso_access **out, const char *text, size_t len, const char *where,
	hoso_repo *repo, hoso_problems *problems);

/*
 * access.json of `tree` (NULL: the tip of main), its clerks' units checked
 * against hoso.json of the same tree. A missing file is a problem too
 * (HOSO_EINVALID).
 */
int hoso_access_load(hoso_access **out, hoso_repo *repo, const git_tree *tree,
	hoso_problems *problems);

/* Accepts NULL. */
void hoso_access_free(hoso_access *a);

/*
 * The role of `user` ("admin", "province", "clerk"), or NULL when
 * access.json does not name them. Borrowed from `a`.
 */
const char *hoso_access_role(const hoso_access *a, const char *user);

/*
 * The units a clerk holds: a borrowed array of `*n` codes in bytewise
 * order, followed by NULL; empty (not NULL) for anyone else.
 */
const char *const *hoso_access_units(const hoso_access *a, const char *user, size_t *n);

/*
 * 1 if `user` may write repository path `path`: an admin anything; province
 * any path under "data/"; a clerk only under "data/<unit>/" of a unit they
 * hold; anyone else nothing. A path with an empty, "." or ".." component
 * is under no directory.
 */
int hoso_access_may_write(const hoso_access *a, const char *user, const char *path);

/* The number of users, and the name of the `i`th in bytewise order (borrowed; NULL past the end). */
size_t hoso_access_count(const hoso_access *a);
const char *hoso_access_user_at(const hoso_access *a, size_t i);

/*
 * Set (add or replace) `user` with `role` and, for a clerk, `units` (n >= 1,
 * each known in hoso.json; stored in bytewise order, each once), as one
 * commit by the repository's git user. Admin/province take no units.
 * HOSO_EINVALID with problems (on the whole resulting file) for a bad
 * role/unit, nothing committed. No commit when nothing changes.
 */
int hoso_access_set(hoso_repo *repo, const char *user, const char *role,
	const char *const *units, size_t n, hoso_problems *problems);

/*
 * Remove `user` as one commit; HOSO_ENOTFOUND if absent; HOSO_EINVALID
 * (with a problem) when it would leave no admin.
 */
int hoso_access_remove(hoso_repo *repo, const char *user, hoso_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
