#ifndef HOSO_SYNC_MERGE_TREE_H
#define HOSO_SYNC_MERGE_TREE_H

/*
 * Merging two commits' trees record by record into a transaction that
 * starts at `ours`: what changed on their side only is taken as it is, what
 * changed on both is merged field by field (hoso_merge_record), and every
 * clash leaves a conflict record. Paths are identities: no rename detection;
 * a record moved to another unit is matched by its id.
 */

#include <git2.h>
#include "hoso/record.h"
#include "hoso/merge.h"

typedef struct {
	size_t taken;      /* records changed on their side only */
	size_t merged;     /* records changed on both sides */
	size_t conflicts;  /* conflict records written */
	size_t moved;      /* ours, written in a unit the hub has closed, moved to its successor */
	double check_s;    /* checking and writing merged records, as local writes are */
} hoso_merge_tree_stats;

/*
 * `user` (may be NULL: anyone) is who will push the merge: a record changed
 * on both sides that now lives in a unit access.json (as `theirs` has it)
 * does not let them write keeps the hub's version, and this side's in a
 * conflict record in a unit they may write, so that the hub takes the push.
 */
int hoso_merge_trees(hoso_txn *txn, hoso_repo *repo, const git_commit *base,
	const git_commit *ours, const git_commit *theirs, const char *user,
	hoso_problems *problems, hoso_merge_tree_stats *stats);

#endif
