#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "seed", "N", 0, N_("the generator's seed (default 2023)") },
	{ "scale", "X", 0, N_("a fraction of the province, e.g. 0.1 (default 1)") },
	{ "check", NULL, 0, N_("run every validator on the generated records too (slower)") },
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	hoso_repo *repo;
	hoso_txn *txn;
	hoso_problems *problems;
	char type[64];
	size_t in_type, total;
	json_t *counts;
	int error;
	hoso_plugin_set *plugins;   /* every record goes through the validators */
	hoso_txn_options write;
} demo_state;

static int commit_type(demo_state *st)
{
	char message[256];
	int error;

	if (!st->txn)
		return 0;
	snprintf(message, sizeof(message), "demo: %zu generated %s records\n", st->in_type, st->type);
	cli_progress_end();
	if ((error = hoso_txn_commit(st->txn, message, NULL)) < 0)
		return error;
	json_object_set_new(st->counts, st->type, json_integer(
		json_integer_value(json_object_get(st->counts, st->type)) + (json_int_t)st->in_type));
	hoso_txn_free(st->txn);
	st->txn = NULL;
	st->in_type = 0;
	return 0;
}

static int each(const char *unit, const char *type, const json_t *record, void *payload)
{
	demo_state *st = payload;
	int error;

	if (st->txn && strcmp(st->type, type) != 0 && (error = commit_type(st)) < 0)
		return error;
	if (!st->txn) {
		if ((error = hoso_txn_begin(&st->txn, st->repo, &st->write)) < 0)
			return error;
		snprintf(st->type, sizeof(st->type), "%s", type);
	}
	if ((error = hoso_txn_put(st->txn, unit, record, HOSO_PUT_CREATE, type, 0, st->problems,
		NULL)) < 0)
		return error;
	st->in_type++;
	if (++st->total % 2000 == 0)
		cli_progress("generating and checking records", st->total, 0);
	return 0;
}

/* The first record of `type` in `unit`: its id into `payload`. */
static int first_id(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	snprintf(payload, HOSO_ID_LEN + 1, "%s", id);
	return 1;
}

/* A replica's writes, checked by every validator like any clerk's. */
typedef struct {
	hoso_repo *repo;
	hoso_plugin_set *plugins;
	hoso_txn_options write;
	hoso_verify_options verify; /* what the hub will check, before each push */
	const char *user;           /* who the hub knows this replica as (access.json) */
} replica;

static int replica_checks(replica *r, hoso_problems *problems)
{
	hoso_txn_options init = HOSO_TXN_OPTIONS_INIT;
	int error;

	r->write = init;
	if ((error = hoso_plugin_set_open(&r->plugins, r->repo, cli_builtin_plugin_dir(), problems)) < 0)
		return error;
	hoso_plugin_set_write_options(r->plugins, &r->write, problems);
	r->verify = (hoso_verify_options)HOSO_VERIFY_OPTIONS_INIT;
	hoso_plugin_set_verify_options(r->plugins, &r->verify);
	return 0;
}

/* Set fields of record `id` on replica `r` as one commit, FIELD=VALUE each. */
static int demo_edit(replica *r, const char *id, const char *const *fields)
{
	hoso_repo *repo = r->repo;
	hoso_txn *txn = NULL;
	json_t *rec = NULL;
	const char *unit;
	char message[128];
	size_t i;
	int error;

	if ((error = hoso_txn_begin(&txn, repo, &r->write)) < 0 ||
		(error = hoso_txn_get(&rec, &unit, txn, id)) < 0)
		goto done;
	for (i = 0; fields[i] && error == 0; i += 2)
		error = hoso_record_set(rec, hoso_repo_schema(repo, "member"), fields[i], fields[i + 1],
			0, NULL);
	snprintf(message, sizeof(message), "edit member %s in %s (offline)\n", id, unit);
	if (error == 0 && (error = hoso_txn_put(txn, unit, rec, HOSO_PUT_REPLACE, id, 0,
		r->write.problems, NULL)) == 0)
		error = hoso_txn_commit(txn, message, NULL);
done:
	json_decref(rec);
	hoso_txn_free(txn);
	return error;
}

