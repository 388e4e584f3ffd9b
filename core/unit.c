#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso/json.h"
#include "hoso/unit.h"
#include "common.h"
#include "internal.h"
#include "map.h"

/* A record of a unit that changes. */
typedef struct {
	char path[192];
	char type[64];
	char id[HOSO_ID_LEN + 1];
	git_oid blob;
	json_t *rec;      /* read when needed */
	const char *dest; /* where it goes */
	int changed;      /* rec differs from the blob */
} unit_rec;

typedef struct {
	hoso_repo *repo;
	git_repository *git;
	const hoso_unit_change *c;
	hoso_problems *problems;
	hoso_txn *txn;
	json_t *config; /* the new hoso.json */
	unit_rec *recs;
	size_t n, cap;
	hoso_map *where; /* split: id -> the unit a record goes to */
} change_ctx;

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int is_in(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Append string `s` to array `a` unless it is there. */
static void add_once(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(a, json_string(s));
}

static json_t *unit_obj(const json_t *config, const char *code)
{
	size_t i;
	json_t *u;

	json_array_foreach(json_object_get(config, "units"), i, u)
		if (str(u, "code") && strcmp(str(u, "code"), code) == 0)
			return u;
	return NULL;
}

static void day_before(char out[11], const char *date)
{
	struct tm tm;
	time_t t;
	int y = 0, m = 0, d = 0;

	memset(&tm, 0, sizeof(tm));
	sscanf(date, "%d-%d-%d", &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d - 1;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

const char *hoso_unit_codes(char *buf, size_t size, const json_t *config, const char *unit,
	const char *key)
{
	const json_t *c;
	size_t i, n = 0;

	*buf = '\0';
	json_array_foreach(json_object_get(unit_obj(config, unit), key), i, c)
		if (json_is_string(c) && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", json_string_value(c));
	return buf;
}

int hoso_unit_open_on(const hoso_unit *u, const char *date)
{
	return u && (!u->valid_from || strcmp(u->valid_from, date) <= 0) &&
		(!u->valid_to || strcmp(u->valid_to, date) >= 0);
}

/* A unit the change needs: known and open. */
static int need_open(const json_t *config, const char *code, const char *what)
{
	const json_t *u = code ? unit_obj(config, code) : NULL;

	if (!u) {
		hoso_error_set(HOSO_EUSAGE, "%s: there is no unit '%s'", what, code ? code : "");
		hoso_error_set_hint("the units are listed by 'hoso unit list'; add a new one with "
			"'hoso unit add CODE --name NAME'");
		return HOSO_EUSAGE;
	}
	if (str(u, "valid_to"))
		return hoso_error_set(HOSO_EUSAGE, "%s: unit '%s' was closed after %s", what, code,
			str(u, "valid_to"));
	return 0;
}

/* split's "FIELD=VALUE[,VALUE...]": 1 if `rec` has FIELD at one of the values. */
static int rule_matches(const char *rule, const json_t *rec)
{
	const char *eq = strchr(rule, '='), *v, *end;
	char field[64];
	const json_t *value, *item;
	size_t i;

	if (!eq || eq == rule || (size_t)(eq - rule) >= sizeof(field) || !rec)
		return 0;
	memcpy(field, rule, (size_t)(eq - rule));
	field[eq - rule] = '\0';
	if (!(value = json_object_get(rec, field)))
		return -1; /* the record has no such field */
	for (v = eq + 1; ; v = end + 1) {
		size_t len;

		end = strchr(v, ',');
		len = end ? (size_t)(end - v) : strlen(v);
		if (json_is_string(value) && json_string_length(value) == len &&
			memcmp(json_string_value(value), v, len) == 0)
			return 1;
		json_array_foreach(value, i, item)
			if (json_is_string(item) && json_string_length(item) == len &&
				memcmp(json_string_value(item), v, len) == 0)
				return 1;
		if (!end)
			return 0;
	}
}

/* The reorganization that closed `unit` (the last that names it), or NULL. */
static const json_t *closing(const json_t *config, const char *unit)
{
	const json_t *r, *found = NULL;
	size_t i, k;
	json_t *f;

	json_array_foreach(json_object_get(config, "reorganizations"), i, r)
		json_array_foreach(json_object_get(r, "from"), k, f)
			if (json_is_string(f) && strcmp(json_string_value(f), unit) == 0)
				found = r;
	return found;
}

/*
 * What a record belongs to, for a rule that does not name it: the first of
 * its cell_id, member_id, parent_id, then any other *_id, for which `known`
 * gives a unit. That unit, or NULL.
 */
static const char *owner_unit(const json_t *rec, const char *(*known)(const char *id, void *payload),
	void *payload)
{
	static const char *const first[] = { "cell_id", "member_id", "parent_id" };
	const char *key, *v, *unit;
	json_t *value;
	size_t i;

	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		if ((v = str(rec, first[i])) && (unit = known(v, payload)))
			return unit;
	json_object_foreach((json_t *)rec, key, value) {
		size_t n = strlen(key);
		if (n > 3 && strcmp(key + n - 3, "_id") == 0 && (v = json_string_value(value)) &&
			(unit = known(v, payload)))
			return unit;
	}
	return NULL;
}

typedef struct {
	const json_t *into;
	const char *(*unit_of)(const char *id, void *payload);
	void *payload;
} successor_ctx;

/* The unit of a record the split sent to one of its units, or NULL. */
static const char *sent_to(const char *id, void *payload)
{
	successor_ctx *c = payload;
	const char *unit = c->unit_of ? c->unit_of(id, c->payload) : NULL;
	size_t i;

	for (i = 0; unit && i < json_array_size(c->into); i++)
		if (strcmp(json_string_value(json_array_get(c->into, i)), unit) == 0)
			return json_string_value(json_array_get(c->into, i));
	return NULL;
}

const char *hoso_unit_successor(const json_t *config, const char *unit, const json_t *record,
	const char *(*unit_of)(const char *id, void *payload), void *payload)
{
	const json_t *u = unit_obj(config, unit), *succ = json_object_get(u, "successors");
	const json_t *r, *by;
	successor_ctx c = { NULL, unit_of, payload };
	const char *owner;
	size_t i;

	if (!u || !str(u, "valid_to") || json_array_size(succ) == 0)
		return NULL;
	if (json_array_size(succ) == 1 || !(r = closing(config, unit)))
		return json_string_value(json_array_get(succ, 0));
	c.into = json_object_get(r, "into");
	by = json_object_get(r, "by");
	for (i = 0; i < json_array_size(by); i++)
		if (rule_matches(json_string_value(json_array_get(by, i)), record) == 1)
			return json_string_value(json_array_get(c.into, i));
	if (record && (owner = owner_unit(record, sent_to, &c)))
		return owner;
	/* The last successor takes the rest when it has no rule; else the first. */
	return json_string_value(json_array_get(c.into,
		json_array_size(by) < json_array_size(c.into) ? json_array_size(c.into) - 1 : 0));
}

/* records */

static int collect_cb(const char *path, const git_oid *old, const git_oid *new, void *payload)
{
	change_ctx *x = payload;
	char unit[64];
	unit_rec *r;

	(void)old;
	if (!new)
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		unit_rec *recs = realloc(x->recs, cap * sizeof(*recs));

		if (!recs)
			return hoso_error_set(HOSO_ERROR, "out of memory");
		x->recs = recs;
		x->cap = cap;
	}
	r = &x->recs[x->n];
	memset(r, 0, sizeof(*r));
	if (!hoso_record_path_parse(path, unit, r->type, r->id) || strlen(path) >= sizeof(r->path))
		return 0; /* verify names what is not a record's path */
	snprintf(r->path, sizeof(r->path), "%s", path);
	git_oid_cpy(&r->blob, new);
	x->n++;
	return 0;
}

/* Every record of unit `code` at the transaction's base. */
static int collect(change_ctx *x, const char *code)
{
	const git_tree *base = hoso_txn_base_tree(x->txn);
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	char path[80];
	int error = 0;

	snprintf(path, sizeof(path), "data/%s", code);
	if (!base || git_tree_entry_bypath(&e, base, path) < 0)
		return 0;
	snprintf(path, sizeof(path), "data/%s/", code);
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		git_tree_lookup(&sub, x->git, git_tree_entry_id(e)) == 0)
		error = hoso_tree_delta(x->git, NULL, sub, path, collect_cb, x);
	git_tree_free(sub);
	git_tree_entry_free(e);
	return error;
}

static int read_rec(change_ctx *x, unit_rec *r)
{
	git_blob *blob = NULL;
	json_error_t jerr;

	if (r->rec)
		return 0;
	if (git_blob_lookup(&blob, x->git, &r->blob) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot read '%s'", r->path);
	r->rec = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, &jerr);
	git_blob_free(blob);
	if (!r->rec)
		return hoso_error_set(HOSO_EINVALID, "'%s' is not JSON: %s", r->path, jerr.text);
	return 0;
}

static const char *placed(const char *id, void *where)
{
	return hoso_map_get(where, id);
}

/* Split: each record's new unit, by the rules, then by what it belongs to. */
static int place_split(change_ctx *x)
{
	const hoso_unit_change *c = x->c;
	size_t i, k, left = 0;
	int error = 0, progress = 1;

	for (i = 0; i < x->n && error == 0; i++) {
		unit_rec *r = &x->recs[i];

		if ((error = read_rec(x, r)) < 0)
			break;
		for (k = 0; k < c->nby && !r->dest; k++)
			if (rule_matches(c->by[k], r->rec) == 1)
				r->dest = c->into[k];
		if (r->dest && hoso_map_set(x->where, r->id, (void *)r->dest, NULL) < 0)
			error = hoso_error_set(HOSO_ERROR, "out of memory");
	}
	/* What belongs to a placed record follows it: a member its cell, an event its member. */
	while (error == 0 && progress) {
		progress = 0;
		for (i = 0; i < x->n && error == 0; i++) {
			unit_rec *r = &x->recs[i];
			const char *dest;

			if (r->dest || !(dest = owner_unit(r->rec, placed, x->where)))
				continue;
			r->dest = dest;
			progress = 1;
			if (hoso_map_set(x->where, r->id, (void *)r->dest, NULL) < 0)
				error = hoso_error_set(HOSO_ERROR, "out of memory");
		}
	}
	for (i = 0; i < x->n && error == 0; i++) {
		unit_rec *r = &x->recs[i];

		if (r->dest)
			continue;
		if (c->nby < c->ninto) {
			r->dest = c->into[c->ninto - 1];
			continue;
		}
		if (++left <= 20)
			hoso_problems_add(x->problems, HOSO_SEVERITY_ERROR, r->path, 0, NULL, "split",
				"%s %s matches no --by rule and belongs to no record that does", r->type, r->id);
	}
	if (error == 0 && left > 0) {
		error = hoso_error_set(HOSO_EINVALID,
			"the split leaves %zu records of '%s' without a unit: nothing was changed", left,
			c->from[0]);
		hoso_error_set_hint("add a --by rule for them, or give one more --into without a rule to "
			"take the rest");
	}
	return error;
}

static unit_rec *find_rec(change_ctx *x, const char *id)
{
	size_t i;

	for (i = 0; id && i < x->n; i++)
		if (strcmp(x->recs[i].id, id) == 0)
			return &x->recs[i];
	return NULL;
}

static void add_to_set(json_t *rec, const char *field, const char *id)
{
	json_t *a = json_object_get(rec, field);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(rec, field, a);
	}
	add_once(a, id);
}

/*
 * Organizations of the closing units at the levels named are closed on the
 * day, their children given the new parent; the new parent lists them as
 * predecessors, they it as successor.
 */
static int reorganize_orgs(change_ctx *x, hoso_unit_result *res)
{
	const hoso_unit_change *c = x->c;
	json_t *target = NULL, *dissolved = json_array();
	const char *tunit = NULL;
	unit_rec *tr = NULL;
	char *tunit_copy = NULL;
	size_t i, orphans = 0;
	int error = 0;

	if (c->ndissolve == 0 && !c->reparent_to)
		goto done;
	if (c->reparent_to) {
		if ((tr = find_rec(x, c->reparent_to)) && strcmp(tr->type, "organization") == 0) {
			if ((error = read_rec(x, tr)) < 0)
				goto done;
			target = tr->rec;
		} else if (hoso_txn_get(&target, &tunit, x->txn, c->reparent_to) < 0 ||
			!str(target, "type") || strcmp(str(target, "type"), "organization") != 0) {
			error = hoso_error_set(HOSO_EUSAGE, "--reparent-to: there is no organization '%s'",
				c->reparent_to);
			goto done;
		} else if (!(tunit_copy = strdup(tunit))) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			goto done;
		}
		if (str(target, "dissolved_on") || (str(target, "level") &&
			is_in(str(target, "level"), c->dissolve, c->ndissolve) && tr)) {
			error = hoso_error_set(HOSO_EUSAGE, "--reparent-to: organization '%s' is closed by "
				"this change or before it", c->reparent_to);
			goto done;
		}
	}
	for (i = 0; i < x->n && error == 0; i++) {
		unit_rec *r = &x->recs[i];

		if (strcmp(r->type, "organization") != 0 || (error = read_rec(x, r)) < 0)
			continue;
		if (str(r->rec, "dissolved_on") || !is_in(str(r->rec, "level"), c->dissolve, c->ndissolve))
			continue;
		json_object_set_new(r->rec, "dissolved_on", json_string(c->on));
		if (c->reparent_to)
			add_to_set(r->rec, "successor_ids", c->reparent_to);
		json_array_append_new(dissolved, json_string(r->id));
		r->changed = 1;
		res->dissolved++;
	}
	/* Their open children: a new parent. */
	for (i = 0; i < x->n && error == 0; i++) {
		unit_rec *r = &x->recs[i];
		size_t k;
		json_t *d;

		if (strcmp(r->type, "organization") != 0 || str(r->rec, "dissolved_on") ||
			!str(r->rec, "parent_id"))
			continue;
		json_array_foreach(dissolved, k, d)
			if (strcmp(json_string_value(d), str(r->rec, "parent_id")) == 0)
				break;
		if (k == json_array_size(dissolved))
			continue;
		if (!c->reparent_to) {
			orphans++;
			continue;
		}
		json_object_set_new(r->rec, "parent_id", json_string(c->reparent_to));
		r->changed = 1;
		res->reparented++;
	}
	if (error == 0 && orphans > 0) {
		error = hoso_error_set(HOSO_EUSAGE, "%zu organizations are under the ones this change closes, "
			"and would have no parent", orphans);
		hoso_error_set_hint("name their new parent with --reparent-to ORG-ID");
		goto done;
	}
	if (error == 0 && target && json_array_size(dissolved) > 0) {
		json_t *d;

		json_array_foreach(dissolved, i, d)
			add_to_set(target, "predecessor_ids", json_string_value(d));
		if (tr)
			tr->changed = 1;
		else
			error = hoso_txn_put(x->txn, tunit_copy, target, HOSO_PUT_REPLACE, c->reparent_to, 0,
				x->problems, NULL);
	}
done:
	if (!tr)
		json_decref(target);
	free(tunit_copy);
	json_decref(dissolved);
	return error;
}

