#ifndef HOSO_REPO_H
#define HOSO_REPO_H

/*
 * A data repository: an ordinary git repository (bare by default) holding
 * hoso.json, access.json, schemas/ and data/<unit>/<type>/<shard>/<id>.json
 * on the branch main.
 */

#include <stddef.h>
#include <jansson.h>
#include <git2.h>
#include "errors.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HOSO_BRANCH "refs/heads/main"

typedef struct hoso_repo hoso_repo;

typedef struct {
	const char *code;
	const char *name;
	const char *level;      /* "tinh", "huyen", "xa", ... */
	const char *parent;     /* code, or NULL */
	const char *valid_from; /* YYYY-MM-DD or NULL */
	const char *valid_to;   /* YYYY-MM-DD or NULL */
} hoso_unit;

typedef struct {
	unsigned int version;
	const char *province;   /* required: the province code ("02") */
	const char *name;       /* required: the province's name */
	const json_t *units;    /* optional, borrowed: {"units": [{"code", "name", ...}]} */
	const char *schema_dir; /* where the project's schemas are; NULL: the installed ones */
	const char *admin;      /* the first admin in access.json; NULL: "admin" */
	const char *author_name;  /* if set (with author_email): stored as the new */
	const char *author_email; /* repository's git user.name and user.email */
} hoso_init_options;

#define HOSO_INIT_OPTIONS_VERSION 1
#define HOSO_INIT_OPTIONS_INIT { HOSO_INIT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Make a new bare data repository at `path` (which must not exist or be an
 * empty directory) with one initial commit by the configured git user.
 * Problems with the units are appended to `problems` (HOSO_EINVALID).
 */
int hoso_repo_init(hoso_repo **out, const char *path, const hoso_init_options *opts,
	hoso_problems *problems);

/*
 * Open the data repository at `path` (a bare repository or a working tree),
 * or, with `path` NULL, where git's environment says (GIT_DIR,
 * GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES: a hook sees the
 * objects of the push it is asked about).
 */
int hoso_repo_open(hoso_repo **out, const char *path);

void hoso_repo_free(hoso_repo *repo);

/*
 * Whether hoso's own pack writer fsyncs the packs it writes and their
 * directory (1, the default), as GIT_OPT_ENABLE_FSYNC_GITDIR does for what
 * libgit2 writes. Process-wide; set it before any write. Turning it off
 * makes a write not durable across power loss: the program does so only for
 * the durability benchmark (HOSO_NO_FSYNC=1, tests/bench/bench_fsync.sh).
 */
void hoso_repo_set_fsync(int enabled);

/* The git directory, and the working tree (NULL when bare). Borrowed. */
const char *hoso_repo_path(const hoso_repo *repo);
const char *hoso_repo_workdir(const hoso_repo *repo);

/* The underlying libgit2 handle (borrowed; for sync and plugins). */
git_repository *hoso_repo_git(hoso_repo *repo);

const char *hoso_repo_province(const hoso_repo *repo);
const char *hoso_repo_province_name(const hoso_repo *repo);

/* The replica's own unit (git config hoso.unit), or NULL. */
const char *hoso_repo_own_unit(const hoso_repo *repo);

/* Make `code` (a unit of hoso.json) the replica's own unit (git config hoso.unit). */
int hoso_repo_set_own_unit(hoso_repo *repo, const char *code);

size_t hoso_repo_unit_count(const hoso_repo *repo);
const hoso_unit *hoso_repo_unit_at(const hoso_repo *repo, size_t i);
const hoso_unit *hoso_repo_unit_find(const hoso_repo *repo, const char *code);

/* hoso.json at the tip, as read (borrowed until the next reload). */
const json_t *hoso_repo_config(const hoso_repo *repo);

/* The schemas of the repository's schemas/ at the tip (borrowed). */
const hoso_schema_set *hoso_repo_schemas(const hoso_repo *repo);

/* The schema of one type, loading only that one (borrowed), or NULL if unknown. */
const hoso_schema *hoso_repo_schema(const hoso_repo *repo, const char *type);

/* The tip of main. */
int hoso_repo_head(git_oid *out, hoso_repo *repo);

/*
 * The author of new commits: git config user.name and user.email. When
 * either is missing, HOSO_ENOTFOUND with a message saying so.
 */
int hoso_repo_signature(git_signature **out, hoso_repo *repo);

/*
 * The role access.json gives `user` ("admin", "province", "clerk"), or NULL.
 * Borrowed until the next call.
 */
const char *hoso_repo_role(hoso_repo *repo, const char *user);

/*
 * Pin (or, with `sha256` NULL, unpin) plugin `name` in hoso.json, as one
 * commit: every replica and CI then runs that very file. `url` may be NULL.
 */
int hoso_repo_pin_plugin(hoso_repo *repo, const char *name, const char *version,
	const char *sha256, const char *url);

/* Re-read hoso.json and schemas/ from the tip (after another writer). */
int hoso_repo_reload(hoso_repo *repo);

#ifdef __cplusplus
}
#endif

#endif
