/*
 * hoso __complete -- WORD...: the words that complete a command line, for the
 * bash completion (packaging/completion/hoso). Commands and options come from
 * the program's own tables (cli_commands, each command's cli_option list), so
 * that a new command or option completes without a change here.
 *
 * The protocol, which packaging/completion/hoso keeps too:
 *
 * - The words are the command line after "hoso", exactly as typed, the last
 *   being the word under the cursor (possibly empty), after a "--" (dropped
 *   here).
 * - The output is the candidates that start with the current word, one a
 *   line, and nothing else. A first line ":file" (":dir") asks the caller to
 *   offer the names of files (directories) that complete the current word:
 *   the word is a file (directory) here.
 * - An option's value given in the same word ("--format=j") is completed
 *   with the option in front ("--format=json").
 * - Nothing goes to stderr and the exit status is 0, whatever the words; no
 *   record is read (ids are the names of main's tree entries).
 * - main passes every word here as it is, "--help" and "-C" too.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * What each command's positional arguments are, by the spec words of
 * offer_spec(); a sub-command's entry (`sub`: its first positional) comes
 * before its command's. Commands not here take nothing that completes.
 * export's formats and report's names are those of the built-in plugins.
 */
static const struct {
	const char *command;
	const char *sub;
	const char *slots[2];
} positionals[] = {
	{ "add", NULL, { "TYPE", NULL } },
	{ "list", NULL, { "TYPE", NULL } },
	{ "import", NULL, { "TYPE", "FILE" } },
	{ "edit", NULL, { "ID", NULL } },
	{ "show", NULL, { "ID", NULL } },
	{ "rm", NULL, { "ID", NULL } },
	{ "log", NULL, { "ID", NULL } },
	{ "resolve", NULL, { "ID", NULL } },
	{ "export", NULL, { "csv|xlsx|sqlite|jsonl", NULL } },
	{ "report", NULL, { "annual", NULL } },
	{ "plugin", "install", { NULL, "FILE" } },
	{ "plugin", NULL, { "list|install|remove", NULL } },
	{ "access", NULL, { "set|list|remove", NULL } },
	{ "unit", "add", { NULL, NULL } },
	{ "unit", NULL, { "list|add|close|merge|split|use", "UNIT" } },
	{ "init", NULL, { "DIR", NULL } },
	{ "demo", NULL, { "DIR", NULL } },
	{ "clone", NULL, { "URL", "DIR" } },
};

typedef struct {
	const char *dir;    /* -C DIR */
	hoso_repo *repo;    /* opened when first needed; NULL if it cannot be */
	int opened;
	const char *prefix; /* printed before each candidate ("--format=") */
	const char *cur;    /* the current word, after the prefix */
	size_t curlen;
} completion;

/* The repository the command line is about, or NULL. */
static hoso_repo *repo_of(completion *c)
{
	if (!c->opened) {
		c->opened = 1;
		/* As main opens it: -C DIR, else GIT_DIR, else the current directory. */
		if (hoso_repo_open(&c->repo, c->dir ? c->dir : getenv("GIT_DIR") ? NULL : ".") < 0)
			c->repo = NULL;
	}
	return c->repo;
}

/* Print `word` (its first `len` bytes) if it completes the current word. */
static void offer_n(const completion *c, const char *word, size_t len)
{
	if (len < c->curlen || strncmp(word, c->cur, c->curlen) != 0)
		return;
	fputs(c->prefix, stdout);
	fwrite(word, 1, len, stdout);
	putchar('\n');
}

static void offer(const completion *c, const char *word)
{
	offer_n(c, word, strlen(word));
}

static void offer_commands(const completion *c)
{
	size_t i;

	for (i = 0; cli_commands[i]; i++)
		if (cli_commands[i]->name[0] != '_')
			offer(c, cli_commands[i]->name);
}

static void offer_options(const completion *c, const cli_command *cmd, const size_t *given)
{
	const cli_option *o;
	char word[80];
	size_t k;

	for (k = 0, o = cmd->options; o && o->name; o++, k++) {
		/* Given already, and not to be given twice: parse() would refuse it. */
		if (k < CLI_MAX_OPTIONS && given[k] && !o->repeat)
			continue;
		snprintf(word, sizeof(word), "--%s", o->name);
		offer(c, word);
		if (o->letter) {
			snprintf(word, sizeof(word), "-%c", o->letter);
			offer(c, word);
		}
	}
	offer(c, "--help");
}

