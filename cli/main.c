#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

const char *cli_program = "hoso";
const char *cli_dir;

const cli_command *const cli_commands[] = {
	&cmd_init, &cmd_add, &cmd_edit, &cmd_show, &cmd_rm, &cmd_list, &cmd_log,
	&cmd_import, &cmd_status, &cmd_clone, &cmd_sync, &cmd_conflicts, &cmd_resolve, &cmd_export,
	&cmd_report, &cmd_plugin, &cmd_access, &cmd_unit, &cmd_verify, &cmd_doctor, &cmd_serve, &cmd_demo, &cmd_complete, NULL
};

static void print_help(FILE *fp, const cli_command *cmd)
{
	const cli_option *o;

	fprintf(fp, _("usage: hoso %s %s\n\n%s\n"), cmd->name, cmd->usage, _(cmd->summary));
	if (cmd->options && cmd->options[0].name)
		fprintf(fp, _("\noptions:\n"));
	for (o = cmd->options; o && o->name; o++) {
		char left[64], letter[8] = "";
		if (o->letter)
			snprintf(letter, sizeof(letter), "-%c, ", o->letter);
		snprintf(left, sizeof(left), "%s--%s%s%s", letter, o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
		/* A long option and argument go on a line of their own. */
		if (strlen(left) > 24)
			fprintf(fp, "  %s\n  %-24s", left, "");
		else
			fprintf(fp, "  %-24s", left);
		fprintf(fp, " %s%s\n", _(o->help), o->repeat ? _(" (repeatable)") : "");
	}
}

static void print_commands(FILE *fp)
{
	size_t i;

	fprintf(fp, _("usage: hoso [-C DIR] COMMAND [ARGS]\n\n"
		"Keeps a province's Party-building records as JSON files in a git repository.\n\n"
		"commands:\n"));
	for (i = 0; cli_commands[i]; i++)
		if (cli_commands[i]->name[0] != '_')
			fprintf(fp, "  %-10s %s\n", cli_commands[i]->name, _(cli_commands[i]->summary));
	fprintf(fp, _("\n'hoso COMMAND --help' tells more about a command.\n"));
}

/* Parse `argv` (after the command name) by the command's option table. */
static int parse(cli_args *args, const cli_command *cmd, int argc, char **argv)
{
	int i, only_pos = 0;

	memset(args, 0, sizeof(*args));
	args->cmd = cmd;
	if (!(args->pos = calloc((size_t)argc + 1, sizeof(char *))))
		return cli_error(EXIT_FAILURE_, "out of memory");
	for (i = 0; i < argc; i++) {
		/* Completion takes the words of a command line as they are. */
		if (cmd == &cmd_complete) {
			args->pos[args->npos++] = argv[i];
			continue;
		}
		const char *a = argv[i], *eq, *value;
		size_t k, nlen;
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && a[0] == '-' && a[1] && a[1] != '-' && !a[2]) {
			/* "-o FILE": the option of that letter. */
			for (k = 0; cmd->options && cmd->options[k].name && cmd->options[k].letter != a[1]; k++)
				;
			if (!cmd->options || !cmd->options[k].name)
				return cli_usage(cmd, "unknown option '%s'", a);
			eq = NULL;
		} else if (only_pos || a[0] != '-' || a[1] != '-') {
			args->pos[args->npos++] = argv[i];
			continue;
		} else {
			eq = strchr(a + 2, '=');
			nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (k = 0; cmd->options && cmd->options[k].name; k++)
				if (strlen(cmd->options[k].name) == nlen &&
					strncmp(cmd->options[k].name, a + 2, nlen) == 0)
					break;
		}
		if (!cmd->options || !cmd->options[k].name)
			return cli_usage(cmd, "unknown option '%s'", a);
		if (cmd->options[k].arg) {
			if (eq)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else
				return cli_usage(cmd, "option '--%s' needs a value", cmd->options[k].name);
		} else if (eq) {
			return cli_usage(cmd, "option '--%s' takes no value", cmd->options[k].name);
		} else {
			value = "";
		}
		if (args->counts[k] && !cmd->options[k].repeat)
			return cli_usage(cmd, "option '--%s' given twice", cmd->options[k].name);
		{
			const char **v = realloc(args->values[k], (args->counts[k] + 1) * sizeof(char *));
			if (!v)
				return cli_error(EXIT_FAILURE_, "out of memory");
			v[args->counts[k]++] = value;
			args->values[k] = v;
		}
	}
	return 0;
}

