/*
 * Tests for core/unit.c: units added, closed, merged and split, each change
 * one commit; records moving with their ids, organizations closed and given
 * a new parent; the refusals, which change nothing; the successor of a
 * closed unit, a replica following its unit, and units as of an earlier day.
 * Setup makes a fresh repository with hoso_repo_init in a temporary
 * directory (province 02 with units 026, 027 and 030); results are checked
 * where a user would see them: the return code, the problems, where each
 * record is at the tip, hoso.json and main's history.
 *
 * HOME points to an empty directory while the tests run, so no global git
 * configuration is read: the author comes from the init options.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <git2.h>
#include <jansson.h>

#include "hoso/access.h"
#include "hoso/errors.h"
#include "hoso/record.h"
#include "hoso/repo.h"
#include "hoso/unit.h"
#include "fixture.h"

/* The records of the seed: the province's committee, two districts', their cells and members. */
typedef struct {
	char p[HOSO_ID_LEN + 1];    /* 02: dang_bo_tinh */
	char d26[HOSO_ID_LEN + 1];  /* 026: the district's committee, under p */
	char d27[HOSO_ID_LEN + 1];  /* 027: the same */
	char c26a[HOSO_ID_LEN + 1]; /* 026: a cell under d26, admin_unit 00715 */
	char c26b[HOSO_ID_LEN + 1]; /* 026: a cell under d26, admin_unit 00718 */
	char c27[HOSO_ID_LEN + 1];  /* 027: a cell under d27, admin_unit 00730 */
	char m1[HOSO_ID_LEN + 1];   /* 026: a member of c26a */
	char m2[HOSO_ID_LEN + 1];   /* 026: a member of c26b */
	char m3[HOSO_ID_LEN + 1];   /* 027: a member of c27 */
} seed_ids;

typedef struct {
	fixture_repo base;
	seed_ids s;
} fixture;

/* Province 02 with units 026, 027 and 030. */
static const fixture_options repo_options = {
	.province_name = "T\xE1\xBB\x89nh H\xC3\xA0 Giang",
	.units = "{\"units\":["
		"{\"code\":\"026\",\"name\":\"Huy\xE1\xBB\x87n \xC4\x90\xE1\xBB\x93ng V\xC4\x83n\"},"
		"{\"code\":\"027\",\"name\":\"Huy\xE1\xBB\x87n M\xC3\xA8o V\xE1\xBA\xA1" "c\"},"
		"{\"code\":\"030\",\"name\":\"Huy\xE1\xBB\x87n V\xE1\xBB\x8B Xuy\xC3\xAAn\"}]}",
};

static int setup(void **state)
{
	return fixture_setup(state, sizeof(fixture), &repo_options);
}

/* Helpers */

/* 1 if `problems` holds an error with `rule` whose place or message names `text`. */
static int has(const hoso_problems *problems, const char *rule, const char *text)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		if (p->severity == HOSO_SEVERITY_ERROR && strcmp(p->rule, rule) == 0 &&
			(!text || (p->where && strstr(p->where, text)) || strstr(p->message, text)))
			return 1;
	}
	return 0;
}

static void tip(fixture *f, git_oid *out)
{
	assert_int_equal(git_reference_name_to_id(out, hoso_repo_git(f->base.repo), HOSO_BRANCH), 0);
}

static void assert_tip(fixture *f, const git_oid *expected)
{
	git_oid now;

	tip(f, &now);
	assert_true(git_oid_equal(&now, expected));
}

/* The tip is one commit on `before`, and is `made` (the change's result). */
static void assert_one_commit(fixture *f, const git_oid *before, const git_oid *made)
{
	git_commit *commit = NULL;
	git_oid now;

	tip(f, &now);
	assert_false(git_oid_equal(&now, before));
	assert_true(git_oid_equal(&now, made));
	assert_int_equal(git_commit_lookup(&commit, hoso_repo_git(f->base.repo), &now), 0);
	assert_int_equal(git_commit_parentcount(commit), 1);
	assert_true(git_oid_equal(git_commit_parent_id(commit, 0), before));
	git_commit_free(commit);
}

/* Stage `rec` (stolen) as a new record of `unit`; its id in `id`. */
static void put(fixture *f, hoso_txn *txn, const char *unit, json_t *rec, char id[HOSO_ID_LEN + 1])
{
	int rc;

	assert_non_null(rec);
	rc = hoso_txn_put(txn, unit, rec, HOSO_PUT_CREATE, "test", 0, f->base.problems, id);
	if (rc != 0) {
		fixture_print_problems(f->base.problems);
		fail_msg("hoso_txn_put in %s: %d %s", unit, rc, hoso_error_last());
	}
	json_decref(rec);
}

static json_t *org(const char *name, const char *level, const char *parent, const char *admin_unit)
{
	json_t *rec = json_pack("{s:s, s:s, s:s}", "type", "organization", "name", name, "level", level);

	if (parent)
		json_object_set_new(rec, "parent_id", json_string(parent));
	if (admin_unit)
		json_object_set_new(rec, "admin_unit", json_string(admin_unit));
	return rec;
}

static json_t *member(const char *name, const char *citizen_id, const char *cell)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"type", "member", "full_name", name, "gender", "nam", "birth_date", "1980-05-02",
		"ethnicity", "01", "citizen_id", citizen_id, "admission_date", "2005-03-01",
		"official_date", "2006-03-01", "membership", "chinh_thuc", "status", "dang_sinh_hoat",
		"cell_id", cell);
}

