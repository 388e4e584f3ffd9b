#ifndef HOSO_CLI_H
#define HOSO_CLI_H

/*
 * The hoso program: one file per command, each declaring a cli_command.
 * Help and parsing come from the same option table. Only cli/ prints or
 * exits.
 */

#include <libintl.h>
#include <stddef.h>
#include <stdio.h>
#include "hoso/hoso.h"

/*
 * Messages for a person go through gettext (po/): cli_error, cli_warning,
 * cli_hint and cli_usage translate their format themselves; any other text
 * a person reads is written _("..."), and text in a table N_("...") and
 * translated where it is printed.
 */
#define _(s) gettext(s)
#define N_(s) (s)

/* Exit codes (DESIGN.md). */
enum {
	EXIT_OK = 0,
	EXIT_DATA = 1,    /* data rejected */
	EXIT_USAGE = 2,
	EXIT_OFFLINE = 3, /* hub unreachable; local work kept */
	EXIT_FAILURE_ = 4 /* anything else */
};

typedef struct {
	const char *name;  /* long name, without "--" */
	const char *arg;   /* NULL for a flag, else the argument's name in help */
	int repeat;        /* may be given more than once */
	const char *help;
	char letter;       /* a one-letter form ("-o"), or 0 */
} cli_option;

#define CLI_MAX_OPTIONS 16

typedef struct {
	const struct cli_command *cmd;
	const char **values[CLI_MAX_OPTIONS]; /* per option: its arguments (or "" for a flag) */
	size_t counts[CLI_MAX_OPTIONS];
	char **pos;                           /* positional arguments */
	size_t npos;
} cli_args;

typedef struct cli_command {
	const char *name;
	const char *summary;
	const char *usage;           /* the positional part of the synopsis */
	const cli_option *options;   /* terminated by a NULL name */
	int needs_repo;
	int (*run)(cli_args *args, hoso_repo *repo);
} cli_command;

/* The value of option `name` (the last if repeated), or NULL. */
const char *cli_get(const cli_args *args, const char *name);
/* All values of option `name`; `*n` gets their number. */
const char **cli_all(const cli_args *args, const char *name, size_t *n);
/* 1 if the flag or option was given. */
int cli_has(const cli_args *args, const char *name);

