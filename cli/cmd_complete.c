#include "cli.h"

/* In progress: the words bash completion offers. */
static int run(cli_args *args, hoso_repo *repo)
{
	return EXIT_OK;
}

const cli_command cmd_complete = {
	"__complete", "the words that complete a command line (for bash completion)", "WORD...", NULL, 0, run
};