static int demo_sync(replica *r, const char *who)
{
	hoso_sync_options opts = HOSO_SYNC_OPTIONS_INIT;
	hoso_sync_stats st;
	int error;

	opts.write = &r->write;
	opts.verify = &r->verify;
	opts.user = r->user;
	error = hoso_sync_run(r->repo, &opts, &st);

	if (error == 0)
		printf(_("  %s: commits received %zu, sent %zu; records merged %zu; conflicts %zu\n"), who,
			st.received_commits, st.sent_commits, st.merged_records, st.conflicts);
	return error;
}

/*
 * An intrusion: Mèo Vạc's clerk (027) changes a member of Đồng Văn (026),
 * which access.json does not let them write. The check the hub's hook runs
 * (verify, as the user the hub knows), run before the push, refuses it and
 * nothing is sent; the clerk puts the member back, and the next sync goes
 * through: what the hub then receives writes nothing in 026.
 */
static int demo_intrusion(replica *r, const char *dir, const char *id, hoso_problems *problems)
{
	const char *const intrusion[] = { "occupation", "Sửa trái phép (demo)", NULL };
	const char *back[] = { "occupation", NULL, NULL };
	json_t *rec = NULL;
	char *unit = NULL;
	size_t before = hoso_problems_count(problems), i;
	int error;

	if ((error = hoso_record_get(&rec, &unit, r[1].repo, id)) < 0)
		goto done;
	back[1] = json_string_value(json_object_get(rec, "occupation"));
	printf(_("\nAn intrusion: Mèo Vạc's clerk (%s) changes member %s\n"
		"of Đồng Văn (026), which access.json does not let them write. Before pushing,\n"
		"sync runs the check the hub's hook runs (hoso verify, as the user the hub knows):\n"),
		r[1].user, id);
	if ((error = demo_edit(&r[1], id, intrusion)) < 0)
		goto done;
	error = demo_sync(&r[1], _("Mèo Vạc (027)"));
	if (error != HOSO_EINVALID) {
		if (error == 0 && (error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0,
			NULL, "demo", "the check let an intrusion through; this is a bug in hoso")) == 0)
			error = HOSO_EINVALID;
		goto done;
	}
	for (i = before; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		printf("  %s: %s\n", p->where ? p->where : "", p->message);
	}
	hoso_problems_truncate(problems, before);
	printf(_("  %s\nNothing was sent. The clerk puts the member back and syncs again:\n"),
		hoso_error_last());
	if ((error = demo_edit(&r[1], id, back)) < 0 || (error = demo_sync(&r[1], _("Mèo Vạc (027)"))) < 0)
		goto done;
	printf(_("The hub took both commits: together they change nothing in 026. They are here:\n"
		"  git -C %s/replica-027 log --oneline -3\n"), dir);
done:
	free(unit);
	json_decref(rec);
	return error;
}

/*
 * The hub and its replicas: the province repository is the hub (on a local
 * path); two districts and the province's office clone it, work offline on
 * one member — different fields on two replicas, and the same field on
 * two — then sync.
 */
