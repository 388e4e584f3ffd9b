/*
 * access.json: parsed and checked into a sorted table of users, asked who
 * may write which path, and changed one user at a time as one commit.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/access.h"
#include "hoso/json.h"
#include "hoso/record.h"
#include "internal.h"
#include "common.h"

#define ACCESS_PATH "access.json"
#define ACCESS_FORMAT 1

typedef struct {
	const char *name;  /* borrowed from the parsed object */
	const char *role;
	const char **units; /* `n` codes in bytewise order, then NULL */
	size_t n;
} access_user;

struct hoso_access {
	json_t *root;        /* access.json, checked */
	access_user *users;  /* by name, bytewise */
	size_t n;
};

static const char *const no_units[1] = { NULL };

/* What a check reports to, and what it checks units against. */
typedef struct {
	const json_t *units; /* hoso.json's "units", or NULL: not checked */
	const char *where;
	hoso_problems *problems;
	size_t errors;
} checker;

static void problem(checker *c, const char *field, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void problem(checker *c, const char *field, const char *rule, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	c->errors++;
	hoso_problems_add(c->problems, HOSO_SEVERITY_ERROR, c->where, 0, field, rule, "%s", msg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 if `s` (valid UTF-8) holds a C0 or C1 control character or DEL. */
static int has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return 1;
	return 0;
}

/* `s` for a message: control characters as \xNN, at most about 64 bytes. */
static const char *shown(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p && n + 8 < size && n < 64; p++) {
		if (*p < 0x20 || *p == 0x7F)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02X", *p);
		else
			buf[n++] = (char)*p;
	}
	/* Not cut inside a character. */
	if ((*p & 0xC0) == 0x80) {
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0)
			n--;
	}
	buf[n] = '\0';
	if (*p && n + 4 < size)
		strcpy(buf + n, "...");
	return buf;
}

/* A JSON value for a message: a string quoted, anything else as compact JSON. */
static const char *shown_value(char *buf, size_t size, const json_t *v)
{
	char tmp[96], *text;

	if (json_is_string(v)) {
		snprintf(buf, size, "'%s'", shown(tmp, sizeof(tmp), json_string_value(v)));
		return buf;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, size, "%.60s%s", text ? text : "a value", text && strlen(text) > 60 ? "..." : "");
	free(text);
	return buf;
}

/* The keys of object `o` in bytewise order (malloc'd; borrowed strings), or NULL. */
static const char **sorted_keys(const json_t *o, size_t *n)
{
	const char **keys = malloc((json_object_size(o) + 1) * sizeof(char *));
	const char *key;
	json_t *value;

	*n = 0;
	if (!keys)
		return NULL;
	json_object_foreach((json_t *)o, key, value)
		keys[(*n)++] = key;
	qsort(keys, *n, sizeof(char *), cmp_str);
	return keys;
}

static int is_role(const char *s)
{
	return strcmp(s, "admin") == 0 || strcmp(s, "province") == 0 || strcmp(s, "clerk") == 0;
}

static int unit_known(const json_t *units, const char *code)
{
	size_t i;
	const json_t *u;

	json_array_foreach(units, i, u) {
		const char *c = json_string_value(json_object_get(u, "code"));
		if (c && strcmp(c, code) == 0)
			return 1;
	}
	return 0;
}

/* A code that can name a directory under data/: not empty, no '/', not "." or "..". */
static int unit_shaped(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		!has_control(s);
}

