/*
 * The built-in report 'annual': the year's Party-building report, in
 * Markdown, HTML or JSON. Laid out here; it refuses to run until written.
 */
#include <hoso/plugin.h>

#include <stddef.h>

static const hoso_host_api *api;

static int run(void *state, hoso_host *host, const char *format)
{
	(void)state, (void)format;
	api->set_error(host, "the annual report is not written yet");
	return -1;
}

static const char *const formats[] = { "md", "html", "json", NULL };

static const hoso_report report = { sizeof(hoso_report), formats, run, { NULL } };

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "annual", "0.1.0", "MIT",
	"the annual Party-building report", NULL, NULL, NULL, NULL, &report, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api)
{
	if (!host_api || host_api->abi_major != HOSO_PLUGIN_ABI_MAJOR || !host_api->set_error)
		return NULL;
	api = host_api;
	return &descriptor;
}
