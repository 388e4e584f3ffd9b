#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Ask for the password on the terminal, without echo; NULL when there is no terminal. */
static char *ask_password(const char *url, const char *user, void *payload)
{
	struct termios old, quiet;
	char buf[256], *line = NULL;
	FILE *tty = fopen("/dev/tty", "r+");

	(void)payload;
	if (!tty)
		return NULL;
	fprintf(tty, _("password for '%s' at %s: "), user, url);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	if (fgets(buf, sizeof(buf), tty)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		line = strdup(buf);
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	explicit_bzero(buf, sizeof(buf));
	fclose(tty);
	return line;
}

static void progress(const char *what, size_t done, size_t total, size_t bytes, void *payload)
{
	char label[64];

	(void)payload;
	snprintf(label, sizeof(label), strcmp(what, "receiving") == 0 ?
		_("receiving objects (%zu KiB)") : _("sending objects (%zu KiB)"), bytes / 1024);
	cli_progress(label, done, total);
}

void cli_sync_options(hoso_sync_options *opts, const cli_args *args)
{
	const char *deadline = cli_get(args, "timeout");

	*opts = (hoso_sync_options)HOSO_SYNC_OPTIONS_INIT;
	opts->password_cb = ask_password;
	opts->progress_cb = progress;
	if (deadline)
		opts->deadline_s = (unsigned int)atoi(deadline);
	else if (getenv("HOSO_TIMEOUT"))
		opts->deadline_s = (unsigned int)atoi(getenv("HOSO_TIMEOUT"));
}
