#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso/json.h"
#include "internal.h"
#include "hoso/unit.h"
#include "lock.h"
#include "map.h"
#include "pack.h"
#include "common.h"

/* Above this many changes a transaction is written as one packfile. */
#define PACK_THRESHOLD 256
/* After this many lookups of one type, index the type's ids once. */
#define INDEX_THRESHOLD 64

typedef struct {
	char *path;
	char *data;             /* canonical bytes; NULL: the path is removed */
	size_t len;
	char id[HOSO_ID_LEN + 1]; /* empty for files that are not records */
	char *unit, *type;
	git_oid oid;            /* the blob, once written to the pack, or already in the odb */
	int written;
	int in_odb;             /* staged by id: the blob is already in the object database */
} change;

/* A staged removal: no bytes and no blob. */
#define REMOVED(c) (!(c)->data && !(c)->in_odb)

struct hoso_txn {
	hoso_repo *repo;
	int lock;
	int pack;
	int has_base;
	git_oid base;
	git_tree *base_tree;
	hoso_map *changes;  /* path -> change */
	hoso_map *ids;      /* id -> the change that last put or removed it */
	hoso_map *indexes;  /* type -> (id -> unit code) of the base tree */
	hoso_map *lookups;  /* type -> number of lookups (as a counter in the pointer) */
	json_t *types;      /* the record types present in the base tree, once asked */
	git_odb *odb;
	hoso_pack *packw;   /* a large transaction's pack, written to as records are staged */
	hoso_check_cb check_cb;
	void *check_payload;
	hoso_commit_check_cb commit_check;
	hoso_problems *problems;
	double check_s;     /* time spent in commit checks */
	git_oid parent2;    /* a merge's second parent */
	int has_parent2;
	int check_only;     /* a view to check changes against a tree: never committed */
	char unit_buf[64];
};

/* A record found in the base tree or staged. */
typedef struct {
	char unit[64];
	char type[64];
	char *path; /* malloc'd */
} location;

static void change_free(change *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->data);
	free(c->unit);
	free(c->type);
	free(c);
}

static void change_free_cb(const char *key, void *value, void *payload)
{
	change_free(value);
}

static void free_value_cb(const char *key, void *value, void *payload)
{
	free(value);
}

static void index_free_cb(const char *key, void *value, void *payload)
{
	hoso_map_foreach(value, free_value_cb, NULL);
	hoso_map_free(value);
}