/* Messages on stderr in the house style; all return the exit code to use. */
int cli_error(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What was done, for a person: "hoso: …" on stderr. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report the last library failure with its code's exit status. */
int cli_fail(int code);
/* The next step when git knows no author (user.name, user.email): the commands (translated). */
const char *cli_identity_hint(void);
/* Exit status for a library error code. */
int cli_exit_code(int code);
/* Print every problem; returns EXIT_DATA when one is an error. */
int cli_problems(const hoso_problems *problems);

/*
 * Commit the transaction and print its problems (the records' warnings, the
 * rules across records): the exit code.
 */
int cli_commit(hoso_txn *txn, const char *message, git_oid *out, const hoso_problems *problems);
/* The same for a commit already tried, which returned `error`. */
int cli_committed(int error, const hoso_problems *problems);
/* Usage error for `cmd` with its synopsis as a hint. */
int cli_usage(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress on a terminal (stderr), nothing otherwise. */
void cli_progress(const char *what, size_t done, size_t total);
void cli_progress_end(void);

/* Who is running hoso, as access.json names users: $HOSO_USER, else git's user.name; NULL if neither. */
const char *cli_user(hoso_repo *repo);

/* A usage error for an option given to subcommand `sub` that is not one of `allowed` (NULL-terminated), else EXIT_OK. */
int cli_only_options(const cli_args *args, const char *sub, const char *const *allowed);

/* access.json at the tip, or NULL with the exit code in `*rc` and why said (its problems when it breaks its rules). */
hoso_access *cli_access(hoso_repo *repo, int *rc);

/* EXIT_OK if the one running hoso is an admin by access.json on main; else says so, that only an admin may `what` (translated). */
int cli_admin_only(hoso_repo *repo, const char *what);

/*
 * Say that the replica's unit `was` was closed by the admin: now `now`, or
 * (`now` "") to be chosen among `choice` with 'hoso unit use'. Nothing when
 * `was` is "".
 */
void cli_unit_change(hoso_repo *repo, const char *was, const char *now, const char *choice);

/* When `unit` (may be NULL) is closed, a hint: where its records are now, and (`as_of`) --as-of. */
void cli_closed_unit_hint(hoso_repo *repo, const char *unit, int as_of);

/* The unit given by --unit, else the replica's own; NULL with a message if neither. */
const char *cli_unit(const cli_args *args, hoso_repo *repo, int *exit_code);
/* The schema of TYPE, or NULL with a usage message naming the known types. */
const hoso_schema *cli_type(const cli_command *cmd, hoso_repo *repo, const char *type);
/*
 * Apply FIELD=VALUE / FIELD:=JSON arguments to `record`: HOSO_EUSAGE when an
 * argument is neither (or sets id or type), HOSO_EINVALID when a value is
 * refused, each with its problem.
 */
int cli_set_fields(json_t *record, const hoso_schema *schema, char **argv, size_t argc,
	hoso_problems *problems);

/*
 * The labels to show fields and codes by (--labels vi|en|none): "vi", "en",
 * or NULL for names and codes as stored; without --labels, "vi" under a
 * Vietnamese locale. 0, or the usage exit code with a message.
 */
int cli_labels(const char **out, const cli_args *args);
#define CLI_LABELS_OPTION { "labels", "vi|en|none", 0, \
	N_("fields and codes by the schemas' labels (default: vi under a Vietnamese locale, else none)"), 0 }

/*
 * Where an export or a report goes: standard output, or FILE through a
 * temporary file beside it renamed into place when whole, so that a failed
 * run leaves nothing under the name; what is not a file (/dev/null, a pipe)
 * is written directly. open: NULL (said why) when FILE cannot
 * be written; close: the exit code, `rc` unless closing failed.
 */
typedef struct {
	FILE *fp;
	const char *file;
	char target[4096]; /* the file renamed over: FILE, or the file a link names */
	char tmp[4200];
} cli_output;

FILE *cli_output_open(cli_output *o, const char *file);
int cli_output_close(cli_output *o, int rc);

/*
 * Where hoso's own files are: the built-in plugins, the schemas a new
 * repository gets, the message catalogs. Each is the installation's
 * (found from the program's path), else this build's (or source tree's).
 */
const char *cli_builtin_plugin_dir(void);
const char *cli_schema_dir(void);
const char *cli_locale_dir(void);

/*
 * Options for a write: every validator plugin joins it, on each record and
 * on the rules across records before the commit, whose findings go to
 * `problems` (loaded once; plugins refused are named as warnings). NULL
 * when a pinned plugin is missing. Released by cli_write_options_free.
 */
const hoso_txn_options *cli_write_options(hoso_repo *repo, hoso_problems *problems);
void cli_write_options_free(void);

/* Options for verify with the same validators (after cli_write_options), or NULL. */
const hoso_verify_options *cli_verify_options(void);

/* How this program was started (argv[0]), for the commands hoso prints for a person. */
extern const char *cli_program;

/* -C DIR, or NULL (the program has changed to it already). */
extern const char *cli_dir;

/*
 * Where the command's repository is, for hoso_repo_open: as git does, the
 * one GIT_DIR names (a hook runs so), unless -C named one; else ".".
 */
const char *cli_repo_where(void);

/* Options for talking to the hub: a password asked on the terminal, progress, --timeout. */
void cli_sync_options(hoso_sync_options *opts, const cli_args *args);

extern const cli_command cmd_init, cmd_add, cmd_edit, cmd_show, cmd_rm, cmd_list, cmd_log,
	cmd_import, cmd_status, cmd_demo, cmd_clone, cmd_sync, cmd_conflicts, cmd_resolve, cmd_plugin, cmd_export, cmd_report, cmd_access, cmd_unit, cmd_verify,
	cmd_doctor, cmd_serve, cmd_complete;

/* The commands, NULL-terminated; a name starting with '_' is not listed in help. */
extern const cli_command *const cli_commands[];

#endif