/* Stage every record in its new unit: changed ones checked, the others by their blob. */
static int move_records(change_ctx *x, hoso_unit_result *res)
{
	size_t i;
	int error = 0, refused = 0;

	for (i = 0; i < x->n && error == 0; i++) {
		unit_rec *r = &x->recs[i];
		int rc;

		if (r->changed) {
			rc = hoso_txn_put(x->txn, r->dest, r->rec, HOSO_PUT_REPLACE, r->path, 0, x->problems,
				NULL);
			if (rc == HOSO_EINVALID) {
				refused = 1;
				continue;
			}
			error = rc;
		} else {
			error = hoso_txn_put_blob(x->txn, r->dest, r->type, r->id, &r->blob);
		}
		res->moved++;
	}
	if (error == 0 && refused)
		error = hoso_error_set(HOSO_EINVALID, "an organization would be invalid after the change: "
			"nothing was changed");
	return error;
}

/* access.json: whoever held a closing unit holds its successors. */
static int move_access(change_ctx *x, hoso_unit_result *res)
{
	const git_tree *base = hoso_txn_base_tree(x->txn);
	git_blob *blob = NULL;
	json_t *root = NULL, *user;
	const char *name;
	char *text = NULL;
	size_t len;
	int error = 0;

	if (!base || hoso_tree_read(&blob, x->git, base, "access.json") < 0)
		return 0;
	root = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, NULL);
	git_blob_free(blob);
	json_object_foreach(json_object_get(root, "users"), name, user) {
		json_t *units = json_object_get(user, "units"), *now = json_array(), *u;
		size_t i, k;
		int changed = 0;

		json_array_foreach(units, i, u) {
			if (json_is_string(u) && is_in(json_string_value(u), x->c->from, x->c->nfrom)) {
				for (k = 0; k < x->c->ninto; k++)
					add_once(now, x->c->into[k]);
				changed = 1;
			} else if (json_is_string(u)) {
				add_once(now, json_string_value(u));
			}
		}
		if (changed) {
			json_object_set(user, "units", now);
			res->users++;
		}
		json_decref(now);
	}
	if (res->users > 0 && (error = hoso_json_canonical(&text, &len, root)) == 0)
		error = hoso_txn_put_file(x->txn, "access.json", text, len);
	free(text);
	json_decref(root);
	return error;
}

