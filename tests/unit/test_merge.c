/*
 * Tests for core/merge.c: the three-way merge of one record. Small explicit
 * records (member and inspection, with the project's own schemas) for each
 * rule, then properties on 2,000 generated cases: swapping ours and theirs
 * gives the same record and mirrored conflicts, no value is lost, the inputs
 * are left as they were and nothing returned shares a container with them.
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
#include "hoso/merge.h"
#include "hoso/schema.h"

#define MEMBER "\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Y6\",\"type\":\"member\""
#define INSPECTION "\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Y7\",\"type\":\"inspection\""

/* Member ids, in bytewise order. */
#define MA "\"01HZX3K7Q8M2N4P6R8T0V2W4A0\""
#define MB "\"01HZX3K7Q8M2N4P6R8T0V2W4B0\""
#define MC "\"01HZX3K7Q8M2N4P6R8T0V2W4C0\""
#define MD "\"01HZX3K7Q8M2N4P6R8T0V2W4D0\""
#define ME "\"01HZX3K7Q8M2N4P6R8T0V2W4E0\""

static hoso_schema_set *schemas;
static const hoso_schema *member_schema;
static const hoso_schema *inspection_schema;
static const hoso_schema *fuzz_schema; /* a set inside an object, for dotted paths */

static const char fuzz_schema_text[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"id\":{\"type\":\"string\"},\"type\":{\"type\":\"string\"},"
	"\"full_name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},"
	"\"occupation\":{\"type\":\"string\"},"
	"\"positions\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"subject_member_ids\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"uniqueItems\":true,\"x-set\":true},"
	"\"education\":{\"type\":\"object\",\"properties\":{"
	"\"general\":{\"type\":\"string\"},\"professional\":{\"type\":\"string\"},"
	"\"tags\":{\"type\":\"array\",\"x-set\":true}}}}}";

static int group_setup(void **state)
{
	(void)state;
	if (hoso_schema_set_new(&schemas) < 0 ||
		hoso_schema_set_load_dir(schemas, HOSO_SOURCE_SCHEMA_DIR) < 0 ||
		hoso_schema_set_add(schemas, "fuzz", fuzz_schema_text, strlen(fuzz_schema_text), NULL) < 0) {
		fprintf(stderr, "cannot load the schemas: %s\n", hoso_error_last());
		return -1;
	}
	member_schema = hoso_schema_set_get(schemas, "member");
	inspection_schema = hoso_schema_set_get(schemas, "inspection");
	fuzz_schema = hoso_schema_set_get(schemas, "fuzz");
	if (!member_schema || !inspection_schema || !fuzz_schema) {
		fprintf(stderr, "the member, inspection or test schema is missing\n");
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

/* Helpers. */

static json_t *J(const char *text)
{
	json_error_t err;
	json_t *v;

	if (!text)
		return NULL;
	v = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!v)
		fail_msg("bad JSON in the test: %s: %s", err.text, text);
	return v;
}

static char *dump(const json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("(absent)");
}

static int same(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	return json_equal(a, b);
}

#define assert_json(actual, expected) assert_json_at(actual, expected, __FILE__, __LINE__)

static void assert_json_at(const json_t *actual, const char *expected, const char *file, int line)
{
	json_t *e = J(expected);
	int ok = same(actual, e);

	if (!ok) {
		char *a = dump(actual), *x = dump(e);
		print_error("%s:%d: got %s, expected %s\n", file, line, a, x);
		free(a);
		free(x);
	}
	json_decref(e);
	if (!ok)
		fail();
}

/* A merge of three versions given as JSON text (NULL: absent or deleted). */
typedef struct {
	json_t *base, *ours, *theirs;
	char *texts[3];
	hoso_merge_result r;
	int error;
} mcase;

static void mcase_clear(mcase *c)
{
	int i;

	hoso_merge_result_clear(&c->r);
	json_decref(c->base);
	json_decref(c->ours);
	json_decref(c->theirs);
	for (i = 0; i < 3; i++)
		free(c->texts[i]);
	memset(c, 0, sizeof(*c));
}

static int setup(void **state)
{
	mcase *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	mcase_clear(*state);
	free(*state);
	return 0;
}

/* Merge, and check that the inputs came out as they went in. */
static int run(mcase *c, const char *base, const char *ours, const char *theirs,
	const hoso_schema *schema, const hoso_merge_options *opts)
{
	char *after;
	json_t *in[3];
	int i;

	mcase_clear(c);
	c->base = J(base);
	c->ours = J(ours);
	c->theirs = J(theirs);
	in[0] = c->base;
	in[1] = c->ours;
	in[2] = c->theirs;
	for (i = 0; i < 3; i++)
		c->texts[i] = dump(in[i]);
	c->error = hoso_merge_record(&c->r, c->base, c->ours, c->theirs, schema, opts);
	for (i = 0; i < 3; i++) {
		after = dump(in[i]);
		assert_string_equal(after, c->texts[i]);
		free(after);
	}
	if (c->error < 0) {
		assert_null(c->r.merged);
		assert_null(c->r.conflicts);
		assert_int_equal(c->r.nconflicts, 0);
	}
	return c->error;
}

static hoso_merge_options stamps(int64_t ours, int64_t theirs, const char *ours_tb, const char *theirs_tb)
{
	hoso_merge_options o = HOSO_MERGE_OPTIONS_INIT;

	o.ours_stamp = ours;
	o.theirs_stamp = theirs;
	o.ours_tiebreak = ours_tb;
	o.theirs_tiebreak = theirs_tb;
	return o;
}

static void assert_conflict(const hoso_merge_result *r, size_t i, const char *field,
	const char *ours, const char *theirs, hoso_merge_side winner, int deleted)
{
	assert_true(i < r->nconflicts);
	assert_string_equal(r->conflicts[i].field, field);
	assert_json(r->conflicts[i].ours, ours);
	assert_json(r->conflicts[i].theirs, theirs);
	assert_int_equal(r->conflicts[i].winner, winner);
	assert_int_equal(r->conflicts[i].deleted, deleted);
}

/* Field changes. */

static void test_changes_on_one_side_each(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(100, 200, "a", "b");

	assert_int_equal(run(c,
		"{" MEMBER ",\"full_name\":\"Nguyễn Văn An\",\"status\":\"dang_sinh_hoat\",\"occupation\":\"Nông dân\"}",
		"{" MEMBER ",\"full_name\":\"Nguyễn Văn Ân\",\"status\":\"dang_sinh_hoat\",\"occupation\":\"Nông dân\","
		"\"other_names\":\"Ân\"}",
		"{" MEMBER ",\"full_name\":\"Nguyễn Văn An\",\"status\":\"tu_tran\"}",
		member_schema, &o), 0);
	/* ours renamed and added other_names; theirs changed status and removed occupation */
	assert_json(c->r.merged, "{" MEMBER ",\"full_name\":\"Nguyễn Văn Ân\",\"status\":\"tu_tran\","
		"\"other_names\":\"Ân\"}");
	assert_int_equal(c->r.nconflicts, 0);
	assert_null(c->r.conflicts);
}

static void test_same_change_is_no_conflict(void **state)
{
	mcase *c = *state;

	assert_int_equal(run(c,
		"{" MEMBER ",\"status\":\"dang_sinh_hoat\",\"positions\":[\"Đảng viên\"],\"occupation\":\"Giáo viên\"}",
		"{" MEMBER ",\"status\":\"chuyen_di\",\"positions\":[\"Bí thư chi bộ\"]}",
		"{" MEMBER ",\"status\":\"chuyen_di\",\"positions\":[\"Bí thư chi bộ\"]}",
		member_schema, NULL), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"status\":\"chuyen_di\",\"positions\":[\"Bí thư chi bộ\"]}");
	assert_int_equal(c->r.nconflicts, 0);
}

static void test_scalar_conflict_later_stamp_wins(void **state)
{
	mcase *c = *state;
	const char *base = "{" MEMBER ",\"full_name\":\"Lò Văn Páo\",\"status\":\"dang_sinh_hoat\"}";
	const char *ours = "{" MEMBER ",\"full_name\":\"Lò Văn Pảo\",\"status\":\"mien_sinh_hoat\"}";
	const char *theirs = "{" MEMBER ",\"full_name\":\"Lò Văn Páo\",\"status\":\"tam_thoi_di\"}";
	hoso_merge_options later_ours = stamps(1700000200, 1700000100, "a", "b");
	hoso_merge_options later_theirs = stamps(1700000100, 1700000200, "b", "a");

	assert_int_equal(run(c, base, ours, theirs, member_schema, &later_ours), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"full_name\":\"Lò Văn Pảo\",\"status\":\"mien_sinh_hoat\"}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "status", "\"mien_sinh_hoat\"", "\"tam_thoi_di\"", HOSO_MERGE_OURS, 0);

	/* the stamp decides before the tiebreak */
	assert_int_equal(run(c, base, ours, theirs, member_schema, &later_theirs), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"full_name\":\"Lò Văn Pảo\",\"status\":\"tam_thoi_di\"}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "status", "\"mien_sinh_hoat\"", "\"tam_thoi_di\"", HOSO_MERGE_THEIRS, 0);
}

static void test_tiebreak_on_equal_stamps(void **state)
{
	mcase *c = *state;
	const char *base = "{" MEMBER ",\"status\":\"dang_sinh_hoat\"}";
	const char *ours = "{" MEMBER ",\"status\":\"dinh_chi\"}";
	const char *theirs = "{" MEMBER ",\"status\":\"xoa_ten\"}";
	static const struct {
		const char *ours_tb, *theirs_tb;
		hoso_merge_side winner;
	} cases[] = {
		{ "9f2c", "a01b", HOSO_MERGE_THEIRS },
		{ "a01b", "9f2c", HOSO_MERGE_OURS },
		{ NULL, "a", HOSO_MERGE_THEIRS },
		{ "a", NULL, HOSO_MERGE_OURS },
		{ "", NULL, HOSO_MERGE_OURS },      /* NULL counts as "": all equal */
		{ NULL, "", HOSO_MERGE_OURS },
		{ NULL, NULL, HOSO_MERGE_OURS },
		{ "abc", "abc", HOSO_MERGE_OURS },
		{ "ab", "abc", HOSO_MERGE_THEIRS },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hoso_merge_options o = stamps(42, 42, cases[i].ours_tb, cases[i].theirs_tb);
		assert_int_equal(run(c, base, ours, theirs, member_schema, &o), 0);
		assert_int_equal(c->r.nconflicts, 1);
		assert_int_equal(c->r.conflicts[0].winner, cases[i].winner);
		assert_json(c->r.merged, cases[i].winner == HOSO_MERGE_OURS ? ours : theirs);
	}
	/* no options: stamps 0, no tiebreaks: ours */
	assert_int_equal(run(c, base, ours, theirs, member_schema, NULL), 0);
	assert_int_equal(c->r.conflicts[0].winner, HOSO_MERGE_OURS);
	assert_json(c->r.merged, ours);
}

static void test_removed_against_changed(void **state)
{
	mcase *c = *state;
	const char *base = "{" MEMBER ",\"occupation\":\"Nông dân\",\"residence\":\"Lũng Cú\"}";
	const char *ours = "{" MEMBER ",\"residence\":\"Lũng Cú\"}";
	const char *theirs = "{" MEMBER ",\"occupation\":\"Cán bộ xã\",\"residence\":\"Lũng Cú\"}";
	hoso_merge_options theirs_later = stamps(1, 2, NULL, NULL);
	hoso_merge_options ours_later = stamps(2, 1, NULL, NULL);

	assert_int_equal(run(c, base, ours, theirs, member_schema, &theirs_later), 0);
	assert_json(c->r.merged, theirs);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "occupation", NULL, "\"Cán bộ xã\"", HOSO_MERGE_THEIRS, 0);

	/* the side that removed it wins: absent in the merge */
	assert_int_equal(run(c, base, ours, theirs, member_schema, &ours_later), 0);
	assert_json(c->r.merged, ours);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "occupation", NULL, "\"Cán bộ xã\"", HOSO_MERGE_OURS, 0);

	/* removed on one side, unchanged on the other: removed, whoever is later */
	assert_int_equal(run(c, base, ours, base, member_schema, &theirs_later), 0);
	assert_json(c->r.merged, ours);
	assert_int_equal(c->r.nconflicts, 0);
	assert_int_equal(run(c, base, base, ours, member_schema, &ours_later), 0);
	assert_json(c->r.merged, ours);
	assert_int_equal(c->r.nconflicts, 0);

	/* JSON null is a value, not an absence */
	assert_int_equal(run(c, base, "{" MEMBER ",\"occupation\":null,\"residence\":\"Lũng Cú\"}", ours,
		member_schema, &ours_later), 0);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "occupation", "null", NULL, HOSO_MERGE_OURS, 0);
	assert_json(c->r.merged, "{" MEMBER ",\"occupation\":null,\"residence\":\"Lũng Cú\"}");
}