static int txn_new(hoso_txn **out, hoso_repo *repo, const hoso_txn_options *opts)
{
	hoso_txn_options defaults = HOSO_TXN_OPTIONS_INIT;
	hoso_txn *txn;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!(txn = calloc(1, sizeof(*txn))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	txn->repo = repo;
	txn->lock = -1;
	txn->pack = opts->pack;
	txn->check_cb = opts->check_cb;
	txn->check_payload = opts->check_payload;
	txn->commit_check = opts->commit_check;
	txn->problems = opts->problems;
	if ((error = hoso_map_new(&txn->changes)) < 0 || (error = hoso_map_new(&txn->ids)) < 0 ||
		(error = hoso_map_new(&txn->indexes)) < 0 || (error = hoso_map_new(&txn->lookups)) < 0) {
		hoso_txn_free(txn);
		return error;
	}
	*out = txn;
	return 0;
}

int hoso_txn_begin(hoso_txn **out, hoso_repo *repo, const hoso_txn_options *opts)
{
	hoso_txn *txn;
	int error;

	*out = NULL;
	if ((error = txn_new(&txn, repo, opts)) < 0)
		return error;
	if ((error = hoso_lock_acquire(&txn->lock, repo->gitdir,
		opts && opts->lock_timeout_ms ? opts->lock_timeout_ms : 10000)) < 0)
		goto fail;
	/* Under the lock, the tip cannot move under a well-behaved writer. */
	if ((error = hoso_repo_tip_tree(&txn->base_tree, &txn->base, repo)) < 0)
		goto fail;
	txn->has_base = txn->base_tree != NULL;
	*out = txn;
	return 0;
fail:
	hoso_txn_free(txn);
	return error;
}

int hoso_txn_begin_check(hoso_txn **out, hoso_repo *repo, const git_tree *base,
	const hoso_txn_options *opts)
{
	hoso_txn *txn;
	int error;

	if ((error = txn_new(&txn, repo, opts)) < 0)
		return error;
	txn->check_only = 1;
	txn->pack = 0; /* nothing is written while staging */
	if (base && git_tree_dup(&txn->base_tree, (git_tree *)base) < 0) {
		hoso_txn_free(txn);
		return hoso_error_git(HOSO_ERROR, "cannot read the tree to check against");
	}
	*out = txn;
	return 0;
}

void hoso_txn_free(hoso_txn *txn)
{
	if (!txn)
		return;
	if (txn->changes) {
		hoso_map_foreach(txn->changes, change_free_cb, NULL);
		hoso_map_free(txn->changes);
	}
	hoso_map_free(txn->ids);
	if (txn->indexes) {
		hoso_map_foreach(txn->indexes, index_free_cb, NULL);
		hoso_map_free(txn->indexes);
	}
	hoso_map_free(txn->lookups);
	json_decref(txn->types);
	hoso_pack_free(txn->packw);
	git_odb_free(txn->odb);
	git_tree_free(txn->base_tree);
	hoso_lock_release(txn->lock);
	free(txn);
}

void hoso_txn_set_merge_parent(hoso_txn *txn, const git_oid *theirs)
{
	git_oid_cpy(&txn->parent2, theirs);
	txn->has_parent2 = 1;
}

double hoso_txn_check_seconds(const hoso_txn *txn)
{
	return txn->check_s;
}

const git_oid *hoso_txn_base(const hoso_txn *txn)
{
	return &txn->base;
}

size_t hoso_txn_count(const hoso_txn *txn)
{
	return hoso_map_count(txn->changes);
}

int hoso_record_path_for(char **out, const char *unit, const char *type, const char *id)
{
	char shard[3];

	hoso_id_shard(shard, id);
	if (!(*out = hoso_strdupf("data/%s/%s/%s/%s.json", unit, type, shard, id)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	return 0;
}

static int pack_new(hoso_pack **out, git_odb *odb, hoso_repo *repo)
{
	char *objects = hoso_strdupf("%s/objects", git_repository_commondir(repo->git));
	int error;

	if (!objects)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	error = hoso_pack_new(out, odb, objects);
	free(objects);
	return error;
}

static void unwritten_cb(const char *key, void *value, void *payload)
{
	((change *)value)->written = 0;
}

static void start_pack_cb(const char *key, void *value, void *payload)
{
	change *c = value;
	hoso_txn *txn = payload;

	if (c->data && !c->written && txn->packw &&
		hoso_pack_add(txn->packw, &c->oid, GIT_OBJECT_BLOB, c->data, c->len) == 0)
		c->written = 1;
}

/*
 * A large transaction goes into one pack, started as soon as it is known to
 * be large, so that blobs are compressed (on other cores) while the rest is
 * still being read and checked.
 */
static int feed_pack(hoso_txn *txn, change *c)
{
	int error;

	if (txn->pack == 0 || !c->data)
		return 0;
	if (!txn->packw) {
		if (txn->pack < 0 && hoso_map_count(txn->changes) <= PACK_THRESHOLD)
			return 0;
		if (!txn->odb && git_repository_odb(&txn->odb, txn->repo->git) < 0)
			return hoso_error_git(HOSO_ERROR, "cannot open the object database");
		if ((error = pack_new(&txn->packw, txn->odb, txn->repo)) < 0)
			return error;
		hoso_map_foreach(txn->changes, start_pack_cb, txn);
	}
	if (!c->written) {
		if ((error = hoso_pack_add(txn->packw, &c->oid, GIT_OBJECT_BLOB, c->data, c->len)) < 0)
			return error;
		c->written = 1;
	}
	return 0;
}

/* Stage `data` (taken) at `path`; NULL data removes the path. */
static int stage(hoso_txn *txn, const char *path, char *data, size_t len, const char *id,
	const char *unit, const char *type)
{
	change *c = calloc(1, sizeof(*c)), *old = NULL;

	if (!c || !(c->path = strdup(path)) || (unit && !(c->unit = strdup(unit))) ||
		(type && !(c->type = strdup(type)))) {
		change_free(c);
		free(data);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	c->data = data;
	c->len = len;
	if (id)
		memcpy(c->id, id, HOSO_ID_LEN + 1);
	if (hoso_map_set(txn->changes, path, c, (void **)&old) < 0) {
		change_free(c);
		return HOSO_ERROR;
	}
	change_free(old);
	if (id && hoso_map_set(txn->ids, id, c, NULL) < 0)
		return HOSO_ERROR;
	return feed_pack(txn, c);
}

int hoso_txn_put_file(hoso_txn *txn, const char *path, const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	memcpy(copy, data, len);
	return stage(txn, path, copy, len, NULL, NULL, NULL);
}

int hoso_txn_stage_path(hoso_txn *txn, const char *path, const char *id, const char *unit,
	const char *type, const git_oid *blob)
{
	change *c;
	int error;

	if ((error = stage(txn, path, NULL, 0, id, blob ? unit : NULL, blob ? type : NULL)) < 0 || !blob)
		return error;
	c = hoso_map_get(txn->changes, path);
	git_oid_cpy(&c->oid, blob);
	c->in_odb = 1;
	return 0;
}

static int locate(location *loc, hoso_txn *txn, const char *id, const char *type);

int hoso_txn_put_blob(hoso_txn *txn, const char *unit, const char *type, const char *id,
	const git_oid *blob)
{
	location loc;
	change *c;
	char *path = NULL;
	int error, found;

	if ((error = hoso_record_path_for(&path, unit, type, id)) < 0)
		return error;
	/* Moved: the old file goes in the same commit. */
	if ((found = error = locate(&loc, txn, id, type)) < 0)
		goto done;
	if (found && strcmp(loc.path, path) != 0 &&
		(error = stage(txn, loc.path, NULL, 0, NULL, NULL, NULL)) < 0)
		goto done;
	if ((error = stage(txn, path, NULL, 0, id, unit, type)) < 0)
		goto done;
	c = hoso_map_get(txn->changes, path);
	git_oid_cpy(&c->oid, blob);
	c->in_odb = 1;
done:
	if (found > 0)
		free(loc.path);
	free(path);
	return error;
}

/* The ids of `type` in the base tree, as id -> unit code. */
static int build_index(hoso_map **out, hoso_txn *txn, const char *type)
{
	git_repository *git = txn->repo->git;
	git_tree_entry *data = NULL;
	git_tree *units = NULL;
	hoso_map *index = NULL;
	size_t i, j, k;
	int error;

	if ((error = hoso_map_new(&index)) < 0)
		return error;
	if (!txn->base_tree || git_tree_entry_bypath(&data, txn->base_tree, "data") < 0 ||
		git_tree_lookup(&units, git, git_tree_entry_id(data)) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(units) && error == 0; i++) {
		const git_tree_entry *ue = git_tree_entry_byindex(units, i);
		git_tree *unit = NULL, *shards = NULL;
		const git_tree_entry *te;
		if (git_tree_lookup(&unit, git, git_tree_entry_id(ue)) < 0 ||
			!(te = git_tree_entry_byname(unit, type)) ||
			git_tree_lookup(&shards, git, git_tree_entry_id(te)) < 0) {
			git_tree_free(unit);
			continue;
		}
		for (j = 0; j < git_tree_entrycount(shards) && error == 0; j++) {
			git_tree *shard = NULL;
			if (git_tree_lookup(&shard, git, git_tree_entry_id(git_tree_entry_byindex(shards, j))) < 0)
				continue;
			for (k = 0; k < git_tree_entrycount(shard) && error == 0; k++) {
				const char *name = git_tree_entry_name(git_tree_entry_byindex(shard, k));
				char id[HOSO_ID_LEN + 1], *unit_code;
				if (strlen(name) != HOSO_ID_LEN + 5)
					continue;
				memcpy(id, name, HOSO_ID_LEN);
				id[HOSO_ID_LEN] = '\0';
				if (!(unit_code = strdup(git_tree_entry_name(ue))))
					error = hoso_error_set(HOSO_ERROR, "out of memory");
				else
					error = hoso_map_set(index, id, unit_code, NULL);
			}
			git_tree_free(shard);
		}
		git_tree_free(shards);
		git_tree_free(unit);
	}
done:
	git_tree_free(units);
	git_tree_entry_free(data);
	if (error < 0) {
		hoso_map_foreach(index, free_value_cb, NULL);
		hoso_map_free(index);
		return error;
	}
	*out = index;
	return 0;
}

/* Find `id` of `type` in the base tree: 1 found (unit filled), 0 not, <0 error. */
static int base_find_typed(hoso_txn *txn, const char *type, const char *id, char unit[64])
{
	hoso_map *index = hoso_map_get(txn->indexes, type);
	uintptr_t n;
	int error;

	if (!txn->base_tree)
		return 0;
	if (!index) {
		n = (uintptr_t)hoso_map_get(txn->lookups, type) + 1;
		if ((error = hoso_map_set(txn->lookups, type, (void *)n, NULL)) < 0)
			return error;
		if (n > INDEX_THRESHOLD) {
			if ((error = build_index(&index, txn, type)) < 0 ||
				(error = hoso_map_set(txn->indexes, type, index, NULL)) < 0)
				return error;
		}
	}
	if (index) {
		const char *u = hoso_map_get(index, id);
		if (!u)
			return 0;
		snprintf(unit, 64, "%s", u);
		return 1;
	}
	return hoso_tree_find(unit, NULL, txn->repo, txn->base_tree, type, id);
}

/* The type directories under data/<unit>/ of the base tree, for every unit. */
static json_t *base_types(hoso_txn *txn)
{
	git_tree_entry *data = NULL;
	git_tree *units = NULL, *unit = NULL;
	size_t i, j;

	if (txn->types)
		return txn->types;
	txn->types = json_object();
	if (!txn->base_tree || git_tree_entry_bypath(&data, txn->base_tree, "data") < 0 ||
		git_tree_lookup(&units, txn->repo->git, git_tree_entry_id(data)) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(units); i++) {
		if (git_tree_lookup(&unit, txn->repo->git,
			git_tree_entry_id(git_tree_entry_byindex(units, i))) < 0)
			continue;
		for (j = 0; j < git_tree_entrycount(unit); j++)
			json_object_set_new(txn->types,
				git_tree_entry_name(git_tree_entry_byindex(unit, j)), json_true());
		git_tree_free(unit);
		unit = NULL;
	}
done:
	git_tree_free(units);
	git_tree_entry_free(data);
	return txn->types;
}

/* 1 if `id` is in the base tree as a type other than `type` (named in `other`). */
static int base_find_other(hoso_txn *txn, const char *type, const char *id, char other[64])
{
	const char *t;
	json_t *v;
	char unit[64];
	int found;

	json_object_foreach(base_types(txn), t, v) {
		if (strcmp(t, type) == 0)
			continue;
		if ((found = base_find_typed(txn, t, id, unit)) != 0) {
			snprintf(other, 64, "%s", t);
			return found;
		}
	}
	return 0;
}

/*
 * Where record `id` is as this transaction sees it: 1 found, 0 not, <0 error.
 * `type` NULL searches every type.
 */
static int locate(location *loc, hoso_txn *txn, const char *id, const char *type)
{
	change *c = hoso_map_get(txn->ids, id);
	int found;

	memset(loc, 0, sizeof(*loc));
	if (c) {
		if (REMOVED(c))
			return 0;
		snprintf(loc->unit, sizeof(loc->unit), "%s", c->unit);
		snprintf(loc->type, sizeof(loc->type), "%s", c->type);
	} else if (type) {
		if ((found = base_find_typed(txn, type, id, loc->unit)) <= 0)
			return found;
		snprintf(loc->type, sizeof(loc->type), "%s", type);
	} else if (!hoso_tree_find(loc->unit, loc->type, txn->repo, txn->base_tree, NULL, id)) {
		return 0;
	}
	return hoso_record_path_for(&loc->path, loc->unit, loc->type, id) < 0 ? HOSO_ERROR : 1;
}

int hoso_txn_put(hoso_txn *txn, const char *unit, const json_t *record, hoso_put_mode mode,
	const char *where, size_t line, hoso_problems *problems, char id_out[HOSO_ID_LEN + 1])
{
	size_t before = hoso_problems_count(problems), errors = hoso_problems_errors(problems);
	const char *type = json_string_value(json_object_get(record, "type"));
	const json_t *idv = json_object_get(record, "id");
	const hoso_schema *schema = NULL;
	char id[HOSO_ID_LEN + 1], *path = NULL, *data = NULL;
	json_t *copy = NULL;
	location loc = { "", "", NULL };
	const hoso_unit *u;
	char codes[256];
	size_t len;
	int error = HOSO_EINVALID, found;

	if (!json_is_object(record)) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "type",
			"a record must be a JSON object");
		goto done;
	}
	if (!type)
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "type", "required",
			"is required");
	else if (!(schema = hoso_repo_schema(txn->repo, type)))
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "type", "type",
			"unknown record type '%s'", type);
	if (!unit || !(u = hoso_repo_unit_find(txn->repo, unit)))
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "unit",
			"unknown unit '%s'", unit ? unit : "");
	else if (u->valid_to)
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "unit",
			"unit '%s' was closed after %s; its records are in %s", unit, u->valid_to,
			*hoso_unit_codes(codes, sizeof(codes), hoso_repo_config(txn->repo), unit, "successors") ?
			codes : "no unit");
	if (idv && !hoso_id_valid(json_string_value(idv)))
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "id", "pattern",
			"'%.40s' is not a ULID (26 characters of Crockford base32)",
			json_is_string(idv) ? json_string_value(idv) : "(not a string)");
	if (hoso_problems_errors(problems) > errors)
		goto done;

	if (idv)
		memcpy(id, json_string_value(idv), HOSO_ID_LEN + 1);
	else if ((error = hoso_id_new(id)) < 0)
		goto done;
	if ((found = error = locate(&loc, txn, id, type)) < 0)
		goto done;
	if (found && mode == HOSO_PUT_CREATE) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "id", "exists",
			"record '%s' already exists in unit '%s'", id, loc.unit);
		error = hoso_error_set(HOSO_EEXISTS, "record '%s' already exists", id);
		goto done;
	}
	if (!found && mode == HOSO_PUT_REPLACE) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "id", "exists",
			"no record '%s'", id);
		error = hoso_error_set(HOSO_ENOTFOUND, "no record '%s'", id);
		goto done;
	}
	/* An id given by the caller must not be another type's already. */
	if (!found && idv && (error = base_find_other(txn, type, id, loc.type)) != 0) {
		if (error > 0) {
			found = 1;
			error = 0;
		} else {
			goto done;
		}
	}
	if (found && strcmp(loc.type, type) != 0) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "type", "const",
			"record '%s' is a %s, not a %s", id, loc.type, type);
		error = HOSO_EINVALID;
		goto done;
	}
	if ((error = hoso_json_normalize(&copy, record, problems)) < 0)
		goto done;
	if (copy == record) {
		/* Already normal: a shallow copy to carry the id. */
		json_decref(copy);
		if (!(copy = json_copy((json_t *)record))) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			goto done;
		}
	}
	json_object_set_new(copy, "id", json_string(id));
	if ((error = hoso_schema_validate(schema, copy, problems)) < 0)
		goto done;
	if (hoso_problems_errors(problems) > errors) {
		error = HOSO_EINVALID;
		goto done;
	}

	if ((error = hoso_json_canonical(&data, &len, copy)) < 0 ||
		(error = hoso_record_path_for(&path, unit, type, id)) < 0)
		goto done;
	/* The file as written (indented) is what verify reads: within the limit too. */
	if (len > HOSO_RECORD_MAX_BYTES) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "size",
			"record is %zu bytes as stored, more than the limit of %d", len,
			HOSO_RECORD_MAX_BYTES);
		error = HOSO_EINVALID;
		goto done;
	}
	/* The validators the repository requires (plugins), on the canonical text. */
	if (txn->check_cb) {
		if ((error = txn->check_cb(type, unit, id, data, len, problems, txn->check_payload)) < 0)
			goto done;
		if (hoso_problems_errors(problems) > errors) {
			error = HOSO_EINVALID;
			goto done;
		}
	}
	/* Moved to another unit: the old file goes in the same commit. */
	if (found && strcmp(loc.path, path) != 0 &&
		(error = stage(txn, loc.path, NULL, 0, NULL, NULL, NULL)) < 0)
		goto done;
	error = stage(txn, path, data, len, id, unit, type);
	data = NULL;
	if (error == 0 && id_out)
		memcpy(id_out, id, HOSO_ID_LEN + 1);
