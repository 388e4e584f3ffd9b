/* Unit tests of core/schema.c: loading, every keyword, every field query. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso/schema.h"
#include "hoso/errors.h"

static hoso_schema_set *set;
static hoso_problems *problems;
static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	hoso_error_clear();
	if (hoso_schema_set_new(&set) < 0 || hoso_problems_new(&problems) < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hoso-test-schema-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d;
	struct dirent *e;
	char path[512];

	(void)state;
	hoso_schema_set_free(set);
	set = NULL;
	hoso_problems_free(problems);
	problems = NULL;
	if ((d = opendir(tmpdir))) {
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static int add(const char *type, const char *text)
{
	return hoso_schema_set_add(set, type, text, strlen(text), "inline.schema.json");
}

/* Load `text` as the schema of type "t" and return it. */
static const hoso_schema *load(const char *text)
{
	int error = add("t", text);

	if (error < 0)
		fail_msg("schema refused: %s", hoso_error_last());
	assert_non_null(hoso_schema_set_get(set, "t"));
	return hoso_schema_set_get(set, "t");
}

/* Validate the record `text` against `s` into the (emptied) problem list. */
static int validate(const hoso_schema *s, const char *text)
{
	json_error_t jerr;
	json_t *record = json_loads(text, JSON_DECODE_ANY, &jerr);
	int n;

	if (!record)
		fail_msg("bad test record %s: %s", text, jerr.text);
	hoso_problems_truncate(problems, 0);
	n = hoso_schema_validate(s, record, problems);
	json_decref(record);
	return n;
}

static void expect(size_t i, const char *field, const char *rule, const char *message)
{
	const hoso_problem *p = hoso_problems_get(problems, i);

	assert_non_null(p);
	assert_int_equal(p->severity, HOSO_SEVERITY_ERROR);
	assert_null(p->where);
	if (field)
		assert_string_equal(p->field, field);
	else
		assert_null(p->field);
	assert_string_equal(p->rule, rule);
	assert_string_equal(p->message, message);
}

static void expect_refused(const char *text, int code, const char *needle)
{
	hoso_schema_set *before = set;
	size_t count = hoso_schema_set_count(set);
	int error = add("t", text);

	assert_int_equal(error, code);
	assert_int_equal(hoso_error_last_code(), code);
	if (!strstr(hoso_error_last(), needle))
		fail_msg("message '%s' lacks '%s'", hoso_error_last(), needle);
	assert_ptr_equal(before, set);
	assert_int_equal(hoso_schema_set_count(set), count);
	assert_null(hoso_schema_set_get(set, "t"));
}

#define OBJ(props) "{\"type\": \"object\", \"properties\": {" props "}}"

/* The set. */

static void test_set_sorted_and_exists(void **state)
{
	const char *doc = "{\"type\": \"object\"}";

	(void)state;
	assert_int_equal(hoso_schema_set_count(set), 0);
	assert_null(hoso_schema_set_type(set, 0));
	assert_int_equal(add("unit", doc), 0);
	assert_int_equal(add("member", doc), 0);
	assert_int_equal(add("organization", doc), 0);
	assert_int_equal(add("Zed", doc), 0);
	assert_int_equal(hoso_schema_set_count(set), 4);
	assert_string_equal(hoso_schema_set_type(set, 0), "Zed");
	assert_string_equal(hoso_schema_set_type(set, 1), "member");
	assert_string_equal(hoso_schema_set_type(set, 2), "organization");
	assert_string_equal(hoso_schema_set_type(set, 3), "unit");
	assert_null(hoso_schema_set_type(set, 4));
	assert_string_equal(hoso_schema_type(hoso_schema_set_get(set, "member")), "member");
	assert_null(hoso_schema_set_get(set, "nobody"));
	assert_true(json_is_object(hoso_schema_json(hoso_schema_set_get(set, "unit"))));

	assert_int_equal(add("member", doc), HOSO_EEXISTS);
	assert_non_null(strstr(hoso_error_last(), "member"));
	assert_int_equal(hoso_schema_set_count(set), 4);

	assert_int_equal(hoso_schema_set_add(set, "", doc, strlen(doc), NULL), HOSO_EUSAGE);
	hoso_schema_set_free(NULL);
	assert_int_equal(hoso_schema_set_count(NULL), 0);
	assert_null(hoso_schema_set_get(NULL, "x"));
}

static void test_refused_documents(void **state)
{
	(void)state;
	expect_refused("[1, 2]", HOSO_EINVALID, "'inline.schema.json': the document is not an object");
	expect_refused("\"x\"", HOSO_EINVALID, "not an object");
	expect_refused("{\"properties\": {}}", HOSO_EINVALID, "root 'type' must be \"object\"");
	expect_refused("{\"type\": \"array\"}", HOSO_EINVALID, "inline.schema.json");
	expect_refused("{\"type\": [\"object\", \"null\"]}", HOSO_EINVALID, "\"object\"");
	expect_refused(OBJ("\"type\": {\"const\": \"unit\"}"), HOSO_EINVALID,
		"invalid schema 'inline.schema.json': properties.type.const is not \"t\"");
	expect_refused("{\"type\": \"object\", \"$defs\": {\"k\": {\"const\": \"other\"}},"
		" \"properties\": {\"type\": {\"$ref\": \"#/$defs/k\"}}}", HOSO_EINVALID,
		"properties.type.const");
	/* Parse errors name the origin and jansson's line:column. */
	expect_refused("{\"type\": \"object\",\n \"a\": }", HOSO_EINVALID,
		"cannot parse schema 'inline.schema.json' at 2:7:");
	expect_refused("{\"type\": \"object\", \"type\": \"object\"}", HOSO_EINVALID,
		"duplicate object key");
	/* A matching const is fine. */
	assert_int_equal(add("t", OBJ("\"type\": {\"const\": \"t\"}")), 0);
}

