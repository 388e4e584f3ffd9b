#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "take", "ours|theirs|VALUE", 0, N_("the value to keep") },
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	const char *record_id, *field;
	json_t *found; /* id -> conflict record */
} find_state;

static int each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	find_state *st = payload;
	json_error_t jerr;
	json_t *c = json_loadb(data, len, 0, &jerr);

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

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	find_state st;
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *record = NULL, *chosen = NULL, *c;
	const char *take = cli_get(args, "take"), *unit, *cid;
	char message[256];
	int rc = EXIT_OK, error, whole;

	if (args->npos != 2 || !take)
		return cli_usage(args->cmd, "give the record's id, the field, and --take");
	st.record_id = args->pos[0];
	st.field = strcmp(args->pos[1], ".") == 0 ? "" : args->pos[1];
	whole = !*st.field;
	st.found = json_object();
	if ((error = hoso_record_foreach(repo, NULL, "conflict", NULL, each, &st)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	if (!json_object_size(st.found)) {
		rc = cli_error(EXIT_DATA, "no open conflict on field '%s' of record '%s'",
			args->pos[1], args->pos[0]);
		cli_hint("'hoso conflicts' lists them");
		goto done;
	}
	if (hoso_problems_new(&problems) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	if (!(wopts = cli_write_options(repo, problems))) {
		rc = EXIT_DATA;
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, wopts)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	error = hoso_txn_get(&record, &unit, txn, args->pos[0]);
	if (error < 0 && !(whole && error == HOSO_ENOTFOUND)) {
		rc = cli_fail(error);
		goto done;
	}
	/* The newest conflict on the field holds the values to choose between. */
	json_object_foreach(st.found, cid, c)
		chosen = c;
	if (strcmp(take, "ours") == 0 || strcmp(take, "theirs") == 0) {
		json_t *v = json_object_get(chosen, take);
		if (whole) {
			if (!v)
				error = record ? hoso_txn_remove(txn, args->pos[0]) : 0;
			else
				error = hoso_txn_put(txn, unit ? unit :
					json_string_value(json_object_get(chosen, "unit")), v, HOSO_PUT_UPSERT,
					args->pos[0], 0, problems, NULL);
		} else {
			error = v ? hoso_record_set_value(record, st.field, v) :
				(hoso_record_unset(record, st.field), 0);
		}
	} else if (whole) {
		rc = cli_usage(args->cmd, "for an edit against a deletion, take ours or theirs");
		goto done;
	} else if (hoso_record_set(record, hoso_repo_schema(repo,
		json_string_value(json_object_get(record, "type"))), st.field, take, 0, problems) < 0) {
		rc = cli_problems(problems);
		goto done;
	}
	if (error == 0 && !whole)
		error = hoso_txn_put(txn, unit, record, HOSO_PUT_REPLACE, args->pos[0], 0, problems, NULL);
	json_object_foreach(st.found, cid, c)
		if (error == 0)
			error = hoso_txn_remove(txn, cid);
	if (error < 0) {
		rc = hoso_problems_count(problems) ? cli_problems(problems) : cli_fail(error);
		goto done;
	}
	snprintf(message, sizeof(message), "resolve %s %s: take %.100s\n", args->pos[0],
		whole ? "(the record)" : st.field, take);
	rc = cli_commit(txn, message, NULL, problems);
done:
	json_decref(record);
	json_decref(st.found);
	hoso_txn_free(txn);
	hoso_problems_free(problems);
	return rc;
}

const cli_command cmd_resolve = {
	"resolve", N_("settle a conflict: keep our value, theirs, or a new one"),
	"ID FIELD --take ours|theirs|VALUE", options, 1, run
};
