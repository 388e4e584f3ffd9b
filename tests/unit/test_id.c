/*
 * Tests for core/id.c: new ids are valid and increase strictly, the
 * validator refuses everything that is not a canonical ULID (ids become file
 * names, so this is also what keeps "../x" out of paths), known vectors of
 * hoso_id_make, and the shard.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "hoso/id.h"

#define VALID "01ARYZ6S41TSV4RRFFQ69G5FAV"

static void test_new_ids_are_valid_and_increase(void **state)
{
	char prev[HOSO_ID_LEN + 1], id[HOSO_ID_LEN + 1];
	int i;

	(void)state;
	assert_int_equal(hoso_id_new(prev), 0);
	assert_true(hoso_id_valid(prev));
	for (i = 0; i < 10000; i++) {
		assert_int_equal(hoso_id_new(id), 0);
		assert_int_equal(strlen(id), HOSO_ID_LEN);
		if (!hoso_id_valid(id))
			fail_msg("'%s' is not valid", id);
		if (strcmp(prev, id) >= 0)
			fail_msg("'%s' does not follow '%s'", id, prev);
		memcpy(prev, id, sizeof(id));
	}
}

static void test_new_id_has_the_current_time(void **state)
{
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char id[HOSO_ID_LEN + 1];
	uint64_t ms = 0, now;
	struct timespec ts;
	int i;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	assert_int_equal(hoso_id_new(id), 0);
	for (i = 0; i < 10; i++)
		ms = ms << 5 | (uint64_t)(strchr(crockford, id[i]) - crockford);
	/* earlier ids of this thread may have run ahead by a few ms of counting */
	assert_true(ms + 1000 >= now && ms <= now + 1000);
}