static void test_refused_refs(void **state)
{
	(void)state;
	expect_refused(OBJ("\"a\": {\"$ref\": \"other.schema.json#/$defs/x\"}"), HOSO_EINVALID,
		"$ref 'other.schema.json#/$defs/x' at /properties/a is not supported");
	expect_refused(OBJ("\"a\": {\"$ref\": \"#/properties/b\"}, \"b\": {}"), HOSO_EINVALID,
		"$ref '#/properties/b'");
	expect_refused(OBJ("\"a\": {\"$ref\": \"#/$defs/x/properties/y\"}"), HOSO_EINVALID,
		"is not supported");
	expect_refused(OBJ("\"a\": {\"$ref\": \"#/$defs/missing\"}"), HOSO_EINVALID,
		"invalid schema 'inline.schema.json': $ref '#/$defs/missing' at /properties/a "
		"names a missing definition");
	expect_refused(OBJ("\"a\": {\"$ref\": 3}"), HOSO_EINVALID, "'$ref' at /properties/a");
	/* A pure $ref cycle can never be validated. */
	expect_refused("{\"type\": \"object\", \"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"},"
		" \"b\": {\"$ref\": \"#/$defs/a\"}}}", HOSO_EINVALID, "loops or is longer than 32");
	expect_refused("{\"type\": \"object\", \"$defs\": {\"a\": {\"$ref\": \"#/$defs/a\"}}}",
		HOSO_EINVALID, "definition 'a' loops");
}

/* A schema whose property "p" reaches a type through a chain of `hops` $refs. */
static char *ref_chain(int hops)
{
	char *text = malloc(64 * (size_t)hops + 256);
	int i;

	assert_non_null(text);
	strcpy(text, "{\"type\": \"object\", \"properties\": {\"p\": {\"$ref\": \"#/$defs/d1\"}}, \"$defs\": {");
	for (i = 1; i < hops; i++)
		sprintf(text + strlen(text), "\"d%d\": {\"$ref\": \"#/$defs/d%d\"}, ", i, i + 1);
	sprintf(text + strlen(text), "\"d%d\": {\"type\": \"integer\"}}}", hops);
	return text;
}

static void test_ref_chain_length(void **state)
{
	char *text;

	(void)state;
	text = ref_chain(32);
	assert_int_equal(add("t", text), 0);
	free(text);
	assert_int_equal(validate(hoso_schema_set_get(set, "t"), "{\"p\": \"x\"}"), 1);
	expect(0, "p", "type", "expected an integer, got a string");
	text = ref_chain(33);
	assert_int_equal(add("u", text), HOSO_EINVALID);
	free(text);
	assert_non_null(strstr(hoso_error_last(), "loops or is longer than 32"));
}

static void test_refused_keywords(void **state)
{
	(void)state;
	expect_refused(OBJ("\"a\": {\"type\": \"text\"}"), HOSO_EINVALID, "unknown type 'text'");
	expect_refused(OBJ("\"a\": {\"type\": []}"), HOSO_EINVALID, "'type' at /properties/a");
	expect_refused(OBJ("\"a\": {\"minLength\": -1}"), HOSO_EINVALID,
		"'minLength' at /properties/a must be a non-negative integer");
	expect_refused(OBJ("\"a\": {\"maxLength\": 2.5}"), HOSO_EINVALID, "'maxLength'");
	expect_refused(OBJ("\"a\": {\"minimum\": \"0\"}"), HOSO_EINVALID, "'minimum'");
	expect_refused(OBJ("\"a\": {\"maximum\": null}"), HOSO_EINVALID, "'maximum'");
	expect_refused(OBJ("\"a\": {\"pattern\": 1}"), HOSO_EINVALID, "'pattern'");
	expect_refused(OBJ("\"a\": {\"format\": 1}"), HOSO_EINVALID, "'format'");
	expect_refused(OBJ("\"a\": {\"enum\": []}"), HOSO_EINVALID, "'enum'");
	expect_refused(OBJ("\"a\": {\"items\": [{}]}"), HOSO_EINVALID, "'items'");
	expect_refused(OBJ("\"a\": {\"uniqueItems\": 1}"), HOSO_EINVALID, "'uniqueItems'");
	expect_refused(OBJ("\"a\": {\"additionalProperties\": 0}"), HOSO_EINVALID,
		"'additionalProperties'");
	expect_refused(OBJ("\"a\": {\"required\": \"b\"}"), HOSO_EINVALID, "'required'");
	expect_refused(OBJ("\"a\": {\"required\": [1]}"), HOSO_EINVALID, "'required'");
	expect_refused(OBJ("\"a\": {\"properties\": []}"), HOSO_EINVALID, "'properties'");
	expect_refused(OBJ("\"a\": 3"), HOSO_EINVALID, "/properties/a is not an object");
	expect_refused("{\"type\": \"object\", \"$defs\": []}", HOSO_EINVALID, "'$defs'");
	/* Unknown keywords and annotations are ignored. */
	assert_int_equal(add("t", "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\","
		" \"$id\": \"x\", \"title\": \"T\", \"description\": \"d\", \"type\": \"object\","
		" \"x-whatever\": [1], \"minItems\": \"not checked\", \"format\": \"email\"}"), 0);
}

/* Keywords. */

