/*
 * Fixture plugins for the loader's tests, one source built several ways:
 *   good:      a well-formed validator named "good";
 *   abi2:      built for plugin ABI 2;
 *   wrongname: its descriptor says "other";
 *   noentry:   exports no entry point;
 *   refuses:   its entry point returns NULL.
 * Built against hoso/plugin.h only, like any plugin.
 */
#include <hoso/plugin.h>

#ifndef FIXTURE_NAME
#define FIXTURE_NAME "good"
#endif
#ifndef FIXTURE_ABI
#define FIXTURE_ABI HOSO_PLUGIN_ABI_MAJOR
#endif

static int check_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	(void)state;
	(void)host;
	(void)type;
	(void)unit;
	(void)json;
	(void)len;
	return 0;
}

static const hoso_validator validator = {
	sizeof(hoso_validator), NULL, check_record, NULL, NULL, { NULL }
};

static const hoso_plugin descriptor = {
	FIXTURE_ABI, sizeof(hoso_plugin), FIXTURE_NAME, "1.0.0", "MIT",
	"a plugin for the loader's tests", NULL, NULL, &validator, NULL, NULL, { NULL }
};

#ifndef FIXTURE_NO_ENTRY
HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api)
{
#ifdef FIXTURE_REFUSE
	(void)api;
	return NULL;
#else
	return api->abi_major == HOSO_PLUGIN_ABI_MAJOR ? &descriptor : NULL;
#endif
}
#else
HOSO_PLUGIN_EXPORT int something_else;
HOSO_PLUGIN_EXPORT int something_else = 1;
#endif
