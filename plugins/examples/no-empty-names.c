/*
 * An example validator written only against the installed hoso/plugin.h: it
 * warns about an organization whose name is only its level ("Chi bộ"), and
 * refuses a name longer than 120 characters. It parses nothing: a real
 * validator would use a JSON library; this one looks for the "name" key in
 * the record's canonical text, which hoso writes one key a line.
 *
 *   cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags hoso-plugin) \
 *      no-empty-names.c -o no-empty-names.so
 */
#include <string.h>
#include <hoso/plugin.h>

static const hoso_host_api *host_api;

static int check_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	const char *name = strstr(json, "\n  \"name\": \""), *end;
	size_t n;

	(void)state;
	(void)type;
	(void)unit;
	(void)len;
	if (!name)
		return 0;
	name += strlen("\n  \"name\": \"");
	if (!(end = strchr(name, '"')))
		return 0;
	n = (size_t)(end - name);
	if (n > 120)
		host_api->report(host, HOSO_FINDING_ERROR, NULL, "name", "no-empty-names/long",
			"a name longer than 120 bytes");
	else if ((n == strlen("Chi bộ") && strncmp(name, "Chi bộ", n) == 0) ||
		(n == strlen("Đảng bộ") && strncmp(name, "Đảng bộ", n) == 0))
		host_api->report(host, HOSO_FINDING_WARNING, NULL, "name", "no-empty-names/bare",
			"the name is only the organization's level");
	return 0;
}

static const char *const types[] = { "organization", NULL };

static const hoso_validator validator = {
	sizeof(hoso_validator), types, check_record, NULL, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "no-empty-names", "1.0.0", "MIT",
	"warns about organizations named only by their level", NULL, NULL, &validator, NULL, NULL,
	{ NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api)
{
	if (!api || api->abi_major != HOSO_PLUGIN_ABI_MAJOR ||
		api->struct_size < offsetof(hoso_host_api, write))
		return NULL;
	host_api = api;
	return &descriptor;
}