static void test_type(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"s\": {\"type\": \"string\"}, \"i\": {\"type\": \"integer\"},"
		" \"n\": {\"type\": \"number\"}, \"b\": {\"type\": \"boolean\"},"
		" \"o\": {\"type\": \"object\"}, \"a\": {\"type\": \"array\"},"
		" \"z\": {\"type\": \"null\"}, \"sz\": {\"type\": [\"string\", \"null\"]}"));

	(void)state;
	assert_int_equal(validate(s, "{\"s\": \"x\", \"i\": -4, \"n\": 2.5, \"b\": false, \"o\": {},"
		" \"a\": [], \"z\": null, \"sz\": null}"), 0);
	assert_int_equal(hoso_problems_count(problems), 0);
	/* An integer is also a number; a string or null accepts a string. */
	assert_int_equal(validate(s, "{\"n\": 7, \"sz\": \"y\"}"), 0);

	assert_int_equal(validate(s, "{\"s\": 1, \"i\": \"1\", \"n\": \"2\", \"b\": 0, \"o\": [],"
		" \"a\": {}, \"z\": false, \"sz\": 3}"), 8);
	assert_int_equal(hoso_problems_errors(problems), 8);
	expect(0, "s", "type", "expected a string, got an integer");
	expect(1, "i", "type", "expected an integer, got a string");
	expect(2, "n", "type", "expected a number, got a string");
	expect(3, "b", "type", "expected a boolean, got an integer");
	expect(4, "o", "type", "expected an object, got an array");
	expect(5, "a", "type", "expected an array, got an object");
	expect(6, "z", "type", "expected null, got a boolean");
	expect(7, "sz", "type", "expected a string or null, got an integer");

	/* A real with a zero fraction is not an integer. */
	assert_int_equal(validate(s, "{\"i\": 1.0}"), 1);
	expect(0, "i", "type", "expected an integer, got a number");
	assert_int_equal(validate(s, "{\"s\": null}"), 1);
	expect(0, "s", "type", "expected a string, got null");

	/* The root: the field is NULL. */
	assert_int_equal(validate(s, "[1]"), 1);
	expect(0, NULL, "type", "expected an object, got an array");
}

static void test_required_and_properties(void **state)
{
	const hoso_schema *s = load("{\"type\": \"object\", \"required\": [\"citizen_id\", \"name\"],"
		" \"properties\": {\"citizen_id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"},"
		" \"education\": {\"type\": \"object\", \"required\": [\"general\"],"
		"   \"properties\": {\"general\": {\"type\": \"string\"}, \"level\": {\"type\": \"integer\"}}}}}");

	(void)state;
	assert_int_equal(validate(s, "{\"citizen_id\": \"1\", \"name\": \"A\","
		" \"education\": {\"general\": \"12/12\"}}"), 0);
	assert_int_equal(validate(s, "{\"name\": \"A\", \"education\": {\"level\": \"x\"}}"), 3);
	expect(0, "citizen_id", "required", "is required");
	expect(1, "education.general", "required", "is required");
	expect(2, "education.level", "type", "expected an integer, got a string");
	/* A required property present as null is present (its type says otherwise). */
	assert_int_equal(validate(s, "{\"citizen_id\": null, \"name\": \"A\"}"), 1);
	expect(0, "citizen_id", "type", "expected a string, got null");
}

static void test_keywords_apply_to_their_type(void **state)
{
	/* Without `type`, object, string, number and array keywords skip other values. */
	const hoso_schema *s = load(OBJ("\"x\": {\"required\": [\"a\"], \"minLength\": 3,"
		" \"pattern\": \"^z\", \"format\": \"date\", \"minimum\": 5, \"items\": {\"type\": \"string\"},"
		" \"uniqueItems\": true, \"additionalProperties\": false, \"properties\": {\"a\": {}}}"));

	(void)state;
	assert_int_equal(validate(s, "{\"x\": 3}"), 1);
	expect(0, "x", "minimum", "must be at least 5");
	assert_int_equal(validate(s, "{\"x\": 9}"), 0);
	assert_int_equal(validate(s, "{\"x\": true}"), 0);
	assert_int_equal(validate(s, "{\"x\": null}"), 0);
	assert_int_equal(validate(s, "{\"x\": [\"a\", \"b\"]}"), 0);
	assert_int_equal(validate(s, "{\"x\": {\"a\": 1}}"), 0);
	assert_int_equal(validate(s, "{\"x\": \"z\"}"), 2);
	expect(0, "x", "minLength", "'z' is shorter than 3 characters");
	expect(1, "x", "format", "'z' is not a real date (YYYY-MM-DD)");
}

static void test_additional_properties(void **state)
{
	const hoso_schema *s = load("{\"type\": \"object\", \"additionalProperties\": false,"
		" \"properties\": {\"name\": {\"type\": \"string\"},"
		"  \"open\": {\"type\": \"object\"},"
		"  \"closed\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {\"a\": {}}},"
		"  \"typed\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"integer\"}},"
		"  \"yes\": {\"type\": \"object\", \"additionalProperties\": true, \"properties\": {\"a\": {}}}}}");

	(void)state;
	assert_int_equal(validate(s, "{\"name\": \"A\", \"open\": {\"anything\": 1},"
		" \"closed\": {\"a\": 1}, \"typed\": {\"k\": 2}, \"yes\": {\"b\": 1}}"), 0);
	assert_int_equal(validate(s, "{\"nmae\": \"A\", \"closed\": {\"a\": 1, \"b\": 2},"
		" \"typed\": {\"k\": \"2\"}}"), 3);
	expect(0, "nmae", "additionalProperties", "unknown field");
	expect(1, "closed.b", "additionalProperties", "unknown field");
	expect(2, "typed.k", "type", "expected an integer, got a string");
}

static void test_enum(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"sex\": {\"type\": \"string\", \"enum\": [\"nam\", \"nu\"]},"
		" \"mixed\": {\"enum\": [1, \"two\", null, true]},"
		" \"many\": {\"enum\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\"]},"
		" \"twelve\": {\"enum\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\"]}"));

	(void)state;
	assert_int_equal(validate(s, "{\"sex\": \"nu\", \"mixed\": null, \"many\": \"m\", \"twelve\": \"l\"}"), 0);
	assert_int_equal(validate(s, "{\"mixed\": true}"), 0);
	assert_int_equal(validate(s, "{\"sex\": \"x\", \"mixed\": 2, \"many\": \"z\", \"twelve\": \"z\"}"), 4);
	expect(0, "sex", "enum", "'x' is not one of nam, nu");
	expect(1, "mixed", "enum", "2 is not one of 1, two, null, true");
	expect(2, "many", "enum", "'z' is not a known code");
	expect(3, "twelve", "enum", "'z' is not one of a, b, c, d, e, f, g, h, i, j, k, l");
	/* The type is checked first, and alone. */
	assert_int_equal(validate(s, "{\"sex\": 1}"), 1);
	expect(0, "sex", "type", "expected a string, got an integer");
	/* 1.0 is not the integer 1. */
	assert_int_equal(validate(s, "{\"mixed\": 1.0}"), 1);
	expect(0, "mixed", "enum", "1 is not one of 1, two, null, true");
}

