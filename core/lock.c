#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "lock.h"
#include "common.h"

static int is_leftover(const char *name)
{
	return strstr(name, "tmp_object_git2_") || strstr(name, "_git2_") ||
		strncmp(name, "tmp_hoso_", 9) == 0;
}

static void remove_leftovers_in(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!is_leftover(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* A writer was killed mid-write: clear what it left (we hold the lock). */
static void recover(const char *gitdir)
{
	char path[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/refs/heads/main.lock", gitdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.lock", gitdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/objects", gitdir);
	remove_leftovers_in(path);
	snprintf(path, sizeof(path), "%s/objects/pack", gitdir);
	remove_leftovers_in(path);
	snprintf(path, sizeof(path), "%s/objects", gitdir);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[4096];
		if (strlen(de->d_name) != 2 || !isxdigit((unsigned char)de->d_name[0]) ||
			!isxdigit((unsigned char)de->d_name[1]))
			continue;
		snprintf(sub, sizeof(sub), "%s/objects/%s", gitdir, de->d_name);
		remove_leftovers_in(sub);
	}
	closedir(d);
}

int hoso_lock_acquire(int *fd_out, const char *gitdir, unsigned int timeout_ms)
{
	char path[4096], pid[32];
	struct timespec nap = { 0, 2000000 };
	unsigned int waited = 0;
	ssize_t n;
	int fd, len;

	*fd_out = -1;
	snprintf(path, sizeof(path), "%s/hoso.lock", gitdir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return hoso_error_set(HOSO_ERROR, "cannot open '%s': %s", path, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return hoso_error_set(HOSO_ERROR, "cannot lock '%s': %s", path, strerror(errno));
		}
		if (waited >= timeout_ms) {
			close(fd);
			return hoso_error_set(HOSO_ELOCKED,
				"another hoso process has been writing to this repository for %u ms", waited);
		}
		nanosleep(&nap, NULL);
		waited += (unsigned int)(nap.tv_nsec / 1000000);
		if (nap.tv_nsec < 50000000)
			nap.tv_nsec *= 2;
	}
	if ((n = pread(fd, pid, sizeof(pid) - 1, 0)) > 0)
		recover(gitdir);
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (pwrite(fd, pid, (size_t)len, 0) != len) {
		close(fd);
		return hoso_error_set(HOSO_ERROR, "cannot write '%s': %s", path, strerror(errno));
	}
	*fd_out = fd;
	return 0;
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
