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

/*
 * One sync at a time per replica: the same, on <gitdir>/hoso-sync.lock, held
 * for the whole sync (its fetch and push write refs and packs outside the
 * writer lock). A sync killed mid-way leaves its pid there; the next sync
 * removes the locks of origin/main, FETCH_HEAD and config, and the
 * indexer's temporary pack, index lock and an index without its pack. A
 * writer recovering from a killed writer removes the indexer's leftovers
 * only when no sync runs.
 */
#define HOSO_SYNC_LOCK "hoso-sync.lock"
int hoso_lock_acquire_sync(int *fd_out, const char *gitdir, unsigned int timeout_ms);

/*
 * Lock `name` of `gitdir` (hoso.lock, HOSO_SYNC_LOCK) as it stands, looked
 * at without taking it: 1 held now (the holder's pid in *pid, 0 if it has
 * not written it yet), 2 free but holding a pid (its holder was killed:
 * the next to take it clears what it left), 0 free.
 */
int hoso_lock_state(long *pid, const char *gitdir, const char *name);

/* Drop either lock (the kernel drops it too when the process dies). Accepts -1. */
void hoso_lock_release(int fd);

#endif