/* Objects. */

static void test_nested_fields_merge(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(5, 9, NULL, NULL);

	assert_int_equal(run(c,
		"{" MEMBER ",\"education\":{\"general\":\"9/12\",\"professional\":\"trung_cap\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"trung_cap\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"9/12\",\"professional\":\"dai_hoc\","
		"\"political_theory\":\"so_cap\"}}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\","
		"\"political_theory\":\"so_cap\"}}");
	assert_int_equal(c->r.nconflicts, 0);

	/* the same nested field changed on both sides: a conflict on that field only */
	assert_int_equal(run(c,
		"{" MEMBER ",\"education\":{\"general\":\"9/12\",\"professional\":\"trung_cap\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"cao_dang\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"10/12\",\"professional\":\"trung_cap\"}}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":{\"general\":\"10/12\",\"professional\":\"cao_dang\"}}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "education.general", "\"12/12\"", "\"10/12\"", HOSO_MERGE_THEIRS, 0);

	/* no object in the base: both sides' objects merged as from {} */
	assert_int_equal(run(c,
		"{" MEMBER "}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"political_theory\":\"trung_cap\"}}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\","
		"\"political_theory\":\"trung_cap\"}}");
	assert_int_equal(c->r.nconflicts, 0);

	/* a nested field removed on one side and unchanged on the other */
	assert_int_equal(run(c,
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\"},\"status\":\"dang_sinh_hoat\"}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\"},\"status\":\"dang_sinh_hoat\"}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"dai_hoc\"},\"status\":\"chuyen_di\"}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":{\"general\":\"12/12\"},\"status\":\"chuyen_di\"}");
	assert_int_equal(c->r.nconflicts, 0);
}

static void test_object_replaced_against_inner_change(void **state)
{
	mcase *c = *state;
	const char *base = "{" MEMBER ",\"education\":{\"general\":\"9/12\",\"professional\":\"trung_cap\"}}";
	const char *inner = "{" MEMBER ",\"education\":{\"general\":\"12/12\",\"professional\":\"trung_cap\"}}";
	hoso_merge_options ours_later = stamps(9, 5, NULL, NULL);
	hoso_merge_options theirs_later = stamps(5, 9, NULL, NULL);

	/* ours removed the whole object, theirs changed inside it */
	assert_int_equal(run(c, base, "{" MEMBER "}", inner, member_schema, &ours_later), 0);
	assert_json(c->r.merged, "{" MEMBER "}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "education", NULL, "{\"general\":\"12/12\",\"professional\":\"trung_cap\"}",
		HOSO_MERGE_OURS, 0);

	/* theirs turned it into a string, ours changed inside it */
	assert_int_equal(run(c, base, inner, "{" MEMBER ",\"education\":\"12/12\"}", member_schema, &ours_later), 0);
	assert_json(c->r.merged, inner);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "education", "{\"general\":\"12/12\",\"professional\":\"trung_cap\"}",
		"\"12/12\"", HOSO_MERGE_OURS, 0);
	assert_int_equal(run(c, base, inner, "{" MEMBER ",\"education\":\"12/12\"}", member_schema, &theirs_later), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":\"12/12\"}");

	/* an object where the base had a string: a conflict on the whole field */
	assert_int_equal(run(c, "{" MEMBER ",\"education\":\"12/12\"}",
		"{" MEMBER ",\"education\":{\"general\":\"12/12\"}}",
		"{" MEMBER ",\"education\":{\"professional\":\"dai_hoc\"}}", member_schema, &theirs_later), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"education\":{\"professional\":\"dai_hoc\"}}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "education", "{\"general\":\"12/12\"}", "{\"professional\":\"dai_hoc\"}",
		HOSO_MERGE_THEIRS, 0);
}

/* Arrays. */

static void test_plain_array_is_a_whole_value(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(7, 3, NULL, NULL);

	assert_int_equal(run(c,
		"{" MEMBER ",\"positions\":[\"Chi ủy viên\"]}",
		"{" MEMBER ",\"positions\":[\"Chi ủy viên\",\"Trưởng thôn\"]}",
		"{" MEMBER ",\"positions\":[\"Bí thư chi bộ\"]}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"positions\":[\"Chi ủy viên\",\"Trưởng thôn\"]}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "positions", "[\"Chi ủy viên\",\"Trưởng thôn\"]", "[\"Bí thư chi bộ\"]",
		HOSO_MERGE_OURS, 0);
}

static void test_set_array_merges(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(7, 3, NULL, NULL);

	/* ours drops A and adds D and E, theirs drops B and adds E: no conflict, sorted */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "," MC "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" ME "," MC "," MB "," MD "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," ME "," MC "]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MC "," MD "," ME "]}");
	assert_int_equal(c->r.nconflicts, 0);

	/* absent counts as []: ours removed the field, theirs added B */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION "}",
		"{" INSPECTION ",\"subject_member_ids\":[" MB "," MA "]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MB "]}");
	assert_int_equal(c->r.nconflicts, 0);

	/* ... and when nothing is left, the removal stands */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION "}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION "}");
	assert_int_equal(c->r.nconflicts, 0);

	/* emptied on both sides in different ways: [] */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MB "]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[]}");
	assert_int_equal(c->r.nconflicts, 0);

	/* created on both sides, no base: the union, duplicates dropped */
	assert_int_equal(run(c,
		"{" INSPECTION "}",
		"{" INSPECTION ",\"subject_member_ids\":[" MC "," MA "," MC "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MB "," MA "]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "," MC "]}");

	/* sorted by canonical compact text, bytewise: numbers, objects, strings */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[]}",
		"{" INSPECTION ",\"subject_member_ids\":[\"b\",{\"y\":1,\"x\":2},10]}",
		"{" INSPECTION ",\"subject_member_ids\":[\"B\",9,{\"x\":2,\"y\":1}]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[\"B\",\"b\",10,9,{\"x\":2,\"y\":1}]}");

	/* changed on one side only: that side's value exactly */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "],\"title\":\"Kiểm tra 2024\"}",
		"{" INSPECTION ",\"subject_member_ids\":[" MC "," MB "]}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MC "," MB "],\"title\":\"Kiểm tra 2024\"}");
}

