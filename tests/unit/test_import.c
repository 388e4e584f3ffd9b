/*
 * Tests for core/import.c: the CSV and JSONL readers. Each case writes its
 * input to a file in a fresh temporary directory, reads it back with
 * hoso_import_read and checks the rows handed to the callback (as compact
 * JSON with sorted keys), their lines, and the problems.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "hoso/import.h"
#include "hoso/json.h"
#include "hoso/errors.h"

#define MAX_ROWS 64

typedef struct {
	char dir[64];
	char path[128];

	/* what the callback saw */
	size_t nrows;
	char *rows[MAX_ROWS];
	size_t lines[MAX_ROWS];
	int texts[MAX_ROWS];
	size_t stop_after;   /* return 42 after this many rows; 0: never */

	hoso_problems *problems;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hoso-test-import-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/input", f->dir);
	assert_int_equal(hoso_problems_new(&f->problems), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	size_t i;

	for (i = 0; i < f->nrows && i < MAX_ROWS; i++)
		free(f->rows[i]);
	hoso_problems_free(f->problems);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int collect_cb(json_t *row, size_t line, int texts, void *payload)
{
	fixture *f = payload;

	assert_true(json_is_object(row));
	if (f->nrows < MAX_ROWS) {
		f->rows[f->nrows] = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
		assert_non_null(f->rows[f->nrows]);
		f->lines[f->nrows] = line;
		f->texts[f->nrows] = texts;
	}
	f->nrows++;
	if (f->stop_after && f->nrows == f->stop_after)
		return 42;
	return 0;
}

static void write_input(fixture *f, const char *data, size_t len)
{
	FILE *fp = fopen(f->path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int read_input(fixture *f, hoso_import_format format, hoso_problems *problems)
{
	FILE *fp = fopen(f->path, "rb");
	int rc;

	assert_non_null(fp);
	rc = hoso_import_read(fp, "people.csv", format, collect_cb, f, problems);
	fclose(fp);
	return rc;
}

/* Read `len` bytes of `data` as `format`. */
static int run(fixture *f, hoso_import_format format, const char *data, size_t len)
{
	write_input(f, data, len);
	return read_input(f, format, f->problems);
}

#define RUN(f, format, literal) run((f), (format), (literal), sizeof(literal) - 1)

static void assert_row(const fixture *f, size_t i, size_t line, const char *json)
{
	assert_true(i < f->nrows);
	assert_string_equal(f->rows[i], json);
	assert_int_equal(f->lines[i], line);
}

/* Problem `i` is at `line`, has `rule` and `field` (NULL: none) and its
 * message contains `text`. */
static void assert_problem(const fixture *f, size_t i, size_t line, const char *rule,
	const char *field, const char *text)
{
	const hoso_problem *p = hoso_problems_get(f->problems, i);

	assert_non_null(p);
	if (!strstr(p->message, text))
		fail_msg("problem %zu: '%s' does not contain '%s'", i, p->message, text);
	assert_int_equal(p->severity, HOSO_SEVERITY_ERROR);
	assert_non_null(p->where);
	assert_string_equal(p->where, "people.csv");
	assert_int_equal(p->line, line);
	assert_string_equal(p->rule, rule);
	if (field) {
		assert_non_null(p->field);
		assert_string_equal(p->field, field);
	} else {
		assert_null(p->field);
	}
}

/* A string of `n` copies of `c`, malloc'd. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* CSV */

static void test_csv_basic(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"\xEF\xBB\xBF name , age,note\n"
		"An,30,x\n"
		"B\xC3\xACnh,41,\n"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 2, "{\"age\":\"30\",\"name\":\"An\",\"note\":\"x\"}");
	assert_row(f, 1, 3, "{\"age\":\"41\",\"name\":\"B\xC3\xACnh\"}");
	assert_int_equal(f->texts[0], 1);
	assert_int_equal(f->texts[1], 1);
}

static void test_csv_quotes(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"name,note\n"
		"\"Le, An\",\"she said \"\"hi\"\"\"\n"
		"\"B\",\"two\nlines, and\nthree\"\n"
		"\"\",\"\"\n"
		"C,\"\"\"\"\n"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 4);
	assert_row(f, 0, 2, "{\"name\":\"Le, An\",\"note\":\"she said \\\"hi\\\"\"}");
	assert_row(f, 1, 3, "{\"name\":\"B\",\"note\":\"two\\nlines, and\\nthree\"}");
	/* quoted empty cells are empty: the row has no fields */
	assert_row(f, 2, 6, "{}");
	assert_row(f, 3, 7, "{\"name\":\"C\",\"note\":\"\\\"\"}");
}

static void test_csv_crlf(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"name,note\r\n"
		"An,\"one\r\ntwo\"\r\n"
		"\"B\",x\r\n"
		"C,y"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 3);
	/* a CRLF inside a cell is read as LF */
	assert_row(f, 0, 2, "{\"name\":\"An\",\"note\":\"one\\ntwo\"}");
	assert_row(f, 1, 4, "{\"name\":\"B\",\"note\":\"x\"}");
	assert_row(f, 2, 5, "{\"name\":\"C\",\"note\":\"y\"}");
}

