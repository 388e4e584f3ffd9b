#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "hoso/sync.h"
#include "hoso/unit.h"
#include "hoso/record.h"
#include "internal.h"
#include "lock.h"
#include "merge_tree.h"
#include "common.h"

#define ORIGIN_MAIN "refs/remotes/origin/main"

/* What the network callbacks share with their caller. */
typedef struct {
	const hoso_sync_options *opts;
	const char *url;
	char *user, *password;  /* from the URL, or given */
	int attempts;
	int auth_refused;
	char *rejected;         /* a ref update the hub refused, with its reason */
	/* What the hub said (sideband): whole lines, each ending in '\n', then the
	 * line being said; progress lines redrawn with '\r' are left out. */
	char remote[4096];
	size_t remote_len;      /* of the whole lines */
	size_t line_len;        /* of the line being said, after them */
	int line_cr;            /* it ended in '\r' so far: progress, unless '\n' follows */
	int line_progress;      /* it was redrawn: a progress line */
	int line_long;          /* it does not fit */
	size_t remote_dropped;  /* lines that did not fit */
} net_ctx;

static void net_clear(net_ctx *n)
{
	free(n->user);
	free(n->password);
	free(n->rejected);
}

/* A watchdog: libgit2 1.5 has no network timeouts. SIGALRM without
 * SA_RESTART interrupts the blocking call, which then fails. */
static volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

static void watchdog_start(struct sigaction *old, unsigned int seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, old);
	watchdog_fired = 0;
	alarm(seconds);
}

static void watchdog_stop(const struct sigaction *old)
{
	alarm(0);
	sigaction(SIGALRM, old, NULL);
}

static int credentials_cb(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	net_ctx *n = payload;
	const char *user = n->user ? n->user : user_from_url ? user_from_url : getenv("HOSO_USER");
	char *asked = NULL;
	const char *password = n->password ? n->password : getenv("HOSO_PASSWORD");
	int error;

	/* libgit2 asks again and again after a refusal: once is enough. */
	if (n->attempts++ > 0 || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
		n->auth_refused = 1;
		git_error_set_str(GIT_ERROR_NET, "the hub refused the user or password");
		return GIT_EUSER;
	}
	if (!user) {
		n->auth_refused = 1;
		git_error_set_str(GIT_ERROR_NET, "the hub asks who you are, and no user was given");
		return GIT_EUSER;
	}
	if (!password && n->opts && n->opts->password_cb)
		password = asked = n->opts->password_cb(n->url, user, n->opts->payload);
	if (!password) {
		n->auth_refused = 1;
		git_error_set_str(GIT_ERROR_NET, "the hub asks for a password, and none was given");
		return GIT_EUSER;
	}
	error = git_credential_userpass_plaintext_new(out, user, password);
	if (asked) {
		explicit_bzero(asked, strlen(asked));
		free(asked);
	}
	return error;
}

static int transfer_cb(const git_indexer_progress *stats, void *payload)
{
	net_ctx *n = payload;

	if (n->opts && n->opts->progress_cb)
		n->opts->progress_cb("receiving", stats->received_objects, stats->total_objects,
			stats->received_bytes, n->opts->payload);
	return 0;
}

static int push_progress_cb(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	net_ctx *n = payload;

	if (n->opts && n->opts->progress_cb)
		n->opts->progress_cb("sending", current, total, bytes, n->opts->payload);
	return 0;
}

static void remote_reset(net_ctx *n)
{
	n->remote_len = n->line_len = n->remote_dropped = 0;
	n->line_cr = n->line_progress = n->line_long = 0;
	n->remote[0] = '\0';
}

/* The line being said ends: kept unless it is progress, blank or too long. */
static void remote_end_line(net_ctx *n)
{
	char *line = n->remote + n->remote_len;

	while (n->line_len && (line[n->line_len - 1] == ' ' || line[n->line_len - 1] == '\t'))
		n->line_len--;
	if (n->line_long)
		n->remote_dropped++;
	else if (n->line_len && !n->line_progress) {
		line[n->line_len] = '\n';
		n->remote_len += n->line_len + 1;
	}
	n->remote[n->remote_len] = '\0';
	n->line_len = 0;
	n->line_cr = n->line_progress = n->line_long = 0;
}

/*
 * The hub's words arrive in chunks that need not end at a line's end (its
 * hook's refusal, its progress): collect them, line by line.
 */