static void test_set_falls_back_to_whole_value(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(3, 7, NULL, NULL);

	/* not an array on one side: the scalar rule */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "]}",
		"{" INSPECTION ",\"subject_member_ids\":" MC "}",
		inspection_schema, &o), 0);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":" MC "}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "subject_member_ids", "[" MA "," MB "]", MC, HOSO_MERGE_THEIRS, 0);

	/* not an array in the base */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":" MA "}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MC "]}",
		inspection_schema, &o), 0);
	assert_int_equal(c->r.nconflicts, 1);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MA "," MC "]}");

	/* no schema: no sets */
	assert_int_equal(run(c,
		"{" INSPECTION ",\"subject_member_ids\":[" MA "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MB "]}",
		"{" INSPECTION ",\"subject_member_ids\":[" MA "," MC "]}",
		NULL, &o), 0);
	assert_int_equal(c->r.nconflicts, 1);
	assert_json(c->r.merged, "{" INSPECTION ",\"subject_member_ids\":[" MA "," MC "]}");
}

static void test_set_inside_an_object(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(3, 7, NULL, NULL);

	assert_int_equal(hoso_schema_field_is_set(fuzz_schema, "education.tags"), 1);
	assert_int_equal(run(c,
		"{\"id\":\"x\",\"type\":\"fuzz\",\"education\":{\"tags\":[\"b\",\"c\"],\"general\":\"9/12\"}}",
		"{\"id\":\"x\",\"type\":\"fuzz\",\"education\":{\"tags\":[\"d\",\"c\",\"b\"],\"general\":\"10/12\"}}",
		"{\"id\":\"x\",\"type\":\"fuzz\",\"education\":{\"tags\":[\"a\",\"b\"],\"general\":\"11/12\"}}",
		fuzz_schema, &o), 0);
	assert_json(c->r.merged,
		"{\"id\":\"x\",\"type\":\"fuzz\",\"education\":{\"tags\":[\"a\",\"b\",\"d\"],\"general\":\"11/12\"}}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "education.general", "\"10/12\"", "\"11/12\"", HOSO_MERGE_THEIRS, 0);
}

