#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "role", "R", 0, N_("set: the user's role, admin, province or clerk") },
	{ "unit", "U", 1, N_("set: a unit the clerk holds") },
	{ "json", NULL, 0, N_("list: print access.json's object") },
	{ NULL, NULL, 0, NULL }
};

static const char *const set_options[] = { "role", "unit", NULL };
static const char *const list_options[] = { "json", NULL };
static const char *const remove_options[] = { NULL };

/* 1 if a problem has rule `rule` and a field ending in `suffix` (NULL: any field). */
static int has_problem(const hoso_problems *problems, const char *rule, const char *suffix)
{
	size_t i, n, s = suffix ? strlen(suffix) : 0;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		if (strcmp(p->rule, rule) != 0)
			continue;
		if (!suffix)
			return 1;
		n = p->field ? strlen(p->field) : 0;
		if (n >= s && strcmp(p->field + n - s, suffix) == 0)
			return 1;
	}
	return 0;
}

/* A change refused because access.json would break its rules: the problems, why and what next. */
static int refused(hoso_repo *repo, const hoso_problems *problems)
{
	size_t i;

	cli_problems(problems);
	cli_error(EXIT_DATA, "%s; nothing was committed", hoso_error_last());
	if (has_problem(problems, "unit", NULL)) {
		fputs(_("hint: the units of hoso.json are:"), stderr);
		for (i = 0; i < hoso_repo_unit_count(repo); i++)
			fprintf(stderr, " %s", hoso_repo_unit_at(repo, i)->code);
		fputc('\n', stderr);
	} else if (has_problem(problems, "required", ".units") ||
		has_problem(problems, "minItems", ".units")) {
		cli_hint("give each unit the clerk holds with --unit U");
	} else if (has_problem(problems, "additionalProperties", ".units")) {
		cli_hint("an admin or a province user holds no units: leave out --unit");
	} else if (has_problem(problems, "admin", NULL)) {
		cli_hint("make another user an admin first: hoso access set NAME --role admin");
	}
	return EXIT_DATA;
}

/* "clerk of 026, 030", or the role alone. */
static void describe(char *buf, size_t size, const char *role, const char *const *units, size_t n)
{
	size_t i, len;

	snprintf(buf, size, "%s", role);
	for (i = 0; i < n; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? ", " : _(" of "), units[i]);
	}
}

static int set(cli_args *args, hoso_repo *repo)
{
	hoso_problems *problems = NULL;
	hoso_access *a = NULL;
	const char *role = cli_get(args, "role"), *user;
	const char **units;
	const char *const *held;
	git_oid before, after;
	char what[1024];
	size_t n, nheld;
	int rc, error, had_tip;

	units = cli_all(args, "unit", &n);
	if (args->npos != 2)
		return cli_usage(args->cmd, "give the user's name: access set USER --role ROLE");
	if (!role)
		return cli_usage(args->cmd, "'access set' needs --role admin, province or clerk");
	if ((rc = cli_admin_only(repo, _("change access.json"))) != EXIT_OK)
		return rc;
	user = args->pos[1];
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	had_tip = hoso_repo_head(&before, repo) == 0;
	if ((error = hoso_access_set(repo, user, role, units, n, problems)) == HOSO_EINVALID) {
		rc = refused(repo, problems);
		goto done;
	} else if (error < 0) {
		rc = cli_fail(error);
		goto done;
	}
	/* Said as access.json now has it. */
	if (!(a = cli_access(repo, &rc)))
		goto done;
	held = hoso_access_units(a, user, &nheld);
	describe(what, sizeof(what), hoso_access_role(a, user) ? hoso_access_role(a, user) : role,
		held, nheld);
	if (had_tip && hoso_repo_head(&after, repo) == 0 && git_oid_equal(&before, &after))
		cli_info("'%s' is already %s in access.json; nothing to commit", user, what);
	else
		cli_info("set '%s' to %s in access.json", user, what);
done:
	hoso_access_free(a);
	hoso_problems_free(problems);
	return rc;
}

