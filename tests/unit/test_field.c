/*
 * Tests for core/field.c: hoso_record_set turns FIELD=VALUE text into the
 * JSON type the schema declares (FIELD:=JSON is parsed), makes missing
 * parent objects, and refuses what does not convert with a problem naming
 * the field; hoso_record_unset removes a dotted field. The schemas are the
 * project's own, from schemas/.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "hoso/errors.h"
#include "hoso/record.h"
#include "hoso/schema.h"


typedef struct {
	hoso_problems *problems;
	json_t *record;
} fixture;

static hoso_schema_set *schemas;

static int group_setup(void **state)
{
	(void)state;
	if (hoso_schema_set_new(&schemas) < 0 ||
		hoso_schema_set_load_dir(schemas, HOSO_SOURCE_SCHEMA_DIR) < 0) {
		fprintf(stderr, "cannot load the schemas: %s\n", hoso_error_last());
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	hoso_schema_set_free(schemas);
	return 0;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(hoso_problems_new(&f->problems), 0);
	f->record = json_object();
	assert_non_null(f->record);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	json_decref(f->record);
	hoso_problems_free(f->problems);
	free(f);
	return 0;
}

static const hoso_schema *schema(const char *type)
{
	const hoso_schema *s = hoso_schema_set_get(schemas, type);

	assert_non_null(s);
	return s;
}

/* The record as compact JSON with sorted keys, for comparing (static buffer). */
static const char *dump(const json_t *v)
{
	static char buf[1024];
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(s);
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

static void set_ok(fixture *f, const char *type, const char *field, const char *value, int is_json)
{
	int rc = hoso_record_set(f->record, type ? schema(type) : NULL, field, value, is_json,
		f->problems);

	if (rc != 0)
		fail_msg("%s=%s refused: %s", field, value, hoso_error_last());
	assert_int_equal(hoso_problems_count(f->problems), 0);
}

/* Setting must fail with HOSO_EINVALID, leave the record alone, and add one problem. */
static void set_refused(fixture *f, const char *type, const char *field, const char *value,
	int is_json, const char *problem_field, const char *rule, const char *text)
{
	const hoso_problem *p;
	char before[1024];

	snprintf(before, sizeof(before), "%s", dump(f->record));
	assert_int_equal(hoso_record_set(f->record, type ? schema(type) : NULL, field, value, is_json,
		f->problems), HOSO_EINVALID);
	assert_int_equal(hoso_error_last_code(), HOSO_EINVALID);
	assert_string_equal(dump(f->record), before);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	p = hoso_problems_get(f->problems, 0);
	assert_int_equal(p->severity, HOSO_SEVERITY_ERROR);
	assert_null(p->where);
	assert_non_null(p->field);
	assert_string_equal(p->field, problem_field);
	assert_string_equal(p->rule, rule);
	if (!strstr(p->message, text))
		fail_msg("message '%s' does not contain '%s'", p->message, text);
}

/* FIELD=VALUE by the schema's type */

static void test_string_field_stays_string(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "full_name", "123", 0);
	set_ok(f, "member", "citizen_id", "001090000001", 0);
	assert_string_equal(dump(f->record), "{\"citizen_id\":\"001090000001\",\"full_name\":\"123\"}");
}

static void test_undeclared_field_is_string(void **state)
{
	fixture *f = *state;

	set_ok(f, "cell_meeting", "not_in_schema", "11", 0);
	assert_string_equal(dump(f->record), "{\"not_in_schema\":\"11\"}");
}

static void test_no_schema_everything_is_string(void **state)
{
	fixture *f = *state;

	set_ok(f, NULL, "attended", "11", 0);
	set_ok(f, NULL, "referred_to_inspection", "true", 0);
	assert_string_equal(dump(f->record), "{\"attended\":\"11\",\"referred_to_inspection\":\"true\"}");
}

static void test_integer_field_converts(void **state)
{
	fixture *f = *state;

	set_ok(f, "cell_meeting", "attended", "11", 0);
	assert_true(json_is_integer(json_object_get(f->record, "attended")));
	assert_int_equal(json_integer_value(json_object_get(f->record, "attended")), 11);
	set_ok(f, "cell_meeting", "members_total", "-3", 0);
	assert_int_equal(json_integer_value(json_object_get(f->record, "members_total")), -3);
}

static void test_integer_field_refuses_words(void **state)
{
	fixture *f = *state;

	set_refused(f, "cell_meeting", "attended", "eleven", 0, "attended", "type",
		"'eleven' is not a whole number");
	assert_string_equal(hoso_error_last(), "field 'attended': wrong type");
}

