#ifndef HOSO_IMPORT_H
#define HOSO_IMPORT_H

/*
 * Readers for import files. JSONL: one JSON object a line (blank lines
 * skipped). CSV: RFC 4180, UTF-8 with an optional BOM, a header row of field
 * names (dotted names make nested objects: "education.general"); an empty
 * cell leaves the field out; every value is text, converted later by the
 * schema as FIELD=VALUE is.
 */

#include <stdio.h>
#include <jansson.h>
#include "errors.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { HOSO_FORMAT_JSONL = 1, HOSO_FORMAT_CSV = 2 } hoso_import_format;

/*
 * Called once per row with the row's object (borrowed) and the line it starts
 * on. For CSV rows `texts` is 1: every value is a string to convert. A
 * non-zero return stops the reading and is returned.
 */
typedef int (*hoso_row_cb)(json_t *row, size_t line, int texts, void *payload);

/* An import file larger than this is refused (HOSO_EINVALID, a problem) without reading it. */
#define HOSO_IMPORT_MAX_BYTES (256 * 1024 * 1024)

/*
 * Reading stops after this many errors (bad rows here, and the errors a row
 * callback finds): enough to show what is wrong, in bounded memory.
 */
#define HOSO_IMPORT_MAX_ERRORS 1000

/*
 * Read `fp` (named `where` in problems) as `format`. A bad row appends a
 * problem with its line and reading goes on, so every bad line is reported
 * (up to HOSO_IMPORT_MAX_ERRORS of them, then a problem says reading
 * stopped); returns HOSO_EINVALID if any row was bad or the file is larger
 * than HOSO_IMPORT_MAX_BYTES, else 0.
 */
int hoso_import_read(FILE *fp, const char *where, hoso_import_format format,
	hoso_row_cb cb, void *payload, hoso_problems *problems);

/*
 * The record a row makes (a new reference in `*out`): a JSONL row as it is;
 * a CSV row's texts (`texts` 1) set field by field through `schema` (may be
 * NULL), nested by their dotted names ("education.general"), converted to
 * the numbers, booleans and lists the schema declares. HOSO_EINVALID, with
 * the problems appended and `*out` still made, when a text does not convert.
 */
int hoso_import_row_record(json_t **out, const json_t *row, int texts, const hoso_schema *schema,
	hoso_problems *problems);

/* The format named by a file's extension (.csv, .jsonl, .ndjson), or 0. */
hoso_import_format hoso_import_format_of(const char *path);

#ifdef __cplusplus
}
#endif

#endif
