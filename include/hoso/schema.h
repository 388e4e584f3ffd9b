#ifndef HOSO_SCHEMA_H
#define HOSO_SCHEMA_H

/*
 * JSON Schemas of the record types, and the validator. Supported keywords:
 * type, required, properties, additionalProperties, enum, const, pattern
 * (PCRE2), format "date", minLength/maxLength (in code points),
 * minimum/maximum, items, uniqueItems, $ref to "#/$defs/..." inside the same
 * file. Annotations read by hoso:
 *   "x-label": {"vi": "...", "en": "..."}        on any property
 *   "x-enum-labels": {"code": {"vi","en"}, ...}  beside an enum
 *   "x-ref": "organization"                     a string holding (or an array of) ids of that type
 *   "x-set": true                                an array merged as a set (with uniqueItems)
 */

#include <stddef.h>
#include <jansson.h>
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hoso_schema hoso_schema;
typedef struct hoso_schema_set hoso_schema_set;

typedef enum {
	HOSO_FIELD_UNKNOWN = 0, /* not declared by the schema */
	HOSO_FIELD_STRING,
	HOSO_FIELD_INTEGER,
	HOSO_FIELD_NUMBER,
	HOSO_FIELD_BOOLEAN,
	HOSO_FIELD_OBJECT,
	HOSO_FIELD_ARRAY
} hoso_field_kind;

int hoso_schema_set_new(hoso_schema_set **out);
void hoso_schema_set_free(hoso_schema_set *set);

/*
 * Add the schema of `type` from its JSON text; `origin` names the file in
 * messages. HOSO_EINVALID if the text is not a usable schema, HOSO_EEXISTS if
 * the type is already there.
 */
int hoso_schema_set_add(hoso_schema_set *set, const char *type, const char *text,
	size_t len, const char *origin);

/* Add every `<type>.schema.json` in directory `dir`. */
int hoso_schema_set_load_dir(hoso_schema_set *set, const char *dir);

/* Borrowed; NULL if the type is unknown. */
const hoso_schema *hoso_schema_set_get(const hoso_schema_set *set, const char *type);

/* Types in bytewise order. */
size_t hoso_schema_set_count(const hoso_schema_set *set);
const char *hoso_schema_set_type(const hoso_schema_set *set, size_t i);

/* The type this schema describes. */
const char *hoso_schema_type(const hoso_schema *schema);

/* The schema document itself (borrowed). */
const json_t *hoso_schema_json(const hoso_schema *schema);

/*
 * Validate `record` (borrowed). Appends one problem per violation, with the
 * dotted field path and the keyword as rule, to `problems`; `where` is left
 * NULL for the caller to fill. Returns the number of errors appended (0 when
 * valid), or HOSO_ERROR on failure of the validator itself.
 */
int hoso_schema_validate(const hoso_schema *schema, const json_t *record, hoso_problems *problems);

/* The kind of the field at dotted path `field` ("education.general"). */
hoso_field_kind hoso_schema_field_kind(const hoso_schema *schema, const char *field);

/* The (resolved) subschema of the field at dotted path `field`, or NULL. Borrowed. */
const json_t *hoso_schema_field(const hoso_schema *schema, const char *field);

/* 1 if the field is an array the schema marks as a set ("x-set"), else 0. */
int hoso_schema_field_is_set(const hoso_schema *schema, const char *field);

/* The record type the field refers to ("x-ref"), or NULL. Borrowed. */
const char *hoso_schema_field_ref(const hoso_schema *schema, const char *field);

/*
 * The label of a field (`code` NULL) or of one of its enumeration codes, in
 * `lang` ("vi" or "en"); NULL when the schema has none. Borrowed.
 */
const char *hoso_schema_label(const hoso_schema *schema, const char *field,
	const char *code, const char *lang);

/*
 * The field a person named `name`: itself when it is a field (dotted for a
 * nested one), else the field whose label in any language is `name` (as
 * export --labels writes headers). Into `out`; 0, or HOSO_ENOTFOUND.
 */
int hoso_schema_field_named(char *out, size_t size, const hoso_schema *schema, const char *name);

/*
 * The enumeration code of `field` (or of its list's items) whose label in
 * any language is `label`, or NULL. Borrowed.
 */
const char *hoso_schema_code_named(const hoso_schema *schema, const char *field, const char *label);

#ifdef __cplusplus
}
#endif

#endif
