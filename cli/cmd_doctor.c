#include "cli.h"

/* In progress: the checks of a replica. */
static int run(cli_args *args, hoso_repo *repo)
{
	return cli_error(EXIT_FAILURE_, "doctor is not built yet");
}

const cli_command cmd_doctor = {
	"doctor", N_("check this replica and say what to do about each problem"), "", NULL, 0, run
};
