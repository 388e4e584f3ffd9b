#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "common.h"

int hoso_tree_find(char unit[64], char *type_out, hoso_repo *repo, const git_tree *tree,
	const char *type, const char *id)
{
	git_tree_entry *units = NULL, *e = NULL;
	git_tree *dir = NULL, *types = NULL;
	char shard[3], path[256];
	size_t i, j;
	int found = 0;

	/* The units that have data: those of hoso.json and any closed ones still present. */
	if (!tree || git_tree_entry_bypath(&units, tree, "data") < 0 ||
		git_tree_lookup(&dir, repo->git, git_tree_entry_id(units)) < 0)
		goto done;
	hoso_id_shard(shard, id);
	/* A replica's own unit first: most of what a clerk touches is there. */
	for (i = 0; i <= git_tree_entrycount(dir) && !found; i++) {
		const git_tree_entry *ue = i == 0 ? (repo->own_unit ?
			git_tree_entry_byname(dir, repo->own_unit) : NULL) :
			git_tree_entry_byindex(dir, i - 1);
		if (!ue || (i > 0 && repo->own_unit && strcmp(git_tree_entry_name(ue), repo->own_unit) == 0))
			continue;
		if (git_tree_lookup(&types, repo->git, git_tree_entry_id(ue)) < 0)
			continue;
		for (j = 0; j < git_tree_entrycount(types) && !found; j++) {
			const char *t = git_tree_entry_name(git_tree_entry_byindex(types, j));
			if (type && strcmp(t, type) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s.json", t, shard, id);
			if (git_tree_entry_bypath(&e, types, path) == 0) {
				snprintf(unit, 64, "%s", git_tree_entry_name(ue));
				if (type_out)
					snprintf(type_out, 64, "%s", t);
				found = 1;
				git_tree_entry_free(e);
			}
		}
		git_tree_free(types);
		types = NULL;
	}
done:
	git_tree_free(dir);
	git_tree_entry_free(units);
	return found;
}

/* Record `id` in commit `c`, found in any unit. */
static void state_in(hoso_record_state *out, hoso_repo *repo, const git_commit *c, const char *type,
	const char *id)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	char t[64], shard[3], path[256];

	memset(out, 0, sizeof(*out));
	if (!c || git_commit_tree(&tree, c) < 0 || !hoso_tree_find(out->unit, t, repo, tree, type, id))
		goto done;
	hoso_id_shard(shard, id);
	snprintf(path, sizeof(path), "data/%s/%s/%s/%s.json", out->unit, t, shard, id);
	if (git_tree_entry_bypath(&e, tree, path) == 0) {
		git_oid_cpy(&out->blob, git_tree_entry_id(e));
		out->present = 1;
	}
done:
	git_tree_entry_free(e);
	git_tree_free(tree);
}

int hoso_record_changed(hoso_record_state *now, hoso_record_state *before, hoso_repo *repo,
	const git_commit *c, const char *type, const char *id)
{
	git_commit *parent = NULL;

	state_in(now, repo, c, type, id);
	if (git_commit_parentcount(c) > 0)
		git_commit_parent(&parent, c, 0);
	state_in(before, repo, parent, type, id);
	git_commit_free(parent);
	return now->present != before->present || (now->present && (!git_oid_equal(&now->blob,
		&before->blob) || strcmp(now->unit, before->unit) != 0));
}

/* Locate `id` at the tip: 1 found, 0 not, <0 error. */
static int find_at_tip(char **path, char unit[64], hoso_repo *repo, git_tree **tip, const char *id)
{
	char type[64];
	int error;

	*path = NULL;
	if (!hoso_id_valid(id))
		return hoso_error_set(HOSO_EINVALID, "'%.40s' is not a record id (a ULID)", id);
	if ((error = hoso_repo_tip_tree(tip, NULL, repo)) < 0)
		return error;
	if (hoso_tree_find(unit, type, repo, *tip, NULL, id))
		return hoso_record_path_for(path, unit, type, id) < 0 ? HOSO_ERROR : 1;
	return hoso_error_set(HOSO_ENOTFOUND, "no record '%s'", id);
}

