#include "cli.h"

static const cli_option options[] = {
	{ "take", "ours|theirs|VALUE", 0, N_("the value to keep") },
	{ NULL, NULL, 0, NULL }
};

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	hoso_problems *problems = NULL;
	const char *take = cli_get(args, "take");
	int rc, error;

	if (args->npos != 2 || !take)
		return cli_usage(args->cmd, "give the record's id, the field, and --take");
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	if (!(wopts = cli_write_options(repo, problems))) {
		rc = EXIT_DATA;
		goto done;
	}
	error = hoso_conflict_resolve(repo, wopts, args->pos[0], args->pos[1], take, problems);
	if (error == HOSO_EUSAGE)
		rc = cli_usage(args->cmd, "%s", hoso_error_last());
	else
		rc = cli_committed(error, problems);
done:
	hoso_problems_free(problems);
	return rc;
}

const cli_command cmd_resolve = {
	"resolve", N_("settle a conflict: keep our value, theirs, or a new one"),
	"ID FIELD --take ours|theirs|VALUE", options, 1, run
};
