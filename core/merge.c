/*
 * The three-way merge of one record, field by field (see hoso/merge.h).
 *
 * Every value is compared with json_equal, and an absent field counts as a
 * value of its own. At each field, in this order:
 *
 * - both sides hold the same value (or both lack it): that value;
 * - one side still holds the base value: the other side's value, as is;
 * - both sides hold objects, and the base an object or nothing: the fields
 *   are merged one by one;
 * - the schema marks the field as a set and every value present is an array
 *   (an absent one counts as []): base, plus what either side added, minus
 *   what either side removed, sorted by canonical text; when that leaves
 *   nothing and a side had removed the field, the field stays removed;
 * - otherwise a conflict on the whole field, which the winner of the record
 *   takes (absent when the winner removed it).
 *
 * The winner depends only on the stamps and tiebreaks, never on which side
 * is "ours", so two replicas merging the same versions agree. Everything
 * returned is a deep copy: nothing the caller gets back shares a container
 * with the inputs, which are never modified.
 */

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "hoso/merge.h"
#include "common.h"

typedef struct {
	const hoso_schema *schema;
	hoso_merge_side winner;
	hoso_merge_conflict *conflicts;
	size_t count, alloc;
} merger;

/* Equal values, an absent value (NULL) being equal only to another. */
static int same(const json_t *a, const json_t *b)
{
	if (!a || !b)
		return a == b;
	return json_equal(a, b);
}

/* A deep copy of `v` into `*out`; NULL stays NULL. */
static int copy(json_t **out, const json_t *v)
{
	*out = NULL;
	if (!v)
		return 0;
	if (!(*out = json_deep_copy(v)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	return 0;
}

static hoso_merge_side pick_winner(const hoso_merge_options *opts)
{
	const char *a = opts->ours_tiebreak ? opts->ours_tiebreak : "";
	const char *b = opts->theirs_tiebreak ? opts->theirs_tiebreak : "";

	if (opts->ours_stamp != opts->theirs_stamp)
		return opts->ours_stamp > opts->theirs_stamp ? HOSO_MERGE_OURS : HOSO_MERGE_THEIRS;
	return strcmp(a, b) < 0 ? HOSO_MERGE_THEIRS : HOSO_MERGE_OURS;
}

static char *child_path(const char *path, const char *key)
{
	return path[0] ? hoso_strdupf("%s.%s", path, key) : strdup(key);
}

static void conflict_clear(hoso_merge_conflict *c)
{
	free(c->field);
	json_decref(c->ours);
	json_decref(c->theirs);
	memset(c, 0, sizeof(*c));
}

/*
 * Record a conflict on `path` between `o` and `t` (either NULL: absent), won
 * by `winner`; `*out` gets a copy of the winner's value.
 */
static int add_conflict(merger *m, const char *path, const json_t *o, const json_t *t,
	hoso_merge_side winner, int deleted, json_t **out)
{
	hoso_merge_conflict c = { 0 };
	json_t *value = NULL;
	int error = 0;

	*out = NULL;
	if (m->count == m->alloc) {
		size_t n = m->alloc ? m->alloc * 2 : 4;
		hoso_merge_conflict *items = realloc(m->conflicts, n * sizeof(*items));
		if (!items) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			goto done;
		}
		m->conflicts = items;
		m->alloc = n;
	}
	if (!(c.field = strdup(path))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	if ((error = copy(&c.ours, o)) < 0 || (error = copy(&c.theirs, t)) < 0 ||
		(error = copy(&value, winner == HOSO_MERGE_OURS ? o : t)) < 0)
		goto done;
	c.winner = winner;
	c.deleted = deleted;
	m->conflicts[m->count++] = c;
	memset(&c, 0, sizeof(c));
	*out = value;
	value = NULL;
done:
	json_decref(value);
	conflict_clear(&c);
	return error;
}

static int merge_value(merger *m, const char *path, const json_t *b, const json_t *o,
	const json_t *t, json_t **out);

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append the keys of `obj` (may be NULL) to `keys`, borrowed. */
static void collect_keys(const char **keys, size_t *n, const json_t *obj)
{
	const char *key;
	void *it;

	/* Iterating does not modify the object; jansson's iterator is not const. */
	for (it = json_object_iter((json_t *)obj); it; it = json_object_iter_next((json_t *)obj, it)) {
		key = json_object_iter_key(it);
		keys[(*n)++] = key;
	}
}

/* Objects `o` and `t` (and `b`, or NULL for {}): merged field by field. */
static int merge_object(merger *m, const char *path, const json_t *b, const json_t *o,
	const json_t *t, json_t **out)
{
	const char **keys = NULL;
	char *sub = NULL;
	json_t *result = NULL, *v = NULL;
	size_t n = 0, i, max;
	int error = 0;

	*out = NULL;
	max = json_object_size(b) + json_object_size(o) + json_object_size(t);
	if (!(result = json_object()) || (max && !(keys = malloc(max * sizeof(*keys))))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	collect_keys(keys, &n, b);
	collect_keys(keys, &n, o);
	collect_keys(keys, &n, t);
	if (n)
		qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		if (!(sub = child_path(path, keys[i]))) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			goto done;
		}
		if ((error = merge_value(m, sub, json_object_get(b, keys[i]),
			json_object_get(o, keys[i]), json_object_get(t, keys[i]), &v)) < 0)
			goto done;
		if (v && json_object_set_new(result, keys[i], v) < 0) {
			v = NULL; /* json_object_set_new released it */
			error = hoso_error_set(HOSO_ERROR, "cannot merge field '%s': out of memory", sub);
			goto done;
		}
		v = NULL;
		free(sub);
		sub = NULL;
	}
	*out = result;
	result = NULL;
done:
	json_decref(v);
	free(sub);
	json_decref(result);
	free(keys);
	return error;
}

typedef struct {
	const json_t *value;
	char *text;
} set_item;

static int cmp_items(const void *a, const void *b)
{
	return strcmp(((const set_item *)a)->text, ((const set_item *)b)->text);
}

/* 1 if array `arr` (NULL: []) holds a value equal to `v`. */
static int set_has(const json_t *arr, const json_t *v)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (json_equal(json_array_get(arr, i), v))
			return 1;
	return 0;
}

