#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/access.h"
#include "hoso/id.h"
#include "hoso/json.h"
#include "hoso/schema.h"
#include "hoso/verify.h"
#include "internal.h"
#include "map.h"
#include "common.h"

/* A record the range changes, as `to` has it. */
typedef struct {
	char *path;
	char unit[64], type[64], id[HOSO_ID_LEN + 1];
	git_oid blob;
	int gone;      /* removed (or moved away from this path) */
	int added;     /* no file at this path before */
	hoso_problems *found; /* what checking its file found, or NULL */
} rec_change;

typedef struct {
	hoso_repo *repo;
	git_repository *git;
	const hoso_verify_options *opts;
	hoso_problems *problems;
	hoso_access *access;      /* who may write, as access.json was before the range; NULL: not checked */
	const git_tree *to_tree;
	json_t *units;            /* the unit codes of `to`'s hoso.json: code -> true */
	hoso_schema_set *schemas; /* `to`'s schemas, each loaded when first needed */
	hoso_map *ids;            /* id -> its change's path: a record at two paths */
	rec_change *recs;
	size_t nrecs, cap;
	size_t checked;
} verify_ctx;

#define PROBLEM(v, path, field, rule, ...) \
	hoso_problems_add((v)->problems, HOSO_SEVERITY_ERROR, path, 0, field, rule, __VA_ARGS__)
#define FOUND(list, path, field, rule, ...) \
	hoso_problems_add(list, HOSO_SEVERITY_ERROR, path, 0, field, rule, __VA_ARGS__)

