/*
 * Tests for core/access.c: access.json parsed and checked (each bad text
 * names its field and rule), who may write which path, loading from a tree,
 * and changes made as commits. Setup makes a fresh repository with
 * hoso_repo_init in a temporary directory (province 02 with units 030 and
 * 026); results are checked where a user would see them: the return code,
 * the problems, the bytes of access.json on main and its history.
 *
 * HOME points to an empty directory while the tests run, so no global git
 * configuration is read: the author comes from the init options.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
#include "internal.h"
#include "fixture.h"

/* "Lê Văn Thử" composed (NFC) and decomposed (NFD). */
#define NAME_NFC "L\xC3\xAA V\xC4\x83n Th\xE1\xBB\xAD"
#define NAME_NFD "Le\xCC\x82 Va\xCC\x86n Thu\xCC\x9B\xCC\x89"

typedef fixture_repo fixture;

/* Province 02 with units 030 and 026. */
static const fixture_options repo_options = {
	.province_name = "T\xE1\xBB\x89nh Th\xE1\xBB\xAD",
	.units = "{\"units\":[{\"code\":\"030\",\"name\":\"Huy\xE1\xBB\x87n A\"},"
		"{\"code\":\"026\",\"name\":\"Huy\xE1\xBB\x87n B\"}]}",
};

static int setup(void **state)
{
	return fixture_setup(state, sizeof(fixture), &repo_options);
}

/* Helpers */

static hoso_access *parse_ok(const char *text, hoso_repo *repo)
{
	hoso_problems *problems = NULL;
	hoso_access *a = NULL;
	int rc;

	assert_int_equal(hoso_problems_new(&problems), 0);
	rc = hoso_access_parse(&a, text, strlen(text), "access.json", repo, problems);
	if (rc != 0)
		fail_msg("hoso_access_parse: %s (%s: %s)", hoso_error_last(),
			hoso_problems_count(problems) ? hoso_problems_get(problems, 0)->field : "",
			hoso_problems_count(problems) ? hoso_problems_get(problems, 0)->message : "no problem");
	assert_int_equal(hoso_problems_count(problems), 0);
	assert_non_null(a);
	hoso_problems_free(problems);
	return a;
}

/* 1 if `problems` holds an error at access.json with this field and rule. */
static int has(const hoso_problems *problems, const char *field, const char *rule)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		if (p->severity == HOSO_SEVERITY_ERROR && p->where && strcmp(p->where, "access.json") == 0 &&
			strcmp(p->rule, rule) == 0 &&
			((!field && !p->field) || (field && p->field && strcmp(p->field, field) == 0)))
			return 1;
	}
	return 0;
}

static void tip(fixture *f, git_oid *out)
{
	assert_int_equal(git_reference_name_to_id(out, hoso_repo_git(f->repo), HOSO_BRANCH), 0);
}

