/*
 * The record view (core/record_view.h): on
 * canonical text and on text laid out otherwise, every field reads as
 * jansson reads it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hoso/json.h"
#include "record_view.h"

static const char *const records[] = {
	"{\"id\": \"01HQ8Z5K3V0000000000000001\", \"type\": \"member\", \"full_name\": \"Nguyễn Văn \\\"Tư\\\"\","
	" \"note\": \"a\\\\b\\nc\", \"positions\": [\"Bí thư\", \"Trưởng thôn\"], \"score\": 91.5, \"year\": 2023,"
	" \"education\": {\"general\": \"12/12\", \"political_theory\": \"so_cap\", \"list\": [1, {\"x\": []}]},"
	" \"flag\": true, \"empty\": [], \"nothing\": {}, \"neg\": -7, \"z\": \"}\\n  \\\"fake\\\": 1\"}",
	"{}",
	"{\"only\": \"one\"}",
	"{\"a\": [], \"b\": [[\"x\"], \"y\"]}",
};

static const char *const keys[] = {
	"id", "type", "full_name", "note", "positions", "score", "year", "education", "flag", "empty",
	"nothing", "neg", "z", "fake", "only", "a", "b", "general", "missing", NULL
};

/* Every key read through the view of `text` agrees with jansson's `o`. */
static void agree(const char *text, const json_t *o)
{
	record_view v;
	size_t i;

	assert_int_equal(rv_open(&v, text, strlen(text)), 0);
	for (i = 0; keys[i]; i++) {
		const json_t *want = json_object_get(o, keys[i]);
		const char *s = rv_str(&v, keys[i]);
		long long n = 0;
		double d = 0;
		const json_t *arr;

		assert_int_equal(rv_has(&v, keys[i]), want != NULL);
		if (json_is_string(want))
			assert_string_equal(s, json_string_value(want));
		else
			assert_null(s);
		assert_int_equal(rv_int(&v, keys[i], &n), json_is_integer(want));
		if (json_is_integer(want))
			assert_true(n == json_integer_value(want));
		assert_int_equal(rv_number(&v, keys[i], &d), json_is_number(want));
		if (json_is_number(want))
			assert_true(d == json_number_value(want));
		arr = rv_array(&v, keys[i]);
		assert_int_equal(arr != NULL, json_is_array(want));
		if (arr)
			assert_true(json_equal((json_t *)arr, (json_t *)want));
	}
	rv_close(&v);
}

static void test_canonical_and_not(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		json_t *o = json_loads(records[i], 0, NULL), *norm = NULL;
		char *canon = NULL;
		size_t len;
		record_view v;

		assert_non_null(o);
		/* As hoso stores it: the view scans it. */
		assert_int_equal(hoso_json_normalize(&norm, o, NULL), 0);
		assert_int_equal(hoso_json_canonical(&canon, &len, norm), 0);
		assert_int_equal(rv_open(&v, canon, len), 0);
		assert_null(v.o);
		rv_close(&v);
		agree(canon, o);
		/* As another tool wrote it: jansson reads it. */
		assert_int_equal(rv_open(&v, records[i], strlen(records[i])), 0);
		assert_int_equal(json_object_size(o) > 0, v.o != NULL);
		rv_close(&v);
		agree(records[i], o);
		free(canon);
		json_decref(norm);
		json_decref(o);
	}
}

static void test_not_an_object(void **state)
{
	static const char *const bad[] = { "", "[]", "\"x\"", "{\n  \"a\": 1\n", "{\"a\": }", "{\n  \"a\" 1\n}\n" };
	record_view v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rv_open(&v, bad[i], strlen(bad[i])), -1);
	assert_int_equal(rv_open(&v, NULL, 0), -1);
}

/* Strings beyond the view's own buffer still come back whole. */
static void test_long_strings(void **state)
{
	char *big = malloc(40000), *text = malloc(100000);
	record_view v;
	const char *a, *b;

	(void)state;
	memset(big, 'x', 39999);
	big[39999] = '\0';
	snprintf(text, 100000, "{\n  \"a\": \"%s\",\n  \"b\": \"%s\"\n}\n", big, big);
	assert_int_equal(rv_open(&v, text, strlen(text)), 0);
	a = rv_str(&v, "a");
	b = rv_str(&v, "b");
	assert_string_equal(a, big);
	assert_string_equal(b, big);
	rv_close(&v);
	free(big);
	free(text);
}

/* More long strings than the view keeps copies of: it reads the record whole. */
static void test_many_long_strings(void **state)
{
	size_t n = RV_MAX_SPILL + 8, i, used = 0, cap = n * 9100 + 16;
	char *text = malloc(cap), key[16];
	record_view v;

	(void)state;
	used += (size_t)sprintf(text, "{\n");
	for (i = 0; i < n; i++) {
		used += (size_t)sprintf(text + used, "  \"k%03zu\": \"", i);
		memset(text + used, 'a' + (int)(i % 26), 9000);
		used += 9000;
		used += (size_t)sprintf(text + used, "\"%s\n", i + 1 < n ? "," : "");
	}
	used += (size_t)sprintf(text + used, "}\n");
	assert_int_equal(rv_open(&v, text, used), 0);
	for (i = 0; i < n; i++) {
		const char *s;

		snprintf(key, sizeof(key), "k%03zu", i);
		s = rv_str(&v, key);
		assert_non_null(s);
		assert_int_equal(strlen(s), 9000);
		assert_int_equal(s[8999], 'a' + (int)(i % 26));
	}
	rv_close(&v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_and_not),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_many_long_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
