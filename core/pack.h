#ifndef HOSO_CORE_PACK_H
#define HOSO_CORE_PACK_H

/*
 * A packfile writer for large transactions: objects are hashed and deflated
 * as they are added, then written as one .pack with its .idx into the
 * repository's objects/pack/, durably, before any ref points at them.
 */

#include <stddef.h>
#include <git2.h>

typedef struct hoso_pack hoso_pack;

/*
 * A writer that will put its pack into `odb` (borrowed; must outlive it).
 * With `objects_dir` (the repository's objects/), the .pack and .idx are
 * written there directly; with NULL, through libgit2's indexer (slower: it
 * inflates and hashes everything again).
 */
int hoso_pack_new(hoso_pack **out, git_odb *odb, const char *objects_dir);

/*
 * Add one object; `*out` gets its id. An object already added is not added
 * twice. `data` is copied (compressed) before returning.
 */
int hoso_pack_add(hoso_pack *pack, git_oid *out, git_object_t type, const void *data, size_t len);

/* Objects added so far. */
size_t hoso_pack_count(const hoso_pack *pack);

/*
 * 1 if the object was added to this pack (it is not in the odb until
 * hoso_pack_write), else 0. Its bytes can be read back.
 */
int hoso_pack_has(const hoso_pack *pack, const git_oid *id);

/* Write the pack and its index into the odb; after this the objects are readable there. */
int hoso_pack_write(hoso_pack *pack);

/* Drop the writer (and, if not written, everything added). Accepts NULL. */
void hoso_pack_free(hoso_pack *pack);

#endif
