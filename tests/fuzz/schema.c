/*
 * The schema validator. Input RECORD: the record, parsed as hoso parses
 * records, validated against every schema of schemas/ (loaded once), and its
 * fields looked up in each. Input SCHEMA NUL [RECORD]: the schema text added
 * to a set of its own (as a repository's schemas/ are), then the record (or
 * a fixed one) validated against it. Invariants: validation returns the
 * number of errors it appended; a refused schema says why.
 */
#include <hoso/json.h>
#include <hoso/schema.h>

#include "fuzz.h"

static hoso_schema_set *schemas;

static const char fixed_record[] =
	"{\"type\": \"member\", \"id\": \"01HQ8Z5K3V0000000000000001\", "
	"\"full_name\": \"Nguyễn Văn An\", \"birth_date\": \"1985-03-12\", "
	"\"gender\": \"nam\", \"positions\": [\"Bí thư\", \"Bí thư\"], "
	"\"education\": {\"general\": \"12/12\"}, \"n\": 3.5, \"ok\": true}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (hoso_schema_set_new(&schemas) < 0 ||
		hoso_schema_set_load_dir(schemas, HOSO_FUZZ_SCHEMA_DIR) < 0 ||
		hoso_schema_set_count(schemas) == 0) {
		fprintf(stderr, "cannot load the schemas of %s: %s\n", HOSO_FUZZ_SCHEMA_DIR,
			hoso_error_last());
		abort();
	}
	return 0;
}

/* Validate `record` against `schema` and look up each of its fields there. */
static void check_one(const hoso_schema *schema, const json_t *record)
{
	static const char *const langs[] = { "vi", "en" };
	hoso_problems *problems = NULL;
	const char *key;
	json_t *value;
	int n;

	if (hoso_problems_new(&problems) < 0)
		abort();
	n = hoso_schema_validate(schema, record, problems);
	FUZZ_ASSERT(n >= 0, "the validator failed: %s", hoso_error_last());
	FUZZ_ASSERT((size_t)n == hoso_problems_errors(problems),
		"validate returned %d with %zu errors", n, hoso_problems_errors(problems));
	json_object_foreach((json_t *)record, key, value) {
		const char *sub;
		json_t *item;
		char path[600];
		hoso_schema_field_kind(schema, key);
		hoso_schema_field(schema, key);
		hoso_schema_field_is_set(schema, key);
		hoso_schema_field_ref(schema, key);
		hoso_schema_label(schema, key, NULL, langs[strlen(key) & 1]);
		if (json_is_string(value))
			hoso_schema_label(schema, key, json_string_value(value), langs[strlen(key) & 1]);
		json_object_foreach(value, sub, item) {
			snprintf(path, sizeof(path), "%s.%s", key, sub);
			hoso_schema_field_kind(schema, path);
			hoso_schema_field_is_set(schema, path);
			hoso_schema_label(schema, path, json_string_value(item), "vi");
		}
	}
	hoso_problems_free(problems);
}

/* The type a schema text says it describes (properties.type.const), or "fuzz". */
static char *type_of(const char *text, size_t len)
{
	json_t *doc = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	const char *t = json_string_value(json_object_get(json_object_get(json_object_get(doc,
		"properties"), "type"), "const"));
	char *type = strdup(t && *t ? t : "fuzz");

	json_decref(doc);
	return type;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *parts[2];
	size_t lens[2], nparts = fuzz_split(data, size, parts, lens, 2), i;
	hoso_schema_set *own = NULL;
	json_t *record = NULL;
	char *type = NULL;
	int error;

	if (nparts == 1) {
		if (hoso_json_parse(&record, parts[0], lens[0], NULL) < 0)
			goto done;
		for (i = 0; i < hoso_schema_set_count(schemas); i++)
			check_one(hoso_schema_set_get(schemas, hoso_schema_set_type(schemas, i)), record);
		goto done;
	}

	if (!(type = type_of(parts[0], lens[0])) || hoso_schema_set_new(&own) < 0)
		abort();
	error = hoso_schema_set_add(own, type, parts[0], lens[0], "fuzz.schema.json");
	if (error < 0) {
		FUZZ_ASSERT(error == HOSO_EINVALID, "set_add returned %d: %s", error, hoso_error_last());
		FUZZ_ASSERT(hoso_error_last()[0] != '\0', "a refused schema says nothing");
		FUZZ_ASSERT(hoso_schema_set_count(own) == 0, "a refused schema was added");
		goto done;
	}
	FUZZ_ASSERT(hoso_schema_set_get(own, type) != NULL, "an added schema is not found");
	FUZZ_ASSERT(hoso_schema_set_add(own, type, parts[0], lens[0], NULL) == HOSO_EEXISTS,
		"a type was added twice");
	if (lens[1] == 0 || hoso_json_parse(&record, parts[1], lens[1], NULL) < 0) {
		json_decref(record);
		if (hoso_json_parse(&record, fixed_record, strlen(fixed_record), NULL) < 0)
			abort();
	}
	check_one(hoso_schema_set_get(own, type), record);
done:
	json_decref(record);
	hoso_schema_set_free(own);
	free(type);
	return 0;
}
