#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso/access.h"
#include "hoso/json.h"
#include "hoso/unit.h"
#include "merge_tree.h"
#include "internal.h"
#include "map.h"
#include "common.h"

/* One side's change to one path. */
typedef struct {
	char *old_path, *new_path; /* NULL when added / deleted */
	git_oid new_id;
} side_change;

/* What both sides did to one record, by id; or to one file that is not a record. */
typedef struct {
	side_change ours, theirs;
	int in_ours, in_theirs;
} both;

static void both_free(const char *key, void *value, void *payload)
{
	both *b = value;

	free(b->ours.old_path);
	free(b->ours.new_path);
	free(b->theirs.old_path);
	free(b->theirs.new_path);
	free(b);
}

/* Key a delta by record id, or by path for other files. */
static int collect(hoso_map *changes, git_diff *diff, int theirs)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->status == GIT_DELTA_DELETED ? d->old_file.path : d->new_file.path;
		char unit[64], type[64], id[HOSO_ID_LEN + 1], key[512];
		side_change *sc;
		both *b;

		if (hoso_record_path_parse(path, unit, type, id))
			snprintf(key, sizeof(key), "id:%s", id);
		else
			snprintf(key, sizeof(key), "path:%s", path);
		if (!(b = hoso_map_get(changes, key))) {
			if (!(b = calloc(1, sizeof(*b))) || hoso_map_set(changes, key, b, NULL) < 0) {
				free(b);
				return hoso_error_set(HOSO_ERROR, "out of memory");
			}
		}
		sc = theirs ? &b->theirs : &b->ours;
		if (theirs)
			b->in_theirs = 1;
		else
			b->in_ours = 1;
		/* A move shows as a deletion and an addition of the same id. */
		if (d->status == GIT_DELTA_DELETED) {
			free(sc->old_path);
			sc->old_path = strdup(d->old_file.path);
		} else {
			if (d->status != GIT_DELTA_ADDED) {
				free(sc->old_path);
				sc->old_path = strdup(d->old_file.path);
			}
			free(sc->new_path);
			sc->new_path = strdup(d->new_file.path);
			git_oid_cpy(&sc->new_id, &d->new_file.id);
		}
	}
	return 0;
}

static int diff_commits(git_diff **out, git_repository *git, const git_commit *a, const git_commit *b)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_tree *ta = NULL, *tb = NULL;
	int error = 0;

	*out = NULL;
	/* Paths are identities: no rename detection, ever. */
	opts.flags = GIT_DIFF_NORMAL;
	if ((a && git_commit_tree(&ta, a) < 0) || git_commit_tree(&tb, b) < 0 ||
		git_diff_tree_to_tree(out, git, ta, tb, &opts) < 0)
		error = hoso_error_git(HOSO_ERROR, "cannot compare commits");
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

/* The record at `path` in `tree` (new reference), or NULL. */
static json_t *read_record(git_repository *git, const git_tree *tree, const char *path)
{
	git_blob *blob = NULL;
	json_t *v = NULL;
	json_error_t jerr;

	if (path && tree && hoso_tree_read(&blob, git, tree, path) == 0)
		v = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, &jerr);
	git_blob_free(blob);
	return v;
}

typedef struct {
	hoso_txn *txn;
	hoso_repo *repo;
	git_repository *git;
	git_tree *base, *ours, *theirs;
	const git_commit *base_c, *ours_c, *theirs_c;
	hoso_merge_options mopts;
	hoso_problems *problems;
	hoso_merge_tree_stats *stats;
	const char *user;        /* who pushes the merge, or NULL */
	hoso_access *access;     /* what they may write, as the hub has it */
	json_t *closing;         /* the hub's hoso.json when it has closed units, else NULL */
	char now[32];
	char ours_hex[GIT_OID_HEXSZ + 1], theirs_hex[GIT_OID_HEXSZ + 1];
} merge_ctx;

static int write_conflict(merge_ctx *m, const char *unit, const char *type, const char *id,
	const hoso_merge_conflict *c)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "conflict",
		"record_id", id, "record_type", type, "field", c->field,
		"winner", c->winner == HOSO_MERGE_OURS ? "ours" : "theirs", "detected_at", m->now);
	double t0;
	int error;

	if (!rec)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (c->ours)
		json_object_set(rec, "ours", c->ours);
	if (c->theirs)
		json_object_set(rec, "theirs", c->theirs);
	if (c->deleted)
		json_object_set_new(rec, "deleted", json_true());
	if (m->base_c)
		json_object_set_new(rec, "base_commit", json_string(git_oid_tostr_s(git_commit_id(m->base_c))));
	json_object_set_new(rec, "ours_commit", json_string(git_oid_tostr_s(git_commit_id(m->ours_c))));
	json_object_set_new(rec, "theirs_commit", json_string(git_oid_tostr_s(git_commit_id(m->theirs_c))));
	t0 = hoso_clock();
	error = hoso_txn_put(m->txn, unit, rec, HOSO_PUT_CREATE, "conflict", 0, m->problems, NULL);
	m->stats->check_s += hoso_clock() - t0;
	json_decref(rec);
	if (error == 0)
		m->stats->conflicts++;
	return error;
}

