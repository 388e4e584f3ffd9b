#ifndef HOSO_FUZZ_H
#define HOSO_FUZZ_H

/*
 * What the fuzz targets share. An invariant that does not hold is a crash
 * like any other: FUZZ_ASSERT prints what failed and aborts, so libFuzzer
 * keeps the input.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...) do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/*
 * Split `data` at NUL bytes (which no JSON, CSV or name accepted here may
 * hold) into at most `max` parts; the last part keeps any further NULs.
 * Returns the number of parts (at least 1).
 */
static inline size_t fuzz_split(const uint8_t *data, size_t size, const char **parts,
	size_t *lens, size_t max)
{
	size_t n = 0;

	while (n + 1 < max) {
		const uint8_t *nul = memchr(data, 0, size);
		if (!nul)
			break;
		parts[n] = (const char *)data;
		lens[n++] = (size_t)(nul - data);
		size -= (size_t)(nul - data) + 1;
		data = nul + 1;
	}
	parts[n] = (const char *)data;
	lens[n++] = size;
	return n;
}

#endif
