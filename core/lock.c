#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <git2.h>

#include "lock.h"
#include "common.h"

/* A writer's temporary object or pack (libgit2's loose objects, hoso's packs). */
static int is_leftover(const char *name)
{
	return strstr(name, "tmp_object_git2_") || strncmp(name, "tmp_hoso_", 9) == 0;
}

/*
 * What libgit2's indexer leaves when a fetch (or a push into a hub on a
 * local path) is killed: its temporary pack, the lock of the index it was
 * committing (which would block the next fetch of the same pack), and an
 * index renamed into place before its pack was.
 */
static int is_fetch_leftover(const char *dir, const char *name)
{
	char pack[4096];
	size_t len = strlen(name);

	if (strstr(name, "_git2_") || (len > 9 && strcmp(name + len - 9, ".idx.lock") == 0))
		return 1;
	if (strncmp(name, "pack-", 5) != 0 || len < 9 || strcmp(name + len - 4, ".idx") != 0)
		return 0;
	if (snprintf(pack, sizeof(pack), "%s/%.*s.pack", dir, (int)(len - 4), name) >= (int)sizeof(pack))
		return 0;
	return access(pack, F_OK) < 0 && errno == ENOENT;
}

static void remove_leftovers_in(const char *dir, int fetch)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!(fetch ? is_fetch_leftover(dir, de->d_name) : is_leftover(de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/*
 * hoso's pack writer renames its .pack, then its .idx, into place: killed
 * between the two, it leaves pack-<sum>.pack with no index (which git fsck
 * reports) and objects/pack/tmp_hoso_*.idx, which names the pack by the
 * checksum in its trailer. Nothing can read such a pack: remove it.
 */
static void remove_half_installed_packs(const char *packdir)
{
	char path[4096], twin[4096];
	unsigned char trailer[2 * GIT_OID_RAWSZ];
	struct dirent *de;
	DIR *d = opendir(packdir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		git_oid sum;
		char hex[GIT_OID_HEXSZ + 1];
		int fd;
		off_t size;

		if (strncmp(de->d_name, "tmp_hoso_", 9) != 0 || len < 13 ||
			strcmp(de->d_name + len - 4, ".idx") != 0)
			continue;
		if (snprintf(twin, sizeof(twin), "%s/%.*s.pack", packdir, (int)(len - 4),
			de->d_name) >= (int)sizeof(twin) || access(twin, F_OK) == 0)
			continue; /* killed before the renames */
		if (snprintf(path, sizeof(path), "%s/%s", packdir, de->d_name) >= (int)sizeof(path) ||
			(fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		size = lseek(fd, 0, SEEK_END);
		if (size >= (off_t)sizeof(trailer) &&
			pread(fd, trailer, sizeof(trailer), size - (off_t)sizeof(trailer)) ==
			(ssize_t)sizeof(trailer)) {
			git_oid_fromraw(&sum, trailer);
			git_oid_tostr(hex, sizeof(hex), &sum);
			if (snprintf(path, sizeof(path), "%s/pack-%s.idx", packdir, hex) < (int)sizeof(path) &&
				snprintf(twin, sizeof(twin), "%s/pack-%s.pack", packdir, hex) < (int)sizeof(twin) &&
				access(path, F_OK) < 0 && errno == ENOENT)
				unlink(twin);
		}
		close(fd);
	}
	closedir(d);
}

/* Remove each of `names` (NULL-terminated) under `gitdir`, if there. */
static void unlink_under(const char *gitdir, const char *const *names)
{
	char path[4096];

	for (; *names; names++) {
		snprintf(path, sizeof(path), "%s/%s", gitdir, *names);
		unlink(path);
	}
}

/*
 * A sync was killed mid-way (we hold the sync lock, or know no sync runs):
 * clear the locks of the refs and files a fetch and a push write, and the
 * indexer's leftovers.
 */
static void recover_sync(const char *gitdir)
{
	static const char *const locks[] = { "refs/remotes/origin/main.lock", "FETCH_HEAD.lock",
		"config.lock", NULL };
	char path[4096];

	unlink_under(gitdir, locks);
	snprintf(path, sizeof(path), "%s/objects/pack", gitdir);
	remove_leftovers_in(path, 1);
}

/*
 * 1 if no sync is running on the repository (a sync's fetch writes outside
 * the writer lock); then *fd holds the sync lock (or -1 if there is none).
 */
static int sync_idle(int *fd, const char *gitdir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/" HOSO_SYNC_LOCK, gitdir);
	if ((*fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return errno == ENOENT;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 1;
	close(*fd);
	*fd = -1;
	return 0;
}

/* A writer was killed mid-write: clear what it left (we hold the lock). */
static void recover(const char *gitdir)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	static const char *const locks[] = { "refs/heads/main.lock", "index.lock", NULL };
	int sync_fd = -1;

	unlink_under(gitdir, locks);
	snprintf(path, sizeof(path), "%s/objects", gitdir);
	remove_leftovers_in(path, 0);
	snprintf(path, sizeof(path), "%s/objects/pack", gitdir);
	remove_half_installed_packs(path);
	remove_leftovers_in(path, 0);
	/* A local hub's pusher writes its pack under this lock; a replica's fetch does not. */
	if (sync_idle(&sync_fd, gitdir))
		remove_leftovers_in(path, 1);
	if (sync_fd >= 0)
		close(sync_fd);
	snprintf(path, sizeof(path), "%s/objects", gitdir);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[4096];
		if (strlen(de->d_name) != 2 || !isxdigit((unsigned char)de->d_name[0]) ||
			!isxdigit((unsigned char)de->d_name[1]))
			continue;
		snprintf(sub, sizeof(sub), "%s/objects/%s", gitdir, de->d_name);
		remove_leftovers_in(sub, 0);
	}
	closedir(d);
}

static int acquire(int *fd_out, const char *gitdir, const char *name, unsigned int timeout_ms,
	void (*recover_cb)(const char *gitdir), const char *busy)
{
	char path[4096], pid[32];
	struct timespec nap = { 0, 2000000 };
	unsigned int waited = 0;
	ssize_t n;
	int fd, len;

	*fd_out = -1;
	snprintf(path, sizeof(path), "%s/%s", gitdir, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return hoso_error_set(HOSO_ERROR, "cannot open '%s': %s", path, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return hoso_error_set(HOSO_ERROR, "cannot lock '%s': %s", path, strerror(errno));
		}
		if (waited >= timeout_ms) {
			close(fd);
			return hoso_error_set(HOSO_ELOCKED, "%s for %u ms", busy, waited);
		}
		nanosleep(&nap, NULL);
		waited += (unsigned int)(nap.tv_nsec / 1000000);
		if (nap.tv_nsec < 50000000)
			nap.tv_nsec *= 2;
	}
	if ((n = pread(fd, pid, sizeof(pid) - 1, 0)) > 0)
		recover_cb(gitdir);
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (pwrite(fd, pid, (size_t)len, 0) != len) {
		close(fd);
		return hoso_error_set(HOSO_ERROR, "cannot write '%s': %s", path, strerror(errno));
	}
	*fd_out = fd;
	return 0;
}

int hoso_lock_acquire(int *fd_out, const char *gitdir, unsigned int timeout_ms)
{
	return acquire(fd_out, gitdir, "hoso.lock", timeout_ms, recover,
		"another hoso process has been writing to this repository");
}

int hoso_lock_acquire_sync(int *fd_out, const char *gitdir, unsigned int timeout_ms)
{
	return acquire(fd_out, gitdir, HOSO_SYNC_LOCK, timeout_ms, recover_sync,
		"another hoso sync has been running on this replica");
}

/* The pid `fd` holds, or 0. */
static long pid_in(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int hoso_lock_state(long *pid, const char *gitdir, const char *name)
{
	char path[4096];
	int fd, state;

	*pid = 0;
	snprintf(path, sizeof(path), "%s/%s", gitdir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 :
			hoso_error_set(HOSO_ERROR, "cannot open '%s': %s", path, strerror(errno));
	/* Shared, for a moment: the holder, if any, keeps it; a taker waits 2 ms. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		*pid = pid_in(fd);
		state = *pid ? 2 : 0;
		flock(fd, LOCK_UN);
	} else if (errno == EWOULDBLOCK) {
		*pid = pid_in(fd);
		state = 1;
	} else {
		state = hoso_error_set(HOSO_ERROR, "cannot look at '%s': %s", path, strerror(errno));
	}
	close(fd);
	return state;
}

void hoso_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0) {
		/* The next writer will clean up after us: harmless. */
	}
	close(fd);
}