/* hoso.json: the closing units get their last day and successors; the log the change. */
static int close_units(change_ctx *x, const char *kind)
{
	const hoso_unit_change *c = x->c;
	json_t *log, *entry, *from = json_array(), *into = json_array();
	char last[11];
	size_t i, k;

	day_before(last, c->on);
	for (i = 0; i < c->nfrom; i++) {
		json_t *u = unit_obj(x->config, c->from[i]), *succ = json_array();

		for (k = 0; k < c->ninto; k++)
			json_array_append_new(succ, json_string(c->into[k]));
		json_object_set_new(u, "valid_to", json_string(last));
		if (c->ninto)
			json_object_set_new(u, "successors", succ);
		else
			json_decref(succ);
		json_array_append_new(from, json_string(c->from[i]));
	}
	for (k = 0; k < c->ninto; k++) {
		json_t *u = unit_obj(x->config, c->into[k]), *pred = json_object_get(u, "predecessors");

		if (!json_is_array(pred)) {
			pred = json_array();
			json_object_set_new(u, "predecessors", pred);
		}
		for (i = 0; i < c->nfrom; i++)
			add_once(pred, c->from[i]);
		json_array_append_new(into, json_string(c->into[k]));
	}
	if (!(log = json_object_get(x->config, "reorganizations")) || !json_is_array(log)) {
		log = json_array();
		json_object_set_new(x->config, "reorganizations", log);
	}
	entry = json_pack("{s:s, s:s, s:o, s:o}", "on", c->on, "kind", kind, "from", from, "into", into);
	if (c->nby) {
		json_t *by = json_array();
		for (i = 0; i < c->nby; i++)
			json_array_append_new(by, json_string(c->by[i]));
		json_object_set_new(entry, "by", by);
	}
	if (c->ninto && !git_oid_is_zero(hoso_txn_base(x->txn)))
		json_object_set_new(entry, "before", json_string(git_oid_tostr_s(hoso_txn_base(x->txn))));
	if (strcmp(kind, "close") != 0)
		json_array_append_new(log, entry);
	else
		json_decref(entry);
	return 0;
}