/*
 * A set changed on both sides: what is in the base and still on both sides,
 * plus what either side added. `b`, `o`, `t` are arrays or NULL ([]).
 */
static int merge_set(merger *m, const char *path, const json_t *b, const json_t *o,
	const json_t *t, json_t **out)
{
	set_item *items = NULL;
	json_t *result = NULL, *v = NULL;
	size_t n = 0, i, j, max = json_array_size(o) + json_array_size(t);
	int error = 0;

	*out = NULL;
	if (max && !(items = calloc(max, sizeof(*items)))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < max; i++) {
		const json_t *e = i < json_array_size(o) ? json_array_get(o, i)
			: json_array_get(t, i - json_array_size(o));
		int kept = !set_has(b, e) || (set_has(o, e) && set_has(t, e));
		for (j = 0; kept && j < n; j++)
			if (json_equal(items[j].value, e))
				kept = 0;
		if (!kept)
			continue;
		items[n].value = e;
		if (!(items[n].text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY))) {
			error = hoso_error_set(HOSO_ERROR, "cannot merge the set '%s': out of memory", path);
			goto done;
		}
		n++;
	}
	if (n == 0 && (!o || !t))
		goto done; /* emptied, and removed by a side: stays removed */
	if (n)
		qsort(items, n, sizeof(*items), cmp_items);
	if (!(result = json_array())) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if ((error = copy(&v, items[i].value)) < 0)
			goto done;
		if (json_array_append_new(result, v) < 0) {
			v = NULL;
			error = hoso_error_set(HOSO_ERROR, "cannot merge the set '%s': out of memory", path);
			goto done;
		}
		v = NULL;
	}
	*out = result;
	result = NULL;
done:
	json_decref(result);
	for (i = 0; i < n; i++)
		free(items[i].text);
	free(items);
	return error;
}

static int array_or_absent(const json_t *v)
{
	return !v || json_is_array(v);
}

/* The merge of one field at `path`; `*out` NULL when the field is absent. */
static int merge_value(merger *m, const char *path, const json_t *b, const json_t *o,
	const json_t *t, json_t **out)
{
	*out = NULL;
	if (same(o, t))
		return copy(out, o);
	if (same(o, b))
		return copy(out, t);
	if (same(t, b))
		return copy(out, o);
	if (json_is_object(o) && json_is_object(t) && (!b || json_is_object(b)))
		return merge_object(m, path, b, o, t, out);
	if (array_or_absent(b) && array_or_absent(o) && array_or_absent(t) &&
		hoso_schema_field_is_set(m->schema, path))
		return merge_set(m, path, b, o, t, out);
	return add_conflict(m, path, o, t, m->winner, 0, out);
}