static void test_valid_accepts_ulids(void **state)
{
	(void)state;
	assert_true(hoso_id_valid(VALID));
	assert_true(hoso_id_valid("00000000000000000000000000"));
	assert_true(hoso_id_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
	assert_true(hoso_id_valid("0123456789ABCDEFGHJKMNPQRS"));
	assert_true(hoso_id_valid("0123456789TVWXYZ0000000000"));
}

static void test_valid_refuses_lower_case(void **state)
{
	(void)state;
	assert_false(hoso_id_valid("01aryz6s41tsv4rrffq69g5fav"));
	assert_false(hoso_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAv"));
}

static void test_valid_refuses_wrong_length(void **state)
{
	(void)state;
	assert_false(hoso_id_valid("01ARYZ6S41TSV4RRFFQ69G5FA"));   /* 25 */
	assert_false(hoso_id_valid("01ARYZ6S41TSV4RRFFQ69G5FAVX")); /* 27 */
	assert_false(hoso_id_valid(""));
	assert_false(hoso_id_valid(NULL));
}

static void test_valid_refuses_excluded_letters(void **state)
{
	const char *letters = "ILOU";
	char id[HOSO_ID_LEN + 1];
	int i;

	(void)state;
	for (i = 0; letters[i]; i++) {
		memcpy(id, VALID, sizeof(id));
		id[20] = letters[i];
		if (hoso_id_valid(id))
			fail_msg("'%s' with '%c' is accepted", id, letters[i]);
	}
}

static void test_valid_refuses_first_char_over_7(void **state)
{
	char id[HOSO_ID_LEN + 1];

	(void)state;
	memcpy(id, VALID, sizeof(id));
	id[0] = '7';
	assert_true(hoso_id_valid(id));
	id[0] = '8';
	assert_false(hoso_id_valid(id));
	id[0] = 'Z';
	assert_false(hoso_id_valid(id));
}

static void test_valid_refuses_paths_and_punctuation(void **state)
{
	(void)state;
	assert_false(hoso_id_valid("../x"));
	assert_false(hoso_id_valid("../../../../../../etc/pass"));   /* 26 characters */
	assert_false(hoso_id_valid("01ARYZ6S41TSV4RRFFQ69G5FA/"));
	assert_false(hoso_id_valid("01ARYZ6S41TSV4RRFFQ69G5FA "));
	assert_false(hoso_id_valid(" 1ARYZ6S41TSV4RRFFQ69G5FAV"));
	assert_false(hoso_id_valid("01ARYZ6S41-SV4RRFFQ69G5FAV"));
}

static void test_valid_refuses_embedded_nul(void **state)
{
	/* 26 characters with a NUL inside: the string is the part before it */
	static const char id[HOSO_ID_LEN + 1] = "01ARYZ6S41\0SV4RRFFQ69G5FAV";

	(void)state;
	assert_false(hoso_id_valid(id));
	assert_false(hoso_id_valid("01ARYZ6S41"));
}

static void test_make_zero(void **state)
{
	static const uint8_t zero[10] = { 0 };
	char id[HOSO_ID_LEN + 1];

	(void)state;
	memset(id, 'x', sizeof(id));
	hoso_id_make(id, 0, zero);
	assert_string_equal(id, "00000000000000000000000000");
	assert_true(hoso_id_valid(id));
}

static void test_make_max(void **state)
{
	static const uint8_t ff[10] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	char id[HOSO_ID_LEN + 1];

	(void)state;
	hoso_id_make(id, (UINT64_C(1) << 48) - 1, ff);
	assert_string_equal(id, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
	assert_true(hoso_id_valid(id));
}

static void test_make_spec_vector(void **state)
{
	/* the ULID spec's example: 1469918176385 ms is 01ARYZ6S41 */
	static const uint8_t zero[10] = { 0 };
	char id[HOSO_ID_LEN + 1];

	(void)state;
	hoso_id_make(id, UINT64_C(1469918176385), zero);
	assert_string_equal(id, "01ARYZ6S410000000000000000");
}

static void test_make_random_part(void **state)
{
	/* 80 bits, most significant first, 5 bits a character */
	static const uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t top[10] = { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t mid[10] = { 0, 0, 0, 0, 1, 0x80, 0, 0, 0, 0 };
	char id[HOSO_ID_LEN + 1];

	(void)state;
	hoso_id_make(id, 0, one);
	assert_string_equal(id, "00000000000000000000000001");
	hoso_id_make(id, 0, top);
	assert_string_equal(id, "0000000000G000000000000000");
	/* bit 40 (end of byte 4) and bit 39 (start of byte 5) straddle the halves */
	hoso_id_make(id, 0, mid);
	assert_string_equal(id, "000000000000000001G0000000");
}

static void test_make_orders_like_time(void **state)
{
	static const uint8_t ff[10] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t zero[10] = { 0 };
	char a[HOSO_ID_LEN + 1], b[HOSO_ID_LEN + 1];

	(void)state;
	hoso_id_make(a, UINT64_C(1700000000000), ff);
	hoso_id_make(b, UINT64_C(1700000000001), zero);
	assert_true(strcmp(a, b) < 0);
}

static void test_shard_is_last_character(void **state)
{
	char shard[3] = "xx";

	(void)state;
	hoso_id_shard(shard, VALID);
	assert_string_equal(shard, "V");
	hoso_id_shard(shard, "0000000000000000000000000Z");
	assert_string_equal(shard, "Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_ids_are_valid_and_increase),
		cmocka_unit_test(test_new_id_has_the_current_time),
		cmocka_unit_test(test_valid_accepts_ulids),
		cmocka_unit_test(test_valid_refuses_lower_case),
		cmocka_unit_test(test_valid_refuses_wrong_length),
		cmocka_unit_test(test_valid_refuses_excluded_letters),
		cmocka_unit_test(test_valid_refuses_first_char_over_7),
		cmocka_unit_test(test_valid_refuses_paths_and_punctuation),
		cmocka_unit_test(test_valid_refuses_embedded_nul),
		cmocka_unit_test(test_make_zero),
		cmocka_unit_test(test_make_max),
		cmocka_unit_test(test_make_spec_vector),
		cmocka_unit_test(test_make_random_part),
		cmocka_unit_test(test_make_orders_like_time),
		cmocka_unit_test(test_shard_is_last_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
