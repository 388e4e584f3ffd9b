#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "year", "Y", 0, N_("the report's year"), 0 },
	{ "as-of", "DATE", 0, N_("the date the counts of units, organizations and members are taken on "
		"(default: the year's last day)"), 0 },
	{ "unit", "U", 0, N_("only this unit's records (default: the whole repository)"), 0 },
	{ "format", "md|html|json", 0, N_("the output (default md)"), 0 },
	{ "output", "FILE", 0, N_("write to FILE (default: standard output)"), 'o' },
	{ NULL, NULL, 0, NULL, 0 }
};

static int run(cli_args *args, hoso_repo *repo)
{
	const char *file = cli_get(args, "output"), *unit = cli_get(args, "unit");
	const char *format = cli_get(args, "format") ? cli_get(args, "format") : "md";
	const char *year = cli_get(args, "year"), *as_of = cli_get(args, "as-of");
	hoso_plugin_set *set = NULL;
	hoso_problems *problems = NULL;
	json_t *opts = NULL;
	char commit[GIT_OID_HEXSZ + 1] = "";
	git_oid tip;
	cli_output out = { NULL, NULL, "", "" };
	int rc = EXIT_OK, error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "which report? (annual)");
	if (!year || strlen(year) != 4 || strspn(year, "0123456789") != 4)
		return cli_usage(args->cmd, "give the year: --year YYYY");
	if (as_of && !hoso_date_valid(as_of))
		return cli_usage(args->cmd, "--as-of wants a date YYYY-MM-DD");
	if (unit && !hoso_repo_unit_find(repo, unit))
		return cli_error(EXIT_USAGE, "unknown unit '%s'", unit);
	/* The report names the commit it was computed from. */
	if (hoso_repo_head(&tip, repo) == 0)
		git_oid_tostr(commit, sizeof(commit), &tip);
	opts = json_object();
	json_object_set_new(opts, "year", json_string(year));
	json_object_set_new(opts, "commit", json_string(commit));
	/* The day units, organizations and members are taken on: the year's last by default. */
	if (as_of)
		json_object_set_new(opts, "as_of", json_string(as_of));
	else
		json_object_set_new(opts, "as_of", json_pack("s+", year, "-12-31"));
	if (unit)
		json_object_set_new(opts, "unit", json_string(unit));
	if (hoso_problems_new(&problems) < 0 ||
		hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), problems) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	if (!cli_output_open(&out, file)) {
		rc = EXIT_USAGE;
		goto done;
	}
	error = hoso_plugin_set_report(set, args->pos[0], format, out.fp, opts, problems);
	if (error == HOSO_ENOTFOUND || error == HOSO_EUSAGE)
		rc = cli_usage(args->cmd, "%s", hoso_error_last());
	else if (error < 0)
		rc = cli_fail(error);
	cli_problems(problems);
done:
	rc = cli_output_close(&out, rc);
	hoso_plugin_set_free(set);
	hoso_problems_free(problems);
	json_decref(opts);
	return rc;
}

const cli_command cmd_report = {
	"report", N_("a report from the records (report plugins): annual"),
	"NAME --year Y [--as-of DATE] [--unit U] [--format md|html|json] [-o FILE]", options, 1, run
};
