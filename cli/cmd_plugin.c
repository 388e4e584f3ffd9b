#include <string.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "json", NULL, 0, "print the plugins as JSON" },
	{ NULL, NULL, 0, NULL }
};

static void kinds(char *out, size_t size, const hoso_plugin *d)
{
	snprintf(out, size, "%s%s%s%s%s", d->validator ? "validator" : "",
		d->validator && (d->exporter || d->report) ? "," : "", d->exporter ? "exporter" : "",
		d->exporter && d->report ? "," : "", d->report ? "report" : "");
}

static int list(cli_args *args, hoso_repo *repo)
{
	hoso_plugin_set *set = NULL;
	hoso_problems *refusals = NULL;
	json_t *arr = json_array();
	size_t i;
	int error;

	if (hoso_problems_new(&refusals) < 0 ||
		(error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), refusals)) < 0) {
		json_decref(arr);
		hoso_problems_free(refusals);
		return cli_fail(HOSO_ERROR);
	}
	for (i = 0; i < hoso_plugin_set_count(set); i++) {
		const hoso_loaded_plugin *p = hoso_plugin_set_at(set, i);
		const hoso_plugin *d = hoso_plugin_descriptor(p);
		char k[64];
		kinds(k, sizeof(k), d);
		if (cli_has(args, "json"))
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", d->name,
				"version", d->version ? d->version : "", "kinds", k,
				"from", hoso_plugin_set_origin(set, i), "path", hoso_plugin_path(p),
				"sha256", hoso_plugin_sha256(p)));
		else
			printf("%-16s %-8s %-24s %-9s %s\n", d->name, d->version ? d->version : "", k,
				hoso_plugin_set_origin(set, i), hoso_plugin_path(p));
	}
	if (cli_has(args, "json")) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	cli_problems(refusals);
	json_decref(arr);
	hoso_plugin_set_free(set);
	hoso_problems_free(refusals);
	return EXIT_OK;
}

static int run(cli_args *args, hoso_repo *repo)
{
	if (args->npos == 1 && strcmp(args->pos[0], "list") == 0)
		return list(args, repo);
	return cli_usage(args->cmd, "plugin list is what this hoso has so far");
}

const cli_command cmd_plugin = {
	"plugin", "the plugins hoso runs: where each came from, its version and kinds",
	"list [--json]", options, 1, run
};