static int add_unit(change_ctx *x)
{
	const hoso_unit_change *c = x->c;
	json_t *u;
	int error;

	if (!hoso_unit_code_valid(c->code))
		return hoso_error_set(HOSO_EUSAGE,
			"'%s' cannot be a unit's code: 1 to 16 letters, digits, '-' or '_'", c->code ? c->code : "");
	if (unit_obj(x->config, c->code))
		return hoso_error_set(HOSO_EUSAGE, "there is a unit '%s' already", c->code);
	if (!c->name || !*c->name)
		return hoso_error_set(HOSO_EUSAGE, "a new unit needs a name: --name NAME");
	if (c->from_date && !hoso_date_valid(c->from_date))
		return hoso_error_set(HOSO_EUSAGE, "--from '%s' is not a date (YYYY-MM-DD)", c->from_date);
	if (c->parent && (error = need_open(x->config, c->parent, "--parent")) < 0)
		return error;
	u = json_pack("{s:s, s:s}", "code", c->code, "name", c->name);
	if (c->level)
		json_object_set_new(u, "level", json_string(c->level));
	if (c->parent || unit_obj(x->config, hoso_repo_province(x->repo)))
		json_object_set_new(u, "parent", json_string(c->parent ? c->parent :
			hoso_repo_province(x->repo)));
	if (c->from_date)
		json_object_set_new(u, "valid_from", json_string(c->from_date));
	return json_array_append_new(json_object_get(x->config, "units"), u) < 0 ?
		hoso_error_set(HOSO_ERROR, "out of memory") : 0;
}