static void test_const(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"type\": {\"const\": \"t\"}, \"v\": {\"const\": 2}, \"o\": {\"const\": {\"a\": [1]}}"));

	(void)state;
	assert_int_equal(validate(s, "{\"type\": \"t\", \"v\": 2, \"o\": {\"a\": [1]}}"), 0);
	assert_int_equal(validate(s, "{\"type\": \"member\", \"v\": 3, \"o\": {\"a\": [2]}}"), 3);
	expect(0, "type", "const", "'member' is not 't'");
	expect(1, "v", "const", "3 is not 2");
	expect(2, "o", "const", "an object is not an object");
}

static void test_pattern(void **state)
{
	const hoso_schema *s = load("{\"type\": \"object\", \"$defs\": {\"code\": {\"type\": \"string\","
		" \"pattern\": \"^[A-Z]{2}$\"}}, \"properties\": {"
		" \"id\": {\"type\": \"string\", \"pattern\": \"^[0-9]{12}$\"},"
		" \"loose\": {\"type\": \"string\", \"pattern\": \"[0-9]\"},"
		" \"letters\": {\"type\": \"string\", \"pattern\": \"^\\\\p{L}{2,3}$\"},"
		" \"dot\": {\"type\": \"string\", \"pattern\": \"^.$\"},"
		" \"list\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/code\"}}}}");
	int round;

	(void)state;
	/* Twice: the second round uses the cached compiled patterns and match data. */
	for (round = 0; round < 2; round++) {
		assert_int_equal(validate(s, "{\"id\": \"012345678901\", \"loose\": \"ab1cd\","
			" \"letters\": \"Đức\", \"dot\": \"ễ\", \"list\": [\"VN\", \"LA\"]}"), 0);
		assert_int_equal(validate(s, "{\"id\": \"123\", \"loose\": \"abc\", \"letters\": \"Đ1\","
			" \"dot\": \"ab\", \"list\": [\"VN\", \"vn\", \"LAO\"]}"), 6);
		expect(0, "id", "pattern", "'123' does not match ^[0-9]{12}$");
		expect(1, "loose", "pattern", "'abc' does not match [0-9]");
		expect(2, "letters", "pattern", "'Đ1' does not match ^\\p{L}{2,3}$");
		expect(3, "dot", "pattern", "'ab' does not match ^.$");
		expect(4, "list[1]", "pattern", "'vn' does not match ^[A-Z]{2}$");
		expect(5, "list[2]", "pattern", "'LAO' does not match ^[A-Z]{2}$");
	}
}

static void test_bad_pattern_is_refused(void **state)
{
	(void)state;
	/* Refused with the schema, not at every write of its type. */
	expect_refused(OBJ("\"a\": {\"type\": \"string\", \"pattern\": \"([a-z\"}"), HOSO_EINVALID,
		"invalid schema 'inline.schema.json': 'pattern' at /properties/a is not a valid "
		"regular expression: missing terminating ] for character class at offset 5");
	expect_refused(OBJ("\"a\": {\"items\": {\"pattern\": \"[b-a]\"}}"), HOSO_EINVALID,
		"'pattern' at /properties/a/items is not a valid regular expression");
}

static void test_format_date(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"born\": {\"type\": \"string\", \"format\": \"date\"},"
		" \"mail\": {\"type\": \"string\", \"format\": \"email\"}"));

	(void)state;
	assert_int_equal(validate(s, "{\"born\": \"2000-02-29\", \"mail\": \"not checked\"}"), 0);
	assert_int_equal(validate(s, "{\"born\": \"1979-13-45\"}"), 1);
	expect(0, "born", "format", "'1979-13-45' is not a real date (YYYY-MM-DD)");
	assert_int_equal(validate(s, "{\"born\": \"1900-02-29\"}"), 1);
	assert_int_equal(validate(s, "{\"born\": \"2001-1-1\"}"), 1);
	assert_int_equal(validate(s, "{\"born\": \"\"}"), 1);
	expect(0, "born", "format", "'' is not a real date (YYYY-MM-DD)");
}

static void test_length(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"name\": {\"type\": \"string\", \"minLength\": 2, \"maxLength\": 6},"
		" \"one\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 1}"));

	(void)state;
	/* Code points, not bytes: "Nguyễn" is 6 code points in 8 bytes; "Ễ" is 1 in 3. */
	assert_int_equal(validate(s, "{\"name\": \"Nguyễn\", \"one\": \"Ễ\"}"), 0);
	assert_int_equal(validate(s, "{\"name\": \"Ễ\"}"), 1);
	expect(0, "name", "minLength", "'Ễ' is shorter than 2 characters");
	assert_int_equal(validate(s, "{\"name\": \"Nguyễnn\", \"one\": \"\"}"), 2);
	expect(0, "name", "maxLength", "'Nguyễnn' is longer than 6 characters");
	expect(1, "one", "minLength", "'' is shorter than 1 character");
	assert_int_equal(validate(s, "{\"one\": \"ab\"}"), 1);
	expect(0, "one", "maxLength", "'ab' is longer than 1 character");
}

