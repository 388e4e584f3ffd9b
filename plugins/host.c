#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/json.h"
#include "hoso/record.h"
#include "host.h"
#include "common.h"

static void host_log(hoso_host *host, hoso_log_level level, const char *message)
{
	if (host && host->problems && level >= HOSO_LOG_WARNING)
		hoso_problems_add(host->problems, level == HOSO_LOG_ERROR ? HOSO_SEVERITY_ERROR :
			HOSO_SEVERITY_WARNING, NULL, 0, NULL, host->plugin, "%s", message);
}

static void host_set_error(hoso_host *host, const char *message)
{
	if (host)
		snprintf(host->error, sizeof(host->error), "%s", message ? message : "");
}

static int host_record_get(hoso_host *host, const char *id, char **json, size_t *len, char unit[64])
{
	json_t *rec = NULL;
	char *u = NULL, *text = NULL;
	size_t n;

	*json = NULL;
	if (!host || hoso_record_get(&rec, &u, host->repo, id) < 0)
		return -1;
	if (hoso_json_canonical(&text, &n, rec) < 0) {
		json_decref(rec);
		free(u);
		return -1;
	}
	*json = text; /* malloc'd: the api's alloc is malloc */
	if (len)
		*len = n;
	snprintf(unit, 64, "%s", u);
	json_decref(rec);
	free(u);
	return 0;
}

typedef struct {
	hoso_record_visit_fn visit;
	void *payload;
} visit_ctx;

static int visit_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	visit_ctx *v = payload;

	(void)type;
	return v->visit(v->payload, unit, id, data, len);
}

static int host_record_foreach(hoso_host *host, const char *type, const char *unit,
	hoso_record_visit_fn visit, void *payload)
{
	visit_ctx v = { visit, payload };

	return host ? hoso_record_foreach(host->repo, NULL, type, unit, visit_cb, &v) : -1;
}

static void host_report(hoso_host *host, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *message)
{
	if (!host || !host->problems)
		return;
	hoso_problems_add(host->problems, severity == HOSO_FINDING_ERROR ? HOSO_SEVERITY_ERROR :
		HOSO_SEVERITY_WARNING, NULL, 0, field, rule ? rule : host->plugin, "%s%s%s%s",
		message ? message : "", id ? " (record " : "", id ? id : "", id ? ")" : "");
}

const hoso_host_api hoso_host_api_table = {
	HOSO_PLUGIN_ABI_MAJOR, HOSO_PLUGIN_ABI_MINOR, sizeof(hoso_host_api),
	malloc, realloc, free, host_log, host_set_error,
	host_record_get, host_record_foreach, host_report, NULL, NULL, { NULL }
};