static int demo_replicas(const char *dir, const char *hub, hoso_problems *problems)
{
	static const char *const units[] = { "026", "027", "02" };
	static const char *const users[] = { "clerk-026", "clerk-027", "province" };
	hoso_sync_options opts = HOSO_SYNC_OPTIONS_INIT;
	replica r[3];
	char path[4096], id[HOSO_ID_LEN + 1] = "";
	const char *const district[] = { "occupation", "Giáo viên (sửa ở huyện)", "residence",
		"thôn Lũng Cú (sửa ở huyện)", NULL };
	const char *const province[] = { "occupation", "Cán bộ (sửa ở tỉnh)", "education.political_theory",
		"trung_cap", NULL };
	const char *const other[] = { "occupation", "Nông dân (sửa ở huyện)", NULL };
	char id027[HOSO_ID_LEN + 1] = "";
	size_t i;
	int error = 0;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 3 && error == 0; i++) {
		git_config *cfg = NULL;
		snprintf(path, sizeof(path), "%s/replica-%s", dir, units[i]);
		if ((error = hoso_clone(&r[i].repo, hub, path, units[i], &opts)) == 0 &&
			(error = replica_checks(&r[i], problems)) == 0 &&
			(r[i].user = users[i]) &&
			(error = git_repository_config(&cfg, hoso_repo_git(r[i].repo))) == 0) {
			git_config_set_string(cfg, "user.name", i == 2 ? "Ban Tổ chức Tỉnh ủy (demo)" :
				i == 0 ? "Huyện ủy Đồng Văn (demo)" : "Huyện ủy Mèo Vạc (demo)");
			git_config_set_string(cfg, "user.email", "demo@hoso.invalid");
			git_config_free(cfg);
		}
	}
	if (error < 0)
		goto done;
	hoso_record_foreach(r[0].repo, NULL, "member", "026", first_id, id);
	hoso_record_foreach(r[1].repo, NULL, "member", "027", first_id, id027);
	printf(_("\nThe hub and three replicas (Đồng Văn 026, Mèo Vạc 027, the province 02),\n"
		"each working offline on member %s of unit 026:\n"
		"  026 sets occupation and residence; 02 sets occupation (a clash) and\n"
		"  education.political_theory; 027 edits one of its own members.\n\n"), id);
	if ((error = demo_edit(&r[0], id, district)) < 0 ||
		(error = demo_edit(&r[2], id, province)) < 0 ||
		(error = demo_edit(&r[1], id027, other)) < 0)
		goto done;
	printf(_("Then they sync:\n"));
	if ((error = demo_sync(&r[0], _("Đồng Văn (026)"))) < 0 ||
		(error = demo_sync(&r[1], _("Mèo Vạc (027)"))) < 0 ||
		(error = demo_sync(&r[2], _("the province (02)"))) < 0 ||
		(error = demo_sync(&r[0], _("Đồng Văn (026) again"))) < 0 ||
		(error = demo_sync(&r[1], _("Mèo Vạc (027) again"))) < 0)
		goto done;
	printf(_("\nEvery replica now has the hub's tree: the member keeps residence (026) and\n"
		"political theory (02); the occupation clash went to the later edit, and the\n"
		"other value waits in a conflict record:\n"
		"  %s -C %s/replica-026 show %s\n"
		"  %s -C %s/replica-026 conflicts\n"), cli_program, dir, id, cli_program, dir);
	error = demo_intrusion(r, dir, id, problems);
done:
	for (i = 0; i < 3; i++) {
		hoso_plugin_set_free(r[i].plugins);
		hoso_repo_free(r[i].repo);
	}
	return error;
}

/*
 * The year's report from the hub as one HTML page, report-YEAR<again>.html in `dir`, and its
 * figures (without the commit they came from) in `*figures` when not NULL.
 */