/* `path` in main's tip, NUL-terminated and malloc'd, or NULL. */
static char *blob_at(fixture *f, const char *path)
{
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	char *out = NULL;

	assert_int_equal(hoso_repo_tip_tree(&tree, NULL, f->repo), 0);
	if (hoso_tree_read(&blob, hoso_repo_git(f->repo), tree, path) == 0) {
		out = malloc((size_t)git_blob_rawsize(blob) + 1);
		assert_non_null(out);
		memcpy(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
		out[git_blob_rawsize(blob)] = '\0';
	}
	git_blob_free(blob);
	git_tree_free(tree);
	return out;
}

/* Commit `files` (path, text, path, text, ..., NULL) as they are, by the internal writer. */
static void commit_files(fixture *f, ...)
{
	hoso_txn *txn = NULL;
	const char *path, *text;
	va_list ap;

	assert_int_equal(hoso_txn_begin(&txn, f->repo, NULL), 0);
	va_start(ap, f);
	while ((path = va_arg(ap, const char *))) {
		text = va_arg(ap, const char *);
		assert_int_equal(hoso_txn_put_file(txn, path, text, strlen(text)), 0);
	}
	va_end(ap);
	assert_int_equal(hoso_txn_commit(txn, "test: files\n", NULL), 0);
	hoso_txn_free(txn);
}

/* The tip's tree with `path` (at the top) replaced by `text`, or removed when `text` is NULL. */
static git_tree *tree_with(fixture *f, const char *path, const char *text)
{
	git_repository *git = hoso_repo_git(f->repo);
	git_treebuilder *tb = NULL;
	git_tree *base = NULL, *out = NULL;
	git_oid blob, id;

	assert_int_equal(hoso_repo_tip_tree(&base, NULL, f->repo), 0);
	assert_int_equal(git_treebuilder_new(&tb, git, base), 0);
	if (text) {
		assert_int_equal(git_blob_create_from_buffer(&blob, git, text, strlen(text)), 0);
		assert_int_equal(git_treebuilder_insert(NULL, tb, path, &blob, GIT_FILEMODE_BLOB), 0);
	} else {
		assert_int_equal(git_treebuilder_remove(tb, path), 0);
	}
	assert_int_equal(git_treebuilder_write(&id, tb), 0);
	assert_int_equal(git_tree_lookup(&out, git, &id), 0);
	git_treebuilder_free(tb);
	git_tree_free(base);
	return out;
}

#define GOOD \
	"{\"format\": 1, \"users\": {" \
	"\"admin\": {\"role\": \"admin\"}," \
	"\"prov\": {\"role\": \"province\"}," \
	"\"clerk-026\": {\"role\": \"clerk\", \"units\": [\"026\"]}," \
	"\"clerk-2\": {\"role\": \"clerk\", \"units\": [\"030\", \"026\"]}}}"

/* Parsing good texts */

static void test_parse_good(void **state)
{
	fixture *f = *state;
	hoso_access *a = parse_ok(GOOD, f->repo);
	const char *const *units;
	size_t n = 99;

	assert_string_equal(hoso_access_role(a, "admin"), "admin");
	assert_string_equal(hoso_access_role(a, "prov"), "province");
	assert_string_equal(hoso_access_role(a, "clerk-026"), "clerk");
	assert_null(hoso_access_role(a, "nobody"));
	assert_null(hoso_access_role(a, "Admin"));
	assert_null(hoso_access_role(a, NULL));

	units = hoso_access_units(a, "clerk-2", &n);
	assert_int_equal(n, 2);
	assert_string_equal(units[0], "026"); /* bytewise order */
	assert_string_equal(units[1], "030");
	assert_null(units[2]);
	units = hoso_access_units(a, "admin", &n);
	assert_int_equal(n, 0);
	assert_non_null(units);
	units = hoso_access_units(a, "nobody", &n);
	assert_int_equal(n, 0);
	assert_non_null(units);

	assert_int_equal(hoso_access_count(a), 4);
	assert_string_equal(hoso_access_user_at(a, 0), "admin");
	assert_string_equal(hoso_access_user_at(a, 1), "clerk-026");
	assert_string_equal(hoso_access_user_at(a, 2), "clerk-2");
	assert_string_equal(hoso_access_user_at(a, 3), "prov");
	assert_null(hoso_access_user_at(a, 4));
	hoso_access_free(a);
	hoso_access_free(NULL);
}

/* What hoso init writes parses, and a name is found in either Unicode form. */
static void test_parse_init_and_nfc(void **state)
{
	fixture *f = *state;
	char *text = blob_at(f, "access.json");
	hoso_access *a;

	assert_non_null(text);
	assert_string_equal(text, "{\n  \"format\": 1,\n  \"users\": {\n    \"admin\": {\n"
		"      \"role\": \"admin\"\n    }\n  }\n}\n");
	a = parse_ok(text, f->repo);
	assert_string_equal(hoso_access_role(a, "admin"), "admin");
	hoso_access_free(a);
	free(text);

	/* Stored decomposed, asked composed, and the other way round. */
	a = parse_ok("{\"format\": 1, \"users\": {\"" NAME_NFD "\": {\"role\": \"admin\"}}}", NULL);
	assert_string_equal(hoso_access_role(a, NAME_NFC), "admin");
	assert_string_equal(hoso_access_role(a, NAME_NFD), "admin");
	assert_string_equal(hoso_access_user_at(a, 0), NAME_NFC);
	assert_int_equal(hoso_access_may_write(a, NAME_NFD, "hoso.json"), 1);
	hoso_access_free(a);
}

/* Without a repository the units are not checked against hoso.json. */
static void test_parse_without_repo(void **state)
{
	const char *text = "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"},"
		"\"c\": {\"role\": \"clerk\", \"units\": [\"099\"]}}}";
	hoso_access *a = parse_ok(text, NULL);
	hoso_problems *problems = NULL;
	fixture *f = *state;

	assert_int_equal(hoso_access_may_write(a, "c", "data/099/member/1/x.json"), 1);
	hoso_access_free(a);
	/* With one, unit 099 is refused. */
	assert_int_equal(hoso_problems_new(&problems), 0);
	assert_int_equal(hoso_access_parse(&a, text, strlen(text), "access.json", f->repo, problems),
		HOSO_EINVALID);
	assert_null(a);
	assert_true(has(problems, "users.c.units[0]", "unit"));
	assert_non_null(strstr(hoso_problems_get(problems, 0)->message, "'099' is not in hoso.json"));
	hoso_problems_free(problems);
}

