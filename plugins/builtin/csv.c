/*
 * csv: the built-in CSV exporter. One record type a file: UTF-8 with a BOM
 * (so that Excel reads Vietnamese), a header row, one row a record.
 *
 * The columns come from the type's schema, not from the records, so that
 * rows are written as they come and memory does not grow with them: `id`
 * first, then every property in name order, nested objects flattened with
 * dotted names (`education.general`), `type` left out (it is the file's).
 * Lists of strings are joined with ';' (as `hoso import` reads them); other
 * lists and objects are written as JSON. With the option labels=vi (or en)
 * the header holds the schema's labels and coded values their labels.
 * Quoting is RFC 4180's.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hoso_host_api *api;

typedef struct {
	char *path;             /* dotted */
	const json_t *schema;   /* the property's schema (in state->schema) */
} column;

typedef struct {
	json_t *schema;
	column *cols;
	size_t ncols;
	const char *labels;     /* "vi", "en" or NULL */
	int begun;
	char *line;             /* the row being written */
	size_t len, cap;
} csv_state;

static void *init(hoso_host *host)
{
	(void)host;
	return calloc(1, sizeof(csv_state));
}

static void clear(csv_state *st)
{
	size_t i;

	for (i = 0; i < st->ncols; i++)
		free(st->cols[i].path);
	free(st->cols);
	st->cols = NULL;
	st->ncols = 0;
	json_decref(st->schema);
	st->schema = NULL;
}

static void shutdown(void *state)
{
	csv_state *st = state;

	if (!st)
		return;
	clear(st);
	free(st->line);
	free(st);
}

/* A property's schema, through a local "#/$defs/NAME" reference. */
static const json_t *resolve(const csv_state *st, const json_t *prop)
{
	const char *ref = json_string_value(json_object_get(prop, "$ref"));

	if (ref && strncmp(ref, "#/$defs/", 8) == 0)
		return json_object_get(json_object_get(st->schema, "$defs"), ref + 8);
	return prop;
}

static int add_column(csv_state *st, const char *path, const json_t *prop)
{
	column *grown = realloc(st->cols, (st->ncols + 1) * sizeof(column));

	if (!grown)
		return -1;
	st->cols = grown;
	st->cols[st->ncols].schema = prop;
	if (!(st->cols[st->ncols].path = strdup(path)))
		return -1;
	st->ncols++;
	return 0;
}