/* The seed's records, in one commit; 030 stays empty. */
static void seed(fixture *f)
{
	seed_ids *s = &f->s;
	hoso_txn *txn = NULL;

	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	put(f, txn, "02", org("\xC4\x90\xE1\xBA\xA3ng b\xE1\xBB\x99 t\xE1\xBB\x89nh", "dang_bo_tinh",
		NULL, NULL), s->p);
	put(f, txn, "026", org("\xC4\x90\xE1\xBA\xA3ng b\xE1\xBB\x99 huy\xE1\xBB\x87n A",
		"dang_bo_cap_tren_co_so", s->p, NULL), s->d26);
	put(f, txn, "027", org("\xC4\x90\xE1\xBA\xA3ng b\xE1\xBB\x99 huy\xE1\xBB\x87n B",
		"dang_bo_cap_tren_co_so", s->p, NULL), s->d27);
	put(f, txn, "026", org("Chi b\xE1\xBB\x99 th\xC3\xB4n M\xE1\xBB\x99t", "chi_bo_co_so", s->d26,
		"00715"), s->c26a);
	put(f, txn, "026", org("Chi b\xE1\xBB\x99 th\xC3\xB4n Hai", "chi_bo_co_so", s->d26, "00718"),
		s->c26b);
	put(f, txn, "027", org("Chi b\xE1\xBB\x99 th\xC3\xB4n Ba", "chi_bo_co_so", s->d27, "00730"),
		s->c27);
	put(f, txn, "026", member("Gi\xC3\xA0ng V\xC4\x83n M\xE1\xBB\x99t", "002080000001", s->c26a), s->m1);
	put(f, txn, "026", member("S\xC3\xB9ng V\xC4\x83n Hai", "002080000002", s->c26b), s->m2);
	put(f, txn, "027", member("L\xC3\xB2 V\xC4\x83n Ba", "002080000003", s->c27), s->m3);
	assert_int_equal(hoso_txn_commit(txn, "test: seed\n", NULL), 0);
	hoso_txn_free(txn);
}

/* Apply `c`, which must succeed, and check that it made one commit. */
static void apply_ok(fixture *f, const hoso_unit_change *c, hoso_unit_result *res)
{
	hoso_unit_result local;
	git_oid before;
	int rc;

	tip(f, &before);
	memset(&local, 0, sizeof(local));
	rc = hoso_unit_apply(res ? res : &local, f->base.repo, c, f->base.problems);
	if (rc != 0) {
		fixture_print_problems(f->base.problems);
		fail_msg("hoso_unit_apply: %d %s", rc, hoso_error_last());
	}
	assert_int_equal(hoso_problems_errors(f->base.problems), 0);
	assert_one_commit(f, &before, res ? &res->commit : &local.commit);
}

/* Apply `c`, which must be refused with `expected`, and check that nothing was committed. */
static void apply_refused(fixture *f, const hoso_unit_change *c, int expected)
{
	git_oid before;

	tip(f, &before);
	assert_int_equal(hoso_unit_apply(NULL, f->base.repo, c, f->base.problems), expected);
	assert_tip(f, &before);
}

static void add_unit(fixture *f, const char *code, const char *from_date)
{
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;

	c.op = HOSO_UNIT_ADD;
	c.code = code;
	c.name = "X\xC3\xA3 m\xE1\xBB\x9Bi";
	c.level = "xa";
	c.from_date = from_date;
	apply_ok(f, &c, NULL);
}