/* What may be changed: known, open units; a date; as many units as the change takes. */
static int check_change(change_ctx *x)
{
	const hoso_unit_change *c = x->c;
	size_t i, k;
	int error;

	if (!c->on || !hoso_date_valid(c->on))
		return hoso_error_set(HOSO_EUSAGE, "--on '%s' is not a date (YYYY-MM-DD)", c->on ? c->on : "");
	if (c->nfrom == 0 || (c->op != HOSO_UNIT_MERGE && c->nfrom != 1))
		return hoso_error_set(HOSO_EUSAGE, c->op == HOSO_UNIT_MERGE ?
			"which units merge? name them" : "name the one unit that changes");
	if (c->op == HOSO_UNIT_MERGE && c->ninto != 1)
		return hoso_error_set(HOSO_EUSAGE, "a merge goes into one unit: --into TO");
	if (c->op == HOSO_UNIT_SPLIT && (c->ninto < 2 || c->nby + 1 < c->ninto || c->nby > c->ninto))
		return hoso_error_set(HOSO_EUSAGE, "a split goes into two units or more, each with its "
			"--by rule but perhaps the last, which takes the rest");
	for (i = 0; i < c->nfrom; i++) {
		if ((error = need_open(x->config, c->from[i], c->op == HOSO_UNIT_CLOSE ? "close" : "from")) < 0)
			return error;
		for (k = 0; k < i; k++)
			if (strcmp(c->from[i], c->from[k]) == 0)
				return hoso_error_set(HOSO_EUSAGE, "unit '%s' is named twice", c->from[i]);
	}
	for (i = 0; i < c->ninto; i++) {
		if ((error = need_open(x->config, c->into[i], "--into")) < 0)
			return error;
		if (is_in(c->into[i], c->from, c->nfrom) || is_in(c->into[i], c->into, i))
			return hoso_error_set(HOSO_EUSAGE, "unit '%s' cannot be both closed and kept, "
				"or named twice", c->into[i]);
	}
	/* A level or a field no schema knows is a typo that would change nothing, or everything. */
	for (i = 0; i < c->ndissolve; i++) {
		const json_t *levels = json_object_get(hoso_schema_field(hoso_repo_schema(x->repo,
			"organization"), "level"), "enum"), *l;
		json_array_foreach(levels, k, l)
			if (strcmp(json_string_value(l), c->dissolve[i]) == 0)
				break;
		if (k == json_array_size(levels))
			return hoso_error_set(HOSO_EUSAGE, "--dissolve: '%s' is not a level of organizations",
				c->dissolve[i]);
	}
	for (i = 0; i < c->nby; i++) {
		const hoso_schema_set *all = hoso_repo_schemas(x->repo);
		const char *eq = strchr(c->by[i], '=');
		char field[64];

		if (!eq || eq == c->by[i] || !eq[1] || (size_t)(eq - c->by[i]) >= sizeof(field))
			return hoso_error_set(HOSO_EUSAGE, "--by '%s' is not FIELD=VALUE", c->by[i]);
		snprintf(field, sizeof(field), "%.*s", (int)(eq - c->by[i]), c->by[i]);
		for (k = 0; k < hoso_schema_set_count(all); k++)
			if (hoso_schema_field(hoso_schema_set_get(all, hoso_schema_set_type(all, k)), field))
				break;
		if (k == hoso_schema_set_count(all))
			return hoso_error_set(HOSO_EUSAGE, "--by: no record type has a field '%s'", field);
	}
	/* An open unit under a closing one would have no parent. */
	for (i = 0; i < json_array_size(json_object_get(x->config, "units")); i++) {
		const json_t *u = json_array_get(json_object_get(x->config, "units"), i);
		if (!str(u, "valid_to") && is_in(str(u, "parent"), c->from, c->nfrom) &&
			!is_in(str(u, "code"), c->from, c->nfrom)) {
			hoso_error_set(HOSO_EUSAGE, "unit '%s' is under '%s', which this change closes",
				str(u, "code"), str(u, "parent"));
			hoso_error_set_hint("close, merge or move it first");
			return HOSO_EUSAGE;
		}
	}
	return 0;
}