/* hoso.json as the hub has it (new reference), when it closed a unit; else NULL. */
static json_t *closing_config(merge_ctx *m)
{
	git_blob *blob = NULL;
	json_t *config = NULL, *u;
	size_t i;

	if (hoso_tree_read(&blob, m->git, m->theirs, "hoso.json") == 0)
		config = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, NULL);
	git_blob_free(blob);
	json_array_foreach(json_object_get(config, "units"), i, u)
		if (json_object_get(u, "valid_to"))
			return config;
	json_decref(config);
	return NULL;
}

/* The unit of record `id` as the merge has it so far, or NULL. */
static const char *unit_in_txn(const char *id, void *txn)
{
	static _Thread_local char unit[64];
	const char *u;
	json_t *rec = NULL;

	if (hoso_txn_get(&rec, &u, txn, id) < 0)
		return NULL;
	snprintf(unit, sizeof(unit), "%s", u);
	json_decref(rec);
	return unit;
}

/*
 * Check and stage `record` (borrowed) in `unit`, as a local write is; in a
 * unit the hub has closed, in the unit that took its place (the
 * move-and-edit rule: the hub's move and our edit both stay).
 */
static int stage_record(merge_ctx *m, const char *unit, const json_t *record, const char *where)
{
	const char *to = m->closing ? hoso_unit_successor(m->closing, unit, record, unit_in_txn, m->txn) : NULL;
	double t0 = hoso_clock();
	int error;

	if (to) {
		unit = to;
		m->stats->moved++;
	}
	error = hoso_txn_put(m->txn, unit, record, HOSO_PUT_UPSERT, where, 0, m->problems, NULL);

	m->stats->check_s += hoso_clock() - t0;
	return error;
}

/* The clash rule of hoso_merge_record: the later commit, then the greater id. */
static int theirs_win(const merge_ctx *m)
{
	if (m->mopts.theirs_stamp != m->mopts.ours_stamp)
		return m->mopts.theirs_stamp > m->mopts.ours_stamp;
	return strcmp(m->mopts.theirs_tiebreak, m->mopts.ours_tiebreak) > 0;
}

/* 1 if the merge's user may write records of `unit`. */
static int may_write(const merge_ctx *m, const char *unit)
{
	char path[80];

	if (!m->access || !*unit)
		return !m->access;
	snprintf(path, sizeof(path), "data/%s/_", unit); /* any path in it */
	return hoso_access_may_write(m->access, m->user, path);
}

/*
 * A record changed on both sides that now lives where the user may not
 * write (the province moved it out of a clerk's unit while the clerk
 * edited it): the hub's version stays, and ours goes whole into a conflict
 * record in a unit the user may write, for someone who may to settle.
 */
static int keep_theirs(merge_ctx *m, const char *id, const both *b, const char *type,
	const char *ounit, const char *bunit, json_t *ours, json_t *theirs)
{
	hoso_merge_conflict c = { "", ours, theirs, HOSO_MERGE_THEIRS, !theirs || !ours };
	const char *own = hoso_repo_own_unit(m->repo);
	const char *where = may_write(m, ounit) ? ounit : may_write(m, bunit) ? bunit : own ? own : "";
	char unit[64], rid[HOSO_ID_LEN + 1], ttype[64];
	int error;

	if (b->theirs.new_path) {
		hoso_record_path_parse(b->theirs.new_path, unit, ttype, rid);
		error = hoso_txn_put_blob(m->txn, unit, type, id, &b->theirs.new_id);
	} else {
		error = hoso_txn_remove(m->txn, id);
	}
	if (error == HOSO_ENOTFOUND)
		error = 0;
	return error < 0 ? error : write_conflict(m, where, type, id, &c);
}

