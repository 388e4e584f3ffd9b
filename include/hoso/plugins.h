#ifndef HOSO_PLUGINS_H
#define HOSO_PLUGINS_H

/*
 * The host's side of plugins: loading one shared library and checking it
 * before anything of it runs beyond its entry point. Each refusal says what
 * and why, and hoso_error_hint() the next step.
 */

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "errors.h"
#include "plugin.h"
#include "record.h"
#include "repo.h"
#include "verify.h"

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

/*
 * Download a plugin from an http(s) `url` into `path` (libcurl). A server's
 * refusal (404, ...) is HOSO_ENOTFOUND naming the status; an unreachable
 * server HOSO_EOFFLINE; nothing is left at `path` on failure.
 */
int hoso_plugin_download(const char *url, const char *path, unsigned int timeout_s);

/*
 * The user's plugin directory: $HOSO_PLUGIN_DIR, else
 * ~/.local/share/hoso/plugins; made (with its parents) when `make`.
 */
int hoso_plugin_user_dir(char *out, size_t size, int make);

/*
 * Install every plugin hoso.json pins with a URL that the user's directory
 * lacks (or holds with another hash): downloaded, checked against the pin's
 * sha256 and as a plugin, then put in place. Each one that fails is a
 * warning in `problems` and nothing of it is left; `*fetched` counts the rest.
 */
int hoso_plugin_fetch_pinned(size_t *fetched, hoso_repo *repo, hoso_problems *problems);

/* The SHA-256 of a file, in hex. */
int hoso_sha256_file(char out[65], const char *path);

/*
 * The plugins a command runs with: every plugin of the built-in directory
 * (installed with hoso), then of the user's (HOSO_PLUGIN_DIR, else
 * ~/.local/share/hoso/plugins). A plugin that is refused does not stop the
 * others: its refusal is appended to `refusals` as a warning naming it.
 */
typedef struct hoso_plugin_set hoso_plugin_set;

int hoso_plugin_set_open(hoso_plugin_set **out, hoso_repo *repo, const char *builtin_dir,
	hoso_problems *refusals);
void hoso_plugin_set_free(hoso_plugin_set *set);
size_t hoso_plugin_set_count(const hoso_plugin_set *set);
const hoso_loaded_plugin *hoso_plugin_set_at(const hoso_plugin_set *set, size_t i);
/* "built-in" or "user". */
const char *hoso_plugin_set_origin(const hoso_plugin_set *set, size_t i);
/* 1 if hoso.json pins plugin `i`. */
int hoso_plugin_set_pinned(const hoso_plugin_set *set, size_t i);

/* A plugin hoso.json pins: its name, and its version and URL (NULL where absent). */
typedef int (*hoso_pin_cb)(const char *name, const char *version, const char *url, void *payload);

/*
 * Call `cb` for each plugin hoso.json pins that `set` lacks (not installed
 * here, or not the very file pinned: hoso_plugin_set_open refused it), in
 * hoso.json's order; a non-zero return stops the walk and is returned.
 */
int hoso_plugin_set_foreach_missing(const hoso_plugin_set *set, hoso_pin_cb cb, void *payload);

/*
 * Run every validator's check_record on one record: a hoso_check_cb (see
 * record.h) whose payload is the set. Findings become problems naming the
 * plugin's rule; errors refuse the write.
 */
int hoso_plugin_set_check(const char *type, const char *unit, const char *id, const char *json,
	size_t len, hoso_problems *problems, void *set);

/*
 * Options for a write that every validator of `set` joins: check_record on
 * each record as it is staged, check_set before the commit, their findings
 * into `problems`. The rest of `opts` is left as it is.
 */
void hoso_plugin_set_write_options(hoso_plugin_set *set, hoso_txn_options *opts,
	hoso_problems *problems);

/*
 * Run every validator's check_set on what transaction `txn` changes, seen
 * with its changes in place: a hoso_commit_check_cb (see record.h) whose
 * payload is the set. The validators look records up through a field index
 * kept beside the repository.
 */
int hoso_plugin_set_check_commit(hoso_txn *txn, hoso_problems *problems, void *set);

/* Options for hoso_verify: every validator on each record and on the rules across records. */
void hoso_plugin_set_verify_options(hoso_plugin_set *set, hoso_verify_options *opts);

/*
 * Run every validator's check_set on records `ids` (`n` of them) as `txn`
 * sees them: hoso_plugin_set_check_commit with the ids given, e.g. every
 * record of a tree, checked against it.
 */
int hoso_plugin_set_check_ids(hoso_plugin_set *set, hoso_txn *txn, const char *const *ids,
	size_t n, hoso_problems *problems);

/*
 * Export every record of `types` (`ntypes` of them) in `unit` (NULL: all)
 * at the tip through the exporter plugin of `format`, to `out`. `options`
 * (KEY -> string, may be NULL) are what the exporter reads through
 * api->option. HOSO_ENOTFOUND when no plugin exports `format`.
 */
int hoso_plugin_set_export(hoso_plugin_set *set, const char *format, const char *const *types,
	size_t ntypes, const char *unit, FILE *out, const json_t *options, hoso_problems *problems);

/*
 * Run the report of plugin `name` in `format` to `out`, with `options`
 * (KEY -> string: the report's own, e.g. "year"). HOSO_ENOTFOUND when no
 * plugin makes it; HOSO_EUSAGE when it has no such format.
 */
int hoso_plugin_set_report(hoso_plugin_set *set, const char *name, const char *format, FILE *out,
	const json_t *options, hoso_problems *problems);

#ifdef __cplusplus
}
#endif

#endif