/*
 * Record ids: the names of main's tree entries under data/<unit>/ (the
 * replica's own unit, else every unit), <type>/<shard>/<id>.json. Only
 * trees are read, never a record.
 */
static void offer_ids_under(const completion *c, git_repository *git, const git_oid *id, int depth)
{
	git_tree *tree = NULL;
	size_t i;

	if (git_tree_lookup(&tree, git, id) < 0)
		return;
	for (i = 0; i < git_tree_entrycount(tree); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);

		if (depth < 2 && git_tree_entry_type(e) == GIT_OBJECT_TREE)
			offer_ids_under(c, git, git_tree_entry_id(e), depth + 1);
		else if (depth == 2 && strlen(name) == HOSO_ID_LEN + 5 &&
			strcmp(name + HOSO_ID_LEN, ".json") == 0)
			offer_n(c, name, HOSO_ID_LEN);
	}
	git_tree_free(tree);
}

static void offer_ids(completion *c)
{
	hoso_repo *repo = repo_of(c);
	git_repository *git = repo ? hoso_repo_git(repo) : NULL;
	git_commit *commit = NULL;
	git_tree *root = NULL, *units = NULL;
	git_tree_entry *data = NULL;
	const char *own;
	size_t i;
	git_oid tip;

	if (!repo || hoso_repo_head(&tip, repo) < 0 || git_commit_lookup(&commit, git, &tip) < 0 ||
		git_commit_tree(&root, commit) < 0 || git_tree_entry_bypath(&data, root, "data") < 0 ||
		git_tree_lookup(&units, git, git_tree_entry_id(data)) < 0)
		goto done;
	own = hoso_repo_own_unit(repo);
	for (i = 0; i < git_tree_entrycount(units); i++) {
		const git_tree_entry *ue = git_tree_entry_byindex(units, i);

		if ((!own || strcmp(git_tree_entry_name(ue), own) == 0) &&
			git_tree_entry_type(ue) == GIT_OBJECT_TREE)
			offer_ids_under(c, git, git_tree_entry_id(ue), 0);
	}
done:
	git_tree_free(units);
	git_tree_entry_free(data);
	git_tree_free(root);
	git_commit_free(commit);
}

/*
 * Offer what `spec` says: UNIT (hoso.json's units), TYPE (the schemas'
 * types), ID (the records'), FILE and DIR (the caller's file names), or
 * words "a|b|VALUE" (those in lower case; "annual" is one). Anything else
 * (URL, N, ...) completes to nothing.
 */
static void offer_spec(completion *c, const char *spec)
{
	hoso_repo *repo;
	const hoso_schema_set *set;
	const char *s, *bar;
	size_t i;

	if (!spec)
		return;
	if (strcmp(spec, "FILE") == 0) {
		printf(":file\n");
	} else if (strcmp(spec, "DIR") == 0) {
		printf(":dir\n");
	} else if (strcmp(spec, "ID") == 0) {
		offer_ids(c);
	} else if (strcmp(spec, "UNIT") == 0) {
		if ((repo = repo_of(c)))
			for (i = 0; i < hoso_repo_unit_count(repo); i++)
				offer(c, hoso_repo_unit_at(repo, i)->code);
	} else if (strcmp(spec, "TYPE") == 0) {
		if ((repo = repo_of(c)) && (set = hoso_repo_schemas(repo)))
			for (i = 0; i < hoso_schema_set_count(set); i++)
				offer(c, hoso_schema_set_type(set, i));
	} else if (strchr(spec, '|') || (*spec >= 'a' && *spec <= 'z')) {
		for (s = spec; *s; s = *bar ? bar + 1 : bar) {
			if (!(bar = strchr(s, '|')))
				bar = s + strlen(s);
			if (*s >= 'a' && *s <= 'z')
				offer_n(c, s, (size_t)(bar - s));
		}
	}
}

/* What the value of option `o` is, as offer_spec() reads it. */
static const char *option_spec(const cli_option *o)
{
	if (strcmp(o->name, "unit") == 0 || strcmp(o->name, "into") == 0 || strcmp(o->name, "parent") == 0)
		return "UNIT";
	if (strcmp(o->name, "type") == 0)
		return "TYPE";
	if (strcmp(o->name, "role") == 0)
		return "admin|province|clerk";
	if (strcmp(o->name, "file") == 0 || o->letter == 'o')
		return "FILE";
	return o->arg; /* "FILE", "DIR", "text|json|junit", "vi|en", ... */
}