static void test_integer_field_refuses_fraction_and_empty(void **state)
{
	fixture *f = *state;

	set_refused(f, "cell_meeting", "attended", "11.5", 0, "attended", "type", "not a whole number");
	hoso_problems_truncate(f->problems, 0);
	set_refused(f, "cell_meeting", "attended", "", 0, "attended", "type", "not a whole number");
	hoso_problems_truncate(f->problems, 0);
	set_refused(f, "cell_meeting", "attended", "11 ", 0, "attended", "type", "not a whole number");
	hoso_problems_truncate(f->problems, 0);
	set_refused(f, "cell_meeting", "attended", "99999999999999999999", 0, "attended", "type",
		"not a whole number");
}

static void test_number_field_converts(void **state)
{
	fixture *f = *state;

	set_ok(f, "evaluation", "score", "87.5", 0);
	assert_true(json_is_real(json_object_get(f->record, "score")));
	assert_true(json_real_value(json_object_get(f->record, "score")) == 87.5);
	set_ok(f, "evaluation", "score", "90", 0);
	assert_true(json_is_integer(json_object_get(f->record, "score")));
	assert_int_equal(json_integer_value(json_object_get(f->record, "score")), 90);
	set_refused(f, "evaluation", "score", "nan", 0, "score", "type", "'nan' is not a number");
}

static void test_boolean_field_converts(void **state)
{
	fixture *f = *state;

	set_ok(f, "supervision", "referred_to_inspection", "true", 0);
	assert_true(json_is_true(json_object_get(f->record, "referred_to_inspection")));
	set_ok(f, "supervision", "referred_to_inspection", "false", 0);
	assert_true(json_is_false(json_object_get(f->record, "referred_to_inspection")));
	set_refused(f, "supervision", "referred_to_inspection", "yes", 0, "referred_to_inspection",
		"type", "'yes' is not true or false");
}

static void test_array_field_splits_list(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "positions", "a; b", 0);
	assert_string_equal(dump(f->record), "{\"positions\":[\"a\",\"b\"]}");
	set_ok(f, "member", "positions", " B\xC3\xAD th\xC6\xB0, , x ;", 0);
	assert_string_equal(dump(f->record), "{\"positions\":[\"B\xC3\xAD th\xC6\xB0\",\"x\"]}");
}

static void test_array_field_takes_json(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "positions", "[\"x\"]", 0);
	assert_string_equal(dump(f->record), "{\"positions\":[\"x\"]}");
	set_ok(f, "member", "positions", "[\"a, b\", \"c\"]", 0);
	assert_string_equal(dump(f->record), "{\"positions\":[\"a, b\",\"c\"]}");
}

static void test_array_field_bad_json_names_field(void **state)
{
	fixture *f = *state;

	/*
	 * Regression (fixed): core/field.c convert(), HOSO_FIELD_ARRAY/OBJECT: text starting with
	 * '[' or '{' goes to json_loads and, when that fails, NULL is returned
	 * with no problem added. hoso_record_set returns HOSO_EINVALID with an
	 * empty problem list, so the user is told nothing about the field
	 * (record.h: "HOSO_EINVALID with a problem naming the field"). Add a
	 * problem (field, rule "type" or "json", jansson's text) on that path.
	 */
	set_refused(f, "member", "positions", "[\"x\"", 0, "positions", "json", "invalid JSON");
}

static void test_object_field(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "education", "{\"general\": \"12/12\"}", 0);
	assert_string_equal(dump(f->record), "{\"education\":{\"general\":\"12/12\"}}");
	set_refused(f, "member", "education", "12/12", 0, "education", "type", "is not valid JSON");
}

/* Dotted fields */

static void test_dotted_field_makes_parent(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "education.general", "12/12", 0);
	assert_string_equal(dump(f->record), "{\"education\":{\"general\":\"12/12\"}}");
	set_ok(f, "member", "education.professional", "dai_hoc", 0);
	assert_string_equal(dump(f->record),
		"{\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\"}}");
}

static void test_dotted_field_deep(void **state)
{
	fixture *f = *state;

	set_ok(f, NULL, "a.b.c", "x", 0);
	assert_string_equal(dump(f->record), "{\"a\":{\"b\":{\"c\":\"x\"}}}");
}

/* FIELD:=JSON */

static void test_json_value(void **state)
{
	fixture *f = *state;

	set_ok(f, "cell_meeting", "attended", "12", 1);
	set_ok(f, "member", "positions", "[\"x\", \"y\"]", 1);
	set_ok(f, NULL, "note", "null", 1);
	set_ok(f, NULL, "text", "\"Nguye\\u0302\\u0303n\"", 1);
	assert_string_equal(dump(f->record),
		"{\"attended\":12,\"note\":null,\"positions\":[\"x\",\"y\"],\"text\":\"Nguy\xE1\xBB\x85n\"}");
}

