#ifndef HOSO_ERRORS_H
#define HOSO_ERRORS_H

/*
 * Errors: every function returns 0 or a negative code. Named codes exist only
 * for failures a caller acts on; the detail is in hoso_error_last().
 *
 * Messages (errors, hints, problems) are translated through the gettext
 * domain HOSO_TEXTDOMAIN when the program has bound it (bindtextdomain) and
 * chosen a locale; otherwise they are English.
 */

#include <stddef.h>

#define HOSO_TEXTDOMAIN "hoso"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	HOSO_OK = 0,
	HOSO_ERROR = -1,      /* anything else: I/O, libgit2, out of memory */
	HOSO_ENOTFOUND = -3,  /* no such record, unit, type or repository */
	HOSO_EEXISTS = -4,    /* the thing to create is already there */
	HOSO_EINVALID = -5,   /* data broke a rule; see the problem list */
	HOSO_ECONFLICT = -6,  /* the branch moved under us */
	HOSO_ELOCKED = -7,    /* another writer held the lock too long */
	HOSO_EOFFLINE = -8,   /* the hub could not be reached */
	HOSO_EPLUGIN = -9,    /* a plugin was refused or failed */
	HOSO_EUSAGE = -10     /* the caller asked for something meaningless */
} hoso_error_code;

/* The message of the last failure in this thread; never NULL. */
const char *hoso_error_last(void);

/* The code of the last failure in this thread (0 if none). */
int hoso_error_last_code(void);

/* The next step to suggest for the last failure in this thread, or NULL. */
const char *hoso_error_hint(void);

/* Forget the last failure. */
void hoso_error_clear(void);

/*
 * A list of problems found in data: each names where (a file or path, and a
 * line for imports), the field, the rule and a message. Used by validation,
 * import and verify so that every bad field is reported, not only the first.
 */
typedef enum { HOSO_SEVERITY_ERROR = 0, HOSO_SEVERITY_WARNING = 1 } hoso_severity;

typedef struct {
	hoso_severity severity;
	char *where;    /* file or repository path; may be NULL */
	size_t line;    /* 1-based line in `where`, 0 when not a line */
	char *field;    /* dotted field path ("education.general", "positions[1]"); may be NULL */
	char *rule;     /* keyword or rule name ("required", "enum", "json"); never NULL */
	char *message;  /* what is wrong, lower case, no full stop; never NULL */
	char *record;   /* the id of the record it is about (a rule across records); may be NULL */
	char *commit;   /* the commit that wrote it (hex; verify); may be NULL */
} hoso_problem;

typedef struct hoso_problems hoso_problems;

int hoso_problems_new(hoso_problems **out);
void hoso_problems_free(hoso_problems *p);
size_t hoso_problems_count(const hoso_problems *p);
size_t hoso_problems_errors(const hoso_problems *p);
const hoso_problem *hoso_problems_get(const hoso_problems *p, size_t i);

/* Append a problem; `where` and `field` may be NULL. Returns 0 or HOSO_ERROR. */
int hoso_problems_add(hoso_problems *p, hoso_severity severity, const char *where,
	size_t line, const char *field, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 7, 8)))
#endif
	;

/*
 * Set `where` and `line` on every problem from index `from` on that has no
 * `where` yet (a validator knows the field, its caller knows the file).
 */
int hoso_problems_locate(hoso_problems *p, size_t from, const char *where, size_t line);

/* Set `where` and `line` on problem `i`. */
int hoso_problems_place(hoso_problems *p, size_t i, const char *where, size_t line);

/* Say which record the last problem added is about. */
int hoso_problems_set_record(hoso_problems *p, const char *id);

/* Say which commit (hex) problem `i` comes from. */
int hoso_problems_set_commit(hoso_problems *p, size_t i, const char *commit);

/* Order the problems from index `from` on by `where` (none last), keeping their order within one. */
void hoso_problems_sort(hoso_problems *p, size_t from);

/* Drop every problem from index `n` on. */
void hoso_problems_truncate(hoso_problems *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif
