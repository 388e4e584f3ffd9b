/*
 * Tests for core/lock.c: one writer at a time per repository. Other writers
 * are forked children (an flock belongs to an open file, so a child that
 * opens the lock itself competes like another process). A writer that died
 * holding the lock leaves its pid in hoso.lock; the next writer removes what
 * hoso and libgit2 left behind, and nothing else. The sync lock does the same
 * for what a killed sync left.
 */

#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "hoso/errors.h"
#include "lock.h"


typedef struct {
	char dir[64];       /* stands for a bare repository's git directory */
	char lock[128];     /* dir/hoso.lock */
} fixture;

/* What a child reports through its exit status. */
enum { CHILD_GOT = 10, CHILD_LOCKED_AFTER_WAIT = 11, CHILD_LOCKED_TOO_SOON = 12,
	CHILD_LOCKED_BAD_MESSAGE = 13, CHILD_ERROR = 14 };

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void mkdirf(fixture *f, const char *sub)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void touch(fixture *f, const char *sub, const char *data)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, sub);
	assert_non_null(fp = fopen(path, "w"));
	fputs(data, fp);
	assert_int_equal(fclose(fp), 0);
}

static int exists(fixture *f, const char *sub)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->dir, sub);
	return stat(path, &st) == 0;
}

/* The contents of hoso.lock (at most 63 bytes). */
static const char *lock_text(fixture *f)
{
	static char buf[64];
	FILE *fp = fopen(f->lock, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/hoso-test-lock-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->lock, sizeof(f->lock), "%s/hoso.lock", f->dir);
	mkdirf(f, "objects");
	mkdirf(f, "objects/pack");
	mkdirf(f, "objects/ab");
	mkdirf(f, "refs");
	mkdirf(f, "refs/heads");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nftw(f->dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * In a child: try to take the lock waiting `timeout_ms`; exit with what
 * happened. `inherited` is the parent's lock (or -1): the child closes its
 * copy, as an exec would (O_CLOEXEC), so that only the parent holds it.
 */
static pid_t try_in_child(fixture *f, unsigned int timeout_ms, int inherited)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec t0;
		double waited;
		int fd = -1, rc;

		if (inherited >= 0)
			close(inherited);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = hoso_lock_acquire(&fd, f->dir, timeout_ms);
		waited = ms_since(&t0);
		if (rc == 0) {
			hoso_lock_release(fd);
			_exit(CHILD_GOT);
		}
		if (rc != HOSO_ELOCKED || fd != -1)
			_exit(CHILD_ERROR);
		if (!strstr(hoso_error_last(), "another hoso process has been writing to this repository"))
			_exit(CHILD_LOCKED_BAD_MESSAGE);
		_exit(waited >= timeout_ms ? CHILD_LOCKED_AFTER_WAIT : CHILD_LOCKED_TOO_SOON);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_acquire_and_release(void **state)
{
	fixture *f = *state;
	char pid[32];
	int fd = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_true(fd >= 0);
	/* while held, the file names the writer */
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	assert_string_equal(lock_text(f), pid);
	hoso_lock_release(fd);
	/* released cleanly: empty, so the next writer has nothing to recover */
	assert_string_equal(lock_text(f), "");
}

static void test_release_accepts_minus_one(void **state)
{
	(void)state;
	hoso_lock_release(-1);
}

static void test_second_writer_times_out(void **state)
{
	fixture *f = *state;
	int fd = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_int_equal(child_status(try_in_child(f, 100, fd)), CHILD_LOCKED_AFTER_WAIT);
	hoso_lock_release(fd);
}

static void test_second_writer_in_same_process_times_out(void **state)
{
	fixture *f = *state;
	struct timespec t0;
	int fd = -1, fd2 = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(hoso_lock_acquire(&fd2, f->dir, 50), HOSO_ELOCKED);
	assert_true(ms_since(&t0) >= 50);
	assert_int_equal(fd2, -1);
	assert_int_equal(hoso_error_last_code(), HOSO_ELOCKED);
	hoso_lock_release(fd);
}

static void test_acquire_after_release(void **state)
{
	fixture *f = *state;
	int fd = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	hoso_lock_release(fd);
	assert_int_equal(child_status(try_in_child(f, 100, -1)), CHILD_GOT);
	/* and back in this process */
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	hoso_lock_release(fd);
}

static void test_waiter_gets_lock_when_released(void **state)
{
	fixture *f = *state;
	struct timespec nap = { 0, 150 * 1000000 };
	pid_t pid;
	int fd = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	pid = try_in_child(f, 5000, fd);
	nanosleep(&nap, NULL);
	hoso_lock_release(fd);
	assert_int_equal(child_status(pid), CHILD_GOT);
}

static void test_lock_dies_with_its_writer(void **state)
{
	fixture *f = *state;
	char text[32];
	pid_t pid = fork();
	int fd = -1;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* take the lock and die without releasing it */
		if (hoso_lock_acquire(&fd, f->dir, 100) < 0)
			_exit(1);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	snprintf(text, sizeof(text), "%ld\n", (long)pid);
	assert_string_equal(lock_text(f), text);
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	assert_string_equal(lock_text(f), text);
	hoso_lock_release(fd);
}

/* What a killed writer (hoso or libgit2) and a git command may have left. */
static void make_leftovers(fixture *f)
{
	touch(f, "refs/heads/main.lock", "0123456789012345678901234567890123456789\n");
	touch(f, "index.lock", "");
	touch(f, "objects/tmp_object_git2_x", "x");
	touch(f, "objects/ab/tmp_object_git2_y", "y");
	touch(f, "objects/pack/pack_git2_z", "z");
	touch(f, "objects/pack/tmp_hoso_1_2.pack", "p");
	touch(f, "objects/pack/tmp_hoso_1_2.idx", "i");
	/* not ours: git's own temporary files and real data */
	touch(f, "objects/pack/tmp_pack_abc", "git");
	touch(f, "objects/pack/tmp_idx_abc", "git");
	touch(f, "objects/tmp_obj_abc", "git");
	touch(f, "objects/ab/cdef0123456789012345678901234567890123", "object");
	touch(f, "refs/heads/main", "0123456789012345678901234567890123456789\n");
}

static void assert_ours_removed_theirs_kept(fixture *f)
{
	assert_false(exists(f, "refs/heads/main.lock"));
	assert_false(exists(f, "index.lock"));
	assert_false(exists(f, "objects/tmp_object_git2_x"));
	assert_false(exists(f, "objects/ab/tmp_object_git2_y"));
	assert_false(exists(f, "objects/pack/pack_git2_z"));
	assert_false(exists(f, "objects/pack/tmp_hoso_1_2.pack"));
	assert_false(exists(f, "objects/pack/tmp_hoso_1_2.idx"));
	assert_true(exists(f, "objects/pack/tmp_pack_abc"));
	assert_true(exists(f, "objects/pack/tmp_idx_abc"));
	assert_true(exists(f, "objects/tmp_obj_abc"));
	assert_true(exists(f, "objects/ab/cdef0123456789012345678901234567890123"));
	assert_true(exists(f, "refs/heads/main"));
}

static void test_recovery_after_pid_left_in_lock(void **state)
{
	fixture *f = *state;
	int fd = -1;

	make_leftovers(f);
	touch(f, "hoso.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_ours_removed_theirs_kept(f);
	hoso_lock_release(fd);
}

static void test_recovery_after_killed_writer(void **state)
{
	fixture *f = *state;
	pid_t pid = fork();
	int fd = -1;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (hoso_lock_acquire(&fd, f->dir, 100) < 0)
			_exit(1);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	make_leftovers(f);
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_ours_removed_theirs_kept(f);
	hoso_lock_release(fd);
}

static void test_no_recovery_after_clean_release(void **state)
{
	fixture *f = *state;
	int fd = -1;

	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	hoso_lock_release(fd);
	make_leftovers(f);
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	/* the last writer finished: nothing is a leftover of it */
	assert_true(exists(f, "refs/heads/main.lock"));
	assert_true(exists(f, "objects/pack/tmp_hoso_1_2.pack"));
	assert_true(exists(f, "objects/tmp_object_git2_x"));
	hoso_lock_release(fd);
}

static void test_recovery_stays_under_objects(void **state)
{
	fixture *f = *state;
	int fd = -1;

	/*
	 * Regression (fixed): core/lock.c recover() visits every 2-character name under objects/
	 * as a fan-out directory, ".." included, so it also deletes any
	 * *_git2_* or tmp_hoso_* file in the git directory itself (the parent of
	 * objects/). It should skip "." and ".." (or take only two hex digits).
	 */
	touch(f, "tmp_hoso_notes", "mine");
	touch(f, "hoso.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_true(exists(f, "tmp_hoso_notes"));
	hoso_lock_release(fd);
}

/* Write `len` bytes of `data` to `sub`. */
static void write_bytes(fixture *f, const char *sub, const unsigned char *data, size_t len)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, sub);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void test_recovery_of_half_installed_pack(void **state)
{
	fixture *f = *state;
	unsigned char idx[64];
	int fd = -1;

	/*
	 * Killed between renaming its .pack and its .idx into place: the
	 * temporary .idx names the pack by the checksum in its trailer (the
	 * pack's, then its own).
	 */
	memset(idx, 0, sizeof(idx));
	memset(idx + 24, 0xab, 20);
	memset(idx + 44, 0xcd, 20);
	write_bytes(f, "objects/pack/tmp_hoso_7_8.idx", idx, sizeof(idx));
	touch(f, "objects/pack/pack-abababababababababababababababababababab.pack", "p");
	/* the same, but the pack was there before, with its index: kept */
	memset(idx + 24, 0x12, 20);
	write_bytes(f, "objects/pack/tmp_hoso_7_9.idx", idx, sizeof(idx));
	touch(f, "objects/pack/pack-1212121212121212121212121212121212121212.pack", "p");
	touch(f, "objects/pack/pack-1212121212121212121212121212121212121212.idx", "i");
	/* another pack with no index, which this writer did not name: kept */
	touch(f, "objects/pack/pack-3434343434343434343434343434343434343434.pack", "p");
	touch(f, "hoso.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_false(exists(f, "objects/pack/pack-abababababababababababababababababababab.pack"));
	assert_false(exists(f, "objects/pack/tmp_hoso_7_8.idx"));
	assert_false(exists(f, "objects/pack/tmp_hoso_7_9.idx"));
	assert_true(exists(f, "objects/pack/pack-1212121212121212121212121212121212121212.pack"));
	assert_true(exists(f, "objects/pack/pack-1212121212121212121212121212121212121212.idx"));
	assert_true(exists(f, "objects/pack/pack-3434343434343434343434343434343434343434.pack"));
	hoso_lock_release(fd);
}

/* What a killed sync (its fetch through libgit2's indexer, its ref updates) may have left. */
static void make_sync_leftovers(fixture *f)
{
	mkdirf(f, "refs/remotes");
	mkdirf(f, "refs/remotes/origin");
	touch(f, "refs/remotes/origin/main.lock", "0123456789012345678901234567890123456789\n");
	touch(f, "FETCH_HEAD.lock", "");
	touch(f, "config.lock", "");
	touch(f, "objects/pack/pack_git2_z", "z");
	touch(f, "objects/pack/pack_git2_zidx.lock", "i");
	/* an index renamed into place before its pack */
	touch(f, "objects/pack/pack-5656565656565656565656565656565656565656.idx", "i");
	/* whole packs, a writer's leftovers and git's own files: kept */
	touch(f, "objects/pack/pack-7878787878787878787878787878787878787878.pack", "p");
	touch(f, "objects/pack/pack-7878787878787878787878787878787878787878.idx", "i");
	touch(f, "objects/pack/tmp_pack_abc", "git");
	touch(f, "refs/remotes/origin/main", "0123456789012345678901234567890123456789\n");
}

static void assert_sync_leftovers_removed(fixture *f)
{
	assert_false(exists(f, "refs/remotes/origin/main.lock"));
	assert_false(exists(f, "FETCH_HEAD.lock"));
	assert_false(exists(f, "config.lock"));
	assert_false(exists(f, "objects/pack/pack_git2_z"));
	assert_false(exists(f, "objects/pack/pack_git2_zidx.lock"));
	assert_false(exists(f, "objects/pack/pack-5656565656565656565656565656565656565656.idx"));
	assert_true(exists(f, "objects/pack/pack-7878787878787878787878787878787878787878.pack"));
	assert_true(exists(f, "objects/pack/pack-7878787878787878787878787878787878787878.idx"));
	assert_true(exists(f, "objects/pack/tmp_pack_abc"));
	assert_true(exists(f, "refs/remotes/origin/main"));
}

static void test_sync_recovery_after_killed_sync(void **state)
{
	fixture *f = *state;
	int fd = -1;

	make_sync_leftovers(f);
	make_leftovers(f);
	touch(f, "hoso-sync.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire_sync(&fd, f->dir, 100), 0);
	assert_sync_leftovers_removed(f);
	/* a writer's leftovers are the writer lock's business */
	assert_true(exists(f, "refs/heads/main.lock"));
	assert_true(exists(f, "objects/tmp_object_git2_x"));
	assert_true(exists(f, "objects/pack/tmp_hoso_1_2.pack"));
	hoso_lock_release(fd);
}

static void test_second_sync_times_out(void **state)
{
	fixture *f = *state;
	int fd = -1, fd2 = -1;

	assert_int_equal(hoso_lock_acquire_sync(&fd, f->dir, 100), 0);
	assert_int_equal(hoso_lock_acquire_sync(&fd2, f->dir, 50), HOSO_ELOCKED);
	assert_non_null(strstr(hoso_error_last(), "another hoso sync has been running on this replica"));
	/* the writer lock is another lock */
	assert_int_equal(hoso_lock_acquire(&fd2, f->dir, 50), 0);
	hoso_lock_release(fd2);
	hoso_lock_release(fd);
}

static void test_writer_recovery_spares_a_running_fetch(void **state)
{
	fixture *f = *state;
	int sync_fd = -1, fd = -1;

	/* a sync is fetching (it holds the sync lock) while a killed writer is recovered */
	assert_int_equal(hoso_lock_acquire_sync(&sync_fd, f->dir, 100), 0);
	make_leftovers(f);
	touch(f, "hoso.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_true(exists(f, "objects/pack/pack_git2_z"));
	assert_false(exists(f, "objects/pack/tmp_hoso_1_2.pack"));
	assert_false(exists(f, "refs/heads/main.lock"));
	hoso_lock_release(fd);
	hoso_lock_release(sync_fd);
	/* no sync running: the fetch's leftovers go too */
	touch(f, "hoso.lock", "4242\n");
	assert_int_equal(hoso_lock_acquire(&fd, f->dir, 100), 0);
	assert_false(exists(f, "objects/pack/pack_git2_z"));
	hoso_lock_release(fd);
}

static void test_acquire_fails_without_directory(void **state)
{
	fixture *f = *state;
	char missing[160];
	int fd = 7;

	snprintf(missing, sizeof(missing), "%s/nope", f->dir);
	assert_int_equal(hoso_lock_acquire(&fd, missing, 100), HOSO_ERROR);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(hoso_error_last(), "cannot open '"));
	assert_non_null(strstr(hoso_error_last(), "/nope/hoso.lock': No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_acquire_and_release, setup, teardown),
		cmocka_unit_test(test_release_accepts_minus_one),
		cmocka_unit_test_setup_teardown(test_second_writer_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_writer_in_same_process_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acquire_after_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiter_gets_lock_when_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_dies_with_its_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_after_pid_left_in_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_after_killed_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_recovery_after_clean_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_stays_under_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_of_half_installed_pack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_recovery_after_killed_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_sync_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_recovery_spares_a_running_fetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acquire_fails_without_directory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