int hoso_record_path(char **out, hoso_repo *repo, const char *id)
{
	git_tree *tip = NULL;
	char unit[64];
	int error = find_at_tip(out, unit, repo, &tip, id);

	git_tree_free(tip);
	return error < 0 ? error : 0;
}

int hoso_record_get(json_t **out, char **unit_out, hoso_repo *repo, const char *id)
{
	git_tree *tip = NULL;
	git_blob *blob = NULL;
	json_error_t jerr;
	char *path = NULL, unit[64];
	int error;

	*out = NULL;
	if ((error = find_at_tip(&path, unit, repo, &tip, id)) < 0 ||
		(error = hoso_tree_read(&blob, repo->git, tip, path)) < 0)
		goto done;
	if (!(*out = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, &jerr))) {
		error = hoso_error_set(HOSO_EINVALID, "'%s' is not valid JSON: line %d: %s", path,
			jerr.line, jerr.text);
		goto done;
	}
	if (unit_out && !(*unit_out = strdup(unit))) {
		json_decref(*out);
		*out = NULL;
		error = hoso_error_set(HOSO_ERROR, "out of memory");
	}
done:
	git_blob_free(blob);
	git_tree_free(tip);
	free(path);
	return error < 0 ? error : 0;
}

/*
 * Every record under a tree, in path order. The trees are listed first;
 * then, for a walk of many records, a second thread reads the files ahead
 * (inflating them is most of a walk's time) while this one hands each to
 * the callback, in order, a chunk at a time through a small queue.
 */
typedef struct {
	const char *unit, *type; /* in the listing's names */
	char id[HOSO_ID_LEN + 1];
	git_oid oid;
} listed;

typedef struct {
	hoso_repo *repo;
	listed *items;
	size_t n, cap;
	char **names;            /* a unit's and a type's name a type listed */
	size_t nnames, cnames;
} listing;

/* A copy of `name` the listing owns (its items point at it). */
static const char *keep_name(listing *l, const char *name)
{
	char **grown;

	if (l->nnames == l->cnames) {
		l->cnames = l->cnames ? l->cnames * 2 : 64;
		if (!(grown = realloc(l->names, l->cnames * sizeof(*grown))))
			return NULL;
		l->names = grown;
	}
	return (l->names[l->nnames] = strdup(name)) ? l->names[l->nnames++] : NULL;
}

/* List data/<unit>/<type>/<shard>/<id>.json of one type's tree. */
static int list_type(listing *l, const git_tree *types, const char *unit, const char *type)
{
	const git_tree_entry *te = git_tree_entry_byname(types, type);
	git_tree *shards = NULL;
	const char *u, *t;
	size_t i, j;
	int error = 0;

	if (!te || git_tree_entry_type(te) != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(&shards, l->repo->git, git_tree_entry_id(te)) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot read 'data/%s/%s'", unit, type);
	if (!(u = keep_name(l, unit)) || !(t = keep_name(l, type)))
		error = hoso_error_set(HOSO_ERROR, "out of memory");
	for (i = 0; i < git_tree_entrycount(shards) && error == 0; i++) {
		git_tree *shard = NULL;

		if (git_tree_lookup(&shard, l->repo->git, git_tree_entry_id(git_tree_entry_byindex(shards, i))) < 0)
			continue;
		for (j = 0; j < git_tree_entrycount(shard) && error == 0; j++) {
			const git_tree_entry *e = git_tree_entry_byindex(shard, j);
			const char *name = git_tree_entry_name(e);
			listed *it;

			if (strlen(name) != HOSO_ID_LEN + 5 || git_tree_entry_type(e) != GIT_OBJECT_BLOB)
				continue;
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 1024;
				listed *grown = realloc(l->items, cap * sizeof(*grown));

				if (!grown) {
					error = hoso_error_set(HOSO_ERROR, "out of memory");
					break;
				}
				l->items = grown;
				l->cap = cap;
			}
			it = &l->items[l->n++];
			it->unit = u;
			it->type = t;
			memcpy(it->id, name, HOSO_ID_LEN);
			it->id[HOSO_ID_LEN] = '\0';
			git_oid_cpy(&it->oid, git_tree_entry_id(e));
		}
		git_tree_free(shard);
	}
	git_tree_free(shards);
	return error;
}

