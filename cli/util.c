#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hoso/plugins.h"

#include "cli.h"

static int cli_option_index(const cli_args *args, const char *name)
{
	int k;

	for (k = 0; args->cmd->options && args->cmd->options[k].name; k++)
		if (strcmp(args->cmd->options[k].name, name) == 0)
			return k;
	return -1;
}

const char *cli_get(const cli_args *args, const char *name)
{
	int k = cli_option_index(args, name);

	return k >= 0 && args->counts[k] ? args->values[k][args->counts[k] - 1] : NULL;
}

const char **cli_all(const cli_args *args, const char *name, size_t *n)
{
	int k = cli_option_index(args, name);

	*n = k >= 0 ? args->counts[k] : 0;
	return k >= 0 ? args->values[k] : NULL;
}

int cli_has(const cli_args *args, const char *name)
{
	int k = cli_option_index(args, name);

	return k >= 0 && args->counts[k] > 0;
}

static void say(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void say(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(prefix, stderr);
	vfprintf(stderr, gettext(fmt), ap);
	fputc('\n', stderr);
}

int cli_error(int exit_code, const char *fmt, ...)
{
	va_list ap;

	cli_progress_end();
	va_start(ap, fmt);
	say(_("hoso: error: "), fmt, ap);
	va_end(ap);
	return exit_code;
}

void cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(_("hoso: warning: "), fmt, ap);
	va_end(ap);
}

void cli_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(_("hint: "), fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("hoso: ", fmt, ap);
	va_end(ap);
}

int cli_exit_code(int code)
{
	switch (code) {
	case 0:
		return EXIT_OK;
	case HOSO_EINVALID:
	case HOSO_ENOTFOUND:
	case HOSO_EPLUGIN: /* a file refused as a plugin */
		return EXIT_DATA;
	case HOSO_EUSAGE:
	case HOSO_EEXISTS: /* a new repository's directory is taken */
		return EXIT_USAGE;
	case HOSO_EOFFLINE:
		return EXIT_OFFLINE;
	default:
		return EXIT_FAILURE_;
	}
}

int cli_fail(int code)
{
	int rc = cli_error(cli_exit_code(code), "%s", hoso_error_last());

	if (hoso_error_hint())
		cli_hint("%s", hoso_error_hint());
	else if (code == HOSO_ELOCKED)
		cli_hint("another hoso command is writing; try again when it has finished");
	else if (strstr(hoso_error_last(), "user.name"))
		cli_hint("%s", cli_identity_hint());
	return rc;
}

const char *cli_identity_hint(void)
{
	return _("set who you are: git config --global user.name 'Your Name' && "
		"git config --global user.email you@example.org");
}

/* Warnings shown one by one; beyond these, counted. Every error is shown. */
#define SHOWN_WARNINGS 50

int cli_problems(const hoso_problems *problems)
{
	size_t i, n = hoso_problems_count(problems), warnings = 0;

	cli_progress_end();
	for (i = 0; i < n; i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		char where[512] = "", field[300] = "";
		if (p->severity == HOSO_SEVERITY_WARNING && ++warnings > SHOWN_WARNINGS)
			continue;
		if (p->where && p->line)
			snprintf(where, sizeof(where), "%s:%zu: ", p->where, p->line);
		else if (p->where)
			snprintf(where, sizeof(where), "%s: ", p->where);
		else if (p->record)
			snprintf(where, sizeof(where), _("record %s: "), p->record);
		if (p->field)
			snprintf(field, sizeof(field), _("field '%s': "), p->field);
		/* A plugin's rule ("party-rules/3") is named, so it can be looked up. */
		fprintf(stderr, "%s%s%s%s%s%s%s\n", p->severity == HOSO_SEVERITY_ERROR ?
			_("hoso: error: ") : _("hoso: warning: "), where, field, p->message,
			strchr(p->rule, '/') ? " [" : "", strchr(p->rule, '/') ? p->rule : "",
			strchr(p->rule, '/') ? "]" : "");
	}
	if (warnings > SHOWN_WARNINGS)
		cli_warning("and %zu more warnings", warnings - SHOWN_WARNINGS);
	return hoso_problems_errors(problems) ? EXIT_DATA : EXIT_OK;
}

int cli_commit(hoso_txn *txn, const char *message, git_oid *out, const hoso_problems *problems)
{
	return cli_committed(hoso_txn_commit(txn, message, out), problems);
}

int cli_committed(int error, const hoso_problems *problems)
{
	int rc = cli_problems(problems);

	if (error == HOSO_EINVALID && rc != EXIT_OK) {
		cli_error(EXIT_DATA, "nothing was written: the records above break the repository's rules");
		cli_hint("fix the records named above and write again");
		return EXIT_DATA;
	}
	return error < 0 ? cli_fail(error) : EXIT_OK;
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(_("hoso: error: "), fmt, ap);
	va_end(ap);
	cli_hint("usage: hoso %s %s", cmd->name, cmd->usage);
	return EXIT_USAGE;
}

