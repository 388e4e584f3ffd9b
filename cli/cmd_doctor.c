#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hoso/access.h"
#include "hoso/plugins.h"

#include "cli.h"

/*
 * hoso doctor: what a clerk runs when something seems wrong. Each check
 * says ok, warning or problem on one line, and for each warning or problem
 * a hint with the command to run. It changes nothing.
 */

/* Without --timeout: how long a clerk waits for a hub that does not answer. */
#define HUB_TIMEOUT_S 10

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print one JSON object: each check, and whether nothing is a problem") },
	{ "timeout", "SECONDS", 0, N_("give up on a silent hub after this long (default 10)") },
	{ NULL, NULL, 0, NULL }
};

typedef enum { DOC_OK, DOC_WARNING, DOC_PROBLEM } doc_status;

static const char *const status_key[] = { "ok", "warning", "problem" };
static const char *const status_word[] = { N_("ok"), N_("warning"), N_("problem") };

typedef struct {
	json_t *checks;          /* --json: the checks so far; NULL: each is printed */
	size_t problems;
	int offline;             /* one of the problems is the hub out of reach */
	char hint[2048];         /* the hint being made */
	hoso_repo *repo;
	const char *dir;         /* the git directory, for the commands of hints */
	git_remote *origin;      /* the hub; NULL in the province's repository */
	git_odb *odb;
	hoso_access *access;     /* access.json of main; NULL when it does not load */
	hoso_sync_options sync;  /* how hoso sync talks to the hub */
} doctor;

/* Characters (not bytes) of UTF-8 `s`: what a terminal's column takes. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The width of the status column: 8, or its longest word as translated. */
static size_t status_width(void)
{
	size_t i, w = 8;

	for (i = 0; i < sizeof(status_word) / sizeof(status_word[0]); i++)
		if (chars(_(status_word[i])) > w)
			w = chars(_(status_word[i]));
	return w;
}

static void say(doctor *d, doc_status st, const char *check, const char *hint,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* One finding: `hint` (NULL for ok) is the next step. */
static void say(doctor *d, doc_status st, const char *check, const char *hint,
	const char *fmt, ...)
{
	char message[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (st == DOC_PROBLEM)
		d->problems++;
	if (st == DOC_OK)
		hint = NULL;
	if (d->checks) {
		json_array_append_new(d->checks, json_pack("{s:s, s:s, s:s, s:s?}", "check", check,
			"status", status_key[st], "message", message, "hint", hint));
		return;
	}
	printf("%s%*s %-11s %s\n", _(status_word[st]),
		(int)(status_width() - chars(_(status_word[st]))), "", check, message);
	if (hint)
		printf("%s%s\n", _("hint: "), hint);
	fflush(stdout);
}

static const char *hint(doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *hint(doctor *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->hint, sizeof(d->hint), fmt, ap);
	va_end(ap);
	return d->hint;
}

static const char *git_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : _("unknown error");
}

/* 1. repository */

/*
 * Every object main's tree reaches: trees read, blobs only looked up.
 * Records are the files at data/<unit>/<type>/<shard>/<id>.json.
 */
typedef struct {
	git_repository *git;
	git_odb *odb;
	size_t objects, records, missing;
	char first[4096];  /* the path of the first object missing */
	git_oid first_id;
} walk_state;

static void walk(walk_state *w, const git_tree *tree, char *path, size_t len, int depth)
{
	size_t i, n = git_tree_entrycount(tree);

	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		size_t at = len ? len + 1 : 0, nlen = strlen(name);
		git_tree *sub = NULL;
		int present = 1;

		if (at + nlen >= sizeof(w->first))
			continue;
		if (len)
			path[len] = '/';
		memcpy(path + at, name, nlen + 1);
		w->objects++;
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			if ((present = git_tree_lookup(&sub, w->git, git_tree_entry_id(e)) == 0))
				walk(w, sub, path, at + nlen, depth + 1);
			git_tree_free(sub);
		} else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			present = git_odb_exists(w->odb, git_tree_entry_id(e));
			if (depth == 4 && strncmp(path, "data/", 5) == 0)
				w->records++;
		}
		if (!present && !w->missing++) {
			snprintf(w->first, sizeof(w->first), "%s", path);
			git_oid_cpy(&w->first_id, git_tree_entry_id(e));
		}
		path[len] = '\0';
	}
}

