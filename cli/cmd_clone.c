#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unit", "CODE", 0, N_("the unit this replica works for") },
	{ "timeout", "SECONDS", 0, N_("give up on a silent hub after this long (default 120)") },
	{ NULL, NULL, 0, NULL }
};

/* The directory a URL names: its last part without ".git". */
static void default_dir(char *out, size_t size, const char *url)
{
	const char *base = strrchr(url, '/');
	size_t n;

	base = base && base[1] ? base + 1 : url;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".git") == 0)
		n -= 4;
	snprintf(out, size, "%.*s", (int)n, base);
}

static int run(cli_args *args, hoso_repo *unused)
{
	hoso_sync_options opts;
	hoso_repo *repo = NULL;
	const char *unit = cli_get(args, "unit");
	char dir[1024];
	int error;

	if (args->npos < 1 || args->npos > 2)
		return cli_usage(args->cmd, "give the hub's URL and, if you like, a directory");
	if (!unit)
		return cli_usage(args->cmd, "which unit does this replica work for? give --unit CODE");
	if (args->npos == 2)
		snprintf(dir, sizeof(dir), "%s", args->pos[1]);
	else
		default_dir(dir, sizeof(dir), args->pos[0]);
	cli_sync_options(&opts, args);
	error = hoso_clone(&repo, args->pos[0], dir, unit, &opts);
	cli_progress_end();
	if (error < 0) {
		int rc = cli_fail(error);
		if (error == HOSO_EOFFLINE)
			cli_hint("check the address and the connection, then clone again");
		else if (error == HOSO_ENOTFOUND)
			cli_hint("ask the province for your unit's code");
		return rc;
	}
	cli_info("cloned %s into '%s' for unit %s", hoso_repo_province_name(repo),
		dir, unit);
	hoso_repo_free(repo);
	return EXIT_OK;
}

const cli_command cmd_clone = {
	"clone", N_("make a replica of the province's hub for one unit"),
	"URL [DIR] --unit CODE", options, 0, run
};
