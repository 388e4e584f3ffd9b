#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "seed", "N", 0, "the generator's seed (default 2023)" },
	{ "scale", "X", 0, "a fraction of the province, e.g. 0.1 (default 1)" },
	{ "check", NULL, 0, "run every validator on the generated records too (slower)" },
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
} replica;

static int replica_checks(replica *r, hoso_problems *problems)
{
	hoso_txn_options init = HOSO_TXN_OPTIONS_INIT;
	int error;

	r->write = init;
	if ((error = hoso_plugin_set_open(&r->plugins, r->repo, cli_builtin_plugin_dir(), problems)) < 0)
		return error;
	hoso_plugin_set_write_options(r->plugins, &r->write, problems);
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
	error = hoso_sync_run(r->repo, &opts, &st);

	if (error == 0)
		printf("  %s: %zu commits in, %zu out, %zu records merged, %zu conflicts\n", who,
			st.received_commits, st.sent_commits, st.merged_records, st.conflicts);
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
	printf("\nThe hub and three replicas (Đồng Văn 026, Mèo Vạc 027, the province 02),\n"
		"each working offline on member %s of unit 026:\n"
		"  026 sets occupation and residence; 02 sets occupation (a clash) and\n"
		"  education.political_theory; 027 edits one of its own members.\n\n", id);
	if ((error = demo_edit(&r[0], id, district)) < 0 ||
		(error = demo_edit(&r[2], id, province)) < 0 ||
		(error = demo_edit(&r[1], id027, other)) < 0)
		goto done;
	printf("Then they sync:\n");
	if ((error = demo_sync(&r[0], "Đồng Văn (026)")) < 0 ||
		(error = demo_sync(&r[1], "Mèo Vạc (027)")) < 0 ||
		(error = demo_sync(&r[2], "the province (02)")) < 0 ||
		(error = demo_sync(&r[0], "Đồng Văn (026) again")) < 0 ||
		(error = demo_sync(&r[1], "Mèo Vạc (027) again")) < 0)
		goto done;
	printf("\nEvery replica now has the hub's tree: the member keeps residence (026) and\n"
		"political theory (02); the occupation clash went to the later edit, and the\n"
		"other value waits in a conflict record:\n"
		"  %s -C %s/replica-026 show %s\n"
		"  %s -C %s/replica-026 conflicts\n", cli_program, dir, id, cli_program, dir);
done:
	for (i = 0; i < 3; i++) {
		hoso_plugin_set_free(r[i].plugins);
		hoso_repo_free(r[i].repo);
	}
	return error;
}

/* The year's report from the hub, as one HTML page: the exit code. */
static int demo_report(const char *dir, const char *hub, int year)
{
	hoso_repo *repo = NULL;
	hoso_plugin_set *set = NULL;
	hoso_problems *problems = NULL;
	json_t *opts = NULL;
	char file[4200], commit[GIT_OID_HEXSZ + 1] = "", y[16];
	git_oid tip;
	FILE *out = NULL;
	int error = 0, rc = EXIT_OK;

	snprintf(file, sizeof(file), "%s/report-%d.html", dir, year);
	snprintf(y, sizeof(y), "%d", year);
	if ((error = hoso_repo_open(&repo, hub)) < 0 || (error = hoso_problems_new(&problems)) < 0 ||
		(error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), problems)) < 0)
		goto done;
	if (hoso_repo_head(&tip, repo) == 0)
		git_oid_tostr(commit, sizeof(commit), &tip);
	opts = json_pack("{s:s, s:s}", "year", y, "commit", commit);
	if (!(out = fopen(file, "wb"))) {
		rc = cli_error(EXIT_FAILURE_, "cannot write '%s': %s", file, strerror(errno));
		goto done;
	}
	if ((error = hoso_plugin_set_report(set, "annual", "html", out, opts, problems)) < 0)
		goto done;
	printf("\nThe %d report, from the hub's records (commit %.12s), one page for a browser:\n"
		"  %s\n", year, commit, file);
done:
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
	fprintf(stderr, "hoso: made the province repository '%s' (%s, %zu units)\n", path,
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
	printf("Generated a synthetic %s as at the end of %d (seed %llu, scale %g)\n"
		"and wrote it through the import path in %.1f s:\n\n", iopts.name, gopts.year,
		(unsigned long long)gopts.seed, gopts.scale, seconds_since(&t0));
	json_object_foreach(st.counts, key, value)
		printf("  %-16s %8lld\n", key, (long long)json_integer_value(value));
	printf("  %-16s %8zu\n\n", "total", st.total);
	printf("The repository: %s (bare; 'git log' and 'git fsck' work on it)\n\n"
		"Try:\n"
		"  %s -C %s status\n"
		"  %s -C %s list organization --unit 026\n"
		"  %s -C %s list member --unit 027 --where ethnicity=08 | head\n"
		"  %s -C %s log --max-count 5\n"
		"  git -C %s log --stat --oneline | head -30\n",
		path, cli_program, path, cli_program, path, cli_program, path, cli_program, path, path);
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
	rc = demo_report(dir, path, gopts.year);
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
	"demo", "generate the synthetic Hà Giang province of 2023 into a new repository",
	"[DIR] [--seed N] [--scale X] [--check]", options, 0, run
};
