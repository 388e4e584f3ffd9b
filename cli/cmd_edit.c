#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unset", "FIELD", 1, N_("remove a field") },
	{ "unit", "U", 0, N_("move the record to another unit") },
	{ NULL, NULL, 0, NULL }
};

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	const char **unset, *unit, *was, *type;
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *record = NULL, *before = NULL;
	char message[256];
	size_t nunset, i;
	int rc = EXIT_OK, error;

	unset = cli_all(args, "unset", &nunset);
	if (args->npos < 1)
		return cli_usage(args->cmd, "which record?");
	if (args->npos == 1 && nunset == 0 && !cli_has(args, "unit"))
		return cli_usage(args->cmd, "nothing to change: give FIELD=VALUE, --unset FIELD or --unit U");
	if (!hoso_id_valid(args->pos[0]))
		return cli_error(EXIT_USAGE, "'%s' is not a record id (a ULID)", args->pos[0]);
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	if (!(wopts = cli_write_options(repo, problems))) {
		rc = EXIT_DATA;
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, wopts)) < 0 ||
		(error = hoso_txn_get(&record, &unit, txn, args->pos[0])) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	was = unit;
	if (cli_has(args, "unit") && !(unit = cli_unit(args, repo, &rc)))
		goto done;
	type = json_string_value(json_object_get(record, "type"));
	before = json_deep_copy(record);
	for (i = 0; i < nunset; i++)
		if (hoso_record_unset(record, unset[i]) < 0) {
			rc = cli_error(EXIT_USAGE, "%s", hoso_error_last());
			goto done;
		}
	if ((error = cli_set_fields(record, hoso_repo_schema(repo, type ? type : ""),
		args->pos + 1, args->npos - 1, problems)) < 0) {
		rc = cli_problems(problems);
		if (error == HOSO_EUSAGE)
			rc = EXIT_USAGE;
		goto done;
	}
	if (json_equal(before, record) && strcmp(was, unit) == 0) {
		cli_info("nothing changed in '%s'", args->pos[0]);
		goto done;
	}
	if ((error = hoso_txn_put(txn, unit, record, HOSO_PUT_REPLACE, args->pos[0], 0, problems,
		NULL)) < 0) {
		rc = hoso_problems_count(problems) ? cli_problems(problems) : cli_fail(error);
		goto done;
	}
	hoso_record_commit_message(message, sizeof(message), "edit", type, args->pos[0], unit,
		record, NULL);
	rc = cli_commit(txn, message, NULL, problems);
done:
	json_decref(before);
	json_decref(record);
	hoso_txn_free(txn);
	hoso_problems_free(problems);
	return rc;
}

const cli_command cmd_edit = {
	"edit", N_("change fields of a record"),
	"ID (FIELD=VALUE | FIELD:=JSON)... [--unset FIELD] [--unit U]", options, 1, run
};
