#include "cli.h"

static const cli_option options[] = {
	{ "timeout", "SECONDS", 0, "give up on a silent hub after this long (default 120)" },
	{ NULL, NULL, 0, NULL }
};

static int run(cli_args *args, hoso_repo *repo)
{
	hoso_sync_options opts;
	hoso_sync_stats st;
	int error;

	if (args->npos)
		return cli_usage(args->cmd, "sync takes no arguments");
	cli_sync_options(&opts, args);
	error = hoso_sync_run(repo, &opts, &st);
	cli_progress_end();
	if (error == HOSO_EOFFLINE) {
		cli_error(EXIT_OFFLINE, "%s", hoso_error_last());
		cli_hint("your work is kept here: %zu commit%s wait%s to be sent; run 'hoso sync' when "
			"the hub is reachable", st.sent_commits, st.sent_commits == 1 ? "" : "s",
			st.sent_commits == 1 ? "s" : "");
		return EXIT_OFFLINE;
	}
	if (error < 0)
		return cli_fail(error);
	fprintf(stderr, "hoso: synced: %zu commit%s from the hub, %zu sent, %zu record%s merged, "
		"%zu conflict%s (fetch %.2f s, merge %.2f s, checks %.2f s, push %.2f s)\n",
		st.received_commits, st.received_commits == 1 ? "" : "s",
		st.sent_commits, st.merged_records, st.merged_records == 1 ? "" : "s",
		st.conflicts, st.conflicts == 1 ? "" : "s", st.fetch_s, st.merge_s - st.check_s,
		st.check_s, st.push_s);
	if (st.conflicts)
		cli_hint("see them with 'hoso conflicts' and settle each with 'hoso resolve'");
	return EXIT_OK;
}

const cli_command cmd_sync = {
	"sync", "exchange work with the hub: fetch, merge record by record, push",
	"[--timeout SECONDS]", options, 1, run
};