static int progress_shown;

void cli_progress(const char *what, size_t done, size_t total)
{
	static int tty = -1;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (total)
		fprintf(stderr, "\r%s: %zu/%zu (%zu%%)", gettext(what), done, total, done * 100 / total);
	else
		fprintf(stderr, "\r%s: %zu", gettext(what), done);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

const char *cli_user(hoso_repo *repo)
{
	static char name[256];
	git_config *cfg = NULL;
	git_buf buf = GIT_BUF_INIT;

	if (getenv("HOSO_USER"))
		return getenv("HOSO_USER");
	if (git_repository_config_snapshot(&cfg, hoso_repo_git(repo)) == 0 &&
		git_config_get_string_buf(&buf, cfg, "user.name") == 0)
		snprintf(name, sizeof(name), "%s", buf.ptr);
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return name[0] ? name : NULL;
}

const char *cli_unit(const cli_args *args, hoso_repo *repo, int *exit_code)
{
	const char *unit = cli_get(args, "unit");
	size_t i;

	if (!unit)
		unit = hoso_repo_own_unit(repo);
	if (!unit) {
		*exit_code = cli_usage(args->cmd, "which unit? this repository has no unit of its own");
		return NULL;
	}
	if (!hoso_repo_unit_find(repo, unit)) {
		*exit_code = cli_error(EXIT_USAGE, "unknown unit '%s'", unit);
		fputs(_("hint: the units are:"), stderr);
		for (i = 0; i < hoso_repo_unit_count(repo); i++)
			fprintf(stderr, " %s", hoso_repo_unit_at(repo, i)->code);
		fputc('\n', stderr);
		return NULL;
	}
	return unit;
}

const hoso_schema *cli_type(const cli_command *cmd, hoso_repo *repo, const char *type)
{
	const hoso_schema *schema = type ? hoso_repo_schema(repo, type) : NULL;
	const hoso_schema_set *set;
	size_t i;

	if (schema)
		return schema;
	set = hoso_repo_schemas(repo);
	if (type)
		cli_error(EXIT_USAGE, "unknown record type '%s'", type);
	else
		cli_error(EXIT_USAGE, "a record type is needed");
	fputs(_("hint: the types are:"), stderr);
	for (i = 0; i < hoso_schema_set_count(set); i++)
		fprintf(stderr, " %s", hoso_schema_set_type(set, i));
	fputc('\n', stderr);
	return NULL;
}

int cli_set_fields(json_t *record, const hoso_schema *schema, char **argv, size_t argc,
	hoso_problems *problems)
{
	size_t i;
	int bad = 0, usage = 0;

	for (i = 0; i < argc; i++) {
		char *arg = argv[i], *eq = strchr(arg, '='), field[256];
		int is_json = eq && eq > arg && eq[-1] == ':';
		size_t n;
		if (!eq || eq == arg || (is_json && eq - 1 == arg)) {
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "usage",
				"'%s' is not FIELD=VALUE or FIELD:=JSON", arg);
			usage = 1;
			continue;
		}
		n = (size_t)(eq - arg) - (size_t)is_json;
		if (n >= sizeof(field))
			n = sizeof(field) - 1;
		memcpy(field, arg, n);
		field[n] = '\0';
		if (strcmp(field, "id") == 0 || strcmp(field, "type") == 0) {
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "usage",
				"is managed by hoso and cannot be set");
			usage = 1;
			continue;
		}
		if (hoso_record_set(record, schema, field, eq + 1, is_json, problems) < 0)
			bad = 1;
	}
	return usage ? HOSO_EUSAGE : bad ? HOSO_EINVALID : 0;
}

/* Vietnamese is the language of messages: LANGUAGE's first, else LC_MESSAGES (not under C). */
static int vietnamese(void)
{
	const char *locale = setlocale(LC_MESSAGES, NULL), *language = getenv("LANGUAGE");

	if (!locale || strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0)
		return 0;
	return strncmp(language && *language ? language : locale, "vi", 2) == 0;
}

int cli_labels(const char **out, const cli_args *args)
{
	const char *labels = cli_get(args, "labels");

	*out = NULL;
	if (!labels)
		*out = vietnamese() ? "vi" : NULL;
	else if (strcmp(labels, "vi") == 0 || strcmp(labels, "en") == 0)
		*out = labels;
	else if (strcmp(labels, "none") != 0)
		return cli_usage(args->cmd, "--labels is vi, en or none");
	return 0;
}

