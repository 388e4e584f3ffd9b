/*
 * Import files: the input is a whole .csv (FUZZ_FORMAT HOSO_FORMAT_CSV) or
 * .jsonl file read by hoso_import_read, and each row is then made a member
 * record and validated as 'hoso import member FILE' does before it stages
 * it (CSV texts converted by the schema field by field). No repository: the
 * reader and the conversion are what read the untrusted bytes.
 *
 * Invariants: 0 with no error, or HOSO_EINVALID with at least one; every
 * problem names the file and a line of it; rows come in line order, are
 * objects already in normal form, and a CSV row (unless all its cells are
 * empty) holds only non-empty strings in non-empty objects.
 */
#include <hoso/import.h>
#include <hoso/json.h>
#include <hoso/record.h>
#include <hoso/schema.h>

#include "fuzz.h"

#ifndef FUZZ_FORMAT
#error "FUZZ_FORMAT must be HOSO_FORMAT_CSV or HOSO_FORMAT_JSONL"
#endif

static hoso_schema_set *schemas;
static const hoso_schema *member;

typedef struct {
	size_t lines;     /* lines of the input */
	size_t last;      /* line of the previous row */
	size_t rows;
} state;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (hoso_schema_set_new(&schemas) < 0 ||
		hoso_schema_set_load_dir(schemas, HOSO_FUZZ_SCHEMA_DIR) < 0 ||
		!(member = hoso_schema_set_get(schemas, "member"))) {
		fprintf(stderr, "cannot load the schemas of %s: %s\n", HOSO_FUZZ_SCHEMA_DIR,
			hoso_error_last());
		abort();
	}
	return 0;
}

/* 1 if every leaf of `obj` is a non-empty string and every object is non-empty. */
static int only_texts(const json_t *obj)
{
	const char *key;
	json_t *v;

	if (json_object_size(obj) == 0)
		return 0;
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v) ? !only_texts(v) :
			!json_is_string(v) || json_string_length(v) == 0)
			return 0;
	}
	return 1;
}

static int row_cb(json_t *row, size_t line, int texts, void *payload)
{
	state *st = payload;
	hoso_problems *problems = NULL;
	json_t *normal = NULL, *record = NULL, *checked = NULL, *tmp = NULL;
	int n;

	FUZZ_ASSERT(json_is_object(row), "a row is not an object");
	FUZZ_ASSERT(line >= 1 && line <= st->lines, "row on line %zu of %zu", line, st->lines);
	FUZZ_ASSERT(line > st->last, "row on line %zu after one on line %zu", line, st->last);
	FUZZ_ASSERT(texts == (FUZZ_FORMAT == HOSO_FORMAT_CSV), "texts is %d", texts);
	FUZZ_ASSERT(hoso_json_normalize(&normal, row, NULL) == 0 && json_equal(normal, row),
		"a row is not in normal form");
	if (texts)
		FUZZ_ASSERT(json_object_size(row) == 0 || only_texts(row),
			"a CSV row holds something else than non-empty texts");
	st->last = line;
	st->rows++;

	if (hoso_problems_new(&problems) < 0)
		abort();
	hoso_import_row_record(&tmp, row, texts, member, problems);
	record = json_deep_copy(tmp); /* the type is set below: the row stays the reader's */
	json_decref(tmp);
	json_object_set_new(record, "type", json_string("member"));
	/* As hoso_txn_put: normal form, then the schema. */
	if (hoso_json_normalize(&checked, record, problems) == 0) {
		n = hoso_schema_validate(member, checked, problems);
		FUZZ_ASSERT(n >= 0, "the validator failed: %s", hoso_error_last());
	}
	json_decref(checked);
	json_decref(record);
	json_decref(normal);
	hoso_problems_free(problems);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *where = FUZZ_FORMAT == HOSO_FORMAT_CSV ? "fuzz.csv" : "fuzz.jsonl";
	hoso_problems *problems = NULL;
	state st = { 1, 0, 0 };
	FILE *fp;
	size_t i;
	int error;

	if (size == 0)
		return 0;
	for (i = 0; i < size; i++)
		st.lines += data[i] == '\n';
	if (!(fp = fmemopen((void *)data, size, "rb")) || hoso_problems_new(&problems) < 0)
		abort();
	error = hoso_import_read(fp, where, FUZZ_FORMAT, row_cb, &st, problems);
	FUZZ_ASSERT(error == 0 || error == HOSO_EINVALID, "read returned %d: %s", error,
		hoso_error_last());
	FUZZ_ASSERT((error == 0) == (hoso_problems_errors(problems) == 0),
		"returned %d with %zu errors", error, hoso_problems_errors(problems));
	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		FUZZ_ASSERT(p->where && strcmp(p->where, where) == 0, "a problem names no file: %s",
			p->message);
		FUZZ_ASSERT(p->line >= 1 && p->line <= st.lines, "a problem on line %zu of %zu: %s",
			p->line, st.lines, p->message);
	}
	fclose(fp);
	hoso_problems_free(problems);
	return 0;
}
