#ifndef HOSO_ID_H
#define HOSO_ID_H

/*
 * Record ids: 26-character ULIDs (48-bit millisecond time, 80 random bits,
 * Crockford base32, upper case), made offline without coordination. The
 * shard directory is the last character, from the random end: 32 shards,
 * so that a unit's ~7,000 members sit ~200 to a directory and a type's
 * directory stays a small tree that every lookup can afford to read.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOSO_ID_LEN 26

/* A new id; ids made by one process increase strictly. 0 or HOSO_ERROR. */
int hoso_id_new(char out[HOSO_ID_LEN + 1]);

/* The id of time `ms` and the 10 bytes `rnd` (for deterministic data). */
void hoso_id_make(char out[HOSO_ID_LEN + 1], uint64_t ms, const uint8_t rnd[10]);

/* 1 if `s` is exactly a ULID in canonical (upper case) form, else 0. */
int hoso_id_valid(const char *s);

/* The shard of a valid id: its last character (`out` gets 1 character and a NUL). */
void hoso_id_shard(char out[3], const char *id);

#ifdef __cplusplus
}
#endif

#endif