static void test_minimum_maximum(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"age\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 120},"
		" \"score\": {\"type\": \"number\", \"minimum\": 0.5, \"maximum\": 9.5}"));

	(void)state;
	assert_int_equal(validate(s, "{\"age\": 0, \"score\": 0.5}"), 0);
	assert_int_equal(validate(s, "{\"age\": 120, \"score\": 9}"), 0);
	assert_int_equal(validate(s, "{\"age\": -1, \"score\": 0.25}"), 2);
	expect(0, "age", "minimum", "must be at least 0");
	expect(1, "score", "minimum", "must be at least 0.5");
	assert_int_equal(validate(s, "{\"age\": 121, \"score\": 10}"), 2);
	expect(0, "age", "maximum", "must be at most 120");
	expect(1, "score", "maximum", "must be at most 9.5");
}

static void test_items_and_paths(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"positions\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
		"  \"required\": [\"title\"], \"properties\": {\"title\": {\"type\": \"string\"},"
		"  \"tags\": {\"type\": \"array\", \"items\": {\"type\": \"integer\"}}}}}"));

	(void)state;
	assert_int_equal(validate(s, "{\"positions\": [{\"title\": \"a\", \"tags\": [1, 2]}]}"), 0);
	assert_int_equal(validate(s, "{\"positions\": [{\"title\": \"a\"}, {},"
		" {\"title\": 3, \"tags\": [1, \"x\"]}, 7]}"), 4);
	expect(0, "positions[1].title", "required", "is required");
	expect(1, "positions[2].title", "type", "expected a string, got an integer");
	expect(2, "positions[2].tags[1]", "type", "expected an integer, got a string");
	expect(3, "positions[3]", "type", "expected an object, got an integer");
}

static void test_unique_items(void **state)
{
	const hoso_schema *s = load(OBJ(
		"\"set\": {\"type\": \"array\", \"uniqueItems\": true},"
		" \"bag\": {\"type\": \"array\", \"uniqueItems\": false}"));

	(void)state;
	assert_int_equal(validate(s, "{\"set\": [\"a\", \"b\", 1, {\"x\": 1}, {\"x\": 2}],"
		" \"bag\": [1, 1]}"), 0);
	assert_int_equal(validate(s, "{\"set\": [\"a\", \"b\", \"c\", \"b\", \"a\"]}"), 1);
	expect(0, "set", "uniqueItems", "has a duplicate item at [3]");
	assert_int_equal(validate(s, "{\"set\": [{\"x\": [1]}, {\"x\": [1]}]}"), 1);
	expect(0, "set", "uniqueItems", "has a duplicate item at [1]");
}

static void test_unique_items_many(void **state)
{
	/* 100,000 items checked by hash (not pair by pair): the first duplicate found as before. */
	const hoso_schema *s = load(OBJ("\"set\": {\"type\": \"array\", \"uniqueItems\": true}"));
	size_t i, n = 100000;
	json_t *record = json_pack("{s[]}", "set"), *items = json_object_get(record, "set");

	(void)state;
	for (i = 0; i < n; i++)
		json_array_append_new(items, json_sprintf("p%zu", i));
	hoso_problems_truncate(problems, 0);
	assert_int_equal(hoso_schema_validate(s, record, problems), 0);
	/* equal: an object in another key order, -0.0 and 0.0; unequal: 1 and 1.0 */
	json_array_append_new(items, json_pack("{sisi}", "a", 1, "b", 2));
	json_array_append_new(items, json_real(-0.0));
	json_array_append_new(items, json_integer(1));
	json_array_append_new(items, json_real(1.0));
	assert_int_equal(hoso_schema_validate(s, record, problems), 0);
	json_array_append_new(items, json_real(0.0));
	json_array_append_new(items, json_pack("{sisi}", "b", 2, "a", 1));
	json_array_append_new(items, json_string("p7"));
	assert_int_equal(hoso_schema_validate(s, record, problems), 1);
	expect(0, "set", "uniqueItems", "has a duplicate item at [100004]");
	json_decref(record);
}

static void test_refs(void **state)
{
	/* $defs and definitions, a chain of refs, siblings beside a $ref, a recursive tree. */
	const hoso_schema *s = load("{\"type\": \"object\","
		" \"$defs\": {\"date\": {\"type\": \"string\", \"format\": \"date\"},"
		"   \"day\": {\"$ref\": \"#/$defs/date\"},"
		"   \"node\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {"
		"     \"name\": {\"type\": \"string\"},"
		"     \"children\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/node\"}}}}},"
		" \"definitions\": {\"code\": {\"type\": \"string\", \"enum\": [\"a\", \"b\"]}},"
		" \"properties\": {\"born\": {\"$ref\": \"#/$defs/day\", \"x-label\": {\"en\": \"Born\"}},"
		"   \"died\": {\"$ref\": \"#/$defs/date\", \"maxLength\": 9},"
		"   \"code\": {\"$ref\": \"#/definitions/code\"},"
		"   \"tree\": {\"$ref\": \"#/$defs/node\"}}}");

	(void)state;
	assert_int_equal(validate(s, "{\"born\": \"1980-01-31\", \"code\": \"a\","
		" \"tree\": {\"name\": \"r\", \"children\": [{\"name\": \"c\", \"children\": []}]}}"), 0);
	assert_int_equal(validate(s, "{\"born\": \"1980-02-31\", \"died\": \"2001-01-01\","
		" \"code\": \"c\", \"tree\": {\"children\": [{\"nom\": 1}]}}"), 4);
	expect(0, "born", "format", "'1980-02-31' is not a real date (YYYY-MM-DD)");
	expect(1, "died", "maxLength", "'2001-01-01' is longer than 9 characters");
	expect(2, "code", "enum", "'c' is not one of a, b");
	expect(3, "tree.children[0].nom", "additionalProperties", "unknown field");
}