/* 026 and 027 merged into T01 from 2025-07-01, their committees closed into the province's. */
static void merge_into_t01(fixture *f, hoso_unit_result *res)
{
	static const char *const from[] = { "026", "027" }, *const into[] = { "T01" };
	static const char *const dissolve[] = { "dang_bo_cap_tren_co_so" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;

	c.op = HOSO_UNIT_MERGE;
	c.on = "2025-07-01";
	c.from = from;
	c.nfrom = 2;
	c.into = into;
	c.ninto = 1;
	c.dissolve = dissolve;
	c.ndissolve = 1;
	c.reparent_to = f->s.p;
	apply_ok(f, &c, res);
}

/* T01 split into X1 (the cell at 00715 and what belongs to it) and X2 (the rest) from 2025-09-01. */
static void split_t01(fixture *f, hoso_unit_result *res)
{
	static const char *const from[] = { "T01" }, *const into[] = { "X1", "X2" };
	static const char *const by[] = { "admin_unit=00715" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;

	c.op = HOSO_UNIT_SPLIT;
	c.on = "2025-09-01";
	c.from = from;
	c.nfrom = 1;
	c.into = into;
	c.ninto = 2;
	c.by = by;
	c.nby = 1;
	apply_ok(f, &c, res);
}

/* Record `id` is in `unit` at the tip. */
static void assert_in(fixture *f, const char *id, const char *unit)
{
	json_t *rec = NULL;
	char *where = NULL;

	if (hoso_record_get(&rec, &where, f->base.repo, id) != 0)
		fail_msg("hoso_record_get %s: %s", id, hoso_error_last());
	assert_string_equal(where, unit);
	assert_string_equal(json_string_value(json_object_get(rec, "id")), id);
	free(where);
	json_decref(rec);
}

/* Record `id` at the tip (a new reference). */
static json_t *get(fixture *f, const char *id)
{
	json_t *rec = NULL;

	if (hoso_record_get(&rec, NULL, f->base.repo, id) != 0)
		fail_msg("hoso_record_get %s: %s", id, hoso_error_last());
	return rec;
}

/* String field `key` of record `id` is `expected` (NULL: absent). */
/* A member written in T01 after the merge, in a cell that was 026's. */
static void add_late(fixture *f, char id[HOSO_ID_LEN + 1])
{
	hoso_txn *txn = NULL;

	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	put(f, txn, "T01", member("Th\xC3\xA0o V\xC4\x83n S\xC3\xA1u", "002080000006", f->s.c26a), id);
	assert_int_equal(hoso_txn_commit(txn, "test: late\n", NULL), 0);
	hoso_txn_free(txn);
}

/* Organization `id` as the view has it on its day, as JSON (a new reference). */
static json_t *org_then(fixture *f, const hoso_units_as_of *v, const char *id)
{
	const git_oid *blob_id = hoso_units_as_of_org(v, id);
	git_blob *blob = NULL;
	json_t *rec;

	assert_non_null(blob_id);
	assert_int_equal(git_blob_lookup(&blob, hoso_repo_git(f->base.repo), blob_id), 0);
	rec = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, NULL);
	git_blob_free(blob);
	assert_non_null(rec);
	return rec;
}

static void assert_field(fixture *f, const char *id, const char *key, const char *expected)
{
	json_t *rec = get(f, id);
	const char *v = json_string_value(json_object_get(rec, key));

	if (expected)
		assert_string_equal(v, expected);
	else
		assert_null(json_object_get(rec, key));
	json_decref(rec);
}

/* Array field `key` of record `id` is exactly the one string `expected`. */
static void assert_set(fixture *f, const char *id, const char *key, const char *expected)
{
	json_t *rec = get(f, id), *a = json_object_get(rec, key);

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(json_string_value(json_array_get(a, 0)), expected);
	json_decref(rec);
}

/* Unit `code` of hoso.json at the tip, as read by the repository. */
static const json_t *unit_cfg(fixture *f, const char *code)
{
	const json_t *u;
	size_t i;

	json_array_foreach(json_object_get(hoso_repo_config(f->base.repo), "units"), i, u)
		if (strcmp(json_string_value(json_object_get(u, "code")), code) == 0)
			return u;
	fail_msg("no unit '%s' in hoso.json", code);
	return NULL;
}

static const char *unit_str(fixture *f, const char *code, const char *key)
{
	return json_string_value(json_object_get(unit_cfg(f, code), key));
}

static void assert_codes(fixture *f, const char *code, const char *key, const char *expected)
{
	char buf[256];

	assert_string_equal(hoso_unit_codes(buf, sizeof(buf), hoso_repo_config(f->base.repo), code,
		key), expected);
}

static size_t reorganizations(fixture *f)
{
	return json_array_size(json_object_get(hoso_repo_config(f->base.repo), "reorganizations"));
}

static const json_t *last_reorganization(fixture *f)
{
	const json_t *log = json_object_get(hoso_repo_config(f->base.repo), "reorganizations");

	assert_true(json_array_size(log) > 0);
	return json_array_get(log, json_array_size(log) - 1);
}

/* Array `a` holds exactly the strings given, in order, then NULL. */
static void assert_strings(const json_t *a, ...)
{
	const char *s;
	size_t i = 0;
	va_list ap;

	assert_true(json_is_array(a));
	va_start(ap, a);
	while ((s = va_arg(ap, const char *))) {
		assert_true(i < json_array_size(a));
		assert_string_equal(json_string_value(json_array_get(a, i)), s);
		i++;
	}
	va_end(ap);
	assert_int_equal(json_array_size(a), i);
}

/* add */

static void test_add(void **state)
{
	fixture *f = *state;
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	const hoso_unit *u;
	git_oid after;

	c.op = HOSO_UNIT_ADD;
	c.code = "T01";
	c.name = "X\xC3\xA3 \xC4\x90\xE1\xBB\x93ng V\xC4\x83n";
	c.level = "xa";
	c.from_date = "2025-07-01";
	apply_ok(f, &c, &res);
	assert_int_equal(res.moved, 0);
	u = hoso_repo_unit_find(f->base.repo, "T01");
	assert_non_null(u);
	assert_string_equal(u->name, c.name);
	assert_string_equal(u->valid_from, "2025-07-01");
	assert_null(u->valid_to);
	assert_string_equal(unit_str(f, "T01", "level"), "xa");
	assert_string_equal(unit_str(f, "T01", "parent"), "02");
	assert_true(hoso_unit_open_on(u, "2025-07-01"));
	assert_false(hoso_unit_open_on(u, "2025-06-30"));
	assert_int_equal(reorganizations(f), 0);

	/* Refused, nothing committed: the code taken, a bad code, no name, a bad date. */
	tip(f, &after);
	apply_refused(f, &c, HOSO_EUSAGE);
	c.code = "a/b";
	apply_refused(f, &c, HOSO_EUSAGE);
	c.code = "";
	apply_refused(f, &c, HOSO_EUSAGE);
	c.code = "T02";
	c.name = NULL;
	apply_refused(f, &c, HOSO_EUSAGE);
	c.name = "";
	apply_refused(f, &c, HOSO_EUSAGE);
	c.name = "X\xC3\xA3 B";
	c.from_date = "2025-13-01";
	apply_refused(f, &c, HOSO_EUSAGE);
	c.from_date = NULL;
	c.parent = "T99";
	apply_refused(f, &c, HOSO_EUSAGE);
	assert_tip(f, &after);
	assert_null(hoso_repo_unit_find(f->base.repo, "T02"));
	assert_null(hoso_repo_unit_find(f->base.repo, "a/b"));
}

/* merge */

static void test_merge(void **state)
{
	fixture *f = *state;
	static const char *const from[] = { "026", "027" }, *const into[] = { "T01" };
	static const char *const clerk[] = { "026" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	const json_t *r;
	git_oid before;
	char hex[GIT_OID_HEXSZ + 1];
	const char *ids[] = { f->s.d26, f->s.d27, f->s.c26a, f->s.c26b, f->s.c27, f->s.m1, f->s.m2,
		f->s.m3 };
	size_t i;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	assert_int_equal(hoso_access_set(f->base.repo, "clerk-026", "clerk", clerk, 1,
		f->base.problems), 0);
	tip(f, &before);
	c.op = HOSO_UNIT_MERGE;
	c.on = "2025-07-01";
	c.from = from;
	c.nfrom = 2;
	c.into = into;
	c.ninto = 1;
	apply_ok(f, &c, &res);
	assert_int_equal(res.moved, 8);
	assert_int_equal(res.dissolved, 0);
	assert_int_equal(res.reparented, 0);
	assert_int_equal(res.users, 1);

	/* Every record of 026 and 027 is in T01 with its id; the province's stays. */
	for (i = 0; i < 8; i++)
		assert_in(f, ids[i], "T01");
	assert_in(f, f->s.p, "02");
	/* Nothing but the unit changed: the committees are open, the cells under them. */
	assert_field(f, f->s.d26, "dissolved_on", NULL);
	assert_field(f, f->s.c26a, "parent_id", f->s.d26);

	/* hoso.json: the last days, successors, predecessors, and the log. */
	assert_string_equal(unit_str(f, "026", "valid_to"), "2025-06-30");
	assert_string_equal(unit_str(f, "027", "valid_to"), "2025-06-30");
	assert_strings(json_object_get(unit_cfg(f, "026"), "successors"), "T01", NULL);
	assert_strings(json_object_get(unit_cfg(f, "027"), "successors"), "T01", NULL);
	assert_strings(json_object_get(unit_cfg(f, "T01"), "predecessors"), "026", "027", NULL);
	assert_null(unit_str(f, "T01", "valid_to"));
	assert_null(json_object_get(unit_cfg(f, "T01"), "successors"));
	assert_true(hoso_unit_open_on(hoso_repo_unit_find(f->base.repo, "026"), "2025-06-30"));
	assert_false(hoso_unit_open_on(hoso_repo_unit_find(f->base.repo, "026"), "2025-07-01"));
	assert_null(unit_str(f, "030", "valid_to"));
	assert_int_equal(reorganizations(f), 1);
	r = last_reorganization(f);
	assert_string_equal(json_string_value(json_object_get(r, "on")), "2025-07-01");
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "merge");
	assert_strings(json_object_get(r, "from"), "026", "027", NULL);
	assert_strings(json_object_get(r, "into"), "T01", NULL);
	assert_null(json_object_get(r, "by"));
	git_oid_tostr(hex, sizeof(hex), &before);
	assert_string_equal(json_string_value(json_object_get(r, "before")), hex);
}

/* The last day of a unit is the day before the change, across months, years and leap days. */
static void test_merge_last_day(void **state)
{
	fixture *f = *state;
	static const struct {
		const char *from, *into, *on, *last;
	} cases[] = {
		{ "026", "T01", "2025-01-01", "2024-12-31" },
		{ "027", "T02", "2024-03-01", "2024-02-29" },
		{ "030", "T03", "2025-03-01", "2025-02-28" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;

		add_unit(f, cases[i].into, cases[i].on);
		c.op = HOSO_UNIT_MERGE;
		c.on = cases[i].on;
		c.from = &cases[i].from;
		c.nfrom = 1;
		c.into = &cases[i].into;
		c.ninto = 1;
		apply_ok(f, &c, NULL);
		assert_string_equal(unit_str(f, cases[i].from, "valid_to"), cases[i].last);
		assert_strings(json_object_get(unit_cfg(f, cases[i].from), "successors"), cases[i].into,
			NULL);
		assert_strings(json_object_get(unit_cfg(f, cases[i].into), "predecessors"), cases[i].from,
			NULL);
		assert_int_equal(reorganizations(f), i + 1);
	}
}

/* The districts' committees closed into the province's; their cells given it as parent. */
static void test_merge_dissolve(void **state)
{
	fixture *f = *state;
	static const char *const from[] = { "026", "027" }, *const into[] = { "T01" };
	static const char *const dissolve[] = { "dang_bo_cap_tren_co_so" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	json_t *p;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	c.op = HOSO_UNIT_MERGE;
	c.on = "2025-07-01";
	c.from = from;
	c.nfrom = 2;
	c.into = into;
	c.ninto = 1;
	c.dissolve = dissolve;
	c.ndissolve = 1;

	/* Without a new parent the cells would have none: refused, nothing changed. */
	apply_refused(f, &c, HOSO_EUSAGE);
	assert_in(f, f->s.d26, "026");
	assert_in(f, f->s.c27, "027");
	assert_field(f, f->s.d26, "dissolved_on", NULL);
	assert_null(unit_str(f, "026", "valid_to"));
	assert_int_equal(reorganizations(f), 0);

	/* An organization that is not there is no new parent. */
	c.reparent_to = "01HQ8Z5K3V0000000000000000";
	apply_refused(f, &c, HOSO_EUSAGE);

	c.reparent_to = f->s.p;
	apply_ok(f, &c, &res);
	assert_int_equal(res.moved, 8);
	assert_int_equal(res.dissolved, 2);
	assert_int_equal(res.reparented, 3);
	assert_field(f, f->s.d26, "dissolved_on", "2025-07-01");
	assert_field(f, f->s.d27, "dissolved_on", "2025-07-01");
	assert_set(f, f->s.d26, "successor_ids", f->s.p);
	assert_set(f, f->s.d27, "successor_ids", f->s.p);
	assert_field(f, f->s.c26a, "parent_id", f->s.p);
	assert_field(f, f->s.c26b, "parent_id", f->s.p);
	assert_field(f, f->s.c27, "parent_id", f->s.p);
	assert_field(f, f->s.c26a, "dissolved_on", NULL);
	assert_field(f, f->s.m1, "cell_id", f->s.c26a);
	assert_in(f, f->s.d26, "T01");
	assert_in(f, f->s.c26a, "T01");
	assert_in(f, f->s.m3, "T01");
	/* The province's committee stays where it is, listing the closed ones. */
	assert_in(f, f->s.p, "02");
	p = get(f, f->s.p);
	assert_strings(json_object_get(p, "predecessor_ids"), f->s.d26, f->s.d27, NULL);
	assert_null(json_object_get(p, "dissolved_on"));
	json_decref(p);
}

/* refusals, close */

static void test_refusals(void **state)
{
	fixture *f = *state;
	static const char *const u026[] = { "026" }, *const u027[] = { "027" };
	static const char *const t01[] = { "T01" }, *const t02[] = { "T02" };
	static const char *const t99[] = { "T99" }, *const both[] = { "026", "026" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	hoso_txn *txn = NULL;
	char id[HOSO_ID_LEN + 1];
	json_t *m;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	add_unit(f, "T02", "2025-07-01");

	/* Closing an empty unit: its last day, no successors, no entry in the log. */
	c.op = HOSO_UNIT_CLOSE;
	c.on = "2025-08-01";
	c.from = t02;
	c.nfrom = 1;
	apply_ok(f, &c, &res);
	assert_int_equal(res.moved, 0);
	assert_string_equal(unit_str(f, "T02", "valid_to"), "2025-07-31");
	assert_null(json_object_get(unit_cfg(f, "T02"), "successors"));
	assert_int_equal(reorganizations(f), 0);
	/* Closing it again, or a unit that holds records, is refused. */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.from = u026;
	apply_refused(f, &c, HOSO_EUSAGE);
	assert_null(unit_str(f, "026", "valid_to"));
	assert_in(f, f->s.m1, "026");

	c.op = HOSO_UNIT_MERGE;
	c.on = "2025-07-01";
	c.from = u026;
	c.nfrom = 1;
	c.ninto = 1;
	c.into = t99;   /* into an unknown unit */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.into = t02;   /* into a closed unit */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.into = u026;  /* into itself */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.from = t02;   /* from a closed unit */
	c.into = t01;
	apply_refused(f, &c, HOSO_EUSAGE);
	c.from = both;  /* a unit named twice */
	c.nfrom = 2;
	apply_refused(f, &c, HOSO_EUSAGE);
	c.from = u026;
	c.nfrom = 1;
	c.on = "2025-02-30"; /* not a day */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.on = NULL;
	apply_refused(f, &c, HOSO_EUSAGE);
	c.on = "2025-07-01";
	c.ninto = 0;    /* a merge into nothing */
	apply_refused(f, &c, HOSO_EUSAGE);
	c.nfrom = 0;    /* of nothing */
	c.ninto = 1;
	apply_refused(f, &c, HOSO_EUSAGE);
	c.op = HOSO_UNIT_SPLIT; /* a split into one unit */
	c.from = u027;
	c.nfrom = 1;
	apply_refused(f, &c, HOSO_EUSAGE);
	assert_int_equal(hoso_problems_errors(f->base.problems), 0);
	assert_in(f, f->s.m1, "026");
	assert_in(f, f->s.m3, "027");
	assert_null(unit_str(f, "026", "valid_to"));
	assert_null(json_object_get(unit_cfg(f, "T01"), "predecessors"));
	assert_int_equal(reorganizations(f), 0);

	/* A write into the closed unit is refused, naming the unit. */
	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	m = member("Th\xC3\xA0o V\xC4\x83n S\xC3\xA1u", "002080000006", f->s.c26a);
	assert_int_equal(hoso_txn_put(txn, "T02", m, HOSO_PUT_CREATE, "test", 0, f->base.problems, id),
		HOSO_EINVALID);
	assert_true(has(f->base.problems, "unit", "T02"));
	assert_int_equal(hoso_txn_count(txn), 0);
	json_decref(m);
	hoso_txn_free(txn);
}

/* After a merge a write into a merged unit is refused; its records are in the successor. */
static void test_write_after_merge(void **state)
{
	fixture *f = *state;
	hoso_txn *txn = NULL;
	git_oid before;
	json_t *m;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	tip(f, &before);
	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	m = member("Th\xC3\xA0o V\xC4\x83n S\xC3\xA1u", "002080000006", f->s.c26a);
	assert_int_equal(hoso_txn_put(txn, "026", m, HOSO_PUT_CREATE, "test", 0, f->base.problems,
		NULL), HOSO_EINVALID);
	assert_true(has(f->base.problems, "unit", "T01"));
	json_decref(m);
	hoso_txn_free(txn);
	assert_tip(f, &before);
}

/* split */

static void test_split(void **state)
{
	fixture *f = *state;
	hoso_unit_result res;
	const json_t *r;
	git_oid before;
	char hex[GIT_OID_HEXSZ + 1];

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	add_unit(f, "X1", "2025-09-01");
	add_unit(f, "X2", "2025-09-01");
	tip(f, &before);
	split_t01(f, &res);
	assert_int_equal(res.moved, 8);
	assert_int_equal(res.dissolved, 0);
	/* The cell at 00715 by the rule, its member by its cell_id; the rest to the last. */
	assert_in(f, f->s.c26a, "X1");
	assert_in(f, f->s.m1, "X1");
	assert_in(f, f->s.c26b, "X2");
	assert_in(f, f->s.m2, "X2");
	assert_in(f, f->s.c27, "X2");
	assert_in(f, f->s.m3, "X2");
	assert_in(f, f->s.d26, "X2");
	assert_in(f, f->s.d27, "X2");
	assert_in(f, f->s.p, "02");

	assert_string_equal(unit_str(f, "T01", "valid_to"), "2025-08-31");
	assert_strings(json_object_get(unit_cfg(f, "T01"), "successors"), "X1", "X2", NULL);
	assert_strings(json_object_get(unit_cfg(f, "X1"), "predecessors"), "T01", NULL);
	assert_strings(json_object_get(unit_cfg(f, "X2"), "predecessors"), "T01", NULL);
	assert_int_equal(reorganizations(f), 2);
	r = last_reorganization(f);
	assert_string_equal(json_string_value(json_object_get(r, "on")), "2025-09-01");
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "split");
	assert_strings(json_object_get(r, "from"), "T01", NULL);
	assert_strings(json_object_get(r, "into"), "X1", "X2", NULL);
	assert_strings(json_object_get(r, "by"), "admin_unit=00715", NULL);
	git_oid_tostr(hex, sizeof(hex), &before);
	assert_string_equal(json_string_value(json_object_get(r, "before")), hex);
}

/* As many rules as units: a record no rule places, nor what it belongs to, refuses the split. */
static void test_split_unplaced(void **state)
{
	fixture *f = *state;
	static const char *const from[] = { "T01" }, *const into[] = { "X1", "X2" };
	static const char *const by[] = { "admin_unit=00715", "admin_unit=00718" };
	static const char *const bad[] = { "admin_unit" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	add_unit(f, "X1", "2025-09-01");
	add_unit(f, "X2", "2025-09-01");
	c.op = HOSO_UNIT_SPLIT;
	c.on = "2025-09-01";
	c.from = from;
	c.nfrom = 1;
	c.into = into;
	c.ninto = 2;
	c.by = by;
	c.nby = 2;
	apply_refused(f, &c, HOSO_EINVALID);
	/* The cell at 00730, its member, the committees: named, each at its path. */
	assert_true(has(f->base.problems, "split", f->s.c27));
	assert_true(has(f->base.problems, "split", f->s.m3));
	assert_true(has(f->base.problems, "split", f->s.d26));
	assert_true(has(f->base.problems, "split", f->s.d27));
	assert_false(has(f->base.problems, "split", f->s.c26a));
	assert_false(has(f->base.problems, "split", f->s.m1));
	assert_false(has(f->base.problems, "split", f->s.m2));
	assert_true(has(f->base.problems, "split", "data/T01/organization/"));
	assert_int_equal(hoso_problems_errors(f->base.problems), 4);
	assert_in(f, f->s.c26a, "T01");
	assert_in(f, f->s.c27, "T01");
	assert_null(unit_str(f, "T01", "valid_to"));
	assert_int_equal(reorganizations(f), 1);

	/* A rule that is not FIELD=VALUE. */
	hoso_problems_truncate(f->base.problems, 0);
	c.by = bad;
	c.nby = 1;
	apply_refused(f, &c, HOSO_EUSAGE);
	assert_in(f, f->s.c26a, "T01");
}

/* hoso_unit_successor */

static const char *unit_of_test(const char *id, void *payload)
{
	(void)payload;
	if (strcmp(id, "CELL-IN-X1") == 0)
		return "X1";
	if (strcmp(id, "CELL-ELSEWHERE") == 0)
		return "Q9";
	return NULL;
}

static void test_successor(void **state)
{
	static const char *const text =
		"{\"units\": ["
		"{\"code\": \"A\", \"name\": \"a\", \"valid_to\": \"2025-06-30\", \"successors\": [\"B\"]},"
		"{\"code\": \"B\", \"name\": \"b\", \"predecessors\": [\"A\"]},"
		"{\"code\": \"S\", \"name\": \"s\", \"valid_to\": \"2025-08-31\", \"successors\": [\"X1\", \"X2\"]},"
		"{\"code\": \"X1\", \"name\": \"x1\"}, {\"code\": \"X2\", \"name\": \"x2\"},"
		"{\"code\": \"R\", \"name\": \"r\", \"valid_to\": \"2025-08-31\", \"successors\": [\"Y1\", \"Y2\"]},"
		"{\"code\": \"Y1\", \"name\": \"y1\"}, {\"code\": \"Y2\", \"name\": \"y2\"},"
		"{\"code\": \"C\", \"name\": \"c\", \"valid_to\": \"2025-01-31\"}],"
		"\"reorganizations\": ["
		"{\"on\": \"2025-07-01\", \"kind\": \"merge\", \"from\": [\"A\"], \"into\": [\"B\"]},"
		"{\"on\": \"2025-09-01\", \"kind\": \"split\", \"from\": [\"S\"], \"into\": [\"X1\", \"X2\"],"
		" \"by\": [\"admin_unit=00715\"]},"
		"{\"on\": \"2025-09-01\", \"kind\": \"split\", \"from\": [\"R\"], \"into\": [\"Y1\", \"Y2\"],"
		" \"by\": [\"admin_unit=00715,00716\", \"admin_unit=00718\"]}]}";
	json_error_t jerr;
	json_t *config = json_loads(text, 0, &jerr), *rec;

	(void)state;
	if (!config)
		fail_msg("test config: %s", jerr.text);
	/* One successor: it, whatever the record. */
	assert_string_equal(hoso_unit_successor(config, "A", NULL, NULL, NULL), "B");
	rec = json_pack("{s:s}", "admin_unit", "00715");
	assert_string_equal(hoso_unit_successor(config, "A", rec, unit_of_test, NULL), "B");
	/* Several: by the rule on the record. */
	assert_string_equal(hoso_unit_successor(config, "S", rec, NULL, NULL), "X1");
	assert_string_equal(hoso_unit_successor(config, "R", rec, NULL, NULL), "Y1");
	json_decref(rec);
	rec = json_pack("{s:s}", "admin_unit", "00716");
	assert_string_equal(hoso_unit_successor(config, "R", rec, NULL, NULL), "Y1");
	json_decref(rec);
	rec = json_pack("{s:s}", "admin_unit", "00718");
	assert_string_equal(hoso_unit_successor(config, "S", rec, NULL, NULL), "X2");
	assert_string_equal(hoso_unit_successor(config, "R", rec, NULL, NULL), "Y2");
	json_decref(rec);
	/* Else where what it belongs to is now. */
	rec = json_pack("{s:s}", "cell_id", "CELL-IN-X1");
	assert_string_equal(hoso_unit_successor(config, "S", rec, unit_of_test, NULL), "X1");
	/* Without the callback: the last, which has no rule. */
	assert_string_equal(hoso_unit_successor(config, "S", rec, NULL, NULL), "X2");
	json_decref(rec);
	/* A unit that is not one of the split's does not count. */
	rec = json_pack("{s:s}", "cell_id", "CELL-ELSEWHERE");
	assert_string_equal(hoso_unit_successor(config, "S", rec, unit_of_test, NULL), "X2");
	json_decref(rec);
	/* Else the last without a rule; with a rule for each, the first. */
	assert_string_equal(hoso_unit_successor(config, "S", NULL, unit_of_test, NULL), "X2");
	rec = json_pack("{s:s}", "admin_unit", "00730");
	assert_string_equal(hoso_unit_successor(config, "S", rec, NULL, NULL), "X2");
	assert_string_equal(hoso_unit_successor(config, "R", rec, unit_of_test, NULL), "Y1");
	json_decref(rec);
	/* Open, unknown, or closed without a successor: none. */
	assert_null(hoso_unit_successor(config, "B", NULL, NULL, NULL));
	assert_null(hoso_unit_successor(config, "X1", NULL, NULL, NULL));
	assert_null(hoso_unit_successor(config, "Z", NULL, NULL, NULL));
	assert_null(hoso_unit_successor(config, "C", NULL, NULL, NULL));
	json_decref(config);
}

typedef struct {
	fixture *f;
	char *last; /* the unit last returned, kept for freeing */
} unit_at_tip;

static const char *unit_at_tip_cb(const char *id, void *payload)
{
	unit_at_tip *u = payload;
	json_t *rec = NULL;

	free(u->last);
	u->last = NULL;
	if (hoso_record_get(&rec, &u->last, u->f->base.repo, id) < 0)
		return NULL;
	json_decref(rec);
	return u->last;
}

/* The repository's own hoso.json after a split: a late record goes where its cell went. */
static void test_successor_after_split(void **state)
{
	fixture *f = *state;
	unit_at_tip u = { f, NULL };
	json_t *late, *other;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	add_unit(f, "X1", "2025-09-01");
	add_unit(f, "X2", "2025-09-01");
	split_t01(f, NULL);
	late = member("Th\xC3\xA0o V\xC4\x83n S\xC3\xA1u", "002080000006", f->s.c26a);
	other = member("V\xC3\xA0ng V\xC4\x83n B\xE1\xBB\x91n", "002080000007", f->s.c26b);
	assert_string_equal(hoso_unit_successor(hoso_repo_config(f->base.repo), "T01", late,
		unit_at_tip_cb, &u), "X1");
	assert_string_equal(hoso_unit_successor(hoso_repo_config(f->base.repo), "T01", other,
		unit_at_tip_cb, &u), "X2");
	/* 026 was merged: its one successor, which is itself closed now. */
	assert_string_equal(hoso_unit_successor(hoso_repo_config(f->base.repo), "026", late,
		unit_at_tip_cb, &u), "T01");
	assert_null(hoso_unit_successor(hoso_repo_config(f->base.repo), "X1", late, unit_at_tip_cb,
		&u));
	free(u.last);
	json_decref(late);
	json_decref(other);
}

/* as of a day */

static void test_as_of(void **state)
{
	fixture *f = *state;
	hoso_units_as_of *v = NULL, *later = (hoso_units_as_of *)&later;
	char late[HOSO_ID_LEN + 1], *text;
	json_t *rec;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	add_late(f, late);

	/* On the day of the merge and after it: no view, each record where it is. */
	assert_int_equal(hoso_units_as_of_new(&later, f->base.repo, "2025-12-31"), 0);
	assert_null(later);
	later = (hoso_units_as_of *)&later;
	assert_int_equal(hoso_units_as_of_new(&later, f->base.repo, "2025-07-01"), 0);
	assert_null(later);
	assert_string_equal(hoso_units_as_of_unit(NULL, f->s.m1, "T01", NULL, 0), "T01");
	assert_null(hoso_units_as_of_org(NULL, f->s.c26a));

	assert_int_equal(hoso_units_as_of_new(&v, f->base.repo, "2023-12-31"), 0);
	assert_non_null(v);
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m1, "T01", NULL, 0), "026");
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m2, "T01", NULL, 0), "026");
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m3, "T01", NULL, 0), "027");
	assert_string_equal(hoso_units_as_of_unit(v, f->s.c27, "T01", NULL, 0), "027");
	/* A record the merge did not touch is where it is. */
	assert_string_equal(hoso_units_as_of_unit(v, f->s.p, "02", NULL, 0), "02");
	/* The late member: where its cell was, told by its data; without it, where it is. */
	rec = get(f, late);
	text = json_dumps(rec, JSON_COMPACT);
	assert_non_null(text);
	assert_string_equal(hoso_units_as_of_unit(v, late, "T01", text, strlen(text)), "026");
	assert_string_equal(hoso_units_as_of_unit(v, late, "T01", NULL, 0), "T01");
	free(text);
	json_decref(rec);

	/* A re-parented cell as it was: under its district's committee; an open one as it was. */
	rec = org_then(f, v, f->s.c26a);
	assert_string_equal(json_string_value(json_object_get(rec, "parent_id")), f->s.d26);
	json_decref(rec);
	rec = org_then(f, v, f->s.d26);
	assert_null(json_object_get(rec, "dissolved_on"));
	json_decref(rec);
	assert_null(hoso_units_as_of_org(v, f->s.m1));
	assert_null(hoso_units_as_of_org(v, late));
	hoso_units_as_of_free(v);
	hoso_units_as_of_free(NULL);

	/* The day before the merge is still before it. */
	assert_int_equal(hoso_units_as_of_new(&v, f->base.repo, "2025-06-30"), 0);
	assert_non_null(v);
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m3, "T01", NULL, 0), "027");
	hoso_units_as_of_free(v);
}