/* Parsing bad texts: each names its field and rule. */

typedef struct {
	const char *text;
	const char *field; /* NULL: no field */
	const char *rule;
} bad_case;

static const bad_case bad_cases[] = {
	{ "{\"format\": 1, \"users\": {", NULL, "json" },
	{ "[]", NULL, "json" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"a\": {\"role\": \"clerk\"}}}",
		NULL, "json" },
	{ "{\"users\": {\"a\": {\"role\": \"admin\"}}}", "format", "required" },
	{ "{\"format\": 2, \"users\": {\"a\": {\"role\": \"admin\"}}}", "format", "const" },
	{ "{\"format\": \"1\", \"users\": {\"a\": {\"role\": \"admin\"}}}", "format", "const" },
	{ "{\"format\": 1.0, \"users\": {\"a\": {\"role\": \"admin\"}}}", "format", "const" },
	{ "{\"format\": 1, \"owner\": \"x\", \"users\": {\"a\": {\"role\": \"admin\"}}}",
		"owner", "additionalProperties" },
	{ "{\"format\": 1}", "users", "required" },
	{ "{\"format\": 1, \"users\": [\"a\"]}", "users", "type" },
	{ "{\"format\": 1, \"users\": {}}", "users", "admin" },
	{ "{\"format\": 1, \"users\": {\"p\": {\"role\": \"province\"}}}", "users", "admin" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"x\": {\"role\": \"boss\"}}}",
		"users.x.role", "enum" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"x\": {\"role\": \"Admin\"}}}",
		"users.x.role", "enum" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"x\": {\"role\": 5}}}",
		"users.x.role", "enum" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"x\": {}}}",
		"users.x.role", "required" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"x\": \"clerk\"}}",
		"users.x", "type" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\", \"email\": \"a@example.org\"}}}",
		"users.a.email", "additionalProperties" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"clerk-026\": {\"role\": \"clerk\"}}}",
		"users.clerk-026.units", "required" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": []}}}",
		"users.c.units", "minItems" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": \"026\"}}}",
		"users.c.units", "type" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": [26]}}}",
		"users.c.units[0]", "type" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": [\"026\", \"..\"]}}}",
		"users.c.units[1]", "type" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": [\"026/x\"]}}}",
		"users.c.units[0]", "type" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": [\"026\", \"026\"]}}}",
		"users.c.units[1]", "uniqueItems" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"c\": {\"role\": \"clerk\", \"units\": [\"0260\"]}}}",
		"users.c.units[0]", "unit" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\", \"units\": [\"026\"]}}}",
		"users.a.units", "additionalProperties" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"p\": {\"role\": \"province\", \"units\": []}}}",
		"users.p.units", "additionalProperties" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"\": {\"role\": \"admin\"}}}",
		"users", "name" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"b\\tc\": {\"role\": \"admin\"}}}",
		"users", "name" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"b\\u0085\": {\"role\": \"admin\"}}}",
		"users", "name" },
	{ "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"b\\u007f\": {\"role\": \"admin\"}}}",
		"users", "name" },
};

static void test_parse_bad(void **state)
{
	fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const bad_case *c = &bad_cases[i];
		hoso_problems *problems = NULL;
		hoso_access *a = (hoso_access *)1;
		int rc;

		assert_int_equal(hoso_problems_new(&problems), 0);
		rc = hoso_access_parse(&a, c->text, strlen(c->text), "access.json", f->repo, problems);
		if (rc != HOSO_EINVALID || a || !has(problems, c->field, c->rule)) {
			fixture_print_problems(problems);
			fail_msg("case %zu (%s): rc %d, expected a problem at field '%s' [%s]", i, c->text,
				rc, c->field ? c->field : "(none)", c->rule);
		}
		assert_int_equal(hoso_error_last_code(), HOSO_EINVALID);
		hoso_problems_free(problems);
	}
}

