#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "type", "T", 1, N_("only records of this type (default: every type)"), 0 },
	{ "unit", "U", 0, N_("only this unit's records (default: every unit)"), 0 },
	{ "as-of", "DATE", 0, N_("as on DATE: each record in its unit then, and only the "
		"organizations open and the members admitted then"), 0 },
	{ "output", "FILE", 0, N_("write to FILE (default: standard output)"), 'o' },
	CLI_LABELS_OPTION,
	{ NULL, NULL, 0, NULL, 0 }
};

static int run(cli_args *args, hoso_repo *repo)
{
	const char *format, *file = cli_get(args, "output"), *unit = cli_get(args, "unit");
	const char *labels, *as_of = cli_get(args, "as-of");
	const char **types;
	size_t ntypes, i;
	hoso_plugin_set *set = NULL;
	hoso_problems *problems = NULL;
	json_t *opts = NULL;
	cli_output out = { NULL, NULL, "", "" };
	int rc = EXIT_OK, error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "which format?");
	format = args->pos[0];
	types = cli_all(args, "type", &ntypes);
	/* The one built-in format of one type a file: said before any work. */
	if (strcmp(format, "csv") == 0 && ntypes != 1)
		return cli_usage(args->cmd, "a CSV file holds one record type: give one --type");
	for (i = 0; i < ntypes; i++)
		if (!cli_type(args->cmd, repo, types[i]))
			return EXIT_USAGE;
	if (!ntypes) {
		/* Every type the repository's schemas know, but the conflicts. */
		const hoso_schema_set *all = hoso_repo_schemas(repo);
		static const char *every[64];
		for (i = 0; i < hoso_schema_set_count(all) && ntypes < 64; i++)
			if (strcmp(hoso_schema_set_type(all, i), "conflict") != 0)
				every[ntypes++] = hoso_schema_set_type(all, i);
		types = every;
	}
	if (unit && !hoso_repo_unit_find(repo, unit))
		return cli_error(EXIT_USAGE, "unknown unit '%s'", unit);
	if (!as_of)
		cli_closed_unit_hint(repo, unit, 1);
	if (as_of && !hoso_date_valid(as_of))
		return cli_usage(args->cmd, "--as-of wants a date YYYY-MM-DD");
	if ((rc = cli_labels(&labels, args)) != 0)
		return rc;
	opts = json_object();
	if (as_of)
		json_object_set_new(opts, "as_of", json_string(as_of));
	if (labels)
		json_object_set_new(opts, "labels", json_string(labels));
	if (hoso_problems_new(&problems) < 0 ||
		(error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), problems)) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	if (!cli_output_open(&out, file)) {
		rc = EXIT_USAGE;
		goto done;
	}
	error = hoso_plugin_set_export(set, format, types, ntypes, unit, out.fp, opts, problems);
	if (error == HOSO_ENOTFOUND) {
		rc = cli_error(EXIT_USAGE, "%s", hoso_error_last());
		cli_hint("'hoso plugin list' shows the exporters");
	} else if (error < 0) {
		rc = cli_fail(error);
	}
	cli_problems(problems);
done:
	rc = cli_output_close(&out, rc);
	hoso_plugin_set_free(set);
	hoso_problems_free(problems);
	json_decref(opts);
	return rc;
}

const cli_command cmd_export = {
	"export", N_("write records as csv, xlsx, sqlite or jsonl (exporter plugins)"),
	"FORMAT [--type T]... [--unit U] [--as-of DATE] [-o FILE] [--labels vi|en|none]", options, 1, run
};