static int demo_report(json_t **figures, const char *dir, const char *hub, int year, const char *again)
{
	hoso_repo *repo = NULL;
	hoso_plugin_set *set = NULL;
	hoso_problems *problems = NULL;
	json_t *opts = NULL;
	char file[4200], commit[GIT_OID_HEXSZ + 1] = "", y[16], *text = NULL;
	size_t len = 0;
	git_oid tip;
	FILE *out = NULL, *mem = NULL;
	int error = 0, rc = EXIT_OK;

	snprintf(file, sizeof(file), "%s/report-%d%s.html", dir, year, again);
	snprintf(y, sizeof(y), "%d", year);
	if ((error = hoso_repo_open(&repo, hub)) < 0 || (error = hoso_problems_new(&problems)) < 0 ||
		(error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), problems)) < 0)
		goto done;
	if (hoso_repo_head(&tip, repo) == 0)
		git_oid_tostr(commit, sizeof(commit), &tip);
	opts = json_pack("{s:s, s:s, s:s+}", "year", y, "commit", commit, "as_of", y, "-12-31");
	if (!(out = fopen(file, "wb"))) {
		rc = cli_error(EXIT_FAILURE_, "cannot write '%s': %s", file, strerror(errno));
		goto done;
	}
	if ((error = hoso_plugin_set_report(set, "annual", "html", out, opts, problems)) < 0)
		goto done;
	if (figures) {
		if (!(mem = open_memstream(&text, &len))) {
			rc = cli_error(EXIT_FAILURE_, "out of memory");
			goto done;
		}
		if ((error = hoso_plugin_set_report(set, "annual", "json", mem, opts, problems)) < 0)
			goto done;
		fclose(mem);
		mem = NULL;
		if (!(*figures = json_loads(text, 0, NULL))) {
			rc = cli_error(EXIT_FAILURE_, "the report's figures are not JSON; this is a bug in hoso");
			goto done;
		}
		json_object_del(*figures, "commit");
	}
	printf(_("\nThe %d report, from the hub's records (commit %.12s), one page for a browser:\n"
		"  %s\n"), year, commit, file);
done:
	if (mem)
		fclose(mem);
	free(text);
	if (out && fclose(out) != 0 && rc == EXIT_OK)
		rc = cli_error(EXIT_FAILURE_, "cannot write '%s': %s", file, strerror(errno));
	if (error < 0 && rc == EXIT_OK)
		rc = cli_fail(error);
	json_decref(opts);
	hoso_plugin_set_free(set);
	hoso_problems_free(problems);
	hoso_repo_free(repo);
	return rc;
}

static int province_org(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	json_t *rec = json_loadb(data, len, 0, NULL);
	int found = rec && json_string_value(json_object_get(rec, "level")) &&
		strcmp(json_string_value(json_object_get(rec, "level")), "dang_bo_tinh") == 0;

	(void)unit, (void)type;
	if (found)
		snprintf(payload, HOSO_ID_LEN + 1, "%s", id);
	json_decref(rec);
	return found;
}

/*
 * 1 July 2025: Đồng Văn and Mèo Vạc become one unit, their district
 * committees are dissolved and their grassroots organizations come under
 * the province's committee; the 2023 report stays what it was.
 */
static int demo_merger(const char *dir, const char *hub, int year)
{
	static const char *const from[] = { "026", "027" }, *const into[] = { "T01" };
	static const char *const dissolve[] = { "dang_bo_cap_tren_co_so" };
	hoso_unit_change add = HOSO_UNIT_CHANGE_INIT, merge = HOSO_UNIT_CHANGE_INIT;
	hoso_unit_result res;
	hoso_repo *repo = NULL;
	hoso_problems *problems = NULL;
	json_t *before = NULL, *again = NULL;
	char province[HOSO_ID_LEN + 1] = "", hex[13];
	int rc, error;

	if ((rc = demo_report(&before, dir, hub, year, "")) != EXIT_OK)
		return rc;
	add.op = HOSO_UNIT_ADD;
	add.code = "T01";
	add.name = "Đồng Văn – Mèo Vạc (tỉnh Tuyên Quang)";
	add.level = "xa";
	add.from_date = "2025-07-01";
	merge.op = HOSO_UNIT_MERGE;
	merge.on = "2025-07-01";
	merge.from = from;
	merge.nfrom = 2;
	merge.into = into;
	merge.ninto = 1;
	merge.dissolve = dissolve;
	merge.ndissolve = 1;
	merge.reparent_to = province;
	if ((error = hoso_repo_open(&repo, hub)) < 0 || (error = hoso_problems_new(&problems)) < 0 ||
		(error = hoso_record_foreach(repo, NULL, "organization", hoso_repo_province(repo),
			province_org, province)) < 0 || (error = hoso_unit_apply(NULL, repo, &add, problems)) < 0 ||
		(error = hoso_unit_apply(&res, repo, &merge, problems)) < 0) {
		rc = hoso_problems_errors(problems) ? cli_problems(problems) : cli_fail(error);
		goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &res.commit);
	printf(_("\n1 July 2025: Hà Giang joins Tuyên Quang and the districts go. One commit (%s)\n"
		"merges 026 and 027 into unit T01: %zu records moved with their ids, %zu district\n"
		"committees closed, %zu organizations put under the province's committee, %zu clerks\n"
		"given T01. Look:\n"
		"  %s -C %s unit list\n"
		"  git -C %s show --stat %s | head\n"
		"  %s -C %s/replica-026 sync   (the replica learns it now works for T01)\n"),
		hex, res.moved, res.dissolved, res.reparented, res.users, cli_program, hub, hub, hex,
		cli_program, dir);
	if ((rc = demo_report(NULL, dir, hub, 2025, "")) != EXIT_OK ||
		(rc = demo_report(&again, dir, hub, year, "-again")) != EXIT_OK)
		goto done;
	if (before && again && json_equal(before, again))
		printf(_("The 2023 report after the merge has the same figures, by the same 11 districts:\n"
			"the records are counted in the units they were in on 31 December 2023.\n"));
	else
		rc = cli_error(EXIT_FAILURE_, "the 2023 report changed after the merge; this is a bug in hoso");
done:
	json_decref(before);
	json_decref(again);
	hoso_problems_free(problems);
	hoso_repo_free(repo);
	return rc;
}