/* Whole records. */

static void test_edit_against_delete(void **state)
{
	mcase *c = *state;
	const char *base = "{" MEMBER ",\"status\":\"dang_sinh_hoat\"}";
	const char *edited = "{" MEMBER ",\"status\":\"tu_tran\"}";
	hoso_merge_options deleter_later = stamps(9, 1, NULL, NULL);

	/* deleted by us (later, even), edited by them: the edit stays */
	assert_int_equal(run(c, base, NULL, edited, member_schema, &deleter_later), 0);
	assert_json(c->r.merged, edited);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "", NULL, edited, HOSO_MERGE_THEIRS, 1);

	deleter_later = stamps(1, 9, "z", "a");
	assert_int_equal(run(c, base, edited, NULL, member_schema, &deleter_later), 0);
	assert_json(c->r.merged, edited);
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "", edited, NULL, HOSO_MERGE_OURS, 1);

	/* deleted on one side, unchanged on the other: deleted */
	assert_int_equal(run(c, base, NULL, base, member_schema, NULL), 0);
	assert_null(c->r.merged);
	assert_int_equal(c->r.nconflicts, 0);
	assert_int_equal(run(c, base, base, NULL, member_schema, NULL), 0);
	assert_null(c->r.merged);
	assert_int_equal(c->r.nconflicts, 0);

	/* deleted on both sides */
	assert_int_equal(run(c, base, NULL, NULL, member_schema, NULL), 0);
	assert_null(c->r.merged);
	assert_int_equal(c->r.nconflicts, 0);
	assert_int_equal(run(c, NULL, NULL, NULL, member_schema, NULL), 0);
	assert_null(c->r.merged);

	/* no base and created on one side only: nothing was deleted */
	assert_int_equal(run(c, NULL, NULL, edited, member_schema, NULL), 0);
	assert_json(c->r.merged, edited);
	assert_int_equal(c->r.nconflicts, 0);
	assert_int_equal(run(c, NULL, edited, NULL, member_schema, NULL), 0);
	assert_json(c->r.merged, edited);
	assert_int_equal(c->r.nconflicts, 0);
}

static void test_created_on_both_sides(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(4, 4, "b", "a");

	assert_int_equal(run(c, NULL,
		"{" MEMBER ",\"full_name\":\"Vàng Thị Mai\",\"status\":\"dang_sinh_hoat\",\"gender\":\"nu\"}",
		"{" MEMBER ",\"full_name\":\"Vàng Thị Mai\",\"status\":\"mien_sinh_hoat\",\"ethnicity\":\"08\"}",
		member_schema, &o), 0);
	assert_json(c->r.merged, "{" MEMBER ",\"full_name\":\"Vàng Thị Mai\",\"status\":\"dang_sinh_hoat\","
		"\"gender\":\"nu\",\"ethnicity\":\"08\"}");
	assert_int_equal(c->r.nconflicts, 1);
	assert_conflict(&c->r, 0, "status", "\"dang_sinh_hoat\"", "\"mien_sinh_hoat\"", HOSO_MERGE_OURS, 0);
}

