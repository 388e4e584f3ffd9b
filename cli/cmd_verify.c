#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "all", NULL, 0, N_("every file at the tip of main (the default)"), 0 },
	{ "range", "A..B", 0, N_("what commits A..B change (A of 40 zeros: a new branch)"), 0 },
	{ "commit", "C", 0, N_("what commit C changes"), 0 },
	{ "user", "U", 0, N_("who wrote it (default: $REMOTE_USER, $GL_USERNAME, $GITEA_PUSHER_NAME)"), 0 },
	{ "format", "text|json|junit", 0, N_("how to report (default: text)"), 0 },
	{ NULL, NULL, 0, NULL, 0 }
};

/* The paths checked, in order, for the JUnit report. */
typedef struct {
	char **paths;
	size_t n, cap;
	int failed;
} path_list;

static void checked_cb(const char *path, void *payload)
{
	path_list *l = payload;

	if (l->failed)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **paths = realloc(l->paths, cap * sizeof(*paths));

		if (!paths) {
			l->failed = 1;
			return;
		}
		l->paths = paths;
		l->cap = cap;
	}
	if (!(l->paths[l->n] = strdup(path)))
		l->failed = 1;
	else
		l->n++;
}

static void print_text(const hoso_problems *problems)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		char where[600] = "", field[300] = "";

		if (p->where)
			snprintf(where, sizeof(where), "%s: ", p->where);
		else if (p->record)
			snprintf(where, sizeof(where), _("record %s: "), p->record);
		if (p->field)
			snprintf(field, sizeof(field), _("field '%s': "), p->field);
		fprintf(stderr, "%s%s%s%s [%s]", p->severity == HOSO_SEVERITY_ERROR ?
			_("hoso: error: ") : _("hoso: warning: "), where, field, p->message, p->rule);
		if (p->commit)
			fprintf(stderr, _(" (commit %.7s)"), p->commit);
		fputc('\n', stderr);
	}
}

static json_t *problem_json(const hoso_problem *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "severity",
		p->severity == HOSO_SEVERITY_ERROR ? "error" : "warning", "rule", p->rule,
		"message", p->message);

	json_object_set_new(o, "commit", p->commit ? json_string(p->commit) : json_null());
	json_object_set_new(o, "path", p->where ? json_string(p->where) : json_null());
	json_object_set_new(o, "field", p->field ? json_string(p->field) : json_null());
	if (p->record)
		json_object_set_new(o, "record", json_string(p->record));
	return o;
}

static void print_json(const hoso_problems *problems, const hoso_verify_result *r,
	const char *user)
{
	json_t *list = json_array(), *out;
	char from[GIT_OID_HEXSZ + 1], to[GIT_OID_HEXSZ + 1];
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++)
		json_array_append_new(list, problem_json(hoso_problems_get(problems, i)));
	git_oid_tostr(from, sizeof(from), &r->from);
	git_oid_tostr(to, sizeof(to), &r->to);
	out = json_pack("{s:s?, s:s, s:s?, s:I, s:I, s:I, s:o}",
		"from", r->has_from ? from : NULL,
		"to", to, "user", user, "checked", (json_int_t)r->checked,
		"errors", (json_int_t)hoso_problems_errors(problems),
		"warnings", (json_int_t)(hoso_problems_count(problems) - hoso_problems_errors(problems)),
		"problems", list);
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(out);
}

static void xml_text(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		default:
			/* XML 1.0 has no place for other control characters. */
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, stdout);
		}
	}
}

static int by_where(const void *a, const void *b)
{
	const hoso_problem *pa = *(const hoso_problem *const *)a, *pb = *(const hoso_problem *const *)b;

	return strcmp(pa->where ? pa->where : "", pb->where ? pb->where : "");
}

