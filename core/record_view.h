#ifndef HOSO_RECORD_VIEW_H
#define HOSO_RECORD_VIEW_H

/*
 * The top-level fields of a record, read without building a tree: what the
 * field index and the built-in validators need from the ~100,000 records a
 * large import or a first index walks. Header-only, on jansson alone, so
 * that the built-in plugins use it without linking against hoso.
 *
 * hoso hands validators each record's canonical text (plugin.h): keys
 * sorted, two spaces of indent, one top-level field a line:
 *
 *     {\n  "key": value,\n  "key": [\n    ...\n  ]\n}\n
 *
 * A raw newline never occurs inside a string (it is written \n), so every
 * top-level field starts at a newline followed by two spaces and a quote,
 * and the record ends at a newline followed by '}'. rv_open finds the
 * fields in one pass over the text; strings without escapes are copied out
 * as they are; anything else (an escaped string, an array) is decoded by
 * jansson from its own few bytes. Text not laid out so (a record from
 * another tool) is parsed whole by jansson: slower, same answers.
 */

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define RV_MAX_FIELDS 96
#define RV_BUF 8192
#define RV_MAX_SPILL 64

typedef struct {
	const char *key, *val;
	size_t klen, vlen;
} rv_field;

typedef struct {
	json_t *o;                  /* when the text is not canonical */
	rv_field f[RV_MAX_FIELDS];
	size_t n;
	char buf[RV_BUF];           /* strings handed out */
	size_t used;
	char *spill[RV_MAX_SPILL];  /* those that did not fit */
	size_t nspill;
	json_t *decoded;            /* an array decoded for rv_array */
	char *owned;                /* the text, when the view owns it */
	const char *text;
	size_t len;
} record_view;

/* The canonical layout, one pass: 0, or -1 (then jansson reads it). */
static inline int rv_scan(record_view *v, const char *s, size_t len)
{
	const char *p = s + 2, *end = s + len, *nl;

	if (len < 3 || s[0] != '{' || s[1] != '\n')
		return len >= 2 && s[0] == '{' && s[1] == '}' ? 0 : -1;
	while (p + 3 < end && p[0] == ' ' && p[1] == ' ' && p[2] == '"') {
		rv_field *f;
		const char *k = p + 3, *q;

		if (v->n == RV_MAX_FIELDS)
			return -1;
		f = &v->f[v->n++];
		for (q = k; q < end && *q != '"' && *q != '\\'; q++)
			;
		if (q + 3 > end || *q != '"' || q[1] != ':' || q[2] != ' ')
			return -1;
		f->key = k;
		f->klen = (size_t)(q - k);
		f->val = q + 3;
		/* The value runs to the newline before the next field or the end. */
		for (nl = f->val; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL; nl++)
			if ((nl + 3 < end && nl[1] == ' ' && nl[2] == ' ' && nl[3] == '"') ||
				(nl + 1 < end && nl[1] == '}'))
				break;
		if (!nl)
			return -1;
		f->vlen = (size_t)(nl - f->val);
		if (nl[1] == '}')
			return f->vlen ? 0 : -1;
		if (f->vlen == 0 || f->val[f->vlen - 1] != ',')
			return -1;
		f->vlen--;
		p = nl + 1;
	}
	return -1;
}

/* 0, or -1 when the text is not a JSON object. */
static inline int rv_open(record_view *v, const char *json, size_t len)
{
	v->o = NULL;
	v->n = 0;
	v->used = 0;
	v->nspill = 0;
	v->decoded = NULL;
	v->owned = NULL;
	v->text = json;
	v->len = len;
	if (json && rv_scan(v, json, len) == 0)
		return 0;
	v->n = 0;
	if (json)
		v->o = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(v->o)) {
		json_decref(v->o);
		v->o = NULL;
		return -1;
	}
	return 0;
}

static inline void rv_close(record_view *v)
{
	size_t i;

	for (i = 0; i < v->nspill; i++)
		free(v->spill[i]);
	v->nspill = 0;
	json_decref(v->decoded);
	v->decoded = NULL;
	json_decref(v->o);
	v->o = NULL;
	free(v->owned);
	v->owned = NULL;
}

/* rv_open on malloc'd `json`, which the view frees at rv_close, whatever the answer. */
static inline int rv_open_owned(record_view *v, char *json, size_t len)
{
	int rc = rv_open(v, json, len);

	if (rc < 0)
		free(json);
	else
		v->owned = json;
	return rc;
}

static inline const rv_field *rv_field_of(const record_view *v, const char *key)
{
	size_t i, klen = strlen(key);

	for (i = 0; i < v->n; i++)
		if (v->f[i].klen == klen && memcmp(v->f[i].key, key, klen) == 0)
			return &v->f[i];
	return NULL;
}

/* A NUL-terminated copy of `n` bytes that lives until rv_close, or NULL. */
static inline const char *rv_keep(record_view *v, const char *s, size_t n)
{
	char *out;

	if (v->used + n + 1 <= RV_BUF) {
		out = v->buf + v->used;
		v->used += n + 1;
	} else if (v->nspill < RV_MAX_SPILL && (out = malloc(n + 1)) != NULL) {
		v->spill[v->nspill++] = out;
	} else {
		return NULL;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* A field's value decoded by jansson (a new reference), or NULL. */
static inline json_t *rv_decode(const rv_field *f)
{
	return json_loadb(f->val, f->vlen, JSON_DECODE_ANY, NULL);
}

static inline int rv_has(const record_view *v, const char *key)
{
	return v->o ? json_object_get(v->o, key) != NULL : rv_field_of(v, key) != NULL;
}

/* The string `key`, or NULL when absent or not a string. */
static inline const char *rv_str(record_view *v, const char *key)
{
	const rv_field *f;
	const char *out = NULL;
	json_t *d;

	if (v->o)
		return json_string_value(json_object_get(v->o, key));
	if (!(f = rv_field_of(v, key)) || f->vlen < 2 || f->val[0] != '"')
		return NULL;
	if (f->val[f->vlen - 1] == '"' && !memchr(f->val + 1, '\\', f->vlen - 2)) {
		out = rv_keep(v, f->val + 1, f->vlen - 2);
	} else {
		d = rv_decode(f);
		if (!json_is_string(d)) {
			json_decref(d);
			return NULL;
		}
		out = rv_keep(v, json_string_value(d), json_string_length(d));
		json_decref(d);
	}
	/* Out of room for copies (a record of many long strings): read it whole. */
	if (!out && (v->o = json_loadb(v->text, v->len, 0, NULL)) != NULL)
		out = json_string_value(json_object_get(v->o, key));
	return out;
}

/* The number `key` (a new reference), or NULL when absent or not a number. */
static inline json_t *rv_number_value(const record_view *v, const char *key)
{
	const rv_field *f;
	json_t *d;

	if (v->o) {
		d = json_object_get(v->o, key);
		return json_is_number(d) ? json_incref(d) : NULL;
	}
	if (!(f = rv_field_of(v, key)) || !f->vlen || !(f->val[0] == '-' || (f->val[0] >= '0' &&
		f->val[0] <= '9')))
		return NULL;
	d = rv_decode(f);
	if (!json_is_number(d)) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/* 1 with `*out` when `key` is an integer. */
static inline int rv_int(const record_view *v, const char *key, long long *out)
{
	json_t *d = rv_number_value(v, key);
	int ok = json_is_integer(d);

	if (ok)
		*out = json_integer_value(d);
	json_decref(d);
	return ok;
}

/* 1 with `*out` when `key` is a number (integer or real). */
static inline int rv_number(const record_view *v, const char *key, double *out)
{
	json_t *d = rv_number_value(v, key);

	if (d)
		*out = json_number_value(d);
	json_decref(d);
	return d != NULL;
}

/*
 * The array `key` (borrowed until the next rv_array or rv_close), or NULL
 * when absent or not an array.
 */
static inline const json_t *rv_array(record_view *v, const char *key)
{
	const rv_field *f;

	if (v->o)
		return json_is_array(json_object_get(v->o, key)) ? json_object_get(v->o, key) : NULL;
	if (!(f = rv_field_of(v, key)) || !f->vlen || f->val[0] != '[')
		return NULL;
	json_decref(v->decoded);
	v->decoded = rv_decode(f);
	return json_is_array(v->decoded) ? v->decoded : NULL;
}

#endif