static void test_depth_cap(void **state)
{
	const hoso_schema *s = load("{\"type\": \"object\", \"$defs\": {\"n\": {\"type\": \"object\","
		" \"properties\": {\"c\": {\"$ref\": \"#/$defs/n\"}}}}, \"properties\": {\"c\": {\"$ref\": \"#/$defs/n\"}}}");
	char text[1024] = "";
	int i;

	(void)state;
	for (i = 0; i < 31; i++)
		strcat(text, "{\"c\": ");
	strcat(text, "{}");
	for (i = 0; i < 31; i++)
		strcat(text, "}");
	assert_int_equal(validate(s, text), 0);
	text[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(text, "{\"c\": ");
	strcat(text, "{}");
	for (i = 0; i < 40; i++)
		strcat(text, "}");
	assert_int_equal(validate(s, text), 1);
	assert_string_equal(hoso_problems_get(problems, 0)->rule, "depth");
	assert_string_equal(hoso_problems_get(problems, 0)->message, "nests more than 32 levels deep");
	assert_int_equal(strlen(hoso_problems_get(problems, 0)->field), 33 * 2 - 1);
}

static void test_long_values_are_cut(void **state)
{
	const hoso_schema *s = load(OBJ("\"a\": {\"enum\": [\"x\"]}"));

	(void)state;
	/* 45 bytes: cut at 40. A multi-byte character is never split. */
	assert_int_equal(validate(s, "{\"a\": \"0123456789012345678901234567890123456789abcde\"}"), 1);
	expect(0, "a", "enum", "'0123456789012345678901234567890123456789…' is not one of x");
	assert_int_equal(validate(s, "{\"a\": \"012345678901234567890123456789012345678ễễ\"}"), 1);
	expect(0, "a", "enum", "'012345678901234567890123456789012345678…' is not one of x");
	assert_int_equal(validate(s, "{\"a\": \"line\\nbreak\"}"), 1);
	expect(0, "a", "enum", "'line break' is not one of x");
}

static void test_validate_counts_and_appends(void **state)
{
	const hoso_schema *s = load("{\"type\": \"object\", \"required\": [\"a\", \"b\"]}");
	json_t *record = json_object();

	(void)state;
	assert_int_equal(validate(s, "{}"), 2);
	/* Appends after what is there, and counts only its own. */
	assert_int_equal(hoso_schema_validate(s, record, problems), 2);
	assert_int_equal(hoso_problems_count(problems), 4);
	/* Without a list it still counts. */
	assert_int_equal(hoso_schema_validate(s, record, NULL), 2);
	assert_int_equal(hoso_schema_validate(NULL, record, problems), HOSO_EUSAGE);
	assert_int_equal(hoso_schema_validate(s, NULL, problems), HOSO_EUSAGE);
	json_decref(record);
}

/* Field queries. */

static const char *annotated =
	"{\"type\": \"object\", \"x-label\": {\"vi\": \"Hồ sơ\", \"en\": \"Record\"},"
	" \"$defs\": {"
	"  \"sex\": {\"type\": \"string\", \"enum\": [\"nam\", \"nu\"],"
	"    \"x-label\": {\"vi\": \"Giới\", \"en\": \"Sex\"},"
	"    \"x-enum-labels\": {\"nam\": {\"vi\": \"Nam\", \"en\": \"Male\"}, \"nu\": {\"vi\": \"Nữ\", \"en\": \"Female\"}}},"
	"  \"org\": {\"type\": \"string\", \"x-ref\": \"organization\"}},"
	" \"properties\": {"
	"  \"type\": {\"const\": \"t\"},"
	"  \"name\": {\"type\": \"string\", \"x-label\": {\"vi\": \"Họ tên\", \"en\": \"Name\"}},"
	"  \"age\": {\"type\": \"integer\"}, \"height\": {\"type\": \"number\"},"
	"  \"alive\": {\"type\": \"boolean\"}, \"note\": {\"type\": [\"null\", \"string\"]},"
	"  \"nothing\": {\"type\": \"null\"}, \"free\": {},"
	"  \"sex\": {\"$ref\": \"#/$defs/sex\"},"
	"  \"sex2\": {\"$ref\": \"#/$defs/sex\", \"x-label\": {\"vi\": \"Giới 2\"}},"
	"  \"unit\": {\"$ref\": \"#/$defs/org\", \"x-label\": \"Đơn vị\"},"
	"  \"orgs\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/org\"}, \"uniqueItems\": true, \"x-set\": true},"
	"  \"languages\": {\"type\": \"array\", \"x-set\": true, \"items\": {\"type\": \"string\","
	"    \"enum\": [\"vi\", \"en\"], \"x-enum-labels\": {\"vi\": {\"vi\": \"Tiếng Việt\", \"en\": \"Vietnamese\"}}}},"
	"  \"list\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
	"  \"flag\": {\"type\": \"boolean\", \"x-set\": true},"
	"  \"education\": {\"type\": \"object\", \"properties\": {"
	"    \"general\": {\"type\": \"string\", \"x-label\": {\"vi\": \"Phổ thông\", \"en\": \"General\"}}}},"
	"  \"positions\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {"
	"    \"title\": {\"type\": \"string\", \"x-label\": {\"en\": \"Title\"}},"
	"    \"unit\": {\"$ref\": \"#/$defs/org\"}}}},"
	"  \"implied\": {\"properties\": {}}, \"implied2\": {\"items\": {}},"
	"  \"implied3\": {\"enum\": [null, 2.5]}, \"implied4\": {\"const\": true}}}";

static void test_field_kind(void **state)
{
	const hoso_schema *s = load(annotated);

	(void)state;
	assert_int_equal(hoso_schema_field_kind(s, "name"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "age"), HOSO_FIELD_INTEGER);
	assert_int_equal(hoso_schema_field_kind(s, "height"), HOSO_FIELD_NUMBER);
	assert_int_equal(hoso_schema_field_kind(s, "alive"), HOSO_FIELD_BOOLEAN);
	assert_int_equal(hoso_schema_field_kind(s, "education"), HOSO_FIELD_OBJECT);
	assert_int_equal(hoso_schema_field_kind(s, "orgs"), HOSO_FIELD_ARRAY);
	assert_int_equal(hoso_schema_field_kind(s, "note"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "nothing"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "free"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "type"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "sex"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "education.general"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "positions.title"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "positions[1].title"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "positions[]"), HOSO_FIELD_OBJECT);
	assert_int_equal(hoso_schema_field_kind(s, "list[0]"), HOSO_FIELD_STRING);
	assert_int_equal(hoso_schema_field_kind(s, "implied"), HOSO_FIELD_OBJECT);
	assert_int_equal(hoso_schema_field_kind(s, "implied2"), HOSO_FIELD_ARRAY);
	assert_int_equal(hoso_schema_field_kind(s, "implied3"), HOSO_FIELD_NUMBER);
	assert_int_equal(hoso_schema_field_kind(s, "implied4"), HOSO_FIELD_BOOLEAN);
	assert_int_equal(hoso_schema_field_kind(s, NULL), HOSO_FIELD_OBJECT);
	assert_int_equal(hoso_schema_field_kind(s, "nope"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "education.nope"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "name.first"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "education."), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "positions[1"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(s, "name[0]"), HOSO_FIELD_UNKNOWN);
	assert_int_equal(hoso_schema_field_kind(NULL, "name"), HOSO_FIELD_UNKNOWN);
}

static void test_field(void **state)
{
	const hoso_schema *s = load(annotated);
	const json_t *f;

	(void)state;
	/* Resolved through $ref. */
	f = hoso_schema_field(s, "sex");
	assert_non_null(f);
	assert_ptr_equal(f, json_object_get(json_object_get(hoso_schema_json(s), "$defs"), "sex"));
	f = hoso_schema_field(s, "positions[0].unit");
	assert_string_equal(json_string_value(json_object_get(f, "x-ref")), "organization");
	assert_ptr_equal(hoso_schema_field(s, NULL), hoso_schema_json(s));
	assert_ptr_equal(hoso_schema_field(s, ""), hoso_schema_json(s));
	assert_null(hoso_schema_field(s, "nope"));
	assert_null(hoso_schema_field(s, ".name"));
	assert_null(hoso_schema_field(s, "education..general"));
	assert_null(hoso_schema_field(s, "positions[0]x"));
	assert_non_null(hoso_schema_field(s, "education.general"));
}

static void test_field_is_set_and_ref(void **state)
{
	const hoso_schema *s = load(annotated);

	(void)state;
	assert_int_equal(hoso_schema_field_is_set(s, "orgs"), 1);
	assert_int_equal(hoso_schema_field_is_set(s, "languages"), 1);
	assert_int_equal(hoso_schema_field_is_set(s, "list"), 0);
	assert_int_equal(hoso_schema_field_is_set(s, "flag"), 0); /* not an array */
	assert_int_equal(hoso_schema_field_is_set(s, "nope"), 0);

	assert_string_equal(hoso_schema_field_ref(s, "unit"), "organization");
	assert_string_equal(hoso_schema_field_ref(s, "orgs"), "organization");
	assert_string_equal(hoso_schema_field_ref(s, "orgs[]"), "organization");
	assert_string_equal(hoso_schema_field_ref(s, "positions.unit"), "organization");
	assert_null(hoso_schema_field_ref(s, "name"));
	assert_null(hoso_schema_field_ref(s, "list"));
	assert_null(hoso_schema_field_ref(s, "nope"));
}

static void test_label(void **state)
{
	const hoso_schema *s = load(annotated);

	(void)state;
	assert_string_equal(hoso_schema_label(s, NULL, NULL, "vi"), "Hồ sơ");
	assert_string_equal(hoso_schema_label(s, NULL, NULL, "en"), "Record");
	assert_string_equal(hoso_schema_label(s, "name", NULL, "vi"), "Họ tên");
	assert_string_equal(hoso_schema_label(s, "name", NULL, "en"), "Name");
	assert_null(hoso_schema_label(s, "name", NULL, "fr"));
	assert_null(hoso_schema_label(s, "age", NULL, "vi"));
	assert_string_equal(hoso_schema_label(s, "education.general", NULL, "vi"), "Phổ thông");
	assert_string_equal(hoso_schema_label(s, "positions.title", NULL, "en"), "Title");
	assert_null(hoso_schema_label(s, "positions.title", NULL, "vi"));
	/* From the definition, unless the property has its own beside the $ref. */
	assert_string_equal(hoso_schema_label(s, "sex", NULL, "en"), "Sex");
	assert_string_equal(hoso_schema_label(s, "sex2", NULL, "vi"), "Giới 2");
	/* A plain string label serves every language. */
	assert_string_equal(hoso_schema_label(s, "unit", NULL, "en"), "Đơn vị");
	/* Codes. */
	assert_string_equal(hoso_schema_label(s, "sex", "nu", "vi"), "Nữ");
	assert_string_equal(hoso_schema_label(s, "sex2", "nam", "en"), "Male");
	assert_null(hoso_schema_label(s, "sex", "x", "en"));
	assert_null(hoso_schema_label(s, "name", "nam", "en"));
	/* An array field's codes are on its items. */
	assert_string_equal(hoso_schema_label(s, "languages", "vi", "en"), "Vietnamese");
	assert_null(hoso_schema_label(s, "languages", "en", "en"));
	assert_null(hoso_schema_label(s, "nope", NULL, "vi"));
	assert_null(hoso_schema_label(NULL, NULL, NULL, "vi"));
}

/* Loading a directory. */

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void test_load_dir(void **state)
{
	(void)state;
	/* An empty directory adds nothing; a missing one is not found. */
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), 0);
	assert_int_equal(hoso_schema_set_count(set), 0);
	assert_int_equal(hoso_schema_set_load_dir(set, "/nonexistent/hoso"), HOSO_ENOTFOUND);

	write_file("unit.schema.json", OBJ("\"type\": {\"const\": \"unit\"}"));
	write_file("member.schema.json", "{\"type\": \"object\", \"required\": [\"name\"]}");
	write_file("notes.json", "not a schema");
	write_file(".schema.json", "not a schema");
	write_file("README", "not a schema");
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), 0);
	assert_int_equal(hoso_schema_set_count(set), 2);
	assert_string_equal(hoso_schema_set_type(set, 0), "member");
	assert_string_equal(hoso_schema_set_type(set, 1), "unit");
	assert_int_equal(validate(hoso_schema_set_get(set, "member"), "{}"), 1);

	/* Again: every type is already there. */
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), HOSO_EEXISTS);
	assert_int_equal(hoso_schema_set_count(set), 2);
}