done:
	/* Errors and warnings alike name where they are. */
	hoso_problems_locate(problems, before, where, line);
	if (error == HOSO_EINVALID)
		hoso_error_set(HOSO_EINVALID, "%s: the record is not valid", where ? where : "record");
	free(loc.path);
	free(path);
	free(data);
	json_decref(copy);
	return error;
}

int hoso_txn_remove(hoso_txn *txn, const char *id)
{
	location loc;
	int error;

	if (!hoso_id_valid(id))
		return hoso_error_set(HOSO_EINVALID, "'%.40s' is not a record id (a ULID)", id);
	if ((error = locate(&loc, txn, id, NULL)) < 0)
		return error;
	if (error == 0)
		return hoso_error_set(HOSO_ENOTFOUND, "no record '%s'", id);
	error = stage(txn, loc.path, NULL, 0, id, NULL, NULL);
	free(loc.path);
	return error;
}

typedef struct {
	hoso_txn *txn;
	hoso_record_cb cb;
	void *payload;
	int error;
} change_walk;

static void change_walk_cb(const char *key, void *value, void *payload)
{
	change_walk *w = payload;
	change *c = value;
	git_blob *blob = NULL;

	(void)key;
	if (w->error)
		return;
	if (REMOVED(c)) {
		w->error = w->cb(NULL, NULL, c->id, NULL, 0, w->payload);
	} else if (c->data) {
		w->error = w->cb(c->unit, c->type, c->id, c->data, c->len, w->payload);
	} else if (git_blob_lookup(&blob, w->txn->repo->git, &c->oid) < 0) {
		w->error = hoso_error_git(HOSO_ERROR, "cannot read the blob of record '%s'", c->id);
	} else {
		w->error = w->cb(c->unit, c->type, c->id, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob), w->payload);
		git_blob_free(blob);
	}
}

int hoso_txn_foreach_change(hoso_txn *txn, hoso_record_cb cb, void *payload)
{
	change_walk w = { txn, cb, payload, 0 };

	hoso_map_foreach(txn->ids, change_walk_cb, &w);
	return w.error;
}

typedef struct {
	int (*cb)(const char *id, void *payload);
	void *payload;
	int error;
} id_walk;

static void id_walk_cb(const char *key, void *value, void *payload)
{
	id_walk *w = payload;

	(void)value;
	if (!w->error)
		w->error = w->cb(key, w->payload);
}

int hoso_txn_foreach_id(hoso_txn *txn, int (*cb)(const char *id, void *payload), void *payload)
{
	id_walk w = { cb, payload, 0 };

	hoso_map_foreach(txn->ids, id_walk_cb, &w);
	return w.error;
}

int hoso_txn_changes(const hoso_txn *txn, const char *id)
{
	return hoso_map_get(txn->ids, id) != NULL;
}

const git_tree *hoso_txn_base_tree(const hoso_txn *txn)
{
	return txn->base_tree;
}

int hoso_txn_read(char **data, size_t *len, char unit[64], char type[64], hoso_txn *txn,
	const char *id)
{
	change *c;
	git_blob *blob = NULL;
	location loc;
	const void *raw = NULL;
	int error;

	*data = NULL;
	if (!hoso_id_valid(id))
		return hoso_error_set(HOSO_EINVALID, "'%.40s' is not a record id (a ULID)", id);
	if ((error = locate(&loc, txn, id, NULL)) <= 0)
		return error < 0 ? error : hoso_error_set(HOSO_ENOTFOUND, "no record '%s'", id);
	error = 0;
	if ((c = hoso_map_get(txn->changes, loc.path)) && c->data) {
		raw = c->data;
		*len = c->len;
	} else if ((c && c->in_odb && git_blob_lookup(&blob, txn->repo->git, &c->oid) == 0) ||
		(!c && (error = hoso_tree_read(&blob, txn->repo->git, txn->base_tree, loc.path)) == 0)) {
		raw = git_blob_rawcontent(blob);
		*len = (size_t)git_blob_rawsize(blob);
	} else if (error == 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot read record '%s'", id);
	}
	if (raw && !(*data = malloc(*len ? *len : 1)))
		error = hoso_error_set(HOSO_ERROR, "out of memory");
	else if (raw)
		memcpy(*data, raw, *len);
	if (unit)
		snprintf(unit, 64, "%s", loc.unit);
	if (type)
		snprintf(type, 64, "%s", loc.type);
	git_blob_free(blob);
	free(loc.path);
	return error;
}