static void check_units(checker *c, const char *field, const json_t *units)
{
	char f[600], buf[96];
	size_t i, j;

	snprintf(f, sizeof(f), "%s.units", field);
	if (!units) {
		problem(c, f, "required", "a clerk needs at least one unit");
		return;
	}
	if (!json_is_array(units)) {
		problem(c, f, "type", "must be an array of unit codes, not %s", shown_value(buf, sizeof(buf), units));
		return;
	}
	if (json_array_size(units) == 0) {
		problem(c, f, "minItems", "a clerk needs at least one unit");
		return;
	}
	for (i = 0; i < json_array_size(units); i++) {
		const json_t *v = json_array_get(units, i);
		const char *code = json_string_value(v);
		snprintf(f, sizeof(f), "%s.units[%zu]", field, i);
		if (!code || !unit_shaped(code)) {
			problem(c, f, "type", "%s is not a unit code", shown_value(buf, sizeof(buf), v));
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(units, j), (json_t *)v))
				break;
		if (j < i)
			problem(c, f, "uniqueItems", "unit '%s' is given twice", shown(buf, sizeof(buf), code));
		else if (c->units && !unit_known(c->units, code))
			problem(c, f, "unit", "unit '%s' is not in hoso.json", shown(buf, sizeof(buf), code));
	}
}

/* Check one user; 1 if a valid admin. */
static int check_user(checker *c, const char *name, const json_t *user)
{
	char field[512], f[600], buf[96];
	const char **keys, *role;
	const json_t *r;
	size_t i, n;
	int admin = 0;

	if (!*name)
		problem(c, "users", "name", "a user name must not be empty");
	else if (has_control(name))
		problem(c, "users", "name", "user name '%s' has a control character",
			shown(buf, sizeof(buf), name));
	snprintf(field, sizeof(field), "users.%s", shown(buf, sizeof(buf), name));
	if (!json_is_object(user)) {
		problem(c, field, "type", "must be an object with a role, not %s",
			shown_value(buf, sizeof(buf), user));
		return 0;
	}
	if (!(keys = sorted_keys(user, &n))) {
		problem(c, field, "memory", "out of memory");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (strcmp(keys[i], "role") != 0 && strcmp(keys[i], "units") != 0) {
			snprintf(f, sizeof(f), "%s.%s", field, shown(buf, sizeof(buf), keys[i]));
			problem(c, f, "additionalProperties",
				"unknown key: a user has a 'role' and, for a clerk, 'units'");
		}
	free(keys);

	snprintf(f, sizeof(f), "%s.role", field);
	r = json_object_get(user, "role");
	role = json_string_value(r);
	if (!r)
		problem(c, f, "required", "is required: admin, province or clerk");
	else if (!role || !is_role(role))
		problem(c, f, "enum", "%s is not a role: admin, province or clerk",
			shown_value(buf, sizeof(buf), r));
	else if (strcmp(role, "clerk") == 0)
		check_units(c, field, json_object_get(user, "units"));
	else if (json_object_get(user, "units")) {
		snprintf(f, sizeof(f), "%s.units", field);
		problem(c, f, "additionalProperties", strcmp(role, "admin") == 0 ?
			"an admin holds no units: an admin may write anything" :
			"a province user holds no units: they may write anything under data/");
	}
	if (role && strcmp(role, "admin") == 0)
		admin = 1;
	return admin;
}

/* Check the object of access.json; the number of errors found. */
static size_t check(checker *c, const json_t *root)
{
	const json_t *format = json_object_get(root, "format"), *users = json_object_get(root, "users");
	const char **keys;
	char buf[96];
	size_t i, n, admins = 0;

	if (!(keys = sorted_keys(root, &n))) {
		problem(c, NULL, "memory", "out of memory");
		return c->errors;
	}
	for (i = 0; i < n; i++)
		if (strcmp(keys[i], "format") != 0 && strcmp(keys[i], "users") != 0)
			problem(c, shown(buf, sizeof(buf), keys[i]), "additionalProperties",
				"unknown key: access.json has 'format' and 'users'");
	free(keys);
	if (!format)
		problem(c, "format", "required", "is required: \"format\": %d", ACCESS_FORMAT);
	else if (!json_is_integer(format) || json_integer_value(format) != ACCESS_FORMAT)
		problem(c, "format", "const", "%s is not a format this hoso reads (%d)",
			shown_value(buf, sizeof(buf), format), ACCESS_FORMAT);
	if (!users) {
		problem(c, "users", "required", "is required: an object of user names");
		return c->errors;
	}
	if (!json_is_object(users)) {
		problem(c, "users", "type", "must be an object of user names, not %s",
			shown_value(buf, sizeof(buf), users));
		return c->errors;
	}
	if (!(keys = sorted_keys(users, &n))) {
		problem(c, "users", "memory", "out of memory");
		return c->errors;
	}
	for (i = 0; i < n; i++)
		admins += (size_t)check_user(c, keys[i], json_object_get(users, keys[i]));
	free(keys);
	if (admins == 0)
		problem(c, "users", "admin", "names no admin, so no one could change access.json");
	return c->errors;
}

static int cmp_user(const void *a, const void *b)
{
	return strcmp(((const access_user *)a)->name, ((const access_user *)b)->name);
}

void hoso_access_free(hoso_access *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->n; i++)
		free(a->users[i].units);
	free(a->users);
	json_decref(a->root);
	free(a);
}