static void test_load_dir_refuses_and_leaves_the_set(void **state)
{
	char path[512], *big;
	FILE *f;

	(void)state;
	assert_int_equal(add("keep", "{\"type\": \"object\"}"), 0);
	write_file("a.schema.json", "{\"type\": \"object\"}");
	write_file("b.schema.json", "{\"type\": \"object\",\n  \"properties\": {\n    \"x\": [}\n}\n");
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), HOSO_EINVALID);
	snprintf(path, sizeof(path), "cannot parse schema '%s/b.schema.json' at 3:11: ", tmpdir);
	if (!strstr(hoso_error_last(), path))
		fail_msg("message '%s' lacks '%s'", hoso_error_last(), path);
	/* Nothing of the directory was added. */
	assert_int_equal(hoso_schema_set_count(set), 1);
	assert_null(hoso_schema_set_get(set, "a"));

	/* Over the 4 MB cap. */
	write_file("b.schema.json", "{\"type\": \"object\", \"properties\": {\"type\": {\"const\": \"wrong\"}}}");
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), HOSO_EINVALID);
	assert_non_null(strstr(hoso_error_last(), "b.schema.json"));
	assert_non_null(strstr(hoso_error_last(), "properties.type.const"));
	snprintf(path, sizeof(path), "%s/b.schema.json", tmpdir);
	assert_non_null(f = fopen(path, "wb"));
	assert_non_null(big = malloc(4 * 1024 * 1024 + 1));
	memset(big, ' ', 4 * 1024 * 1024 + 1);
	memcpy(big, "{\"type\": \"object\"}", 18);
	assert_int_equal(fwrite(big, 1, 4 * 1024 * 1024 + 1, f), 4 * 1024 * 1024 + 1);
	assert_int_equal(fclose(f), 0);
	free(big);
	assert_int_equal(hoso_schema_set_load_dir(set, tmpdir), HOSO_EINVALID);
	assert_non_null(strstr(hoso_error_last(), "larger than 4 MB"));
	assert_int_equal(hoso_schema_set_count(set), 1);
}