static void test_csv_no_final_newline_trailing_comma(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,b,c\n1,2,\n4,5,"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 2, "{\"a\":\"1\",\"b\":\"2\"}");
	assert_row(f, 1, 3, "{\"a\":\"4\",\"b\":\"5\"}");
}

static void test_csv_dotted_headers(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"id,education.general,education.degree.name,education.degree.year\n"
		"1,12/12,Master,2010\n"
		"2,,,\n"
		"3,,PhD,\n"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 3);
	assert_row(f, 0, 2, "{\"education\":{\"degree\":{\"name\":\"Master\",\"year\":\"2010\"},"
		"\"general\":\"12/12\"},\"id\":\"1\"}");
	/* empty cells leave the fields out, and parents with nothing in them */
	assert_row(f, 1, 3, "{\"id\":\"2\"}");
	assert_row(f, 2, 4, "{\"education\":{\"degree\":{\"name\":\"PhD\"}},\"id\":\"3\"}");
}

static void test_csv_blank_lines(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"\n"
		"a,b\n"
		"\n"
		"1,2\n"
		"   \r\n"
		"\r\n"
		"3,4\n"
		"\n"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 4, "{\"a\":\"1\",\"b\":\"2\"}");
	assert_row(f, 1, 7, "{\"a\":\"3\",\"b\":\"4\"}");
}

static void test_csv_empty_and_header_only(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, ""), 0);
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "\xEF\xBB\xBF"), 0);
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,b\n"), 0);
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,b"), 0);
	assert_int_equal(f->nrows, 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
}

static void test_csv_bad_cell_counts(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"a,b,c,d,e,f,g\n"
		"1,2,3,4,5,6,7\n"
		"1,2,3,4,5\n"
		"1,2,3,4,5,6,7\n"
		"1,2,3,4,5,6,7,8\n"
		"x\n"
		"1,2,3,4,5,6,7\n"), HOSO_EINVALID);
	assert_int_equal(f->nrows, 3);
	assert_row(f, 0, 2, "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\",\"f\":\"6\",\"g\":\"7\"}");
	assert_int_equal(f->lines[1], 4);
	assert_int_equal(f->lines[2], 7);
	assert_int_equal(hoso_problems_count(f->problems), 3);
	assert_problem(f, 0, 3, "csv", NULL, "row has 5 cells, the header has 7");
	assert_problem(f, 1, 5, "csv", NULL, "row has 8 cells, the header has 7");
	assert_problem(f, 2, 6, "csv", NULL, "row has 1 cell, the header has 7");
	assert_int_equal(hoso_error_last_code(), HOSO_EINVALID);
	assert_non_null(strstr(hoso_error_last(), "people.csv"));
}

static void test_csv_unterminated_quote(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"a,b\n"
		"1,2\n"
		"\"3,4\n"
		"5,6\n"
		"7,8"), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 3, "csv", "a", "quoted cell is not closed at the end of the file");
	/* reading goes on from the line after the quote */
	assert_int_equal(f->nrows, 3);
	assert_row(f, 0, 2, "{\"a\":\"1\",\"b\":\"2\"}");
	assert_row(f, 1, 4, "{\"a\":\"5\",\"b\":\"6\"}");
	assert_row(f, 2, 5, "{\"a\":\"7\",\"b\":\"8\"}");
}

