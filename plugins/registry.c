#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucol.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include "hoso/plugins.h"
#include "record_view.h"
#include "hoso/record.h"
#include "host.h"
#include "internal.h"
#include "common.h"

typedef struct {
	hoso_loaded_plugin *plugin;
	const char *origin;
	void *state;
	int ready;
} entry;

struct hoso_plugin_set {
	hoso_repo *repo;
	entry *items;
	size_t count;
	hoso_host_index index; /* the fields the validators look records up by */
};

/* The pin of plugin `name` in hoso.json (borrowed), or NULL. */
static const json_t *pin_of(const hoso_repo *repo, const char *name)
{
	const json_t *pins = json_object_get(repo->config, "plugins"), *p;
	size_t i;

	json_array_foreach(pins, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		if (n && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

static int add_entry(hoso_plugin_set *set, hoso_loaded_plugin *p, const char *origin)
{
	entry *items = realloc(set->items, (set->count + 1) * sizeof(entry));

	if (!items) {
		hoso_plugin_close(p);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	set->items = items;
	memset(&set->items[set->count], 0, sizeof(entry));
	set->items[set->count].plugin = p;
	set->items[set->count].origin = origin;
	set->count++;
	return 0;
}

/*
 * Load the plugins of `dir`. Built-in ones run as they are; a user's run only
 * when hoso.json pins them, and only the very file pinned. Refusals become
 * warnings naming the file.
 */
static int load_dir(hoso_plugin_set *set, const char *dir, int builtin, hoso_problems *refusals)
{
	struct dirent **names = NULL;
	int i, n, error = 0;

	if (!dir || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < n && error == 0; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(name);
		const json_t *pin = NULL;
		char path[4096], stem[256];
		hoso_loaded_plugin *p = NULL;
		if (len < 4 || strcmp(name + len - 3, ".so") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		snprintf(stem, sizeof(stem), "%.*s", (int)(len - 3), name);
		if (!builtin && set->repo && !(pin = pin_of(set->repo, stem))) {
			hoso_problems_add(refusals, HOSO_SEVERITY_WARNING, path, 0, NULL, "plugin",
				"plugin '%s' is installed but not pinned in hoso.json, so it does not run", stem);
			continue;
		}
		if (hoso_plugin_open(&p, path, pin ? json_string_value(json_object_get(pin, "sha256")) :
			NULL) < 0) {
			hoso_problems_add(refusals, HOSO_SEVERITY_WARNING, path, 0, NULL, "plugin", "%s%s%s",
				hoso_error_last(), hoso_error_hint() ? "; " : "",
				hoso_error_hint() ? hoso_error_hint() : "");
			continue;
		}
		error = add_entry(set, p, builtin ? "built-in" : "user");
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return error;
}



/* Make `dir` and its parents. */
static int make_dirs(const char *dir)
{
	char path[4400], *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int hoso_plugin_user_dir(char *out, size_t size, int make)
{
	const char *dir = getenv("HOSO_PLUGIN_DIR"), *home = getenv("HOME");

	if (dir && *dir)
		snprintf(out, size, "%s", dir);
	else
		snprintf(out, size, "%s/.local/share/hoso/plugins", home ? home : ".");
	if (make && make_dirs(out) < 0)
		return hoso_error_set(HOSO_ERROR, "cannot make '%s': %s", out, strerror(errno));
	return 0;
}

/* fsync a directory, so that a rename into it lasts. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* 1 if `path` is there with SHA-256 `sha256`. */
static int has_file(const char *path, const char *sha256)
{
	char got[65];

	return sha256 && hoso_sha256_file(got, path) == 0 && strcasecmp(got, sha256) == 0;
}

int hoso_plugin_fetch_pinned(size_t *fetched, hoso_repo *repo, hoso_problems *problems)
{
	const json_t *pins = json_object_get(repo->config, "plugins"), *pin;
	char dir[4096], tmpdir[4160], tmp[4400], dest[4400];
	size_t i;

	*fetched = 0;
	hoso_plugin_user_dir(dir, sizeof(dir), 0);
	json_array_foreach(pins, i, pin) {
		const char *name = json_string_value(json_object_get(pin, "name"));
		const char *url = json_string_value(json_object_get(pin, "url"));
		const char *sha256 = json_string_value(json_object_get(pin, "sha256"));
		hoso_loaded_plugin *p = NULL;

		if (!name || !url || strchr(name, '/') || strlen(name) > 200)
			continue;
		snprintf(dest, sizeof(dest), "%s/%.200s.so", dir, name);
		if (has_file(dest, sha256))
			continue;
		/* Downloaded beside where it goes, checked, then renamed into place. */
		snprintf(tmpdir, sizeof(tmpdir), "%s/.download-%ld", dir, (long)getpid());
		snprintf(tmp, sizeof(tmp), "%s/%.200s.so", tmpdir, name);
		if (make_dirs(tmpdir) < 0)
			hoso_problems_add(problems, HOSO_SEVERITY_WARNING, dir, 0, NULL, "plugin",
				"cannot make '%s': %s", tmpdir, strerror(errno));
		else if (hoso_plugin_download(url, tmp, 0) < 0 || hoso_plugin_open(&p, tmp, sha256) < 0)
			hoso_problems_add(problems, HOSO_SEVERITY_WARNING, url, 0, NULL, "plugin",
				"plugin '%s' pinned in hoso.json was not installed: %s", name, hoso_error_last());
		else if (rename(tmp, dest) < 0 || sync_dir(dir) < 0)
			hoso_problems_add(problems, HOSO_SEVERITY_WARNING, dest, 0, NULL, "plugin",
				"cannot install plugin '%s': %s", name, strerror(errno));
		else
			(*fetched)++;
		hoso_plugin_close(p);
		unlink(tmp);
		rmdir(tmpdir);
	}
	return 0;
}

int hoso_plugin_set_foreach_missing(const hoso_plugin_set *set, hoso_pin_cb cb, void *payload)
{
	const json_t *pins = set->repo ? json_object_get(set->repo->config, "plugins") : NULL, *pin;
	size_t i, j;
	int rc;

	json_array_foreach(pins, i, pin) {
		const char *name = json_string_value(json_object_get(pin, "name"));
		int found = 0;
		for (j = 0; name && j < set->count && !found; j++)
			found = strcmp(hoso_plugin_descriptor(set->items[j].plugin)->name, name) == 0;
		if (name && !found && (rc = cb(name, json_string_value(json_object_get(pin, "version")),
			json_string_value(json_object_get(pin, "url")), payload)) != 0)
			return rc;
	}
	return 0;
}

static int add_missing(const char *name, const char *version, const char *url, void *refusals)
{
	hoso_problems_add(refusals, HOSO_SEVERITY_ERROR, "hoso.json", 0, NULL, "plugin",
		"plugin '%s' %s is pinned in hoso.json but not installed here%s%s",
		name, version ? version : "",
		url ? "; get it from " : "; ask the province's admin for it", url ? url : "");
	return 0;
}

/* Every plugin hoso.json pins must be there: a missing one is an error. */
static void check_pins(hoso_plugin_set *set, hoso_problems *refusals)
{
	hoso_plugin_set_foreach_missing(set, add_missing, refusals);
}

int hoso_plugin_set_open(hoso_plugin_set **out, hoso_repo *repo, const char *builtin_dir,
	hoso_problems *refusals)
{
	hoso_plugin_set *set = calloc(1, sizeof(*set));
	char user[4096];

	*out = NULL;
	if (!set)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	set->repo = repo;
	load_dir(set, builtin_dir, 1, refusals);
	hoso_plugin_user_dir(user, sizeof(user), 0);
	load_dir(set, user, 0, refusals);
	check_pins(set, refusals);
	*out = set;
	return 0;
}

void hoso_plugin_set_free(hoso_plugin_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++) {
		const hoso_plugin *d = hoso_plugin_descriptor(set->items[i].plugin);
		if (set->items[i].ready && d->shutdown)
			d->shutdown(set->items[i].state);
		hoso_plugin_close(set->items[i].plugin);
	}
	hoso_findex_free(set->index.findex);
	json_decref(set->index.walked);
	free(set->index.fields);
	free(set->items);
	free(set);
}

size_t hoso_plugin_set_count(const hoso_plugin_set *set) { return set->count; }
const hoso_loaded_plugin *hoso_plugin_set_at(const hoso_plugin_set *set, size_t i) { return set->items[i].plugin; }
const char *hoso_plugin_set_origin(const hoso_plugin_set *set, size_t i) { return set->items[i].origin; }

int hoso_plugin_set_pinned(const hoso_plugin_set *set, size_t i)
{
	return set->repo && pin_of(set->repo, hoso_plugin_descriptor(set->items[i].plugin)->name) != NULL;
}

/* 1 if the validator checks records of `type`. */
static int checks_type(const hoso_validator *v, const char *type)
{
	size_t i;

	if (!v->types)
		return 1;
	for (i = 0; v->types[i]; i++)
		if (strcmp(v->types[i], type) == 0)
			return 1;
	return 0;
}

/* The plugin's state, set up on first use. */
static void *state_of(entry *e, hoso_host *host)
{
	const hoso_plugin *d = hoso_plugin_descriptor(e->plugin);

	if (!e->ready) {
		e->state = d->init ? d->init(host) : NULL;
		e->ready = 1;
	}
	return e->state;
}

/* The validator of entry `e`, set up on first use; NULL if it has none. */
static const hoso_validator *validator_of(entry *e, hoso_host *host)
{
	const hoso_plugin *d = hoso_plugin_descriptor(e->plugin);
	const hoso_validator *v = d->validator;

	if (!v || v->struct_size < offsetof(hoso_validator, check_set) + sizeof(v->check_set))
		return NULL;
	state_of(e, host);
	return v;
}

static int plugin_failed(const hoso_plugin *d, const hoso_host *host, const char *what)
{
	return hoso_error_set(HOSO_EPLUGIN, "plugin '%s' failed on %s%s%s", d->name, what,
		host->error[0] ? ": " : "", host->error);
}

/* The validators of one record, their lookups through `repo`. */
static int check_in(hoso_plugin_set *set, hoso_repo *repo, const char *type, const char *unit,
	const char *id, const char *json, size_t len, hoso_problems *problems)
{
	size_t i;

	for (i = 0; set && i < set->count; i++) {
		const hoso_plugin *d = hoso_plugin_descriptor(set->items[i].plugin);
		hoso_host host = { repo, d->name, problems, NULL, NULL, NULL, NULL, "" };
		const hoso_validator *v = validator_of(&set->items[i], &host);
		char what[128];

		if (!v || !v->check_record || !checks_type(v, type))
			continue;
		if (v->check_record(set->items[i].state, &host, type, unit, json, len) < 0) {
			snprintf(what, sizeof(what), "record '%s'", id);
			return plugin_failed(d, &host, what);
		}
	}
	return 0;
}

int hoso_plugin_set_check(const char *type, const char *unit, const char *id, const char *json,
	size_t len, hoso_problems *problems, void *payload)
{
	hoso_plugin_set *set = payload;

	return check_in(set, set ? set->repo : NULL, type, unit, id, json, len, problems);
}

/* The fields every validator looks records up by, once. */
/* The field the host itself sorts by: members' names, for their Vietnamese order. */
static const char *const host_fields[] = { "member.full_name", NULL };

static int gather_one(hoso_plugin_set *set, const char *field)
{
	const char **grown;
	size_t k;

	for (k = 0; k < set->index.n && strcmp(set->index.fields[k], field) != 0; k++)
		;
	if (k < set->index.n)
		return 0;
	if (!(grown = realloc(set->index.fields, (set->index.n + 1) * sizeof(char *))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	set->index.fields = grown;
	set->index.fields[set->index.n++] = field;
	return 0;
}

static int gather_fields(hoso_plugin_set *set)
{
	size_t i, j;
	int error = 0;

	for (i = 0; host_fields[i] && error == 0; i++)
		error = gather_one(set, host_fields[i]);
	for (i = 0; i < set->count && error == 0; i++) {
		const hoso_validator *v = hoso_plugin_descriptor(set->items[i].plugin)->validator;

		if (!v || v->struct_size < offsetof(hoso_validator, indexes) + sizeof(v->indexes) ||
			!v->indexes)
			continue;
		for (j = 0; v->indexes[j] && error == 0; j++)
			error = gather_one(set, v->indexes[j]);
	}
	return error;
}

typedef struct {
	char **ids;
	size_t n, cap;
} id_list;

static int collect_id(const char *id, void *payload)
{
	id_list *l = payload;

	if (l->n == l->cap) {
		char **grown = realloc(l->ids, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof(char *));
		if (!grown)
			return hoso_error_set(HOSO_ERROR, "out of memory");
		l->ids = grown;
	}
	if (!(l->ids[l->n] = strdup(id)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	l->n++;
	return 0;
}

void hoso_plugin_set_write_options(hoso_plugin_set *set, hoso_txn_options *opts,
	hoso_problems *problems)
{
	opts->check_cb = hoso_plugin_set_check;
	opts->commit_check = hoso_plugin_set_check_commit;
	opts->check_payload = set;
	opts->problems = problems;
}

int hoso_plugin_set_check_ids(hoso_plugin_set *set, hoso_txn *txn, const char *const *ids,
	size_t n, hoso_problems *problems)
{
	size_t i;
	int error = 0;

	if (!set || !n)
		return 0;
	if (!set->index.fields && (error = gather_fields(set)) < 0)
		return error;
	set->index.state = set->index.n ? 0 : -1;
	for (i = 0; i < set->count && error == 0; i++) {
		const hoso_plugin *d = hoso_plugin_descriptor(set->items[i].plugin);
		hoso_host host = { set->repo, d->name, problems, txn, &set->index, NULL, NULL, "" };
		const hoso_validator *v = validator_of(&set->items[i], &host);

		if (v && v->check_set && v->check_set(set->items[i].state, &host, ids, n) < 0)
			error = plugin_failed(d, &host, "the rules across records");
	}
	hoso_findex_discard(set->index.findex);
	json_decref(set->index.walked);
	set->index.walked = NULL;
	return error;
}

static int verify_set_cb(void *payload, hoso_txn *txn, const char *const *ids, size_t n,
	hoso_problems *problems)
{
	return hoso_plugin_set_check_ids(payload, txn, ids, n, problems);
}

static int verify_record_cb(void *payload, hoso_repo *repo, const char *type, const char *unit,
	const char *id, const char *json, size_t len, hoso_problems *problems)
{
	return check_in(payload, repo, type, unit, id, json, len, problems);
}

void hoso_plugin_set_verify_options(hoso_plugin_set *set, hoso_verify_options *opts)
{
	size_t i;

	/* Every validator set up now, on this thread: verify calls them from others too. */
	for (i = 0; i < set->count; i++) {
		hoso_host host = { set->repo, hoso_plugin_descriptor(set->items[i].plugin)->name, NULL,
			NULL, NULL, NULL, NULL, "" };

		validator_of(&set->items[i], &host);
	}
	opts->record_cb = verify_record_cb;
	opts->set_cb = verify_set_cb;
	opts->check_payload = set;
}

int hoso_plugin_set_check_commit(hoso_txn *txn, hoso_problems *problems, void *payload)
{
	id_list changed = { NULL, 0, 0 };
	size_t i;
	int error;

	if ((error = hoso_txn_foreach_id(txn, collect_id, &changed)) == 0)
		error = hoso_plugin_set_check_ids(payload, txn, (const char *const *)changed.ids,
			changed.n, problems);
	for (i = 0; i < changed.n; i++)
		free(changed.ids[i]);
	free(changed.ids);
	return error;
}

/*
 * Members in Vietnamese order: by given name (the last word of full_name),
 * then the rest, as ICU's Vietnamese collation orders them (a ă â b c d đ
 * e ê ...). One walk makes a sort key a member (the keys, not the records,
 * are held); the records are then read again in that order.
 */
typedef struct {
	uint8_t *given, *rest; /* ICU sort keys, NUL-terminated */
	char unit[64];
	char id[HOSO_ID_LEN + 1];
} sort_row;

typedef struct {
	UCollator *coll;
	sort_row *rows;
	size_t n, cap;
	int error;
} sort_ctx;

/* The sort key of UTF-8 `s` (`n` bytes), malloc'd, in `*len`. */
static uint8_t *sort_key(UCollator *coll, const char *s, int32_t n, int32_t *len)
{
	UChar buf[512];
	UErrorCode status = U_ZERO_ERROR;
	int32_t ulen = 0;
	uint8_t *key;

	u_strFromUTF8(buf, 512, &ulen, s, n, &status);
	if (U_FAILURE(status) || ulen > 512)
		ulen = 0;
	*len = ucol_getSortKey(coll, buf, ulen, NULL, 0);
	if (!(key = malloc((size_t)*len)))
		return NULL;
	ucol_getSortKey(coll, buf, ulen, key, *len);
	return key;
}

/* A member's row: its sort keys from `name` (full_name). */
static int sort_add(sort_ctx *c, const char *unit, const char *id, const char *name);

static int sort_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	record_view v;
	int rc;

	(void)type;
	if (rv_open(&v, data, len) < 0)
		return sort_add(payload, unit, id, "");
	rc = sort_add(payload, unit, id, rv_str(&v, "full_name"));
	rv_close(&v);
	return rc;
}

static int sort_add(sort_ctx *c, const char *unit, const char *id, const char *name)
{
	const char *given;
	int32_t l1 = 0, l2 = 0;
	sort_row *r;

	if (c->n == c->cap) {
		sort_row *grown = realloc(c->rows, (c->cap = c->cap ? c->cap * 2 : 1024) * sizeof(sort_row));
		if (!grown)
			return c->error = hoso_error_set(HOSO_ERROR, "out of memory");
		c->rows = grown;
	}
	r = &c->rows[c->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	snprintf(r->id, sizeof(r->id), "%s", id);
	if (!name)
		name = "";
	given = strrchr(name, ' ') ? strrchr(name, ' ') + 1 : name;
	/* The given name wholly (tones too) before the rest: Chàn ... before Chản ... */
	r->given = sort_key(c->coll, given, -1, &l1);
	r->rest = sort_key(c->coll, name, (int32_t)(given - name), &l2);
	if (!r->given || !r->rest) {
		free(r->given);
		free(r->rest);
		return c->error = hoso_error_set(HOSO_ERROR, "out of memory");
	}
	c->n++;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const sort_row *x = a, *y = b;
	int c = strcmp((const char *)x->given, (const char *)y->given);

	if (c == 0)
		c = strcmp((const char *)x->rest, (const char *)y->rest);
	/* Namesakes by id: the same order however the names were gathered. */
	return c ? c : strcmp(x->id, y->id);
}

/* Every record of one type to the exporter. */
typedef struct {
	const hoso_exporter *x;
	void *state;
	hoso_host *host;
	int failed;
	const char *as_of; /* as on this day, or NULL */
	const char *unit;  /* with as_of: only this unit's records as on the day */
} export_ctx;

/* 1 if the record existed on `day`: an organization open, a member admitted. */
static int existed_on(const char *type, const char *data, size_t len, const char *day)
{
	const char *from = NULL, *to = NULL;
	json_t *rec;
	int yes;

	if (strcmp(type, "organization") != 0 && strcmp(type, "member") != 0)
		return 1;
	if (!(rec = json_loadb(data, len, 0, NULL)))
		return 1;
	if (strcmp(type, "organization") == 0) {
		from = json_string_value(json_object_get(rec, "founded_on"));
		to = json_string_value(json_object_get(rec, "dissolved_on"));
	} else {
		from = json_string_value(json_object_get(rec, "admission_date"));
	}
	yes = (!from || strcmp(from, day) <= 0) && (!to || strcmp(to, day) > 0);
	json_decref(rec);
	return yes;
}

static int export_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	export_ctx *e = payload;
	git_blob *then = NULL;
	int rc = 0;

	if (e->as_of) {
		if (hoso_host_as_of(e->host, e->unit, id, &unit, &data, &len, &then))
			return 0;
		if (!existed_on(type, data, len, e->as_of))
			goto done;
	}
	if (e->x->record(e->state, e->host, type, unit, data, len) < 0) {
		e->failed = 1;
		rc = -1;
	}
done:
	git_blob_free(then);
	return rc;
}

typedef struct {
	sort_ctx *c;
	const char *unit;
} named_ctx;

static int named_cb(const char *value, const char *unit, const char *id, void *payload)
{
	named_ctx *n = payload;

	return n->unit && strcmp(n->unit, unit) != 0 ? 0 : sort_add(n->c, unit, id, value);
}

/* The names from the field index when it can give them (no record read), else a walk. */
static int collect_names(hoso_plugin_set *set, git_tree *tip, const char *type, const char *unit,
	sort_ctx *c)
{
	named_ctx n = { c, unit };
	int error;

	if (!set->index.fields && gather_fields(set) < 0)
		goto walk;
	if (!set->index.findex && hoso_findex_open(&set->index.findex, set->repo, set->index.fields,
		set->index.n) < 0)
		goto walk;
	if (hoso_findex_update(set->index.findex, tip) < 0)
		goto walk;
	if ((error = hoso_findex_each(set->index.findex, "member.full_name", named_cb, &n)) == 0)
		return 0;
	/* Partway: start again by walking. */
	while (c->n > 0) {
		c->n--;
		free(c->rows[c->n].given);
		free(c->rows[c->n].rest);
	}
walk:
	return hoso_record_foreach(set->repo, tip, type, unit, sort_cb, c);
}

static int export_in_order(hoso_plugin_set *set, const char *type, const char *unit, export_ctx *e)
{
	hoso_repo *repo = set->repo;
	UErrorCode status = U_ZERO_ERROR;
	sort_ctx c = { NULL, NULL, 0, 0, 0 };
	git_tree *tip = NULL;
	size_t i;
	int error;

	if (!(c.coll = ucol_open("vi", &status)) || U_FAILURE(status))
		return hoso_error_set(HOSO_ERROR, "cannot open ICU's Vietnamese collation: %s",
			u_errorName(status));
	if ((error = hoso_repo_tip_tree(&tip, NULL, repo)) < 0)
		goto done;
	if ((error = collect_names(set, tip, type, unit, &c)) < 0)
		goto done;
	qsort(c.rows, c.n, sizeof(sort_row), by_key);
	for (i = 0; i < c.n && error == 0; i++) {
		git_blob *blob = NULL;
		char *path = NULL;

		if ((error = hoso_record_path_for(&path, c.rows[i].unit, type, c.rows[i].id)) == 0 &&
			(error = hoso_tree_read(&blob, hoso_repo_git(repo), tip, path)) == 0)
			error = export_cb(c.rows[i].unit, type, c.rows[i].id, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob), e);
		git_blob_free(blob);
		free(path);
	}
done:
	for (i = 0; i < c.n; i++) {
		free(c.rows[i].given);
		free(c.rows[i].rest);
	}
	free(c.rows);
	git_tree_free(tip);
	ucol_close(c.coll);
	return error;
}

int hoso_plugin_set_export(hoso_plugin_set *set, const char *format, const char *const *types,
	size_t ntypes, const char *unit, FILE *out, const json_t *options, hoso_problems *problems)
{
	entry *it = NULL;
	const hoso_plugin *d = NULL;
	const hoso_exporter *x = NULL;
	size_t i;
	int error = 0;

	for (i = 0; i < set->count && !x; i++) {
		const hoso_plugin *p = hoso_plugin_descriptor(set->items[i].plugin);
		if (p->exporter && p->exporter->struct_size >= offsetof(hoso_exporter, end) +
			sizeof(p->exporter->end) && p->exporter->format && strcmp(p->exporter->format, format) == 0) {
			it = &set->items[i];
			d = p;
			x = p->exporter;
		}
	}
	if (!x)
		return hoso_error_set(HOSO_ENOTFOUND, "no plugin exports '%s'", format);
	{
		hoso_host host = { set->repo, d->name, problems, NULL, NULL, out, options, "", NULL };
		export_ctx e = { x, NULL, &host, 0, json_string_value(json_object_get(options, "as_of")), NULL };
		hoso_units_as_of *view = NULL;

		/* As on a day: every unit is walked, each record counted in its unit then. */
		if (e.as_of) {
			if ((error = hoso_units_as_of_new(&view, set->repo, e.as_of)) < 0)
				return error;
			host.as_of = view;
			e.unit = unit;
			unit = NULL;
		}
		e.state = state_of(it, &host);
		for (i = 0; i < ntypes && error == 0; i++) {
			if (x->begin(e.state, &host, types[i]) < 0) {
				error = plugin_failed(d, &host, types[i]);
				break;
			}
			if (strcmp(types[i], "member") == 0)
				error = export_in_order(set, types[i], unit, &e);
			else
				error = hoso_record_foreach(set->repo, NULL, types[i], unit, export_cb, &e);
			if (e.failed)
				error = plugin_failed(d, &host, "a record");
		}
		if (error == 0 && x->end(e.state, &host) < 0)
			error = plugin_failed(d, &host, "the end of the export");
		if (error == 0 && fflush(out) != 0)
			error = hoso_error_set(HOSO_ERROR, "cannot write the export: %s", strerror(errno));
		hoso_units_as_of_free(view);
	}
	return error;
}

int hoso_plugin_set_report(hoso_plugin_set *set, const char *name, const char *format, FILE *out,
	const json_t *options, hoso_problems *problems)
{
	size_t i, k;

	for (i = 0; i < set->count; i++) {
		entry *it = &set->items[i];
		const hoso_plugin *d = hoso_plugin_descriptor(it->plugin);
		const hoso_report *rep = d->report;
		hoso_host host = { set->repo, d->name, problems, NULL, NULL, out, options, "", NULL };
		const char *as_of = json_string_value(json_object_get(options, "as_of"));
		hoso_units_as_of *view = NULL;
		int error = 0;

		if (!rep || strcmp(d->name, name) != 0 || rep->struct_size < offsetof(hoso_report, run) +
			sizeof(rep->run) || !rep->run)
			continue;
		for (k = 0; rep->formats && rep->formats[k] && strcmp(rep->formats[k], format) != 0; k++)
			;
		if (!rep->formats || !rep->formats[k])
			return hoso_error_set(HOSO_EUSAGE, "report '%s' has no format '%s'", name, format);
		/* The records in their units as on the report's day. */
		if (as_of && (error = hoso_units_as_of_new(&view, set->repo, as_of)) < 0)
			return error;
		host.as_of = view;
		if (rep->run(state_of(it, &host), &host, format) < 0)
			error = plugin_failed(d, &host, "the report");
		else if (fflush(out) != 0)
			error = hoso_error_set(HOSO_ERROR, "cannot write the report: %s", strerror(errno));
		hoso_units_as_of_free(view);
		return error;
	}
	return hoso_error_set(HOSO_ENOTFOUND, "no plugin makes the report '%s'", name);
}