/* The project's own schemas, once they exist. */

static int count_schema_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len > 12 && strcmp(e->d_name + len - 12, ".schema.json") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static const char *valid_member =
	"{\"id\": \"01J0000000000000000000000A\", \"type\": \"member\", \"full_name\": \"Nguyễn Thị Lan\","
	" \"gender\": \"nu\", \"birth_date\": \"1979-03-08\", \"ethnicity\": \"01\","
	" \"citizen_id\": \"001179000123\", \"admission_date\": \"2001-05-19\","
	" \"membership\": \"chinh_thuc\", \"official_date\": \"2002-05-19\","
	" \"status\": \"dang_sinh_hoat\", \"cell_id\": \"01J0000000000000000000000B\","
	" \"education\": {\"general\": \"12/12\", \"professional\": \"dai_hoc\"}}";

static int has_problem(const char *field, const char *rule)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		if (p->field && strcmp(p->field, field) == 0 && strcmp(p->rule, rule) == 0)
			return 1;
	}
	return 0;
}

static void test_project_schemas(void **state)
{
	const hoso_schema *member;
	size_t i;

	(void)state;
	if (count_schema_files(HOSO_SOURCE_SCHEMA_DIR) == 0)
		skip();
	if (hoso_schema_set_load_dir(set, HOSO_SOURCE_SCHEMA_DIR) < 0)
		fail_msg("%s", hoso_error_last());
	assert_int_equal(hoso_schema_set_count(set), count_schema_files(HOSO_SOURCE_SCHEMA_DIR));
	for (i = 0; i < hoso_schema_set_count(set); i++)
		assert_string_equal(hoso_schema_type(hoso_schema_set_get(set,
			hoso_schema_set_type(set, i))), hoso_schema_set_type(set, i));
	if (!(member = hoso_schema_set_get(set, "member")))
		skip();
	if (validate(member, valid_member) != 0)
		fail_msg("valid member refused: %s: %s", hoso_problems_get(problems, 0)->field,
			hoso_problems_get(problems, 0)->message);
	/* A bad citizen id, an impossible date, an unknown field, a missing name. */
	assert_int_equal(validate(member, "{\"id\": \"01J0000000000000000000000A\", \"type\": \"member\","
		" \"gender\": \"nu\", \"birth_date\": \"1979-13-45\", \"ethnicity\": \"01\","
		" \"citizen_id\": \"123\", \"admission_date\": \"2001-05-19\", \"membership\": \"chinh_thuc\","
		" \"status\": \"dang_sinh_hoat\", \"cell_id\": \"01J0000000000000000000000B\", \"nickname\": \"x\"}"),
		4);
	assert_true(has_problem("full_name", "required"));
	assert_true(has_problem("birth_date", "format"));
	assert_true(has_problem("citizen_id", "pattern"));
	assert_true(has_problem("nickname", "additionalProperties"));
	assert_string_equal(hoso_schema_label(member, "gender", "nu", "vi"), "Nữ");
	assert_int_equal(hoso_schema_field_kind(member, "citizen_id"), HOSO_FIELD_STRING);
	assert_string_equal(hoso_schema_field_ref(member, "cell_id"), "organization");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_sorted_and_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_documents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ref_chain_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_keywords, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_and_properties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keywords_apply_to_their_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_additional_properties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_const, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pattern_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimum_maximum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_items_and_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_items_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_values_are_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_counts_and_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_is_set_and_ref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_dir_refuses_and_leaves_the_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_schemas, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