static void message_of(char *buf, size_t size, const hoso_unit_change *c, const hoso_unit_result *r)
{
	size_t i, n = 0;
	const char *verb = c->op == HOSO_UNIT_CLOSE ? "close" : c->op == HOSO_UNIT_MERGE ? "merge" : "split";

	if (c->op == HOSO_UNIT_ADD) {
		snprintf(buf, size, "unit: add %s %s\n", c->code, c->name);
		return;
	}
	n += (size_t)snprintf(buf + n, size - n, "unit: %s ", verb);
	for (i = 0; i < c->nfrom && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", c->from[i]);
	for (i = 0; i < c->ninto && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : " into ", c->into[i]);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, " on %s\n", c->on);
	if (c->op != HOSO_UNIT_CLOSE && n < size)
		snprintf(buf + n, size - n, "\nrecords moved %zu; organizations closed %zu, given a new parent "
			"%zu; users given the new units %zu\n", r->moved, r->dissolved, r->reparented, r->users);
}

int hoso_unit_apply(hoso_unit_result *out, hoso_repo *repo, const hoso_unit_change *c,
	hoso_problems *problems)
{
	change_ctx x;
	hoso_unit_result res;
	char message[1024], *text = NULL;
	size_t len, i;
	int error;

	memset(&x, 0, sizeof(x));
	memset(&res, 0, sizeof(res));
	if (!repo || !c || !problems)
		return hoso_error_set(HOSO_EUSAGE, "a change of units needs a repository and the change");
	x.repo = repo;
	x.git = hoso_repo_git(repo);
	x.c = c;
	x.problems = problems;
	if ((error = hoso_txn_begin(&x.txn, repo, c->txn)) < 0 || (error = hoso_repo_reload(repo)) < 0 ||
		(error = hoso_map_new(&x.where)) < 0)
		goto done;
	x.config = json_deep_copy(repo->config);
	if (c->op == HOSO_UNIT_ADD) {
		if ((error = add_unit(&x)) < 0)
			goto done;
	} else if ((error = check_change(&x)) < 0) {
		goto done;
	} else {
		for (i = 0; i < c->nfrom && error == 0; i++)
			error = collect(&x, c->from[i]);
		if (error < 0)
			goto done;
		if (c->op == HOSO_UNIT_CLOSE && x.n > 0) {
			error = hoso_error_set(HOSO_EUSAGE, "unit '%s' still holds %zu records", c->from[0], x.n);
			hoso_error_set_hint("move them to the unit that takes its place: 'hoso unit merge %s "
				"--into UNIT --on %s'", c->from[0], c->on);
			goto done;
		}
		for (i = 0; i < x.n && c->op == HOSO_UNIT_MERGE; i++)
			x.recs[i].dest = c->into[0];
		if ((c->op == HOSO_UNIT_SPLIT && (error = place_split(&x)) < 0) ||
			(error = reorganize_orgs(&x, &res)) < 0 || (error = move_records(&x, &res)) < 0 ||
			(error = move_access(&x, &res)) < 0 ||
			(error = close_units(&x, c->op == HOSO_UNIT_CLOSE ? "close" :
				c->op == HOSO_UNIT_MERGE ? "merge" : "split")) < 0)
			goto done;
	}
	message_of(message, sizeof(message), c, &res);
	if ((error = hoso_json_canonical(&text, &len, x.config)) < 0 ||
		(error = hoso_txn_put_file(x.txn, "hoso.json", text, len)) < 0 ||
		(error = hoso_txn_commit(x.txn, message, &res.commit)) < 0)
		goto done;
	hoso_txn_free(x.txn);
	x.txn = NULL;
	error = hoso_repo_reload(repo);
	if (out)
		*out = res;
done:
	hoso_txn_free(x.txn);
	for (i = 0; i < x.n; i++)
		json_decref(x.recs[i].rec);
	free(x.recs);
	hoso_map_free(x.where);
	json_decref(x.config);
	free(text);
	return error;
}