/*
 * `below` under the prefix this program was installed in (<prefix>/bin/hoso),
 * into `buf`: NULL when that is not a directory, as for a program run from
 * its build tree. Found from the program's own path, so that an installation
 * unpacked anywhere (dpkg -x, cmake --install --prefix) finds its files.
 */
static const char *installed(char *buf, size_t size, const char *below)
{
	struct stat st;
	ssize_t n;
	char *slash;

	if ((n = readlink("/proc/self/exe", buf, size - 1)) <= 0)
		return NULL;
	buf[n] = '\0';
	if (!(slash = strrchr(buf, '/')) || slash == buf)
		return NULL;
	*slash = '\0';
	if (!(slash = strrchr(buf, '/')))
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(slash, size - (size_t)(slash - buf), "/%s", below) >= size - (size_t)(slash - buf))
		return NULL;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/* 1 if this is the program of the build tree it was built in (not an installed copy). */
static int in_build_tree(void)
{
	char self[PATH_MAX], built[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0 || !realpath(HOSO_BUILD_PROGRAM, built))
		return 0;
	self[n] = '\0';
	return strcmp(self, built) == 0;
}

/*
 * The environment's `env`, else the installed `below`, else, for the
 * program of the build tree, the build's `build`; else `fallback`.
 */
static const char *data_dir(char *buf, size_t size, const char *env, const char *below,
	const char *build, const char *fallback)
{
	const char *e = getenv(env), *dir;

	if (e && *e)
		return e;
	if ((dir = installed(buf, size, below)))
		return dir;
	return in_build_tree() ? build : fallback;
}

const char *cli_builtin_plugin_dir(void)
{
	static char buf[4096];
	return data_dir(buf, sizeof(buf), "HOSO_BUILTIN_PLUGIN_DIR", HOSO_LIBDIR "/hoso/plugins",
		HOSO_BUILD_PLUGIN_DIR, HOSO_INSTALL_PLUGIN_DIR);
}

const char *cli_schema_dir(void)
{
	static char buf[4096];
	return data_dir(buf, sizeof(buf), "HOSO_SCHEMA_DIR", "share/hoso/schemas",
		HOSO_SOURCE_SCHEMA_DIR, HOSO_SCHEMA_INSTALL_DIR);
}

const char *cli_locale_dir(void)
{
	static char buf[4096];
	return data_dir(buf, sizeof(buf), "HOSO_LOCALE_DIR", "share/locale",
		HOSO_BUILD_LOCALE_DIR, HOSO_INSTALL_LOCALE_DIR);
}

static hoso_plugin_set *write_plugins;

const hoso_txn_options *cli_write_options(hoso_repo *repo, hoso_problems *problems)
{
	static hoso_txn_options opts = HOSO_TXN_OPTIONS_INIT;
	hoso_problems *refusals = NULL;
	int missing = 0;

	if (!write_plugins && hoso_problems_new(&refusals) == 0 &&
		hoso_plugin_set_open(&write_plugins, repo, cli_builtin_plugin_dir(), refusals) == 0)
		hoso_plugin_set_write_options(write_plugins, &opts, problems);
	opts.problems = problems;
	/* Plugins that did not load are warnings; a pinned one missing refuses the write. */
	missing = cli_problems(refusals) != EXIT_OK;
	hoso_problems_free(refusals);
	if (missing)
		cli_hint("every replica runs the plugins hoso.json pins: install them, then write again");
	return missing ? NULL : &opts;
}

const hoso_verify_options *cli_verify_options(void)
{
	static hoso_verify_options opts = HOSO_VERIFY_OPTIONS_INIT;

	if (!write_plugins)
		return NULL;
	hoso_plugin_set_verify_options(write_plugins, &opts);
	return &opts;
}

void cli_write_options_free(void)
{
	hoso_plugin_set_free(write_plugins);
	write_plugins = NULL;
}

FILE *cli_output_open(cli_output *o, const char *file)
{
	struct stat st;
	char *real;

	o->file = file;
	o->tmp[0] = o->target[0] = '\0';
	if (!file)
		return o->fp = stdout;
	/* Not a file (/dev/null, a pipe, a terminal): written as it is, never replaced. */
	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(o->fp = fopen(file, "wb")))
			cli_error(EXIT_USAGE, "cannot write '%s': %s", file, strerror(errno));
		return o->fp;
	}
	/* A link to a file: the file is replaced, the link stays. */
	if ((real = realpath(file, NULL)) && strlen(real) < sizeof(o->target))
		snprintf(o->target, sizeof(o->target), "%s", real);
	else
		snprintf(o->target, sizeof(o->target), "%s", file);
	free(real);
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp%ld", o->target, (long)getpid());
	if (!(o->fp = fopen(o->tmp, "wb"))) {
		cli_error(EXIT_USAGE, "cannot write '%s': %s", file, strerror(errno));
		o->tmp[0] = '\0';
	}
	return o->fp;
}

