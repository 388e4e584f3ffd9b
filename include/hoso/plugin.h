#ifndef HOSO_PLUGIN_H
#define HOSO_PLUGIN_H

/*
 * The plugin ABI: the only header a plugin author needs. A plugin is a
 * shared library that never links against hoso; it exports one symbol,
 * hoso_plugin_entry, which receives the host's API table and returns the
 * plugin's descriptor, or NULL to refuse to load.
 *
 * Both tables start with the ABI major and their struct_size and only ever
 * grow at the end, first into their reserved slots (which are NULL): a newer
 * host never breaks an older plugin, and a plugin checks that a slot added
 * after ABI 1.0 is not NULL (and api->struct_size covers it) before using it. Records
 * cross the boundary as JSON text; memory that crosses it comes from the
 * host's allocator (api->alloc / api->free), whichever side frees it.
 *
 * Build a plugin with: cc -shared -fPIC -fvisibility=hidden -I<prefix>/include x.c -o x.so
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOSO_PLUGIN_ABI_MAJOR 1
#define HOSO_PLUGIN_ABI_MINOR 1

#define HOSO_PLUGIN_ENTRY "hoso_plugin_entry"

#if defined(__GNUC__)
#define HOSO_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define HOSO_PLUGIN_EXPORT
#endif

/* The host's side of one call: passed back to every host function. */
typedef struct hoso_host hoso_host;

typedef enum {
	HOSO_LOG_DEBUG = 0,
	HOSO_LOG_INFO = 1,
	HOSO_LOG_WARNING = 2,
	HOSO_LOG_ERROR = 3
} hoso_log_level;

/* What a validator found: errors refuse the write, warnings are shown. */
typedef enum {
	HOSO_FINDING_ERROR = 0,
	HOSO_FINDING_WARNING = 1
} hoso_finding_severity;

/* Called for each record of a walk; a non-zero return stops the walk and is returned. */
typedef int (*hoso_record_visit_fn)(void *payload, const char *unit, const char *id,
	const char *json, size_t len);

typedef struct hoso_host_api {
	uint32_t abi_major;       /* HOSO_PLUGIN_ABI_MAJOR of the host */
	uint32_t abi_minor;
	uint32_t struct_size;     /* sizeof(hoso_host_api) of the host */

	/* Memory crossing the boundary. */
	void *(*alloc)(size_t size);
	void *(*realloc)(void *ptr, size_t size);
	void (*free)(void *ptr);

	/* A line for the person running hoso, prefixed with the plugin's name. */
	void (*log)(hoso_host *host, hoso_log_level level, const char *message);

	/* Why the call failed (the host adds the plugin's name); return -1 after it. */
	void (*set_error)(hoso_host *host, const char *message);

	/*
	 * Records as JSON text, at the commit being checked or exported.
	 * record_get: `*json` from api->alloc (the caller frees it), `unit` gets
	 * the record's unit (NUL-terminated, at most 63 bytes); 0, or -1 when
	 * there is no such record. record_foreach: every record of `type` (NULL:
	 * all) in `unit` (NULL: all units), in path order.
	 */
	int (*record_get)(hoso_host *host, const char *id, char **json, size_t *len, char unit[64]);
	int (*record_foreach)(hoso_host *host, const char *type, const char *unit,
		hoso_record_visit_fn visit, void *payload);

	/* A validator's finding about record `id` (NULL: none in particular). */
	void (*report)(hoso_host *host, hoso_finding_severity severity, const char *id,
		const char *field, const char *rule, const char *message);

	/* Output of an exporter or a report: bytes to the chosen file or stdout. */
	int (*write)(hoso_host *host, const void *data, size_t len);

	/*
	 * An option of the command (an exporter's "labels", a report's "year",
	 * "as_of", "unit", and "commit", the tip the records are read at), or
	 * NULL; "unit-name:CODE" gives the name hoso.json gives unit CODE.
	 */
	const char *(*option)(hoso_host *host, const char *key);

	/*
	 * ABI 1.1: every record of `type` whose top-level `field` is the string
	 * `value` or an array holding it, as record_foreach sees them. Fast for
	 * the fields the validator lists in hoso_validator.indexes (the host
	 * keeps an index of them); any other field costs a walk of every record
	 * of `type`.
	 */
	int (*record_find)(hoso_host *host, const char *type, const char *field, const char *value,
		hoso_record_visit_fn visit, void *payload);

	/*
	 * ABI 1.1: the JSON Schema of record type `type` as the repository
	 * holds it (`*json` from api->alloc; the caller frees it): its
	 * properties, and their x-label and x-enum-labels. 0, or -1.
	 */
	int (*schema_get)(hoso_host *host, const char *type, char **json, size_t *len);

	void *reserved[14];
} hoso_host_api;

typedef struct hoso_validator {
	uint32_t struct_size;
	/* The record types it checks (NULL-terminated), or NULL for all. */
	const char *const *types;
	/*
	 * Check one record (its JSON text); report findings; 0, or -1 on
	 * failure. It may be called on several threads at once, and while
	 * check_set runs on another (hoso verify): each call has its own host,
	 * and any state it changes it must guard itself.
	 */
	int (*check_record)(void *state, hoso_host *host, const char *type, const char *unit,
		const char *json, size_t len);
	/*
	 * Rules across records, for the records `ids` just changed (n of them;
	 * a removed record's id is among them and record_get no longer finds
	 * it), against the whole tree with the changes in it, through
	 * record_get, record_find and record_foreach; `ids` NULL means every
	 * record. Report only what involves a changed record. 0, or -1 on failure.
	 */
	int (*check_set)(void *state, hoso_host *host, const char *const *ids, size_t n);
	/* ABI 1.1: the fields check_set looks records up by ("member.citizen_id"), NULL-terminated. */
	const char *const *indexes;
	void *reserved[7];
} hoso_validator;

/*
 * An exporter: begin once for each record type exported, then record for
 * each of its records (in path order; members in Vietnamese name order),
 * then end, writing through api->write all along. Options of the command
 * line (e.g. "labels" = "vi") come through api->option.
 */
typedef struct hoso_exporter {
	uint32_t struct_size;
	const char *format;       /* "csv" */
	const char *extension;    /* ".csv" */
	int (*begin)(void *state, hoso_host *host, const char *type);
	int (*record)(void *state, hoso_host *host, const char *type, const char *unit,
		const char *json, size_t len);
	int (*end)(void *state, hoso_host *host);
	void *reserved[8];
} hoso_exporter;

typedef struct hoso_report {
	uint32_t struct_size;
	const char *const *formats; /* "md", "html", "json"; NULL-terminated */
	int (*run)(void *state, hoso_host *host, const char *format);
	void *reserved[8];
} hoso_report;

typedef struct hoso_plugin {
	uint32_t abi_major;       /* HOSO_PLUGIN_ABI_MAJOR the plugin was built for */
	uint32_t struct_size;     /* sizeof(hoso_plugin) of the plugin */
	const char *name;         /* equal to the file's stem: "vn-identity" for vn-identity.so */
	const char *version;
	const char *license;
	const char *description;
	/* Lazy set-up when first used (may be NULL); its result is `state` in every call. */
	void *(*init)(hoso_host *host);
	void (*shutdown)(void *state);
	/* One table for each kind it provides; NULL where absent. */
	const hoso_validator *validator;
	const hoso_exporter *exporter;
	const hoso_report *report;
	void *reserved[8];
} hoso_plugin;

/* The one symbol a plugin exports. */
typedef const hoso_plugin *(*hoso_plugin_entry_fn)(const hoso_host_api *api);

#ifdef __cplusplus
}
#endif

#endif
