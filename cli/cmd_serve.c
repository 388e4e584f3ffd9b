#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"

static const cli_option options[] = {
	{ "port", "N", 0, N_("the port to listen on (default 8080; 0: any free one)") },
	{ "address", "IPV4", 0, N_("the address to listen on (default 127.0.0.1; another asks for $HOSO_SERVE_PASSWORD)") },
	{ NULL, NULL, 0, NULL }
};

/*
 * The clerk's screen, on 127.0.0.1 unless told otherwise: a page's forms write through the
 * same validators and transaction as the command line, one request at a
 * time. It runs until interrupted (Ctrl-C, SIGTERM).
 */
static int run(cli_args *args, hoso_repo *repo)
{
	web_options opts = { repo, cli_builtin_plugin_dir(), NULL };
	const char *address = cli_get(args, "address") ? cli_get(args, "address") : "127.0.0.1";
	web_app *app = NULL;
	web_server *server = NULL;
	hoso_problems *problems = NULL;
	sigset_t stop;
	const char *given = cli_get(args, "port");
	char host[64], *end = NULL;
	long port = given ? strtol(given, &end, 10) : 8080;
	int rc = EXIT_OK, error = HOSO_ERROR, sig;

	if (args->npos)
		return cli_usage(args->cmd, "serve takes no arguments");
	if ((given && (!*given || *end)) || port < 0 || port > 65535)
		return cli_usage(args->cmd, "--port wants a number from 0 to 65535");
	/*
	 * The pages are in Vietnamese unless LANGUAGE names another language;
	 * gettext reads LANGUAGE under any locale but C, so C becomes C.UTF-8.
	 */
	if (!getenv("LANGUAGE") || !*getenv("LANGUAGE")) {
		const char *locale = setlocale(LC_MESSAGES, NULL);
		setenv("LANGUAGE", "vi", 1);
		if (!locale || strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0)
			setlocale(LC_MESSAGES, "C.UTF-8");
	}
	/* Requests must name the address they reach: "every address" is none of them. */
	if (strcmp(address, "0.0.0.0") == 0)
		return cli_usage(args->cmd, "give the address the clerks' browsers will use (this machine's on their network), not 0.0.0.0");
	/* Elsewhere than this machine, every request must give the password. */
	if (strcmp(address, "127.0.0.1") != 0) {
		opts.password = getenv("HOSO_SERVE_PASSWORD");
		if (!opts.password || strlen(opts.password) < 12)
			return cli_usage(args->cmd, "listening on %s needs a password of 12 characters or more "
				"in $HOSO_SERVE_PASSWORD", address);
	}
	/*
	 * Ctrl-C and SIGTERM are waited for, not handled: blocked here, before
	 * the server's thread starts (it inherits the mask), none is missed.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (hoso_problems_new(&problems) < 0 || (error = web_app_new(&app, &opts, problems)) < 0) {
		rc = hoso_problems_count(problems) ? cli_problems(problems) : cli_fail(error);
		if (hoso_problems_count(problems))
			cli_hint("every replica runs the plugins hoso.json pins: install them, then serve again");
		goto done;
	}
	if ((error = web_server_start(&server, app, address, (unsigned short)port)) == -2) {
		rc = cli_usage(args->cmd, "--address wants an IPv4 address, not '%s'", address);
		goto done;
	}
	if (error < 0) {
		rc = cli_error(EXIT_FAILURE_, "cannot listen on %s:%ld", address, port);
		cli_hint("another program may hold the port: give another with --port N");
		goto done;
	}
	/* The Host header a request must carry: this address and the port taken. */
	snprintf(host, sizeof(host), "%s:%u", address, web_server_port(server));
	web_app_set_host(app, host);
	printf("http://%s/\n", host);
	fflush(stdout);
	cli_info("serving '%s' on http://%s/ (Ctrl-C stops it)", hoso_repo_path(repo), host);
	sigwait(&stop, &sig);
done:
	web_server_stop(server);
	web_app_free(app);
	hoso_problems_free(problems);
	return rc;
}

const cli_command cmd_serve = {
	"serve", N_("the clerk's screen: a web interface on 127.0.0.1 for this replica"),
	"[--port N] [--address IPV4]", options, 1, run
};
