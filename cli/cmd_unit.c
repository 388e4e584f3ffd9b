#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "as-of", "DATE", 0, N_("list: only the units open on DATE") },
	{ "json", NULL, 0, N_("list: the units as hoso.json has them") },
	{ "name", "NAME", 0, N_("add: the unit's name") },
	{ "parent", "CODE", 0, N_("add: the unit it is under (default: the province)") },
	{ "level", "L", 0, N_("add: its level, as tinh, huyen or xa") },
	{ "from", "DATE", 0, N_("add: the first day it exists") },
	{ "on", "DATE", 0, N_("close, merge, split: the first day of the change") },
	{ "into", "TO", 1, N_("merge, split: the unit that takes the records (open, added before)") },
	{ "by", "FIELD=VALUE[,VALUE]", 1, N_("split: which records go to the --into of the same place; "
		"one fewer than --into, and the last takes the rest") },
	{ "dissolve", "LEVEL", 1, N_("merge, split: close the organizations of this level "
		"(dissolved_on)") },
	{ "reparent-to", "ORG-ID", 0, N_("merge, split: the new parent of the closed organizations' "
		"children") },
	{ NULL, NULL, 0, NULL }
};

static const char *const list_options[] = { "as-of", "json", NULL };
static const char *const add_options[] = { "name", "parent", "level", "from", NULL };
static const char *const close_options[] = { "on", NULL };
static const char *const merge_options[] = { "on", "into", "dissolve", "reparent-to", NULL };
static const char *const split_options[] = { "on", "into", "by", "dissolve", "reparent-to", NULL };
static const char *const use_options[] = { NULL };

static const char *field(const json_t *unit, const char *key)
{
	const char *v = json_string_value(json_object_get(unit, key));
	return v ? v : "-";
}

static int list(cli_args *args, hoso_repo *repo)
{
	const char *as_of = cli_get(args, "as-of");
	const json_t *units = json_object_get(hoso_repo_config(repo), "units"), *u;
	json_t *shown = json_array();
	size_t i;
	int rc = EXIT_OK;

	if (as_of && !hoso_date_valid(as_of)) {
		json_decref(shown);
		return cli_usage(args->cmd, "--as-of wants a date YYYY-MM-DD");
	}
	json_array_foreach(units, i, u) {
		const hoso_unit *unit = hoso_repo_unit_at(repo, i);
		if (!as_of || hoso_unit_open_on(unit, as_of))
			json_array_append(shown, (json_t *)u);
	}
	if (cli_has(args, "json")) {
		char *text = NULL;
		size_t len;

		if (hoso_json_canonical(&text, &len, shown) < 0)
			rc = cli_fail(HOSO_ERROR);
		else
			fwrite(text, 1, len, stdout);
		free(text);
	} else {
		json_array_foreach(shown, i, u) {
			const json_t *succ = json_object_get(u, "successors"), *s;
			size_t k;

			printf("%-8s %-6s %-8s %-10s %-10s %s", field(u, "code"), field(u, "level"),
				field(u, "parent"), field(u, "valid_from"), field(u, "valid_to"), field(u, "name"));
			json_array_foreach(succ, k, s)
				printf("%s%s", k ? ", " : " → ", json_string_value(s));
			putchar('\n');
		}
	}
	json_decref(shown);
	return rc;
}

/* Use CODE: the replica's own unit, after a change the admin's rule did not settle. */
static int use(cli_args *args, hoso_repo *repo)
{
	const hoso_unit *u;

	if (args->npos != 2)
		return cli_usage(args->cmd, "which unit does this replica now work for? 'unit use CODE'");
	if (!(u = hoso_repo_unit_find(repo, args->pos[1])))
		return cli_error(EXIT_USAGE, "unknown unit '%s'", args->pos[1]);
	if (u->valid_to)
		return cli_error(EXIT_USAGE, "unit '%s' was closed after %s", u->code, u->valid_to);
	if (hoso_repo_set_own_unit(repo, u->code) < 0)
		return cli_fail(HOSO_ERROR);
	cli_info("this replica now works for unit %s (%s)", u->code, u->name ? u->name : "");
	return EXIT_OK;
}

