#ifndef HOSO_BUILTIN_COLUMNS_H
#define HOSO_BUILTIN_COLUMNS_H

/*
 * The columns of a record type for the tabular exporters (csv, xlsx), from
 * its schema rather than its records, so that rows are written as they
 * come: `id` first, then every property in name order, nested objects
 * flattened with dotted names (`education.general`), `type` left out.
 * And a value's text: strings as they are (or their label), numbers,
 * booleans, lists of strings joined with ';' (as `hoso import` reads them),
 * anything else as JSON. Header-only, on jansson.
 */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/record_view.h"

typedef struct {
	char *path;             /* dotted */
	const json_t *schema;   /* the property's schema (in the table's schema) */
	int date;               /* a "format": "date" string */
} column;

typedef struct {
	json_t *schema;
	column *cols;
	size_t ncols;
	const char *labels;     /* "vi", "en" or NULL */
} table;

static inline void table_clear(table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i].path);
	free(t->cols);
	t->cols = NULL;
	t->ncols = 0;
	json_decref(t->schema);
	t->schema = NULL;
}

/* A property's schema, through a local "#/$defs/NAME" reference. */
static inline const json_t *table_resolve(const table *t, const json_t *prop)
{
	const char *ref = json_string_value(json_object_get(prop, "$ref"));

	if (ref && strncmp(ref, "#/$defs/", 8) == 0)
		return json_object_get(json_object_get(t->schema, "$defs"), ref + 8);
	return prop;
}

static inline int table_add(table *t, const char *path, const json_t *prop)
{
	column *grown = realloc(t->cols, (t->ncols + 1) * sizeof(column));
	const char *format;

	if (!grown)
		return -1;
	t->cols = grown;
	t->cols[t->ncols].schema = prop;
	format = json_string_value(json_object_get(table_resolve(t, prop), "format"));
	t->cols[t->ncols].date = format && strcmp(format, "date") == 0;
	if (!(t->cols[t->ncols].path = strdup(path)))
		return -1;
	t->ncols++;
	return 0;
}

/* The columns of an object schema's properties, in name order, under `prefix`. */
static inline int table_add_object(table *t, const json_t *object, const char *prefix)
{
	const json_t *props = json_object_get(table_resolve(t, object), "properties");
	const char **names;
	const char *name;
	json_t *prop;
	size_t n = 0, i, j;
	int rc = 0;

	if (!json_is_object(props))
		return 0;
	if (!(names = malloc((json_object_size(props) + 1) * sizeof(char *))))
		return -1;
	json_object_foreach((json_t *)props, name, prop)
		names[n++] = name;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *tmp = names[j];
			names[j] = names[j - 1];
			names[j - 1] = tmp;
		}
	for (i = 0; i < n && rc == 0; i++) {
		const json_t *p = table_resolve(t, json_object_get(props, names[i]));
		char path[512];

		if (!*prefix && (strcmp(names[i], "id") == 0 || strcmp(names[i], "type") == 0))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", names[i]);
		if (json_is_object(json_object_get(p, "properties")))
			rc = table_add_object(t, p, path);
		else
			rc = table_add(t, path, json_object_get(props, names[i]));
	}
	free(names);
	return rc;
}

/* The columns of a schema's JSON text: 0, or -1. */
static inline int table_open(table *t, const char *text, size_t len, const char *labels)
{
	table_clear(t);
	t->labels = labels;
	if (!(t->schema = json_loadb(text, len, 0, NULL)))
		return -1;
	if (table_add(t, "id", json_object_get(json_object_get(t->schema, "properties"), "id")) < 0 ||
		table_add_object(t, t->schema, "") < 0)
		return -1;
	return 0;
}

/* The label (in t->labels) of an {"vi": ..., "en": ...} object, or NULL. */
static inline const char *table_label(const table *t, const json_t *labels)
{
	return t->labels ? json_string_value(json_object_get(labels, t->labels)) : NULL;
}

/* Column `i`'s header: its label when asked for and known, else its dotted name. */
static inline const char *table_header(const table *t, size_t i)
{
	const char *l = table_label(t, json_object_get(t->cols[i].schema, "x-label"));

	return l ? l : t->cols[i].path;
}