/* Option `--name` (`len` bytes of it) or `-x` of `cmd`, or NULL; its index in `*k`. */
static const cli_option *find_option(const cli_command *cmd, const char *name, size_t len,
	char letter, size_t *k)
{
	const cli_option *o;

	for (*k = 0, o = cmd->options; o && o->name; o++, (*k)++)
		if (letter ? o->letter == letter :
			strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* What the positional argument number `n` of `cmd` is, its first being `first` (NULL: n is 0). */
static const char *positional_spec(const cli_command *cmd, const char *first, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(positionals) / sizeof(positionals[0]); i++)
		if (strcmp(positionals[i].command, cmd->name) == 0 &&
			(!positionals[i].sub || (first && strcmp(positionals[i].sub, first) == 0)))
			return n < 2 ? positionals[i].slots[n] : NULL;
	return NULL;
}

static int run(cli_args *args, hoso_repo *unused)
{
	completion c = { NULL, NULL, 0, "", "", 0 };
	const cli_command *cmd = NULL;
	const cli_option *pending = NULL, *o;
	const char *first = NULL, *eq;
	size_t given[CLI_MAX_OPTIONS] = { 0 };
	char **w = args->pos, prefix[80];
	size_t n = args->npos, i, k, npos = 0;
	int want_dir = 0, only_pos = 0, help = 0;

	(void)unused;
	if (n && strcmp(w[0], "--") == 0)
		w++, n--;
	if (n)
		c.cur = w[--n]; /* the word under the cursor; w[0..n) are complete */
	/* The complete words, read as main and parse() read them. */
	for (i = 0; i < n; i++) {
		const char *a = w[i];

		if (want_dir) {
			c.dir = a;
			want_dir = 0;
		} else if (pending) {
			pending = NULL;
		} else if (!cmd) {
			if (help)
				goto done; /* "help CMD" is "CMD --help": nothing follows */
			if (strcmp(a, "-C") == 0) {
				want_dir = 1;
				continue;
			}
			/* --help, --version or a word main refuses: nothing follows. */
			if (a[0] == '-')
				goto done;
			if (strcmp(a, "help") == 0) {
				help = 1;
				continue;
			}
			for (k = 0; cli_commands[k] && strcmp(cli_commands[k]->name, a) != 0; k++)
				;
			if (!(cmd = cli_commands[k]))
				goto done;
		} else if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = 1;
		} else if (!only_pos && a[0] == '-' && a[1] && a[1] != '-' && !a[2]) {
			if ((o = find_option(cmd, NULL, 0, a[1], &k)) && k < CLI_MAX_OPTIONS) {
				given[k]++;
				pending = o->arg ? o : NULL;
			}
		} else if (!only_pos && a[0] == '-' && a[1] == '-') {
			eq = strchr(a + 2, '=');
			if ((o = find_option(cmd, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2), 0, &k)) &&
				k < CLI_MAX_OPTIONS) {
				given[k]++;
				pending = o->arg && !eq ? o : NULL;
			}
		} else {
			if (!npos++)
				first = a;
		}
	}

	/* The word under the cursor. */
	if (want_dir) {
		printf(":dir\n");
		goto done;
	}
	if (!cmd) {
		c.curlen = strlen(c.cur);
		if (help || c.cur[0] != '-') {
			offer_commands(&c);
		} else {
			offer(&c, "-C");
			offer(&c, "--help");
			offer(&c, "--version");
		}
		goto done;
	}
	if (!pending && !only_pos && strncmp(c.cur, "--", 2) == 0 && (eq = strchr(c.cur, '=')) &&
		(o = find_option(cmd, c.cur + 2, (size_t)(eq - c.cur - 2), 0, &k)) && o->arg &&
		(size_t)(eq - c.cur) + 2 <= sizeof(prefix)) {
		/* "--format=j": the value, with the option in front. */
		memcpy(prefix, c.cur, (size_t)(eq - c.cur) + 1);
		prefix[eq - c.cur + 1] = '\0';
		c.prefix = prefix;
		c.cur = eq + 1;
		pending = o;
	}
	c.curlen = strlen(c.cur);
	if (pending)
		offer_spec(&c, option_spec(pending));
	else if (!only_pos && c.cur[0] == '-')
		offer_options(&c, cmd, given);
	else
		offer_spec(&c, positional_spec(cmd, first, npos));
done:
	hoso_repo_free(c.repo);
	return EXIT_OK;
}

const cli_command cmd_complete = {
	"__complete", N_("the words that complete a command line (for bash completion)"), "WORD...", NULL, 0, run
};
