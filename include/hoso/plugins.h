#ifndef HOSO_PLUGINS_H
#define HOSO_PLUGINS_H

/*
 * The host's side of plugins: loading one shared library and checking it
 * before anything of it runs beyond its entry point. Each refusal says what
 * and why, and hoso_error_hint() the next step.
 */

#include "errors.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hoso_loaded_plugin hoso_loaded_plugin;

/*
 * Load the plugin at `path`. With `pinned_sha256` (64 hex digits), the
 * file's SHA-256 must equal it (checked before the file is loaded).
 * HOSO_EPLUGIN for every refusal: a hash that differs from the pin, a file
 * dlopen() refuses, no entry point, an entry point that returns NULL,
 * another ABI, a name that is not the file's stem.
 */
int hoso_plugin_open(hoso_loaded_plugin **out, const char *path, const char *pinned_sha256);

/* Unload (the plugin's shutdown runs if it was set up). Accepts NULL. */
void hoso_plugin_close(hoso_loaded_plugin *plugin);

/* The descriptor (borrowed), the file, and its SHA-256 in hex. */
const hoso_plugin *hoso_plugin_descriptor(const hoso_loaded_plugin *plugin);
const char *hoso_plugin_path(const hoso_loaded_plugin *plugin);
const char *hoso_plugin_sha256(const hoso_loaded_plugin *plugin);

/* The SHA-256 of a file, in hex. */
int hoso_sha256_file(char out[65], const char *path);

#ifdef __cplusplus
}
#endif

#endif
