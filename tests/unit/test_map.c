/*
 * Tests for core/map.c: the string-keyed hash map the transactions keep
 * their staged changes and id indexes in.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "map.h"

#define MANY 100000

static int setup(void **state)
{
	hoso_map *map = NULL;

	assert_int_equal(hoso_map_new(&map), 0);
	assert_non_null(map);
	*state = map;
	return 0;
}

static int teardown(void **state)
{
	hoso_map_free(*state);
	return 0;
}

static void *num(uintptr_t n)
{
	return (void *)n;
}

static void test_empty(void **state)
{
	hoso_map *map = *state;

	assert_int_equal(hoso_map_count(map), 0);
	assert_null(hoso_map_get(map, "a"));
	assert_null(hoso_map_get(map, ""));
}

static void test_set_and_get(void **state)
{
	hoso_map *map = *state;
	void *old = num(99);

	assert_int_equal(hoso_map_set(map, "a", num(1), &old), 0);
	assert_null(old);
	assert_int_equal(hoso_map_set(map, "b", num(2), NULL), 0);
	assert_int_equal(hoso_map_set(map, "", num(3), NULL), 0);
	assert_ptr_equal(hoso_map_get(map, "a"), num(1));
	assert_ptr_equal(hoso_map_get(map, "b"), num(2));
	assert_ptr_equal(hoso_map_get(map, ""), num(3));
	assert_null(hoso_map_get(map, "c"));
	assert_null(hoso_map_get(map, "ab"));
	assert_int_equal(hoso_map_count(map), 3);
}

static void test_replace_returns_old(void **state)
{
	hoso_map *map = *state;
	void *old = NULL;

	assert_int_equal(hoso_map_set(map, "k", num(1), &old), 0);
	assert_null(old);
	assert_int_equal(hoso_map_set(map, "k", num(2), &old), 0);
	assert_ptr_equal(old, num(1));
	assert_ptr_equal(hoso_map_get(map, "k"), num(2));
	assert_int_equal(hoso_map_count(map), 1);
	/* replacing with NULL keeps the key counted */
	assert_int_equal(hoso_map_set(map, "k", NULL, &old), 0);
	assert_ptr_equal(old, num(2));
	assert_int_equal(hoso_map_count(map), 1);
}

static void test_keys_are_copied(void **state)
{
	hoso_map *map = *state;
	char key[8] = "abc";

	assert_int_equal(hoso_map_set(map, key, num(7), NULL), 0);
	strcpy(key, "xyz");
	assert_ptr_equal(hoso_map_get(map, "abc"), num(7));
	assert_null(hoso_map_get(map, "xyz"));
}

static void test_many_keys_grow(void **state)
{
	hoso_map *map = *state;
	char key[32];
	uintptr_t i;

	for (i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "data/030/member/%lu", (unsigned long)i);
		assert_int_equal(hoso_map_set(map, key, num(i + 1), NULL), 0);
		assert_int_equal(hoso_map_count(map), i + 1);
	}
	for (i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "data/030/member/%lu", (unsigned long)i);
		if (hoso_map_get(map, key) != num(i + 1))
			fail_msg("'%s' lost after growing", key);
	}
	assert_null(hoso_map_get(map, "data/030/member/100000"));
	/* replacing every key keeps the count */
	for (i = 0; i < MANY; i += 7) {
		void *old = NULL;
		snprintf(key, sizeof(key), "data/030/member/%lu", (unsigned long)i);
		assert_int_equal(hoso_map_set(map, key, num(i + 2), &old), 0);
		assert_ptr_equal(old, num(i + 1));
	}
	assert_int_equal(hoso_map_count(map), MANY);
}

typedef struct {
	unsigned char *seen;
	size_t calls;
	int bad;
} visit;

static void visit_cb(const char *key, void *value, void *payload)
{
	visit *v = payload;
	unsigned long n = strtoul(key + 1, NULL, 10);

	v->calls++;
	if (key[0] != 'k' || n >= MANY || (uintptr_t)value != n + 1 || v->seen[n]++)
		v->bad = 1;
}

static void test_foreach_visits_each_once(void **state)
{
	hoso_map *map = *state;
	visit v = { NULL, 0, 0 };
	char key[32];
	uintptr_t i;

	v.seen = calloc(MANY, 1);
	assert_non_null(v.seen);
	for (i = 0; i < MANY; i++) {
		snprintf(key, sizeof(key), "k%lu", (unsigned long)i);
		assert_int_equal(hoso_map_set(map, key, num(i + 1), NULL), 0);
	}
	hoso_map_foreach(map, visit_cb, &v);
	assert_int_equal(v.calls, MANY);
	assert_false(v.bad);
	for (i = 0; i < MANY; i++)
		assert_int_equal(v.seen[i], 1);
	free(v.seen);
}

static void count_cb(const char *key, void *value, void *payload)
{
	(void)key;
	(void)value;
	(*(size_t *)payload)++;
}

static void test_foreach_empty(void **state)
{
	size_t calls = 0;

	hoso_map_foreach(*state, count_cb, &calls);
	assert_int_equal(calls, 0);
}

static void test_free_accepts_null(void **state)
{
	(void)state;
	hoso_map_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_returns_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keys_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_visits_each_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_empty, setup, teardown),
		cmocka_unit_test(test_free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
