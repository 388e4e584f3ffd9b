/*
 * xlsx: the built-in Excel exporter, through libxlsxwriter. A sheet a record
 * type, a header row (bold, frozen), a row a record, the columns of
 * columns.h (labels=vi or en for the schema's labels); dates as dates,
 * numbers as numbers, the rest as text.
 *
 * libxlsxwriter's constant-memory mode writes each row out as it comes; the
 * workbook is a temporary file copied through api->write at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "columns.h"
#include "spool.h"

static const hoso_host_api *api;

typedef struct {
	table t;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date;
	char path[4096];
	lxw_row_t row;
} xlsx_state;

static void *init(hoso_host *host)
{
	(void)host;
	return calloc(1, sizeof(xlsx_state));
}

static void forget(xlsx_state *st)
{
	table_clear(&st->t);
	if (st->path[0])
		unlink(st->path);
	st->path[0] = '\0';
	st->wb = NULL;
	st->ws = NULL;
}

static void shutdown(void *state)
{
	xlsx_state *st = state;

	if (!st)
		return;
	if (st->wb)
		workbook_close(st->wb);
	forget(st);
	free(st);
}

static int fail(hoso_host *host, const char *message)
{
	api->set_error(host, message);
	return -1;
}

static int begin(void *state, hoso_host *host, const char *type)
{
	xlsx_state *st = state;
	lxw_workbook_options options;
	char *text = NULL;
	size_t len = 0, i;
	int rc;

	if (!st)
		return fail(host, "out of memory");
	if (!st->wb) {
		const char *tmp = getenv("TMPDIR");

		if (spool_make(st->path, sizeof(st->path)) < 0)
			return fail(host, "cannot make a temporary file");
		memset(&options, 0, sizeof(options));
		options.constant_memory = LXW_TRUE;
		options.tmpdir = (char *)(tmp && *tmp ? tmp : "/tmp");
		if (!(st->wb = workbook_new_opt(st->path, &options)))
			return fail(host, "cannot start the workbook");
		st->bold = workbook_add_format(st->wb);
		format_set_bold(st->bold);
		st->date = workbook_add_format(st->wb);
		format_set_num_format(st->date, "yyyy-mm-dd");
	}
	if (!api->schema_get || api->schema_get(host, type, &text, &len) != 0 || !text)
		return fail(host, "the host gives no schema for this type");
	rc = table_open(&st->t, text, len, api->option ? api->option(host, "labels") : NULL);
	api->free(text);
	if (rc < 0)
		return fail(host, "cannot read the schema's properties");
	if (!(st->ws = workbook_add_worksheet(st->wb, type)))
		return fail(host, "cannot add a sheet");
	for (i = 0; i < st->t.ncols; i++)
		if (worksheet_write_string(st->ws, 0, (lxw_col_t)i, table_header(&st->t, i), st->bold))
			return fail(host, "cannot write the header");
	worksheet_freeze_panes(st->ws, 1, 0);
	st->row = 1;
	return 0;
}

/* "YYYY-MM-DD" as a date, or 0. */
static int date_of(const char *s, lxw_datetime *d)
{
	int y, m, day;
	char end;

	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &day, &end) != 3 ||
		y < 1900 || m < 1 || m > 12 || day < 1 || day > 31)
		return 0;
	memset(d, 0, sizeof(*d));
	d->year = y;
	d->month = (uint8_t)m;
	d->day = (uint8_t)day;
	return 1;
}

static int record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	xlsx_state *st = state;
	record_view v;
	json_t *top = NULL;
	char top_name[128] = "";
	size_t i;
	lxw_error err = LXW_NO_ERROR;

	(void)type, (void)unit;
	if (rv_open(&v, json, len) < 0)
		return fail(host, "a record is not JSON");
	for (i = 0; i < st->t.ncols && err == LXW_NO_ERROR; i++) {
		const column *c = &st->t.cols[i];
		const rv_field *f = v.o || strchr(c->path, '.') ? NULL : rv_field_of(&v, c->path);
		const json_t *j = v.o ? table_value(c, v.o) : NULL;
		lxw_col_t col = (lxw_col_t)i;
		lxw_datetime d;
		char buf[64], *owned = NULL;
		const char *text;

		/* Numbers, literals and dates typed; the rest as the text csv writes. */
		if ((f && f->vlen && (f->val[0] == '-' || (f->val[0] >= '0' && f->val[0] <= '9'))) ||
			json_is_number(j)) {
			snprintf(buf, sizeof(buf), "%.*s", f ? (int)(f->vlen < 63 ? f->vlen : 63) : 0,
				f ? f->val : "");
			err = worksheet_write_number(st->ws, st->row, col, f ? strtod(buf, NULL) :
				json_number_value(j), NULL);
			continue;
		}
		if ((f && f->vlen && (f->val[0] == 't' || (f->val[0] == 'f' && f->val[1] == 'a'))) ||
			json_is_boolean(j)) {
			err = worksheet_write_boolean(st->ws, st->row, col, f ? f->val[0] == 't' : json_is_true(j),
				NULL);
			continue;
		}
		text = table_cell(&st->t, c, &v, &top, top_name, buf, &owned);
		if (*text && c->date && date_of(text, &d))
			err = worksheet_write_datetime(st->ws, st->row, col, &d, st->date);
		else if (*text)
			err = worksheet_write_string(st->ws, st->row, col, text, NULL);
		free(owned);
	}
	json_decref(top);
	rv_close(&v);
	if (err != LXW_NO_ERROR)
		return fail(host, lxw_strerror(err));
	st->row++;
	return 0;
}

/* The workbook closed, then copied through api->write. */
static int end(void *state, hoso_host *host)
{
	xlsx_state *st = state;
	lxw_error err;
	int rc = 0;

	if (!st || !st->wb)
		return 0;
	err = workbook_close(st->wb);
	st->wb = NULL;
	if (err != LXW_NO_ERROR)
		rc = fail(host, lxw_strerror(err));
	else if (spool_copy(api, host, st->path) < 0)
		rc = fail(host, "cannot write the workbook");
	forget(st);
	return rc;
}

static const hoso_exporter exporter = {
	sizeof(hoso_exporter), "xlsx", ".xlsx", begin, record, end, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "xlsx", "1.0.0", "MIT",
	"exports records as an Excel workbook: a sheet a type, dates as dates",
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
