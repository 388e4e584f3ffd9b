#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unit", "U", 0, N_("only this unit's conflicts") },
	{ "json", NULL, 0, N_("print a JSON array of the conflict records, each with its unit") },
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	int json;
	size_t count;
} conflicts_state;

static void print_value(const json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;

	printf("%.60s%s", text ? text : _("(absent)"), text && strlen(text) > 60 ? "…" : "");
	free(text);
}

static int each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	conflicts_state *st = payload;
	json_error_t jerr;
	json_t *c = json_loadb(data, len, 0, &jerr);
	const char *field;

	if (!c)
		return 0;
	if (st->json) {
		fputs(st->count ? ",\n" : "[\n", stdout);
		json_object_set_new(c, "unit", json_string(unit));
		json_dumpf(c, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	} else {
		field = json_string_value(json_object_get(c, "field"));
		printf("%s\t%s\t%s\t%s\twinner %s\tours ", id, unit,
			json_string_value(json_object_get(c, "record_id")),
			field && *field ? field : json_is_true(json_object_get(c, "deleted")) ?
			"(the whole record: edited against a deletion)" : "(the whole record)",
			json_string_value(json_object_get(c, "winner")));
		print_value(json_object_get(c, "ours"));
		fputs("\ttheirs ", stdout);
		print_value(json_object_get(c, "theirs"));
		putchar('\n');
	}
	st->count++;
	json_decref(c);
	return 0;
}

static int run(cli_args *args, hoso_repo *repo)
{
	conflicts_state st = { cli_has(args, "json"), 0 };
	const char *unit = cli_get(args, "unit");
	int error;

	if (args->npos)
		return cli_usage(args->cmd, "conflicts takes no arguments");
	if ((error = hoso_record_foreach(repo, NULL, "conflict", unit, each, &st)) < 0)
		return cli_fail(error);
	if (st.json)
		fputs(st.count ? "\n]\n" : "[]\n", stdout);
	else if (!st.count)
		cli_info("no open conflicts");
	return EXIT_OK;
}

const cli_command cmd_conflicts = {
	"conflicts", N_("list the values sync had to choose between, until resolved"),
	"[--unit U] [--json]", options, 1, run
};