/* The table of a checked object; `root` is stolen. */
static int build(hoso_access **out, json_t *root)
{
	hoso_access *a = calloc(1, sizeof(*a));
	json_t *users = json_object_get(root, "users"), *value;
	const char *name;
	size_t i;

	if (!a) {
		json_decref(root);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	a->root = root;
	if (!(a->users = calloc(json_object_size(users) + 1, sizeof(access_user))))
		goto oom;
	json_object_foreach(users, name, value) {
		access_user *u = &a->users[a->n++];
		const json_t *units = json_object_get(value, "units");
		u->name = name;
		u->role = json_string_value(json_object_get(value, "role"));
		if (strcmp(u->role, "clerk") != 0)
			units = NULL;
		if (!(u->units = calloc(json_array_size(units) + 1, sizeof(char *))))
			goto oom;
		for (i = 0; i < json_array_size(units); i++)
			u->units[u->n++] = json_string_value(json_array_get(units, i));
		qsort(u->units, u->n, sizeof(char *), cmp_str);
	}
	qsort(a->users, a->n, sizeof(access_user), cmp_user);
	*out = a;
	return 0;
oom:
	hoso_access_free(a);
	return hoso_error_set(HOSO_ERROR, "out of memory");
}

/*
 * Parse, check against `units` (hoso.json's, or NULL) and build. Problems
 * are placed at `where`.
 */
static int parse(hoso_access **out, const char *text, size_t len, const char *where,
	const json_t *units, hoso_problems *problems)
{
	checker c = { units, where, problems, 0 };
	size_t from = problems ? hoso_problems_count(problems) : 0;
	json_t *root = NULL;
	int error;

	*out = NULL;
	if ((error = hoso_json_parse(&root, text, len, problems)) < 0) {
		hoso_problems_locate(problems, from, where, 0);
		return error == HOSO_EINVALID ?
			hoso_error_set(HOSO_EINVALID, "%s is not valid JSON", where ? where : ACCESS_PATH) : error;
	}
	if (check(&c, root) > 0) {
		json_decref(root);
		return hoso_error_set(HOSO_EINVALID, dngettext(HOSO_TEXTDOMAIN,
			"%s breaks its rules (%zu problem)", "%s breaks its rules (%zu problems)", c.errors),
			where ? where : ACCESS_PATH, c.errors);
	}
	return build(out, root);
}

/* The "units" of hoso.json in `tree` (new reference), else the repository's at the tip. */
static json_t *units_of(hoso_repo *repo, const git_tree *tree)
{
	git_blob *blob = NULL;
	json_t *config = NULL, *units = NULL;
	json_error_t jerr;

	if (tree && hoso_tree_read(&blob, repo->git, tree, "hoso.json") == 0 &&
		(config = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			JSON_REJECT_DUPLICATES, &jerr)))
		units = json_object_get(config, "units");
	if (!json_is_array(units))
		units = json_object_get(repo->config, "units");
	json_incref(units);
	json_decref(config);
	git_blob_free(blob);
	return units;
}

int hoso_access_parse(hoso_access **out, const char *text, size_t len, const char *where,
	hoso_repo *repo, hoso_problems *problems)
{
	*out = NULL;
	if (!text)
		return hoso_error_set(HOSO_EUSAGE, "no access.json text to parse");
	return parse(out, text, len, where, repo ? json_object_get(repo->config, "units") : NULL,
		problems);
}

