/*
 * sqlite: the built-in SQLite exporter. A table a record type, named after
 * it, with a column a top-level property of the type's schema, typed by it
 * (string TEXT, integer INTEGER, number REAL, boolean INTEGER 0/1; lists
 * and nested objects as JSON TEXT), plus `unit`. `id` is the primary key;
 * every reference (x-ref) and `unit` is indexed.
 *
 * The database is written to a temporary file (SQLite needs a file, not a
 * stream) and copied through api->write at the end, so that rows go to
 * disk as they come and memory does not grow with them.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/record_view.h"
#include "spool.h"

static const hoso_host_api *api;

typedef struct {
	char *name;
	char kind;   /* 's' text, 'i' integer, 'r' real, 'b' boolean, 'j' JSON */
} column;

typedef struct {
	sqlite3 *db;
	char path[4096];
	sqlite3_stmt *insert;
	column *cols;
	size_t ncols;
	int open;
} sql_state;

static void *init(hoso_host *host)
{
	(void)host;
	return calloc(1, sizeof(sql_state));
}

static void drop_columns(sql_state *st)
{
	size_t i;

	for (i = 0; i < st->ncols; i++)
		free(st->cols[i].name);
	free(st->cols);
	st->cols = NULL;
	st->ncols = 0;
	sqlite3_finalize(st->insert);
	st->insert = NULL;
}

static void close_db(sql_state *st)
{
	drop_columns(st);
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
	if (st->path[0])
		unlink(st->path);
	st->path[0] = '\0';
	st->open = 0;
}

static void shutdown(void *state)
{
	if (state) {
		close_db(state);
		free(state);
	}
}

static int fail(hoso_host *host, sql_state *st, const char *what)
{
	char message[512];

	snprintf(message, sizeof(message), "%s%s%s", what, st->db ? ": " : "",
		st->db ? sqlite3_errmsg(st->db) : "");
	api->set_error(host, message);
	return -1;
}

/* A property's schema, through a local "#/$defs/NAME" reference. */
static const json_t *resolve(const json_t *schema, const json_t *prop)
{
	const char *ref = json_string_value(json_object_get(prop, "$ref"));

	if (ref && strncmp(ref, "#/$defs/", 8) == 0)
		return json_object_get(json_object_get(schema, "$defs"), ref + 8);
	return prop;
}

static char kind_of(const json_t *prop)
{
	const char *t = json_string_value(json_object_get(prop, "type"));

	if (!t)
		return json_object_get(prop, "enum") || json_object_get(prop, "const") ? 's' : 'j';
	return strcmp(t, "string") == 0 ? 's' : strcmp(t, "integer") == 0 ? 'i' :
		strcmp(t, "number") == 0 ? 'r' : strcmp(t, "boolean") == 0 ? 'b' : 'j';
}

/* `name` as an SQL identifier: "name", doubling quotes. */
static void quote(char *out, size_t size, const char *name)
{
	size_t n = 0;

	if (size < 3)
		return;
	out[n++] = '"';
	for (; *name && n + 3 < size; name++) {
		if (*name == '"')
			out[n++] = '"';
		out[n++] = *name;
	}
	out[n++] = '"';
	out[n] = '\0';
}

static int begin(void *state, hoso_host *host, const char *type)
{
	sql_state *st = state;
	char *text = NULL, *sql = NULL, qt[160], qc[160];
	size_t len = 0, i, cap;
	json_t *schema = NULL;
	const json_t *props;
	const char *name;
	json_t *prop;
	int rc = -1;

	if (!st)
		return fail(host, st, "out of memory");
	if (!st->open) {
		if (spool_make(st->path, sizeof(st->path)) < 0)
			return fail(host, st, "cannot make a temporary file");
		if (sqlite3_open(st->path, &st->db) != SQLITE_OK ||
			sqlite3_exec(st->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", NULL, NULL,
				NULL) != SQLITE_OK)
			return fail(host, st, "cannot make the database");
		st->open = 1;
	}
	drop_columns(st);
	/* The last type's rows. */
	if (!sqlite3_get_autocommit(st->db) &&
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(host, st, "cannot commit the rows");
	if (!api->schema_get || api->schema_get(host, type, &text, &len) != 0 || !text)
		return fail(host, st, "the host gives no schema for this type");
	schema = json_loadb(text, len, 0, NULL);
	api->free(text);
	props = json_object_get(schema, "properties");
	cap = 256 + json_object_size(props) * 200;
	if (!json_is_object(props) || !(sql = malloc(cap)) ||
		!(st->cols = calloc(json_object_size(props) + 1, sizeof(column)))) {
		fail(host, st, "cannot read the schema's properties");
		goto done;
	}
	quote(qt, sizeof(qt), type);
	snprintf(sql, cap, "CREATE TABLE %s (unit TEXT NOT NULL", qt);
	json_object_foreach((json_t *)props, name, prop) {
		const json_t *p = resolve(schema, prop);
		char k = kind_of(p);

		if (strcmp(name, "type") == 0)
			continue;
		if (!(st->cols[st->ncols].name = strdup(name)))
			goto done;
		st->cols[st->ncols++].kind = k;
		quote(qc, sizeof(qc), name);
		snprintf(sql + strlen(sql), cap - strlen(sql), ", %s %s%s", qc,
			k == 's' || k == 'j' ? "TEXT" : k == 'r' ? "REAL" : "INTEGER",
			strcmp(name, "id") == 0 ? " PRIMARY KEY" : "");
	}
	snprintf(sql + strlen(sql), cap - strlen(sql), ")");
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(host, st, "cannot make the table");
		goto done;
	}
	/* The references and the unit, indexed. */
	snprintf(sql, cap, "CREATE INDEX %.60s_unit ON %s (unit)", type, qt);
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fail(host, st, "cannot index the table");
		goto done;
	}
	json_object_foreach((json_t *)props, name, prop) {
		if (!json_object_get(prop, "x-ref") || kind_of(resolve(schema, prop)) != 's')
			continue;
		quote(qc, sizeof(qc), name);
		snprintf(sql, cap, "CREATE INDEX \"%.60s_%.60s\" ON %s (%s)", type, name, qt, qc);
		if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			fail(host, st, "cannot index the table");
			goto done;
		}
	}
	snprintf(sql, cap, "INSERT INTO %s VALUES (?", qt);
	for (i = 0; i < st->ncols; i++)
		snprintf(sql + strlen(sql), cap - strlen(sql), ", ?");
	snprintf(sql + strlen(sql), cap - strlen(sql), ")");
	if (sqlite3_prepare_v2(st->db, sql, -1, &st->insert, NULL) != SQLITE_OK ||
		sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		fail(host, st, "cannot prepare the rows");
		goto done;
	}
	rc = 0;
