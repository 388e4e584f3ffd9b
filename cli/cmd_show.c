#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "json", NULL, 0, "print the record as JSON, with its unit" },
	{ NULL, NULL, 0, NULL }
};

static int by_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "field: value" lines, nested fields with dotted names. */
static void print_fields(const json_t *obj, const char *prefix)
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
		value = json_object_get(obj, keys[i]);
		snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", keys[i]);
		if (json_is_object(value)) {
			print_fields(value, name);
		} else if (json_is_string(value)) {
			printf("%s: %s\n", name, json_string_value(value));
		} else {
			char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%s: %s\n", name, text ? text : "");
			free(text);
		}
	}
	free(keys);
}


static int run(cli_args *args, hoso_repo *repo)
{
	json_t *record = NULL;
	char *unit = NULL;
	int error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "give one record id");
	if (!hoso_id_valid(args->pos[0]))
		return cli_error(EXIT_USAGE, "'%s' is not a record id (a ULID)", args->pos[0]);
	if ((error = hoso_record_get(&record, &unit, repo, args->pos[0])) < 0)
		return cli_fail(error);
	if (cli_has(args, "json")) {
		json_object_set_new(record, "unit", json_string(unit));
		json_dumpf(record, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		printf("unit: %s\n", unit);
		print_fields(record, "");
	}
	json_decref(record);
	free(unit);
	return EXIT_OK;
}

const cli_command cmd_show = {
	"show", "print one record", "ID [--json]", options, 1, run
};
