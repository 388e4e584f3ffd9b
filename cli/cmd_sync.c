#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "timeout", "SECONDS", 0, N_("give up on a silent hub after this long (default 120)") },
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
		cli_info(ngettext("installed %zu plugin pinned in hoso.json%s",
			"installed %zu plugins pinned in hoso.json%s", fetched), fetched, when);
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
		fetch_plugins(repo, _(" by the hub"));
	if (error == HOSO_EINVALID && rc != EXIT_OK) {
		cli_error(EXIT_DATA, "%s", hoso_error_last());
		cli_hint("fix the records named above here (a clerk writes only in their own units), "
			"then sync again");
		return EXIT_DATA;
	}
	if (error == HOSO_EOFFLINE) {
		cli_error(EXIT_OFFLINE, "%s", hoso_error_last());
		cli_hint(ngettext("your work is kept here: %zu commit waits to be sent; run 'hoso sync' "
			"when the hub is reachable", "your work is kept here: %zu commits wait to be sent; "
			"run 'hoso sync' when the hub is reachable", st.sent_commits), st.sent_commits);
		return EXIT_OFFLINE;
	}
	if (error < 0)
		return cli_fail(error);
	{
		char in[64], merged[64], conflicts[64], tries[64] = "";
		snprintf(in, sizeof(in), ngettext("%zu commit", "%zu commits", st.received_commits),
			st.received_commits);
		snprintf(merged, sizeof(merged), ngettext("%zu record", "%zu records",
			st.merged_records), st.merged_records);
		snprintf(conflicts, sizeof(conflicts), ngettext("%zu conflict", "%zu conflicts",
			st.conflicts), st.conflicts);
		/* Pushes overtaken by other replicas' were fetched, merged and tried again. */
		if (st.attempts > 1)
			snprintf(tries, sizeof(tries), _("; pushed at try %u"), st.attempts);
		cli_info("synced: %s from the hub, %zu sent, %s merged, %s (fetch %.2f s, merge %.2f s, "
			"checks %.2f s, push %.2f s%s)", in, st.sent_commits, merged, conflicts, st.fetch_s,
			st.merge_s - st.check_s, st.check_s, st.push_s, tries);
	}
	if (st.conflicts)
		cli_hint("see them with 'hoso conflicts' and settle each with 'hoso resolve'");
	cli_unit_change(repo, st.unit_was, st.unit_now, st.unit_choice);
	return EXIT_OK;
}

const cli_command cmd_sync = {
	"sync", N_("exchange work with the hub: fetch, merge record by record, push"),
	"[--timeout SECONDS]", options, 1, run
};
