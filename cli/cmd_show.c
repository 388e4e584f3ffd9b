#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print the record as JSON, with its unit") },
	CLI_LABELS_OPTION,
	{ NULL, NULL, 0, NULL }
};

static int by_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A value's text: a code by its label when there is one. */
static void print_value(const json_t *value, const hoso_schema *schema, const char *field,
	const char *lang)
{
	const char *label;
	size_t i;

	if (json_is_string(value)) {
		label = lang ? hoso_schema_label(schema, field, json_string_value(value), lang) : NULL;
		fputs(label ? label : json_string_value(value), stdout);
	} else if (lang && json_is_array(value) && json_array_size(value) &&
		json_is_string(json_array_get(value, 0))) {
		for (i = 0; i < json_array_size(value); i++) {
			fputs(i ? ", " : "", stdout);
			print_value(json_array_get(value, i), schema, field, lang);
		}
	} else {
		char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(text ? text : "", stdout);
		free(text);
	}
}

/* "field: value" lines, nested fields with dotted names (or their labels). */
static void print_fields(const json_t *obj, const char *prefix, const hoso_schema *schema,
	const char *lang)
{
	const char **keys;
	const char *key;
	json_t *value;
	size_t n = json_object_size(obj), i = 0;

	if (!(keys = malloc((n ? n : 1) * sizeof(char *))))
		return;
	json_object_foreach((json_t *)obj, key, value)
		keys[i++] = key;
	qsort(keys, n, sizeof(char *), by_ptr);
	for (i = 0; i < n; i++) {
		char name[256];
		const char *label;
		value = json_object_get(obj, keys[i]);
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", keys[i]);
		if (json_is_object(value)) {
			print_fields(value, name, schema, lang);
			continue;
		}
		label = lang ? hoso_schema_label(schema, name, NULL, lang) : NULL;
		printf("%s: ", label ? label : name);
		print_value(value, schema, name, lang);
		putchar('\n');
	}
	free(keys);
}

static int run(cli_args *args, hoso_repo *repo)
{
	json_t *record = NULL;
	char *unit = NULL;
	const char *lang;
	int error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "give one record id");
	if (!hoso_id_valid(args->pos[0]))
		return cli_error(EXIT_USAGE, "'%s' is not a record id (a ULID)", args->pos[0]);
	if ((error = cli_labels(&lang, args)) != 0)
		return error;
	if ((error = hoso_record_get(&record, &unit, repo, args->pos[0])) < 0)
		return cli_fail(error);
	if (cli_has(args, "json")) {
		json_object_set_new(record, "unit", json_string(unit));
		json_dumpf(record, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		const hoso_unit *u = hoso_repo_unit_find(repo, unit);
		if (lang && u && u->name)
			printf("%s: %s (%s)\n", _("unit"), unit, u->name);
		else
			printf("%s: %s\n", lang ? _("unit") : "unit", unit);
		print_fields(record, "", hoso_repo_schema(repo,
			json_string_value(json_object_get(record, "type"))), lang);
	}
	json_decref(record);
	free(unit);
	return EXIT_OK;
}

const cli_command cmd_show = {
	"show", N_("print one record"), "ID [--json] [--labels vi|en|none]", options, 1, run
};