/* Insertion sort by field path: stable, and the lists are short. */
static void sort_conflicts(hoso_merge_conflict *c, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		hoso_merge_conflict tmp = c[i];
		for (j = i; j > 0 && strcmp(c[j - 1].field, tmp.field) > 0; j--)
			c[j] = c[j - 1];
		c[j] = tmp;
	}
}

/* The id of whichever version has one, for messages. */
static const char *record_id(const json_t *base, const json_t *ours, const json_t *theirs)
{
	const char *id = json_string_value(json_object_get(ours, "id"));

	if (!id)
		id = json_string_value(json_object_get(theirs, "id"));
	if (!id)
		id = json_string_value(json_object_get(base, "id"));
	return id ? id : "";
}

/* `id` and `type` are the record's identity: the same in every version. */
static int check_identity(const json_t *base, const json_t *ours, const json_t *theirs)
{
	static const char *const keys[] = { "id", "type" };
	const json_t *versions[3];
	const char *names[3];
	size_t nv = 0, i, k;

	if (base) {
		versions[nv] = base;
		names[nv++] = "base";
	}
	if (ours) {
		versions[nv] = ours;
		names[nv++] = "ours";
	}
	if (theirs) {
		versions[nv] = theirs;
		names[nv++] = "theirs";
	}
	for (i = 0; i < nv; i++)
		if (!json_is_object(versions[i]))
			return hoso_error_set(HOSO_EINVALID, "cannot merge record '%s': the %s version is not an object",
				record_id(base, ours, theirs), names[i]);
	for (k = 0; k < 2; k++)
		for (i = 1; i < nv; i++)
			if (!same(json_object_get(versions[0], keys[k]), json_object_get(versions[i], keys[k])))
				return hoso_error_set(HOSO_EINVALID,
					"cannot merge record '%s': field '%s' differs between the %s and %s versions",
					record_id(base, ours, theirs), keys[k], names[0], names[i]);
	return 0;
}

int hoso_merge_record(hoso_merge_result *out, const json_t *base, const json_t *ours,
	const json_t *theirs, const hoso_schema *schema, const hoso_merge_options *opts)
{
	static const hoso_merge_options defaults = HOSO_MERGE_OPTIONS_INIT;
	merger m = { 0 };
	json_t *merged = NULL;
	size_t i;
	int error = 0;

	if (!out)
		return hoso_error_set(HOSO_EUSAGE, "no result to merge a record into");
	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > HOSO_MERGE_OPTIONS_VERSION) {
		error = hoso_error_set(HOSO_EUSAGE, "merge options of version %u; this hoso knows version %d",
			opts->version, HOSO_MERGE_OPTIONS_VERSION);
		goto done;
	}
	if ((error = check_identity(base, ours, theirs)) < 0)
		goto done;
	m.schema = schema;
	m.winner = pick_winner(opts);

	if (same(ours, theirs))
		error = copy(&merged, ours);
	else if (same(ours, base))
		error = copy(&merged, theirs);      /* theirs alone changed, created or deleted it */
	else if (same(theirs, base))
		error = copy(&merged, ours);
	else if (!ours)                             /* deleted by us, edited by them */
		error = add_conflict(&m, "", NULL, theirs, HOSO_MERGE_THEIRS, 1, &merged);
	else if (!theirs)
		error = add_conflict(&m, "", ours, NULL, HOSO_MERGE_OURS, 1, &merged);
	else                                        /* no base: as if it were {} */
		error = merge_object(&m, "", base, ours, theirs, &merged);
	if (error < 0)
		goto done;

	sort_conflicts(m.conflicts, m.count);
	out->merged = merged;
	out->conflicts = m.conflicts;
	out->nconflicts = m.count;
	merged = NULL;
	m.conflicts = NULL;
	m.count = 0;
done:
	for (i = 0; i < m.count; i++)
		conflict_clear(&m.conflicts[i]);
	free(m.conflicts);
	json_decref(merged);
	return error;
}

void hoso_merge_result_clear(hoso_merge_result *result)
{
	size_t i;

	if (!result)
		return;
	for (i = 0; i < result->nconflicts; i++)
		conflict_clear(&result->conflicts[i]);
	free(result->conflicts);
	json_decref(result->merged);
	memset(result, 0, sizeof(*result));
}
