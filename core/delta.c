#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "common.h"

/*
 * The files that differ between two trees, found by walking both side by
 * side and going down only where a subtree's id differs: a change of a few
 * records costs a few trees, not the repository (libgit2's tree diff reads
 * every tree of both sides).
 */

typedef struct {
	git_repository *git;
	hoso_delta_cb cb;
	void *payload;
	char path[4096];
} delta_walk;

static int walk(delta_walk *w, const git_tree *a, const git_tree *b, size_t plen);

/* One name on either side: a file, a tree, or a file on one side and a tree on the other. */
static int one(delta_walk *w, const git_tree_entry *ea, const git_tree_entry *eb, size_t plen)
{
	int ta = ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE;
	int tb = eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE;
	const git_tree_entry *e = ea ? ea : eb;
	const char *name = git_tree_entry_name(e);
	size_t n = strlen(name);
	git_tree *sa = NULL, *sb = NULL;
	int error = 0;

	if (plen + n + 2 > sizeof(w->path))
		return hoso_error_set(HOSO_ERROR, "a path is too long: '%.100s...'", w->path);
	memcpy(w->path + plen, name, n + 1);
	/* The file side first, then what the tree side holds. */
	if ((ea && !ta) || (eb && !tb))
		error = w->cb(w->path, ea && !ta ? git_tree_entry_id(ea) : NULL,
			eb && !tb ? git_tree_entry_id(eb) : NULL, w->payload);
	if (error == 0 && (ta || tb)) {
		if ((ta && git_tree_lookup(&sa, w->git, git_tree_entry_id(ea)) < 0) ||
			(tb && git_tree_lookup(&sb, w->git, git_tree_entry_id(eb)) < 0))
			error = hoso_error_git(HOSO_ERROR, "cannot read tree '%s'", w->path);
		else {
			w->path[plen + n] = '/';
			w->path[plen + n + 1] = '\0';
			error = walk(w, sa, sb, plen + n + 1);
		}
		git_tree_free(sa);
		git_tree_free(sb);
	}
	w->path[plen] = '\0';
	return error;
}

/* git's order of tree entries: by name, a tree's name as if it ended in '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)na[n] : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = lb > n ? (unsigned char)nb[n] : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

static int walk(delta_walk *w, const git_tree *a, const git_tree *b, size_t plen)
{
	size_t i = 0, j = 0, na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	int error = 0;

	/* Both lists are in git's order: merge them. */
	while ((i < na || j < nb) && error == 0) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int order = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		if (order < 0)
			eb = NULL;
		else if (order > 0)
			ea = NULL;
		i += ea != NULL;
		j += eb != NULL;
		if (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
			git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		error = one(w, ea, eb, plen);
	}
	return error;
}

int hoso_tree_delta(git_repository *git, const git_tree *a, const git_tree *b,
	const char *prefix, hoso_delta_cb cb, void *payload)
{
	delta_walk *w;
	size_t plen = prefix ? strlen(prefix) : 0;
	int error;

	if (plen >= 1024)
		return hoso_error_set(HOSO_ERROR, "a path is too long");
	if (!(w = malloc(sizeof(*w))))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	w->git = git;
	w->cb = cb;
	w->payload = payload;
	memcpy(w->path, prefix ? prefix : "", plen + 1);
	error = walk(w, a, b, plen);
	free(w);
	return error;
}

int hoso_record_path_parse(const char *path, char unit[64], char type[64], char id[HOSO_ID_LEN + 1])
{
	const char *p = path, *slash;
	size_t n;

	if (strncmp(p, "data/", 5) != 0)
		return 0;
	p += 5;
	if (!(slash = strchr(p, '/')) || (n = (size_t)(slash - p)) == 0 || n >= 64)
		return 0;
	memcpy(unit, p, n);
	unit[n] = '\0';
	p = slash + 1;
	if (!(slash = strchr(p, '/')) || (n = (size_t)(slash - p)) == 0 || n >= 64)
		return 0;
	memcpy(type, p, n);
	type[n] = '\0';
	p = slash + 1;
	if (!(slash = strchr(p, '/')))
		return 0;
	p = slash + 1;
	if (strlen(p) != HOSO_ID_LEN + 5 || strcmp(p + HOSO_ID_LEN, ".json") != 0)
		return 0;
	memcpy(id, p, HOSO_ID_LEN);
	id[HOSO_ID_LEN] = '\0';
	return hoso_id_valid(id);
}