/* Who may write what: a clerk for each district, the province's office for all. */
static int demo_access(hoso_repo *repo, hoso_problems *problems)
{
	static const char *const u026[] = { "026" }, *const u027[] = { "027" };
	git_config *cfg = NULL;
	int error;

	/* access.json's commits are the province office's. */
	if ((error = git_repository_config(&cfg, hoso_repo_git(repo))) < 0 ||
		(error = git_config_set_string(cfg, "user.name", "Văn phòng Tỉnh ủy (demo)")) < 0 ||
		(error = git_config_set_string(cfg, "user.email", "demo@hoso.invalid")) < 0) {
		const git_error *e = git_error_last();
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, hoso_repo_path(repo), 0, NULL, "demo",
			"cannot set the hub's git identity: %s", e && e->message ? e->message : "?");
		error = HOSO_EINVALID;
		goto done;
	}
	if ((error = hoso_access_set(repo, "clerk-026", "clerk", u026, 1, problems)) < 0 ||
		(error = hoso_access_set(repo, "clerk-027", "clerk", u027, 1, problems)) < 0 ||
		(error = hoso_access_set(repo, "province", "province", NULL, 0, problems)) < 0)
		goto done;
	printf(_("Who may write (access.json): clerk-026 in 026, clerk-027 in 027, province in every unit.\n\n"));