static void test_csv_broken_quoting(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"a,b\n"
		"1,x\"y\n"
		"2,\"x\"y\n"
		"3,\"x\" \n"
		"4,\"x\ny\"z,9\n"
		"5,\"ok\"\r\n"
		"6,\"x\"\rz\n"
		"7,last\n"), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 5);
	assert_problem(f, 0, 2, "csv", "b", "quote inside an unquoted cell");
	assert_problem(f, 1, 3, "csv", "b", "text after the closing quote");
	assert_problem(f, 2, 4, "csv", "b", "text after the closing quote");
	/* the error is on line 6, in a row that starts on line 5 */
	assert_problem(f, 3, 6, "csv", "b", "(in the row that starts on line 5)");
	assert_problem(f, 4, 8, "csv", "b", "text after the closing quote");
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 7, "{\"a\":\"5\",\"b\":\"ok\"}");
	assert_row(f, 1, 9, "{\"a\":\"7\",\"b\":\"last\"}");
}

static void test_csv_invalid_utf8(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"name,note\n"
		"A\xFF,ok\n"
		"B,\"line\nsecond \xC3\x28\"\n"
		"C,\xED\xA0\x80\n"       /* a surrogate */
		"D,\xC0\xAF\n"           /* overlong forms */
		"E,\xE0\x80\xAF\n"
		"F,\xF0\x80\x80\xAF\n"
		"G,\xF4\x90\x80\x80\n"   /* above U+10FFFF */
		"H,\xE1\xBA\n"           /* cut short */
		"I,\xE1\xBA\xBF\xF0\x9F\x98\x80\n"),     /* valid: U+1EBF U+1F600 */
		HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 8);
	assert_problem(f, 0, 2, "utf8", "name", "invalid UTF-8 in column 'name'");
	/* the line of the bad byte, inside a cell that spans lines */
	assert_problem(f, 1, 4, "utf8", "note", "invalid UTF-8 in column 'note'");
	assert_problem(f, 2, 5, "utf8", "note", "invalid UTF-8");
	assert_problem(f, 3, 6, "utf8", "note", "invalid UTF-8");
	assert_problem(f, 4, 7, "utf8", "note", "invalid UTF-8");
	assert_problem(f, 5, 8, "utf8", "note", "invalid UTF-8");
	assert_problem(f, 6, 9, "utf8", "note", "invalid UTF-8");
	assert_problem(f, 7, 10, "utf8", "note", "invalid UTF-8");
	assert_int_equal(f->nrows, 1);
	assert_row(f, 0, 11, "{\"name\":\"I\",\"note\":\"\xE1\xBA\xBF\xF0\x9F\x98\x80\"}");
}

static void test_csv_nul(void **state)
{
	fixture *f = *state;
	static const char data[] = "name,note\nA,x\0y\nB,\"z\0\"\nC,ok\n";

	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, sizeof(data) - 1), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 2);
	assert_problem(f, 0, 2, "json", "note", "NUL byte in column 'note'");
	assert_problem(f, 1, 3, "json", "note", "NUL byte");
	assert_int_equal(f->nrows, 1);
	assert_row(f, 0, 4, "{\"name\":\"C\",\"note\":\"ok\"}");
}

static void test_csv_nfc(void **state)
{
	fixture *f = *state;

	/* "Tê" with a combining circumflex, in a header and a cell */
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"Te\xCC\x82n\n"
		"Nguye\xCC\x82\xCC\x83n\n"), 0);
	assert_int_equal(f->nrows, 1);
	assert_row(f, 0, 2, "{\"T\xC3\xAAn\":\"Nguy\xE1\xBB\x85n\"}");
}

static void test_csv_header_problems(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"\n"
		"id,name, ,a,a.b,c..d,name ,x.y.z,x.y,\n"
		"1,2,3,4,5,6,7,8,9,10\n"), HOSO_EINVALID);
	/* every header problem is reported, and no row is read */
	assert_int_equal(f->nrows, 0);
	assert_int_equal(hoso_problems_count(f->problems), 6);
	assert_problem(f, 0, 2, "csv", NULL, "column 3 has no name");
	assert_problem(f, 1, 2, "csv", "a.b", "column 5 'a.b' conflicts with column 4 'a'");
	assert_problem(f, 2, 2, "csv", "c..d", "column 6 'c..d' has an empty part");
	assert_problem(f, 3, 2, "csv", "name", "column 7 'name' repeats column 2 'name'");
	assert_problem(f, 4, 2, "csv", "x.y", "column 9 'x.y' conflicts with column 8 'x.y.z'");
	assert_problem(f, 5, 2, "csv", NULL, "column 10 has no name");
}

static void test_csv_header_nfc_repeat(void **state)
{
	fixture *f = *state;

	/* the same name once composed, once decomposed */
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV,
		"T\xC3\xAAn,Te\xCC\x82n\n1,2\n"), HOSO_EINVALID);
	assert_int_equal(f->nrows, 0);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 1, "csv", "T\xC3\xAAn", "repeats column 1");
}