/* as of a day */

struct hoso_units_as_of {
	hoso_map *unit; /* id -> its unit's code then (borrowed from the repository's units) */
	hoso_map *org;  /* organization id -> its blob then (git_oid, owned) */
	hoso_map *made; /* the units the reorganizations after the day made records go to */
};

typedef struct {
	hoso_units_as_of *view;
	hoso_repo *repo;
} as_of_walk;

static int as_of_cb(const char *path, const git_oid *old, const git_oid *new, void *payload)
{
	as_of_walk *w = payload;
	char unit[64], type[64], id[HOSO_ID_LEN + 1];
	const hoso_unit *u;

	(void)old;
	if (!new || !hoso_record_path_parse(path, unit, type, id) || hoso_map_get(w->view->unit, id) ||
		hoso_map_get(w->view->made, unit) || !(u = hoso_repo_unit_find(w->repo, unit)))
		return 0;
	if (hoso_map_set(w->view->unit, id, (void *)u->code, NULL) < 0)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (strcmp(type, "organization") == 0) {
		git_oid *blob = malloc(sizeof(*blob));
		if (!blob)
			return hoso_error_set(HOSO_ERROR, "out of memory");
		git_oid_cpy(blob, new);
		if (hoso_map_set(w->view->org, id, blob, NULL) < 0) {
			free(blob);
			return hoso_error_set(HOSO_ERROR, "out of memory");
		}
	}
	return 0;
}

