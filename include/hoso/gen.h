#ifndef HOSO_GEN_H
#define HOSO_GEN_H

/*
 * The province generator: a synthetic Hà Giang province as at the end of a
 * year (RECORDS.md's sizes and the published 2023 figures), made
 * deterministically from a seed. Synthetic people only. Used by `hoso demo`,
 * the benchmarks and the scale tests.
 */

#include <stdint.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned int version;
	uint64_t seed;      /* same seed, same records, same bytes */
	int year;           /* the year whose activity is generated: 2023 */
	double scale;       /* 1.0: the whole province; 0.01 for quick tests */
} hoso_gen_options;

#define HOSO_GEN_OPTIONS_VERSION 1
#define HOSO_GEN_OPTIONS_INIT { HOSO_GEN_OPTIONS_VERSION, 2023, 2023, 1.0 }

/* The seed province's units as {"units": [{"code", "name", "level", "parent"}]}; a new reference. */
json_t *hoso_gen_units(void);

/* The seed province's code ("02") and name. */
const char *hoso_gen_province_code(void);
const char *hoso_gen_province_name(void);

/*
 * Generate every record, each once, referenced records before the records
 * that refer to them. `record` is borrowed and carries "id" and "type".
 * A non-zero return from `cb` stops the generator and is returned.
 */
typedef int (*hoso_gen_cb)(const char *unit, const char *type, const json_t *record, void *payload);
int hoso_gen_province(const hoso_gen_options *opts, hoso_gen_cb cb, void *payload);

#ifdef __cplusplus
}
#endif

#endif