static void test_csv_header_bad_bytes(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,b\xFF\n1,2\n"), HOSO_EINVALID);
	assert_int_equal(f->nrows, 0);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 1, "utf8", NULL, "invalid UTF-8 in column 2");
}

static void test_csv_header_broken_quote(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,\"b\"c\n1,2\n"), HOSO_EINVALID);
	assert_int_equal(f->nrows, 0);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 1, "csv", NULL, "text after the closing quote");
}

static void test_csv_long_cell(void **state)
{
	fixture *f = *state;
	size_t big = 2 * 1024 * 1024;
	char *cell = repeat('x', big);
	char *data = malloc(big + 100);
	size_t n;

	assert_non_null(data);
	/* row 3 holds a 2 MB cell */
	n = (size_t)sprintf(data, "a,b\n1,ok\n2,");
	memcpy(data + n, cell, big);
	n += big;
	n += (size_t)sprintf(data + n, "\n4,ok\n");
	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, n), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 3, "size", NULL, "row is longer than 1048576 bytes");
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 2, "{\"a\":\"1\",\"b\":\"ok\"}");
	assert_row(f, 1, 4, "{\"a\":\"4\",\"b\":\"ok\"}");
	free(data);
	free(cell);
}

static void test_csv_runaway_quote(void **state)
{
	fixture *f = *state;
	size_t i, n = 0, lines = 60000;
	char *data = malloc(lines * 24 + 100);

	/* A stray quote on line 3 and more than 1 MB after it: the row is refused
	 * as too long and reading goes on from line 4. */
	assert_non_null(data);
	n += (size_t)sprintf(data + n, "a,b\n1,2\n\"3,4\n");
	for (i = 0; i < lines; i++)
		n += (size_t)sprintf(data + n, "%zu,abcdefghijklmnop\n", i);
	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, n), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 3, "size", "a",
		"row is longer than 1048576 bytes; the quoted cell that starts on line 3 "
		"may lack its closing quote");
	assert_int_equal(f->nrows, 1 + lines);
	assert_row(f, 0, 2, "{\"a\":\"1\",\"b\":\"2\"}");
	assert_row(f, 1, 4, "{\"a\":\"0\",\"b\":\"abcdefghijklmnop\"}");
	free(data);
}

static void test_csv_cr_only_lines(void **state)
{
	fixture *f = *state;

	/* Lines ended by CR alone (old Mac exports) are refused, not read as one row. */
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a,b\r1,2\r3,4\r"), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	/* found in the header: no column has a name yet */
	assert_problem(f, 0, 1, "csv", NULL, "carriage return (CR) without a line feed");
	assert_int_equal(f->nrows, 0);
}

static void test_csv_stops_after_many_bad_rows(void **state)
{
	fixture *f = *state;
	size_t i, n = 0, lines = 5000;
	char *data = malloc(lines * 4 + 100);

	assert_non_null(data);
	n += (size_t)sprintf(data + n, "a,b\n");
	for (i = 0; i < lines; i++)
		n += (size_t)sprintf(data + n, "x\n");
	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, n), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), HOSO_IMPORT_MAX_ERRORS + 1);
	assert_problem(f, HOSO_IMPORT_MAX_ERRORS, 0, "import", NULL,
		"1000 rows are not valid; the rest of the file, from line 1002, was not read");
	free(data);
}

static void test_csv_row_at_the_limit(void **state)
{
	fixture *f = *state;
	size_t max = HOSO_RECORD_MAX_BYTES;
	/* "a\r\n" + a row of exactly the limit, "\r\n" + one byte more, "\n" */
	char *data = malloc(2 * max + 100);
	size_t n = 0;

	assert_non_null(data);
	n += (size_t)sprintf(data, "a\r\n");
	memset(data + n, 'x', max);
	n += max;
	n += (size_t)sprintf(data + n, "\r\n");
	memset(data + n, 'y', max + 1);
	n += max + 1;
	n += (size_t)sprintf(data + n, "\nz\n");
	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, n), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 3, "size", NULL, "row is longer");
	assert_int_equal(f->nrows, 2);
	assert_int_equal(f->lines[0], 2);
	assert_int_equal(strlen(f->rows[0]), max + 8);   /* {"a":"…"} */
	assert_row(f, 1, 4, "{\"a\":\"z\"}");
	free(data);
}