static int read_blob(git_blob **out, verify_ctx *v, const git_oid *id, const char *path)
{
	if (git_blob_lookup(out, v->git, id) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot read '%s'", path);
	return 0;
}

/* Parsed (and, for a `canonical` file, in canonical form), or problems: the value (new reference) or NULL. */
static json_t *parse_file(hoso_problems *found, const char *path, const char *data, size_t len,
	int canonical)
{
	size_t before = hoso_problems_count(found), n;
	json_t *value = NULL;
	char *text = NULL;

	if (hoso_json_parse(&value, data, len, found) < 0) {
		hoso_problems_locate(found, before, path, 0);
		return NULL;
	}
	if (!canonical)
		return value;
	if (hoso_json_canonical(&text, &n, value) < 0) {
		json_decref(value);
		return NULL;
	}
	if (n != len || memcmp(text, data, len) != 0)
		FOUND(found, path, NULL, "canonical", "is not in the canonical form hoso writes "
			"(keys sorted, 2-space indent, NFC strings, a final newline)");
	free(text);
	return value;
}

/* hoso.json: the province and its units. */
/* A closed unit holds no record: they went to its successors. */
static void closed_unit_empty(verify_ctx *v, const json_t *u, const char *field)
{
	const char *code = json_string_value(json_object_get(u, "code"));
	const char *last = json_string_value(json_object_get(u, "valid_to"));
	git_tree_entry *e = NULL;
	char path[80];

	if (!code || !last || strlen(code) > 64)
		return;
	snprintf(path, sizeof(path), "data/%s", code);
	if (v->to_tree && git_tree_entry_bypath(&e, v->to_tree, path) == 0)
		PROBLEM(v, "hoso.json", field, "unit", "unit '%s' was closed after %s, and '%s/' still "
			"holds records", code, last, path);
	git_tree_entry_free(e);
}

/* Each of `list` (at `field`) is a unit of `codes`. */
static void check_codes(verify_ctx *v, const char *path, const char *field, const json_t *list,
	const json_t *codes)
{
	const json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		if (!json_is_string(c) || !json_object_get(codes, json_string_value(c)))
			PROBLEM(v, path, field, "unit", "'%s' is not a unit of hoso.json",
				json_is_string(c) ? json_string_value(c) : "(not a string)");
}

/*
 * The days and links of units changed by 'hoso unit': real dates, and
 * successors, predecessors and the reorganizations' units that exist.
 */
static void check_unit_links(verify_ctx *v, const char *path, const json_t *config,
	const json_t *codes)
{
	static const char *const days[] = { "valid_from", "valid_to" };
	const json_t *u, *r;
	const char *day;
	char field[96];
	size_t i, k;

	json_array_foreach(json_object_get(config, "units"), i, u) {
		for (k = 0; k < 2; k++) {
			snprintf(field, sizeof(field), "units[%zu].%s", i, days[k]);
			if ((day = json_string_value(json_object_get(u, days[k]))) && !hoso_date_valid(day))
				PROBLEM(v, path, field, "format", "'%s' is not a date (YYYY-MM-DD)", day);
		}
		snprintf(field, sizeof(field), "units[%zu].successors", i);
		check_codes(v, path, field, json_object_get(u, "successors"), codes);
		snprintf(field, sizeof(field), "units[%zu].predecessors", i);
		check_codes(v, path, field, json_object_get(u, "predecessors"), codes);
	}
	json_array_foreach(json_object_get(config, "reorganizations"), i, r) {
		const char *before = json_string_value(json_object_get(r, "before"));
		git_oid id;

		snprintf(field, sizeof(field), "reorganizations[%zu].on", i);
		if (!(day = json_string_value(json_object_get(r, "on"))) || !hoso_date_valid(day))
			PROBLEM(v, path, field, "format", "a reorganization needs the day it took effect (YYYY-MM-DD)");
		snprintf(field, sizeof(field), "reorganizations[%zu].from", i);
		check_codes(v, path, field, json_object_get(r, "from"), codes);
		snprintf(field, sizeof(field), "reorganizations[%zu].into", i);
		check_codes(v, path, field, json_object_get(r, "into"), codes);
		snprintf(field, sizeof(field), "reorganizations[%zu].before", i);
		if (before && (git_oid_fromstr(&id, before) < 0 || strlen(before) != GIT_OID_HEXSZ))
			PROBLEM(v, path, field, "format", "'%.48s' is not a commit id", before);
	}
}

static void check_config(verify_ctx *v, const char *path, const char *data, size_t len)
{
	json_t *config = parse_file(v->problems, path, data, len, 1), *units, *u;
	json_t *codes = json_object();
	size_t i;

	if (!config)
		goto done;
	if (!json_is_object(json_object_get(config, "province")))
		PROBLEM(v, path, "province", "required", "the province is missing");
	if (!json_is_array(units = json_object_get(config, "units")))
		PROBLEM(v, path, "units", "required", "the list of units is missing");
	json_array_foreach(units, i, u) {
		const char *code = json_string_value(json_object_get(u, "code"));
		char field[64];

		snprintf(field, sizeof(field), "units[%zu].code", i);
		if (!code || !*code || strchr(code, '/') || strlen(code) >= 64)
			PROBLEM(v, path, field, "pattern", "a unit needs a code (a directory name)");
		else if (json_object_get(codes, code))
			PROBLEM(v, path, field, "unique", "unit '%s' is listed twice", code);
		else
			json_object_set_new(codes, code, json_true());
		closed_unit_empty(v, u, field);
	}
	check_unit_links(v, path, config, codes);
done:
	json_decref(config);
	json_decref(codes);
}

/* The unit codes of `to`'s hoso.json, for the records' paths. */
static int load_units(verify_ctx *v)
{
	git_blob *blob = NULL;
	json_t *config, *u;
	size_t i;

	v->units = json_object();
	if (hoso_tree_read(&blob, v->git, v->to_tree, "hoso.json") < 0)
		return 0; /* its absence is a problem of its own */
	config = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, NULL);
	/* code -> the last day of a closed unit, or true */
	json_array_foreach(json_object_get(config, "units"), i, u)
		if (json_is_string(json_object_get(u, "code")))
			json_object_set_new(v->units, json_string_value(json_object_get(u, "code")),
				json_is_string(json_object_get(u, "valid_to")) ?
				json_incref(json_object_get(u, "valid_to")) : json_true());
	json_decref(config);
	git_blob_free(blob);
	return 0;
}

/* The schema of `type` as `to` has it, or NULL. */
static const hoso_schema *schema_of(verify_ctx *v, const char *type)
{
	const hoso_schema *s = hoso_schema_set_get(v->schemas, type);
	git_blob *blob = NULL;
	char path[128];

	if (s || strlen(type) > 64)
		return s;
	snprintf(path, sizeof(path), "schemas/%s.schema.json", type);
	if (hoso_tree_read(&blob, v->git, v->to_tree, path) == 0 &&
		hoso_schema_set_add(v->schemas, type, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob), path) == 0)
		s = hoso_schema_set_get(v->schemas, type);
	git_blob_free(blob);
	return s;
}