/* The first problem of `problems` as one line: "where: field: message". */
static void first_problem(char *out, size_t size, const hoso_problems *problems)
{
	const hoso_problem *p = hoso_problems_count(problems) ? hoso_problems_get(problems, 0) : NULL;

	if (!p) {
		snprintf(out, size, "%s", hoso_error_last());
		return;
	}
	snprintf(out, size, "%s%s%s%s%s", p->where ? p->where : "", p->where ? ": " : "",
		p->field ? p->field : "", p->field ? ": " : "", p->message);
}

/* Open the repository as every command does; a problem when it does not open. */
static int open_repository(doctor *d)
{
	char cwd[4096];
	int error = hoso_repo_open(&d->repo, cli_repo_where());

	if (error == 0) {
		d->dir = hoso_repo_path(d->repo);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	if (error == HOSO_ENOTFOUND)
		hint(d, "%s", _("run it in a replica, or name one: hoso -C DIR doctor"));
	else if (error == HOSO_EINVALID)
		hint(d, _("ask the province's admin to repair hoso.json on the hub; see it with: "
			"git -C '%s' show main:hoso.json"), cwd);
	else
		hint(d, _("see what is damaged with: git -C '%s' fsck"), cwd);
	say(d, DOC_PROBLEM, "repository", d->hint, "%s", hoso_error_last());
	return error;
}

static void check_repository(doctor *d)
{
	git_repository *git = hoso_repo_git(d->repo);
	git_commit *commit = NULL;
	git_tree *root = NULL, *schemas = NULL;
	const git_tree_entry *dir;
	hoso_problems *problems = NULL;
	walk_state w;
	git_oid tip;
	char path[4096] = "", why[1024] = "", bad[1200] = "";
	size_t i, nschemas = 0, nbad = 0;

	memset(&w, 0, sizeof(w));
	hoso_error_clear();
	if (hoso_repo_head(&tip, d->repo) < 0 || git_commit_lookup(&commit, git, &tip) < 0 ||
		git_commit_tree(&root, commit) < 0) {
		say(d, DOC_PROBLEM, "repository", hint(d, _("see what is damaged with: git -C '%s' fsck"),
			d->dir), _("cannot read main: %s"), hoso_error_last_code() ? hoso_error_last() :
			git_message());
		goto done;
	}
	w.git = git;
	w.odb = d->odb;
	walk(&w, root, path, 0, 0);
	if (w.missing) {
		git_oid_tostr(why, 13, &w.first_id);
		if (d->origin && hoso_repo_own_unit(d->repo))
			hint(d, _("this replica cannot mend itself: make a new one with "
				"\"hoso clone '%s' '%s.new' --unit %s\", then enter there what had not been sent"),
				git_remote_url(d->origin), d->dir, hoso_repo_own_unit(d->repo));
		else
			hint(d, _("restore the repository from a backup; see what is damaged with: "
				"git -C '%s' fsck"), d->dir);
		say(d, DOC_PROBLEM, "repository", d->hint, ngettext(
			"%zu object that main's tree reaches is missing (of %zu), e.g. %s (%s)",
			"%zu objects that main's tree reaches are missing (of %zu), e.g. %s (%s)", w.missing),
			w.missing, w.objects, w.first, why);
	}
	/* hoso.json was read when the repository opened; access.json and the schemas are read here. */
	if (hoso_problems_new(&problems) == 0 &&
		hoso_access_load(&d->access, d->repo, NULL, problems) < 0) {
		first_problem(why, sizeof(why), problems);
		say(d, DOC_PROBLEM, "repository", _("ask the province's admin to repair access.json on "
			"the hub ('hoso verify --all' lists every problem), then run 'hoso sync'"),
			_("access.json does not load: %s"), why);
	}
	if ((dir = git_tree_entry_byname(root, "schemas")) &&
		git_tree_lookup(&schemas, git, git_tree_entry_id(dir)) == 0) {
		for (i = 0; i < git_tree_entrycount(schemas); i++) {
			const char *name = git_tree_entry_name(git_tree_entry_byindex(schemas, i));
			const char *dot = strstr(name, ".schema.json");
			char type[64];
			if (!dot || dot[12] || (size_t)(dot - name) >= sizeof(type))
				continue;
			snprintf(type, sizeof(type), "%.*s", (int)(dot - name), name);
			nschemas++;
			hoso_error_clear();
			if (!hoso_repo_schema(d->repo, type) && !nbad++)
				snprintf(bad, sizeof(bad), "schemas/%s: %s", name, hoso_error_last_code() ?
					hoso_error_last() : _("cannot be read"));
		}
	}
	if (!schemas)
		say(d, DOC_PROBLEM, "repository", hint(d, _("see what is damaged with: git -C '%s' fsck"),
			d->dir), "%s", _("main has no schemas/"));
	else if (nbad)
		say(d, DOC_PROBLEM, "repository", _("ask the province's admin to repair the schema on "
			"the hub ('hoso verify --all' lists every problem), then run 'hoso sync'"),
			ngettext("%zu schema does not load: %s", "%zu schemas do not load: %s", nbad), nbad, bad);
	if (!w.missing && d->access && schemas && !nbad)
		say(d, DOC_OK, "repository", NULL, ngettext(
			"main at %.12s: %zu record; all %zu objects of its tree are present; hoso.json, "
			"access.json and %zu schemas load",
			"main at %.12s: %zu records; all %zu objects of its tree are present; hoso.json, "
			"access.json and %zu schemas load", w.records),
			git_oid_tostr_s(&tip), w.records, w.objects, nschemas);
done:
	hoso_problems_free(problems);
	git_tree_free(schemas);
	git_tree_free(root);
	git_commit_free(commit);
}

/* 2. unit */

static void check_unit(doctor *d)
{
	const char *own = hoso_repo_own_unit(d->repo);
	const hoso_unit *unit = own ? hoso_repo_unit_find(d->repo, own) : NULL;
	char codes[512] = "";
	size_t i, n;

	for (i = 0; i < hoso_repo_unit_count(d->repo); i++) {
		const hoso_unit *u = hoso_repo_unit_at(d->repo, i);
		n = strlen(codes);
		if (!u->valid_to)
			snprintf(codes + n, sizeof(codes) - n, "%s%s", n ? " " : "", u->code);
	}
	hint(d, _("ask the province's admin which unit this replica serves, then: "
		"hoso -C '%s' unit use CODE (open units: %s)"), d->dir, codes);
	if (!own && !d->origin)
		say(d, DOC_OK, "unit", NULL, "%s", _("none: this is the province's repository"));
	else if (!own)
		say(d, DOC_WARNING, "unit", d->hint, "%s",
			_("this replica has no unit of its own (git config hoso.unit)"));
	else if (!unit)
		say(d, DOC_PROBLEM, "unit", d->hint,
			_("unit '%s' of this replica (git config hoso.unit) is not in hoso.json"), own);
	else if (unit->valid_to)
		say(d, DOC_PROBLEM, "unit", d->hint, _("unit '%s' %s was closed after %s"), own,
			unit->name ? unit->name : "", unit->valid_to);
	else
		say(d, DOC_OK, "unit", NULL, "%s %s", own, unit->name ? unit->name : "");
}

/* 3. identity */

static void check_identity(doctor *d)
{
	git_signature *sig = NULL;
	const char *user = cli_user(d->repo), *own = hoso_repo_own_unit(d->repo), *who, *role;
	char *hub_user = NULL, path[128], writers[512] = "";
	size_t i, n;

	if (!user || hoso_repo_signature(&sig, d->repo) < 0) {
		say(d, DOC_PROBLEM, "identity", cli_identity_hint(), "%s", user ? hoso_error_last() :
			_("hoso does not know who you are: git config user.name is not set (nor HOSO_USER)"));
		goto done;
	}
	/* Access is the hub's to check, for the user it sees: the URL's, else the same. */
	if (d->origin)
		hoso_sync_user(&hub_user, d->repo, &d->sync);
	who = hub_user ? hub_user : user;
	if (!d->access) {
		say(d, DOC_WARNING, "identity", _("mend access.json first (see the repository check)"),
			_("commits as '%s' <%s>; what '%s' may write is not known: access.json does not load"),
			sig->name, sig->email, who);
		goto done;
	}
	role = hoso_access_role(d->access, who);
	if (!own || !hoso_repo_unit_find(d->repo, own)) {
		if (role)
			say(d, DOC_OK, "identity", NULL, _("commits as '%s' <%s>; access.json makes '%s' %s"),
				sig->name, sig->email, who, role);
		else
			say(d, DOC_OK, "identity", NULL,
				_("commits as '%s' <%s>; '%s' is not in access.json, so reads only"),
				sig->name, sig->email, who);
		goto done;
	}
	snprintf(path, sizeof(path), "data/%s/_", own); /* any path of the unit */
	for (i = 0; i < hoso_access_count(d->access); i++) {
		const char *u = hoso_access_user_at(d->access, i);
		n = strlen(writers);
		if (hoso_access_may_write(d->access, u, path) && n + strlen(u) + 2 < sizeof(writers))
			snprintf(writers + n, sizeof(writers) - n, "%s%s", n ? " " : "", u);
	}
	if (hoso_access_may_write(d->access, who, path))
		say(d, DOC_OK, "identity", NULL,
			_("commits as '%s' <%s>; the hub sees '%s', who may write unit %s (%s)"),
			sig->name, sig->email, who, own, role);
	else if (!hub_user && !getenv("HOSO_USER"))
		/* Nobody told hoso which user of access.json this is: git's name stands in. */
		say(d, DOC_WARNING, "identity", hint(d, _("say which user of access.json you are: "
			"export HOSO_USER=NAME (who may write unit %s: %s)"), own, writers),
			_("commits as '%s' <%s>, who may not write unit %s (access.json: %s), and the hub's "
			"URL names no user"), sig->name, sig->email, own, role ? role : _("not listed"));
	else
		say(d, DOC_PROBLEM, "identity", hint(d, _("ask the province's admin to run "
			"\"hoso access set '%s' --role clerk --unit %s\", then run 'hoso sync'"), who, own),
			_("the hub sees this replica as '%s', who may not write unit %s (access.json: %s)"),
			who, own, role ? role : _("not listed"));
done:
	free(hub_user);
	git_signature_free(sig);
}

/* 4. hub */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check_hub(doctor *d)
{
	const char *url = d->origin ? git_remote_url(d->origin) : NULL;
	git_oid tip;
	double t0 = now_s();
	int error;

	if (!d->origin) {
		if (hoso_repo_own_unit(d->repo))
			say(d, DOC_WARNING, "hub", hint(d, _("name the hub: git -C '%s' remote add origin URL"),
				d->dir), "%s", _("this replica has no hub (no remote 'origin')"));
		else
			say(d, DOC_OK, "hub", NULL, "%s", _("none: the province's repository is the hub"));
		return;
	}
	if ((error = hoso_sync_hub_tip(&tip, d->repo, &d->sync)) == HOSO_EOFFLINE) {
		d->offline = 1;
		say(d, DOC_PROBLEM, "hub", _("your work is kept here: 'hoso sync' sends it when the hub "
			"is reachable"), "%s", hoso_error_last());
	} else if (error < 0) {
		say(d, DOC_PROBLEM, "hub", hint(d, _("check the user and password the hub expects (the "
			"URL's user, HOSO_USER, HOSO_PASSWORD) and its address: git -C '%s' remote get-url origin"),
			d->dir), "%s", hoso_error_last());
	} else if (git_oid_is_zero(&tip)) {
		say(d, DOC_PROBLEM, "hub", _("ask the province's admin: the hub holds no province's records"),
			_("'%s' has no branch main"), url);
	} else if (!git_odb_exists(d->odb, &tip)) {
		say(d, DOC_WARNING, "hub", _("receive them: hoso sync"),
			_("'%s' answered in %.1f s; it has commits this replica has not fetched"), url,
			now_s() - t0);
	} else {
		say(d, DOC_OK, "hub", NULL,
			_("'%s' answered in %.1f s; this replica has fetched all it has"), url, now_s() - t0);
	}
}

/* 5. plugins */

typedef struct {
	doctor *d;
	const hoso_problems *refusals;
	char dir[4096];  /* the user's plugin directory */
} pins_state;

/* Why the user's file of plugin `name` was refused, or NULL. */
static const char *refusal_of(const pins_state *ps, const char *name)
{
	char path[4400];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.so", ps->dir, name);
	for (i = 0; i < hoso_problems_count(ps->refusals); i++) {
		const hoso_problem *p = hoso_problems_get(ps->refusals, i);
		if (p->severity == HOSO_SEVERITY_WARNING && p->where && strcmp(p->where, path) == 0)
			return p->message;
	}
	return NULL;
}

static int missing_pin(const char *name, const char *version, const char *url, void *payload)
{
	pins_state *ps = payload;
	const char *why = refusal_of(ps, name);

	if (url)
		hint(ps->d, _("install it: hoso plugin install %s"), url);
	else
		hint(ps->d, _("ask the province's admin for plugin '%s' %s, then: hoso plugin install FILE"),
			name, version ? version : "");
	if (why)
		say(ps->d, DOC_PROBLEM, "plugins", ps->d->hint,
			_("plugin '%s' %s is pinned in hoso.json, and the file here is refused: %s"),
			name, version ? version : "", why);
	else
		say(ps->d, DOC_PROBLEM, "plugins", ps->d->hint,
			_("plugin '%s' %s is pinned in hoso.json but not installed here"), name,
			version ? version : "");
	return 0;
}

static int is_named(const char *name, const char *version, const char *url, void *stem)
{
	return strcmp(name, stem) == 0;
}

static void check_plugins(doctor *d)
{
	hoso_plugin_set *set = NULL;
	hoso_problems *refusals = NULL;
	pins_state ps;
	size_t i, pinned = 0, before = d->problems, warnings = 0;

	memset(&ps, 0, sizeof(ps));
	ps.d = d;
	if (hoso_problems_new(&refusals) < 0 ||
		hoso_plugin_set_open(&set, d->repo, cli_builtin_plugin_dir(), refusals) < 0) {
		say(d, DOC_PROBLEM, "plugins", _("run 'hoso plugin list' to see more"),
			_("cannot load the plugins: %s"), hoso_error_last());
		goto done;
	}
	ps.refusals = refusals;
	hoso_plugin_user_dir(ps.dir, sizeof(ps.dir), 0);
	/* A pinned plugin missing stops every write: a problem each. */
	hoso_plugin_set_foreach_missing(set, missing_pin, &ps);
	/* Other files refused do not run, and stop nothing. */
	for (i = 0; i < hoso_problems_count(refusals); i++) {
		const hoso_problem *p = hoso_problems_get(refusals, i);
		const char *base = p->where ? strrchr(p->where, '/') : NULL;
		size_t len = base ? strlen(base + 1) : 0;
		char stem[256];
		/* A refused file: <dir>/<name>.so */
		if (p->severity != HOSO_SEVERITY_WARNING || len < 4 || strcmp(base + len - 2, ".so") != 0)
			continue;
		snprintf(stem, sizeof(stem), "%.*s", (int)(len - 3), base + 1);
		if (hoso_plugin_set_foreach_missing(set, is_named, stem) == 1)
			continue; /* said above */
		if (strncmp(p->where, ps.dir, strlen(ps.dir)) == 0)
			hint(d, _("remove it: hoso plugin remove %s (or ask the province's admin to pin it)"),
				stem);
		else
			hint(d, "%s", _("hoso's own plugins are damaged: install hoso again"));
		say(d, DOC_WARNING, "plugins", d->hint, "%s", p->message);
		warnings++;
	}
	for (i = 0; i < hoso_plugin_set_count(set); i++)
		pinned += (size_t)hoso_plugin_set_pinned(set, i);
	if (d->problems == before && !warnings)
		say(d, DOC_OK, "plugins", NULL, ngettext("%zu plugin runs; hoso.json pins %zu, installed here",
			"%zu plugins run; hoso.json pins %zu, installed here", hoso_plugin_set_count(set)),
			hoso_plugin_set_count(set), pinned);
done:
	hoso_plugin_set_free(set);
	hoso_problems_free(refusals);
}

/* 6. waiting */

static void check_waiting(doctor *d)
{
	size_t ahead, behind;

	if (!d->origin) {
		say(d, DOC_OK, "waiting", NULL, "%s", _("nothing to send: there is no hub"));
		return;
	}
	/* As hoso status counts them: against the hub's main as last fetched. */
	if (hoso_sync_ahead_behind(&ahead, &behind, d->repo) < 0) {
		say(d, DOC_WARNING, "waiting", _("run: hoso sync"), "%s", hoso_error_last());
		return;
	}
	if (ahead)
		say(d, DOC_WARNING, "waiting", _("send them: hoso sync"), ngettext(
			"%zu commit on main is not on the hub yet", "%zu commits on main are not on the hub yet",
			ahead), ahead);
	if (behind)
		say(d, DOC_WARNING, "waiting", _("merge them: hoso sync"), ngettext(
			"%zu commit fetched from the hub is not merged yet",
			"%zu commits fetched from the hub are not merged yet", behind), behind);
	if (!ahead && !behind)
		say(d, DOC_OK, "waiting", NULL, "%s", _("nothing waits to be sent to the hub"));
}

/* 7. conflicts */

typedef struct {
	const char *own;
	size_t all, mine;
} conflict_count;

static int count_conflict(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	conflict_count *c = payload;

	c->all++;
	c->mine += c->own && strcmp(unit, c->own) == 0;
	return 0;
}

static void check_conflicts(doctor *d)
{
	conflict_count c = { hoso_repo_own_unit(d->repo), 0, 0 };

	/* As hoso conflicts finds them: the conflict records of every unit. */
	if (hoso_record_foreach(d->repo, NULL, "conflict", NULL, count_conflict, &c) < 0)
		say(d, DOC_PROBLEM, "conflicts", _("mend the repository first (see the repository check)"),
			_("cannot list the conflicts: %s"), hoso_error_last());
	else if (c.all && c.own)
		say(d, DOC_WARNING, "conflicts", _("see them with 'hoso conflicts' and settle each with "
			"'hoso resolve ID FIELD --take ours|theirs|VALUE'"), ngettext(
			"%zu conflict is open (%zu in unit %s)", "%zu conflicts are open (%zu in unit %s)",
			c.all), c.all, c.mine, c.own);
	else if (c.all)
		say(d, DOC_WARNING, "conflicts", _("see them with 'hoso conflicts' and settle each with "
			"'hoso resolve ID FIELD --take ours|theirs|VALUE'"), ngettext(
			"%zu conflict is open", "%zu conflicts are open", c.all), c.all);
	else
		say(d, DOC_OK, "conflicts", NULL, "%s", _("no open conflicts"));
}

/* 8. sync */

static void check_sync(doctor *d)
{
	long pid = 0;
	int state = hoso_sync_running(&pid, d->repo);

	if (state < 0)
		say(d, DOC_WARNING, "sync", hint(d, _("check who may read the replica's files: ls -l '%s'"),
			d->dir), _("cannot tell whether a sync is running: %s"), hoso_error_last());
	else if (state == 1 && pid)
		say(d, DOC_OK, "sync", NULL, _("a sync is running now (pid %ld)"), pid);
	else if (state == 1)
		say(d, DOC_OK, "sync", NULL, "%s", _("a sync is starting now"));
	else if (state == 2)
		say(d, DOC_WARNING, "sync", _("run 'hoso sync': it first clears what the stopped one left"),
			_("a sync was stopped mid-way (pid %ld) and none is running now"), pid);
	else
		say(d, DOC_OK, "sync", NULL, "%s", _("no sync is running, and none was stopped mid-way"));
}

static int run(cli_args *args, hoso_repo *given)
{
	const char *timeout = cli_get(args, "timeout");
	doctor d;
	char *end = NULL;
	int rc = EXIT_OK;

	memset(&d, 0, sizeof(d));
	if (args->npos) {
		rc = cli_usage(args->cmd, "doctor takes no arguments");
		goto done;
	}
	if (timeout && (*timeout == '-' || strtoul(timeout, &end, 10) == 0 || *end)) {
		rc = cli_usage(args->cmd, "--timeout takes a whole number of seconds, 1 or more");
		goto done;
	}
	cli_sync_options(&d.sync, args);
	if (!d.sync.deadline_s)
		d.sync.deadline_s = HUB_TIMEOUT_S;
	if (cli_has(args, "json") && !(d.checks = json_array())) {
		rc = cli_error(EXIT_FAILURE_, "out of memory");
		goto done;
	}
	/* needs_repo is 0: a repository that does not open is the first finding. */
	if (open_repository(&d) < 0)
		goto report;
	if (git_repository_odb(&d.odb, hoso_repo_git(d.repo)) < 0) {
		say(&d, DOC_PROBLEM, "repository", hint(&d, _("see what is damaged with: git -C '%s' fsck"),
			d.dir), _("cannot read the objects: %s"), git_message());
		goto report;
	}
	if (git_remote_lookup(&d.origin, hoso_repo_git(d.repo), "origin") < 0)
		d.origin = NULL;
	check_repository(&d);
	check_unit(&d);
	check_identity(&d);
	check_hub(&d);
	check_plugins(&d);
	check_waiting(&d);
	check_conflicts(&d);
	check_sync(&d);
report:
	if (d.checks) {
		json_t *o = json_pack("{s:O, s:b}", "checks", d.checks, "ok", d.problems == 0);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	}
	/* Only the hub out of reach: the offline code, as hoso sync would give. */
	if (d.problems)
		rc = d.problems == 1 && d.offline ? EXIT_OFFLINE : EXIT_DATA;
done:
	hoso_access_free(d.access);
	git_remote_free(d.origin);
	git_odb_free(d.odb);
	hoso_repo_free(d.repo);
	json_decref(d.checks);
	return rc;
}

const cli_command cmd_doctor = {
	"doctor", N_("check this replica and say what to do about each problem"),
	"[--json] [--timeout SECONDS]", options, 0, run
};
