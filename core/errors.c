#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <git2.h>

#include "common.h"

static _Thread_local char last_message[1024];
static _Thread_local int last_code;
static _Thread_local char last_hint[512];

const char *hoso_error_last(void)
{
	return last_message[0] ? last_message : "no error";
}

int hoso_error_last_code(void)
{
	return last_code;
}

const char *hoso_error_hint(void)
{
	return last_hint[0] ? last_hint : NULL;
}

void hoso_error_clear(void)
{
	last_message[0] = '\0';
	last_hint[0] = '\0';
	last_code = 0;
}

void hoso_error_set_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_hint, sizeof(last_hint), _(fmt), ap);
	va_end(ap);
}

int hoso_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), _(fmt), ap);
	va_end(ap);
	last_hint[0] = '\0';
	last_code = code;
	return code;
}

int hoso_error_git(int code, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char subject[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(subject, sizeof(subject), _(fmt), ap);
	va_end(ap);
	if (code == 0)
		code = HOSO_ERROR;
	return hoso_error_set(code, "%s: %s", subject,
		e && e->message ? e->message : "unknown libgit2 error");
}

char *hoso_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

double hoso_clock(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int hoso_date_valid(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i, leap;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
	}
	if (s[10] != '\0')
		return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

/* The problem list. */

struct hoso_problems {
	hoso_problem *items;
	size_t count, alloc, errors;
};

int hoso_problems_new(hoso_problems **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : hoso_error_set(HOSO_ERROR, "out of memory");
}

static void problem_clear(hoso_problem *p)
{
	free(p->where);
	free(p->field);
	free(p->rule);
	free(p->message);
	free(p->record);
	free(p->commit);
}

void hoso_problems_free(hoso_problems *p)
{
	if (!p)
		return;
	hoso_problems_truncate(p, 0);
	free(p->items);
	free(p);
}

size_t hoso_problems_count(const hoso_problems *p)
{
	return p ? p->count : 0;
}

size_t hoso_problems_errors(const hoso_problems *p)
{
	return p ? p->errors : 0;
}

const hoso_problem *hoso_problems_get(const hoso_problems *p, size_t i)
{
	return p && i < p->count ? &p->items[i] : NULL;
}

int hoso_problems_add(hoso_problems *p, hoso_severity severity, const char *where,
	size_t line, const char *field, const char *rule, const char *fmt, ...)
{
	hoso_problem *it;
	va_list ap;
	char msg[1024];

	if (!p)
		return 0;
	if (p->count == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 8;
		hoso_problem *items = realloc(p->items, n * sizeof(*items));
		if (!items)
			return hoso_error_set(HOSO_ERROR, "out of memory");
		p->items = items;
		p->alloc = n;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);

	it = &p->items[p->count];
	memset(it, 0, sizeof(*it));
	it->severity = severity;
	it->line = line;
	it->where = where ? strdup(where) : NULL;
	it->field = field ? strdup(field) : NULL;
	it->rule = strdup(rule ? rule : "");
	it->message = strdup(msg);
	if ((where && !it->where) || (field && !it->field) || !it->rule || !it->message) {
		problem_clear(it);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	p->count++;
	if (severity == HOSO_SEVERITY_ERROR)
		p->errors++;
	return 0;
}

int hoso_problems_locate(hoso_problems *p, size_t from, const char *where, size_t line)
{
	size_t i;

	if (!p)
		return 0;
	for (i = from; i < p->count; i++) {
		if (p->items[i].where)
			continue;
		if (where && !(p->items[i].where = strdup(where)))
			return hoso_error_set(HOSO_ERROR, "out of memory");
		p->items[i].line = line;
	}
	return 0;
}

int hoso_problems_place(hoso_problems *p, size_t i, const char *where, size_t line)
{
	char *copy;

	if (!p || i >= p->count)
		return 0;
	if (!(copy = strdup(where ? where : "")))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	free(p->items[i].where);
	p->items[i].where = copy;
	p->items[i].line = line;
	return 0;
}

int hoso_problems_set_record(hoso_problems *p, const char *id)
{
	hoso_problem *it;

	if (!p || !p->count || !id)
		return 0;
	it = &p->items[p->count - 1];
	free(it->record);
	if (!(it->record = strdup(id)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	return 0;
}

int hoso_problems_set_commit(hoso_problems *p, size_t i, const char *commit)
{
	char *copy;

	if (!p || i >= p->count || !commit)
		return 0;
	if (!(copy = strdup(commit)))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	free(p->items[i].commit);
	p->items[i].commit = copy;
	return 0;
}

static int by_where(const void *a, const void *b)
{
	const hoso_problem *pa = a, *pb = b;
	int c;

	if (!pa->where != !pb->where)
		return pa->where ? -1 : 1;
	if (pa->where && (c = strcmp(pa->where, pb->where)) != 0)
		return c;
	/* Equal paths: the order they were found in (their index, in `line` while sorting). */
	return pa->line < pb->line ? -1 : pa->line > pb->line;
}

void hoso_problems_sort(hoso_problems *p, size_t from)
{
	size_t i, *lines;

	if (!p || p->count <= from + 1 || !(lines = malloc((p->count - from) * sizeof(*lines))))
		return;
	/* qsort is not stable: order equal paths by their first index, carried in `line`. */
	for (i = from; i < p->count; i++) {
		lines[i - from] = p->items[i].line;
		p->items[i].line = i;
	}
	qsort(p->items + from, p->count - from, sizeof(*p->items), by_where);
	for (i = from; i < p->count; i++)
		p->items[i].line = lines[p->items[i].line - from];
	free(lines);
}

void hoso_problems_truncate(hoso_problems *p, size_t n)
{
	if (!p)
		return;
	while (p->count > n) {
		hoso_problem *it = &p->items[--p->count];
		if (it->severity == HOSO_SEVERITY_ERROR)
			p->errors--;
		problem_clear(it);
	}
}
