#ifndef HOSO_JSON_H
#define HOSO_JSON_H

/*
 * Canonical JSON. A record's bytes are a function of its content: UTF-8,
 * strings and keys in NFC, keys sorted bytewise, 2-space indent, "\n" line
 * ends, a final newline. Equal records are equal bytes, so equal blobs.
 */

#include <stddef.h>
#include <jansson.h>
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A record file larger than this is refused before it is parsed. */
#define HOSO_RECORD_MAX_BYTES (1024 * 1024)

/* No schema nests deeper than this; deeper input is refused. */
#define HOSO_JSON_MAX_DEPTH 16

/*
 * Parse untrusted text that must hold one JSON object: valid UTF-8, no NUL,
 * no duplicate keys (also after NFC), at most HOSO_JSON_MAX_DEPTH levels and
 * HOSO_RECORD_MAX_BYTES bytes, no number too large for a double or so small
 * it would read as 0 (1e-999999), nothing after the value. Strings and keys come
 * back NFC-normalized. On bad input returns HOSO_EINVALID and appends one
 * problem (rule "json", with line and column) to `problems` if not NULL.
 * `*out` is a new reference.
 */
int hoso_json_parse(json_t **out, const char *text, size_t len, hoso_problems *problems);

/*
 * A copy of `in` with every string and key in NFC. Refuses (HOSO_EINVALID,
 * one problem) invalid UTF-8, NUL in strings, keys that collide after
 * normalization, non-finite reals and nesting deeper than
 * HOSO_JSON_MAX_DEPTH. `in` is borrowed; `*out` is a new reference, which
 * is `in` itself when it is already normal: copy before changing it.
 */
int hoso_json_normalize(json_t **out, const json_t *in, hoso_problems *problems);

/*
 * The canonical bytes of an already normalized value. `*out` is malloc'd,
 * NUL-terminated, and ends with "\n"; `*len` excludes the NUL.
 */
int hoso_json_canonical(char **out, size_t *len, const json_t *value);

#ifdef __cplusplus
}
#endif

#endif
