#include "cli.h"

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *record = NULL;
	const char *unit;
	char message[256];
	int rc = EXIT_OK, error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "give one record id");
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
	hoso_record_commit_message(message, sizeof(message), "rm",
		json_string_value(json_object_get(record, "type")), args->pos[0], unit, record, NULL);
	if ((error = hoso_txn_remove(txn, args->pos[0])) < 0)
		rc = cli_fail(error);
	else
		rc = cli_commit(txn, message, NULL, problems);
done:
	hoso_problems_free(problems);
	json_decref(record);
	hoso_txn_free(txn);
	return rc;
}

const cli_command cmd_rm = {
	"rm", N_("remove a record (its history stays in the log)"), "ID", NULL, 1, run
};
