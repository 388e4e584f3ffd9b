#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findex.h"
#include "record_view.h"
#include "internal.h"
#include "common.h"

/* Bumped whenever what the file holds changes meaning: an old file is rebuilt. */
#define FINDEX_VERSION "2"

struct hoso_findex {
	hoso_repo *repo;
	sqlite3 *db;
	char *path;
	char **fields;      /* sorted "type.field" */
	size_t n;
	char *field_list;   /* the fields, comma-joined: what the file must hold */
	sqlite3_stmt *ins, *del, *find, *where;
	int scratch;
};

static int db_error(hoso_findex *ix, const char *what)
{
	return hoso_error_set(HOSO_ERROR, "field index '%s': %s: %s", ix->path, what,
		ix->db ? sqlite3_errmsg(ix->db) : "cannot open");
}

static int exec(hoso_findex *ix, const char *sql)
{
	return sqlite3_exec(ix->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_error(ix, sql);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void hoso_findex_free(hoso_findex *ix)
{
	size_t i;

	if (!ix)
		return;
	if (ix->scratch)
		hoso_findex_discard(ix);
	sqlite3_finalize(ix->ins);
	sqlite3_finalize(ix->del);
	sqlite3_finalize(ix->find);
	sqlite3_finalize(ix->where);
	sqlite3_close(ix->db);
	for (i = 0; i < ix->n; i++)
		free(ix->fields[i]);
	free(ix->fields);
	free(ix->field_list);
	free(ix->path);
	free(ix);
}

/* The value of `key` in meta, malloc'd, or NULL. */
static char *meta_get(hoso_findex *ix, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *value = NULL;

	if (sqlite3_prepare_v2(ix->db, "SELECT v FROM meta WHERE k = ?1", -1, &st, NULL) == SQLITE_OK &&
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		value = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return value;
}

static int meta_set(hoso_findex *ix, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(ix->db, "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)", -1, &st,
		NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(ix, "cannot write its state");
}

static int connect(hoso_findex *ix)
{
	char *version, *fields;
	int stale;

	if (sqlite3_open_v2(ix->path, &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		SQLITE_OK)
		return db_error(ix, "cannot open");
	sqlite3_busy_timeout(ix->db, 10000);
	/* A cache: a crash may lose its last update (it then catches up), never its consistency. */
	if (exec(ix, "PRAGMA journal_mode=WAL") < 0 || exec(ix, "PRAGMA synchronous=OFF") < 0 ||
		exec(ix, "PRAGMA cache_size=-65536") < 0 ||
		exec(ix, "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID") < 0 ||
		exec(ix, "CREATE TABLE IF NOT EXISTS f(field TEXT, value TEXT, id TEXT, unit TEXT, "
			"PRIMARY KEY(field, value, id)) WITHOUT ROWID") < 0 ||
		exec(ix, "CREATE INDEX IF NOT EXISTS f_id ON f(id)") < 0)
		return HOSO_ERROR;
	/* Another version, or other fields: start again. */
	version = meta_get(ix, "version");
	fields = meta_get(ix, "fields");
	stale = !version || strcmp(version, FINDEX_VERSION) != 0 || !fields ||
		strcmp(fields, ix->field_list) != 0;
	free(fields);
	free(version);
	if (stale && (exec(ix, "BEGIN IMMEDIATE") < 0 || exec(ix, "DELETE FROM f") < 0 ||
		exec(ix, "DELETE FROM meta") < 0 || meta_set(ix, "version", FINDEX_VERSION) < 0 ||
		meta_set(ix, "fields", ix->field_list) < 0 || exec(ix, "COMMIT") < 0))
		return HOSO_ERROR;
	if (sqlite3_prepare_v2(ix->db,
			"INSERT OR IGNORE INTO f(field, value, id, unit) VALUES (?1, ?2, ?3, ?4)",
			-1, &ix->ins, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(ix->db, "DELETE FROM f WHERE id = ?1", -1, &ix->del, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(ix->db, "SELECT id, unit FROM f WHERE field = ?1 AND value = ?2", -1,
			&ix->find, NULL) != SQLITE_OK ||
		sqlite3_prepare_v2(ix->db, "SELECT field, unit FROM f WHERE id = ?1 LIMIT 1", -1,
			&ix->where, NULL) != SQLITE_OK)
		return db_error(ix, "cannot prepare its statements");
	return 0;
}

int hoso_findex_open(hoso_findex **out, hoso_repo *repo, const char *const *fields, size_t n)
{
	hoso_findex *ix = calloc(1, sizeof(*ix));
	size_t i, len = 1;
	int error;

	*out = NULL;
	if (!ix || !(ix->path = hoso_strdupf("%s/hoso-index.sqlite", repo->gitdir)) ||
		(n && !(ix->fields = calloc(n, sizeof(char *)))))
		goto oom;
	ix->repo = repo;
	for (i = 0; i < n; i++) {
		if (!(ix->fields[ix->n] = strdup(fields[i])))
			goto oom;
		ix->n++;
		len += strlen(fields[i]) + 1;
	}
	qsort(ix->fields, ix->n, sizeof(char *), by_string);
	if (!(ix->field_list = calloc(1, len)))
		goto oom;
	for (i = 0; i < ix->n; i++) {
		if (i)
			strcat(ix->field_list, ",");
		strcat(ix->field_list, ix->fields[i]);
	}
	if ((error = connect(ix)) < 0) {
		/* Damaged or not a database: it is only a cache, so make it again. */
		sqlite3_finalize(ix->ins);
		sqlite3_finalize(ix->del);
		sqlite3_finalize(ix->find);
		sqlite3_finalize(ix->where);
		sqlite3_close(ix->db);
		ix->ins = ix->del = ix->find = ix->where = NULL;
		ix->db = NULL;
		unlink(ix->path);
		if ((error = connect(ix)) < 0) {
			hoso_findex_free(ix);
			return error;
		}
	}
	*out = ix;
	return 0;
oom:
	hoso_findex_free(ix);
	return hoso_error_set(HOSO_ERROR, "out of memory");
}

int hoso_findex_has(const hoso_findex *ix, const char *field)
{
	return ix && bsearch(&field, ix->fields, ix->n, sizeof(char *), by_string) != NULL;
}

static int insert(hoso_findex *ix, const char *field, const char *value, const char *id,
	const char *unit)
{
	int rc;

	sqlite3_reset(ix->ins);
	sqlite3_bind_text(ix->ins, 1, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(ix->ins, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(ix->ins, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ix->ins, 4, unit, -1, SQLITE_STATIC);
	rc = sqlite3_step(ix->ins);
	return rc == SQLITE_DONE ? 0 : db_error(ix, "cannot add to it");
}

static int forget(hoso_findex *ix, const char *id)
{
	int rc;

	sqlite3_reset(ix->del);
	sqlite3_bind_text(ix->del, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(ix->del);
	return rc == SQLITE_DONE ? 0 : db_error(ix, "cannot remove from it");
}

/* Index the fields of one record (its canonical text); its old rows are gone already. */
static int add_record(hoso_findex *ix, const char *unit, const char *id, const char *data,
	size_t len)
{
	record_view v;
	const char *type, *value;
	const json_t *array;
	size_t i, tlen, k;
	int error = 0;

	if (rv_open(&v, data, len) < 0)
		return 0; /* not a record: the schemas say so elsewhere */
	if (!(type = rv_str(&v, "type")))
		goto done;
	tlen = strlen(type);
	for (i = 0; i < ix->n && error == 0; i++) {
		const char *field = ix->fields[i] + tlen + 1;

		if (strncmp(ix->fields[i], type, tlen) != 0 || ix->fields[i][tlen] != '.')
			continue;
		if ((value = rv_str(&v, field)))
			error = insert(ix, ix->fields[i], value, id, unit);
		else if ((array = rv_array(&v, field)))
			for (k = 0; k < json_array_size(array) && error == 0; k++)
				if (json_is_string(json_array_get(array, k)))
					error = insert(ix, ix->fields[i],
						json_string_value(json_array_get(array, k)), id, unit);
	}
done:
	rv_close(&v);
	return error;
}

int hoso_findex_apply(hoso_findex *ix, const char *unit, const char *id, const char *data,
	size_t len)
{
	int error;

	if ((error = forget(ix, id)) < 0 || !data)
		return error;
	return add_record(ix, unit, id, data, len);
}

/* The types the fields are of: only their records are read. */
static int indexes_type(const hoso_findex *ix, const char *type, size_t tlen)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		if (strncmp(ix->fields[i], type, tlen) == 0 && ix->fields[i][tlen] == '.')
			return 1;
	return 0;
}

static int build_cb(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	(void)type;
	return add_record(payload, unit, id, data, len);
}

/* Every record of every indexed type in `tree`. */
static int build(hoso_findex *ix, const git_tree *tree)
{
	char type[64];
	size_t i, tlen;
	int error = 0;

	/* The id index is made once at the end: cheaper than kept up row by row. */
	if (exec(ix, "DELETE FROM f") < 0 || exec(ix, "DROP INDEX IF EXISTS f_id") < 0)
		return HOSO_ERROR;
	for (i = 0; i < ix->n && error == 0; i++) {
		tlen = strcspn(ix->fields[i], ".");
		if (tlen >= sizeof(type) || (i > 0 && strncmp(ix->fields[i - 1], ix->fields[i], tlen) == 0 &&
			ix->fields[i - 1][tlen] == '.'))
			continue; /* a type already read */
		memcpy(type, ix->fields[i], tlen);
		type[tlen] = '\0';
		error = hoso_record_foreach(ix->repo, tree, type, NULL, build_cb, ix);
	}
	if (error == 0 && exec(ix, "CREATE INDEX f_id ON f(id)") < 0)
		error = HOSO_ERROR;
	return error;
}

static int forget_cb(const char *path, const git_oid *old, const git_oid *new, void *payload)
{
	char unit[64], type[64], id[HOSO_ID_LEN + 1];

	(void)new;
	return old && hoso_record_path_parse(path, unit, type, id) ? forget(payload, id) : 0;
}

static int add_cb(const char *path, const git_oid *old, const git_oid *new, void *payload)
{
	hoso_findex *ix = payload;
	char unit[64], type[64], id[HOSO_ID_LEN + 1];
	git_blob *blob = NULL;
	int error;

	(void)old;
	if (!new || !hoso_record_path_parse(path, unit, type, id) ||
		!indexes_type(ix, type, strlen(type)))
		return 0;
	if (git_blob_lookup(&blob, ix->repo->git, new) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot read record '%s' for the field index", id);
	error = add_record(ix, unit, id, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return error;
}

/* The data/ tree of `tree` (new reference), or NULL. */
static git_tree *data_tree(hoso_findex *ix, const git_tree *tree)
{
	git_tree_entry *e = NULL;
	git_tree *data = NULL;

	if (tree && git_tree_entry_bypath(&e, tree, "data") == 0)
		git_tree_lookup(&data, ix->repo->git, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return data;
}

/*
 * From `old` to `tree`: first every record that went or changed is
 * forgotten, then what is there now is added (a record moved between units
 * is both).
 */
static int catch_up(hoso_findex *ix, const git_tree *old, const git_tree *tree)
{
	git_tree *a = data_tree(ix, old), *b = data_tree(ix, tree);
	int error;

	error = hoso_tree_delta(ix->repo->git, a, b, "data/", forget_cb, ix);
	if (error == 0)
		error = hoso_tree_delta(ix->repo->git, a, b, "data/", add_cb, ix);
	git_tree_free(a);
	git_tree_free(b);
	return error;
}

int hoso_findex_update(hoso_findex *ix, const git_tree *tree)
{
	git_oid at;
	git_tree *old = NULL;
	char *mark, want[GIT_OID_HEXSZ + 1] = "";
	int error;

	if (tree)
		git_oid_tostr(want, sizeof(want), git_tree_id(tree));
	if (exec(ix, "BEGIN IMMEDIATE") < 0)
		return HOSO_ERROR;
	mark = meta_get(ix, "tree");
	if (mark && strcmp(mark, want) == 0) {
		free(mark);
		return exec(ix, "COMMIT");
	}
	/* From the tree it reflects, if that is still here; else from nothing. */
	if (mark && git_oid_fromstr(&at, mark) == 0 && git_tree_lookup(&old, ix->repo->git, &at) == 0 && tree)
		error = catch_up(ix, old, tree);
	else
		error = tree ? build(ix, tree) : exec(ix, "DELETE FROM f");
	free(mark);
	git_tree_free(old);
	if (error == 0)
		error = meta_set(ix, "tree", want);
	if (error == 0)
		return exec(ix, "COMMIT");
	sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

int hoso_findex_begin(hoso_findex *ix)
{
	if (ix->scratch)
		return 0;
	if (exec(ix, "BEGIN IMMEDIATE") < 0)
		return HOSO_ERROR;
	ix->scratch = 1;
	return 0;
}

void hoso_findex_discard(hoso_findex *ix)
{
	if (!ix || !ix->scratch)
		return;
	sqlite3_reset(ix->ins);
	sqlite3_reset(ix->del);
	sqlite3_reset(ix->find);
	sqlite3_reset(ix->where);
	sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	ix->scratch = 0;
}

int hoso_findex_find(hoso_findex *ix, const char *field, const char *value,
	int (*cb)(const char *unit, const char *id, void *payload), void *payload)
{
	char **rows = NULL; /* unit, id, unit, id, ... */
	size_t n = 0, cap = 0, i;
	int rc, error = 0;

	/* Collected first: the callback may read the index again. */
	sqlite3_reset(ix->find);
	sqlite3_bind_text(ix->find, 1, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(ix->find, 2, value, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(ix->find)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(ix->find, 0);
		const char *unit = (const char *)sqlite3_column_text(ix->find, 1);

		if (n + 2 > cap) {
			char **grown = realloc(rows, (cap = cap ? cap * 2 : 16) * sizeof(char *));
			if (!grown) {
				error = hoso_error_set(HOSO_ERROR, "out of memory");
				break;
			}
			rows = grown;
		}
		rows[n] = strdup(unit ? unit : "");
		rows[n + 1] = strdup(id ? id : "");
		n += 2;
		if (!rows[n - 2] || !rows[n - 1]) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			break;
		}
	}
	if (error == 0 && rc != SQLITE_DONE)
		error = db_error(ix, "cannot search it");
	sqlite3_reset(ix->find);
	for (i = 0; i < n && error == 0; i += 2)
		error = cb(rows[i], rows[i + 1], payload);
	for (i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
	return error;
}

int hoso_findex_locate(hoso_findex *ix, const char *id, char unit[64], char type[64])
{
	int found = 0;

	sqlite3_reset(ix->where);
	sqlite3_bind_text(ix->where, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(ix->where) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(ix->where, 0);
		const char *u = (const char *)sqlite3_column_text(ix->where, 1);
		size_t tlen = field ? strcspn(field, ".") : 0;

		if (u && tlen && tlen < 64 && strlen(u) < 64) {
			memcpy(type, field, tlen);
			type[tlen] = '\0';
			snprintf(unit, 64, "%s", u);
			found = 1;
		}
	}
	sqlite3_reset(ix->where);
	return found;
}

int hoso_findex_each(hoso_findex *ix, const char *field,
	int (*cb)(const char *value, const char *unit, const char *id, void *payload), void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc, error = 0;

	if (sqlite3_prepare_v2(ix->db, "SELECT value, unit, id FROM f WHERE field = ?1", -1, &st,
		NULL) != SQLITE_OK)
		return db_error(ix, "cannot read it");
	sqlite3_bind_text(st, 1, field, -1, SQLITE_STATIC);
	while (error == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		error = cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), payload);
	if (error == 0 && rc != SQLITE_DONE)
		error = db_error(ix, "cannot read it");
	sqlite3_finalize(st);
	return error;
}