/* One failure of a test case. */
static void junit_failure(const hoso_problem *p, const char *path)
{
	printf("\n<failure type=\"");
	xml_text(p->rule);
	printf("\" message=\"");
	if (p->field) {
		xml_text(p->field);
		fputs(": ", stdout);
	}
	xml_text(p->message);
	printf("\">commit %s\npath ", p->commit ? p->commit : "");
	xml_text(path);
	printf("\nfield ");
	xml_text(p->field ? p->field : "");
	printf("\nrule ");
	xml_text(p->rule);
	printf("\n");
	xml_text(p->message);
	printf("</failure>");
}

/*
 * The test cases: one a path checked, and one a path with errors that was
 * not checked (access.json unreadable), its errors as failures. Both lists
 * are in path order: one pass merges them, counting the cases and the
 * failing ones, and printing them when `print`.
 */
static void junit_cases(const path_list *checked, const hoso_problem **sorted, size_t n,
	int print, size_t *tests, size_t *failures)
{
	size_t i = 0, j, k = 0;

	*tests = *failures = 0;
	while (k < checked->n || i < n) {
		const char *path;
		int c;

		if (k < checked->n && i < n)
			c = strcmp(checked->paths[k], sorted[i]->where ? sorted[i]->where : "");
		else
			c = k < checked->n ? -1 : 1;
		path = c <= 0 ? checked->paths[k] : sorted[i]->where ? sorted[i]->where : "(repository)";
		(*tests)++;
		*failures += c >= 0;
		if (print) {
			printf("<testcase classname=\"hoso.verify\" name=\"");
			xml_text(path);
			printf("\">");
		}
		for (j = i; c >= 0 && j < n && by_where(&sorted[i], &sorted[j]) == 0; j++)
			if (print)
				junit_failure(sorted[j], path);
		if (print)
			printf("</testcase>\n");
		if (c <= 0)
			k++;
		if (c >= 0)
			i = j;
	}
}

static void print_junit(const hoso_problems *problems, const hoso_verify_result *r,
	const path_list *checked)
{
	size_t i, n = 0, tests, failures;
	const hoso_problem **sorted = malloc((hoso_problems_count(problems) + 1) * sizeof(*sorted));
	char name[100], from[13], to[13];

	if (!sorted)
		return;
	/* JUnit has failures, not warnings: the errors only. */
	for (i = 0; i < hoso_problems_count(problems); i++)
		if (hoso_problems_get(problems, i)->severity == HOSO_SEVERITY_ERROR)
			sorted[n++] = hoso_problems_get(problems, i);
	qsort(sorted, n, sizeof(*sorted), by_where);
	junit_cases(checked, sorted, n, 0, &tests, &failures);
	git_oid_tostr(from, 13, &r->from);
	git_oid_tostr(to, 13, &r->to);
	snprintf(name, sizeof(name), "hoso verify %s%s%s", r->has_from ? from : "",
		r->has_from ? ".." : "", to);
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites name=\"hoso verify\" tests=\"%zu\" failures=\"%zu\">\n", tests, failures);
	printf("<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", name,
		tests, failures);
	junit_cases(checked, sorted, n, 1, &tests, &failures);
	printf("</testsuite>\n</testsuites>\n");
	free(sorted);
}