/* A record changed on both sides. */
static int merge_one(merge_ctx *m, const char *id, const both *b)
{
	char ounit[64] = "", tunit[64] = "", bunit[64] = "", type[64], rid[HOSO_ID_LEN + 1];
	const char *base_path = b->ours.old_path ? b->ours.old_path : b->theirs.old_path;
	const char *unit;
	json_t *base = NULL, *ours = NULL, *theirs = NULL;
	hoso_merge_result r = { NULL, NULL, 0 };
	size_t i;
	int error = 0, ours_moved, theirs_moved;

	if (b->ours.new_path && b->theirs.new_path && git_oid_equal(&b->ours.new_id, &b->theirs.new_id) &&
		strcmp(b->ours.new_path, b->theirs.new_path) == 0)
		return 0; /* the same change on both sides */
	if (base_path)
		hoso_record_path_parse(base_path, bunit, type, rid);
	if (b->ours.new_path)
		hoso_record_path_parse(b->ours.new_path, ounit, type, rid);
	if (b->theirs.new_path)
		hoso_record_path_parse(b->theirs.new_path, tunit, type, rid);
	base = read_record(m->git, m->base, base_path);
	ours = read_record(m->git, m->ours, b->ours.new_path);
	theirs = read_record(m->git, m->theirs, b->theirs.new_path);
	if ((error = hoso_merge_record(&r, base, ours, theirs, hoso_repo_schema(m->repo, type),
		&m->mopts)) < 0)
		goto done;
	m->stats->merged++;
	ours_moved = *ounit && *bunit && strcmp(ounit, bunit) != 0;
	theirs_moved = *tunit && *bunit && strcmp(tunit, bunit) != 0;
	/*
	 * Where it lives: a side that moved it wins over one that did not; moved
	 * on both sides to different units, the clash rule picks the side.
	 */
	if (theirs_moved && (!ours_moved || (strcmp(ounit, tunit) != 0 && theirs_win(m))))
		unit = tunit;
	else if (*ounit)
		unit = ounit;
	else
		unit = *tunit ? tunit : bunit;
	if (!may_write(m, unit)) {
		error = keep_theirs(m, id, b, type, ounit, bunit, ours, theirs);
		goto done;
	}
	/*
	 * A move is an edit: moved on one side and deleted on the other, the
	 * moved record stays, and a conflict records the deletion (the field
	 * merge sees equal contents and would let the deletion through).
	 */
	if (!r.merged && ((ours_moved && ours && !theirs) || (theirs_moved && theirs && !ours))) {
		hoso_merge_conflict c = { "", ours, theirs, ours ? HOSO_MERGE_OURS : HOSO_MERGE_THEIRS, 1 };
		r.merged = json_deep_copy(ours ? ours : theirs);
		if ((error = write_conflict(m, unit, type, id, &c)) < 0)
			goto done;
	}
	if (r.merged)
		error = stage_record(m, unit, r.merged, b->theirs.new_path ? b->theirs.new_path : id);
	else if (ours)
		error = hoso_txn_remove(m->txn, id);
	for (i = 0; error == 0 && i < r.nconflicts; i++)
		error = write_conflict(m, unit, type, id, &r.conflicts[i]);
done:
	hoso_merge_result_clear(&r);
	json_decref(base);
	json_decref(ours);
	json_decref(theirs);
	return error;
}

/* A record changed on their side only. */
static int take_theirs(merge_ctx *m, const char *id, const both *b)
{
	char unit[64], type[64], rid[HOSO_ID_LEN + 1];

	m->stats->taken++;
	if (!b->theirs.new_path)
		return hoso_txn_remove(m->txn, id);
	hoso_record_path_parse(b->theirs.new_path, unit, type, rid);
	/*
	 * Taken as it is, by its blob: it was checked where it was written and
	 * again by the hub, and reading, parsing and checking a thousand
	 * records again would be most of the merge's time.
	 */
	return hoso_txn_put_blob(m->txn, unit, type, id, &b->theirs.new_id);
}