/* Every problem is reported, not only the first. */
static void test_parse_reports_all(void **state)
{
	const char *text = "{\"format\": 3, \"users\": {\"x\": {\"role\": \"boss\"},"
		"\"c\": {\"role\": \"clerk\", \"units\": [\"999\"]}}}";
	hoso_problems *problems = NULL;
	hoso_access *a = NULL;
	fixture *f = *state;

	assert_int_equal(hoso_problems_new(&problems), 0);
	assert_int_equal(hoso_access_parse(&a, text, strlen(text), "access.json", f->repo, problems),
		HOSO_EINVALID);
	assert_true(has(problems, "format", "const"));
	assert_true(has(problems, "users.x.role", "enum"));
	assert_true(has(problems, "users.c.units[0]", "unit"));
	assert_true(has(problems, "users", "admin"));
	assert_int_equal(hoso_problems_errors(problems), 4);
	/* A control character in a name is shown escaped, never raw. */
	hoso_problems_free(problems);
	assert_int_equal(hoso_problems_new(&problems), 0);
	text = "{\"format\": 1, \"users\": {\"a\": {\"role\": \"admin\"}, \"b\\u001b[2J\": {\"role\": \"x\"}}}";
	assert_int_equal(hoso_access_parse(&a, text, strlen(text), "access.json", NULL, problems),
		HOSO_EINVALID);
	assert_true(has(problems, "users", "name"));
	assert_true(has(problems, "users.b\\x1B[2J.role", "enum"));
	assert_non_null(strstr(hoso_problems_get(problems, 0)->message, "'b\\x1B[2J'"));
	/* Problems may be NULL: still refused. */
	assert_int_equal(hoso_access_parse(&a, text, strlen(text), "access.json", NULL, NULL),
		HOSO_EINVALID);
	assert_null(a);
	hoso_problems_free(problems);
}

/* Who may write what */

