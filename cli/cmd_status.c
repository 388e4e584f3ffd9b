#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print the status as JSON") },
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	json_t *counts;
	size_t total;
} count_state;

/* Count record files by type without reading them: entries of the shard trees. */
static int count_records(count_state *st, hoso_repo *repo)
{
	git_repository *git = hoso_repo_git(repo);
	git_reference *ref = NULL;
	git_commit *c = NULL;
	git_tree *root = NULL, *units = NULL;
	git_tree_entry *data = NULL;
	size_t i, j, k;

	if (git_reference_lookup(&ref, git, HOSO_BRANCH) < 0 ||
		git_commit_lookup(&c, git, git_reference_target(ref)) < 0 ||
		git_commit_tree(&root, c) < 0 || git_tree_entry_bypath(&data, root, "data") < 0 ||
		git_tree_lookup(&units, git, git_tree_entry_id(data)) < 0)
		goto done;
	for (i = 0; i < git_tree_entrycount(units); i++) {
		git_tree *types = NULL;
		if (git_tree_lookup(&types, git, git_tree_entry_id(git_tree_entry_byindex(units, i))) < 0)
			continue;
		for (j = 0; j < git_tree_entrycount(types); j++) {
			const char *type = git_tree_entry_name(git_tree_entry_byindex(types, j));
			git_tree *shards = NULL;
			size_t n = 0;
			if (git_tree_lookup(&shards, git, git_tree_entry_id(git_tree_entry_byindex(types, j))) < 0)
				continue;
			for (k = 0; k < git_tree_entrycount(shards); k++) {
				git_tree *shard = NULL;
				if (git_tree_lookup(&shard, git, git_tree_entry_id(git_tree_entry_byindex(shards, k))) == 0)
					n += git_tree_entrycount(shard);
				git_tree_free(shard);
			}
			git_tree_free(shards);
			json_object_set_new(st->counts, type, json_integer(
				json_integer_value(json_object_get(st->counts, type)) + (json_int_t)n));
			st->total += n;
		}
		git_tree_free(types);
	}
done:
	git_tree_free(units);
	git_tree_entry_free(data);
	git_tree_free(root);
	git_commit_free(c);
	git_reference_free(ref);
	return 0;
}

/* A replica's standing with its hub; NULL members when there is no hub. */
typedef struct {
	const char *hub;
	char last_sync[64];
	size_t ahead, behind;
	int known;
} hub_state;

static void read_hub(hub_state *h, hoso_repo *repo, git_remote **remote)
{
	git_config *cfg = NULL;
	git_buf when = GIT_BUF_INIT;

	memset(h, 0, sizeof(*h));
	if (git_remote_lookup(remote, hoso_repo_git(repo), "origin") < 0)
		return;
	h->hub = git_remote_url(*remote);
	h->known = hoso_sync_ahead_behind(&h->ahead, &h->behind, repo) == 0;
	if (git_repository_config_snapshot(&cfg, hoso_repo_git(repo)) == 0 &&
		git_config_get_string_buf(&when, cfg, "hoso.lastSync") == 0)
		snprintf(h->last_sync, sizeof(h->last_sync), "%s", when.ptr);
	git_buf_dispose(&when);
	git_config_free(cfg);
}

/* What the admin's changes of units did to this replica's unit. */
static void unit_history(hoso_repo *repo, const char *unit)
{
	const hoso_unit *u = unit ? hoso_repo_unit_find(repo, unit) : NULL;
	char list[256];

	if (!u)
		return;
	if (u->valid_to && *hoso_unit_codes(list, sizeof(list), hoso_repo_config(repo), unit, "successors"))
		printf(_("            closed after %s; its records went to %s: choose this replica's "
			"unit with 'hoso unit use CODE'\n"), u->valid_to, list);
	else if (u->valid_to)
		printf(_("            closed after %s\n"), u->valid_to);
	else if (*hoso_unit_codes(list, sizeof(list), hoso_repo_config(repo), unit, "predecessors"))
		printf(_("            since %s, taking the records of %s\n"), u->valid_from ? u->valid_from : "?",
			list);
}

static int run(cli_args *args, hoso_repo *repo)
{
	git_remote *remote = NULL;
	hub_state hub;
	count_state st = { json_object(), 0 };
	git_commit *c = NULL;
	git_oid tip;
	const char *unit = hoso_repo_own_unit(repo), *key;
	json_t *value;

	if (args->npos)
		return cli_usage(args->cmd, "status takes no arguments");
	if (hoso_repo_head(&tip, repo) == 0)
		git_commit_lookup(&c, hoso_repo_git(repo), &tip);
	count_records(&st, repo);
	read_hub(&hub, repo, &remote);
	if (cli_has(args, "json")) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s?, s:I, s:O}",
			"repository", hoso_repo_path(repo), "province", hoso_repo_province(repo),
			"province_name", hoso_repo_province_name(repo),
			"unit", unit ? json_string(unit) : json_null(),
			"commit", c ? git_oid_tostr_s(&tip) : NULL, "records", (json_int_t)st.total,
			"by_type", st.counts);
		json_object_set_new(o, "conflicts", json_integer(
			json_integer_value(json_object_get(st.counts, "conflict"))));
		if (hub.hub)
			json_object_set_new(o, "hub", json_pack("{s:s, s:I, s:I, s:s?}", "url", hub.hub,
				"commits_to_send", (json_int_t)hub.ahead, "commits_to_receive",
				(json_int_t)hub.behind, "last_sync", hub.last_sync[0] ? hub.last_sync : NULL));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
	} else {
		printf(_("repository: %s\n"), hoso_repo_path(repo));
		printf(_("province:   %s %s (%zu units)\n"), hoso_repo_province(repo),
			hoso_repo_province_name(repo), hoso_repo_unit_count(repo));
		printf(_("unit:       %s\n"), unit ? unit : _("(none: a province repository)"));
		unit_history(repo, unit);
		if (c)
			printf(_("commit:     %.12s %s\n"), git_oid_tostr_s(&tip), git_commit_summary(c));
		if (hub.hub) {
			printf(_("hub:        %s\n"), hub.hub);
			printf(_("last sync:  %s\n"), hub.last_sync[0] ? hub.last_sync : _("never"));
			if (hub.known)
				printf(ngettext("waiting:    %zu commit to send, %zu fetched and not merged\n",
					"waiting:    %zu commits to send, %zu fetched and not merged\n",
					hub.ahead), hub.ahead, hub.behind);
		}
		printf(_("conflicts:  %lld open\n"),
			(long long)json_integer_value(json_object_get(st.counts, "conflict")));
		printf(_("records:    %zu\n"), st.total);
		json_object_foreach(st.counts, key, value)
			printf("  %-16s %lld\n", key, (long long)json_integer_value(value));
	}
	git_commit_free(c);
	git_remote_free(remote);
	json_decref(st.counts);
	return EXIT_OK;
}

const cli_command cmd_status = {
	"status", N_("say what the repository holds"), "[--json]", options, 1, run
};