/* Two reorganizations: a day before both, and a day between them. */
static void test_as_of_chain(void **state)
{
	fixture *f = *state;
	hoso_units_as_of *v = NULL;
	char late[HOSO_ID_LEN + 1], *text;
	json_t *rec;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	merge_into_t01(f, NULL);
	add_late(f, late);
	add_unit(f, "X1", "2025-09-01");
	add_unit(f, "X2", "2025-09-01");
	split_t01(f, NULL);
	assert_in(f, late, "X1");
	rec = get(f, late);
	text = json_dumps(rec, JSON_COMPACT);
	assert_non_null(text);

	assert_int_equal(hoso_units_as_of_new(&v, f->base.repo, "2023-12-31"), 0);
	assert_non_null(v);
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m1, "X1", NULL, 0), "026");
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m3, "X2", NULL, 0), "027");
	assert_string_equal(hoso_units_as_of_unit(v, late, "X1", text, strlen(text)), "026");
	hoso_units_as_of_free(v);

	assert_int_equal(hoso_units_as_of_new(&v, f->base.repo, "2025-08-01"), 0);
	assert_non_null(v);
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m1, "X1", NULL, 0), "T01");
	assert_string_equal(hoso_units_as_of_unit(v, f->s.m3, "X2", NULL, 0), "T01");
	assert_string_equal(hoso_units_as_of_unit(v, late, "X1", text, strlen(text)), "T01");
	hoso_units_as_of_free(v);
	free(text);
	json_decref(rec);
}