static int remove_user(cli_args *args, hoso_repo *repo)
{
	hoso_problems *problems = NULL;
	int rc, error;

	if (args->npos != 2)
		return cli_usage(args->cmd, "give the user's name: access remove USER");
	if ((rc = cli_admin_only(repo, _("change access.json"))) != EXIT_OK)
		return rc;
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	error = hoso_access_remove(repo, args->pos[1], problems);
	if (error == HOSO_EINVALID) {
		rc = refused(repo, problems);
	} else if (error == HOSO_ENOTFOUND) {
		rc = cli_error(EXIT_DATA, "%s; nothing was committed", hoso_error_last());
		cli_hint("'hoso access list' shows who is in it");
	} else if (error < 0) {
		rc = cli_fail(error);
	} else {
		cli_info("removed '%s' from access.json", args->pos[1]);
	}
	hoso_problems_free(problems);
	return rc;
}

static int list(cli_args *args, hoso_repo *repo)
{
	hoso_access *a;
	json_t *root = NULL, *users;
	char *text = NULL;
	size_t i, j, n, len, width = 0;
	int rc = EXIT_OK;

	if (!(a = cli_access(repo, &rc)))
		return rc;
	/* Names in the first column, padded by characters (not bytes). */
	for (i = 0; i < hoso_access_count(a); i++) {
		const char *s = hoso_access_user_at(a, i);
		for (len = 0; *s; s++)
			len += ((unsigned char)*s & 0xC0) != 0x80;
		if (len > width)
			width = len;
	}
	if (cli_has(args, "json"))
		root = json_pack("{s:i, s:{}}", "format", 1, "users");
	users = json_object_get(root, "users");
	for (i = 0; i < hoso_access_count(a); i++) {
		const char *name = hoso_access_user_at(a, i), *role = hoso_access_role(a, name), *s;
		const char *const *units = hoso_access_units(a, name, &n);
		if (root) {
			json_t *entry = json_pack("{s:s}", "role", role), *list = json_array();
			for (j = 0; j < n; j++)
				json_array_append_new(list, json_string(units[j]));
			if (n)
				json_object_set(entry, "units", list);
			json_decref(list);
			json_object_set_new(users, name, entry);
			continue;
		}
		for (len = 0, s = name; *s; s++)
			len += ((unsigned char)*s & 0xC0) != 0x80;
		printf("%s%*s  %s", name, (int)(width - len), "", role);
		for (j = 0; j < n; j++)
			printf("%*s%s", j ? 0 : (int)(10 - strlen(role)), j ? "," : "", units[j]);
		putchar('\n');
	}
	if (root) {
		if (hoso_json_canonical(&text, &len, root) < 0)
			rc = cli_fail(HOSO_ERROR);
		else
			fwrite(text, 1, len, stdout);
	}
	free(text);
	json_decref(root);
	hoso_access_free(a);
	return rc;
}

static int run(cli_args *args, hoso_repo *repo)
{
	int rc;

	if (args->npos >= 1 && strcmp(args->pos[0], "set") == 0)
		return (rc = cli_only_options(args, "set", set_options)) != EXIT_OK ? rc : set(args, repo);
	if (args->npos >= 1 && strcmp(args->pos[0], "list") == 0) {
		if ((rc = cli_only_options(args, "list", list_options)) != EXIT_OK)
			return rc;
		return args->npos == 1 ? list(args, repo) :
			cli_usage(args->cmd, "'access list' takes no user name");
	}
	if (args->npos >= 1 && strcmp(args->pos[0], "remove") == 0)
		return (rc = cli_only_options(args, "remove", remove_options)) != EXIT_OK ? rc :
			remove_user(args, repo);
	return cli_usage(args->cmd, "set USER, list or remove USER?");
}

const cli_command cmd_access = {
	"access", N_("who may write what: users, their roles and units (access.json)"),
	"set USER --role admin|province|clerk [--unit U]... | list [--json] | remove USER",
	options, 1, run
};