/* The change's codes, positional after the subcommand. */
static void change_from_args(hoso_unit_change *c, cli_args *args)
{
	c->from = (const char *const *)args->pos + 1;
	c->nfrom = args->npos - 1;
	c->into = cli_all(args, "into", &c->ninto);
	c->by = cli_all(args, "by", &c->nby);
	c->dissolve = cli_all(args, "dissolve", &c->ndissolve);
	c->reparent_to = cli_get(args, "reparent-to");
	c->on = cli_get(args, "on");
}

static int change(cli_args *args, hoso_repo *repo, hoso_unit_op op)
{
	hoso_unit_change c = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	hoso_problems *problems = NULL;
	const char *sub = args->pos[0];
	char hex[8];
	int rc, error;

	if ((rc = cli_admin_only(repo, _("change the units"))) != EXIT_OK)
		return rc;
	c.op = op;
	if (op == HOSO_UNIT_ADD) {
		if (args->npos != 2)
			return cli_usage(args->cmd, "'unit add' takes the new unit's code");
		c.code = args->pos[1];
		c.name = cli_get(args, "name");
		c.parent = cli_get(args, "parent");
		c.level = cli_get(args, "level");
		c.from_date = cli_get(args, "from");
	} else {
		if (args->npos < 2)
			return cli_usage(args->cmd, "'unit %s' takes the code of the unit that changes", sub);
		if (!cli_get(args, "on"))
			return cli_usage(args->cmd, "give the day the change takes effect: --on YYYY-MM-DD");
		change_from_args(&c, args);
	}
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);
	if (!(c.txn = cli_write_options(repo, problems))) {
		rc = cli_problems(problems) == EXIT_DATA ? EXIT_DATA : cli_fail(HOSO_ERROR);
		goto done;
	}
	error = hoso_unit_apply(&res, repo, &c, problems);
	if (error == HOSO_EINVALID) {
		/* The records that refuse it, then what the change says of them. */
		cli_problems(problems);
		rc = cli_fail(error);
		goto done;
	}
	rc = cli_committed(error, problems);
	if (error < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), &res.commit);
	if (op == HOSO_UNIT_ADD)
		cli_info("added unit %s (%s) (commit %s)", c.code, c.name, hex);
	else if (op == HOSO_UNIT_CLOSE)
		cli_info("closed unit %s from %s (commit %s)", c.from[0], c.on, hex);
	else
		cli_info("%s: records moved %zu; organizations closed %zu, given a new parent %zu; users "
			"given the new units %zu (commit %s)", op == HOSO_UNIT_MERGE ? _("merged") : _("split"),
			res.moved, res.dissolved, res.reparented, res.users, hex);
done:
	hoso_problems_free(problems);
	return rc;
}

static const struct {
	const char *name;
	const char *const *allowed;
	hoso_unit_op op; /* 0: not a change */
} subs[] = {
	{ "list", list_options, 0 },
	{ "use", use_options, 0 },
	{ "add", add_options, HOSO_UNIT_ADD },
	{ "close", close_options, HOSO_UNIT_CLOSE },
	{ "merge", merge_options, HOSO_UNIT_MERGE },
	{ "split", split_options, HOSO_UNIT_SPLIT },
};

static int run(cli_args *args, hoso_repo *repo)
{
	size_t i;
	int rc;

	for (i = 0; args->npos >= 1 && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(args->pos[0], subs[i].name) != 0)
			continue;
		if ((rc = cli_only_options(args, subs[i].name, subs[i].allowed)) != EXIT_OK)
			return rc;
		if (subs[i].op)
			return change(args, repo, subs[i].op);
		if (strcmp(subs[i].name, "use") == 0)
			return use(args, repo);
		return args->npos == 1 ? list(args, repo) :
			cli_usage(args->cmd, "'unit list' takes no code");
	}
	return cli_usage(args->cmd, "list, add, close, merge, split or use?");
}

const cli_command cmd_unit = {
	"unit", N_("the units and their changes: list, add, close, merge, split; use (a replica's own)"),
	"list [--as-of DATE] [--json] | add CODE --name NAME [--parent CODE] [--level L] [--from DATE] | "
	"close CODE --on DATE | merge FROM... --into TO --on DATE | "
	"split FROM --into TO... --by FIELD=VALUE... --on DATE | use CODE",
	options, 1, run
};