static int sideband_cb(const char *text, int len, void *payload)
{
	net_ctx *n = payload;
	int i;

	for (i = 0; i < len; i++) {
		char c = text[i];
		if (n->line_cr && c != '\n') {
			/* "\r" alone: the line is drawn again, it is progress. */
			n->line_len = 0;
			n->line_cr = 0;
			n->line_progress = 1;
		}
		if (c == '\n') {
			remote_end_line(n);
		} else if (c == '\r') {
			n->line_cr = 1;
		} else if (n->remote_len + n->line_len + 2 < sizeof(n->remote)) {
			n->remote[n->remote_len + n->line_len++] = c;
		} else {
			n->line_long = 1;
		}
	}
	return 0;
}

/* Whether the hub's line `s` reports an error (as its hook prints them). */
static int remote_error_line(const char *s)
{
	if (strncmp(s, "GL-HOOK-ERR: ", 13) == 0)
		s += 13;
	return strncmp(s, "hoso: error:", 12) == 0 || strncmp(s, "error:", 6) == 0 ||
		strncmp(s, "fatal:", 6) == 0;
}

/* hoso_error_set keeps 1 KiB of a message: the hub's lines fit in it whole. */
#define REFUSAL_MAX 1000

/*
 * The hub refused `n->rejected`: say so with every error line it said (or,
 * when it said none, every line), as many whole lines as fit.
 */
static int refused(net_ctx *n)
{
	char message[REFUSAL_MAX + 1], *line, *end;
	size_t used, len, omitted = 0;
	int errors_only = 0;

	if (n->line_len || n->line_long) { /* a last line without '\n' ('\r': progress) */
		n->line_progress |= n->line_cr;
		remote_end_line(n);
	}
	for (line = n->remote; *line && !errors_only; line = strchr(line, '\n') + 1)
		errors_only = remote_error_line(line);
	snprintf(message, sizeof(message), "the hub refused the push (%s)%s", n->rejected,
		n->remote_len ? "; it said:" : "");
	used = strlen(message);
	for (line = n->remote; *line; line = end + 1) {
		end = strchr(line, '\n');
		len = (size_t)(end - line);
		if (errors_only && !remote_error_line(line))
			continue;
		/* Room for this line and for counting those after it. */
		if (!omitted && used + 1 + len + 32 <= REFUSAL_MAX) {
			message[used++] = '\n';
			memcpy(message + used, line, len);
			used += len;
			message[used] = '\0';
		} else {
			omitted++;
		}
	}
	omitted += n->remote_dropped;
	if (omitted)
		snprintf(message + used, sizeof(message) - used, dngettext(HOSO_TEXTDOMAIN,
			"\n(and %zu more line)", "\n(and %zu more lines)", omitted), omitted);
	return hoso_error_set(HOSO_EINVALID, "%s", message);
}

/* Any status is a refusal: libgit2 returns 0 from git_remote_push regardless. */
static int push_update_cb(const char *refname, const char *status, void *payload)
{
	net_ctx *n = payload;

	if (status && !n->rejected)
		n->rejected = hoso_strdupf("%s: %s", refname, status);
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, net_ctx *n)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials_cb;
	cb->transfer_progress = transfer_cb;
	cb->push_transfer_progress = push_progress_cb;
	cb->sideband_progress = sideband_cb;
	cb->push_update_reference = push_update_cb;
	cb->payload = n;
}

static unsigned int deadline(const hoso_sync_options *opts)
{
	return opts && opts->deadline_s ? opts->deadline_s : 120;
}

/* A local path (or file://) rather than a server. */
static int is_local(const char *url)
{
	return strncmp(url, "file://", 7) == 0 || !strstr(url, "://");
}

/*
 * Split the password out of `url`: `*clean` is the URL without it (what is
 * stored), `*user` and `*password` what it held (may be NULL).
 */
