#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/json.h"
#include "hoso/record.h"
#include "host.h"
#include "internal.h"
#include "record_view.h"
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
		snprintf(host->error, sizeof(host->error), "%s", message ? _(message) : "");
}

static int apply_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	(void)type;
	return hoso_findex_apply(payload, unit, id, data, len);
}

/* The index at the transaction's base with its changes on top; 0, or -1: walk instead. */
static int ready_index(hoso_host *host)
{
	hoso_host_index *ix = host->index;

	if (ix->state)
		return ix->state > 0 ? 0 : -1;
	ix->state = -1;
	if ((!ix->findex && hoso_findex_open(&ix->findex, host->repo, ix->fields, ix->n) < 0) ||
		hoso_findex_update(ix->findex, hoso_txn_base_tree(host->txn)) < 0 ||
		hoso_findex_begin(ix->findex) < 0)
		goto unusable;
	if (hoso_txn_foreach_change(host->txn, apply_cb, ix->findex) < 0) {
		hoso_findex_discard(ix->findex);
		goto unusable;
	}
	ix->state = 1;
	return 0;
unusable:
	/* Still right, only slow: say so, once a check. */
	hoso_problems_add(host->problems, HOSO_SEVERITY_WARNING, NULL, 0, NULL, "index",
		"the field index cannot be used (%s): the rules across records read every record instead",
		hoso_error_last());
	return -1;
}

/* The blob of record `id` of `type` in `unit` in the transaction's base tree: 0, or -1. */
static int base_blob(git_blob **out, hoso_host *host, const char *unit, const char *type,
	const char *id)
{
	char *path = NULL;
	int rc = -1;

	*out = NULL;
	if (hoso_record_path_for(&path, unit, type, id) == 0 &&
		hoso_tree_read(out, hoso_repo_git(host->repo), hoso_txn_base_tree(host->txn), path) == 0)
		rc = 0;
	free(path);
	return rc;
}

static int host_record_get(hoso_host *host, const char *id, char **json, size_t *len, char unit[64])
{
	json_t *rec = NULL;
	char *u = NULL, *text = NULL;
	size_t n;

	*json = NULL;
	if (!host)
		return -1;
	if (host->txn && !hoso_txn_changes(host->txn, id) && host->index && ready_index(host) == 0) {
		char type[64], where[64];

		git_blob *blob = NULL;
		int rc = -1;

		/* The index knows where most records are: no search through every unit. */
		if (hoso_findex_locate(host->index->findex, id, where, type)) {
			if (base_blob(&blob, host, where, type, id) == 0 &&
				(*json = malloc((n = (size_t)git_blob_rawsize(blob)) ? n : 1)) != NULL) {
				memcpy(*json, git_blob_rawcontent(blob), n);
				if (len)
					*len = n;
				snprintf(unit, 64, "%s", where);
				rc = 0;
			}
			git_blob_free(blob);
			return rc;
		}
	}
	if (host->txn)
		return hoso_txn_read(json, len ? len : &n, unit, NULL, host->txn, id) < 0 ? -1 : 0;
	if (hoso_record_get(&rec, &u, host->repo, id) < 0)
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
	hoso_host *host;
	const char *type, *unit;
	hoso_record_visit_fn visit;
	void *payload;
	const char *field, *value; /* record_find by walking */
} visit_ctx;

/* Call `fn` with each string `field` holds (itself, or its list's); a non-zero return stops. */
static int each_value(const char *data, size_t len, const char *field,
	int (*fn)(const char *value, void *payload), void *payload)
{
	record_view v;
	const json_t *arr;
	const char *s;
	size_t i;
	int rc = 0;

	if (rv_open(&v, data, len) < 0)
		return 0;
	if ((s = rv_str(&v, field)))
		rc = fn(s, payload);
	else if ((arr = rv_array(&v, field)))
		for (i = 0; i < json_array_size(arr) && rc == 0; i++)
			if (json_is_string(json_array_get(arr, i)))
				rc = fn(json_string_value(json_array_get(arr, i)), payload);
	rv_close(&v);
	return rc;
}