static void args_free(cli_args *args)
{
	size_t k;

	for (k = 0; k < CLI_MAX_OPTIONS; k++)
		free(args->values[k]);
	free(args->pos);
}

int main(int argc, char **argv)
{
	const cli_command *cmd = NULL;
	const char *dir = NULL;
	hoso_repo *repo = NULL;
	cli_args args;
	int i = 1, rc, k;

	if (argc > 0 && strchr(argv[0], '/'))
		cli_program = argv[0];
	/*
	 * Messages in the person's language; numbers stay C's everywhere (a
	 * Vietnamese locale's decimal comma must not reach JSON or reports).
	 */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(HOSO_TEXTDOMAIN, cli_locale_dir());
	bind_textdomain_codeset(HOSO_TEXTDOMAIN, "UTF-8");
	textdomain(HOSO_TEXTDOMAIN);
	git_libgit2_init();
	/* Objects, packs and refs reach the disk before hoso says it is done. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/*
	 * HOSO_NO_FSYNC=1 exists only for tests/bench/bench_fsync.sh, which
	 * measures what durability costs: it turns off libgit2's fsync and that
	 * of hoso's pack writer, and nothing else. Writes are then not durable
	 * across power loss: never set it for real work. (An environment
	 * variable, not a git config: libgit2 1.5 reads no config that turns
	 * its fsync off, and a setting stored in a repository would outlive
	 * the benchmark.)
	 */
	if (getenv("HOSO_NO_FSYNC") && strcmp(getenv("HOSO_NO_FSYNC"), "1") == 0) {
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
		hoso_repo_set_fsync(0);
	}
	/*
	 * A shard's tree of ~200 records is ~9 KiB, over libgit2's 4 KiB limit
	 * for caching trees: without this, every record read inflates its
	 * shard's tree again.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)1 << 20);
	/*
	 * As git itself reads objects: without hashing each one again (an
	 * eighth of verify --all's time). zlib still checks every object it
	 * inflates; 'git fsck' checks the hashes.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			dir = cli_dir = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("hoso %s\n", HOSO_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_commands(stdout);
			return 0;
		} else {
			cli_error(EXIT_USAGE, "unknown option '%s'", argv[i]);
			cli_hint("run 'hoso --help' for the commands");
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0 && i + 1 < argc)
		argv[i] = argv[i + 1], argv[i + 1] = "--help";
	for (k = 0; cli_commands[k]; k++)
		if (strcmp(cli_commands[k]->name, argv[i]) == 0)
			cmd = cli_commands[k];
	if (!cmd) {
		cli_error(EXIT_USAGE, "'%s' is not a hoso command", argv[i]);
		cli_hint("run 'hoso --help' for the commands");
		return EXIT_USAGE;
	}
	/* Completion takes the words of a command line as they are, "--help" too. */
	for (k = i + 1; k < argc && cmd != &cmd_complete; k++)
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			print_help(stdout, cmd);
			return 0;
		}
	if ((rc = parse(&args, cmd, argc - i - 1, argv + i + 1)) != 0)
		goto done;
	if (dir && chdir(dir) < 0) {
		rc = cli_error(EXIT_USAGE, "cannot change to '%s': %s", dir, strerror(errno));
		goto done;
	}
	if (cmd->needs_repo) {
		/* As git does: GIT_DIR names the repository (a hook runs so). */
		int error = hoso_repo_open(&repo, cli_repo_where());
		if (error < 0) {
			/* Pointed at something that is not a data repository: a usage error. */
			rc = error == HOSO_ENOTFOUND ? cli_error(EXIT_USAGE, "%s", hoso_error_last()) :
				cli_fail(error);
			cli_hint("run hoso inside a data repository, or give it with -C DIR");
			goto done;
		}
	}
	rc = cmd->run(&args, repo);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error(EXIT_FAILURE_, "cannot write the output: %s", strerror(errno));
done:
	args_free(&args);
	cli_write_options_free();
	hoso_repo_free(repo);
	git_libgit2_shutdown();
	return rc;
}
