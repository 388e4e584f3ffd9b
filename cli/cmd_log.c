#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print a JSON array of commits") },
	{ "max-count", "N", 0, N_("show at most N commits") },
	{ NULL, NULL, 0, NULL }
};

/* The blob id and unit of record `id` (of `type`) in commit `c`, zero if absent. */
static void record_blob(git_oid *out, char unit[64], hoso_repo *repo, const git_commit *c, const char *type,
	const char *id)
{
	git_tree *tree = NULL;
	git_tree_entry *units = NULL, *e = NULL;
	git_tree *dir = NULL;
	char shard[3], path[256];
	size_t i;

	memset(out, 0, sizeof(*out));
	unit[0] = '\0';
	if (git_commit_tree(&tree, c) < 0 || git_tree_entry_bypath(&units, tree, "data") < 0 ||
		git_tree_lookup(&dir, hoso_repo_git(repo), git_tree_entry_id(units)) < 0)
		goto done;
	hoso_id_shard(shard, id);
	for (i = 0; i < git_tree_entrycount(dir); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s/%s.json",
			git_tree_entry_name(git_tree_entry_byindex(dir, i)), type, shard, id);
		if (git_tree_entry_bypath(&e, dir, path) == 0) {
			git_oid_cpy(out, git_tree_entry_id(e));
			snprintf(unit, 64, "%s", git_tree_entry_name(git_tree_entry_byindex(dir, i)));
			git_tree_entry_free(e);
			break;
		}
	}
done:
	git_tree_free(dir);
	git_tree_entry_free(units);
	git_tree_free(tree);
}

/* 1 if commit `c` changed record `id` (of any type when `type` is NULL). */
static int touches(hoso_repo *repo, const git_commit *c, const char *type, const char *id)
{
	const hoso_schema_set *set = hoso_repo_schemas(repo);
	git_commit *parent = NULL;
	git_oid mine, theirs;
	char unit[64], theirs_unit[64];
	size_t i;
	int changed = 0;

	if (git_commit_parentcount(c) > 0)
		git_commit_parent(&parent, c, 0);
	for (i = 0; i < hoso_schema_set_count(set) && !changed; i++) {
		const char *t = hoso_schema_set_type(set, i);
		if (type && strcmp(t, type) != 0)
			continue;
		record_blob(&mine, unit, repo, c, t, id);
		if (parent) {
			record_blob(&theirs, theirs_unit, repo, parent, t, id);
		} else {
			memset(&theirs, 0, sizeof(theirs));
			theirs_unit[0] = '\0';
		}
		changed = !git_oid_equal(&mine, &theirs) || strcmp(unit, theirs_unit) != 0;
	}
	git_commit_free(parent);
	return changed;
}

static int run(cli_args *args, hoso_repo *repo)
{
	git_revwalk *walk = NULL;
	json_t *record = NULL;
	const char *id = args->npos ? args->pos[0] : NULL, *type = NULL, *max = cli_get(args, "max-count");
	long limit = max ? atol(max) : -1, shown = 0;
	int json = cli_has(args, "json"), rc = EXIT_OK;
	git_oid oid;

	if (args->npos > 1)
		return cli_usage(args->cmd, "give at most one record id");
	if (id && !hoso_id_valid(id))
		return cli_error(EXIT_USAGE, "'%s' is not a record id (a ULID)", id);
	if (id && hoso_record_get(&record, NULL, repo, id) == 0)
		type = json_string_value(json_object_get(record, "type"));
	if (git_revwalk_new(&walk, hoso_repo_git(repo)) < 0 ||
		git_revwalk_push_ref(walk, HOSO_BRANCH) < 0) {
		rc = cli_error(EXIT_FAILURE_, "cannot walk the history: %s", git_error_last() ?
			git_error_last()->message : "unknown error");
		goto done;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (json)
		fputs("[", stdout);
	while ((limit < 0 || shown < limit) && git_revwalk_next(&oid, walk) == 0) {
		git_commit *c = NULL;
		const git_signature *a;
		char when[64];
		time_t t;
		if (git_commit_lookup(&c, hoso_repo_git(repo), &oid) < 0)
			continue;
		if (id && !touches(repo, c, type, id)) {
			git_commit_free(c);
			continue;
		}
		a = git_commit_author(c);
		t = (time_t)a->when.time + a->when.offset * 60;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "commit", git_oid_tostr_s(&oid),
				"author", a->name, "email", a->email, "time", (json_int_t)a->when.time,
				"message", git_commit_message(c));
			fputs(shown ? ",\n" : "\n", stdout);
			json_dumpf(o, stdout, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(o);
		} else {
			printf("%scommit %s\nAuthor: %s <%s>\nDate:   %s %+03d%02d\n\n    %s\n", shown ? "\n" : "",
				git_oid_tostr_s(&oid), a->name, a->email, when, a->when.offset / 60,
				abs(a->when.offset) % 60, git_commit_summary(c));
		}
		shown++;
		git_commit_free(c);
	}
	if (json)
		fputs(shown ? "\n]\n" : "]\n", stdout);
	if (id && shown == 0 && !record)
		rc = cli_error(EXIT_DATA, "no record '%s' in the history", id);
done:
	json_decref(record);
	git_revwalk_free(walk);
	return rc;
}

const cli_command cmd_log = {
	"log", N_("show the history of the repository or of one record"), "[ID] [--max-count N] [--json]", options, 1, run
};