static int same(const char *value, void *payload)
{
	return strcmp(value, payload) == 0;
}

int hoso_host_as_of(const hoso_host *host, const char *want, const char *id, const char **unit,
	const char **data, size_t *len, git_blob **then)
{
	const git_oid *blob = hoso_units_as_of_org(host->as_of, id);

	*then = NULL;
	*unit = hoso_units_as_of_unit(host->as_of, id, *unit, *data, *len);
	if (want && strcmp(want, *unit) != 0)
		return 1;
	if (blob && git_blob_lookup(then, hoso_repo_git(host->repo), blob) == 0) {
		*data = git_blob_rawcontent(*then);
		*len = (size_t)git_blob_rawsize(*then);
	}
	return 0;
}

static int visit_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	visit_ctx *v = payload;
	git_blob *then = NULL;
	int rc;

	(void)type;
	/* As on a day, the walk was of every unit. */
	if (v->host->as_of && hoso_host_as_of(v->host, v->unit, id, &unit, &data, &len, &then))
		return 0;
	rc = v->field && !each_value(data, len, v->field, same, (void *)v->value) ? 0 :
		v->visit(v->payload, unit, id, data, len);
	git_blob_free(then);
	return rc;
}

/* The base tree, less what the transaction changes. */
static int base_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	visit_ctx *v = payload;

	return hoso_txn_changes(v->host->txn, id) ? 0 : visit_cb(unit, type, id, data, len, payload);
}

/* Then what it puts. */
static int change_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	visit_ctx *v = payload;

	if (!data || (v->type && strcmp(v->type, type) != 0) || (v->unit && strcmp(v->unit, unit) != 0))
		return 0;
	return visit_cb(unit, type, id, data, len, payload);
}

static int walk(hoso_host *host, visit_ctx *v)
{
	int rc;

	if (!host->txn)
		return hoso_record_foreach(host->repo, NULL, v->type, host->as_of ? NULL : v->unit,
			visit_cb, v);
	if ((rc = hoso_record_foreach(host->repo, hoso_txn_base_tree(host->txn), v->type, v->unit,
		base_cb, v)) != 0)
		return rc;
	return hoso_txn_foreach_change(host->txn, change_cb, v);
}

static int host_record_foreach(hoso_host *host, const char *type, const char *unit,
	hoso_record_visit_fn visit, void *payload)
{
	visit_ctx v = { host, type, unit, visit, payload, NULL, NULL };

	return host ? walk(host, &v) : -1;
}

typedef struct {
	hoso_host *host;
	const char *type;
	hoso_record_visit_fn visit;
	void *payload;
} found_ctx;

