#include "cli.h"

static int run(cli_args *args, hoso_repo *repo)
{
	hoso_txn *txn = NULL;
	json_t *record = NULL;
	const char *unit;
	char message[256];
	int rc = EXIT_OK, error;

	if (args->npos != 1)
		return cli_usage(args->cmd, "give one record id");
	if (!hoso_id_valid(args->pos[0]))
		return cli_error(EXIT_USAGE, "'%s' is not a record id (a ULID)", args->pos[0]);
	if ((error = hoso_txn_begin(&txn, repo, NULL)) < 0 ||
		(error = hoso_txn_get(&record, &unit, txn, args->pos[0])) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	cli_commit_message(message, sizeof(message), "rm",
		json_string_value(json_object_get(record, "type")), args->pos[0], unit, record);
	if ((error = hoso_txn_remove(txn, args->pos[0])) < 0 ||
		(error = hoso_txn_commit(txn, message, NULL)) < 0)
		rc = cli_fail(error);
done:
	json_decref(record);
	hoso_txn_free(txn);
	return rc;
}

const cli_command cmd_rm = {
	"rm", "remove a record (its history stays in the log)", "ID", NULL, 1, run
};