/* A coded value as its label when asked for and known. */
static inline const char *table_code(const table *t, const column *c, const char *value)
{
	const json_t *prop = table_resolve(t, c->schema), *items = json_object_get(prop, "items");
	const char *l = table_label(t, json_object_get(json_object_get(c->schema, "x-enum-labels"), value));

	/* On the property, else on what it refers to ("$ref": "#/$defs/ethnicity"), else on its items. */
	if (!l)
		l = table_label(t, json_object_get(json_object_get(prop, "x-enum-labels"), value));
	if (!l && items)
		l = table_label(t, json_object_get(json_object_get(table_resolve(t, items),
			"x-enum-labels"), value));
	return l ? l : value;
}

/* The value of column `c` in record `o`, or NULL. */
static inline const json_t *table_value(const column *c, const json_t *o)
{
	char path[512], *seg, *dot;
	const json_t *v = o;

	snprintf(path, sizeof(path), "%s", c->path);
	for (seg = path; v && (dot = strchr(seg, '.')); seg = dot + 1) {
		*dot = '\0';
		v = json_object_get(v, seg);
	}
	return json_object_get(v, seg);
}

/* The text of one value. `*owned` is set when it must be freed. */
static inline const char *table_text(const table *t, const column *c, const json_t *v,
	char buf[64], char **owned)
{
	*owned = NULL;
	if (!v || json_is_null(v))
		return "";
	if (json_is_string(v))
		return table_code(t, c, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(buf, 64, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, 64, "%.17g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	if (json_is_array(v)) {
		size_t i, n = 0;
		int strings = 1;

		for (i = 0; i < json_array_size(v) && strings; i++) {
			strings = json_is_string(json_array_get(v, i));
			if (strings)
				n += strlen(table_code(t, c, json_string_value(json_array_get(v, i)))) + 1;
		}
		if (strings && (*owned = calloc(1, n + 1)) != NULL) {
			for (i = 0; i < json_array_size(v); i++) {
				if (i)
					strcat(*owned, ";");
				strcat(*owned, table_code(t, c, json_string_value(json_array_get(v, i))));
			}
			return *owned;
		}
	}
	*owned = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	return *owned ? *owned : "";
}

/*
 * The text of column `c` in the record read through `v` (record_view.h),
 * without a tree for the plain values: a string without escapes, a number
 * or a literal is its canonical text; lists, objects and escaped strings
 * are decoded. A nested column's object is decoded once for the columns
 * that follow it (they come together, in name order): `*top` and `top_name`
 * hold it between calls (json_decref it after the row). `*owned` is set
 * when the text must be freed.
 */
static inline const char *table_cell(const table *t, const column *c, record_view *v,
	json_t **top, char top_name[128], char buf[64], char **owned)
{
	const char *dot = strchr(c->path, '.');
	const rv_field *f;
	size_t n;

	*owned = NULL;
	if (v->o)
		return table_text(t, c, table_value(c, v->o), buf, owned);
	n = dot ? (size_t)(dot - c->path) : strlen(c->path);
	if (dot) {
		if (!*top || strlen(top_name) != n || strncmp(top_name, c->path, n) != 0) {
			json_decref(*top);
			*top = NULL;
			snprintf(top_name, 128, "%.*s", (int)n, c->path);
			if ((f = rv_field_of(v, top_name)) != NULL)
				*top = rv_decode(f);
		}
		return table_text(t, c, json_object_get(*top, dot + 1), buf, owned);
	}
	if (!(f = rv_field_of(v, c->path)) || !f->vlen)
		return "";
	if (f->val[0] == '"' && f->vlen >= 2 && f->val[f->vlen - 1] == '"' &&
		!memchr(f->val + 1, '\\', f->vlen - 2)) {
		const char *s = rv_keep(v, f->val + 1, f->vlen - 2);
		return s ? table_code(t, c, s) : "";
	}
	if (f->val[0] == '-' || (f->val[0] >= '0' && f->val[0] <= '9') || f->val[0] == 't' ||
		(f->val[0] == 'f' && f->val[1] == 'a')) {
		const char *s = rv_keep(v, f->val, f->vlen);
		return s ? s : "";
	}
	if (f->val[0] == 'n')
		return "";
	{
		json_t *d = rv_decode(f);
		const char *text = table_text(t, c, d, buf, owned);

		/* A string's text lives in `d`: keep a copy before letting it go. */
		if (!*owned && text != buf && json_is_string(d))
			text = rv_keep(v, text, strlen(text));
		json_decref(d);
		return text ? text : "";
	}
}

#endif