static int split_url(char **clean, char **user, char **password, const char *url)
{
	const char *scheme = strstr(url, "://"), *at, *host, *colon;

	*clean = *user = *password = NULL;
	if (!scheme || !(host = scheme + 3) || !(at = strchr(host, '@')) ||
		(strchr(host, '/') && strchr(host, '/') < at)) {
		*clean = strdup(url);
		return *clean ? 0 : hoso_error_set(HOSO_ERROR, "out of memory");
	}
	colon = memchr(host, ':', (size_t)(at - host));
	*user = strndup(host, (size_t)((colon ? colon : at) - host));
	if (colon)
		*password = strndup(colon + 1, (size_t)(at - colon - 1));
	*clean = hoso_strdupf("%.*s%.*s%s", (int)(host - url), url, (int)((colon ? colon : at) - host),
		host, at);
	if (!*clean || !*user || (colon && !*password))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	return 0;
}

/* `s` percent-encoded for a URL's userinfo, appended to `out`. */
static void put_encoded(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out);

	for (; *s && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '_' || c == '.' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/* Who the hub sees: the user given or in the URL, else $HOSO_USER; NULL if none. */
static const char *hub_user(const net_ctx *n)
{
	return n->user ? n->user : getenv("HOSO_USER");
}

/*
 * The URL to connect with, in memory only: when the user and password are
 * known beforehand, in its userinfo, so that libgit2 sends them at once
 * rather than after a refusal (one round trip less; some servers also make a
 * refusal wait). NULL when they are not known or the hub is a local path.
 */
static char *connect_url(const char *clean, const net_ctx *n)
{
	const char *user = hub_user(n);
	const char *password = n->password ? n->password : getenv("HOSO_PASSWORD");
	const char *scheme = strstr(clean, "://"), *host, *at, *slash;
	char buf[2048];

	if (!scheme || !user || !password || is_local(clean))
		return NULL;
	host = scheme + 3;
	slash = strchr(host, '/');
	if ((at = strchr(host, '@')) && (!slash || at < slash))
		host = at + 1; /* the stored user is replaced by the one we use */
	snprintf(buf, sizeof(buf), "%.*s", (int)(scheme + 3 - clean), clean);
	put_encoded(buf, sizeof(buf), user);
	strncat(buf, ":", sizeof(buf) - strlen(buf) - 1);
	put_encoded(buf, sizeof(buf), password);
	strncat(buf, "@", sizeof(buf) - strlen(buf) - 1);
	strncat(buf, host, sizeof(buf) - strlen(buf) - 1);
	return strdup(buf);
}

typedef enum { NET_CLONE, NET_FETCH, NET_PUSH, NET_REACH } net_op;

/* The failure of network operation `op`, as the code the caller acts on. */
static int net_error(net_ctx *n, net_op op, int rc)
{
	const git_error *e = git_error_last();
	char subject[2300];

	switch (op) {
	case NET_CLONE:
		snprintf(subject, sizeof(subject), _("cannot clone '%s'"), n->url);
		break;
	case NET_FETCH:
		snprintf(subject, sizeof(subject), _("cannot fetch from '%s'"), n->url);
		break;
	case NET_PUSH:
		snprintf(subject, sizeof(subject), _("cannot push to '%s'"), n->url);
		break;
	default:
		snprintf(subject, sizeof(subject), _("cannot reach '%s'"), n->url);
		break;
	}
	if (watchdog_fired)
		return hoso_error_set(HOSO_EOFFLINE, "%s: the hub did not answer within %u s", subject,
			deadline(n->opts));
	if (n->auth_refused)
		return hoso_error_set(HOSO_ERROR, "%s: %s", subject,
			e && e->message ? e->message : _("the hub refused the user or password"));
	if (e && e->message && strstr(e->message, "status code"))
		return hoso_error_set(HOSO_ERROR, "%s: %s", subject, e->message);
	if (rc == GIT_ENOTFOUND && is_local(n->url))
		return hoso_error_set(HOSO_EOFFLINE, "%s: no such hub", subject);
	return hoso_error_set(HOSO_EOFFLINE, "%s: %s", subject,
		e && e->message ? e->message : _("the hub cannot be reached"));
}

int hoso_clone(hoso_repo **out, const char *url, const char *path, const char *unit,
	const hoso_sync_options *opts)
{
	git_clone_options co = GIT_CLONE_OPTIONS_INIT;
	git_repository *git = NULL;
	git_config *cfg = NULL;
	git_reference *ref = NULL;
	git_oid main;
	struct sigaction old;
	net_ctx n;
	char *clean = NULL, *connect = NULL;
	int error, rc;

	*out = NULL;
	memset(&n, 0, sizeof(n));
	n.opts = opts;
	if ((error = split_url(&clean, &n.user, &n.password, url)) < 0)
		goto done;
	/* A hub on a path is stored whole, so that the replica finds it from anywhere. */
	if (!strstr(clean, "://")) {
		char *whole = realpath(clean, NULL);
		if (!whole) {
			error = hoso_error_set(HOSO_EUSAGE, "no hub at '%s': %s", clean, strerror(errno));
			hoso_error_set_hint("give the hub's URL (http://...), or the path of its repository");
			goto done;
		}
		free(clean);
		clean = whole;
	}
	if (opts && opts->user) {
		free(n.user);
		n.user = strdup(opts->user);
	}
	if (opts && opts->password) {
		free(n.password);
		n.password = strdup(opts->password);
	}
	n.url = clean;
	co.bare = 1;
	co.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	co.checkout_branch = "main";
	callbacks_init(&co.fetch_opts.callbacks, &n);
	if (access(path, F_OK) == 0) {
		error = hoso_error_set(HOSO_EEXISTS, "'%s' already exists", path);
		goto done;
	}
	if (!n.user && !is_local(clean))
		n.user = getenv("HOSO_USER") ? strdup(getenv("HOSO_USER")) : NULL;
	connect = connect_url(clean, &n);
	watchdog_start(&old, deadline(opts));
	rc = git_clone(&git, connect ? connect : url, path, &co);
	watchdog_stop(&old);
	if (connect) {
		explicit_bzero(connect, strlen(connect));
		free(connect);
	}
	if (rc < 0) {
		error = net_error(&n, NET_CLONE, rc);
		goto cleanup;
	}
	/* The hub stays "origin", without the password; the replica knows its unit. */
	if (git_remote_set_url(git, "origin", clean) < 0 || git_repository_config(&cfg, git) < 0 ||
		git_config_set_string(cfg, "hoso.unit", unit) < 0 ||
		git_config_set_bool(cfg, "core.logAllRefUpdates", 1) < 0 ||
		git_config_set_string(cfg, "remote.origin.fetch", "+refs/heads/main:" ORIGIN_MAIN) < 0 ||
		git_reference_name_to_id(&main, git, HOSO_BRANCH) < 0 ||
		git_reference_create(&ref, git, ORIGIN_MAIN, &main, 1, "clone") < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot set up the replica '%s'", path);
		goto cleanup;
	}
	git_repository_free(git);
	git = NULL;
	if ((error = hoso_repo_open(out, path)) < 0)
		goto cleanup;
	if (!hoso_repo_unit_find(*out, unit)) {
		error = hoso_error_set(HOSO_ENOTFOUND, "unit '%s' is not one of the hub's units", unit);
		hoso_repo_free(*out);
		*out = NULL;
		goto cleanup;
	}
	goto done;
cleanup:
	/* Nothing half-made stays. */
	git_repository_free(git);
	git = NULL;
	hoso_remove_tree(path);
done:
	git_reference_free(ref);
	git_config_free(cfg);
	git_repository_free(git);
	free(clean);
	net_clear(&n);
	return error;
}

int hoso_sync_ahead_behind(size_t *ahead, size_t *behind, hoso_repo *repo)
{
	git_oid local, remote;

	*ahead = *behind = 0;
	if (git_reference_name_to_id(&local, hoso_repo_git(repo), HOSO_BRANCH) < 0)
		return hoso_error_set(HOSO_ENOTFOUND, "the replica has no main");
	if (git_reference_name_to_id(&remote, hoso_repo_git(repo), ORIGIN_MAIN) < 0)
		return hoso_error_set(HOSO_ENOTFOUND, "the replica has never synced with a hub");
	if (git_graph_ahead_behind(ahead, behind, hoso_repo_git(repo), &local, &remote) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot compare main with the hub's");
	return 0;
}

static int fetch(git_remote *remote, net_ctx *n)
{
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	char *spec = "+refs/heads/main:" ORIGIN_MAIN;
	git_strarray refspecs = { &spec, 1 };
	struct sigaction old;
	int rc;

	callbacks_init(&fo.callbacks, n);
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	n->attempts = 0;
	watchdog_start(&old, deadline(n->opts));
	rc = git_remote_fetch(remote, &refspecs, &fo, "sync: fetch");
	watchdog_stop(&old);
	return rc < 0 ? net_error(n, NET_FETCH, rc) : 0;
}

/* Merge origin/main into main (under the writer lock): 1 if main changed. */
static int merge(hoso_repo *repo, const git_oid *theirs_id, const hoso_txn_options *write,
	const char *user, hoso_sync_stats *stats, hoso_problems *problems)
{
	git_repository *git = hoso_repo_git(repo);
	git_commit *ours = NULL, *theirs = NULL, *base = NULL;
	git_reference *ref = NULL;
	hoso_txn *txn = NULL;
	hoso_merge_tree_stats ms;
	git_oid base_id, ours_id;
	char message[512];
	int error;

	if ((error = hoso_txn_begin(&txn, repo, write)) < 0)
		goto done;
	git_oid_cpy(&ours_id, hoso_txn_base(txn));
	if (git_oid_equal(&ours_id, theirs_id) ||
		git_graph_descendant_of(git, &ours_id, theirs_id) == 1) {
		error = 0; /* nothing new from the hub */
		goto done;
	}
	if (git_graph_descendant_of(git, theirs_id, &ours_id) == 1) {
		/* Only the hub moved: fast-forward. */
		if (git_reference_create_matching(&ref, git, HOSO_BRANCH, theirs_id, 1, &ours_id,
			"sync: fast-forward") < 0) {
			error = hoso_error_git(HOSO_ECONFLICT, "cannot move main to the hub's");
			goto done;
		}
		stats->fast_forward = 1;
		error = 1;
		goto done;
	}
	if (git_commit_lookup(&ours, git, &ours_id) < 0 || git_commit_lookup(&theirs, git, theirs_id) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot read the commits to merge");
		goto done;
	}
	if (git_merge_base(&base_id, git, &ours_id, theirs_id) == 0 &&
		git_commit_lookup(&base, git, &base_id) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot read the merge base");
		goto done;
	}
	if ((error = hoso_merge_trees(txn, repo, base, ours, theirs, user, problems, &ms)) < 0)
		goto done;
	hoso_txn_set_merge_parent(txn, theirs_id);
	snprintf(message, sizeof(message), "sync: merge the hub's main\n\n"
		"%zu records from the hub, %zu changed on both sides and merged, %zu conflicts%s\n",
		ms.taken, ms.merged, ms.conflicts, ms.moved ? ", records of a closed unit moved to its "
		"successor" : "");
	if ((error = hoso_txn_commit(txn, message, NULL)) < 0)
		goto done;
	stats->merged_records += ms.merged;
	stats->check_s += ms.check_s + hoso_txn_check_seconds(txn);
	stats->conflicts += ms.conflicts;
	error = 1;
done:
	/* The merge may have taken the hub's units: the repository's are main's again. */
	if (error < 0)
		hoso_repo_reload(repo);
	git_reference_free(ref);
	git_commit_free(base);
	git_commit_free(theirs);
	git_commit_free(ours);
	hoso_txn_free(txn);
	return error;
}

/*
 * Push main. 0 pushed; 1 refused because the hub moved (fetch and merge
 * again); <0 failed.
 */
static int push(hoso_repo *repo, git_remote *remote, net_ctx *n, const git_oid *expected)
{
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	char *spec = HOSO_BRANCH ":" HOSO_BRANCH;
	git_strarray refspecs = { &spec, 1 };
	git_repository *hub = NULL;
	struct sigaction old;
	const char *url = git_remote_url(remote);
	char hubdir[4096];
	git_oid at;
	int lock = -1, rc, error = 0;

	callbacks_init(&po.callbacks, n);
	free(n->rejected);
	n->rejected = NULL;
	remote_reset(n);
	n->attempts = 0;
	/*
	 * A local hub is written by libgit2 without compare-and-swap: hold the
	 * hub's writer lock and check its main is still what we merged.
	 */
	if (is_local(url)) {
		snprintf(hubdir, sizeof(hubdir), "%s", strncmp(url, "file://", 7) == 0 ? url + 7 : url);
		if (git_repository_open_bare(&hub, hubdir) < 0)
			return net_error(n, NET_PUSH, GIT_ENOTFOUND);
		if ((error = hoso_lock_acquire(&lock, git_repository_path(hub), 10000)) < 0)
			goto done;
		if (git_reference_name_to_id(&at, hub, HOSO_BRANCH) < 0 || !git_oid_equal(&at, expected)) {
			error = 1;
			goto done;
		}
	}
	watchdog_start(&old, deadline(n->opts));
	rc = git_remote_push(remote, &refspecs, &po);
	watchdog_stop(&old);
	if (rc == GIT_ENONFASTFORWARD) {
		error = 1;
	} else if (rc < 0) {
		error = net_error(n, NET_PUSH, rc);
	} else if (n->rejected) {
		if (strstr(n->rejected, "fast-forward") || strstr(n->rejected, "failed to update ref") ||
			strstr(n->rejected, "fetch first") || strstr(n->rejected, "stale"))
			error = 1;
		else
			error = refused(n);
	}
done:
	hoso_lock_release(lock);
	git_repository_free(hub);
	return error;
}

/*
 * What the hub will receive, verified as it will verify it: a problem
 * found here is one the hub would refuse, said before anything is sent.
 */
static int verify_outgoing(hoso_repo *repo, const hoso_verify_options *verify, const char *user,
	const git_oid *theirs, const git_oid *ours, hoso_problems *problems)
{
	hoso_verify_options vo = *verify;
	char from[GIT_OID_HEXSZ + 1], to[GIT_OID_HEXSZ + 1];
	size_t before = hoso_problems_errors(problems);
	int error;

	if (!vo.user)
		vo.user = user;
	git_oid_tostr(from, sizeof(from), theirs);
	git_oid_tostr(to, sizeof(to), ours);
	if ((error = hoso_verify(repo, from, to, &vo, NULL, problems)) < 0)
		return error;
	if (hoso_problems_errors(problems) > before)
		return hoso_error_set(HOSO_EINVALID,
			"the hub would refuse what this replica has to send: nothing was sent");
	return 0;
}

/*
 * Before trying again after being overtaken: a random pause that grows
 * with the attempts and with how long one try took (fetch, merge, push),
 * so that replicas crowding a slow hub spread out instead of overtaking
 * each other again: between half and one and a half times the try's
 * length, doubled each attempt, at most 20 s.
 */
static void jitter(unsigned int attempt, double try_s)
{
	unsigned int r = 0;
	struct timespec nap;
	double base = try_s > 0.05 ? try_s : 0.05;
	long ms;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned int)getpid();
	base *= (double)(1U << (attempt < 6 ? attempt - 1 : 5));
	ms = (long)(1000.0 * base * (0.5 + (double)(r % 1000U) / 1000.0));
	if (ms > 20000)
		ms = 20000;
	nap.tv_sec = ms / 1000;
	nap.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&nap, NULL);
}

