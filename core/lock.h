#ifndef HOSO_CORE_LOCK_H
#define HOSO_CORE_LOCK_H

/*
 * One writer at a time per repository: an flock(2) on <gitdir>/hoso.lock,
 * which the kernel drops when a writer dies. While a writer works the file
 * holds its pid; a lock found holding a pid means the last writer was killed
 * mid-write, and its leftovers (ref locks, temporary objects and packs) are
 * removed before the new writer starts.
 */

int hoso_lock_acquire(int *fd_out, const char *gitdir, unsigned int timeout_ms);
void hoso_lock_release(int fd);

#endif