static void test_csv_callback_stops(void **state)
{
	fixture *f = *state;

	f->stop_after = 2;
	assert_int_equal(RUN(f, HOSO_FORMAT_CSV, "a\n1\n2\n3\n\"bad\n"), 42);
	assert_int_equal(f->nrows, 2);
	assert_int_equal(hoso_problems_count(f->problems), 0);
}

static void test_csv_many_rows(void **state)
{
	fixture *f = *state;
	size_t i, n = 0, rows = 20000;
	char *data = malloc(rows * 64 + 100);

	/* rows that straddle every buffer boundary */
	assert_non_null(data);
	n += (size_t)sprintf(data, "id,name,unit.code\r\n");
	for (i = 0; i < rows; i++)
		n += (size_t)sprintf(data + n, "%zu,\"Name, %zu\nnext\",U%zu\r\n", i, i, i % 7);
	assert_int_equal(run(f, HOSO_FORMAT_CSV, data, n), 0);
	assert_int_equal(f->nrows, rows);
	assert_row(f, 0, 2, "{\"id\":\"0\",\"name\":\"Name, 0\\nnext\",\"unit\":{\"code\":\"U0\"}}");
	assert_row(f, MAX_ROWS - 1, 2 + 2 * (MAX_ROWS - 1),
		"{\"id\":\"63\",\"name\":\"Name, 63\\nnext\",\"unit\":{\"code\":\"U0\"}}");
	free(data);
}

/* JSONL */

static void test_jsonl_basic(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_JSONL,
		"\xEF\xBB\xBF{\"a\": 1}\n"
		"\n"
		"  \t\n"
		"{\"b\": [true, null, \"x\"]}\r\n"
		"\r\n"
		"{\"c\": {\"d\": 2.5}}"), 0);
	assert_int_equal(hoso_problems_count(f->problems), 0);
	assert_int_equal(f->nrows, 3);
	assert_row(f, 0, 1, "{\"a\":1}");
	assert_row(f, 1, 4, "{\"b\":[true,null,\"x\"]}");
	assert_row(f, 2, 6, "{\"c\":{\"d\":2.5}}");
	assert_int_equal(f->texts[0], 0);
}

static void test_jsonl_bad_lines(void **state)
{
	fixture *f = *state;

	assert_int_equal(RUN(f, HOSO_FORMAT_JSONL,
		"{\"a\": 1}\n"
		"{\"a\": \n"
		"{\"a\": 3}\n"
		"[1, 2]\n"
		"{\"a\": 5}\n"
		"{\"a\": 6, \"a\": 7}\n"
		"{\"a\": \"\xFF\"}\n"
		"{\"a\": 8}\n"), HOSO_EINVALID);
	assert_int_equal(f->nrows, 4);
	assert_int_equal(f->lines[0], 1);
	assert_int_equal(f->lines[1], 3);
	assert_int_equal(f->lines[2], 5);
	assert_int_equal(f->lines[3], 8);
	assert_int_equal(hoso_problems_count(f->problems), 4);
	assert_problem(f, 0, 2, "json", NULL, "");
	assert_problem(f, 1, 4, "json", NULL, "");
	assert_problem(f, 2, 6, "json", NULL, "");
	assert_problem(f, 3, 7, "json", NULL, "");
}

static void test_jsonl_nul(void **state)
{
	fixture *f = *state;
	static const char data[] = "{\"a\": 1}\n{\"a\": \"x\0\"}\n{\"a\": 3}\n";

	assert_int_equal(run(f, HOSO_FORMAT_JSONL, data, sizeof(data) - 1), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 2, "json", NULL, "NUL byte at column 9");
	assert_int_equal(f->nrows, 2);
	assert_row(f, 1, 3, "{\"a\":3}");
}

static void test_jsonl_bom_inside(void **state)
{
	fixture *f = *state;

	/* The file's BOM is skipped; another, at the start of a line, is refused. */
	assert_int_equal(RUN(f, HOSO_FORMAT_JSONL,
		"\xEF\xBB\xBF{\"a\": 1}\n\xEF\xBB\xBF{\"a\": 2}\n"), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 1);
	assert_problem(f, 0, 2, "json", NULL, "a byte order mark (U+FEFF) starts the line");
	assert_int_equal(f->nrows, 1);
	assert_row(f, 0, 1, "{\"a\":1}");
}