done:
	free(sql);
	json_decref(schema);
	return rc;
}

/* JSON text on one line: the canonical text without its line breaks and indents. */
static char *one_line(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '\n') {
			out[o++] = s[i];
			continue;
		}
		while (i + 1 < n && s[i + 1] == ' ')
			i++;
	}
	*out_len = o;
	return out;
}

/*
 * Bound from the record's canonical text (record_view.h): a string without
 * escapes as its bytes, a number or literal parsed, a list or an object as
 * its JSON on one line; only escaped strings are decoded.
 */
static int bind_field(sql_state *st, int at, char kind, const rv_field *f)
{
	const char *val = f->val;
	size_t n = f->vlen, len;
	char *text, num[64];
	json_t *d;
	int rc;

	if (!n || val[0] == 'n')
		return SQLITE_OK;
	if (val[0] == '"' && n >= 2 && !memchr(val + 1, '\\', n - 2))
		return sqlite3_bind_text(st->insert, at, val + 1, (int)(n - 2), SQLITE_TRANSIENT);
	if (val[0] == '"') {
		/* Loaded once: json_is_string() evaluates its argument twice. */
		d = json_loadb(val, n, JSON_DECODE_ANY, NULL);
		if (!json_is_string(d)) {
			json_decref(d);
			return SQLITE_MISMATCH;
		}
		rc = sqlite3_bind_text(st->insert, at, json_string_value(d), (int)json_string_length(d),
			SQLITE_TRANSIENT);
		json_decref(d);
		return rc;
	}
	if (val[0] == 't' || val[0] == 'f')
		return sqlite3_bind_int(st->insert, at, val[0] == 't');
	if (val[0] == '[' || val[0] == '{') {
		if (!(text = one_line(val, n, &len)))
			return SQLITE_NOMEM;
		rc = sqlite3_bind_text(st->insert, at, text, (int)len, SQLITE_TRANSIENT);
		free(text);
		return rc;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(n < 63 ? n : 63), val);
	if (kind == 'i' && !strpbrk(num, ".eE"))
		return sqlite3_bind_int64(st->insert, at, strtoll(num, NULL, 10));
	return sqlite3_bind_double(st->insert, at, strtod(num, NULL));
}

static int record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	sql_state *st = state;
	record_view v;
	size_t i;
	int rc = SQLITE_OK;

	(void)type;
	if (rv_open(&v, json, len) < 0)
		return fail(host, st, "a record is not JSON");
	sqlite3_reset(st->insert);
	sqlite3_clear_bindings(st->insert);
	sqlite3_bind_text(st->insert, 1, unit, -1, SQLITE_TRANSIENT);
	for (i = 0; i < st->ncols && rc == SQLITE_OK; i++) {
		const rv_field *f;
		int at = (int)i + 2;

		if (v.o) {
			/* Not laid out canonically: read as jansson reads it. */
			const json_t *val = json_object_get(v.o, st->cols[i].name);
			char *text;

			if (json_is_string(val))
				rc = sqlite3_bind_text(st->insert, at, json_string_value(val), -1, SQLITE_TRANSIENT);
			else if (json_is_integer(val))
				rc = sqlite3_bind_int64(st->insert, at, json_integer_value(val));
			else if (json_is_real(val))
				rc = sqlite3_bind_double(st->insert, at, json_real_value(val));
			else if (json_is_boolean(val))
				rc = sqlite3_bind_int(st->insert, at, json_is_true(val));
			else if (val && !json_is_null(val) &&
				(text = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
				rc = sqlite3_bind_text(st->insert, at, text, -1, SQLITE_TRANSIENT);
				free(text);
			}
		} else if ((f = rv_field_of(&v, st->cols[i].name)) != NULL) {
			rc = bind_field(st, at, st->cols[i].kind, f);
		}
	}
	rv_close(&v);
	if (rc != SQLITE_OK || sqlite3_step(st->insert) != SQLITE_DONE)
		return fail(host, st, "cannot add a row");
	return 0;
}

/* The last type's rows committed, then the whole file through api->write. */
static int end(void *state, hoso_host *host)
{
	sql_state *st = state;
	int rc = 0;

	if (!st || !st->open)
		return 0;
	drop_columns(st);
	if (!sqlite3_get_autocommit(st->db) &&
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(host, st, "cannot commit the rows");
	sqlite3_close(st->db);
	st->db = NULL;
	if (rc == 0 && spool_copy(api, host, st->path) < 0)
		rc = fail(host, st, "cannot write the database");
	close_db(st);
	return rc;
}

static const hoso_exporter exporter = {
	sizeof(hoso_exporter), "sqlite", ".sqlite", begin, record, end, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "sqlite", "1.0.0", "MIT",
	"exports records as an SQLite database: a table a type, typed columns, references indexed",
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