static void test_conflicts_sorted_by_path(void **state)
{
	mcase *c = *state;
	hoso_merge_options o = stamps(4, 5, NULL, NULL);

	assert_int_equal(run(c,
		"{" MEMBER ",\"status\":\"dang_sinh_hoat\",\"full_name\":\"A\",\"positions\":[],"
		"\"education\":{\"general\":\"9/12\",\"professional\":\"so_cap\"}}",
		"{" MEMBER ",\"status\":\"dinh_chi\",\"full_name\":\"B\",\"positions\":[\"x\"],"
		"\"education\":{\"general\":\"10/12\",\"professional\":\"trung_cap\"}}",
		"{" MEMBER ",\"status\":\"xoa_ten\",\"full_name\":\"C\",\"positions\":[\"y\"],"
		"\"education\":{\"general\":\"11/12\",\"professional\":\"cao_dang\"}}",
		member_schema, &o), 0);
	assert_int_equal(c->r.nconflicts, 5);
	assert_string_equal(c->r.conflicts[0].field, "education.general");
	assert_string_equal(c->r.conflicts[1].field, "education.professional");
	assert_string_equal(c->r.conflicts[2].field, "full_name");
	assert_string_equal(c->r.conflicts[3].field, "positions");
	assert_string_equal(c->r.conflicts[4].field, "status");

	/* by the whole path, not by the walk: "a-b" < "a.x" ('-' < '.') */
	assert_int_equal(run(c,
		"{\"a\":{\"x\":1},\"a-b\":1,\"a0\":1}",
		"{\"a\":{\"x\":2},\"a-b\":2,\"a0\":2}",
		"{\"a\":{\"x\":3},\"a-b\":3,\"a0\":3}",
		NULL, &o), 0);
	assert_int_equal(c->r.nconflicts, 3);
	assert_string_equal(c->r.conflicts[0].field, "a-b");
	assert_string_equal(c->r.conflicts[1].field, "a.x");
	assert_string_equal(c->r.conflicts[2].field, "a0");
}

static void test_identity_must_match(void **state)
{
	mcase *c = *state;
	hoso_merge_options bad = stamps(1, 2, NULL, NULL);

	assert_int_equal(run(c, "{" MEMBER "}",
		"{\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Y6\",\"type\":\"member\",\"status\":\"tu_tran\"}",
		"{\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Z9\",\"type\":\"member\",\"status\":\"xoa_ten\"}",
		member_schema, NULL), HOSO_EINVALID);
	assert_non_null(strstr(hoso_error_last(), "'id'"));
	assert_int_equal(run(c, "{" MEMBER "}", "{" MEMBER ",\"status\":\"tu_tran\"}",
		"{\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Y6\",\"type\":\"candidate\"}", member_schema, NULL), HOSO_EINVALID);
	assert_non_null(strstr(hoso_error_last(), "'type'"));
	assert_non_null(strstr(hoso_error_last(), "01HZX3K7Q8M2N4P6R8T0V2W4Y6"));
	/* against the base too, and with a deletion */
	assert_int_equal(run(c, "{\"id\":\"01HZX3K7Q8M2N4P6R8T0V2W4Z9\",\"type\":\"member\"}", NULL,
		"{" MEMBER ",\"status\":\"tu_tran\"}", member_schema, NULL), HOSO_EINVALID);
	/* a missing id differs from a present one */
	assert_int_equal(run(c, NULL, "{\"type\":\"member\"}", "{" MEMBER "}", member_schema, NULL), HOSO_EINVALID);
	/* not a record */
	assert_int_equal(run(c, NULL, "[1]", "{" MEMBER "}", member_schema, NULL), HOSO_EINVALID);
	/* unknown options */
	bad.version = 0;
	assert_int_equal(run(c, NULL, "{" MEMBER "}", "{" MEMBER "}", member_schema, &bad), HOSO_EUSAGE);
	bad.version = HOSO_MERGE_OPTIONS_VERSION + 1;
	assert_int_equal(run(c, NULL, "{" MEMBER "}", "{" MEMBER "}", member_schema, &bad), HOSO_EUSAGE);
}

/* Collect the containers of `v` into `ptrs`. */
static void containers(const json_t *v, const json_t ***ptrs, size_t *n, size_t *alloc)
{
	const char *key;
	json_t *child;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return;
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 32;
		*ptrs = realloc(*ptrs, *alloc * sizeof(**ptrs));
		assert_non_null(*ptrs);
	}
	(*ptrs)[(*n)++] = v;
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			containers(json_array_get(v, i), ptrs, n, alloc);
		return;
	}
	json_object_foreach((json_t *)v, key, child)
		containers(child, ptrs, n, alloc);
}

/* No container of the result is one of the inputs'. */
static void assert_no_sharing(const json_t *const *inputs, size_t ninputs, const hoso_merge_result *r)
{
	const json_t **in = NULL, **out = NULL;
	size_t nin = 0, ain = 0, nout = 0, aout = 0, i, j;

	for (i = 0; i < ninputs; i++)
		containers(inputs[i], &in, &nin, &ain);
	containers(r->merged, &out, &nout, &aout);
	for (i = 0; i < r->nconflicts; i++) {
		containers(r->conflicts[i].ours, &out, &nout, &aout);
		containers(r->conflicts[i].theirs, &out, &nout, &aout);
	}
	for (i = 0; i < nout; i++)
		for (j = 0; j < nin; j++)
			assert_ptr_not_equal(out[i], in[j]);
	free(in);
	free(out);
}

static void test_results_are_copies(void **state)
{
	mcase *c = *state;
	const json_t *in[3];
	hoso_merge_options o = stamps(1, 2, NULL, NULL);
	char *before;

	assert_int_equal(run(c,
		"{" MEMBER ",\"education\":{\"general\":\"9/12\"},\"positions\":[\"a\"]}",
		"{" MEMBER ",\"education\":{\"general\":\"9/12\"},\"positions\":[\"b\"]}",
		"{" MEMBER ",\"education\":{\"general\":\"9/12\"},\"positions\":[\"c\"]}",
		member_schema, &o), 0);
	in[0] = c->base;
	in[1] = c->ours;
	in[2] = c->theirs;
	assert_no_sharing(in, 3, &c->r);

	/* changing what came back leaves the inputs as they were */
	before = dump(c->theirs);
	json_object_set_new(json_object_get(c->r.merged, "education"), "general", json_string("12/12"));
	json_array_clear(json_object_get(c->r.merged, "positions"));
	json_array_clear(c->r.conflicts[0].theirs);
	{
		char *after = dump(c->theirs);
		assert_string_equal(after, before);
		free(after);
	}
	free(before);
	assert_int_equal(c->ours->refcount, 1);
	assert_int_equal(json_object_get(c->theirs, "positions")->refcount, 1);

	/* one side unchanged: the other side's record, copied */
	assert_int_equal(run(c, "{" MEMBER ",\"education\":{\"general\":\"9/12\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"9/12\"}}",
		"{" MEMBER ",\"education\":{\"general\":\"10/12\"}}", member_schema, &o), 0);
	in[0] = c->base;
	in[1] = c->ours;
	in[2] = c->theirs;
	assert_no_sharing(in, 3, &c->r);

	/* the edit of an edit/delete conflict, copied twice */
	assert_int_equal(run(c, "{" MEMBER "}", NULL, "{" MEMBER ",\"education\":{\"general\":\"9/12\"}}",
		member_schema, &o), 0);
	in[0] = c->base;
	in[1] = c->theirs;
	assert_no_sharing(in, 2, &c->r);
	assert_ptr_not_equal(c->r.merged, c->r.conflicts[0].theirs);
}