static void check_schema_file(verify_ctx *v, const char *path, const char *data, size_t len)
{
	const char *name = path + strlen("schemas/");
	size_t n = strlen(name);
	hoso_schema_set *set = NULL;
	char type[64];
	json_t *value;

	if (n <= 12 || n - 12 >= sizeof(type) || strcmp(name + n - 12, ".schema.json") != 0 ||
		strchr(name, '/')) {
		PROBLEM(v, path, NULL, "path", "schemas/ holds only <type>.schema.json files");
		return;
	}
	memcpy(type, name, n - 12);
	type[n - 12] = '\0';
	if (!(value = parse_file(v->problems, path, data, len, 0)))
		return;
	json_decref(value);
	if (hoso_schema_set_new(&set) == 0 && hoso_schema_set_add(set, type, data, len, path) < 0)
		PROBLEM(v, path, NULL, "schema", "is not a usable schema: %s", hoso_error_last());
	hoso_schema_set_free(set);
}

/*
 * A record's bytes at its path: JSON, canonical, where its type and id say,
 * valid against its schema. Into `found`; 1 when the validators may see it.
 * Safe on several threads at once: the schemas are loaded beforehand.
 */
static int check_file(const verify_ctx *v, const rec_change *rc, const char *data, size_t len,
	hoso_problems *found)
{
	size_t before = hoso_problems_count(found);
	const hoso_schema *schema;
	const char *type, *id;
	const json_t *unit;
	size_t at = 5 + strlen(rc->unit) + 1 + strlen(rc->type) + 1;
	char shard[3];
	json_t *rec;

	if (!(rec = parse_file(found, rc->path, data, len, 1)))
		return 0;
	type = json_string_value(json_object_get(rec, "type"));
	id = json_string_value(json_object_get(rec, "id"));
	hoso_id_shard(shard, rc->id);
	if (!(unit = json_object_get(v->units, rc->unit)))
		FOUND(found, rc->path, NULL, "unit", "unit '%s' is not in hoso.json", rc->unit);
	else if (json_is_string(unit))
		FOUND(found, rc->path, NULL, "unit", "unit '%s' was closed after %s: its records belong "
			"to the units that took its place", rc->unit, json_string_value(unit));
	if (!type || strcmp(type, rc->type) != 0)
		FOUND(found, rc->path, "type", "path", "the record's type '%s' is not its directory's '%s'",
			type ? type : "(none)", rc->type);
	if (!id || strcmp(id, rc->id) != 0)
		FOUND(found, rc->path, "id", "path", "the record's id '%.40s' is not its file's name",
			id ? id : "(none)");
	if (strncmp(rc->path + at, shard, strlen(shard)) != 0 || rc->path[at + strlen(shard)] != '/')
		FOUND(found, rc->path, NULL, "path", "the record belongs in shard '%s' of its type", shard);
	if (!(schema = hoso_schema_set_get(v->schemas, rc->type)))
		FOUND(found, rc->path, "type", "type", "no schema for record type '%s' (schemas/%s.schema.json)",
			rc->type, rc->type);
	else
		hoso_schema_validate(schema, rec, found);
	hoso_problems_locate(found, before, rc->path, 0);
	json_decref(rec);
	return hoso_problems_count(found) == before;
}

/* Append every problem of `src` to `dst`, at `where` when they have no place. */
static int copy_problems(hoso_problems *dst, const hoso_problems *src, const char *where)
{
	size_t i;
	int error = 0;

	for (i = 0; i < hoso_problems_count(src) && error == 0; i++) {
		const hoso_problem *p = hoso_problems_get(src, i);

		error = hoso_problems_add(dst, p->severity, p->where ? p->where : where, p->line,
			p->field, p->rule, "%s", p->message);
		if (error == 0 && p->record)
			error = hoso_problems_set_record(dst, p->record);
	}
	return error;
}

/* Keep what `scratch` holds as record `rc`'s findings, and empty it. */
static int keep_found(rec_change *rc, hoso_problems *scratch)
{
	int error;

	if (!hoso_problems_count(scratch))
		return 0;
	if (!rc->found && hoso_problems_new(&rc->found) < 0)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	error = copy_problems(rc->found, scratch, rc->path);
	hoso_problems_truncate(scratch, 0);
	return error;
}

