#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/json.h"
#include "hoso/record.h"
#include "common.h"

#define FIELD_MAX 256

/* Split `text` on ',' or ';' into an array of trimmed, non-empty strings. */
static json_t *split_list(const char *text)
{
	json_t *arr = json_array();
	const char *p = text;

	while (arr && *p) {
		size_t n = strcspn(p, ",;");
		const char *b = p, *e = p + n;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		/* checked as text (UTF-8) with the whole value, by hoso_json_normalize */
		if (e > b)
			json_array_append_new(arr, json_stringn_nocheck(b, (size_t)(e - b)));
		p += n;
		if (*p)
			p++;
	}
	return arr;
}

/* `value` read as JSON (no duplicate keys), or NULL (problem added). */
static json_t *load_json(const char *field, const char *value, size_t flags,
	hoso_problems *problems)
{
	json_error_t jerr;
	size_t len = strlen(value), at, n;
	json_t *v = json_loads(value, flags | JSON_REJECT_DUPLICATES, &jerr);

	if (!v) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
			"invalid JSON: %s", jerr.text);
	} else if ((at = hoso_json_underflow_at(value, len)) < len) {
		/* as hoso_json_parse: refused rather than changed to 0 */
		n = strspn(value + at, "+-.0123456789eE");
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
			"invalid JSON: number '%.*s%s' is too small: it would be stored as 0",
			(int)(n > 40 ? 40 : n), value + at, n > 40 ? "..." : "");
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* The value of text `value` for a field of `kind`, or NULL (problem added). */
static json_t *convert(const char *field, hoso_field_kind kind, const char *value,
	hoso_problems *problems)
{
	char *end;

	switch (kind) {
	case HOSO_FIELD_INTEGER: {
		long long v;
		errno = 0;
		v = strtoll(value, &end, 10);
		if (!*value || *end || errno)
			break;
		return json_integer(v);
	}
	case HOSO_FIELD_NUMBER: {
		double v;
		errno = 0;
		v = strtod(value, &end);
		if (!*value || *end || errno || !isfinite(v))
			break;
		if (v == floor(v) && fabs(v) < 9e15 && !strpbrk(value, ".eE"))
			return json_integer((json_int_t)v);
		return json_real(v);
	}
	case HOSO_FIELD_BOOLEAN:
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			return json_true();
		if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			return json_false();
		break;
	case HOSO_FIELD_ARRAY:
	case HOSO_FIELD_OBJECT:
		if (value[0] == '[' || value[0] == '{')
			return load_json(field, value, 0, problems);
		if (kind == HOSO_FIELD_ARRAY)
			return split_list(value);
		break;
	default:
		/* checked as text (UTF-8) by hoso_json_normalize, which names the field */
		return json_stringn_nocheck(value, strlen(value));
	}
	hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "type", "'%.40s' is not %s",
		value, kind == HOSO_FIELD_INTEGER ? "a whole number" : kind == HOSO_FIELD_NUMBER ?
		"a number" : kind == HOSO_FIELD_BOOLEAN ? "true or false" : "valid JSON");
	return NULL;
}

/*
 * The object that holds the last segment of dotted `field` (copied into
 * `path`, `*leaf` pointing at that segment in it); missing or non-object
 * parents are made when `create`, else NULL.
 */
static json_t *parent_of(json_t *record, const char *field, char path[FIELD_MAX], char **leaf,
	int create)
{
	json_t *obj = record;
	char *seg, *dot;

	snprintf(path, FIELD_MAX, "%s", field);
	for (seg = path; obj && (dot = strchr(seg, '.')); seg = dot + 1) {
		json_t *next;
		*dot = '\0';
		next = json_object_get(obj, seg);
		if (!json_is_object(next) && create) {
			next = json_object();
			json_object_set_new(obj, seg, next);
		}
		obj = json_is_object(next) ? next : NULL;
	}
	*leaf = seg;
	return obj;
}

int hoso_record_set_value(json_t *record, const char *field, json_t *value)
{
	char path[FIELD_MAX], *leaf;
	json_t *obj;

	if (!field || strlen(field) >= FIELD_MAX)
		return hoso_error_set(HOSO_EINVALID, "'%.40s' is not a field name", field ? field : "");
	obj = parent_of(record, field, path, &leaf, 1);
	return json_object_set(obj, leaf, value) < 0 ?
		hoso_error_set(HOSO_ERROR, "cannot set field '%s'", field) : 0;
}

int hoso_record_set(json_t *record, const hoso_schema *schema, const char *field,
	const char *value, int is_json, hoso_problems *problems)
{
	json_t *raw = NULL, *wrap = NULL, *v = NULL;
	int error;

	if (!field || !*field || strlen(field) >= FIELD_MAX || field[0] == '.' ||
		field[strlen(field) - 1] == '.' || strstr(field, "..")) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "field",
			"'%.40s' is not a field name", field ? field : "");
		return hoso_error_set(HOSO_EINVALID, "'%.40s' is not a field name", field ? field : "");
	}
	if (is_json) {
		if (!(raw = load_json(field, value, JSON_DECODE_ANY, problems)))
			return hoso_error_set(HOSO_EINVALID, "field '%s': invalid JSON", field);
	} else if (!(raw = convert(field, schema ? hoso_schema_field_kind(schema, field) :
		HOSO_FIELD_STRING, value, problems))) {
		return hoso_error_set(HOSO_EINVALID, "field '%s': wrong type", field);
	}
	/* Normalized under its name, so that a problem names the field ("positions[1]"). */
	if (!(wrap = json_object()) || json_object_set_new_nocheck(wrap, field, raw) < 0) {
		json_decref(wrap ? wrap : raw); /* set_new takes `raw`, also when it fails */
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	if (hoso_json_normalize(&v, wrap, problems) < 0) {
		json_decref(wrap);
		return hoso_error_set(HOSO_EINVALID, "field '%s': not valid text", field);
	}
	json_decref(wrap);

	error = hoso_record_set_value(record, field, json_object_iter_value(json_object_iter(v)));
	json_decref(v);
	return error;
}

int hoso_record_unset(json_t *record, const char *field)
{
	char path[FIELD_MAX], *leaf;
	json_t *obj;

	if (!field || strlen(field) >= FIELD_MAX)
		return hoso_error_set(HOSO_ENOTFOUND, "no field '%.40s'", field ? field : "");
	obj = parent_of(record, field, path, &leaf, 0);
	if (!obj || json_object_del(obj, leaf) < 0)
		return hoso_error_set(HOSO_ENOTFOUND, "the record has no field '%s'", field);
	return 0;
}

const char *hoso_record_title(const json_t *record, const hoso_schema *schema, const char *lang)
{
	static const char *keys[] = { "full_name", "name", "title", "kind", "form", "rating", NULL };
	size_t i;

	for (i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(record, keys[i])), *label;
		if (v)
			return lang && (label = hoso_schema_label(schema, keys[i], v, lang)) ? label : v;
	}
	return "";
}

void hoso_record_commit_message(char *buf, size_t size, const char *verb, const char *type,
	const char *id, const char *unit, const json_t *record, const char *via)
{
	const char *title = hoso_record_title(record, NULL, NULL);
	size_t n = strlen(title);

	/* At most 160 bytes of the title, cut between characters. */
	if (n > 160) {
		n = 160;
		while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
			n--;
	}
	snprintf(buf, size, "%s %s %s in %s%s%s%s\n\n%.*s\n", verb, type ? type : "record", id, unit,
		via ? " (" : "", via ? via : "", via ? ")" : "", (int)n, title);
}