done:
	git_config_free(cfg);
	return error;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run(cli_args *args, hoso_repo *unused)
{
	hoso_init_options iopts = HOSO_INIT_OPTIONS_INIT;
	hoso_gen_options gopts = HOSO_GEN_OPTIONS_INIT;
	demo_state st = { 0 };
	const char *dir = args->npos ? args->pos[0] : "hoso-demo", *key;
	char path[4096], *end;
	json_t *units = NULL, *value;
	struct timespec t0;
	int rc = EXIT_OK, error;

	if (args->npos > 1)
		return cli_usage(args->cmd, "give at most one directory");
	if (cli_get(args, "seed")) {
		gopts.seed = strtoull(cli_get(args, "seed"), &end, 10);
		if (*end)
			return cli_usage(args->cmd, "--seed wants a whole number");
	}
	if (cli_get(args, "scale")) {
		gopts.scale = strtod(cli_get(args, "scale"), &end);
		if (*end || !(gopts.scale > 0 && gopts.scale <= 1))
			return cli_usage(args->cmd, "--scale wants a number above 0 and at most 1");
	}
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return cli_error(EXIT_FAILURE_, "cannot make '%s': %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/province.git", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	units = hoso_gen_units();
	iopts.province = hoso_gen_province_code();
	iopts.name = hoso_gen_province_name();
	iopts.units = units;
	iopts.schema_dir = cli_schema_dir();
	iopts.author_name = "Văn phòng Tỉnh ủy (demo)";
	iopts.author_email = "demo@hoso.invalid";
	st.counts = json_object();
	if ((error = hoso_problems_new(&st.problems)) < 0 ||
		(error = hoso_repo_init(&st.repo, path, &iopts, st.problems)) < 0) {
		rc = hoso_problems_count(st.problems) ? cli_problems(st.problems) : cli_fail(error);
		if (strstr(hoso_error_last(), "already exists"))
			cli_hint("give 'hoso demo' a new directory, or remove '%s'", path);
		goto done;
	}
	cli_info("made the province repository '%s' (%s, %zu units)", path,
		iopts.name, hoso_repo_unit_count(st.repo));
	st.write = (hoso_txn_options)HOSO_TXN_OPTIONS_INIT;
	if (cli_has(args, "check") && (error = hoso_plugin_set_open(&st.plugins, st.repo,
		cli_builtin_plugin_dir(), st.problems)) == 0)
		hoso_plugin_set_write_options(st.plugins, &st.write, st.problems);

	error = hoso_gen_province(&gopts, each, &st);
	if (error == 0)
		error = commit_type(&st);
	cli_progress_end();
	if (error < 0) {
		rc = hoso_problems_count(st.problems) ? cli_problems(st.problems) : cli_fail(error);
		cli_error(rc, "the generated province did not load; this is a bug in hoso");
		goto done;
	}

	if (st.plugins && hoso_problems_count(st.problems)) {
		cli_problems(st.problems); /* the validators' warnings */
		hoso_problems_truncate(st.problems, 0);
	}
	printf(_("Generated a synthetic %s as at the end of %d (seed %llu, scale %g)\n"
		"and wrote it through the import path in %.1f s:\n\n"), iopts.name, gopts.year,
		(unsigned long long)gopts.seed, gopts.scale, seconds_since(&t0));
	json_object_foreach(st.counts, key, value)
		printf("  %-16s %8lld\n", key, (long long)json_integer_value(value));
	printf("  %-16s %8zu\n\n", _("total"), st.total);
	printf(_("The repository: %s (bare; 'git log' and 'git fsck' work on it)\n\n"
		"Try:\n"
		"  %s -C %s status\n"
		"  %s -C %s list organization --unit 026\n"
		"  %s -C %s list member --unit 027 --where ethnicity=08 | head\n"
		"  %s -C %s log --max-count 5\n"
		"  git -C %s log --stat --oneline | head -30\n"),
		path, cli_program, path, cli_program, path, cli_program, path, cli_program, path, path);
	if ((error = demo_access(st.repo, st.problems)) < 0) {
		rc = hoso_problems_errors(st.problems) ? cli_problems(st.problems) : cli_fail(error);
		goto done;
	}
	/* The demo's objects are written; the replicas may now share the hub. */
	hoso_plugin_set_free(st.plugins);
	st.plugins = NULL;
	hoso_repo_free(st.repo);
	st.repo = NULL;
	hoso_problems_free(st.problems);
	if ((error = hoso_problems_new(&st.problems)) < 0 ||
		(error = demo_replicas(dir, path, st.problems)) < 0) {
		rc = hoso_problems_errors(st.problems) ? cli_problems(st.problems) : cli_fail(error);
		goto done;
	}
	cli_problems(st.problems); /* the validators' warnings */
	rc = demo_merger(dir, path, gopts.year);
done:
	hoso_txn_free(st.txn);
	hoso_plugin_set_free(st.plugins);
	hoso_repo_free(st.repo);
	hoso_problems_free(st.problems);
	json_decref(st.counts);
	json_decref(units);
	return rc;
}

const cli_command cmd_demo = {
	"demo", N_("generate the synthetic Hà Giang province of 2023 into a new repository"),
	"[DIR] [--seed N] [--scale X] [--check]", options, 0, run
};