/* The validators on one record's text, looking records up through `repo` (this thread's). */
static int validate(verify_ctx *v, hoso_repo *repo, rec_change *rc, const char *data, size_t len,
	hoso_problems *scratch)
{
	int error = 0;

	if (v->opts->record_cb)
		error = v->opts->record_cb(v->opts->check_payload, repo, rc->type, rc->unit, rc->id,
			data, len, scratch);
	return error < 0 ? error : keep_found(rc, scratch);
}

/* Records `from` to `to` (but the gone): their files checked, then the validators on them. */
static int check_some(verify_ctx *v, hoso_repo *repo, size_t from, size_t to,
	hoso_problems *scratch)
{
	size_t i;
	int error = 0;

	for (i = from; i < to && error == 0; i++) {
		rec_change *rc = &v->recs[i];
		git_blob *blob = NULL;
		size_t len;

		if (rc->gone)
			continue;
		if (git_blob_lookup(&blob, hoso_repo_git(repo), &rc->blob) < 0)
			return hoso_error_git(HOSO_ERROR, "cannot read '%s'", rc->path);
		len = (size_t)git_blob_rawsize(blob);
		error = check_file(v, rc, git_blob_rawcontent(blob), len, scratch) ?
			validate(v, repo, rc, git_blob_rawcontent(blob), len, scratch) :
			keep_found(rc, scratch);
		git_blob_free(blob);
	}
	return error;
}

/*
 * Many records' files are checked by worker threads, each with its own
 * handle on the repository, while this thread runs the rules across
 * records. A worker takes CHUNK records at a time and keeps each one's
 * findings with it.
 */
#define WORKERS 2
#define PARALLEL_FROM 256 /* records: fewer are checked on this thread alone */
#define CHUNK 256

typedef struct {
	verify_ctx *v;
	pthread_mutex_t lock;
	size_t next;       /* the next record to take */
	int error;         /* the first failure */
	char message[512]; /* and its message (errors are per thread) */
	pthread_t threads[WORKERS];
	int started;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	verify_ctx *v = p->v;
	hoso_repo *repo = NULL;
	hoso_problems *scratch = NULL;
	int error;

	if ((error = hoso_repo_open_again(&repo, v->repo)) == 0 &&
		(error = hoso_problems_new(&scratch)) == 0) {
		for (;;) {
			size_t from, to;

			pthread_mutex_lock(&p->lock);
			from = p->error ? v->nrecs : p->next;
			to = p->next = from + CHUNK < v->nrecs ? from + CHUNK : v->nrecs;
			pthread_mutex_unlock(&p->lock);
			if (from >= v->nrecs || (error = check_some(v, repo, from, to, scratch)) < 0)
				break;
		}
	}
	if (error) {
		pthread_mutex_lock(&p->lock);
		if (!p->error) {
			p->error = error;
			snprintf(p->message, sizeof(p->message), "%s", hoso_error_last());
		}
		pthread_mutex_unlock(&p->lock);
	}
	hoso_problems_free(scratch);
	hoso_repo_free(repo);
	return NULL;
}

/* Start checking the records' files: on workers when there are many, else here and now. */
static int files_start(pool *p, verify_ctx *v)
{
	hoso_problems *scratch = NULL;
	size_t i, n = 0;
	int error, k;

	memset(p, 0, sizeof(*p));
	p->v = v;
	/* The schemas, loaded before any thread needs one. */
	for (i = 0; i < v->nrecs; i++)
		if (!v->recs[i].gone) {
			schema_of(v, v->recs[i].type);
			n++;
		}
	if (n >= PARALLEL_FROM) {
		pthread_mutex_init(&p->lock, NULL);
		for (k = 0; k < WORKERS; k++)
			if (pthread_create(&p->threads[p->started], NULL, worker, p) == 0)
				p->started++;
		if (p->started)
			return 0;
		pthread_mutex_destroy(&p->lock);
	}
	if ((error = hoso_problems_new(&scratch)) == 0)
		error = check_some(v, v->repo, 0, v->nrecs, scratch);
	hoso_problems_free(scratch);
	return error;
}