static void test_result_clear(void **state)
{
	mcase *c = *state;
	hoso_merge_result zero;

	memset(&zero, 0, sizeof(zero));
	hoso_merge_result_clear(&zero);
	hoso_merge_result_clear(NULL);
	assert_int_equal(run(c, "{" MEMBER ",\"status\":\"a\"}", "{" MEMBER ",\"status\":\"b\"}",
		"{" MEMBER ",\"status\":\"c\"}", member_schema, NULL), 0);
	hoso_merge_result_clear(&c->r);
	assert_null(c->r.merged);
	assert_null(c->r.conflicts);
	assert_int_equal(c->r.nconflicts, 0);
	hoso_merge_result_clear(&c->r);
	assert_int_equal(hoso_merge_record(NULL, NULL, NULL, NULL, NULL, NULL), HOSO_EUSAGE);
}

/* Generated cases. */

typedef struct {
	uint64_t s;
} rng;

static uint64_t next(rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

static json_t *random_scalar(rng *r)
{
	static const char *const pool[] = {
		"\"a\"", "\"b\"", "\"c\"", "1", "2", "true", "null", "[\"x\"]", "[\"x\",\"y\"]", "{\"k\":1}",
	};

	return J(pool[pick(r, sizeof(pool) / sizeof(pool[0]))]);
}

static json_t *random_element(rng *r)
{
	static const char *const pool[] = {
		"\"A\"", "\"B\"", "\"C\"", "\"D\"", "\"E\"", "3", "{\"k\":\"v\"}", "[1]",
	};

	return J(pool[pick(r, sizeof(pool) / sizeof(pool[0]))]);
}

static json_t *random_set(rng *r)
{
	json_t *a = json_array();
	unsigned i, n = pick(r, 5);

	for (i = 0; i < n; i++)
		json_array_append_new(a, random_element(r)); /* duplicates and any order */
	return a;
}

static json_t *random_positions(rng *r)
{
	static const char *const pool[] = { "Bí thư", "Phó bí thư", "Chi ủy viên" };
	json_t *a = json_array();
	unsigned i, n = pick(r, 3);

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(pool[pick(r, 3)]));
	return a;
}

static const char *const top_fields[] = {
	"full_name", "status", "occupation", "positions", "subject_member_ids", "education",
};
static const char *const education_fields[] = { "general", "professional", "tags" };

static json_t *random_field(rng *r, const char *name, int depth);

static json_t *random_object(rng *r, const char *const *fields, size_t n, int depth)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		if (pick(r, 10) < 6)
			json_object_set_new(o, fields[i], random_field(r, fields[i], depth + 1));
	return o;
}

static json_t *random_field(rng *r, const char *name, int depth)
{
	unsigned odd = pick(r, 8) == 0; /* sometimes a value of the wrong kind */

	if (odd)
		return random_scalar(r);
	if (strcmp(name, "education") == 0 && depth < 2)
		return random_object(r, education_fields, 3, depth);
	if (strcmp(name, "subject_member_ids") == 0 || strcmp(name, "tags") == 0)
		return random_set(r);
	if (strcmp(name, "positions") == 0)
		return random_positions(r);
	return random_scalar(r);
}

static json_t *random_record(rng *r)
{
	json_t *o = random_object(r, top_fields, sizeof(top_fields) / sizeof(top_fields[0]), 0);

	json_object_set_new(o, "id", json_string("01HZX3K7Q8M2N4P6R8T0V2W4Y6"));
	json_object_set_new(o, "type", json_string("fuzz"));
	return o;
}

/* A changed copy of `base`: fields kept, removed, replaced or edited inside. */
static json_t *mutate(rng *r, const json_t *base, const char *const *fields, size_t n, int depth)
{
	json_t *o = json_deep_copy(base);
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(o, fields[i]);
		unsigned k = pick(r, 10);
		if (k < 5)
			continue;
		if (k == 5) {
			json_object_del(o, fields[i]);
		} else if (k < 8 || !v) {
			json_object_set_new(o, fields[i], random_field(r, fields[i], depth + 1));
		} else if (json_is_object(v)) {
			json_object_set_new(o, fields[i], mutate(r, v, education_fields, 3, depth + 1));
		} else if (json_is_array(v)) {
			if (json_array_size(v) && pick(r, 2))
				json_array_remove(v, pick(r, (unsigned)json_array_size(v)));
			else
				json_array_append_new(v, random_element(r));
		} else {
			json_object_set_new(o, fields[i], random_scalar(r));
		}
	}
	return o;
}

static const json_t *get_path(const json_t *v, const char *path)
{
	char buf[256];
	char *p, *dot;

	if (!*path)
		return v;
	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf; v; p = dot + 1) {
		if (!json_is_object(v))
			return NULL;
		dot = strchr(p, '.');
		if (dot)
			*dot = '\0';
		v = json_object_get(v, p);
		if (!dot)
			break;
	}
	return v;
}

typedef struct {
	char *items[64];
	size_t n;
} paths;