int hoso_txn_get(json_t **out, const char **unit_out, hoso_txn *txn, const char *id)
{
	json_error_t jerr;
	char *data = NULL, *path = NULL, type[64];
	size_t len = 0;
	int error;

	*out = NULL;
	if ((error = hoso_txn_read(&data, &len, txn->unit_buf, type, txn, id)) < 0)
		return error;
	if (unit_out)
		*unit_out = txn->unit_buf;
	if (!(*out = json_loadb(data, len, 0, &jerr))) {
		hoso_record_path_for(&path, txn->unit_buf, type, id);
		error = hoso_error_set(HOSO_EINVALID, "'%s' is not valid JSON: line %d: %s",
			path ? path : id, jerr.line, jerr.text);
	}
	free(path);
	free(data);
	return error;
}

/* Commit: objects go to a sink, loose objects or one pack. */

typedef struct {
	git_odb *odb;
	hoso_pack *pack;
} sink;

static int sink_write(sink *s, git_oid *out, git_object_t type, const void *data, size_t len)
{
	if (s->pack)
		return hoso_pack_add(s->pack, out, type, data, len);
	if (git_odb_write(out, s->odb, data, len, type) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot write an object");
	return 0;
}

typedef struct {
	const char *name;
	size_t len;
	unsigned int mode;
	git_oid id;
	int removed;
} entry;

static int entry_by_name(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

/* Git's tree order: a directory sorts as if its name ended in '/'. */
static int entry_git_order(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	unsigned char cx, cy;

	if (c)
		return c;
	cx = x->len > n ? (unsigned char)x->name[n] : (x->mode == GIT_FILEMODE_TREE ? '/' : 0);
	cy = y->len > n ? (unsigned char)y->name[n] : (y->mode == GIT_FILEMODE_TREE ? '/' : 0);
	return (int)cx - (int)cy;
}

static int change_by_path(const void *a, const void *b)
{
	return strcmp((*(change *const *)a)->path, (*(change *const *)b)->path);
}

/*
 * The tree at directory `base` with `changes` (sorted by path, all below the
 * directory, whose path prefix is `off` bytes long) applied. `*empty` is set
 * when nothing is left in it.
 */
static int build_tree(git_oid *out, int *empty, sink *s, git_repository *git,
	const git_tree *base, change **changes, size_t n, size_t off)
{
	size_t nbase = base ? git_tree_entrycount(base) : 0, count = 0, alloc = nbase + n + 1, i, j;
	entry *entries = calloc(alloc, sizeof(entry));
	char *buf = NULL;
	size_t blen = 0, balloc = 0;
	int error = 0;

	*empty = 0;
	if (!entries)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	for (i = 0; i < nbase; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(base, i);
		entries[count].name = git_tree_entry_name(e);
		entries[count].len = strlen(entries[count].name);
		entries[count].mode = git_tree_entry_filemode(e);
		git_oid_cpy(&entries[count].id, git_tree_entry_id(e));
		count++;
	}
	qsort(entries, count, sizeof(entry), entry_by_name);

	for (i = 0; i < n && error == 0; i = j) {
		const char *name = changes[i]->path + off, *slash = strchr(name, '/');
		size_t nlen = slash ? (size_t)(slash - name) : strlen(name);
		entry key = { 0 }, *found;
		char tmp[256];
		git_oid id;
		int gone = 0;

		/* The run of changes under the same name. */
		for (j = i + 1; j < n && slash && strncmp(changes[j]->path + off, name, nlen + 1) == 0; j++)
			;
		if (nlen >= sizeof(tmp)) {
			error = hoso_error_set(HOSO_EINVALID, "path component too long in '%s'", changes[i]->path);
			break;
		}
		memcpy(tmp, name, nlen);
		tmp[nlen] = '\0';
		key.name = tmp;
		found = bsearch(&key, entries, nbase, sizeof(entry), entry_by_name);
		if (slash) {
			git_tree *sub = NULL;
			if (found && found->mode == GIT_FILEMODE_TREE &&
				git_tree_lookup(&sub, git, &found->id) < 0) {
				error = hoso_error_git(HOSO_ERROR, "cannot read tree '%.*s'", (int)(off + nlen),
					changes[i]->path);
				break;
			}
			error = build_tree(&id, &gone, s, git, sub, changes + i, j - i, off + nlen + 1);
			git_tree_free(sub);
			if (error < 0)
				break;
		} else if (changes[i]->written || changes[i]->in_odb) {
			git_oid_cpy(&id, &changes[i]->oid);
		} else if (changes[i]->data) {
			if ((error = sink_write(s, &id, GIT_OBJECT_BLOB, changes[i]->data, changes[i]->len)) < 0)
				break;
		} else {
			gone = 1;
		}
		if (found) {
			found->removed = gone;
			found->mode = slash ? GIT_FILEMODE_TREE : GIT_FILEMODE_BLOB;
			if (!gone)
				git_oid_cpy(&found->id, &id);
		} else if (!gone) {
			/* New name: it lives in the change's path, which outlives the tree. */
			entries[count].name = name;
			entries[count].len = nlen;
			entries[count].mode = slash ? GIT_FILEMODE_TREE : GIT_FILEMODE_BLOB;
			git_oid_cpy(&entries[count].id, &id);
			count++;
		}
	}
	if (error < 0)
		goto done;

	/* Names of new entries are not NUL-terminated in place: sort on (name, len). */
	qsort(entries, count, sizeof(entry), entry_git_order);
	for (i = 0; i < count; i++) {
		char head[32];
		int hl;
		if (entries[i].removed)
			continue;
		hl = snprintf(head, sizeof(head), "%o ", entries[i].mode);
		if (blen + (size_t)hl + entries[i].len + 1 + GIT_OID_RAWSZ > balloc) {
			size_t na = (balloc + (size_t)hl + entries[i].len + 64) * 2;
			char *nb = realloc(buf, na);
			if (!nb) {
				error = hoso_error_set(HOSO_ERROR, "out of memory");
				goto done;
			}
			buf = nb;
			balloc = na;
		}
		memcpy(buf + blen, head, (size_t)hl);
		blen += (size_t)hl;
		memcpy(buf + blen, entries[i].name, entries[i].len);
		blen += entries[i].len;
		buf[blen++] = '\0';
		memcpy(buf + blen, entries[i].id.id, GIT_OID_RAWSZ);
		blen += GIT_OID_RAWSZ;
	}
	if (blen == 0)
		*empty = 1;
	else
		error = sink_write(s, out, GIT_OBJECT_TREE, buf, blen);
done:
	free(buf);
	free(entries);
	return error;
}

typedef struct {
	change **items;
	size_t n;
} change_list;

static void collect_cb(const char *key, void *value, void *payload)
{
	change_list *l = payload;
	l->items[l->n++] = value;
}

static int format_signature(char *out, size_t size, const char *role, const git_signature *sig)
{
	int offset = sig->when.offset, sign = offset < 0 ? '-' : '+';

	if (offset < 0)
		offset = -offset;
	return snprintf(out, size, "%s %s <%s> %lld %c%02d%02d\n", role, sig->name, sig->email,
		(long long)sig->when.time, sign, offset / 60, offset % 60);
}

/*
 * libgit2 1.5 renames the new index into place without fsync, even with
 * GIT_OPT_ENABLE_FSYNC_GITDIR: make it, and its rename, last as the commit
 * does (best effort: the index only mirrors the commit).
 */
static void sync_index(const char *gitdir)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%sindex", gitdir) >= (int)sizeof(path))
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	if ((fd = open(gitdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Bring a working tree (if any, and on main) to the new commit. */
static void update_workdir(hoso_txn *txn, const git_oid *tree_id)
{
	git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
	git_reference *head = NULL;
	git_tree *tree = NULL;

	if (!txn->repo->workdir || git_repository_head(&head, txn->repo->git) < 0 ||
		strcmp(git_reference_name(head), HOSO_BRANCH) != 0 ||
		git_tree_lookup(&tree, txn->repo->git, tree_id) < 0)
		goto done;
	opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	opts.baseline = txn->base_tree;
	if (git_checkout_tree(txn->repo->git, (git_object *)tree, &opts) == 0)
		sync_index(git_repository_path(txn->repo->git));
done:
	git_tree_free(tree);
	git_reference_free(head);
}

/* The rules across records, on the transaction as it stands. */
static int commit_check(hoso_txn *txn)
{
	hoso_problems *own = NULL, *problems = txn->problems;
	size_t errors;
	double t0;
	int error;

	if (!problems && (error = hoso_problems_new(&own)) < 0)
		return error;
	if (!problems)
		problems = own;
	errors = hoso_problems_errors(problems);
	t0 = hoso_clock();
	error = txn->commit_check(txn, problems, txn->check_payload);
	txn->check_s += hoso_clock() - t0;
	if (error == 0 &&
		hoso_problems_errors(problems) > errors) {
		const hoso_problem *p = NULL;
		size_t i;

		for (i = 0; i < hoso_problems_count(problems) && !p; i++)
			if (hoso_problems_get(problems, i)->severity == HOSO_SEVERITY_ERROR)
				p = hoso_problems_get(problems, i);
		error = hoso_error_set(HOSO_EINVALID, "the change breaks a rule across records%s%s%s%s",
			p && p->field ? ": " : "", p && p->field ? p->field : "", p ? ": " : "",
			p ? p->message : "");
	}
	hoso_problems_free(own);
	return error;
}

int hoso_txn_commit(hoso_txn *txn, const char *message, git_oid *out)
{
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	change_list list = { NULL, 0 };
	sink s = { NULL, NULL };
	git_oid tree, commit;
	char *text = NULL, line[1024];
	size_t tlen, mlen = strlen(message);
	int error, empty = 0;

	if (txn->check_only)
		return hoso_error_set(HOSO_EUSAGE, "a transaction that only checks cannot commit");
	if (hoso_map_count(txn->changes) == 0 && !txn->has_parent2) {
		if (out && txn->has_base)
			git_oid_cpy(out, &txn->base);
		return 0;
	}
	if (txn->commit_check && (error = commit_check(txn)) < 0)
		goto done;
	if ((error = hoso_repo_signature(&sig, txn->repo)) < 0)
		goto done;
	if (!txn->odb && git_repository_odb(&txn->odb, txn->repo->git) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot open the object database");
		goto done;
	}
	s.odb = txn->odb;
	s.pack = txn->packw;
	if (!(list.items = malloc(hoso_map_count(txn->changes) * sizeof(change *)))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	hoso_map_foreach(txn->changes, collect_cb, &list);
	qsort(list.items, list.n, sizeof(change *), change_by_path);
	if ((error = build_tree(&tree, &empty, &s, txn->repo->git, txn->base_tree, list.items,
		list.n, 0)) < 0)
		goto done;
	if (empty && (error = sink_write(&s, &tree, GIT_OBJECT_TREE, "", 0)) < 0)
		goto done;

	/* The commit object, written by hand so that it can go into the pack. */
	tlen = 0;
	if (!(text = malloc(mlen + 4096))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	tlen += (size_t)sprintf(text + tlen, "tree %s\n", git_oid_tostr_s(&tree));
	if (txn->has_base)
		tlen += (size_t)sprintf(text + tlen, "parent %s\n", git_oid_tostr_s(&txn->base));
	if (txn->has_parent2)
		tlen += (size_t)sprintf(text + tlen, "parent %s\n", git_oid_tostr_s(&txn->parent2));
	format_signature(line, sizeof(line), "author", sig);
	tlen += (size_t)sprintf(text + tlen, "%s", line);
	format_signature(line, sizeof(line), "committer", sig);
	tlen += (size_t)sprintf(text + tlen, "%s\n", line);
	memcpy(text + tlen, message, mlen);
	tlen += mlen;
	if (mlen == 0 || message[mlen - 1] != '\n')
		text[tlen++] = '\n';
	if ((error = sink_write(&s, &commit, GIT_OBJECT_COMMIT, text, tlen)) < 0)
		goto done;
	if (s.pack && (error = hoso_pack_write(s.pack)) < 0)
		goto done;

	/* Move main by compare-and-swap from the tip we started on. */
	snprintf(line, sizeof(line), "hoso: %.*s", (int)strcspn(message, "\n"), message);
	if (txn->has_base)
		error = git_reference_create_matching(&ref, txn->repo->git, HOSO_BRANCH, &commit, 1,
			&txn->base, line);
	else
		error = git_reference_create(&ref, txn->repo->git, HOSO_BRANCH, &commit, 0, line);
	if (error == GIT_EMODIFIED || error == GIT_EEXISTS) {
		error = hoso_error_set(HOSO_ECONFLICT, "main moved while writing; nothing was changed");
		goto done;
	} else if (error < 0) {
		error = hoso_error_git(error == GIT_ELOCKED ? HOSO_ELOCKED : HOSO_ERROR,
			"cannot move main");
		goto done;
	}
	update_workdir(txn, &tree);
	/* The transaction now starts from its own commit. */
	git_oid_cpy(&txn->base, &commit);
	txn->has_base = 1;
	txn->has_parent2 = 0;
	git_tree_free(txn->base_tree);
	txn->base_tree = NULL;
	git_tree_lookup(&txn->base_tree, txn->repo->git, &tree);
	hoso_map_foreach(txn->changes, change_free_cb, NULL);
	hoso_map_free(txn->changes);
	txn->changes = NULL;
	hoso_map_free(txn->ids);
	txn->ids = NULL;
	/* What was known of the old base is stale. */
	hoso_map_foreach(txn->indexes, index_free_cb, NULL);
	hoso_map_free(txn->indexes);
	hoso_map_free(txn->lookups);
	txn->indexes = txn->lookups = NULL;
	json_decref(txn->types);
	txn->types = NULL;
	if ((error = hoso_map_new(&txn->changes)) < 0 || (error = hoso_map_new(&txn->ids)) < 0 ||
		(error = hoso_map_new(&txn->indexes)) < 0 || (error = hoso_map_new(&txn->lookups)) < 0)
		goto done;
	if (out)
		git_oid_cpy(out, &commit);
done:
	free(text);
	free(list.items);
	/* Written or not, this pack is done: a retry starts a new one. */
	if (error < 0 && txn->packw)
		hoso_map_foreach(txn->changes, unwritten_cb, NULL);
	hoso_pack_free(txn->packw);
	txn->packw = NULL;
	git_reference_free(ref);
	git_signature_free(sig);
	return error;
}