int cli_output_close(cli_output *o, int rc)
{
	if (o->fp && o->fp != stdout && fclose(o->fp) != 0 && rc == EXIT_OK)
		rc = cli_error(EXIT_FAILURE_, "cannot write '%s': %s", o->file, strerror(errno));
	if (o->tmp[0] && rc == EXIT_OK && rename(o->tmp, o->target) < 0)
		rc = cli_error(EXIT_FAILURE_, "cannot write '%s': %s", o->file, strerror(errno));
	if (o->tmp[0] && rc != EXIT_OK)
		unlink(o->tmp);
	o->fp = NULL;
	return rc;
}

int cli_only_options(const cli_args *args, const char *sub, const char *const *allowed)
{
	const cli_option *o;
	size_t i;

	for (o = args->cmd->options; o->name; o++) {
		if (!cli_has(args, o->name))
			continue;
		for (i = 0; allowed[i] && strcmp(allowed[i], o->name) != 0; i++)
			;
		if (!allowed[i])
			return cli_usage(args->cmd, "'--%s' is not an option of '%s %s'", o->name,
				args->cmd->name, sub);
	}
	return EXIT_OK;
}

hoso_access *cli_access(hoso_repo *repo, int *rc)
{
	hoso_access *a = NULL;
	hoso_problems *problems = NULL;
	int error;

	if (hoso_problems_new(&problems) < 0) {
		*rc = cli_fail(HOSO_ERROR);
		return NULL;
	}
	if ((error = hoso_access_load(&a, repo, NULL, problems)) == HOSO_EINVALID) {
		cli_problems(problems);
		*rc = cli_error(EXIT_DATA, "access.json on main breaks its rules, so it cannot say who "
			"may write what");
		cli_hint("an admin repairs access.json with git (git show main:access.json), "
			"and commits it to main");
	} else if (error < 0) {
		*rc = cli_fail(error);
	}
	hoso_problems_free(problems);
	return a;
}

int cli_admin_only(hoso_repo *repo, const char *what)
{
	const char *user = cli_user(repo), *role;
	hoso_access *a;
	int rc = EXIT_OK;

	if (!(a = cli_access(repo, &rc)))
		return rc;
	role = user ? hoso_access_role(a, user) : NULL;
	if (!user)
		rc = cli_error(EXIT_DATA, "only an admin may %s, and hoso does not know who you are", what);
	else if (!role)
		rc = cli_error(EXIT_DATA, "only an admin may %s ('%s' is not in access.json)", what, user);
	else if (strcmp(role, "admin") != 0)
		rc = cli_error(EXIT_DATA, "only an admin may %s ('%s' is %s)", what, user, role);
	if (rc != EXIT_OK)
		cli_hint("ask an admin to make the change; hoso knows you by $HOSO_USER, else by "
			"git config user.name");
	hoso_access_free(a);
	return rc;
}

void cli_unit_change(hoso_repo *repo, const char *was, const char *now, const char *choice)
{
	const hoso_unit *u = hoso_repo_unit_find(repo, was), *n = *now ? hoso_repo_unit_find(repo, now) : NULL;

	if (!*was || !u)
		return;
	if (n) {
		cli_info("unit %s (%s) was closed after %s; this replica now works for unit %s (%s), "
			"as the admin's change says", u->code, u->name ? u->name : "", u->valid_to ? u->valid_to : "?",
			n->code, n->name ? n->name : "");
	} else if (*choice) {
		cli_warning("unit %s (%s) was closed after %s and split into %s; this replica still "
			"works for %s", u->code, u->name ? u->name : "", u->valid_to ? u->valid_to : "?", choice,
			u->code);
		cli_hint("choose its unit now with 'hoso unit use CODE': nothing more can be written in a "
			"closed unit");
	}
}

void cli_closed_unit_hint(hoso_repo *repo, const char *unit, int as_of)
{
	const hoso_unit *u = unit ? hoso_repo_unit_find(repo, unit) : NULL;
	char codes[256];

	if (!u || !u->valid_to)
		return;
	hoso_unit_codes(codes, sizeof(codes), hoso_repo_config(repo), unit, "successors");
	cli_hint("unit %s was closed after %s and holds no records now: they are in %s", unit,
		u->valid_to, *codes ? codes : "?");
	if (as_of)
		cli_hint("--as-of %s gives them as they were in unit %s", u->valid_to, unit);
}

const char *cli_repo_where(void)
{
	return !cli_dir && getenv("GIT_DIR") ? NULL : ".";
}
