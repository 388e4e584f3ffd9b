#ifndef HOSO_PLUGINS_HOST_H
#define HOSO_PLUGINS_HOST_H

/* The host side of a plugin call; every function of the API table takes one. */

#include "hoso/plugins.h"
#include "hoso/record.h"
#include "hoso/unit.h"
#include "findex.h"
#include <stdio.h>
#include <jansson.h>

/* The field index of one check, shared by its validators, made on first use. */
typedef struct {
	hoso_findex *findex;       /* kept open by the plugin set between checks */
	const char **fields;       /* every validator's indexes */
	size_t n;
	int state;                 /* 0 not yet, 1 ready, -1 failed: find walks */
	json_t *walked;            /* without it: "type.field" -> value -> [ids], one walk each */
} hoso_host_index;

struct hoso_host {
	hoso_repo *repo;           /* NULL while a plugin is only being loaded */
	const char *plugin;        /* the name, for messages */
	hoso_problems *problems;   /* where findings go; may be NULL */
	hoso_txn *txn;             /* records as this transaction sees them; NULL: the tip */
	hoso_host_index *index;    /* NULL: find walks */
	FILE *out;                 /* where an exporter or report writes; may be NULL */
	const json_t *options;     /* KEY -> VALUE strings; may be NULL */
	char error[512];           /* what the plugin said with set_error */
	const hoso_units_as_of *as_of; /* records in their units as on option as_of; NULL: as now */
};

/*
 * Record `id` as on the day of `host->as_of` (not NULL): `*unit` becomes its
 * unit then, and an organization a reorganization has changed since its
 * bytes then (`*data`, `*len`, from `*then`, which the caller frees). 1 when
 * `want` (may be NULL) is not its unit then: skip it; else 0.
 */
int hoso_host_as_of(const hoso_host *host, const char *want, const char *id, const char **unit,
	const char **data, size_t *len, git_blob **then);

/* The one API table every plugin receives at its entry point. */
extern const hoso_host_api hoso_host_api_table;

/*
 * The loader's checks of the descriptor (borrowed) that the plugin at `path`
 * returned, before anything else of it runs: its ABI, its size, its name
 * (the file's stem), and that an exporter has every function an export
 * calls. 0, or HOSO_EPLUGIN with the refusal and a hint.
 */
int hoso_plugin_check(const hoso_plugin *desc, const char *path);

#endif