/* A file that is not a record (hoso.json, access.json, schemas/): the hub's version wins. */
static int take_file(merge_ctx *m, const both *b)
{
	git_blob *blob = NULL;
	int error;

	if (!b->theirs.new_path)
		return 0; /* a removal of configuration is not taken from a merge */
	if ((error = hoso_tree_read(&blob, m->git, m->theirs, b->theirs.new_path)) < 0)
		return error;
	error = hoso_txn_put_file(m->txn, b->theirs.new_path, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return error;
}

/*
 * A record we wrote in a unit the hub has since closed (we did not know
 * yet) goes where the hub sent that unit's records.
 */
static int follow_closed_unit(merge_ctx *m, const char *id)
{
	json_t *rec = NULL;
	const char *unit;
	int error;

	if ((error = hoso_txn_get(&rec, &unit, m->txn, id)) < 0)
		return error == HOSO_ENOTFOUND ? 0 : error;
	if (hoso_unit_successor(m->closing, unit, rec, unit_in_txn, m->txn))
		error = stage_record(m, unit, rec, id);
	json_decref(rec);
	return error;
}

typedef struct {
	char **keys;
	size_t n;
} key_list;

static void key_cb(const char *key, void *value, void *payload)
{
	key_list *l = payload;

	(void)value;
	l->keys[l->n++] = (char *)key;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hoso_merge_trees(hoso_txn *txn, hoso_repo *repo, const git_commit *base,
	const git_commit *ours, const git_commit *theirs, const char *user,
	hoso_problems *problems, hoso_merge_tree_stats *stats)
{
	git_repository *git = hoso_repo_git(repo);
	merge_ctx m;
	git_diff *dours = NULL, *dtheirs = NULL;
	hoso_map *changes = NULL;
	key_list keys = { NULL, 0 };
	time_t now = time(NULL);
	size_t i;
	int error;

	memset(&m, 0, sizeof(m));
	memset(stats, 0, sizeof(*stats));
	m.txn = txn;
	m.repo = repo;
	m.git = git;
	m.base_c = base;
	m.ours_c = ours;
	m.theirs_c = theirs;
	m.problems = problems;
	m.stats = stats;
	strftime(m.now, sizeof(m.now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	/* The later change wins a clash; equal times, the greater commit id. */
	m.mopts = (hoso_merge_options)HOSO_MERGE_OPTIONS_INIT;
	m.mopts.ours_stamp = git_commit_time(ours);
	m.mopts.theirs_stamp = git_commit_time(theirs);
	git_oid_tostr(m.ours_hex, sizeof(m.ours_hex), git_commit_id(ours));
	git_oid_tostr(m.theirs_hex, sizeof(m.theirs_hex), git_commit_id(theirs));
	m.mopts.ours_tiebreak = m.ours_hex;
	m.mopts.theirs_tiebreak = m.theirs_hex;
	if ((base && git_commit_tree(&m.base, base) < 0) || git_commit_tree(&m.ours, ours) < 0 ||
		git_commit_tree(&m.theirs, theirs) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot read the commits to merge");
		goto done;
	}
	/* What the pusher may write, as the hub's hook will judge it: access.json as the hub has it. */
	if (user) {
		hoso_problems *why = NULL;

		if ((error = hoso_problems_new(&why)) < 0)
			goto done;
		if (hoso_access_load(&m.access, repo, m.theirs, why) == 0)
			m.user = user;
		hoso_problems_free(why);
	}
	if ((error = hoso_map_new(&changes)) < 0 ||
		(error = diff_commits(&dours, git, base, ours)) < 0 ||
		(error = diff_commits(&dtheirs, git, base, theirs)) < 0 ||
		(error = collect(changes, dours, 0)) < 0 ||
		(error = collect(changes, dtheirs, 1)) < 0)
		goto done;
	m.closing = closing_config(&m);
	/* The hub's units when the merge takes its hoso.json: records go to units it added. */
	{
		both *b = hoso_map_get(changes, "path:hoso.json");
		if (b && b->in_theirs && !b->in_ours && (error = hoso_repo_units_from(repo, m.theirs)) < 0)
			goto done;
	}
	/* In a stable order, so that every replica makes the same merge. */
	if (!(keys.keys = malloc((hoso_map_count(changes) + 1) * sizeof(char *)))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	hoso_map_foreach(changes, key_cb, &keys);
	qsort(keys.keys, keys.n, sizeof(char *), by_str);
	for (i = 0; i < keys.n && error == 0; i++) {
		const char *key = keys.keys[i];
		both *b = hoso_map_get(changes, key);
		if (!b->in_theirs)
			continue;
		if (strncmp(key, "path:", 5) == 0)
			error = b->in_ours ? 0 : take_file(&m, b); /* changed on both: ours is kept */
		else if (b->in_ours)
			error = merge_one(&m, key + 3, b);
		else
			error = take_theirs(&m, key + 3, b);
	}
	/* What we wrote, in a unit the hub has closed, and no clash moved. */
	for (i = 0; i < keys.n && error == 0 && m.closing; i++) {
		both *b = hoso_map_get(changes, keys.keys[i]);
		char unit[64], type[64], id[HOSO_ID_LEN + 1];

		/* By its path first: most are in units that are open. */
		if (strncmp(keys.keys[i], "id:", 3) == 0 && b->in_ours && !b->in_theirs && b->ours.new_path &&
			hoso_record_path_parse(b->ours.new_path, unit, type, id) &&
			hoso_unit_successor(m.closing, unit, NULL, NULL, NULL))
			error = follow_closed_unit(&m, keys.keys[i] + 3);
	}
done:
	json_decref(m.closing);
	free(keys.keys);
	if (changes) {
		hoso_map_foreach(changes, both_free, NULL);
		hoso_map_free(changes);
	}
	git_diff_free(dours);
	git_diff_free(dtheirs);
	git_tree_free(m.base);
	git_tree_free(m.ours);
	git_tree_free(m.theirs);
	hoso_access_free(m.access);
	return error;
}