#define AHEAD_FROM 1000 /* records: fewer are read on this thread */
#define AHEAD_CHUNK 256
#define AHEAD_QUEUE 4

typedef struct {
	size_t from, n;
	char *buf;               /* the chunk's texts, one after another */
	size_t off[AHEAD_CHUNK + 1];
} ahead_chunk;

typedef struct {
	listing *l;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	ahead_chunk q[AHEAD_QUEUE];
	size_t head, count;
	int done, stop, error;
	char message[512];
} ahead;

static void *reader(void *arg)
{
	ahead *a = arg;
	git_repository *git = NULL;
	size_t from = 0;
	int error = hoso_repo_git_again(&git, a->l->repo);

	while (error == 0 && from < a->l->n) {
		ahead_chunk c = { from, 0, NULL, { 0 } };
		size_t cap = 0, i;

		for (i = from; i < a->l->n && c.n < AHEAD_CHUNK; i++, c.n++) {
			git_blob *blob = NULL;
			size_t len;

			if (git_blob_lookup(&blob, git, &a->l->items[i].oid) < 0) {
				error = hoso_error_git(HOSO_ERROR, "cannot read record '%s'", a->l->items[i].id);
				break;
			}
			len = (size_t)git_blob_rawsize(blob);
			if (c.off[c.n] + len > cap) {
				char *grown;

				cap = (c.off[c.n] + len) * 2;
				if (!(grown = realloc(c.buf, cap))) {
					git_blob_free(blob);
					error = hoso_error_set(HOSO_ERROR, "out of memory");
					break;
				}
				c.buf = grown;
			}
			memcpy(c.buf + c.off[c.n], git_blob_rawcontent(blob), len);
			c.off[c.n + 1] = c.off[c.n] + len;
			git_blob_free(blob);
		}
		from += c.n;
		pthread_mutex_lock(&a->lock);
		while (a->count == AHEAD_QUEUE && !a->stop)
			pthread_cond_wait(&a->emptied, &a->lock);
		if (a->stop || error) {
			pthread_mutex_unlock(&a->lock);
			free(c.buf);
			break;
		}
		a->q[(a->head + a->count++) % AHEAD_QUEUE] = c;
		pthread_cond_signal(&a->filled);
		pthread_mutex_unlock(&a->lock);
	}
	pthread_mutex_lock(&a->lock);
	if (error && !a->error) {
		a->error = error;
		snprintf(a->message, sizeof(a->message), "%s", hoso_error_last());
	}
	a->done = 1;
	pthread_cond_signal(&a->filled);
	pthread_mutex_unlock(&a->lock);
	git_repository_free(git);
	return NULL;
}