static void test_jsonl_long_line(void **state)
{
	fixture *f = *state;
	size_t big = 2 * 1024 * 1024;
	char *data = malloc(2 * big + 100);
	size_t n = 0;

	assert_non_null(data);
	n += (size_t)sprintf(data, "{\"a\": 1}\n{\"a\": \"");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\"}\n{\"a\": 3}\n");
	/* and a last long line with no newline */
	memset(data + n, 'x', big);
	n += big;
	assert_int_equal(run(f, HOSO_FORMAT_JSONL, data, n), HOSO_EINVALID);
	assert_int_equal(hoso_problems_count(f->problems), 2);
	assert_problem(f, 0, 2, "size", NULL, "line is longer than 1048576 bytes");
	assert_string_equal(hoso_problems_get(f->problems, 0)->message,
		"line is longer than 1048576 bytes");
	assert_problem(f, 1, 4, "size", NULL, "line is longer than 1048576 bytes");
	assert_int_equal(f->nrows, 2);
	assert_row(f, 0, 1, "{\"a\":1}");
	assert_row(f, 1, 3, "{\"a\":3}");
	free(data);
}

static void test_jsonl_callback_stops(void **state)
{
	fixture *f = *state;

	f->stop_after = 1;
	assert_int_equal(RUN(f, HOSO_FORMAT_JSONL, "{}\n{}\n"), 42);
	assert_int_equal(f->nrows, 1);
}

/* Both */

static void test_null_problems(void **state)
{
	fixture *f = *state;

	write_input(f, "a\n\"x\n", 5);
	assert_int_equal(read_input(f, HOSO_FORMAT_CSV, NULL), HOSO_EINVALID);
	write_input(f, "{\n{}\n", 5);
	assert_int_equal(read_input(f, HOSO_FORMAT_JSONL, NULL), HOSO_EINVALID);
	assert_int_equal(f->nrows, 1);
}

static void test_read_error(void **state)
{
	fixture *f = *state;
	FILE *fp = fopen(f->path, "w");   /* not open for reading */

	assert_non_null(fp);
	assert_int_equal(hoso_import_read(fp, "people.csv", HOSO_FORMAT_CSV, collect_cb,
		f, f->problems), HOSO_ERROR);
	fclose(fp);
	assert_non_null(strstr(hoso_error_last(), "cannot read 'people.csv': "));
	assert_int_equal(hoso_problems_count(f->problems), 0);
}

static void test_format_of(void **state)
{
	(void)state;
	assert_int_equal(hoso_import_format_of("a/b/people.csv"), HOSO_FORMAT_CSV);
	assert_int_equal(hoso_import_format_of("PEOPLE.CSV"), HOSO_FORMAT_CSV);
	assert_int_equal(hoso_import_format_of("x.jsonl"), HOSO_FORMAT_JSONL);
	assert_int_equal(hoso_import_format_of("x.JsonL"), HOSO_FORMAT_JSONL);
	assert_int_equal(hoso_import_format_of("x.ndjson"), HOSO_FORMAT_JSONL);
	assert_int_equal(hoso_import_format_of("x.json"), 0);
	assert_int_equal(hoso_import_format_of("x.csv.gz"), 0);
	assert_int_equal(hoso_import_format_of("csv"), 0);
	assert_int_equal(hoso_import_format_of(""), 0);
	assert_int_equal(hoso_import_format_of(NULL), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_csv_basic),
		T(test_csv_quotes),
		T(test_csv_crlf),
		T(test_csv_no_final_newline_trailing_comma),
		T(test_csv_dotted_headers),
		T(test_csv_blank_lines),
		T(test_csv_empty_and_header_only),
		T(test_csv_bad_cell_counts),
		T(test_csv_unterminated_quote),
		T(test_csv_broken_quoting),
		T(test_csv_invalid_utf8),
		T(test_csv_nul),
		T(test_csv_nfc),
		T(test_csv_header_problems),
		T(test_csv_header_nfc_repeat),
		T(test_csv_header_bad_bytes),
		T(test_csv_header_broken_quote),
		T(test_csv_long_cell),
		T(test_csv_runaway_quote),
		T(test_csv_cr_only_lines),
		T(test_csv_stops_after_many_bad_rows),
		T(test_csv_row_at_the_limit),
		T(test_csv_callback_stops),
		T(test_csv_many_rows),
		T(test_jsonl_basic),
		T(test_jsonl_bad_lines),
		T(test_jsonl_nul),
		T(test_jsonl_bom_inside),
		T(test_jsonl_long_line),
		T(test_jsonl_callback_stops),
		T(test_null_problems),
		T(test_read_error),
		T(test_format_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