int hoso_access_load(hoso_access **out, hoso_repo *repo, const git_tree *tree,
	hoso_problems *problems)
{
	git_tree *tip = NULL;
	git_blob *blob = NULL;
	json_t *units = NULL;
	int error;

	*out = NULL;
	if (!tree) {
		if ((error = hoso_repo_tip_tree(&tip, NULL, repo)) < 0)
			goto done;
		tree = tip;
	}
	if ((error = hoso_tree_read(&blob, repo->git, tree, ACCESS_PATH)) < 0) {
		if (error == HOSO_ENOTFOUND) {
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, ACCESS_PATH, 0, NULL, "required",
				"the repository has no access.json, so no one may write");
			error = hoso_error_set(HOSO_EINVALID, "the repository has no access.json");
		}
		goto done;
	}
	units = units_of(repo, tree);
	error = parse(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), ACCESS_PATH,
		units, problems);
done:
	json_decref(units);
	git_blob_free(blob);
	git_tree_free(tip);
	return error;
}

static const access_user *find_exact(const hoso_access *a, const char *user)
{
	access_user key;

	key.name = user;
	return bsearch(&key, a->users, a->n, sizeof(access_user), cmp_user);
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* `s` in NFC (new reference), or NULL when it is not UTF-8 text. */
static json_t *nfc(const char *s)
{
	json_t *raw = json_string(s), *norm = NULL;

	if (raw && hoso_json_normalize(&norm, raw, NULL) < 0)
		norm = NULL;
	json_decref(raw);
	return norm;
}

static const access_user *find(const hoso_access *a, const char *user)
{
	const access_user *u;
	json_t *name;

	if (!a || !user)
		return NULL;
	if ((u = find_exact(a, user)) || is_ascii(user))
		return u;
	/* The same name in another Unicode form (NFD from a terminal) is the same user. */
	if ((name = nfc(user)))
		u = find_exact(a, json_string_value(name));
	json_decref(name);
	return u;
}

const char *hoso_access_role(const hoso_access *a, const char *user)
{
	const access_user *u = find(a, user);

	return u ? u->role : NULL;
}

const char *const *hoso_access_units(const hoso_access *a, const char *user, size_t *n)
{
	const access_user *u = find(a, user);

	*n = u ? u->n : 0;
	return u && u->n ? (const char *const *)u->units : no_units;
}

size_t hoso_access_count(const hoso_access *a)
{
	return a ? a->n : 0;
}

const char *hoso_access_user_at(const hoso_access *a, size_t i)
{
	return a && i < a->n ? a->users[i].name : NULL;
}

/* 1 if every component of `path` is a name: not empty, not "." or "..". */
static int plain_path(const char *path)
{
	const char *p = path, *slash;
	size_t n;

	for (;;) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

int hoso_access_may_write(const hoso_access *a, const char *user, const char *path)
{
	const access_user *u = find(a, user);
	const char *rest;
	size_t i, len;

	if (!u || !path)
		return 0;
	if (strcmp(u->role, "admin") == 0)
		return 1;
	if (strncmp(path, "data/", 5) != 0 || !plain_path(path))
		return 0;
	rest = path + 5;
	if (strcmp(u->role, "province") == 0)
		return 1;
	if (strcmp(u->role, "clerk") != 0)
		return 0;
	for (i = 0; i < u->n; i++) {
		len = strlen(u->units[i]);
		if (strncmp(rest, u->units[i], len) == 0 && rest[len] == '/')
			return 1;
	}
	return 0;
}

/* Changing access.json */

/*
 * access.json of the transaction's base, parsed (not checked): a new
 * object, {"format": 1, "users": {}} when there is none. `*base` gets its
 * bytes (malloc'd) or NULL.
 */
static int read_base(json_t **out, char **base, size_t *base_len, hoso_repo *repo,
	const git_tree *tree, hoso_problems *problems)
{
	git_blob *blob = NULL;
	size_t from = problems ? hoso_problems_count(problems) : 0;
	int error;

	*out = NULL;
	*base = NULL;
	*base_len = 0;
	if ((error = hoso_tree_read(&blob, repo->git, tree, ACCESS_PATH)) == HOSO_ENOTFOUND) {
		if (!(*out = json_pack("{s:i, s:{}}", "format", ACCESS_FORMAT, "users")))
			return hoso_error_set(HOSO_ERROR, "out of memory");
		return 0;
	}
	if (error < 0)
		return error;
	*base_len = (size_t)git_blob_rawsize(blob);
	if (!(*base = malloc(*base_len + 1))) {
		git_blob_free(blob);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	memcpy(*base, git_blob_rawcontent(blob), *base_len);
	git_blob_free(blob);
	if ((error = hoso_json_parse(out, *base, *base_len, problems)) < 0) {
		hoso_problems_locate(problems, from, ACCESS_PATH, 0);
		if (error == HOSO_EINVALID)
			error = hoso_error_set(HOSO_EINVALID, "access.json on main is not valid JSON");
	}
	return error;
}

/*
 * Check `root` (borrowed) as the next access.json and commit it in `txn`
 * with `message` unless it equals `base`. `what` says what was asked, for
 * the error.
 */
static int write_access(hoso_txn *txn, hoso_repo *repo, const json_t *root, const char *base,
	size_t base_len, const char *message, const char *what, hoso_problems *problems)
{
	json_t *norm = NULL, *units = NULL;
	checker c = { NULL, ACCESS_PATH, problems, 0 };
	char *text = NULL;
	size_t len;
	int error;

	if ((error = hoso_json_normalize(&norm, root, problems)) < 0) {
		if (error == HOSO_EINVALID)
			error = hoso_error_set(HOSO_EINVALID, "cannot %s: the text is not valid UTF-8", what);
		goto done;
	}
	c.units = units = units_of(repo, hoso_txn_base_tree(txn));
	if (check(&c, norm) > 0) {
		error = hoso_error_set(HOSO_EINVALID, "cannot %s: access.json would break its rules", what);
		goto done;
	}
	if ((error = hoso_json_canonical(&text, &len, norm)) < 0)
		goto done;
	if (base && len == base_len && memcmp(text, base, len) == 0)
		goto done; /* nothing changes: no commit */
	if ((error = hoso_txn_put_file(txn, ACCESS_PATH, text, len)) < 0)
		goto done;
	error = hoso_txn_commit(txn, message, NULL);
done:
	free(text);
	json_decref(units);
	json_decref(norm);
	return error;
}

/* `user` in NFC (malloc'd), or NULL with a problem when it is not UTF-8 text. */
static char *user_name(const char *user, hoso_problems *problems)
{
	json_t *name = nfc(user);
	char *s = name ? strdup(json_string_value(name)) : NULL;

	if (!name)
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, ACCESS_PATH, 0, "users", "name",
			"a user name must be UTF-8 text");
	json_decref(name);
	return s;
}

/* `units` as a JSON array in bytewise order, each once (new reference), or NULL. */
static json_t *unit_list(const char *const *units, size_t n, hoso_problems *problems,
	const char *name)
{
	const char **sorted = malloc((n + 1) * sizeof(char *));
	json_t *list = json_array(), *s;
	char field[600], buf[96];
	size_t i;

	if (!sorted || !list) {
		free(sorted);
		json_decref(list);
		return NULL;
	}
	memcpy(sorted, units, n * sizeof(char *));
	qsort(sorted, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		if (!(s = json_string(sorted[i]))) {
			snprintf(field, sizeof(field), "users.%s.units", shown(buf, sizeof(buf), name));
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, ACCESS_PATH, 0, field, "json",
				"a unit code must be UTF-8 text");
			json_decref(list);
			list = NULL;
			break;
		}
		json_array_append_new(list, s);
	}
	free(sorted);
	return list;
}

int hoso_access_set(hoso_repo *repo, const char *user, const char *role,
	const char *const *units, size_t n, hoso_problems *problems)
{
	hoso_txn *txn = NULL;
	json_t *root = NULL, *entry = NULL, *list = NULL, *users;
	char *name = NULL, *base = NULL, *message = NULL, *what = NULL, *codes = NULL;
	size_t base_len, i, clen = 0;
	int error;

	if (!repo || !user || !role || (n && !units))
		return hoso_error_set(HOSO_EUSAGE, "setting a user in access.json needs a name and a role");
	if (!(name = user_name(user, problems))) {
		error = hoso_error_set(HOSO_EINVALID, "cannot set a user whose name is not UTF-8 text");
		goto done;
	}
	if (!(entry = json_object()) || json_object_set_new(entry, "role", json_string(role)) < 0) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, ACCESS_PATH, 0, "role", "json",
			"a role must be UTF-8 text");
		error = hoso_error_set(HOSO_EINVALID, "cannot set '%s': the role is not UTF-8 text", name);
		goto done;
	}
	if (n > 0) {
		if (!(list = unit_list(units, n, problems, name))) {
			error = hoso_error_set(HOSO_EINVALID, "cannot set '%s': a unit is not UTF-8 text", name);
			goto done;
		}
		for (i = 0; i < json_array_size(list); i++)
			clen += json_string_length(json_array_get(list, i)) + 2;
		if (!(codes = calloc(clen + 1, 1))) {
			error = hoso_error_set(HOSO_ERROR, "out of memory");
			goto done;
		}
		for (i = 0; i < json_array_size(list); i++) {
			if (i)
				strcat(codes, ", ");
			strcat(codes, json_string_value(json_array_get(list, i)));
		}
		json_object_set(entry, "units", list);
	}
	if (!(what = hoso_strdupf("set '%s'", name)) ||
		!(message = hoso_strdupf("access: set %s to %s%s%s\n", name, role, codes ? " of " : "",
			codes ? codes : ""))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, NULL)) < 0 ||
		(error = read_base(&root, &base, &base_len, repo, hoso_txn_base_tree(txn), problems)) < 0)
		goto done;
	/* A "users" that is not an object stays as it is, and the check says so. */
	if (json_is_object(users = json_object_get(root, "users")))
		json_object_set(users, name, entry);
	error = write_access(txn, repo, root, base, base_len, message, what, problems);
