#include <errno.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "province", "CODE", 0, N_("the province's code, e.g. 02") },
	{ "name", "NAME", 0, N_("the province's name") },
	{ "units", "FILE", 0, N_("JSON {\"units\": [{\"code\", \"name\"}, ...]}") },
	{ "admin", "USER", 0, N_("the first admin in access.json (default: admin)") },
	{ NULL, NULL, 0, NULL }
};

static int run(cli_args *args, hoso_repo *unused)
{
	hoso_init_options opts = HOSO_INIT_OPTIONS_INIT;
	hoso_problems *problems = NULL;
	hoso_repo *repo = NULL;
	json_t *units = NULL;
	json_error_t jerr;
	const char *file = cli_get(args, "units");
	int rc = EXIT_OK, error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "give one directory for the new repository");
	if (!(opts.province = cli_get(args, "province")) || !(opts.name = cli_get(args, "name")))
		return cli_usage(args->cmd, "--province and --name are needed");
	if (file && !(units = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr)))
		return cli_error(EXIT_DATA, "%s:%d: %s", file, jerr.line, jerr.text);
	opts.units = units;
	opts.admin = cli_get(args, "admin");
	opts.schema_dir = cli_schema_dir();
	if (hoso_problems_new(&problems) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	if ((error = hoso_repo_init(&repo, args->pos[0], &opts, problems)) < 0) {
		if (hoso_problems_count(problems)) {
			hoso_problems_locate(problems, 0, file, 0);
			rc = cli_problems(problems);
		} else {
			rc = cli_fail(error);
		}
		goto done;
	}
	cli_info("made a repository for province %s (%s) with %zu units at '%s'",
		opts.province, opts.name, hoso_repo_unit_count(repo), hoso_repo_path(repo));
done:
	hoso_repo_free(repo);
	hoso_problems_free(problems);
	json_decref(units);
	return rc;
}

const cli_command cmd_init = {
	"init", N_("make a new data repository (bare) for a province"),
	"DIR --province CODE --name NAME [--units FILE] [--admin USER]", options, 0, run
};
