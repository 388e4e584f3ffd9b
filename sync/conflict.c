#include <string.h>

#include "hoso/sync.h"
#include "hoso/record.h"
#include "common.h"

/* The open conflicts on one field of one record: conflict id -> record (with "unit"). */
typedef struct {
	const char *record_id, *field;
	json_t *found;
} find_state;

static int each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	find_state *st = payload;
	json_t *c = json_loadb(data, len, 0, NULL);
	const char *rid = json_string_value(json_object_get(c, "record_id"));
	const char *field = json_string_value(json_object_get(c, "field"));

	(void)type;
	if (c && rid && field && strcmp(rid, st->record_id) == 0 && strcmp(field, st->field) == 0) {
		json_object_set_new(c, "unit", json_string(unit)); /* where the record lives */
		json_object_set(st->found, id, c);
	}
	json_decref(c);
	return 0;
}

int hoso_conflict_resolve(hoso_repo *repo, const hoso_txn_options *opts, const char *record_id,
	const char *field, const char *take, hoso_problems *problems)
{
	find_state st = { record_id, field && strcmp(field, ".") != 0 ? field : "", NULL };
	hoso_txn *txn = NULL;
	json_t *record = NULL, *chosen = NULL, *c;
	const char *unit = NULL, *cid;
	char message[256];
	int error, whole = !*st.field;

	if (!(st.found = json_object()))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if ((error = hoso_record_foreach(repo, NULL, "conflict", NULL, each, &st)) < 0)
		goto done;
	if (!json_object_size(st.found)) {
		error = hoso_error_set(HOSO_ENOTFOUND, "no open conflict on field '%s' of record '%s'",
			field, record_id);
		hoso_error_set_hint("'hoso conflicts' lists them");
		goto done;
	}
	if (whole && strcmp(take, "ours") != 0 && strcmp(take, "theirs") != 0) {
		error = hoso_error_set(HOSO_EUSAGE, "for an edit against a deletion, take ours or theirs");
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, opts)) < 0)
		goto done;
	error = hoso_txn_get(&record, &unit, txn, record_id);
	if (error < 0 && !(whole && error == HOSO_ENOTFOUND))
		goto done;
	error = 0;
	/* The newest conflict on the field holds the values to choose between. */
	json_object_foreach(st.found, cid, c)
		chosen = c;
	if (strcmp(take, "ours") == 0 || strcmp(take, "theirs") == 0) {
		json_t *v = json_object_get(chosen, take);
		if (whole) {
			if (!v)
				error = record ? hoso_txn_remove(txn, record_id) : 0;
			else
				error = hoso_txn_put(txn, unit ? unit :
					json_string_value(json_object_get(chosen, "unit")), v, HOSO_PUT_UPSERT,
					record_id, 0, problems, NULL);
		} else {
			error = v ? hoso_record_set_value(record, st.field, v) :
				(hoso_record_unset(record, st.field), 0);
		}
	} else if (hoso_record_set(record, hoso_repo_schema(repo,
		json_string_value(json_object_get(record, "type"))), st.field, take, 0, problems) < 0) {
		error = hoso_error_set(HOSO_EINVALID, "the value for '%s' is refused", st.field);
		goto done;
	}
	if (error == 0 && !whole)
		error = hoso_txn_put(txn, unit, record, HOSO_PUT_REPLACE, record_id, 0, problems, NULL);
	json_object_foreach(st.found, cid, c)
		if (error == 0)
			error = hoso_txn_remove(txn, cid);
	if (error < 0)
		goto done;
	snprintf(message, sizeof(message), "resolve %s %s: take %.100s\n", record_id,
		whole ? "(the record)" : st.field, take);
	error = hoso_txn_commit(txn, message, NULL);
done:
	json_decref(record);
	json_decref(st.found);
	hoso_txn_free(txn);
	return error;
}
