#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print a JSON array of commits") },
	{ "max-count", "N", 0, N_("show at most N commits") },
	{ NULL, NULL, 0, NULL }
};

static int run(cli_args *args, hoso_repo *repo)
{
	git_revwalk *walk = NULL;
	json_t *record = NULL;
	const char *id = args->npos ? args->pos[0] : NULL, *type = NULL, *max = cli_get(args, "max-count");
	long limit = max ? atol(max) : -1, shown = 0;
	int json = cli_has(args, "json"), rc = EXIT_OK;
	hoso_record_state now, before;
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
		if (id && !hoso_record_changed(&now, &before, repo, c, type, id)) {
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
