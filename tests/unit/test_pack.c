#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <git2.h>

#include "common.h"
#include "pack.h"

/* Not yet in pack.h (see core/pack.c). */

typedef struct {
	char dir[64];          /* the temporary directory */
	char path[128];        /* dir/repo.git */
	char objects[160];     /* dir/repo.git/objects */
	git_repository *repo;
	git_odb *odb;
	git_repository *scratch;  /* where test objects are made with libgit2 */
} fixture;

/* What a test put in a pack, to check it came back. */
typedef struct {
	git_oid id;
	git_object_t type;
	unsigned char *data;
	size_t len;
} object;

typedef struct {
	object *items;
	size_t count;
	git_oid commit;
} objects;

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int open_repo(git_repository **repo, git_odb **odb, const char *path)
{
	if (git_repository_init(repo, path, 1) < 0)
		return -1;
	return odb ? git_repository_odb(odb, *repo) : 0;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char scratch[128];

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hoso-test-pack-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/repo.git", f->dir);
	snprintf(f->objects, sizeof(f->objects), "%s/objects", f->path);
	snprintf(scratch, sizeof(scratch), "%s/scratch.git", f->dir);
	assert_int_equal(open_repo(&f->repo, &f->odb, f->path), 0);
	assert_int_equal(open_repo(&f->scratch, NULL, scratch), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	git_odb_free(f->odb);
	git_repository_free(f->repo);
	git_repository_free(f->scratch);
	nftw(f->dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	return git_libgit2_init() < 0;
}

static int group_teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* Files in `dir` whose names start with `prefix` and end with `suffix`. */
static int count_files(const char *dir, const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(suffix);

		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
			len >= sl && strcmp(de->d_name + len - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Loose objects under objects/ (2-hex-digit directories that are not empty). */
static int count_loose(const char *objects_dir)
{
	DIR *d = opendir(objects_dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char sub[512];

		if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", objects_dir, de->d_name);
		n += count_files(sub, "", "");
		n -= 2;  /* . and .. */
	}
	closedir(d);
	return n;
}

/* The one pack-*.idx in objects/pack, read whole. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The name (pack-<sha>) of the only pack in objects/pack. */
static void only_pack(const char *objects_dir, char *name, size_t size)
{
	char dir[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/pack", objects_dir);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "pack-", 5) == 0 && len > 5 &&
			strcmp(de->d_name + len - 5, ".pack") == 0) {
			snprintf(name, size, "%.*s", (int)(len - 5), de->d_name);
			n++;
		}
	}
	closedir(d);
	assert_int_equal(n, 1);
}

static void add_object(objects *objs, git_object_t type, const void *data, size_t len)
{
	object *o;

	objs->items = realloc(objs->items, (objs->count + 1) * sizeof(*objs->items));
	assert_non_null(objs->items);
	o = &objs->items[objs->count++];
	o->type = type;
	o->len = len;
	o->data = malloc(len ? len : 1);
	assert_non_null(o->data);
	memcpy(o->data, data, len);
	assert_int_equal(git_odb_hash(&o->id, data, len, type), 0);
}

static void free_objects(objects *objs)
{
	size_t i;

	for (i = 0; i < objs->count; i++)
		free(objs->items[i].data);
	free(objs->items);
	memset(objs, 0, sizeof(*objs));
}

static uint32_t next_random(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Make `nrecords` JSON blobs, a big compressible blob, a big random one and
 * an empty one, in two trees and one commit, with libgit2 in the scratch
 * repository; remember their bytes in `objs`, the commit last.
 */
static void make_history(fixture *f, objects *objs, size_t nrecords)
{
	git_treebuilder *root = NULL, *sub = NULL;
	git_oid id, sub_id, root_id;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_buf commit = { 0 };
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	uint32_t seed = 42;
	size_t i, big = 3u << 20, noise = 600u << 10;
	char name[64], *buf = malloc(big);

	assert_non_null(buf);
	assert_int_equal(git_repository_odb(&odb, f->scratch), 0);
	assert_int_equal(git_treebuilder_new(&root, f->scratch, NULL), 0);
	assert_int_equal(git_treebuilder_new(&sub, f->scratch, NULL), 0);
	for (i = 0; i < nrecords; i++) {
		int n = snprintf(buf, 1024,
			"{\n  \"full_name\": \"Giàng Seo %zu\",\n  \"id\": \"01J%023zu\",\n"
			"  \"note\": \"%08x%08x\",\n  \"type\": \"member\"\n}\n",
			i, i * 7919, next_random(&seed), next_random(&seed));

		add_object(objs, GIT_OBJECT_BLOB, buf, (size_t)n);
		assert_int_equal(git_blob_create_from_buffer(&id, f->scratch, buf, (size_t)n), 0);
		snprintf(name, sizeof(name), "%016zx.json", i);
		assert_int_equal(git_treebuilder_insert(NULL, i % 2 ? sub : root, name, &id,
			GIT_FILEMODE_BLOB), 0);
	}
	for (i = 0; i < big; i++)
		buf[i] = "{\"a\": 1, \"b\": [true, null]}\n"[i % 28];
	add_object(objs, GIT_OBJECT_BLOB, buf, big);
	assert_int_equal(git_blob_create_from_buffer(&id, f->scratch, buf, big), 0);
	assert_int_equal(git_treebuilder_insert(NULL, root, "big.json", &id, GIT_FILEMODE_BLOB), 0);
	for (i = 0; i < noise; i++)
		buf[i] = (char)next_random(&seed);
	add_object(objs, GIT_OBJECT_BLOB, buf, noise);
	assert_int_equal(git_blob_create_from_buffer(&id, f->scratch, buf, noise), 0);
	assert_int_equal(git_treebuilder_insert(NULL, sub, "noise.bin", &id, GIT_FILEMODE_BLOB), 0);
	add_object(objs, GIT_OBJECT_BLOB, "", 0);
	assert_int_equal(git_blob_create_from_buffer(&id, f->scratch, "", 0), 0);
	assert_int_equal(git_treebuilder_insert(NULL, sub, "empty", &id, GIT_FILEMODE_BLOB), 0);

	assert_int_equal(git_treebuilder_write(&sub_id, sub), 0);
	assert_int_equal(git_treebuilder_insert(NULL, root, "sub", &sub_id, GIT_FILEMODE_TREE), 0);
	assert_int_equal(git_treebuilder_write(&root_id, root), 0);
	assert_int_equal(git_odb_read(&obj, odb, &sub_id), 0);
	add_object(objs, GIT_OBJECT_TREE, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	assert_int_equal(git_odb_read(&obj, odb, &root_id), 0);
	add_object(objs, GIT_OBJECT_TREE, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);

	assert_int_equal(git_signature_new(&sig, "Test", "test@example.org", 1700000000, 60), 0);
	assert_int_equal(git_tree_lookup(&tree, f->scratch, &root_id), 0);
	assert_int_equal(git_commit_create_buffer(&commit, f->scratch, sig, sig, NULL,
		"import\n", tree, 0, NULL), 0);
	add_object(objs, GIT_OBJECT_COMMIT, commit.ptr, commit.size);
	git_oid_cpy(&objs->commit, &objs->items[objs->count - 1].id);

	git_buf_dispose(&commit);
	git_tree_free(tree);
	git_signature_free(sig);
	git_treebuilder_free(sub);
	git_treebuilder_free(root);
	git_odb_free(odb);
	free(buf);
}

static void add_all(hoso_pack *pack, const objects *objs)
{
	size_t i;

	for (i = 0; i < objs->count; i++) {
		git_oid id;

		assert_int_equal(hoso_pack_add(pack, &id, objs->items[i].type,
			objs->items[i].data, objs->items[i].len), 0);
		assert_true(git_oid_equal(&id, &objs->items[i].id));
	}
}

static hoso_pack *new_pack(fixture *f, int direct)
{
	hoso_pack *pack = NULL;

	if (direct)
		assert_int_equal(hoso_pack_new(&pack, f->odb, f->objects), 0);
	else
		assert_int_equal(hoso_pack_new(&pack, f->odb, NULL), 0);
	assert_non_null(pack);
	return pack;
}

/* Every object reads back from the repository's odb with its bytes; git accepts it all. */
static void check_repository(fixture *f, const objects *objs)
{
	git_reference *ref = NULL;
	char name[128], packdir[256];
	size_t i;

	for (i = 0; i < objs->count; i++) {
		git_odb_object *obj = NULL;

		assert_int_equal(git_odb_read(&obj, f->odb, &objs->items[i].id), 0);
		assert_int_equal(git_odb_object_type(obj), objs->items[i].type);
		assert_int_equal(git_odb_object_size(obj), objs->items[i].len);
		if (objs->items[i].len)
			assert_memory_equal(git_odb_object_data(obj), objs->items[i].data,
				objs->items[i].len);
		git_odb_object_free(obj);
	}
	assert_int_equal(count_loose(f->objects), 0);
	snprintf(packdir, sizeof(packdir), "%s/pack", f->objects);
	assert_int_equal(count_files(packdir, "tmp_hoso_", ""), 0);
	assert_int_equal(count_files(packdir, "pack-", ".idx"), 1);
	only_pack(f->objects, name, sizeof(name));

	assert_int_equal(git_reference_create(&ref, f->repo, "refs/heads/main", &objs->commit, 1,
		NULL), 0);
	git_reference_free(ref);
	assert_int_equal(git_repository_set_head(f->repo, "refs/heads/main"), 0);
	assert_int_equal(run("git -C '%s' fsck --strict --no-dangling >/dev/null", f->path), 0);
	assert_int_equal(run("git verify-pack '%s/%s.idx'", packdir, name), 0);
	assert_int_equal(run("git verify-pack -v '%s/%s.idx' >/dev/null", packdir, name), 0);
}

static void roundtrip(void **state, int direct)
{
	fixture *f = *state;
	objects objs = { 0 };
	hoso_pack *pack = new_pack(f, direct);
	size_t i;

	make_history(f, &objs, 300);
	add_all(pack, &objs);
	assert_int_equal(hoso_pack_count(pack), objs.count);
	for (i = 0; i < objs.count; i++) {
		assert_true(hoso_pack_has(pack, &objs.items[i].id));
		assert_false(git_odb_exists(f->odb, &objs.items[i].id));
	}
	assert_int_equal(hoso_pack_write(pack), 0);
	check_repository(f, &objs);
	assert_true(hoso_pack_has(pack, &objs.commit));

	hoso_pack_free(pack);
	free_objects(&objs);
}

static void test_roundtrip_direct(void **state)
{
	roundtrip(state, 1);
}

static void test_roundtrip_indexer(void **state)
{
	roundtrip(state, 0);
}

/* Both writers make the same pack, and our .idx is byte for byte libgit2's. */
static void test_same_as_indexer(void **state)
{
	fixture *f = *state;
	git_repository *other = NULL;
	git_odb *other_odb = NULL;
	hoso_pack *a = new_pack(f, 1), *b = NULL;
	objects objs = { 0 };
	char other_path[128], name_a[128], name_b[128], path[512];
	unsigned char *ia, *ib, *pa, *pb;
	size_t la, lb, lpa, lpb;

	snprintf(other_path, sizeof(other_path), "%s/other.git", f->dir);
	assert_int_equal(open_repo(&other, &other_odb, other_path), 0);
	assert_int_equal(hoso_pack_new(&b, other_odb, NULL), 0);
	make_history(f, &objs, 200);
	add_all(a, &objs);
	add_all(b, &objs);
	assert_int_equal(hoso_pack_write(a), 0);
	assert_int_equal(hoso_pack_write(b), 0);

	only_pack(f->objects, name_a, sizeof(name_a));
	snprintf(path, sizeof(path), "%s/objects", other_path);
	only_pack(path, name_b, sizeof(name_b));
	assert_string_equal(name_a, name_b);
	snprintf(path, sizeof(path), "%s/pack/%s.idx", f->objects, name_a);
	ia = read_file(path, &la);
	snprintf(path, sizeof(path), "%s/pack/%s.pack", f->objects, name_a);
	pa = read_file(path, &lpa);
	snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", other_path, name_b);
	ib = read_file(path, &lb);
	snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", other_path, name_b);
	pb = read_file(path, &lpb);
	assert_int_equal(la, lb);
	assert_memory_equal(ia, ib, la);
	assert_int_equal(lpa, lpb);
	assert_memory_equal(pa, pb, lpa);

	free(pb);
	free(ib);
	free(pa);
	free(ia);
	hoso_pack_free(b);
	hoso_pack_free(a);
	free_objects(&objs);
	git_odb_free(other_odb);
	git_repository_free(other);
}

static void test_duplicate_stored_once(void **state)
{
	fixture *f = *state;
	hoso_pack *pack = new_pack(f, 1);
	const char *rec = "{\n  \"id\": \"01J000\"\n}\n";
	const char *commit = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
		"author A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nm\n";
	git_oid a, b, c;
	char name[128], path[512];
	unsigned char *idx, *pk;
	size_t len, plen;

	assert_int_equal(hoso_pack_add(pack, &a, GIT_OBJECT_BLOB, rec, strlen(rec)), 0);
	assert_int_equal(hoso_pack_add(pack, &b, GIT_OBJECT_BLOB, rec, strlen(rec)), 0);
	assert_true(git_oid_equal(&a, &b));
	assert_int_equal(hoso_pack_count(pack), 1);
	/* the same bytes as another type are another object */
	assert_int_equal(hoso_pack_add(pack, &c, GIT_OBJECT_COMMIT, commit, strlen(commit)), 0);
	assert_int_equal(hoso_pack_count(pack), 2);
	assert_int_equal(hoso_pack_add(pack, &c, GIT_OBJECT_BLOB, rec, strlen(rec)), 0);
	assert_int_equal(hoso_pack_count(pack), 2);
	assert_int_equal(hoso_pack_write(pack), 0);

	only_pack(f->objects, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/pack/%s.idx", f->objects, name);
	idx = read_file(path, &len);
	/* the last fanout entry is the number of objects */
	assert_int_equal(((uint32_t)idx[8 + 255 * 4] << 24 | (uint32_t)idx[9 + 255 * 4] << 16 |
		(uint32_t)idx[10 + 255 * 4] << 8 | idx[11 + 255 * 4]), 2);
	snprintf(path, sizeof(path), "%s/pack/%s.pack", f->objects, name);
	pk = read_file(path, &plen);
	assert_memory_equal(pk, "PACK\0\0\0\2\0\0\0\2", 12);
	assert_int_equal(run("git verify-pack '%s/pack/%s.idx'", f->objects, name), 0);
	assert_true(git_odb_exists(f->odb, &a));

	free(pk);
	free(idx);
	hoso_pack_free(pack);
}

static void test_empty_writes_nothing(void **state)
{
	fixture *f = *state;
	char packdir[256];
	int direct;

	snprintf(packdir, sizeof(packdir), "%s/pack", f->objects);
	for (direct = 0; direct < 2; direct++) {
		hoso_pack *pack = new_pack(f, direct);

		assert_int_equal(hoso_pack_count(pack), 0);
		assert_int_equal(hoso_pack_write(pack), 0);
		hoso_pack_free(pack);
	}
	assert_int_equal(count_files(packdir, "", "") - 2, 0);
	hoso_pack_free(NULL);
}

static void test_after_write(void **state)
{
	fixture *f = *state;
	hoso_pack *pack = new_pack(f, 1);
	git_oid id;
	char packdir[256];

	snprintf(packdir, sizeof(packdir), "%s/pack", f->objects);
	assert_int_equal(hoso_pack_add(pack, &id, GIT_OBJECT_BLOB, "x\n", 2), 0);
	assert_int_equal(hoso_pack_add(pack, &id, GIT_OBJECT_OFS_DELTA, "x\n", 2), HOSO_EUSAGE);
	assert_int_equal(hoso_pack_write(pack), 0);
	assert_int_equal(hoso_pack_write(pack), 0);  /* nothing more to write */
	assert_int_equal(count_files(packdir, "pack-", ".pack"), 1);
	assert_int_equal(hoso_pack_add(pack, &id, GIT_OBJECT_BLOB, "y\n", 2), HOSO_EUSAGE);
	assert_non_null(strstr(hoso_error_last(), "already written"));
	hoso_pack_free(pack);
}

/* Dropped before writing: nothing on disk. */
static void test_free_unwritten(void **state)
{
	fixture *f = *state;
	objects objs = { 0 };
	char packdir[256];
	hoso_pack *pack = new_pack(f, 1);

	snprintf(packdir, sizeof(packdir), "%s/pack", f->objects);
	make_history(f, &objs, 100);
	add_all(pack, &objs);
	hoso_pack_free(pack);
	assert_int_equal(count_files(packdir, "", "") - 2, 0);
	assert_false(git_odb_exists(f->odb, &objs.commit));
	free_objects(&objs);
}

/* More objects than one block of entries, and enough for the workers to matter. */
static void test_many_objects(void **state)
{
	fixture *f = *state;
	objects objs = { 0 };
	hoso_pack *pack = new_pack(f, 1);

	make_history(f, &objs, 6000);
	add_all(pack, &objs);
	assert_int_equal(hoso_pack_write(pack), 0);
	check_repository(f, &objs);
	hoso_pack_free(pack);
	free_objects(&objs);
}

/* A failed write leaves neither temp files nor a pack without its index. */
static void test_failure_cleans_up(void **state)
{
	fixture *f = *state;
	git_repository *other = NULL;
	git_odb *other_odb = NULL;
	hoso_pack *pack = NULL;
	objects objs = { 0 };
	char other_path[128], name[128], path[512], packdir[256];
	FILE *fp;

	/* learn the pack's name in another repository */
	snprintf(other_path, sizeof(other_path), "%s/other.git", f->dir);
	assert_int_equal(open_repo(&other, &other_odb, other_path), 0);
	snprintf(path, sizeof(path), "%s/objects", other_path);
	assert_int_equal(hoso_pack_new(&pack, other_odb, path), 0);
	make_history(f, &objs, 50);
	add_all(pack, &objs);
	assert_int_equal(hoso_pack_write(pack), 0);
	hoso_pack_free(pack);
	only_pack(path, name, sizeof(name));

	/* a directory where its index should go makes the last rename fail */
	snprintf(packdir, sizeof(packdir), "%s/pack", f->objects);
	snprintf(path, sizeof(path), "%s/%s.idx", packdir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s.idx/keep", packdir, name);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	pack = new_pack(f, 1);
	add_all(pack, &objs);
	assert_true(hoso_pack_write(pack) < 0);
	assert_non_null(strstr(hoso_error_last(), "cannot rename"));
	assert_int_equal(count_files(packdir, "tmp_hoso_", ""), 0);
	assert_int_equal(count_files(packdir, "pack-", ".pack"), 0);
	assert_false(git_odb_exists(f->odb, &objs.commit));
	hoso_pack_free(pack);

	/* no objects/pack to write into: an error, and nothing left behind */
	snprintf(path, sizeof(path), "%s/notobjects", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/notobjects/pack", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	snprintf(path, sizeof(path), "%s/notobjects", f->dir);
	assert_int_equal(hoso_pack_new(&pack, f->odb, path), 0);
	add_all(pack, &objs);
	assert_true(hoso_pack_write(pack) < 0);
	assert_non_null(strstr(hoso_error_last(), "cannot create a pack in"));
	hoso_pack_free(pack);

	free_objects(&objs);
	git_odb_free(other_odb);
	git_repository_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_indexer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_as_indexer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_stored_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_unwritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_cleans_up, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