int hoso_units_as_of_new(hoso_units_as_of **out, hoso_repo *repo, const char *date)
{
	const json_t *log = json_object_get(repo->config, "reorganizations");
	json_t **after = NULL, *r;
	size_t i, n = 0;
	int error = 0;
	as_of_walk w = { NULL, repo };

	*out = NULL;
	if (!(after = malloc((json_array_size(log) + 1) * sizeof(*after))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	json_array_foreach(log, i, r)
		if (str(r, "on") && strcmp(str(r, "on"), date) > 0 && str(r, "before"))
			after[n++] = r;
	if (n == 0)
		goto done;
	/*
	 * The earliest first (two on one day in the order they were made): a
	 * record's unit before it is its unit on the day.
	 */
	for (i = 1; i < n; i++) {
		json_t *x = after[i];
		size_t k = i;

		for (; k > 0 && strcmp(str(after[k - 1], "on"), str(x, "on")) > 0; k--)
			after[k] = after[k - 1];
		after[k] = x;
	}
	if (!(w.view = calloc(1, sizeof(*w.view))) || hoso_map_new(&w.view->unit) < 0 ||
		hoso_map_new(&w.view->org) < 0 || hoso_map_new(&w.view->made) < 0) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n && error == 0; i++) {
		git_oid before;
		git_commit *commit = NULL;
		git_tree *tree = NULL;
		size_t k;
		json_t *f;

		if (git_oid_fromstr(&before, str(after[i], "before")) < 0 ||
			git_commit_lookup(&commit, repo->git, &before) < 0 || git_commit_tree(&tree, commit) < 0) {
			error = hoso_error_set(HOSO_ENOTFOUND, "the commit before the reorganization of %s (%s) "
				"is not in this repository", str(after[i], "on"), str(after[i], "before"));
			git_commit_free(commit);
			break;
		}
		json_array_foreach(json_object_get(after[i], "from"), k, f) {
			git_tree_entry *e = NULL;
			git_tree *sub = NULL;
			char path[80];

			snprintf(path, sizeof(path), "data/%s", json_string_value(f) ? json_string_value(f) : "");
			if (git_tree_entry_bypath(&e, tree, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
				git_tree_lookup(&sub, repo->git, git_tree_entry_id(e)) == 0) {
				snprintf(path, sizeof(path), "data/%s/", json_string_value(f));
				error = hoso_tree_delta(repo->git, NULL, sub, path, as_of_cb, &w);
			}
			git_tree_free(sub);
			git_tree_entry_free(e);
			if (error < 0)
				break;
		}
		/* Its units did not exist on the day: a later one's records there are not placed by it. */
		json_array_foreach(json_object_get(after[i], "into"), k, f)
			if (error == 0 && json_is_string(f) &&
				hoso_map_set(w.view->made, json_string_value(f), (void *)"", NULL) < 0)
				error = hoso_error_set(HOSO_ERROR, "out of memory");
		git_tree_free(tree);
		git_commit_free(commit);
	}
done:
	free(after);
	if (error < 0)
		hoso_units_as_of_free(w.view);
	else
		*out = w.view;
	return error;
}

static const char *unit_then(const char *id, void *view)
{
	return hoso_map_get(((const hoso_units_as_of *)view)->unit, id);
}

const char *hoso_units_as_of_unit(const hoso_units_as_of *view, const char *id, const char *unit,
	const char *data, size_t len)
{
	const char *then = view ? hoso_map_get(view->unit, id) : NULL;
	json_t *rec;

	if (then || !view || !data || !hoso_map_get(view->made, unit))
		return then ? then : unit;
	/*
	 * Written after the reorganization in a unit it made (a replica that did
	 * not know yet, a late entry): where what it belongs to was.
	 */
	if ((rec = json_loadb(data, len, 0, NULL)))
		then = owner_unit(rec, unit_then, (void *)view);
	json_decref(rec);
	return then ? then : unit;
}

const git_oid *hoso_units_as_of_org(const hoso_units_as_of *view, const char *id)
{
	return view ? hoso_map_get(view->org, id) : NULL;
}

static void free_value(const char *key, void *value, void *payload)
{
	(void)key, (void)payload;
	free(value);
}

void hoso_units_as_of_free(hoso_units_as_of *view)
{
	if (!view)
		return;
	if (view->org)
		hoso_map_foreach(view->org, free_value, NULL);
	hoso_map_free(view->org);
	hoso_map_free(view->unit);
	hoso_map_free(view->made);
	free(view);
}

int hoso_unit_follow(hoso_repo *repo, char from[64], char to[256])
{
	const char *own = hoso_repo_own_unit(repo), *next = own;
	const json_t *u, *succ;
	size_t hops = 0;
	int error;

	*from = *to = '\0';
	if (!own)
		return 0;
	snprintf(from, 64, "%s", own);
	/* A chain of merges: 026 into T01, T01 into T09. */
	while ((u = unit_obj(repo->config, next)) && str(u, "valid_to") && hops++ < 64) {
		succ = json_object_get(u, "successors");
		if (json_array_size(succ) != 1) {
			hoso_unit_codes(to, 256, repo->config, next, "successors");
			return 0;
		}
		next = json_string_value(json_array_get(succ, 0));
	}
	if (!next || strcmp(next, own) == 0)
		return 0;
	snprintf(to, 256, "%s", next);
	return (error = hoso_repo_set_own_unit(repo, to)) < 0 ? error : 1;
}