/* Every field path of `v`, objects and their fields, not into arrays. */
static void collect_paths(paths *ps, const char *prefix, const json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;
	char *p;

	if (!json_is_object(v))
		return;
	json_object_foreach((json_t *)v, key, child) {
		p = prefix[0] ? NULL : strdup(key);
		if (prefix[0]) {
			p = malloc(strlen(prefix) + strlen(key) + 2);
			assert_non_null(p);
			sprintf(p, "%s.%s", prefix, key);
		}
		for (i = 0; i < ps->n && strcmp(ps->items[i], p) != 0; i++)
			;
		if (i < ps->n) {
			free(p);
		} else {
			assert_true(ps->n < 64);
			ps->items[ps->n++] = p;
		}
		collect_paths(ps, ps->items[i], child);
	}
}

static int set_has(const json_t *arr, const json_t *v)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (json_equal(json_array_get(arr, i), v))
			return 1;
	return 0;
}

static const hoso_merge_conflict *conflict_at(const hoso_merge_result *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->nconflicts; i++)
		if (strcmp(r->conflicts[i].field, field) == 0)
			return &r->conflicts[i];
	return NULL;
}

/* The value of the changing side at `path` is in a conflict it lost at or above `path`. */
static int lost_in_conflict(const hoso_merge_result *r, const char *path, hoso_merge_side side,
	const json_t *value)
{
	size_t i, n;

	for (i = 0; i < r->nconflicts; i++) {
		const hoso_merge_conflict *c = &r->conflicts[i];
		const char *rest;
		n = strlen(c->field);
		if (n == 0)
			rest = path;
		else if (strncmp(c->field, path, n) == 0 && (path[n] == '.' || path[n] == '\0'))
			rest = path[n] ? path + n + 1 : "";
		else
			continue;
		if (c->winner != side &&
			same(get_path(side == HOSO_MERGE_OURS ? c->ours : c->theirs, rest), value))
			return 1;
	}
	return 0;
}

/* The ancestors of `path` are objects on both sides (and in the base, or absent). */
static int merged_inside(const json_t *b, const json_t *o, const json_t *t, const char *path)
{
	char buf[256];
	char *dot;

	if (!o || !t)
		return 0;
	snprintf(buf, sizeof(buf), "%s", path);
	for (dot = strchr(buf, '.'); dot; dot = strchr(dot + 1, '.')) {
		const json_t *bv, *ov, *tv;
		*dot = '\0';
		bv = get_path(b, buf);
		ov = get_path(o, buf);
		tv = get_path(t, buf);
		*dot = '.';
		if (!json_is_object(ov) || !json_is_object(tv) || (bv && !json_is_object(bv)))
			return 0;
	}
	return 1;
}

static int is_set_path(const hoso_schema *schema, const char *path)
{
	return schema && (strcmp(path, "subject_member_ids") == 0 || strcmp(path, "education.tags") == 0);
}

/*
 * What the header and the rules promise, checked on one merge: every
 * conflict holds both values and merged the winner's; every field changed on
 * one side only has that side's value, or lost it in a recorded conflict;
 * fields changed on both sides merge as objects, as sets, or conflict.
 */
static void check_rules(const json_t *b, const json_t *o, const json_t *t, const hoso_schema *schema,
	const hoso_merge_result *r)
{
	paths ps = { { 0 }, 0 };
	size_t i, expected_conflicts = 0;

	for (i = 0; i < r->nconflicts; i++) {
		const hoso_merge_conflict *c = &r->conflicts[i];
		const json_t *ov = get_path(o, c->field), *tv = get_path(t, c->field);
		if (i > 0)
			assert_true(strcmp(r->conflicts[i - 1].field, c->field) <= 0);
		assert_true(c->winner == HOSO_MERGE_OURS || c->winner == HOSO_MERGE_THEIRS);
		assert_true(same(c->ours, ov));
		assert_true(same(c->theirs, tv));
		assert_false(same(c->ours, c->theirs));
		assert_false(same(ov, get_path(b, c->field)));
		assert_false(same(tv, get_path(b, c->field)));
		assert_true(same(get_path(r->merged, c->field), c->winner == HOSO_MERGE_OURS ? ov : tv));
		if (c->field[0] == '\0') {
			/* the edit against a deletion, which the edit wins */
			assert_int_equal(c->deleted, 1);
			assert_int_equal(r->nconflicts, 1);
			assert_true(c->winner == HOSO_MERGE_OURS ? o && !t : t && !o);
		} else {
			assert_int_equal(c->deleted, 0);
		}
	}
	if (!o && !t)
		assert_null(r->merged);
	if (same(o, b))
		assert_true(same(r->merged, t));
	if (same(t, b))
		assert_true(same(r->merged, o));

	collect_paths(&ps, "", b);
	collect_paths(&ps, "", o);
	collect_paths(&ps, "", t);
	for (i = 0; i < ps.n; i++) {
		const char *p = ps.items[i];
		const json_t *bv = get_path(b, p), *ov = get_path(o, p), *tv = get_path(t, p);
		const json_t *mv = get_path(r->merged, p);
		if (!same(ov, bv) && same(tv, bv)) {
			assert_true(same(mv, ov) || lost_in_conflict(r, p, HOSO_MERGE_OURS, ov));
		} else if (!same(tv, bv) && same(ov, bv)) {
			assert_true(same(mv, tv) || lost_in_conflict(r, p, HOSO_MERGE_THEIRS, tv));
		} else if (!same(ov, tv) && !same(ov, bv) && !same(tv, bv) && merged_inside(b, o, t, p)) {
			/* changed on both sides, and reached by the merge */
			if (json_is_object(ov) && json_is_object(tv) && (!bv || json_is_object(bv))) {
				assert_null(conflict_at(r, p));
				assert_true(json_is_object(mv));
			} else if (is_set_path(schema, p) && (!bv || json_is_array(bv)) &&
				(!ov || json_is_array(ov)) && (!tv || json_is_array(tv))) {
				size_t j, k;
				assert_null(conflict_at(r, p));
				if (!mv) {
					assert_true(!ov || !tv);
				} else {
					assert_true(json_is_array(mv));
				}
				for (j = 0; j < json_array_size(mv); j++) {
					const json_t *e = json_array_get(mv, j);
					assert_true(set_has(ov, e) || set_has(tv, e));
					if (j > 0) {
						char *x = dump(json_array_get(mv, j - 1)), *y = dump(e);
						assert_true(strcmp(x, y) < 0);
						free(x);
						free(y);
					}
				}
				for (k = 0; k < 2; k++) {
					const json_t *side = k ? tv : ov;
					for (j = 0; j < json_array_size(side); j++) {
						const json_t *e = json_array_get(side, j);
						int want = !set_has(bv, e) || (set_has(ov, e) && set_has(tv, e));
						assert_int_equal(set_has(mv, e), want);
					}
				}
			} else {
				assert_non_null(conflict_at(r, p));
				expected_conflicts++;
			}
		}
	}
	if (!(r->nconflicts == 1 && r->conflicts[0].field[0] == '\0'))
		assert_int_equal(r->nconflicts, expected_conflicts);
	for (i = 0; i < ps.n; i++)
		free(ps.items[i]);
}