/* Wait for the workers; then every record's findings, in the order of the records. */
static int files_finish(pool *p, verify_ctx *v)
{
	size_t i;
	int k, error = 0;

	for (k = 0; k < p->started; k++)
		pthread_join(p->threads[k], NULL);
	if (p->started) {
		pthread_mutex_destroy(&p->lock);
		if (p->error)
			error = hoso_error_set(p->error, "%s", p->message);
	}
	for (i = 0; i < v->nrecs && error == 0; i++)
		if (v->recs[i].found)
			error = copy_problems(v->problems, v->recs[i].found, v->recs[i].path);
	return error;
}

/* Who may write `path`: a problem naming the user, their role and the path when not. */
static void check_writer(verify_ctx *v, const char *path)
{
	const char *user = v->opts->user, *role;
	char unit[64], type[64], id[HOSO_ID_LEN + 1];

	if (!v->access || hoso_access_may_write(v->access, user, path))
		return;
	role = hoso_access_role(v->access, user);
	if (!role)
		PROBLEM(v, path, NULL, "access", "'%s' is not in access.json and may write nothing", user);
	else if (strncmp(path, "data/", 5) != 0)
		PROBLEM(v, path, NULL, "access", "only an admin may change '%s' ('%s' is a %s)",
			path, user, role);
	else if (hoso_record_path_parse(path, unit, type, id) || sscanf(path, "data/%63[^/]", unit) == 1)
		PROBLEM(v, path, NULL, "access", "'%s' (%s) may not write in unit '%s'", user, role, unit);
}

