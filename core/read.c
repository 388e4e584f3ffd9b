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

/* Walk data/<unit>/<type>/<shard>/<id>.json under `tree`. */
static int walk_type(hoso_repo *repo, const git_tree *types, const char *unit, const char *type,
	hoso_record_cb cb, void *payload)
{
	const git_tree_entry *te = git_tree_entry_byname(types, type);
	git_tree *shards = NULL;
	size_t i, j;
	int error = 0;

	if (!te || git_tree_entry_type(te) != GIT_OBJECT_TREE)
		return 0;
	if (git_tree_lookup(&shards, repo->git, git_tree_entry_id(te)) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot read 'data/%s/%s'", unit, type);
	for (i = 0; i < git_tree_entrycount(shards) && error == 0; i++) {
		git_tree *shard = NULL;
		if (git_tree_lookup(&shard, repo->git, git_tree_entry_id(git_tree_entry_byindex(shards, i))) < 0)
			continue;
		for (j = 0; j < git_tree_entrycount(shard) && error == 0; j++) {
			const git_tree_entry *e = git_tree_entry_byindex(shard, j);
			const char *name = git_tree_entry_name(e);
			git_blob *blob = NULL;
			char id[HOSO_ID_LEN + 1];
			if (strlen(name) != HOSO_ID_LEN + 5 || git_tree_entry_type(e) != GIT_OBJECT_BLOB)
				continue;
			memcpy(id, name, HOSO_ID_LEN);
			id[HOSO_ID_LEN] = '\0';
			if (git_blob_lookup(&blob, repo->git, git_tree_entry_id(e)) < 0) {
				error = hoso_error_git(HOSO_ERROR, "cannot read record '%s'", id);
				break;
			}
			error = cb(unit, type, id, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				payload);
			git_blob_free(blob);
		}
		git_tree_free(shard);
	}
	git_tree_free(shards);
	return error;
}

int hoso_record_foreach(hoso_repo *repo, const git_tree *tree, const char *type,
	const char *unit, hoso_record_cb cb, void *payload)
{
	git_tree *tip = NULL, *units = NULL;
	git_tree_entry *data = NULL;
	size_t i, j;
	int error = 0;

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
			error = walk_type(repo, types, code, type, cb, payload);
		} else {
			for (j = 0; j < git_tree_entrycount(types) && error == 0; j++)
				error = walk_type(repo, types, code,
					git_tree_entry_name(git_tree_entry_byindex(types, j)), cb, payload);
		}
		git_tree_free(types);
	}
done:
	git_tree_free(units);
	git_tree_entry_free(data);
	git_tree_free(tip);
	return error;
}