static int found_cb(const char *unit, const char *id, void *payload)
{
	found_ctx *f = payload;
	git_blob *blob = NULL;
	char *data = NULL, where[64], type[64];
	size_t len = 0;
	int rc = 0;

	if (hoso_txn_changes(f->host->txn, id)) {
		/* The index only is a cache: what it names and is not there is not there. */
		if (hoso_txn_read(&data, &len, where, type, f->host->txn, id) < 0)
			return 0;
		if (strcmp(type, f->type) == 0)
			rc = f->visit(f->payload, where, id, data, len);
		free(data);
		return rc;
	}
	/* Unchanged: straight from its path in the base tree. */
	if (base_blob(&blob, f->host, unit, f->type, id) == 0)
		rc = f->visit(f->payload, unit, id, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return rc;
}

typedef struct {
	const char *field;
	json_t *map;   /* value -> {id: unit} */
	const char *id, *unit;
} collect_ctx;

static int collect_one(const char *value, void *payload)
{
	collect_ctx *c = payload;
	json_t *ids = json_object_get(c->map, value);

	if (!ids)
		json_object_set_new(c->map, value, ids = json_object());
	json_object_set_new(ids, c->id, json_string(c->unit));
	return 0;
}

static int collect_cb(void *payload, const char *unit, const char *id, const char *json, size_t len)
{
	collect_ctx *c = payload;

	c->id = id;
	c->unit = unit;
	return each_value(json, len, c->field, collect_one, c);
}

/*
 * Without the index, one walk of `type` makes an in-memory index of `field`
 * for the rest of the check: a walk a lookup would read everything again.
 */
static int find_walked(hoso_host *host, const char *type, const char *field, const char *key,
	const char *value, found_ctx *f)
{
	hoso_host_index *ix = host->index;
	json_t *map, *unit;
	const char *id;
	int rc = 0;

	if (!ix->walked && !(ix->walked = json_object()))
		return -1;
	if (!(map = json_object_get(ix->walked, key))) {
		collect_ctx c = { field, json_object(), NULL, NULL };
		visit_ctx v = { host, type, NULL, collect_cb, &c, NULL, NULL };

		if (!c.map || walk(host, &v) != 0) {
			json_decref(c.map);
			return -1;
		}
		json_object_set_new(ix->walked, key, map = c.map);
	}
	json_object_foreach(json_object_get(map, value), id, unit)
		if ((rc = found_cb(json_string_value(unit), id, f)) != 0)
			break;
	return rc;
}

static int host_record_find(hoso_host *host, const char *type, const char *field,
	const char *value, hoso_record_visit_fn visit, void *payload)
{
	visit_ctx v = { host, type, NULL, visit, payload, field, value };
	found_ctx f = { host, type, visit, payload };
	char key[192];

	if (!host || !type || !field || !value)
		return -1;
	snprintf(key, sizeof(key), "%s.%s", type, field);
	if (host->txn && host->index && ready_index(host) == 0 &&
		hoso_findex_has(host->index->findex, key))
		return hoso_findex_find(host->index->findex, key, value, found_cb, &f);
	if (host->txn && host->index)
		return find_walked(host, type, field, key, value, &f);
	return walk(host, &v);
}

static void host_report(hoso_host *host, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *message)
{
	if (!host || !host->problems)
		return;
	if (hoso_problems_add(host->problems, severity == HOSO_FINDING_ERROR ? HOSO_SEVERITY_ERROR :
		HOSO_SEVERITY_WARNING, NULL, 0, field, rule ? rule : host->plugin, "%s",
		message ? message : "") == 0)
		hoso_problems_set_record(host->problems, id);
}

static int host_write(hoso_host *host, const void *data, size_t len)
{
	if (!host || !host->out)
		return -1;
	return len == 0 || fwrite(data, 1, len, host->out) == len ? 0 : -1;
}

static const char *host_option(hoso_host *host, const char *key)
{
	const hoso_unit *u;

	if (!host || !key)
		return NULL;
	/* "unit-name:CODE": the name hoso.json gives unit CODE. */
	if (strncmp(key, "unit-name:", 10) == 0)
		return host->repo && (u = hoso_repo_unit_find(host->repo, key + 10)) ? u->name : NULL;
	return json_string_value(json_object_get(host->options, key));
}

static int host_schema_get(hoso_host *host, const char *type, char **json, size_t *len)
{
	const hoso_schema *schema;
	size_t n;

	*json = NULL;
	if (!host || !type || !(schema = hoso_repo_schema(host->repo, type)) ||
		hoso_json_canonical(json, len ? len : &n, hoso_schema_json(schema)) < 0)
		return -1;
	return 0;
}

const hoso_host_api hoso_host_api_table = {
	HOSO_PLUGIN_ABI_MAJOR, HOSO_PLUGIN_ABI_MINOR, sizeof(hoso_host_api),
	malloc, realloc, free, host_log, host_set_error,
	host_record_get, host_record_foreach, host_report, host_write, host_option, host_record_find,
	host_schema_get, { NULL }
};

