#ifndef HOSO_CORE_COMMON_H
#define HOSO_CORE_COMMON_H

/* What the files of core/ share; not part of the public API. */

#include <stddef.h>
#include "hoso/errors.h"

/* A message's format in the person's language (see hoso/errors.h). */
#include <libintl.h>
#define _(s) dgettext(HOSO_TEXTDOMAIN, s)
/* A message in a table, translated where it is used. */
#define N_(s) (s)

/* Record the failure for hoso_error_last() and return `code`. */
int hoso_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Attach the next step to suggest to the failure just set (after hoso_error_set). */
void hoso_error_set_hint(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * Record a libgit2 failure with its subject: "<what>: <libgit2's message>",
 * and return `code` (or HOSO_ERROR when `code` is 0).
 */
int hoso_error_git(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Printf into a new malloc'd string; NULL when out of memory. */
char *hoso_strdupf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Remove `path` and everything under it (what this process made and must not leave). */
void hoso_remove_tree(const char *path);

/* Seconds on the monotonic clock, for timing the phases of long work. */
double hoso_clock(void);

/* hoso_date_valid */
#include "hoso/record.h"

/*
 * The offset of the first number in JSON `text` (text jansson has read) that
 * is not zero as written but reads as zero, as 1e-999999 does; `len` if none.
 */
size_t hoso_json_underflow_at(const char *text, size_t len);

#endif
