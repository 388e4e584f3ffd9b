#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hoso/access.h"
#include "hoso/json.h"
#include "internal.h"
#include "common.h"

#define UNIT_CODE_MAX 16

int hoso_repo_tip_tree(git_tree **out, git_oid *commit, hoso_repo *repo)
{
	git_commit *c = NULL;
	git_oid id;
	int error;

	*out = NULL;
	if ((error = git_reference_name_to_id(&id, repo->git, HOSO_BRANCH)) < 0) {
		if (error == GIT_ENOTFOUND)
			return 0;
		return hoso_error_git(HOSO_ERROR, "cannot read '%s'", HOSO_BRANCH);
	}
	if (commit)
		git_oid_cpy(commit, &id);
	if (git_commit_lookup(&c, repo->git, &id) < 0 || git_commit_tree(out, c) < 0)
		error = hoso_error_git(HOSO_ERROR, "cannot read commit %s", git_oid_tostr_s(&id));
	git_commit_free(c);
	return error < 0 ? error : 0;
}

int hoso_tree_read(git_blob **out, git_repository *git, const git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	int error;

	*out = NULL;
	if (!tree || git_tree_entry_bypath(&e, tree, path) < 0)
		return hoso_error_set(HOSO_ENOTFOUND, "'%s' not found", path);
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		error = hoso_error_set(HOSO_ENOTFOUND, "'%s' is not a file", path);
	else if ((error = git_blob_lookup(out, git, git_tree_entry_id(e))) < 0)
		error = hoso_error_git(HOSO_ERROR, "cannot read '%s'", path);
	git_tree_entry_free(e);
	return error;
}

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int hoso_unit_code_valid(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > UNIT_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* Take hoso.json: units point into `config`, which the repo owns. */
static int load_config(hoso_repo *repo, json_t *config)
{
	json_t *units = json_object_get(config, "units"), *u;
	size_t i;

	if (!json_is_object(json_object_get(config, "province")) || !json_is_array(units)) {
		json_decref(config);
		return hoso_error_set(HOSO_EINVALID, "hoso.json has no province or units");
	}
	free(repo->units);
	json_decref(repo->config);
	repo->config = config;
	repo->nunits = json_array_size(units);
	if (!(repo->units = calloc(repo->nunits ? repo->nunits : 1, sizeof(hoso_unit))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	json_array_foreach(units, i, u) {
		repo->units[i].code = str(u, "code");
		repo->units[i].name = str(u, "name");
		repo->units[i].level = str(u, "level");
		repo->units[i].parent = str(u, "parent");
		repo->units[i].valid_from = str(u, "valid_from");
		repo->units[i].valid_to = str(u, "valid_to");
		if (!hoso_unit_code_valid(repo->units[i].code))
			return hoso_error_set(HOSO_EINVALID, "hoso.json: unit %zu has no valid code", i + 1);
	}
	return 0;
}

static void head_tree(git_tree **out, git_repository *git)
{
	git_object *obj = NULL;

	if (git_revparse_single(&obj, git, "HEAD^{tree}") == 0)
		*out = (git_tree *)obj;
}

int hoso_repo_units_from(hoso_repo *repo, const git_tree *tree)
{
	git_blob *blob = NULL;
	json_t *config;
	json_error_t jerr;

	if (hoso_tree_read(&blob, repo->git, tree, "hoso.json") < 0)
		return hoso_error_set(HOSO_ENOTFOUND,
			"'%s' is not a hoso repository: main has no hoso.json", repo->gitdir);
	config = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
		JSON_REJECT_DUPLICATES, &jerr);
	git_blob_free(blob);
	if (!config)
		return hoso_error_set(HOSO_EINVALID, "hoso.json: line %d: %s", jerr.line, jerr.text);
	return load_config(repo, config);
}

int hoso_repo_reload(hoso_repo *repo)
{
	git_tree *tree = NULL;
	int error;

	if ((error = hoso_repo_tip_tree(&tree, NULL, repo)) < 0)
		goto done;
	/* A CI checkout may have no branch main, only the commit it checked out. */
	if (!tree && git_repository_head_detached(repo->git) == 1)
		head_tree(&tree, repo->git);
	if (!tree) {
		error = hoso_error_set(HOSO_ENOTFOUND,
			"'%s' is not a hoso repository: it has no branch main", repo->gitdir);
		goto done;
	}
	if ((error = hoso_repo_units_from(repo, tree)) < 0)
		goto done;
	hoso_schema_set_free(repo->schemas);
	repo->schemas = NULL;
	repo->all_schemas = 0;
done:
	git_tree_free(tree);
	return error;
}

static int repo_new(hoso_repo **out, git_repository *git)
{
	hoso_repo *repo = calloc(1, sizeof(*repo));
	git_config *cfg = NULL;
	git_buf unit = GIT_BUF_INIT;
	const char *wd = git_repository_workdir(git);

	*out = NULL;
	if (!repo)
		return hoso_error_set(HOSO_ERROR, "out of memory");
	repo->git = git;
	repo->gitdir = strdup(git_repository_path(git));
	repo->workdir = wd ? strdup(wd) : NULL;
	if (git_repository_config_snapshot(&cfg, git) == 0 &&
		git_config_get_string_buf(&unit, cfg, "hoso.unit") == 0)
		repo->own_unit = strdup(unit.ptr);
	git_buf_dispose(&unit);
	git_config_free(cfg);
	if (!repo->gitdir) {
		hoso_repo_free(repo);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	/* No trailing slash on the git directory. */
	if (strlen(repo->gitdir) > 1 && repo->gitdir[strlen(repo->gitdir) - 1] == '/')
		repo->gitdir[strlen(repo->gitdir) - 1] = '\0';
	*out = repo;
	return 0;
}

int hoso_repo_set_own_unit(hoso_repo *repo, const char *code)
{
	git_config *cfg = NULL;
	char *copy;
	int error = 0;

	if (!hoso_repo_unit_find(repo, code))
		return hoso_error_set(HOSO_ENOTFOUND, "there is no unit '%s' in hoso.json", code);
	if (!(copy = strdup(code)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	if (git_repository_config(&cfg, repo->git) < 0 ||
		git_config_set_string(cfg, "hoso.unit", code) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot set the replica's unit");
		free(copy);
	} else {
		free(repo->own_unit);
		repo->own_unit = copy;
	}
	git_config_free(cfg);
	return error;
}

int hoso_repo_open(hoso_repo **out, const char *path)
{
	git_repository *git = NULL;
	hoso_repo *repo = NULL;
	int error;

	*out = NULL;
	/* No path: where git's environment says (GIT_DIR, and a hook's quarantined objects). */
	if (git_repository_open_ext(&git, path, path ? 0 : GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0)
		return hoso_error_git(HOSO_ENOTFOUND, "cannot open repository '%s'",
			path ? path : getenv("GIT_DIR") ? getenv("GIT_DIR") : ".");
	if ((error = repo_new(&repo, git)) == 0)
		repo->from_env = path == NULL;
	if (error < 0) {
		git_repository_free(git);
		return error;
	}
	if ((error = hoso_repo_reload(repo)) < 0) {
		hoso_repo_free(repo);
		return error;
	}
	*out = repo;
	return 0;
}

int hoso_repo_git_again(git_repository **out, const hoso_repo *repo)
{
	if (git_repository_open_ext(out, repo->from_env ? NULL : repo->gitdir,
		repo->from_env ? GIT_REPOSITORY_OPEN_FROM_ENV : GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return hoso_error_git(HOSO_ERROR, "cannot open '%s' again", repo->gitdir);
	return 0;
}

int hoso_repo_open_again(hoso_repo **out, const hoso_repo *repo)
{
	int error = hoso_repo_open(out, repo->from_env ? NULL : repo->gitdir);

	if (error == 0 && repo->own_unit && !(*out)->own_unit)
		(*out)->own_unit = strdup(repo->own_unit);
	return error;
}

void hoso_repo_free(hoso_repo *repo)
{
	if (!repo)
		return;
	hoso_schema_set_free(repo->schemas);
	free(repo->units);
	json_decref(repo->config);
	free(repo->own_unit);
	free(repo->workdir);
	free(repo->gitdir);
	git_repository_free(repo->git);
	free(repo);
}

const char *hoso_repo_path(const hoso_repo *repo) { return repo->gitdir; }
const char *hoso_repo_workdir(const hoso_repo *repo) { return repo->workdir; }
git_repository *hoso_repo_git(hoso_repo *repo) { return repo->git; }
const char *hoso_repo_own_unit(const hoso_repo *repo) { return repo->own_unit; }
size_t hoso_repo_unit_count(const hoso_repo *repo) { return repo->nunits; }
const json_t *hoso_repo_config(const hoso_repo *repo) { return repo->config; }

const char *hoso_repo_province(const hoso_repo *repo)
{
	return str(json_object_get(repo->config, "province"), "code");
}

const char *hoso_repo_province_name(const hoso_repo *repo)
{
	return str(json_object_get(repo->config, "province"), "name");
}

const hoso_unit *hoso_repo_unit_at(const hoso_repo *repo, size_t i)
{
	return i < repo->nunits ? &repo->units[i] : NULL;
}

const hoso_unit *hoso_repo_unit_find(const hoso_repo *repo, const char *code)
{
	size_t i;

	for (i = 0; code && i < repo->nunits; i++)
		if (strcmp(repo->units[i].code, code) == 0)
			return &repo->units[i];
	return NULL;
}

/* The schemas/ tree of the tip (new reference), or NULL. */
static git_tree *schemas_tree(hoso_repo *repo)
{
	git_tree *tip = NULL, *schemas = NULL;
	git_tree_entry *dir = NULL;

	if (hoso_repo_tip_tree(&tip, NULL, repo) == 0 && tip &&
		git_tree_entry_bypath(&dir, tip, "schemas") == 0)
		git_tree_lookup(&schemas, repo->git, git_tree_entry_id(dir));
	git_tree_entry_free(dir);
	git_tree_free(tip);
	return schemas;
}

/* Parse schemas/<name> into the set unless its type is there already. */
static void load_schema(hoso_repo *repo, const git_tree *schemas, const git_tree_entry *e)
{
	const char *name = git_tree_entry_name(e), *dot = strstr(name, ".schema.json");
	git_blob *blob = NULL;
	char type[64], origin[128];

	if (!dot || dot[12] || (size_t)(dot - name) >= sizeof(type))
		return;
	memcpy(type, name, (size_t)(dot - name));
	type[dot - name] = '\0';
	if (hoso_schema_set_get(repo->schemas, type) ||
		git_blob_lookup(&blob, repo->git, git_tree_entry_id(e)) < 0)
		return;
	snprintf(origin, sizeof(origin), "schemas/%s", name);
	/* A schema that does not load leaves its type unknown; verify reports it. */
	hoso_schema_set_add(repo->schemas, type, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob), origin);
	git_blob_free(blob);
}

const hoso_schema_set *hoso_repo_schemas(const hoso_repo *repo)
{
	hoso_repo *r = (hoso_repo *)repo;
	git_tree *schemas;
	size_t i;

	if (!r->schemas && hoso_schema_set_new(&r->schemas) < 0)
		return NULL;
	if (r->all_schemas)
		return r->schemas;
	if ((schemas = schemas_tree(r))) {
		for (i = 0; i < git_tree_entrycount(schemas); i++)
			load_schema(r, schemas, git_tree_entry_byindex(schemas, i));
		git_tree_free(schemas);
	}
	r->all_schemas = 1;
	return r->schemas;
}

const hoso_schema *hoso_repo_schema(const hoso_repo *repo, const char *type)
{
	hoso_repo *r = (hoso_repo *)repo;
	const git_tree_entry *e;
	git_tree *schemas;
	char name[128];

	if (!r->schemas && hoso_schema_set_new(&r->schemas) < 0)
		return NULL;
	if (r->all_schemas || hoso_schema_set_get(r->schemas, type))
		return hoso_schema_set_get(r->schemas, type);
	snprintf(name, sizeof(name), "%s.schema.json", type);
	if ((schemas = schemas_tree(r))) {
		if ((e = git_tree_entry_byname(schemas, name)))
			load_schema(r, schemas, e);
		git_tree_free(schemas);
	}
	return hoso_schema_set_get(r->schemas, type);
}

int hoso_repo_head(git_oid *out, hoso_repo *repo)
{
	if (git_reference_name_to_id(out, repo->git, HOSO_BRANCH) < 0)
		return hoso_error_set(HOSO_ENOTFOUND, "the repository has no commit on main yet");
	return 0;
}

int hoso_repo_signature(git_signature **out, hoso_repo *repo)
{
	if (git_signature_default(out, repo->git) < 0)
		return hoso_error_set(HOSO_ERROR,
			"no author for the commit: git config user.name and user.email are not set");
	return 0;
}

/* init */

static int add_unit(json_t *units, const json_t *u, size_t index, const char *where,
	const char *province, hoso_problems *problems)
{
	const char *code = str(u, "code"), *name = str(u, "name");
	const char *keys[] = { "level", "parent", "valid_from", "valid_to" };
	char field[64];
	json_t *out, *it;
	size_t i;

	snprintf(field, sizeof(field), "units[%zu]", index);
	if (!json_is_object(u))
		return hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, field, "type",
			"a unit must be an object"), HOSO_EINVALID;
	if (!hoso_unit_code_valid(code))
		return hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, field, "code",
			"a unit needs a code of 1 to %d letters, digits, '-' or '_'", UNIT_CODE_MAX),
			HOSO_EINVALID;
	if (!name || !*name)
		return hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, field, "name",
			"unit '%s' has no name", code), HOSO_EINVALID;
	json_array_foreach(units, i, it)
		if (strcmp(str(it, "code"), code) == 0)
			return hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, field, "code",
				"unit code '%s' appears twice", code), HOSO_EINVALID;
	out = json_pack("{s:s, s:s}", "code", code, "name", name);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = str(u, keys[i]);
		if (!v)
			continue;
		if (i >= 2 && !hoso_date_valid(v)) {
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, field, "format",
				"unit '%s': %s '%s' is not a real date (YYYY-MM-DD)", code, keys[i], v);
			json_decref(out);
			return HOSO_EINVALID;
		}
		json_object_set_new(out, keys[i], json_string(v));
	}
	if (!json_object_get(out, "level"))
		json_object_set_new(out, "level", json_string(index == 0 ? "tinh" : "huyen"));
	if (!json_object_get(out, "parent") && index > 0)
		json_object_set_new(out, "parent", json_string(province));
	json_array_append_new(units, out);
	return 0;
}

/* 1 if `u` is the unit object of `code`. */
static int is_unit(const json_t *u, const char *code)
{
	return json_is_object(u) && str(u, "code") && strcmp(str(u, "code"), code) == 0;
}

static int read_file(char **out, size_t *len, const char *path, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	size_t n = 0, alloc = 8192;
	char *buf = NULL;
	int error = 0;

	*out = NULL;
	if (!fp)
		return hoso_error_set(HOSO_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
	if (!(buf = malloc(alloc)))
		goto oom;
	for (;;) {
		size_t got = fread(buf + n, 1, alloc - n, fp);
		n += got;
		if (n < alloc)
			break;
		if (alloc >= cap) {
			error = hoso_error_set(HOSO_EINVALID, "'%s' is larger than %zu bytes", path, cap);
			goto done;
		}
		alloc *= 2;
		char *b = realloc(buf, alloc);
		if (!b)
			goto oom;
		buf = b;
	}
	if (ferror(fp)) {
		error = hoso_error_set(HOSO_ERROR, "cannot read '%s': %s", path, strerror(errno));
		goto done;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	goto done;
oom:
	error = hoso_error_set(HOSO_ERROR, "out of memory");
done:
	free(buf);
	fclose(fp);
	return error;
}

/* Stage every <type>.schema.json of `dir` under schemas/, each checked by loading it. */
static int stage_schemas(hoso_txn *txn, const char *dir)
{
	hoso_schema_set *set = NULL;
	struct dirent **names = NULL;
	int i, n, error;

	if ((error = hoso_schema_set_new(&set)) < 0)
		return error;
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		hoso_schema_set_free(set);
		return hoso_error_set(HOSO_ENOTFOUND, "cannot read schemas from '%s': %s", dir,
			strerror(errno));
	}
	for (i = 0; i < n && error == 0; i++) {
		const char *name = names[i]->d_name, *dot = strstr(name, ".schema.json");
		char path[4096], type[64], repo_path[384];
		char *data = NULL;
		size_t len = 0;
		if (!dot || dot[12] || (size_t)(dot - name) >= sizeof(type))
			continue;
		memcpy(type, name, (size_t)(dot - name));
		type[dot - name] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		snprintf(repo_path, sizeof(repo_path), "schemas/%s", name);
		if ((error = read_file(&data, &len, path, 4 << 20)) == 0 &&
			(error = hoso_schema_set_add(set, type, data, len, path)) == 0)
			error = hoso_txn_put_file(txn, repo_path, data, len);
		free(data);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (error == 0 && hoso_schema_set_count(set) == 0)
		error = hoso_error_set(HOSO_ENOTFOUND, "no *.schema.json in '%s'", dir);
	hoso_schema_set_free(set);
	return error;
}

static int stage_json(hoso_txn *txn, const char *path, const json_t *value)
{
	char *text = NULL;
	size_t len;
	int error;

	if ((error = hoso_json_canonical(&text, &len, value)) == 0)
		error = hoso_txn_put_file(txn, path, text, len);
	free(text);
	return error;
}

static int dir_usable(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int empty = 1;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : hoso_error_set(HOSO_ERROR, "cannot use '%s': %s",
			path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return hoso_error_set(HOSO_EEXISTS, "'%s' already exists", path);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty ? 0 : hoso_error_set(HOSO_EEXISTS, "'%s' already exists and is not empty", path);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void hoso_remove_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Check that the configured git user exists before anything is created. */
static int check_author(void)
{
	git_config *cfg = NULL;
	git_buf name = GIT_BUF_INIT, email = GIT_BUF_INIT;
	int ok;

	ok = git_config_open_default(&cfg) == 0 &&
		git_config_get_string_buf(&name, cfg, "user.name") == 0 &&
		git_config_get_string_buf(&email, cfg, "user.email") == 0;
	git_buf_dispose(&name);
	git_buf_dispose(&email);
	git_config_free(cfg);
	return ok ? 0 : hoso_error_set(HOSO_ERROR,
		"no author for the commit: git config user.name and user.email are not set");
}

int hoso_repo_init(hoso_repo **out, const char *path, const hoso_init_options *opts,
	hoso_problems *problems)
{
	git_repository_init_options gopts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *git = NULL;
	git_signature *sig = NULL;
	git_config *cfg = NULL;
	hoso_repo *repo = NULL;
	hoso_txn *txn = NULL;
	json_t *config = NULL, *units, *access = NULL, *u, *own;
	const json_t *given;
	size_t i;
	char message[512];
	int error, created = 0;

	*out = NULL;
	if (!opts || !opts->province || !opts->name || !hoso_unit_code_valid(opts->province) || !*opts->name)
		return hoso_error_set(HOSO_EUSAGE, "a new repository needs a province code and a name");
	if ((error = dir_usable(path)) < 0 ||
		(!(opts->author_name && opts->author_email) && (error = check_author()) < 0))
		return error;

	/* hoso.json: the province's own unit first, then the given ones. */
	config = json_pack("{s:i, s:{s:s, s:s}, s:[], s:[]}", "format", 1,
		"province", "code", opts->province, "name", opts->name, "units", "plugins");
	units = json_object_get(config, "units");
	given = opts->units ? json_object_get(opts->units, "units") : NULL;
	if (opts->units && !json_is_array(given)) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, "units", "type",
			"expected {\"units\": [...]}");
		error = HOSO_EINVALID;
	}
	/* The province's own unit comes first, as the file describes it or by default. */
	own = NULL;
	json_array_foreach(given, i, u)
		if (is_unit(u, opts->province))
			own = u;
	if (own) {
		if (add_unit(units, own, 0, NULL, opts->province, problems) < 0)
			error = HOSO_EINVALID;
	} else {
		u = json_pack("{s:s, s:s}", "code", opts->province, "name", opts->name);
		add_unit(units, u, 0, NULL, opts->province, problems);
		json_decref(u);
	}
	json_array_foreach(given, i, u)
		if (!is_unit(u, opts->province) && add_unit(units, u, i + 1, NULL, opts->province, problems) < 0)
			error = HOSO_EINVALID;
	if (error < 0) {
		error = hoso_error_set(HOSO_EINVALID, "the units are not valid");
		goto done;
	}
	access = json_pack("{s:i, s:{s:{s:s}}}", "format", 1, "users",
		opts->admin ? opts->admin : "admin", "role", "admin");

	created = 1;
	gopts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
		GIT_REPOSITORY_INIT_NO_REINIT;
	gopts.initial_head = "main";
	if (git_repository_init_ext(&git, path, &gopts) < 0) {
		error = hoso_error_git(HOSO_ERROR, "cannot create repository '%s'", path);
		goto done;
	}
	/* A recovery trail of every move of main, even in a bare repository. */
	if (git_repository_config(&cfg, git) < 0 ||
		git_config_set_bool(cfg, "core.logAllRefUpdates", 1) < 0 ||
		(opts->author_name && opts->author_email &&
		(git_config_set_string(cfg, "user.name", opts->author_name) < 0 ||
		git_config_set_string(cfg, "user.email", opts->author_email) < 0))) {
		error = hoso_error_git(HOSO_ERROR, "cannot configure '%s'", path);
		goto done;
	}
	if ((error = repo_new(&repo, git)) < 0)
		goto done;
	git = NULL;
	if ((error = hoso_repo_signature(&sig, repo)) < 0)
		goto done;
	if ((error = hoso_txn_begin(&txn, repo, NULL)) < 0 ||
		(error = stage_json(txn, "hoso.json", config)) < 0 ||
		(error = stage_json(txn, "access.json", access)) < 0 ||
		(error = stage_schemas(txn, opts->schema_dir ? opts->schema_dir : HOSO_SCHEMA_INSTALL_DIR)) < 0)
		goto done;
	snprintf(message, sizeof(message), "init: province %s %s\n", opts->province, opts->name);
	if ((error = hoso_txn_commit(txn, message, NULL)) < 0)
		goto done;
	hoso_txn_free(txn);
	txn = NULL;
	if ((error = hoso_repo_reload(repo)) < 0)
		goto done;
	*out = repo;
	repo = NULL;
done:
	hoso_txn_free(txn);
	git_signature_free(sig);
	git_config_free(cfg);
	hoso_repo_free(repo);
	git_repository_free(git);
	json_decref(access);
	json_decref(config);
	if (error < 0 && created)
		hoso_remove_tree(path); /* nothing half-made stays */
	return error;
}

const char *hoso_repo_role(hoso_repo *repo, const char *user)
{
	static _Thread_local char role[32];
	hoso_access *access = NULL;
	const char *r;
	int found = 0;

	/* An access.json that breaks its rules gives no one a role. */
	if (user && hoso_access_load(&access, repo, NULL, NULL) == 0 &&
		(r = hoso_access_role(access, user))) {
		snprintf(role, sizeof(role), "%s", r);
		found = 1;
	}
	hoso_access_free(access);
	return found ? role : NULL;
}

int hoso_repo_pin_plugin(hoso_repo *repo, const char *name, const char *version,
	const char *sha256, const char *url)
{
	hoso_txn *txn = NULL;
	json_t *config = NULL, *pins, *pin;
	char *text = NULL, message[256];
	size_t len, i;
	int error;

	if ((error = hoso_txn_begin(&txn, repo, NULL)) < 0 || (error = hoso_repo_reload(repo)) < 0)
		goto done;
	config = json_deep_copy(repo->config);
	if (!json_is_array(pins = json_object_get(config, "plugins"))) {
		pins = json_array();
		json_object_set_new(config, "plugins", pins);
	}
	/* One pin a name: replace it, or remove it. */
	for (i = 0; i < json_array_size(pins); i++)
		if ((pin = json_array_get(pins, i)) && str(pin, "name") && strcmp(str(pin, "name"), name) == 0)
			json_array_remove(pins, i--);
	if (sha256) {
		pin = json_pack("{s:s, s:s, s:s}", "name", name, "version", version ? version : "",
			"sha256", sha256);
		if (url)
			json_object_set_new(pin, "url", json_string(url));
		json_array_append_new(pins, pin);
	}
	snprintf(message, sizeof(message), sha256 ? "plugin: pin %s %s\n\nsha256 %s\n" :
		"plugin: unpin %s\n", name, sha256 ? (version ? version : "") : "", sha256 ? sha256 : "");
	if ((error = hoso_json_canonical(&text, &len, config)) < 0 ||
		(error = hoso_txn_put_file(txn, "hoso.json", text, len)) < 0 ||
		(error = hoso_txn_commit(txn, message, NULL)) < 0)
		goto done;
	hoso_txn_free(txn);
	txn = NULL;
	error = hoso_repo_reload(repo);
done:
	hoso_txn_free(txn);
	free(text);
	json_decref(config);
	return error;
}
