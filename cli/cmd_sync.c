#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "timeout", "SECONDS", 0, "give up on a silent hub after this long (default 120)" },
	{ NULL, NULL, 0, NULL }
};

/* Install the plugins hoso.json pins with a URL and this replica lacks, saying which. */
static void fetch_plugins(hoso_repo *repo, const char *when)
{
	hoso_problems *problems = NULL;
	size_t fetched = 0;

	if (hoso_problems_new(&problems) < 0)
		return;
	hoso_plugin_fetch_pinned(&fetched, repo, problems);
	cli_problems(problems);
	if (fetched)
		fprintf(stderr, "hoso: installed %zu plugin%s pinned in hoso.json%s\n", fetched,
			fetched == 1 ? "" : "s", when);
	hoso_problems_free(problems);
}

static int run(cli_args *args, hoso_repo *repo)
{
	hoso_sync_options opts;
	hoso_sync_stats st;
	hoso_problems *problems = NULL;
	int error, rc;

	if (args->npos)
		return cli_usage(args->cmd, "sync takes no arguments");
	cli_sync_options(&opts, args);
	fetch_plugins(repo, "");
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	/* The merge is a write like any other: the same validators run on it. */
	if (!(opts.write = cli_write_options(repo, problems))) {
		hoso_problems_free(problems);
		return EXIT_DATA;
	}
	/* What the hub's hook will verify, verified before it is sent. */
	opts.verify = cli_verify_options();
	error = hoso_sync_run(repo, &opts, &st);
	cli_progress_end();
	rc = cli_problems(problems);
	hoso_problems_free(problems);
	/* The hub's hoso.json may pin plugins this replica has not got yet. */
	if (st.received_commits && hoso_repo_reload(repo) == 0)
		fetch_plugins(repo, " by the hub");
	if (error == HOSO_EINVALID && rc != EXIT_OK) {
		cli_error(EXIT_DATA, "%s", hoso_error_last());
		cli_hint("fix the records named above here (a clerk writes only in their own units), "
			"then sync again");
		return EXIT_DATA;
	}
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
		"%zu conflict%s (fetch %.2f s, merge %.2f s, checks %.2f s, push %.2f s",
		st.received_commits, st.received_commits == 1 ? "" : "s",
		st.sent_commits, st.merged_records, st.merged_records == 1 ? "" : "s",
		st.conflicts, st.conflicts == 1 ? "" : "s", st.fetch_s, st.merge_s - st.check_s,
		st.check_s, st.push_s);
	/* Pushes overtaken by other replicas' were fetched, merged and tried again. */
	if (st.attempts > 1)
		fprintf(stderr, "; pushed at the %u%s try", st.attempts,
			st.attempts == 2 ? "nd" : st.attempts == 3 ? "rd" : "th");
	fprintf(stderr, ")\n");
	if (st.conflicts)
		cli_hint("see them with 'hoso conflicts' and settle each with 'hoso resolve'");
	return EXIT_OK;
}

const cli_command cmd_sync = {
	"sync", "exchange work with the hub: fetch, merge record by record, push",
	"[--timeout SECONDS]", options, 1, run
};