static void test_json_value_invalid(void **state)
{
	fixture *f = *state;

	set_refused(f, "member", "positions", "[x]", 1, "positions", "json", "invalid JSON");
	assert_string_equal(hoso_error_last(), "field 'positions': invalid JSON");
}

static void test_json_value_duplicate_keys(void **state)
{
	fixture *f = *state;

	set_refused(f, "member", "education", "{\"general\":\"1/12\",\"general\":\"2/12\"}", 1,
		"education", "json", "duplicate object key");
}

static void test_json_value_keys_colliding_after_nfc(void **state)
{
	fixture *f = *state;

	/*
	 * Regression (fixed): the core/json.c normalize() bug (test_json.c,
	 * test_parse_refuses_duplicate_keys_after_nfc) reaches hoso_record_set:
	 * hoso_json_normalize returns 0 with a NULL value, json_object_set_new
	 * then quietly sets nothing, and hoso_record_set returns 0 although the
	 * field was not set and a problem was added. It should return
	 * HOSO_EINVALID.
	 */
	assert_int_equal(hoso_record_set(f->record, NULL, "o", "{\"n\xC3\xA2\": 1, \"na\\u0302\": 2}",
		1, f->problems), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_string_equal(hoso_problems_get(f->problems, 0)->rule, "json");
	assert_int_equal(json_object_size(f->record), 0);
}

static void test_text_is_nfc(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "full_name", "Nguye\xCC\x82\xCC\x83n V\xC4\x83n A", 0);
	assert_string_equal(json_string_value(json_object_get(f->record, "full_name")),
		"Nguy\xE1\xBB\x85n V\xC4\x83n A");
}

/* Bad field names */

static void test_bad_field_names_refused(void **state)
{
	fixture *f = *state;
	static const char *names[] = { "", ".a", "a.", "a..b", "." };
	char long_name[300];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		set_refused(f, "member", names[i], "x", 0, names[i], "field", "is not a field name");
		hoso_problems_truncate(f->problems, 0);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(hoso_record_set(f->record, NULL, long_name, "x", 0, f->problems),
		HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_string_equal(hoso_problems_get(f->problems, 0)->rule, "field");
	assert_int_equal(json_object_size(f->record), 0);
}

static void test_null_field_refused(void **state)
{
	fixture *f = *state;

	assert_int_equal(hoso_record_set(f->record, NULL, NULL, "x", 0, f->problems), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_string_equal(hoso_problems_get(f->problems, 0)->rule, "field");
}

/* hoso_record_unset */

static void test_unset_top_level(void **state)
{
	fixture *f = *state;

	set_ok(f, NULL, "a", "1", 0);
	set_ok(f, NULL, "b", "2", 0);
	assert_int_equal(hoso_record_unset(f->record, "a"), 0);
	assert_string_equal(dump(f->record), "{\"b\":\"2\"}");
}

static void test_unset_nested(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "education.general", "12/12", 0);
	set_ok(f, "member", "education.professional", "dai_hoc", 0);
	assert_int_equal(hoso_record_unset(f->record, "education.general"), 0);
	assert_string_equal(dump(f->record), "{\"education\":{\"professional\":\"dai_hoc\"}}");
}

static void test_unset_missing(void **state)
{
	fixture *f = *state;

	set_ok(f, "member", "full_name", "An", 0);
	assert_int_equal(hoso_record_unset(f->record, "nope"), HOSO_ENOTFOUND);
	assert_string_equal(hoso_error_last(), "the record has no field 'nope'");
	assert_int_equal(hoso_record_unset(f->record, "education.general"), HOSO_ENOTFOUND);
	assert_string_equal(hoso_error_last(), "the record has no field 'education.general'");
	/* through a string, not an object */
	assert_int_equal(hoso_record_unset(f->record, "full_name.x"), HOSO_ENOTFOUND);
	assert_int_equal(hoso_record_unset(f->record, ""), HOSO_ENOTFOUND);
	assert_int_equal(hoso_record_unset(f->record, NULL), HOSO_ENOTFOUND);
	assert_string_equal(dump(f->record), "{\"full_name\":\"An\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_string_field_stays_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undeclared_field_is_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_schema_everything_is_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integer_field_converts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integer_field_refuses_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integer_field_refuses_fraction_and_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_field_converts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boolean_field_converts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_field_splits_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_field_takes_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_field_bad_json_names_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotted_field_makes_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotted_field_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_value_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_value_duplicate_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_value_keys_colliding_after_nfc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_is_nfc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_field_names_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_field_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_top_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unset_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