/* a replica's own unit */

static void test_follow(void **state)
{
	fixture *f = *state;
	char from[64], to[256];

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	assert_int_equal(hoso_repo_set_own_unit(f->base.repo, "026"), 0);
	/* Nothing to follow while 026 is open. */
	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 0);
	assert_string_equal(to, "");
	assert_string_equal(hoso_repo_own_unit(f->base.repo), "026");

	merge_into_t01(f, NULL);
	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 1);
	assert_string_equal(from, "026");
	assert_string_equal(to, "T01");
	assert_string_equal(hoso_repo_own_unit(f->base.repo), "T01");
	/* Followed once: nothing more to do. */
	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 0);
	assert_string_equal(hoso_repo_own_unit(f->base.repo), "T01");

	/* A split is the clerk's choice: the units named, the replica's unit kept. */
	add_unit(f, "X1", "2025-09-01");
	add_unit(f, "X2", "2025-09-01");
	split_t01(f, NULL);
	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 0);
	assert_string_equal(from, "T01");
	assert_string_equal(to, "X1, X2");
	assert_string_equal(hoso_repo_own_unit(f->base.repo), "T01");
}

/* A chain of merges is followed to its end; a replica without a unit has nothing to follow. */
static void test_follow_chain(void **state)
{
	fixture *f = *state;
	static const char *const t01[] = { "T01" }, *const t09[] = { "T09" };
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	char from[64], to[256];

	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 0);
	assert_string_equal(from, "");
	assert_string_equal(to, "");
	seed(f);
	add_unit(f, "T01", "2025-07-01");
	add_unit(f, "T09", "2026-01-01");
	assert_int_equal(hoso_repo_set_own_unit(f->base.repo, "026"), 0);
	merge_into_t01(f, NULL);
	c.op = HOSO_UNIT_MERGE;
	c.on = "2026-01-01";
	c.from = t01;
	c.nfrom = 1;
	c.into = t09;
	c.ninto = 1;
	apply_ok(f, &c, NULL);
	assert_in(f, f->s.m1, "T09");
	assert_int_equal(hoso_unit_follow(f->base.repo, from, to), 1);
	assert_string_equal(from, "026");
	assert_string_equal(to, "T09");
	assert_string_equal(hoso_repo_own_unit(f->base.repo), "T09");
}

/* hoso_unit_codes */

static void test_codes(void **state)
{
	fixture *f = *state;

	seed(f);
	add_unit(f, "T01", "2025-07-01");
	assert_codes(f, "026", "successors", "");
	merge_into_t01(f, NULL);
	assert_codes(f, "026", "successors", "T01");
	assert_codes(f, "027", "successors", "T01");
	assert_codes(f, "T01", "predecessors", "026, 027");
	assert_codes(f, "T01", "successors", "");
	assert_codes(f, "030", "successors", "");
	assert_codes(f, "T99", "successors", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_merge_last_day, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_merge_dissolve, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_write_after_merge, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_split_unplaced, setup, fixture_teardown),
		cmocka_unit_test(test_successor),
		cmocka_unit_test_setup_teardown(test_successor_after_split, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_as_of, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_as_of_chain, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_follow, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_follow_chain, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_codes, setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