static void test_generated_cases(void **state)
{
	static const char *const tiebreaks[] = { NULL, "", "a", "b", "9f2c" };
	rng r = { 20240601 };
	size_t round, i, total_conflicts = 0, deletions = 0, merged_sets = 0;

	(void)state;
	for (round = 0; round < 2000; round++) {
		json_t *b = NULL, *o = NULL, *t = NULL;
		const hoso_schema *schema = pick(&r, 5) == 0 ? NULL : fuzz_schema;
		hoso_merge_options fwd = HOSO_MERGE_OPTIONS_INIT, rev = HOSO_MERGE_OPTIONS_INIT;
		hoso_merge_result r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
		char *before[3], *after;
		const json_t *in[3];
		unsigned shape = pick(&r, 20);

		if (shape == 0) {                 /* created on both sides */
			o = random_record(&r);
			t = pick(&r, 2) ? random_record(&r) : mutate(&r, o, top_fields, 6, 0);
		} else {
			b = random_record(&r);
			o = shape == 1 ? NULL : mutate(&r, b, top_fields, 6, 0);
			t = shape == 2 ? NULL : mutate(&r, b, top_fields, 6, 0);
			if (shape == 3) {         /* one side untouched */
				json_decref(o);
				o = json_deep_copy(b);
			}
		}
		do {
			fwd.ours_stamp = pick(&r, 3);
			fwd.theirs_stamp = pick(&r, 3);
			fwd.ours_tiebreak = tiebreaks[pick(&r, 5)];
			fwd.theirs_tiebreak = tiebreaks[pick(&r, 5)];
		} while (fwd.ours_stamp == fwd.theirs_stamp &&
			strcmp(fwd.ours_tiebreak ? fwd.ours_tiebreak : "",
				fwd.theirs_tiebreak ? fwd.theirs_tiebreak : "") == 0);
		rev.ours_stamp = fwd.theirs_stamp;
		rev.theirs_stamp = fwd.ours_stamp;
		rev.ours_tiebreak = fwd.theirs_tiebreak;
		rev.theirs_tiebreak = fwd.ours_tiebreak;

		in[0] = b;
		in[1] = o;
		in[2] = t;
		for (i = 0; i < 3; i++)
			before[i] = dump(in[i]);
		assert_int_equal(hoso_merge_record(&r1, b, o, t, schema, &fwd), 0);
		assert_int_equal(hoso_merge_record(&r2, b, t, o, schema, &rev), 0);
		assert_int_equal(hoso_merge_record(&r3, b, o, t, schema, &fwd), 0);
		for (i = 0; i < 3; i++) {
			after = dump(in[i]);
			assert_string_equal(after, before[i]);
			free(after);
			free(before[i]);
		}

		/* symmetric: the same record, the conflicts mirrored */
		if (!same(r1.merged, r2.merged)) {
			char *x = dump(b), *y = dump(o), *z = dump(t), *m1 = dump(r1.merged), *m2 = dump(r2.merged);
			print_error("case %zu: base %s ours %s theirs %s: %s against %s\n", round, x, y, z, m1, m2);
			free(x); free(y); free(z); free(m1); free(m2);
			fail();
		}
		assert_int_equal(r1.nconflicts, r2.nconflicts);
		for (i = 0; i < r1.nconflicts; i++) {
			assert_string_equal(r1.conflicts[i].field, r2.conflicts[i].field);
			assert_true(same(r1.conflicts[i].ours, r2.conflicts[i].theirs));
			assert_true(same(r1.conflicts[i].theirs, r2.conflicts[i].ours));
			assert_int_equal(r1.conflicts[i].winner + r2.conflicts[i].winner, 3);
			assert_int_equal(r1.conflicts[i].deleted, r2.conflicts[i].deleted);
		}
		/* deterministic: the same again */
		assert_true(same(r1.merged, r3.merged));
		assert_int_equal(r1.nconflicts, r3.nconflicts);

		check_rules(b, o, t, schema, &r1);
		check_rules(b, t, o, schema, &r2);
		assert_no_sharing(in, 3, &r1);
		assert_no_sharing(in, 3, &r2);

		total_conflicts += r1.nconflicts;
		deletions += r1.nconflicts == 1 && r1.conflicts[0].deleted;
		if (schema && o && t && json_is_array(json_object_get(o, "subject_member_ids")) &&
			json_is_array(json_object_get(t, "subject_member_ids")) &&
			!json_equal(json_object_get(o, "subject_member_ids"), json_object_get(t, "subject_member_ids")) &&
			!conflict_at(&r1, "subject_member_ids"))
			merged_sets++;

		hoso_merge_result_clear(&r1);
		hoso_merge_result_clear(&r2);
		hoso_merge_result_clear(&r3);
		json_decref(b);
		json_decref(o);
		json_decref(t);
	}
	/* the generator reaches every rule */
	assert_true(total_conflicts > 1000);
	assert_true(deletions > 50);
	assert_true(merged_sets > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_changes_on_one_side_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_change_is_no_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalar_conflict_later_stamp_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiebreak_on_equal_stamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_against_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_fields_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_replaced_against_inner_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_array_is_a_whole_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_array_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_falls_back_to_whole_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_inside_an_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_against_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_created_on_both_sides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_sorted_by_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_must_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_results_are_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_result_clear, setup, teardown),
		cmocka_unit_test(test_generated_cases),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