static int add_rec(verify_ctx *v, const char *path, const char *unit, const char *type,
	const char *id, const git_oid *old, const git_oid *blob)
{
	rec_change *rc;

	if (v->nrecs == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		rec_change *recs = realloc(v->recs, cap * sizeof(*recs));

		if (!recs)
			return hoso_error_set(HOSO_ERROR, "out of memory");
		v->recs = recs;
		v->cap = cap;
	}
	rc = &v->recs[v->nrecs];
	memset(rc, 0, sizeof(*rc));
	if (!(rc->path = strdup(path)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	v->nrecs++;
	snprintf(rc->unit, sizeof(rc->unit), "%s", unit);
	snprintf(rc->type, sizeof(rc->type), "%s", type);
	memcpy(rc->id, id, sizeof(rc->id));
	rc->gone = blob == NULL;
	rc->added = old == NULL;
	if (blob)
		git_oid_cpy(&rc->blob, blob);
	return 0;
}

/*
 * The CI configuration an admin commits so that CI runs this verify on
 * every push (packaging/ci/): GitLab's file, and workflow files of Gitea and
 * GitHub Actions. Only an admin may write them (check_writer), as any file
 * outside data/.
 */
static int ci_file(const char *path)
{
	static const char *const dirs[] = { ".gitea/workflows/", ".github/workflows/", NULL };
	size_t i, n = strlen(path);

	if (strcmp(path, ".gitlab-ci.yml") == 0)
		return 1;
	for (i = 0; dirs[i]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0 && !strchr(path + strlen(dirs[i]), '/') &&
			((n > 4 && strcmp(path + n - 4, ".yml") == 0) || (n > 5 && strcmp(path + n - 5, ".yaml") == 0)))
			return 1;
	return 0;
}

static int delta_cb(const char *path, const git_oid *old, const git_oid *new, void *payload)
{
	verify_ctx *v = payload;
	char unit[64], type[64], id[HOSO_ID_LEN + 1];
	git_blob *blob = NULL;
	const char *data;
	size_t len;
	int error = 0, record;

	v->checked++;
	if (v->opts->checked_cb)
		v->opts->checked_cb(path, v->opts->checked_payload);
	check_writer(v, path);
	record = hoso_record_path_parse(path, unit, type, id);
	if (record)
		error = add_rec(v, path, unit, type, id, old, new);
	if (error < 0 || !new) {
		if (!new && (strcmp(path, "hoso.json") == 0 || strcmp(path, "access.json") == 0))
			PROBLEM(v, path, NULL, "required", "is gone: a data repository needs it");
		return error;
	}
	if (record)
		return 0; /* its file is checked with the others, below */
	if (strncmp(path, "data/", 5) == 0) {
		PROBLEM(v, path, NULL, "path", "not a record's path (data/<unit>/<type>/<shard>/<id>.json)");
		return 0;
	}
	if (ci_file(path))
		return 0;
	if ((error = read_blob(&blob, v, new, path)) < 0)
		return error;
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (strcmp(path, "hoso.json") == 0)
		check_config(v, path, data, len);
	else if (strcmp(path, "access.json") == 0) {
		hoso_access *a = NULL;

		hoso_access_parse(&a, data, len, path, v->repo, v->problems);
		hoso_access_free(a);
	} else if (strncmp(path, "schemas/", 8) == 0)
		check_schema_file(v, path, data, len);
	else
		PROBLEM(v, path, NULL, "path",
			"not a file of a data repository (hoso.json, access.json, schemas/, data/, "
			"and CI's .gitlab-ci.yml, .gitea/workflows/, .github/workflows/)");
	git_blob_free(blob);
	return error;
}

/* The tree of commit `id`, or NULL for a zero id. */
static int tree_of(git_tree **out, git_commit **commit_out, verify_ctx *v, const git_oid *id)
{
	git_commit *c = NULL;
	int error = 0;

	*out = NULL;
	if (git_commit_lookup(&c, v->git, id) < 0 || git_commit_tree(out, c) < 0)
		error = hoso_error_git(HOSO_ERROR, "cannot read commit %s", git_oid_tostr_s(id));
	if (commit_out && error == 0)
		*commit_out = c;
	else
		git_commit_free(c);
	return error;
}

/* `rev` as a commit id. */
static int resolve(git_oid *out, git_repository *git, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	int error = 0;

	if (git_revparse_single(&obj, git, rev) < 0 ||
		git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0)
		error = hoso_error_set(HOSO_ENOTFOUND, "no commit '%s' in this repository", rev);
	else
		git_oid_cpy(out, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return error;
}

/*
 * A new branch (`from` all zeros): from its merge base with main. None when
 * there is no main, or `to` is on main already (CI after main's first push).
 */
static void new_branch_base(git_oid *out, int *has, int *on_main, git_repository *git,
	const git_oid *to)
{
	git_oid main;

	*has = *on_main = 0;
	if (git_reference_name_to_id(&main, git, HOSO_BRANCH) < 0)
		return;
	if (git_oid_equal(&main, to) || git_graph_descendant_of(git, &main, to) == 1)
		*on_main = 1;
	else if (git_merge_base(out, git, &main, to) == 0)
		*has = 1;
}

/*
 * Each problem's commit: the newest commit of the range that changed its
 * path (a merge only where it differs from every parent); else `to`.
 */
static int attribute(verify_ctx *v, const hoso_verify_result *r, size_t from)
{
	size_t i, n = hoso_problems_count(v->problems), left = n - from;
	git_revwalk *walk = NULL;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	unsigned char *done;
	int error = 0;

	if (left == 0)
		return 0;
	if (!(done = calloc(n, 1)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (r->has_from) {
		if (git_revwalk_new(&walk, v->git) < 0 || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL) < 0 ||
			git_revwalk_push(walk, &r->to) < 0 || git_revwalk_hide(walk, &r->from) < 0) {
			error = hoso_error_git(HOSO_ERROR, "cannot walk the range");
			goto finish;
		}
		while (left && git_revwalk_next(&id, walk) == 0) {
			git_commit *c = NULL;
			git_tree *t = NULL;

			if (git_commit_lookup(&c, v->git, &id) < 0 || git_commit_tree(&t, c) < 0) {
				git_commit_free(c);
				error = hoso_error_git(HOSO_ERROR, "cannot read commit %s", git_oid_tostr_s(&id));
				break;
			}
			git_oid_tostr(hex, sizeof(hex), &id);
			for (i = from; i < n; i++) {
				const hoso_problem *p = hoso_problems_get(v->problems, i);
				git_tree_entry *e = NULL;
				unsigned int k, same = 0, np = git_commit_parentcount(c);

				if (done[i] || !p->where)
					continue;
				git_tree_entry_bypath(&e, t, p->where);
				for (k = 0; k < np && !same; k++) {
					git_commit *pc = NULL;
					git_tree *pt = NULL;
					git_tree_entry *pe = NULL;

					if (git_commit_parent(&pc, c, k) == 0 && git_commit_tree(&pt, pc) == 0)
						git_tree_entry_bypath(&pe, pt, p->where);
					same = (!e && !pe) || (e && pe &&
						git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(pe)));
					git_tree_entry_free(pe);
					git_tree_free(pt);
					git_commit_free(pc);
				}
				git_tree_entry_free(e);
				if (!same) {
					done[i] = 1;
					left--;
					if ((error = hoso_problems_set_commit(v->problems, i, hex)) < 0)
						break;
				}
			}
			git_tree_free(t);
			git_commit_free(c);
		}
	}
finish:
	git_oid_tostr(hex, sizeof(hex), &r->to);
	for (i = from; i < n && error == 0; i++)
		if (!done[i])
			error = hoso_problems_set_commit(v->problems, i, hex);
	git_revwalk_free(walk);
	free(done);
	return error;
}

/* An added record whose id is at another path of `to` too: one record, one file. */
static int check_unique(verify_ctx *v, const rec_change *rc, const git_tree *data)
{
	size_t i, n = data ? git_tree_entrycount(data) : 0;
	const char *other;
	char shard[3];

	if ((other = hoso_map_get(v->ids, rc->id)) && strcmp(other, rc->path) != 0) {
		PROBLEM(v, rc->path, "id", "unique", "record %s is also at '%s'", rc->id, other);
		return 0;
	}
	if (hoso_map_set(v->ids, rc->id, rc->path, NULL) < 0)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (!rc->added || !data)
		return 0;
	hoso_id_shard(shard, rc->id);
	for (i = 0; i < n; i++) {
		const char *unit = git_tree_entry_name(git_tree_entry_byindex(data, i));
		git_tree_entry *e = NULL;
		char path[256];

		if (strcmp(unit, rc->unit) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/%s.json", unit, rc->type, shard, rc->id);
		if (git_tree_entry_bypath(&e, data, path) == 0) {
			PROBLEM(v, rc->path, "id", "unique", "record %s is also at 'data/%s'", rc->id, path);
			git_tree_entry_free(e);
		}
	}
	return 0;
}

/* Stage the records in a transaction on `from` that only checks, and run the rules across them. */
static int check_sets(verify_ctx *v, const git_tree *from_tree, int whole)
{
	hoso_txn_options topts = HOSO_TXN_OPTIONS_INIT;
	hoso_txn *txn = NULL;
	git_tree *data = NULL;
	git_tree_entry *de = NULL;
	const char **ids = NULL;
	size_t i, n = 0, before = hoso_problems_count(v->problems);
	int error;

	if (hoso_map_new(&v->ids) < 0)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (git_tree_entry_bypath(&de, v->to_tree, "data") == 0)
		git_tree_lookup(&data, v->git, git_tree_entry_id(de));
	git_tree_entry_free(de);
	/* Everything at `to`: checked against itself. Else the changes on top of `from`. */
	topts.problems = v->problems;
	if ((error = hoso_txn_begin_check(&txn, v->repo, whole ? v->to_tree : from_tree, &topts)) < 0)
		goto done;
	if (!(ids = malloc((v->nrecs ? v->nrecs : 1) * sizeof(*ids)))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	/* A move's removal first, so that its addition is what the id reads. */
	for (i = 0; i < v->nrecs && error == 0 && !whole; i++)
		if (v->recs[i].gone)
			error = hoso_txn_stage_path(txn, v->recs[i].path, v->recs[i].id, NULL, NULL, NULL);
	for (i = 0; i < v->nrecs && error == 0; i++) {
		rec_change *rc = &v->recs[i];

		if (rc->gone)
			continue;
		ids[n++] = rc->id;
		if ((error = check_unique(v, rc, whole ? NULL : data)) == 0 && !whole)
			error = hoso_txn_stage_path(txn, rc->path, rc->id, rc->unit, rc->type, &rc->blob);
	}
	/* Gone, and not moved elsewhere in the range: the rules see what referred to it. */
	for (i = 0; i < v->nrecs; i++)
		if (v->recs[i].gone && !hoso_map_get(v->ids, v->recs[i].id))
			ids[n++] = v->recs[i].id;
	if (error == 0 && v->opts->set_cb)
		error = v->opts->set_cb(v->opts->check_payload, txn, ids, n, v->problems);
	/* A rule across records names the record: say where it is (at `to`). */
	for (i = before; i < hoso_problems_count(v->problems) && error == 0; i++) {
		const hoso_problem *p = hoso_problems_get(v->problems, i);
		const char *path = p->record && !p->where ? hoso_map_get(v->ids, p->record) : NULL;
		char unit[64], type[64], *found = NULL;

		if (!path && p->record && !p->where && hoso_id_valid(p->record) &&
			hoso_tree_find(unit, type, v->repo, v->to_tree, NULL, p->record) == 1 &&
			hoso_record_path_for(&found, unit, type, p->record) == 0)
			path = found;
		if (path)
			error = hoso_problems_place(v->problems, i, path, 0);
		free(found);
	}
done:
	free(ids);
	hoso_txn_free(txn);
	git_tree_free(data);
	return error;
}

int hoso_verify(hoso_repo *repo, const char *from, const char *to,
	const hoso_verify_options *opts, hoso_verify_result *result, hoso_problems *problems)
{
	hoso_verify_options defaults = HOSO_VERIFY_OPTIONS_INIT;
	verify_ctx v;
	git_tree *from_tree = NULL, *to_tree = NULL;
	hoso_verify_result r;
	size_t before = hoso_problems_count(problems), i;
	pool files;
	int error = 0, on_main = 0, rc;

	memset(&v, 0, sizeof(v));
	memset(&r, 0, sizeof(r));
	v.repo = repo;
	v.git = hoso_repo_git(repo);
	v.opts = opts ? opts : &defaults;
	v.problems = problems;
	if ((error = resolve(&r.to, v.git, to ? to : HOSO_BRANCH)) < 0)
		goto done;
	if (from && strspn(from, "0") == GIT_OID_HEXSZ && strlen(from) == GIT_OID_HEXSZ)
		new_branch_base(&r.from, &r.has_from, &on_main, v.git, &r.to);
	else if (from && *from && (error = resolve(&r.from, v.git, from)) == 0)
		r.has_from = 1;
	if (error < 0 || (r.has_from && (error = tree_of(&from_tree, NULL, &v, &r.from)) < 0) ||
		(error = tree_of(&to_tree, NULL, &v, &r.to)) < 0)
		goto done;
	v.to_tree = to_tree;
	if ((error = hoso_schema_set_new(&v.schemas)) < 0 || (error = load_units(&v)) < 0)
		goto done;
	/*
	 * Who may write: access.json as the hub had it before the range (else
	 * as `to` has it). A new branch at a commit main has already wrote
	 * nothing new: everything is checked, but not as that user's.
	 */
	if (from && v.opts->user && !on_main) {
		hoso_problems *why = NULL;

		if ((error = hoso_problems_new(&why)) < 0)
			goto done;
		if (hoso_access_load(&v.access, repo, from_tree ? from_tree : to_tree, why) < 0)
			PROBLEM(&v, "access.json", NULL, "access",
				"who may write cannot be told, so nothing may be: %s",
				hoso_problems_count(why) ? hoso_problems_get(why, 0)->message : hoso_error_last());
		hoso_problems_free(why);
	}
	if ((error = hoso_tree_delta(v.git, from_tree, to_tree, "", delta_cb, &v)) < 0 ||
		(error = files_start(&files, &v)) < 0)
		goto done;
	/* The rules across records here, while the workers (if any) check the files. */
	error = check_sets(&v, from_tree, !r.has_from);
	if ((rc = files_finish(&files, &v)) < 0 && error == 0)
		error = rc;
	if (error < 0)
		goto done;
	hoso_problems_sort(problems, before);
	if ((error = attribute(&v, &r, before)) < 0)
		goto done;
	r.checked = v.checked;
	if (result)
		*result = r;
done:
	for (i = 0; i < v.nrecs; i++) {
		free(v.recs[i].path);
		hoso_problems_free(v.recs[i].found);
	}
	free(v.recs);
	hoso_map_free(v.ids);
	hoso_schema_set_free(v.schemas);
	json_decref(v.units);
	hoso_access_free(v.access);
	git_tree_free(from_tree);
	git_tree_free(to_tree);
	return error;
}
