/*
 * csv: the built-in CSV exporter. One record type a file: UTF-8 with a BOM
 * (so that Excel reads Vietnamese), a header row, one row a record, the
 * columns of columns.h; with the option labels=vi (or en) the header holds
 * the schema's labels and coded values their labels. Quoting is RFC 4180's.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"

static const hoso_host_api *api;

typedef struct {
	table t;
	int begun;
	char *line;             /* the row being written */
	size_t len, cap;
} csv_state;

static void *init(hoso_host *host)
{
	(void)host;
	return calloc(1, sizeof(csv_state));
}

static void shutdown(void *state)
{
	csv_state *st = state;

	if (!st)
		return;
	table_clear(&st->t);
	free(st->line);
	free(st);
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
	if (!api->schema_get || api->schema_get(host, type, &text, &len) != 0 || !text) {
		api->set_error(host, "the host gives no schema for this type");
		return -1;
	}
	rc = table_open(&st->t, text, len, api->option ? api->option(host, "labels") : NULL);
	api->free(text);
	if (rc < 0) {
		api->set_error(host, "cannot read the schema's properties");
		return -1;
	}
	st->begun = 1;
	st->len = 0;
	/* The BOM, then the header. */
	rc = put(st, "\xEF\xBB\xBF", 3);
	for (i = 0; i < st->t.ncols && rc == 0; i++)
		rc = put_field(st, i == 0, table_header(&st->t, i));
	if (rc == 0)
		rc = put(st, "\r\n", 2);
	if (rc == 0)
		rc = api->write(host, st->line, st->len);
	if (rc != 0)
		api->set_error(host, "cannot write the header");
	return rc ? -1 : 0;
}

static int record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	csv_state *st = state;
	record_view v;
	json_t *top = NULL;
	char top_name[128] = "";
	size_t i;
	int rc = 0;

	(void)type, (void)unit;
	if (rv_open(&v, json, len) < 0) {
		api->set_error(host, "a record is not JSON");
		return -1;
	}
	st->len = 0;
	for (i = 0; i < st->t.ncols && rc == 0; i++) {
		char buf[64], *owned;

		rc = put_field(st, i == 0, table_cell(&st->t, &st->t.cols[i], &v, &top, top_name, buf,
			&owned));
		free(owned);
	}
	json_decref(top);
	rv_close(&v);
	if (rc == 0)
		rc = put(st, "\r\n", 2);
	if (rc == 0)
		rc = api->write(host, st->line, st->len);
	if (rc != 0)
		api->set_error(host, "cannot write a row");
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
