#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unit", "U", 0, N_("only this unit's records") },
	{ "where", "FIELD=VALUE", 1, N_("only records whose field has this value") },
	{ "json", NULL, 0, N_("print a JSON array of the records, each with its unit") },
	CLI_LABELS_OPTION,
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	const char **where;
	size_t nwhere;
	int json;
	const hoso_schema *schema; /* with lang: codes shown by their labels */
	const char *lang;
	size_t count;
	int failed;
} list_state;

/* The text of a field for --where: strings as they are, other values as JSON. */
static int field_matches(const json_t *record, const char *cond)
{
	const char *eq = strchr(cond, '=');
	char path[256], *seg, *dot;
	const json_t *v = record;
	int match;

	snprintf(path, sizeof(path), "%.*s", (int)(eq - cond), cond);
	for (seg = path; v && (dot = strchr(seg, '.')); seg = dot + 1) {
		*dot = '\0';
		v = json_object_get(v, seg);
	}
	if (!(v = json_object_get(v, seg)))
		return 0;
	if (json_is_string(v))
		return strcmp(json_string_value(v), eq + 1) == 0;
	if (json_is_array(v)) {
		size_t i;
		for (i = 0; i < json_array_size(v); i++)
			if (json_is_string(json_array_get(v, i)) &&
				strcmp(json_string_value(json_array_get(v, i)), eq + 1) == 0)
				return 1;
		return 0;
	}
	{
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		match = text && strcmp(text, eq + 1) == 0;
		free(text);
	}
	return match;
}

static int each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	list_state *st = payload;
	json_error_t jerr;
	json_t *record = json_loadb(data, len, 0, &jerr);
	size_t i;

	if (!record) {
		cli_warning("data/%s/%s/%s.json is not valid JSON: %s", unit, type, id, jerr.text);
		st->failed = 1;
		return 0;
	}
	for (i = 0; i < st->nwhere; i++)
		if (!field_matches(record, st->where[i]))
			goto done;
	if (st->json) {
		fputs(st->count ? ",\n" : "[\n", stdout);
		json_object_set_new(record, "unit", json_string(unit));
		json_dumpf(record, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	} else {
		printf("%s\t%s\t%s\n", id, unit, hoso_record_title(record, st->schema, st->lang));
	}
	st->count++;
done:
	json_decref(record);
	return 0;
}

static int run(cli_args *args, hoso_repo *repo)
{
	list_state st = { NULL, 0, cli_has(args, "json"), NULL, NULL, 0, 0 };
	const char *unit = cli_get(args, "unit");
	size_t i;
	int error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "which record type?");
	if (!(st.schema = cli_type(args->cmd, repo, args->pos[0])))
		return EXIT_USAGE;
	if ((error = cli_labels(&st.lang, args)) != 0)
		return error;
	if (unit && !hoso_repo_unit_find(repo, unit))
		return cli_error(EXIT_USAGE, "unknown unit '%s'", unit);
	cli_closed_unit_hint(repo, unit, 0);
	st.where = cli_all(args, "where", &st.nwhere);
	for (i = 0; i < st.nwhere; i++)
		if (!strchr(st.where[i], '=') || st.where[i][0] == '=')
			return cli_usage(args->cmd, "'--where %s' is not FIELD=VALUE", st.where[i]);
	if ((error = hoso_record_foreach(repo, NULL, args->pos[0], unit, each, &st)) < 0)
		return cli_fail(error);
	if (st.json)
		fputs(st.count ? "\n]\n" : "[]\n", stdout);
	return st.failed ? EXIT_FAILURE_ : EXIT_OK;
}

const cli_command cmd_list = {
	"list", N_("list the records of a type"),
	"TYPE [--unit U] [--where FIELD=VALUE]... [--json] [--labels vi|en|none]", options, 1, run
};