/* The listed records to `cb`, read ahead by another thread. */
static int call_ahead(listing *l, hoso_record_cb cb, void *payload)
{
	ahead a;
	pthread_t thread;
	int error = 0;

	memset(&a, 0, sizeof(a));
	a.l = l;
	pthread_mutex_init(&a.lock, NULL);
	pthread_cond_init(&a.filled, NULL);
	pthread_cond_init(&a.emptied, NULL);
	if (pthread_create(&thread, NULL, reader, &a) != 0) {
		error = hoso_error_set(HOSO_ERROR, "cannot start a thread to read the records");
		goto done;
	}
	for (;;) {
		ahead_chunk c;
		size_t i;

		pthread_mutex_lock(&a.lock);
		while (a.count == 0 && !a.done)
			pthread_cond_wait(&a.filled, &a.lock);
		if (a.count == 0) {
			pthread_mutex_unlock(&a.lock);
			break;
		}
		c = a.q[a.head];
		a.head = (a.head + 1) % AHEAD_QUEUE;
		a.count--;
		pthread_cond_signal(&a.emptied);
		pthread_mutex_unlock(&a.lock);
		for (i = 0; i < c.n && error == 0; i++) {
			const listed *it = &l->items[c.from + i];

			error = cb(it->unit, it->type, it->id, c.buf + c.off[i], c.off[i + 1] - c.off[i], payload);
		}
		free(c.buf);
		if (error)
			break;
	}
	/* Stopped early: let the reader go, and take back what it queued. */
	pthread_mutex_lock(&a.lock);
	a.stop = 1;
	pthread_cond_signal(&a.emptied);
	pthread_mutex_unlock(&a.lock);
	pthread_join(thread, NULL);
	while (a.count) {
		free(a.q[a.head].buf);
		a.head = (a.head + 1) % AHEAD_QUEUE;
		a.count--;
	}
	if (error == 0 && a.error)
		error = hoso_error_set(a.error, "%s", a.message);
done:
	pthread_cond_destroy(&a.filled);
	pthread_cond_destroy(&a.emptied);
	pthread_mutex_destroy(&a.lock);
	return error;
}

/* The listed records to `cb`, read here. */
static int call_here(listing *l, hoso_record_cb cb, void *payload)
{
	size_t i;
	int error = 0;

	for (i = 0; i < l->n && error == 0; i++) {
		const listed *it = &l->items[i];
		git_blob *blob = NULL;

		if (git_blob_lookup(&blob, l->repo->git, &it->oid) < 0)
			return hoso_error_git(HOSO_ERROR, "cannot read record '%s'", it->id);
		error = cb(it->unit, it->type, it->id, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob), payload);
		git_blob_free(blob);
	}
	return error;
}

int hoso_record_foreach(hoso_repo *repo, const git_tree *tree, const char *type,
	const char *unit, hoso_record_cb cb, void *payload)
{
	git_tree *tip = NULL, *units = NULL;
	git_tree_entry *data = NULL;
	listing l;
	size_t i, j;
	int error = 0;

	memset(&l, 0, sizeof(l));
	l.repo = repo;
	if (!tree) {
		if ((error = hoso_repo_tip_tree(&tip, NULL, repo)) < 0)
			return error;
		tree = tip;
	}
	if (!tree || git_tree_entry_bypath(&data, tree, "data") < 0 ||
		git_tree_lookup(&units, repo->git, git_tree_entry_id(data)) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(units) && error == 0; i++) {
		const git_tree_entry *ue = git_tree_entry_byindex(units, i);
		const char *code = git_tree_entry_name(ue);
		git_tree *types = NULL;
		if (unit && strcmp(unit, code) != 0)
			continue;
		if (git_tree_lookup(&types, repo->git, git_tree_entry_id(ue)) < 0)
			continue;
		if (type) {
			error = list_type(&l, types, code, type);
		} else {
			for (j = 0; j < git_tree_entrycount(types) && error == 0; j++)
				error = list_type(&l, types, code,
					git_tree_entry_name(git_tree_entry_byindex(types, j)));
		}
		git_tree_free(types);
	}
	if (error == 0)
		error = l.n >= AHEAD_FROM ? call_ahead(&l, cb, payload) : call_here(&l, cb, payload);
done:
	for (i = 0; i < l.nnames; i++)
		free(l.names[i]);
	free(l.names);
	free(l.items);
	git_tree_free(units);
	git_tree_entry_free(data);
	git_tree_free(tip);
	return error;
}
