/*
 * The built-in exporters xlsx and jsonl, one shared library each, built
 * from this file with EXPORT_FORMAT and EXPORT_EXTENSION set (csv and
 * sqlite have their own sources).
 * jsonl writes one record a line; the other formats are laid out here and
 * refuse to run until they are written.
 */
#include <hoso/plugin.h>

#include <stdlib.h>
#include <string.h>

#ifndef EXPORT_FORMAT
#error "build with -DEXPORT_FORMAT=\"csv\" -DEXPORT_EXTENSION=\".csv\""
#endif

static const hoso_host_api *api;

static int begin(void *state, hoso_host *host, const char *type)
{
	(void)state, (void)type;
	if (!api->write) {
		api->set_error(host, "this host has no output for exporters");
		return -1;
	}
	if (strcmp(EXPORT_FORMAT, "jsonl") == 0)
		return 0;
	api->set_error(host, "the " EXPORT_FORMAT " exporter is not written yet; "
		"'jsonl' exports every record");
	return -1;
}

/*
 * jsonl: the record as stored, on one line: canonical text has raw newlines
 * only between tokens (a newline in a string is written \n), so dropping
 * each newline with the indent after it leaves the same JSON on one line.
 */
static int record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	char *line = api->alloc(len + 1);
	size_t i, n = 0;
	int rc = -1;

	(void)state, (void)type, (void)unit;
	if (!line) {
		api->set_error(host, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (json[i] != '\n') {
			line[n++] = json[i];
			continue;
		}
		while (i + 1 < len && json[i + 1] == ' ')
			i++;
	}
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n++] = '\n';
	if (api->write(host, line, n) == 0)
		rc = 0;
	else
		api->set_error(host, "cannot write a record");
	api->free(line);
	return rc;
}

static int end(void *state, hoso_host *host)
{
	(void)state, (void)host;
	return 0;
}

static const hoso_exporter exporter = {
	sizeof(hoso_exporter), EXPORT_FORMAT, EXPORT_EXTENSION, begin, record, end, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), EXPORT_FORMAT, "0.1.0", "MIT",
	"exports records as " EXPORT_FORMAT, NULL, NULL, NULL, &exporter, NULL, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api)
{
	if (!host_api || host_api->abi_major != HOSO_PLUGIN_ABI_MAJOR ||
		host_api->struct_size < offsetof(hoso_host_api, write) + sizeof(host_api->write) ||
		!host_api->set_error)
		return NULL;
	api = host_api;
	return &descriptor;
}