static void note_sync(hoso_repo *repo)
{
	git_config *cfg = NULL;
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (git_repository_config(&cfg, hoso_repo_git(repo)) == 0)
		git_config_set_string(cfg, "hoso.lastSync", when);
	git_config_free(cfg);
}

/* Make `remote` connect with the user and password known beforehand (in memory only). */
static int connect_with(git_remote *remote, net_ctx *n)
{
	char *connect = connect_url(n->url, n);
	int error = 0;

	if (connect) {
		error = git_remote_set_instance_url(remote, connect);
		explicit_bzero(connect, strlen(connect));
		free(connect);
		if (error < 0)
			return hoso_error_git(HOSO_ERROR, "cannot use the hub's address");
	}
	return 0;
}

/*
 * Remote "origin" of `repo`, set up to connect as every exchange with the
 * hub does: `n` gets its URL (a copy in `*url`: the remote's own changes to
 * one with the password), the user given (else the URL's) and the password
 * given. Freed by the caller, also on failure: the remote, `*url`, `n`.
 */
static int origin_open(git_remote **remote, char **url, net_ctx *n, hoso_repo *repo,
	const hoso_sync_options *opts)
{
	char *clean = NULL, *url_user = NULL, *password = NULL;

	*remote = NULL;
	*url = NULL;
	memset(n, 0, sizeof(*n));
	n->opts = opts;
	if (git_remote_lookup(remote, hoso_repo_git(repo), "origin") < 0)
		return hoso_error_set(HOSO_EUSAGE, "this repository has no hub to sync with (no remote 'origin')");
	if (!(*url = strdup(git_remote_url(*remote))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	n->url = *url;
	if (opts && opts->user)
		n->user = strdup(opts->user);
	if (opts && opts->password)
		n->password = strdup(opts->password);
	/* The user of the stored URL, unless one was given. */
	if (split_url(&clean, &url_user, &password, n->url) == 0 && !n->user) {
		n->user = url_user;
		url_user = NULL;
	}
	free(password);
	free(url_user);
	free(clean);
	return connect_with(*remote, n);
}

int hoso_sync_user(char **out, hoso_repo *repo, const hoso_sync_options *opts)
{
	git_remote *remote = NULL;
	char *url = NULL;
	const char *user;
	net_ctx n;
	int error;

	*out = NULL;
	if ((error = origin_open(&remote, &url, &n, repo, opts)) == 0 && (user = hub_user(&n)) &&
		!(*out = strdup(user)))
		error = hoso_error_set(HOSO_ERROR, "out of memory");
	net_clear(&n);
	free(url);
	git_remote_free(remote);
	return error;
}

int hoso_sync_running(long *pid, hoso_repo *repo)
{
	return hoso_lock_state(pid, git_repository_path(hoso_repo_git(repo)), HOSO_SYNC_LOCK);
}

int hoso_sync_hub_tip(git_oid *out, hoso_repo *repo, const hoso_sync_options *opts)
{
	git_remote *remote = NULL;
	git_remote_callbacks cb;
	const git_remote_head **heads = NULL;
	struct sigaction old;
	size_t i, count = 0;
	char *url = NULL;
	net_ctx n;
	int error, rc;

	memset(out, 0, sizeof(*out));
	if ((error = origin_open(&remote, &url, &n, repo, opts)) < 0)
		goto done;
	/* Connect and read the hub's refs, as a fetch begins; nothing is fetched. */
	callbacks_init(&cb, &n);
	watchdog_start(&old, deadline(opts));
	if ((rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL)) == 0)
		rc = git_remote_ls(&heads, &count, remote);
	watchdog_stop(&old);
	if (rc < 0) {
		error = net_error(&n, NET_REACH, rc);
		goto done;
	}
	for (i = 0; i < count; i++)
		if (strcmp(heads[i]->name, HOSO_BRANCH) == 0)
			git_oid_cpy(out, &heads[i]->oid);
	git_remote_disconnect(remote);
done:
	net_clear(&n);
	free(url);
	git_remote_free(remote);
	return error;
}

/* After a sync that brought the admin's closing of this replica's unit: follow it, or say the choice. */
static int follow_unit(hoso_repo *repo, hoso_sync_stats *stats)
{
	char was[64], to[256];
	int error;

	if ((error = hoso_repo_reload(repo)) < 0 || (error = hoso_unit_follow(repo, was, to)) < 0)
		return error;
	if (error == 1) {
		snprintf(stats->unit_was, sizeof(stats->unit_was), "%s", was);
		snprintf(stats->unit_now, sizeof(stats->unit_now), "%.63s", to);
	} else if (*to) {
		snprintf(stats->unit_was, sizeof(stats->unit_was), "%s", was);
		snprintf(stats->unit_choice, sizeof(stats->unit_choice), "%s", to);
	}
	return 0;
}

int hoso_sync_run(hoso_repo *repo, const hoso_sync_options *opts, hoso_sync_stats *stats)
{
	git_repository *git = hoso_repo_git(repo);
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	hoso_problems *problems = NULL;
	unsigned int retries = opts && opts->retries ? opts->retries : 8, attempt;
	double t0;
	git_oid theirs, ours;
	size_t ahead, behind;
	net_ctx n;
	char *url = NULL;
	const char *user;
	int error = 0, rc, refused = 0, lock = -1;

	memset(stats, 0, sizeof(*stats));
	if ((error = origin_open(&remote, &url, &n, repo, opts)) < 0)
		goto done;
	/* One sync at a time: the fetch and the push write outside the writer lock. */
	if ((error = hoso_lock_acquire_sync(&lock, git_repository_path(git), 10000)) < 0)
		goto done;
	/* Who the hub will see push: the merge and the verify before the push write as them. */
	user = hub_user(&n);
	/* The merge's findings go where the caller's writes put theirs. */
	if (opts && opts->write && opts->write->problems)
		problems = opts->write->problems;
	else if ((error = hoso_problems_new(&problems)) < 0)
		goto done;

	for (attempt = 1; attempt <= retries + 1; attempt++) {
		double try_t0 = hoso_clock();

		t0 = hoso_clock();
		if ((error = fetch(remote, &n)) < 0)
			goto offline;
		stats->fetch_s += hoso_clock() - t0;
		if (git_reference_name_to_id(&theirs, git, ORIGIN_MAIN) < 0) {
			error = hoso_error_set(HOSO_ENOTFOUND, "the hub has no branch main");
			goto done;
		}
		if (attempt == 1 && hoso_sync_ahead_behind(&ahead, &behind, repo) == 0)
			stats->received_commits = behind;

		t0 = hoso_clock();
		error = merge(repo, &theirs, opts ? opts->write : NULL, user, stats, problems);
		stats->merge_s += hoso_clock() - t0;
		if (error < 0)
			goto done;
		if (git_reference_name_to_id(&ours, git, HOSO_BRANCH) < 0) {
			error = hoso_error_git(HOSO_ERROR, "cannot read main");
			goto done;
		}
		if (git_oid_equal(&ours, &theirs)) {
			error = 0;
			break; /* the hub has everything */
		}
		if (hoso_sync_ahead_behind(&ahead, &behind, repo) == 0)
			stats->sent_commits = ahead;

		if (opts && opts->verify && (error = verify_outgoing(repo, opts->verify, user,
			&theirs, &ours, problems)) < 0) {
			refused = 1;
			goto done;
		}
		t0 = hoso_clock();
		stats->attempts = attempt;
		rc = push(repo, remote, &n, &theirs);
		stats->push_s += hoso_clock() - t0;
		if (rc == 0) {
			/* The hub has main now: so does our picture of it. */
			git_reference_create(&ref, git, ORIGIN_MAIN, &ours, 1, "sync: pushed");
			git_reference_free(ref);
			ref = NULL;
			error = 0;
			break;
		}
		if (rc < 0 && rc != HOSO_EOFFLINE) {
			error = rc;
			goto done;
		}
		if (rc == HOSO_EOFFLINE) {
			/* The push may have landed before the line broke: look before saying so. */
			char message[1024];
			snprintf(message, sizeof(message), "%s", hoso_error_last());
			if (fetch(remote, &n) == 0 && git_reference_name_to_id(&theirs, git, ORIGIN_MAIN) == 0 &&
				(git_oid_equal(&theirs, &ours) || git_graph_descendant_of(git, &theirs, &ours) == 1)) {
				error = 0;
				break;
			}
			error = hoso_error_set(HOSO_EOFFLINE, "%s", message);
			goto offline;
		}
		/* Another replica pushed first: fetch, merge and try again. */
		if (attempt <= retries) {
			jitter(attempt, hoso_clock() - try_t0);
			/*
			 * libgit2 keeps the remote's connection through the pause, and
			 * the hub may close it meanwhile (lighttpd after 5 s idle): the
			 * next fetch would read an unexpected EOF. A new remote connects anew.
			 */
			git_remote_free(remote);
			remote = NULL;
			if (git_remote_lookup(&remote, git, "origin") < 0) {
				error = hoso_error_git(HOSO_ERROR, "cannot read the remote 'origin'");
				goto done;
			}
			if ((error = connect_with(remote, &n)) < 0)
				goto done;
		}
		error = hoso_error_set(HOSO_ECONFLICT,
			"the hub kept moving: %u pushes were overtaken by other replicas", attempt);
	}
	if (error == 0) {
		note_sync(repo);
		error = follow_unit(repo, stats);
	}
	goto done;
offline:
	if (hoso_sync_ahead_behind(&ahead, &behind, repo) == 0)
		stats->sent_commits = ahead;
done:
	if (error == HOSO_EINVALID && hoso_problems_count(problems) && !refused) {
		const hoso_problem *p = hoso_problems_get(problems, 0);
		const char *where = p->where ? p->where : p->record;
		hoso_error_set(HOSO_EINVALID, "the merged records are not valid: %s%s%s%s%s; "
			"nothing was merged or sent", where ? where : "", where ? ": " : "",
			p->field ? p->field : "", p->field ? ": " : "", p->message);
	}
	if (!opts || !opts->write || problems != opts->write->problems)
		hoso_problems_free(problems);
	git_remote_free(remote);
	hoso_lock_release(lock);
	net_clear(&n);
	free(url);
	return error;
}