static void test_may_write(void **state)
{
	fixture *f = *state;
	hoso_access *a = parse_ok(GOOD, f->repo);
	static const struct {
		const char *user, *path;
		int may;
	} cases[] = {
		/* An admin: anything. */
		{ "admin", "hoso.json", 1 },
		{ "admin", "access.json", 1 },
		{ "admin", "schemas/x", 1 },
		{ "admin", "schemas/member.schema.json", 1 },
		{ "admin", "data/026/member/1/01HQ8Z5K3V0000000000000001.json", 1 },
		{ "admin", "data/0260/member/1/x.json", 1 },
		/* Province: anything under data/, nothing else. */
		{ "prov", "data/026/member/1/x.json", 1 },
		{ "prov", "data/030/organization/2/y.json", 1 },
		{ "prov", "data/02/x.json", 1 },
		{ "prov", "hoso.json", 0 },
		{ "prov", "access.json", 0 },
		{ "prov", "schemas/x", 0 },
		{ "prov", "data", 0 },
		{ "prov", "data/", 0 },
		{ "prov", "datax/026/x.json", 0 },
		{ "prov", "data/../hoso.json", 0 },
		{ "prov", "/data/026/x.json", 0 },
		/* A clerk of 026: only under data/026/. */
		{ "clerk-026", "data/026/member/1/01HQ8Z5K3V0000000000000001.json", 1 },
		{ "clerk-026", "data/026/conflict/1/x.json", 1 },
		{ "clerk-026", "data/0260/member/1/x.json", 0 },
		{ "clerk-026", "data/02/member/1/x.json", 0 },
		{ "clerk-026", "data/030/member/1/x.json", 0 },
		{ "clerk-026", "data/026", 0 },
		{ "clerk-026", "data/026/", 0 },
		{ "clerk-026", "data//026/x.json", 0 },
		{ "clerk-026", "data/026/../030/x.json", 0 },
		{ "clerk-026", "data/026/./x.json", 0 },
		{ "clerk-026", "hoso.json", 0 },
		{ "clerk-026", "access.json", 0 },
		{ "clerk-026", "schemas/x", 0 },
		{ "clerk-026", "026/member/x.json", 0 },
		/* A clerk of two units: either. */
		{ "clerk-2", "data/026/member/1/x.json", 1 },
		{ "clerk-2", "data/030/member/1/x.json", 1 },
		{ "clerk-2", "data/0300/member/1/x.json", 0 },
		{ "clerk-2", "hoso.json", 0 },
		/* Anyone else: nothing. */
		{ "nobody", "data/026/member/1/x.json", 0 },
		{ "nobody", "hoso.json", 0 },
		{ "", "data/026/member/1/x.json", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (hoso_access_may_write(a, cases[i].user, cases[i].path) != cases[i].may)
			fail_msg("may '%s' write '%s': expected %d", cases[i].user, cases[i].path,
				cases[i].may);
	assert_int_equal(hoso_access_may_write(a, NULL, "data/026/x.json"), 0);
	assert_int_equal(hoso_access_may_write(a, "admin", NULL), 0);
	assert_int_equal(hoso_access_may_write(NULL, "admin", "hoso.json"), 0);
	hoso_access_free(a);
}

/* Loading */

static void test_load_tip_and_tree(void **state)
{
	fixture *f = *state;
	hoso_access *a = NULL;
	git_tree *old = NULL;
	const char *units[] = { "026" };

	assert_int_equal(hoso_access_load(&a, f->repo, NULL, f->problems), 0);
	assert_string_equal(hoso_access_role(a, "admin"), "admin");
	assert_null(hoso_access_role(a, "clerk-026"));
	hoso_access_free(a);

	assert_int_equal(hoso_repo_tip_tree(&old, NULL, f->repo), 0);
	assert_int_equal(hoso_access_set(f->repo, "clerk-026", "clerk", units, 1, f->problems), 0);
	/* The tip has the clerk; the tree before does not. */
	assert_int_equal(hoso_access_load(&a, f->repo, NULL, f->problems), 0);
	assert_string_equal(hoso_access_role(a, "clerk-026"), "clerk");
	hoso_access_free(a);
	assert_int_equal(hoso_access_load(&a, f->repo, old, f->problems), 0);
	assert_null(hoso_access_role(a, "clerk-026"));
	hoso_access_free(a);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	git_tree_free(old);
}

static void test_load_missing(void **state)
{
	fixture *f = *state;
	git_tree *tree = tree_with(f, "access.json", NULL);
	hoso_access *a = (hoso_access *)1;

	assert_int_equal(hoso_access_load(&a, f->repo, tree, f->problems), HOSO_EINVALID);
	assert_null(a);
	assert_true(has(f->problems, NULL, "required"));
	assert_non_null(strstr(hoso_error_last(), "no access.json"));
	git_tree_free(tree);
}

/* A clerk's units are those of hoso.json in the same tree, not the tip's. */
static void test_load_units_of_its_tree(void **state)
{
	fixture *f = *state;
	const char *access = "{\"format\": 1, \"users\": {\"admin\": {\"role\": \"admin\"},"
		"\"c\": {\"role\": \"clerk\", \"units\": [\"099\"]}}}";
	char *config = blob_at(f, "hoso.json"), *at, *grown;
	git_tree *tree = NULL, *tree2 = NULL;
	git_treebuilder *tb = NULL;
	git_oid blob, id;
	hoso_access *a = NULL;
	git_repository *git = hoso_repo_git(f->repo);

	/* hoso.json with a unit 099 added. */
	assert_non_null(config);
	assert_non_null(at = strstr(config, "\"units\": ["));
	at += strlen("\"units\": [");
	grown = malloc(strlen(config) + 64);
	assert_non_null(grown);
	sprintf(grown, "%.*s{\"code\": \"099\", \"name\": \"X\"},%s", (int)(at - config), config, at);
	tree = tree_with(f, "access.json", access);
	assert_int_equal(git_treebuilder_new(&tb, git, tree), 0);
	assert_int_equal(git_blob_create_from_buffer(&blob, git, grown, strlen(grown)), 0);
	assert_int_equal(git_treebuilder_insert(NULL, tb, "hoso.json", &blob, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&id, tb), 0);
	assert_int_equal(git_tree_lookup(&tree2, git, &id), 0);

	assert_int_equal(hoso_access_load(&a, f->repo, tree2, f->problems), 0);
	assert_string_equal(hoso_access_role(a, "c"), "clerk");
	hoso_access_free(a);
	/* Against the tip's hoso.json, 099 is unknown. */
	assert_int_equal(hoso_access_load(&a, f->repo, tree, f->problems), HOSO_EINVALID);
	assert_true(has(f->problems, "users.c.units[0]", "unit"));
	git_treebuilder_free(tb);
	git_tree_free(tree2);
	git_tree_free(tree);
	free(grown);
	free(config);
}

/* hoso_repo_role reads access.json through the same checks. */
static void test_repo_role(void **state)
{
	fixture *f = *state;

	assert_string_equal(hoso_repo_role(f->repo, "admin"), "admin");
	assert_null(hoso_repo_role(f->repo, "nobody"));
	assert_null(hoso_repo_role(f->repo, NULL));
	/* A file that breaks the rules gives no one a role. */
	commit_files(f, "access.json", "{\"format\": 1, \"users\": {\"admin\": {\"role\": \"admin\"},"
		"\"x\": {\"role\": \"boss\"}}}\n", NULL);
	assert_null(hoso_repo_role(f->repo, "admin"));
}

/* Changing access.json */

static void test_set_commits_canonical(void **state)
{
	fixture *f = *state;
	const char *units[] = { "030", "026", "030" };
	git_oid before, after, again;
	git_commit *c = NULL;
	char *text;

	tip(f, &before);
	assert_int_equal(hoso_access_set(f->repo, "clerk-2", "clerk", units, 3, f->problems), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	tip(f, &after);
	assert_false(git_oid_equal(&before, &after));
	assert_int_equal(git_commit_lookup(&c, hoso_repo_git(f->repo), &after), 0);
	assert_int_equal(git_commit_parentcount(c), 1);
	assert_true(git_oid_equal(git_commit_parent_id(c, 0), &before));
	assert_string_equal(git_commit_author(c)->name, FIXTURE_AUTHOR);
	assert_string_equal(git_commit_author(c)->email, FIXTURE_EMAIL);
	assert_string_equal(git_commit_summary(c), "access: set clerk-2 to clerk of 026, 030");
	git_commit_free(c);
	text = blob_at(f, "access.json");
	assert_string_equal(text, "{\n  \"format\": 1,\n  \"users\": {\n"
		"    \"admin\": {\n      \"role\": \"admin\"\n    },\n"
		"    \"clerk-2\": {\n      \"role\": \"clerk\",\n      \"units\": [\n"
		"        \"026\",\n        \"030\"\n      ]\n    }\n  }\n}\n");
	free(text);

	/* The same again, in another order: equal bytes, so no commit. */
	units[0] = "026";
	units[1] = "030";
	assert_int_equal(hoso_access_set(f->repo, "clerk-2", "clerk", units, 2, f->problems), 0);
	tip(f, &again);
	assert_true(git_oid_equal(&after, &again));

	/* Replaced: now province, no units. */
	assert_int_equal(hoso_access_set(f->repo, "clerk-2", "province", NULL, 0, f->problems), 0);
	text = blob_at(f, "access.json");
	assert_non_null(strstr(text, "\"clerk-2\": {\n      \"role\": \"province\"\n    }"));
	free(text);
	assert_string_equal(hoso_repo_role(f->repo, "clerk-2"), "province");
}

/* A name given decomposed is stored composed: one user, found either way. */
static void test_set_name_nfc(void **state)
{
	fixture *f = *state;
	hoso_access *a = NULL;
	char *text;

	assert_int_equal(hoso_access_set(f->repo, NAME_NFD, "admin", NULL, 0, f->problems), 0);
	assert_int_equal(hoso_access_set(f->repo, NAME_NFC, "admin", NULL, 0, f->problems), 0);
	text = blob_at(f, "access.json");
	assert_non_null(strstr(text, "\"" NAME_NFC "\""));
	assert_null(strstr(text, NAME_NFD));
	free(text);
	assert_int_equal(hoso_access_load(&a, f->repo, NULL, f->problems), 0);
	assert_int_equal(hoso_access_count(a), 2);
	hoso_access_free(a);
	assert_int_equal(hoso_access_remove(f->repo, NAME_NFD, f->problems), 0);
	assert_null(hoso_repo_role(f->repo, NAME_NFC));
}

static void expect_set_refused(fixture *f, const char *user, const char *role,
	const char *const *units, size_t n, const char *field, const char *rule)
{
	git_oid before, after;

	hoso_problems_truncate(f->problems, 0);
	tip(f, &before);
	assert_int_equal(hoso_access_set(f->repo, user, role, units, n, f->problems), HOSO_EINVALID);
	if (!has(f->problems, field, rule)) {
		fixture_print_problems(f->problems);
		fail_msg("set %s %s: no problem at '%s' [%s]", user, role, field, rule);
	}
	tip(f, &after);
	assert_true(git_oid_equal(&before, &after));
}

static void test_set_refused(void **state)
{
	fixture *f = *state;
	const char *unknown[] = { "026", "0260" }, *good[] = { "026" };

	expect_set_refused(f, "x", "boss", NULL, 0, "users.x.role", "enum");
	expect_set_refused(f, "x", "clerk", NULL, 0, "users.x.units", "required");
	expect_set_refused(f, "x", "clerk", unknown, 2, "users.x.units[1]", "unit");
	expect_set_refused(f, "x", "admin", good, 1, "users.x.units", "additionalProperties");
	expect_set_refused(f, "x", "province", good, 1, "users.x.units", "additionalProperties");
	expect_set_refused(f, "", "admin", NULL, 0, "users", "name");
	expect_set_refused(f, "a\nb", "admin", NULL, 0, "users", "name");
	/* The last admin cannot be demoted. */
	expect_set_refused(f, "admin", "province", NULL, 0, "users", "admin");
	assert_non_null(strstr(hoso_error_last(), "cannot set 'admin'"));
	assert_int_equal(hoso_access_set(NULL, "x", "admin", NULL, 0, f->problems), HOSO_EUSAGE);
	assert_int_equal(hoso_access_set(f->repo, "x", NULL, NULL, 0, f->problems), HOSO_EUSAGE);
}

static void test_remove(void **state)
{
	fixture *f = *state;
	const char *units[] = { "026" };
	git_oid before, after;
	git_commit *c = NULL;
	char *text;

	assert_int_equal(hoso_access_set(f->repo, "clerk-026", "clerk", units, 1, f->problems), 0);
	tip(f, &before);
	assert_int_equal(hoso_access_remove(f->repo, "clerk-026", f->problems), 0);
	tip(f, &after);
	assert_false(git_oid_equal(&before, &after));
	assert_int_equal(git_commit_lookup(&c, hoso_repo_git(f->repo), &after), 0);
	assert_string_equal(git_commit_summary(c), "access: remove clerk-026");
	git_commit_free(c);
	text = blob_at(f, "access.json");
	assert_null(strstr(text, "clerk-026"));
	free(text);

	/* Absent: not found, nothing committed. */
	assert_int_equal(hoso_access_remove(f->repo, "clerk-026", f->problems), HOSO_ENOTFOUND);
	assert_non_null(strstr(hoso_error_last(), "'clerk-026' is not in access.json"));
	tip(f, &before);
	assert_true(git_oid_equal(&before, &after));

	/* The last admin stays. */
	assert_int_equal(hoso_access_remove(f->repo, "admin", f->problems), HOSO_EINVALID);
	assert_true(has(f->problems, "users", "admin"));
	tip(f, &before);
	assert_true(git_oid_equal(&before, &after));
	/* With another admin, one may go. */
	assert_int_equal(hoso_access_set(f->repo, "admin-2", "admin", NULL, 0, f->problems), 0);
	assert_int_equal(hoso_access_remove(f->repo, "admin", f->problems), 0);
	assert_null(hoso_repo_role(f->repo, "admin"));
	assert_string_equal(hoso_repo_role(f->repo, "admin-2"), "admin");
}

/* A stale unit of one clerk does not lock the admins out: removing that clerk repairs the file. */
static void test_repair(void **state)
{
	fixture *f = *state;

	commit_files(f, "access.json", "{\"format\": 1, \"users\": {\"admin\": {\"role\": \"admin\"},"
		"\"old\": {\"role\": \"clerk\", \"units\": [\"099\"]}}}\n", NULL);
	assert_null(hoso_repo_role(f->repo, "admin"));
	/* Any other change keeps the file broken: refused, naming why. */
	assert_int_equal(hoso_access_set(f->repo, "p", "province", NULL, 0, f->problems), HOSO_EINVALID);
	assert_true(has(f->problems, "users.old.units[0]", "unit"));
	assert_int_equal(hoso_access_remove(f->repo, "old", f->problems), 0);
	assert_string_equal(hoso_repo_role(f->repo, "admin"), "admin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_good, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_init_and_nfc, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_without_repo, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_bad, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_reports_all, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_may_write, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_tip_and_tree, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_units_of_its_tree, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_repo_role, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_commits_canonical, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_name_nfc, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_refused, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_repair, setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