done:
	hoso_txn_free(txn);
	json_decref(root);
	json_decref(list);
	json_decref(entry);
	free(codes);
	free(what);
	free(message);
	free(base);
	free(name);
	return error;
}

int hoso_access_remove(hoso_repo *repo, const char *user, hoso_problems *problems)
{
	hoso_txn *txn = NULL;
	json_t *root = NULL, *users;
	char *name = NULL, *base = NULL, *message = NULL, *what = NULL, buf[96];
	size_t base_len;
	int error;

	if (!repo || !user)
		return hoso_error_set(HOSO_EUSAGE, "removing a user from access.json needs a name");
	if (!(name = user_name(user, problems))) {
		error = hoso_error_set(HOSO_ENOTFOUND, "'%s' is not in access.json",
			shown(buf, sizeof(buf), user));
		goto done;
	}
	if (!(what = hoso_strdupf("remove '%s'", name)) ||
		!(message = hoso_strdupf("access: remove %s\n", name))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, NULL)) < 0 ||
		(error = read_base(&root, &base, &base_len, repo, hoso_txn_base_tree(txn), problems)) < 0)
		goto done;
	users = json_object_get(root, "users");
	if (!json_is_object(users) || json_object_del(users, name) < 0) {
		error = hoso_error_set(HOSO_ENOTFOUND, "'%s' is not in access.json",
			shown(buf, sizeof(buf), name));
		goto done;
	}
	error = write_access(txn, repo, root, base, base_len, message, what, problems);
done:
	hoso_txn_free(txn);
	json_decref(root);
	free(what);
	free(message);
	free(base);
	free(name);
	return error;
}