static int run(cli_args *args, hoso_repo *repo)
{
	const char *range = cli_get(args, "range"), *commit = cli_get(args, "commit");
	const char *format = cli_get(args, "format"), *user = cli_get(args, "user");
	hoso_verify_options opts = HOSO_VERIFY_OPTIONS_INIT;
	hoso_verify_result r;
	hoso_plugin_set *set = NULL;
	hoso_problems *problems = NULL, *refusals = NULL;
	path_list checked = { NULL, 0, 0, 0 };
	char *from = NULL, *to = NULL;
	size_t i;
	int rc = EXIT_OK, error;

	if (args->npos)
		return cli_usage(args->cmd, "unexpected '%s'", args->pos[0]);
	if (!!range + !!commit + cli_has(args, "all") > 1)
		return cli_usage(args->cmd, "--all, --range and --commit go alone");
	if (!format)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "junit") != 0)
		return cli_usage(args->cmd, "--format is text, json or junit");
	if (range) {
		const char *dots = strstr(range, "..");

		if (!dots || dots == range || !dots[2] || strstr(dots + 2, ".."))
			return cli_usage(args->cmd, "--range takes A..B, two commits");
		from = strndup(range, (size_t)(dots - range));
		to = strdup(dots + 2);
	} else if (commit) {
		/* The commit against its first parent; a first commit against nothing. */
		git_object *obj = NULL;
		git_commit *c = NULL;

		if (git_revparse_single(&obj, hoso_repo_git(repo), commit) < 0 ||
			git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) < 0) {
			git_object_free(obj);
			return cli_error(EXIT_USAGE, "no commit '%s' in this repository", commit);
		}
		to = strdup(git_oid_tostr_s(git_commit_id(c)));
		from = strdup(git_commit_parentcount(c) ? git_oid_tostr_s(git_commit_parent_id(c, 0)) : "");
		git_commit_free(c);
		git_object_free(obj);
	}
	if (!user)
		user = getenv("REMOTE_USER") ? getenv("REMOTE_USER") : getenv("GL_USERNAME") ?
			getenv("GL_USERNAME") : getenv("GITEA_PUSHER_NAME");
	if (user && !*user)
		user = NULL;
	if (hoso_problems_new(&problems) < 0 || hoso_problems_new(&refusals) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	/* The validators hoso.json pins must all be here: else nothing can be said valid. */
	if ((error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), refusals)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	if (cli_problems(refusals) != EXIT_OK) {
		rc = cli_error(EXIT_DATA, "cannot verify without every plugin hoso.json pins");
		cli_hint("install them ('hoso plugin install FILE|URL'), then verify again");
		goto done;
	}
	hoso_plugin_set_verify_options(set, &opts);
	opts.user = user;
	if (strcmp(format, "junit") == 0) {
		opts.checked_cb = checked_cb;
		opts.checked_payload = &checked;
	}
	if ((error = hoso_verify(repo, from, to, &opts, &r, problems)) < 0) {
		rc = error == HOSO_ENOTFOUND ? cli_error(EXIT_USAGE, "%s", hoso_error_last()) : cli_fail(error);
		goto done;
	}
	if (checked.failed) {
		rc = cli_error(EXIT_FAILURE_, "out of memory");
		goto done;
	}
	if (strcmp(format, "json") == 0)
		print_json(problems, &r, user);
	else if (strcmp(format, "junit") == 0)
		print_junit(problems, &r, &checked);
	print_text(problems);
	rc = hoso_problems_errors(problems) ? EXIT_DATA : EXIT_OK;
	if (from && !user && strcmp(format, "text") == 0)
		cli_warning("no user given (--user or $REMOTE_USER): who may write was not checked");
	if (strcmp(format, "text") == 0) {
		char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];

		git_oid_tostr(a, 8, &r.from);
		git_oid_tostr(b, 8, &r.to);
		size_t errors = hoso_problems_errors(problems);
		if (r.has_from)
			printf(ngettext("%zu file checked in %s..%s", "%zu files checked in %s..%s",
				r.checked), r.checked, a, b);
		else
			printf(ngettext("%zu file checked at %s", "%zu files checked at %s", r.checked),
				r.checked, b);
		printf(ngettext(": %zu error\n", ": %zu errors\n", errors), errors);
	}
done:
	for (i = 0; i < checked.n; i++)
		free(checked.paths[i]);
	free(checked.paths);
	hoso_plugin_set_free(set);
	hoso_problems_free(problems);
	hoso_problems_free(refusals);
	free(from);
	free(to);
	return rc;
}

const cli_command cmd_verify = {
	"verify", N_("check what a range of commits wrote: records, rules, and who may write"),
	"[--all | --range A..B | --commit C] [--user U] [--format text|json|junit]", options, 1, run
};