/* The columns of an object schema's properties, in name order, under `prefix`. */
static int add_columns(csv_state *st, const json_t *object, const char *prefix)
{
	const json_t *props = json_object_get(resolve(st, object), "properties");
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
	/* Name order: a small insertion sort keeps this free of a comparator's casts. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (i = 0; i < n && rc == 0; i++) {
		const json_t *p = resolve(st, json_object_get(props, names[i]));
		char path[512];

		if (!*prefix && (strcmp(names[i], "id") == 0 || strcmp(names[i], "type") == 0))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", names[i]);
		if (json_is_object(json_object_get(p, "properties")))
			rc = add_columns(st, p, path);
		else
			rc = add_column(st, path, json_object_get(props, names[i]));
	}
	free(names);
	return rc;
}

static int put(csv_state *st, const char *s, size_t n)
{
	if (st->len + n + 1 > st->cap) {
		size_t cap = (st->len + n + 1) * 2;
		char *grown = realloc(st->line, cap);
		if (!grown)
			return -1;
		st->line = grown;
		st->cap = cap;
	}
	memcpy(st->line + st->len, s, n);
	st->len += n;
	return 0;
}

/* One field, quoted when it must be. */
static int put_field(csv_state *st, int first, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int rc = first ? 0 : put(st, ",", 1);

	if (rc == 0 && quote)
		rc = put(st, "\"", 1);
	for (; rc == 0 && *s; s++)
		rc = *s == '"' ? put(st, "\"\"", 2) : put(st, s, 1);
	if (rc == 0 && quote)
		rc = put(st, "\"", 1);
	return rc;
}

/* The label of `key` in an {"vi": ..., "en": ...} object, or NULL. */
static const char *label(const csv_state *st, const json_t *labels)
{
	return st->labels ? json_string_value(json_object_get(labels, st->labels)) : NULL;
}

/* A coded value as its label when asked for and known. */
static const char *code(const csv_state *st, const json_t *prop, const char *value)
{
	const json_t *items = json_object_get(prop, "items");
	const char *l = label(st, json_object_get(json_object_get(prop, "x-enum-labels"), value));

	if (!l && items)
		l = label(st, json_object_get(json_object_get(items, "x-enum-labels"), value));
	return l ? l : value;
}

static int begin(void *state, hoso_host *host, const char *type)
{
	csv_state *st = state;
	char *text = NULL;
	size_t len = 0, i;
	int rc = -1;

	if (!st) {
		api->set_error(host, "out of memory");
		return -1;
	}
	if (st->begun) {
		api->set_error(host, "a CSV file holds one record type: give --type");
		return -1;
	}
	clear(st);
	st->labels = api->option ? api->option(host, "labels") : NULL;
	if (!api->schema_get || api->schema_get(host, type, &text, &len) != 0 || !text) {
		api->set_error(host, "the host gives no schema for this type");
		return -1;
	}
	st->schema = json_loadb(text, len, 0, NULL);
	api->free(text);
	if (!st->schema || add_column(st, "id", json_object_get(json_object_get(st->schema,
		"properties"), "id")) < 0 || add_columns(st, st->schema, "") < 0) {
		api->set_error(host, "cannot read the schema's properties");
		return -1;
	}
	st->begun = 1;
	st->len = 0;
	/* The BOM, then the header. */
	if (put(st, "\xEF\xBB\xBF", 3) < 0)
		goto done;
	for (i = 0; i < st->ncols; i++) {
		const char *name = label(st, json_object_get(st->cols[i].schema, "x-label"));
		if (put_field(st, i == 0, name ? name : st->cols[i].path) < 0)
			goto done;
	}
	if (put(st, "\r\n", 2) == 0 && api->write(host, st->line, st->len) == 0)
		rc = 0;
done:
	if (rc < 0)
		api->set_error(host, "cannot write the header");
	return rc;
}

/* The text of one value. `*owned` is set when it must be freed. */
static const char *text_of(csv_state *st, const column *c, const json_t *v, char buf[64],
	char **owned)
{
	*owned = NULL;
	if (!v || json_is_null(v))
		return "";
	if (json_is_string(v))
		return code(st, c->schema, json_string_value(v));
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
				n += strlen(code(st, c->schema, json_string_value(json_array_get(v, i)))) + 1;
		}
		if (strings && (*owned = calloc(1, n + 1)) != NULL) {
			for (i = 0; i < json_array_size(v); i++) {
				if (i)
					strcat(*owned, ";");
				strcat(*owned, code(st, c->schema, json_string_value(json_array_get(v, i))));
			}
			return *owned;
		}
	}
	*owned = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	return *owned ? *owned : "";
}

static int record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	csv_state *st = state;
	json_t *o = json_loadb(json, len, 0, NULL);
	size_t i;
	int rc = 0;

	(void)type, (void)unit;
	if (!o) {
		api->set_error(host, "a record is not JSON");
		return -1;
	}
	st->len = 0;
	for (i = 0; i < st->ncols && rc == 0; i++) {
		char path[512], *seg, *dot, buf[64], *owned;
		const json_t *v = o;

		snprintf(path, sizeof(path), "%s", st->cols[i].path);
		for (seg = path; v && (dot = strchr(seg, '.')); seg = dot + 1) {
			*dot = '\0';
			v = json_object_get(v, seg);
		}
		v = json_object_get(v, seg);
		rc = put_field(st, i == 0, text_of(st, &st->cols[i], v, buf, &owned));
		free(owned);
	}
	if (rc == 0)
		rc = put(st, "\r\n", 2);
	if (rc == 0)
		rc = api->write(host, st->line, st->len);
	if (rc != 0)
		api->set_error(host, "cannot write a row");
	json_decref(o);
	return rc ? -1 : 0;
}

static int end(void *state, hoso_host *host)
{
	csv_state *st = state;

	(void)host;
	if (st)
		st->begun = 0;
	return 0;
}

static const hoso_exporter exporter = {
	sizeof(hoso_exporter), "csv", ".csv", begin, record, end, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "csv", "1.0.0", "MIT",
	"exports one record type as CSV (UTF-8 with a BOM, a header row, dotted nested fields)",
	init, shutdown, NULL, &exporter, NULL, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api)
{
	if (!host_api || host_api->abi_major != HOSO_PLUGIN_ABI_MAJOR ||
		host_api->struct_size < offsetof(hoso_host_api, write) + sizeof(host_api->write) ||
		!host_api->set_error || !host_api->free)
		return NULL;
	api = host_api;
	return &descriptor;
}
