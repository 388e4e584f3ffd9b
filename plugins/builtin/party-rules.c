/*
 * party-rules: the party's own rules about members, discipline and
 * evaluations (docs: shared/domain/RECORDS.md, validation rules 3 to 10).
 * Built against hoso/plugin.h only; records arrive as JSON text and are
 * parsed with jansson.
 *
 * Per record (check_record):
 *   3   E  at admission_date the member is at least 18. Dates compare as
 *          integers YYYYMMDD: the age is the difference of the years, less one
 *          when the admission's MMDD is before the birth's MMDD. So a member
 *          born on 29 February turns 18 on 1 March in a non-leap year.
 *   4   E  a full member (chinh_thuc) has official_date exactly 12 calendar
 *          months after admission_date; 29 February becomes 28 February.
 *   5   E  admission_decision_date <= admission_date; a probationary member
 *          (du_bi) has no official_date today or earlier.
 *   6   E  the discipline form is allowed for the subject. A member counts as
 *          probationary when it is du_bi now, or when its official_date is
 *          after the decision_date (it was probationary when disciplined).
 *   8   E  under qd366_2025 the rating follows the score.
 *   10  W  a tang_huy_hieu badge is given before the member's seniority (from
 *          admission_decision_date, else admission_date) reaches badge_years.
 * Across records (check_set):
 *   7   E  a subject disciplined in a year (the decision_date's) is not rated
 *          htxsnv that year.
 *   8   E  under qd124_2023, among the organizations under one parent rated in
 *          a year, those rated htxsnv are at most 20% of those rated httnv;
 *          reported on the parent.
 *   9   E  every referenced id exists with the right type; a member's cell_id
 *          is a cell (chi_bo_co_so, chi_bo_truc_thuoc) not dissolved on or
 *          before the member's latest event (its latest member_event's date,
 *          else its admission_date).
 *   10  W  an open cell (no dissolved_on) has fewer than 3 full members
 *          (chinh_thuc and dang_sinh_hoat).
 * check_set makes one record_foreach pass over every record, keeping a small
 * struct per record in a hash index, then checks in linear time. With a
 * changed set, only findings that involve a changed record are reported: the
 * record itself, a record referring to it, the group (parent, year) or cell it
 * belongs to, the member a changed event is about. A member moved out of a
 * cell does not touch its former cell.
 *
 * Unparsable JSON and fields of the wrong type are skipped, never reported:
 * the schemas report them.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>
#include <jansson.h>
#include "../../core/record_view.h"
#include <libintl.h>
#define HOSO_TEXTDOMAIN "hoso"
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RULE(n) "party-rules/" #n

static const hoso_host_api *api;

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static void finding(hoso_host *host, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *fmt, ...) PRINTF_LIKE(6, 7);

static void finding(hoso_host *host, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	/* A built-in plugin speaks in hoso's messages (po/), in the person's language. */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), dgettext(HOSO_TEXTDOMAIN, fmt), ap);
	va_end(ap);
	api->report(host, severity, id, field, rule, message);
}

/* ---- small helpers ---- */

/* "YYYY-MM-DD" as YYYYMMDD, or -1. */
static long parse_date(const char *s)
{
	long y = 0, m = 0, d = 0;
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	return y * 10000 + m * 100 + d;
}

static const char *str_field(record_view *o, const char *key)
{
	return rv_str(o, key);
}

static long date_field(record_view *o, const char *key)
{
	return parse_date(str_field(o, key));
}

static int is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

static long today(void)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 99991231;
	return (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The record `id` from the host, in `v` (rv_close it); 0, or -1 when absent or unparsable. */
static int get_record(record_view *v, hoso_host *host, const char *id)
{
	char *text = NULL, *copy = NULL, unit[64];
	size_t len = 0;

	if (!id || api->record_get(host, id, &text, &len, unit) != 0 || !text ||
		!(copy = malloc(len ? len : 1))) {
		if (text)
			api->free(text);
		return -1;
	}
	memcpy(copy, text, len);
	api->free(text);
	return rv_open_owned(v, copy, len);
}

/* ---- per record ---- */

static void check_member(hoso_host *host, const char *id, record_view *o)
{
	const char *birth_s = str_field(o, "birth_date"), *adm_s = str_field(o, "admission_date");
	const char *dec_s = str_field(o, "admission_decision_date"), *off_s = str_field(o, "official_date");
	const char *membership = str_field(o, "membership");
	long birth = parse_date(birth_s), adm = parse_date(adm_s), dec = parse_date(dec_s);
	long off = parse_date(off_s);

	/* 3 */
	if (birth > 0 && adm > 0) {
		long age = adm / 10000 - birth / 10000 - (adm % 10000 < birth % 10000 ? 1 : 0);

		if (age < 18)
			finding(host, HOSO_FINDING_ERROR, id, "admission_date", RULE(3),
				"member born %s is %ld at admission on %s, under 18", birth_s, age, adm_s);
	}
	/* 4 */
	if (is(membership, "chinh_thuc") && adm > 0) {
		if (!rv_has(o, "official_date")) {
			finding(host, HOSO_FINDING_ERROR, id, "official_date", RULE(4),
				"membership is chinh_thuc but official_date is missing");
		} else if (off > 0) {
			long expected = adm + 10000 - (adm % 10000 == 229 ? 1 : 0);

			if (off != expected)
				finding(host, HOSO_FINDING_ERROR, id, "official_date", RULE(4),
					"official_date %s is not 12 months after admission_date %s: expected %04ld-%02ld-%02ld",
					off_s, adm_s, expected / 10000, expected / 100 % 100, expected % 100);
		}
	}
	/* 5 */
	if (dec > 0 && adm > 0 && dec > adm)
		finding(host, HOSO_FINDING_ERROR, id, "admission_decision_date", RULE(5),
			"admission_decision_date %s is after admission_date %s", dec_s, adm_s);
	if (is(membership, "du_bi") && off > 0 && off <= today())
		finding(host, HOSO_FINDING_ERROR, id, "official_date", RULE(5),
			"membership is du_bi but official_date %s is not in the future", off_s);
}

static void check_discipline(hoso_host *host, const char *id, record_view *o)
{
	static const char *const org_forms[] = { "khien_trach", "canh_cao", "giai_tan", NULL };
	static const char *const member_forms[] = { "khien_trach", "canh_cao", "cach_chuc", "khai_tru", NULL };
	const char *kind = str_field(o, "subject_kind"), *form = str_field(o, "form");
	const char *const *allowed;
	size_t i;

	if (!form)
		return;
	if (is(kind, "organization"))
		allowed = org_forms;
	else if (is(kind, "member"))
		allowed = member_forms;
	else
		return;
	for (i = 0; allowed[i] && strcmp(allowed[i], form) != 0; i++)
		;
	if (!allowed[i]) {
		finding(host, HOSO_FINDING_ERROR, id, "form", RULE(6),
			"form '%s' is not allowed for %s", form,
			allowed == org_forms ? dgettext(HOSO_TEXTDOMAIN, "an organization") :
			dgettext(HOSO_TEXTDOMAIN, "a member"));
		return;
	}
	if (allowed == member_forms && (is(form, "cach_chuc") || is(form, "khai_tru"))) {
		const char *subject = str_field(o, "subject_id");
		long decided = date_field(o, "decision_date"), off;
		record_view m;

		if (get_record(&m, host, subject) < 0)
			return;
		off = date_field(&m, "official_date");
		if (is(str_field(&m, "membership"), "du_bi") || (off > 0 && decided > 0 && decided < off))
			finding(host, HOSO_FINDING_ERROR, id, "form", RULE(6),
				"form '%s' is not allowed for probationary member '%s'", form, subject);
		rv_close(&m);
	}
}

static void check_evaluation(hoso_host *host, const char *id, record_view *o)
{
	const char *rating = str_field(o, "rating"), *expected;
	double s;

	if (!is(str_field(o, "rule_set"), "qd366_2025") || !rating || !rv_number(o, "score", &s))
		return;
	expected = s >= 90 ? "htxsnv" : s >= 70 ? "httnv" : s >= 50 ? "htnv" : "khtnv";
	if (strcmp(rating, expected) != 0)
		finding(host, HOSO_FINDING_ERROR, id, "rating", RULE(8),
			"rating '%s' does not follow score %g: expected '%s'", rating, s, expected);
}

static void check_member_event(hoso_host *host, const char *id, record_view *o)
{
	const char *date_s = str_field(o, "date"), *start_s;
	long date = parse_date(date_s), start;
	long long years;
	record_view m;

	if (!is(str_field(o, "kind"), "tang_huy_hieu") || !rv_int(o, "badge_years", &years) || date < 0)
		return;
	if (years <= 0 || years > 200)
		return;
	if (get_record(&m, host, str_field(o, "member_id")) < 0)
		return;
	start_s = str_field(&m, "admission_decision_date");
	if (parse_date(start_s) < 0)
		start_s = str_field(&m, "admission_date");
	start = parse_date(start_s);
	if (start > 0 && date < start + (long)years * 10000)
		finding(host, HOSO_FINDING_WARNING, id, "badge_years", RULE(10),
			"badge for %lld years given on %s, before the member's seniority from %s reaches %lld years",
			years, date_s, start_s, years);
	rv_close(&m);
}

static int check_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	record_view v, *o = &v;
	const char *id;

	(void)state;
	(void)unit;
	if (rv_open(o, json, len) < 0)
		return 0;
	if (!type)
		type = str_field(o, "type");
	id = str_field(o, "id");
	if (is(type, "member"))
		check_member(host, id, o);
	else if (is(type, "discipline"))
		check_discipline(host, id, o);
	else if (is(type, "evaluation"))
		check_evaluation(host, id, o);
	else if (is(type, "member_event"))
		check_member_event(host, id, o);
	rv_close(o);
	return 0;
}

/* ---- across records: arena, vectors, hash map ---- */

typedef struct block {
	struct block *next;
	size_t used, size;
	char data[];
} block;

typedef struct {
	block *head;
	int oom;
} arena;

static char *arena_strdup(arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (!a->head || a->head->size - a->head->used < n) {
		size_t size = n > 65536 ? n : 65536;
		block *b = malloc(sizeof(block) + size);

		if (!b) {
			a->oom = 1;
			return NULL;
		}
		b->next = a->head;
		b->used = 0;
		b->size = size;
		a->head = b;
	}
	p = a->head->data + a->head->used;
	memcpy(p, s, n);
	a->head->used += n;
	return p;
}

static void arena_free(arena *a)
{
	while (a->head) {
		block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* Room for one more element in a vector; 0, or -1. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t cap2;

	if (n < *cap)
		return 0;
	cap2 = *cap ? *cap * 2 : 64;
	if (!(p = realloc(*items, cap2 * size)))
		return -1;
	*items = p;
	*cap = cap2;
	return 0;
}

/* Borrowed string keys to size_t values, open addressing. */
typedef struct {
	const char **keys;
	size_t *vals;
	size_t cap, n;
} map;

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int map_get(const map *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap || !key)
		return 0;
	for (i = hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0) {
			if (val)
				*val = m->vals[i];
			return 1;
		}
	return 0;
}

/* Adds key unless present; 0, or -1 when out of memory. */
static int map_put(map *m, const char *key, size_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		map bigger = { NULL, NULL, m->cap ? m->cap * 2 : 256, 0 };

		bigger.keys = calloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = calloc(bigger.cap, sizeof(*bigger.vals));
		if (!bigger.keys || !bigger.vals) {
			free(bigger.keys);
			free(bigger.vals);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->keys[i])
				map_put(&bigger, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = bigger;
	}
	for (i = hash(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return 0;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

static void map_free(map *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---- across records: the index ---- */

enum {
	T_ORGANIZATION, T_MEMBER, T_MEMBER_EVENT, T_CANDIDATE, T_INSPECTION, T_SUPERVISION,
	T_DISCIPLINE, T_EVALUATION, T_TRAINING_COURSE, T_CELL_MEETING, T_OTHER,
	T_SUBJECT = -1 /* a target given by subject_kind */
};

static const char *const type_names[] = {
	"organization", "member", "member_event", "candidate", "inspection", "supervision",
	"discipline", "evaluation", "training_course", "cell_meeting", "record"
};

static const char *const type_articles[] = {
	"an organization", "a member", "a member event", "a candidate", "an inspection",
	"a supervision", "a discipline", "an evaluation", "a training course", "a cell meeting",
	"a record"
};

typedef struct {
	int type;
	const char *field;
	int target;
	int many;
} ref_spec;

static const ref_spec ref_specs[] = {
	{ T_ORGANIZATION, "parent_id", T_ORGANIZATION, 0 },
	{ T_ORGANIZATION, "predecessor_ids", T_ORGANIZATION, 1 },
	{ T_ORGANIZATION, "successor_ids", T_ORGANIZATION, 1 },
	{ T_MEMBER, "cell_id", T_ORGANIZATION, 0 },
	{ T_MEMBER_EVENT, "member_id", T_MEMBER, 0 },
	{ T_MEMBER_EVENT, "decided_by", T_ORGANIZATION, 0 },
	{ T_CANDIDATE, "cell_id", T_ORGANIZATION, 0 },
	{ T_CANDIDATE, "introducer_ids", T_MEMBER, 1 },
	{ T_CANDIDATE, "member_id", T_MEMBER, 0 },
	{ T_INSPECTION, "conducted_by", T_ORGANIZATION, 0 },
	{ T_INSPECTION, "subject_org_ids", T_ORGANIZATION, 1 },
	{ T_INSPECTION, "subject_member_ids", T_MEMBER, 1 },
	{ T_SUPERVISION, "conducted_by", T_ORGANIZATION, 0 },
	{ T_SUPERVISION, "subject_org_ids", T_ORGANIZATION, 1 },
	{ T_SUPERVISION, "subject_member_ids", T_MEMBER, 1 },
	{ T_DISCIPLINE, "subject_id", T_SUBJECT, 0 },
	{ T_DISCIPLINE, "decided_by", T_ORGANIZATION, 0 },
	{ T_DISCIPLINE, "source_inspection_id", T_INSPECTION, 0 },
	{ T_EVALUATION, "subject_id", T_SUBJECT, 0 },
	{ T_TRAINING_COURSE, "organizer_id", T_ORGANIZATION, 0 },
	{ T_TRAINING_COURSE, "participant_ids", T_MEMBER, 1 },
	{ T_CELL_MEETING, "cell_id", T_ORGANIZATION, 0 },
};

typedef struct {
	const char *id;
	int type;
	int changed;
	/* organization */
	const char *parent_id;
	const char *level;
	int is_cell;
	long dissolved;
	size_t full_members;
	int touched;
	/* member */
	const char *cell_id;
	int full_active;
	long admission;
	long latest;          /* its latest event's date (admission_date without one) */
	int latest_is_event;
	int event_changed;    /* one of its events is among the changes */
	/* member_event */
	const char *event_member;
	long event_date;
} entry;

typedef struct {
	size_t rec;
	const char *subject;
	int year;
} discipline_row;

typedef struct {
	size_t rec;
	const char *subject;
	int subject_org;
	int year;
	int qd124;
	int htxsnv, httnv;
} evaluation_row;

typedef struct {
	size_t rec;
	const char *field;
	int target;
	const char *target_id;
} ref_row;

typedef struct {
	const char *parent;
	int year;
	size_t htxsnv, httnv;
	int touched;
} group_row;

typedef struct {
	arena strings;
	int filter;       /* a changed set was given */
	map changed;      /* the changed ids */
	map asked;        /* the lookups gather() made already */
	map ids;          /* id -> entries[] */
	entry *entries;
	size_t n_entries, cap_entries;
	discipline_row *disciplines;
	size_t n_disciplines, cap_disciplines;
	evaluation_row *evaluations;
	size_t n_evaluations, cap_evaluations;
	ref_row *refs;
	size_t n_refs, cap_refs;
	int oom;
} index_ctx;

static int type_of(const char *name)
{
	int t;

	for (t = 0; t < T_OTHER; t++)
		if (is(name, type_names[t]))
			return t;
	return T_OTHER;
}

static void add_ref(index_ctx *c, size_t rec, int is_changed, const char *field, int target,
	const char *target_id)
{
	ref_row *r;

	/* A member's cell is checked against its events, which may be what changed. */
	int member_cell = c->entries[rec].type == T_MEMBER && strcmp(field, "cell_id") == 0;

	if (!target_id || (c->filter && !is_changed && !member_cell &&
		!map_get(&c->changed, target_id, NULL)))
		return;
	if (grow((void **)&c->refs, &c->cap_refs, c->n_refs, sizeof(*c->refs)) < 0) {
		c->oom = 1;
		return;
	}
	r = &c->refs[c->n_refs];
	r->rec = rec;
	r->field = field;
	r->target = target;
	if (!(r->target_id = arena_strdup(&c->strings, target_id)))
		return;
	c->n_refs++;
}

static void collect_refs(index_ctx *c, size_t rec, record_view *o)
{
	const entry *e = &c->entries[rec];
	size_t i, j;

	for (i = 0; i < sizeof(ref_specs) / sizeof(ref_specs[0]); i++) {
		const ref_spec *s = &ref_specs[i];
		const json_t *v;
		int target = s->target;

		if (s->type != e->type || !rv_has(o, s->field))
			continue;
		if (target == T_SUBJECT) {
			const char *kind = str_field(o, "subject_kind");

			target = is(kind, "organization") ? T_ORGANIZATION : is(kind, "member") ? T_MEMBER : T_SUBJECT;
		}
		if (!s->many)
			add_ref(c, rec, e->changed, s->field, target, str_field(o, s->field));
		else if ((v = rv_array(o, s->field)))
			for (j = 0; j < json_array_size(v); j++)
				add_ref(c, rec, e->changed, s->field, target, json_string_value(json_array_get(v, j)));
	}
}

static const char *keep(index_ctx *c, const char *s)
{
	return s ? arena_strdup(&c->strings, s) : NULL;
}

static int index_visit(void *payload, const char *unit, const char *id, const char *json, size_t len)
{
	index_ctx *c = payload;
	record_view v, *o = &v;
	entry *e;
	size_t rec;

	(void)unit;
	if (rv_open(o, json, len) < 0)
		return 0;
	if (!id)
		id = str_field(o, "id");
	if (!id || map_get(&c->ids, id, NULL))
		goto done;
	if (grow((void **)&c->entries, &c->cap_entries, c->n_entries, sizeof(*c->entries)) < 0) {
		c->oom = 1;
		goto done;
	}
	rec = c->n_entries;
	e = &c->entries[rec];
	memset(e, 0, sizeof(*e));
	e->type = type_of(str_field(o, "type"));
	e->changed = !c->filter || map_get(&c->changed, id, NULL);
	e->dissolved = -1;
	e->admission = -1;
	if (!(e->id = keep(c, id)))
		goto done;
	if (e->type == T_ORGANIZATION) {
		e->level = keep(c, str_field(o, "level"));
		e->parent_id = keep(c, str_field(o, "parent_id"));
		e->is_cell = is(e->level, "chi_bo_co_so") || is(e->level, "chi_bo_truc_thuoc");
		e->dissolved = date_field(o, "dissolved_on");
	} else if (e->type == T_MEMBER) {
		e->cell_id = keep(c, str_field(o, "cell_id"));
		e->full_active = is(str_field(o, "membership"), "chinh_thuc") &&
			is(str_field(o, "status"), "dang_sinh_hoat");
		e->admission = date_field(o, "admission_date");
	} else if (e->type == T_MEMBER_EVENT) {
		e->event_member = keep(c, str_field(o, "member_id"));
		e->event_date = date_field(o, "date");
	} else if (e->type == T_DISCIPLINE) {
		long decided = date_field(o, "decision_date");
		const char *subject = str_field(o, "subject_id");

		if (decided > 0 && subject) {
			if (grow((void **)&c->disciplines, &c->cap_disciplines, c->n_disciplines,
				sizeof(*c->disciplines)) < 0) {
				c->oom = 1;
				goto done;
			}
			c->disciplines[c->n_disciplines].rec = rec;
			c->disciplines[c->n_disciplines].year = (int)(decided / 10000);
			if (!(c->disciplines[c->n_disciplines].subject = keep(c, subject)))
				goto done;
			c->n_disciplines++;
		}
	} else if (e->type == T_EVALUATION) {
		long long year;
		const char *subject = str_field(o, "subject_id"), *rating = str_field(o, "rating");

		if (rv_int(o, "year", &year) && subject && rating) {
			evaluation_row *r;

			if (grow((void **)&c->evaluations, &c->cap_evaluations, c->n_evaluations,
				sizeof(*c->evaluations)) < 0) {
				c->oom = 1;
				goto done;
			}
			r = &c->evaluations[c->n_evaluations];
			r->rec = rec;
			r->year = (int)year;
			r->subject_org = is(str_field(o, "subject_kind"), "organization");
			r->qd124 = is(str_field(o, "rule_set"), "qd124_2023");
			r->htxsnv = is(rating, "htxsnv");
			r->httnv = is(rating, "httnv");
			if (!(r->subject = keep(c, subject)))
				goto done;
			c->n_evaluations++;
		}
	}
	if (map_put(&c->ids, e->id, rec) < 0) {
		c->oom = 1;
		goto done;
	}
	c->n_entries++;
	collect_refs(c, rec, o);
done:
	rv_close(o);
	if (c->strings.oom)
		c->oom = 1;
	return c->oom ? -1 : 0;
}

/* "subject\x1fyear", in the arena. */
static const char *year_key(index_ctx *c, const char *subject, int year)
{
	char buf[320];

	snprintf(buf, sizeof(buf), "%.290s\x1f%d", subject, year);
	return arena_strdup(&c->strings, buf);
}

/* Each member's latest event date, and whether an event of it changed. */
static void latest_events(index_ctx *c)
{
	size_t i, t;

	for (i = 0; i < c->n_entries; i++)
		c->entries[i].latest = c->entries[i].admission;
	for (i = 0; i < c->n_entries; i++) {
		const entry *ev = &c->entries[i];
		entry *m;

		if (ev->type != T_MEMBER_EVENT || !ev->event_member ||
			!map_get(&c->ids, ev->event_member, &t) || c->entries[t].type != T_MEMBER)
			continue;
		m = &c->entries[t];
		m->event_changed |= ev->changed;
		if (ev->event_date > m->latest) {
			m->latest = ev->event_date;
			m->latest_is_event = 1;
		}
	}
}

/* 9: references. */
static void check_refs(index_ctx *c, hoso_host *host)
{
	size_t i, t;

	latest_events(c);
	for (i = 0; i < c->n_refs; i++) {
		const ref_row *r = &c->refs[i];
		const entry *src = &c->entries[r->rec], *dst;
		long at;

		/* Kept for every member: reported when it, its cell or one of its events changed. */
		if (c->filter && src->type == T_MEMBER && strcmp(r->field, "cell_id") == 0 &&
			!src->changed && !src->event_changed && !map_get(&c->changed, r->target_id, NULL))
			continue;
		if (!map_get(&c->ids, r->target_id, &t)) {
			finding(host, HOSO_FINDING_ERROR, src->id, r->field, RULE(9),
				"%s '%s' does not exist",
				r->target == T_SUBJECT ? "record" : type_names[r->target], r->target_id);
			continue;
		}
		dst = &c->entries[t];
		if (r->target == T_SUBJECT ? dst->type != T_ORGANIZATION && dst->type != T_MEMBER
		    : dst->type != r->target) {
			finding(host, HOSO_FINDING_ERROR, src->id, r->field, RULE(9),
				"'%s' is %s, not %s", r->target_id, type_articles[dst->type],
				r->target == T_SUBJECT ? "an organization or a member" : type_articles[r->target]);
			continue;
		}
		if (src->type != T_MEMBER || strcmp(r->field, "cell_id") != 0)
			continue;
		at = src->latest;
		if (!dst->is_cell)
			finding(host, HOSO_FINDING_ERROR, src->id, r->field, RULE(9),
				"cell_id '%s' is not a cell: its level is %s", r->target_id,
				dst->level ? dst->level : "missing");
		else if (dst->dissolved > 0 && at > 0 && dst->dissolved <= at)
			finding(host, HOSO_FINDING_ERROR, src->id, r->field, RULE(9),
				"cell '%s' was dissolved on %04ld-%02ld-%02ld, before %s %04ld-%02ld-%02ld",
				r->target_id, dst->dissolved / 10000, dst->dissolved / 100 % 100, dst->dissolved % 100,
				src->latest_is_event ? "the member's latest event on" : "admission_date",
				at / 10000, at / 100 % 100, at % 100);
	}
}

/* 7: no htxsnv in a year of discipline. */
static int check_discipline_year(index_ctx *c, hoso_host *host)
{
	map years = { NULL, NULL, 0, 0 };
	int *changed = NULL;
	size_t i, n = 0, g;
	int error = -1;

	if (c->n_disciplines && !(changed = calloc(c->n_disciplines, sizeof(*changed))))
		goto done;
	for (i = 0; i < c->n_disciplines; i++) {
		const discipline_row *d = &c->disciplines[i];
		const char *key = year_key(c, d->subject, d->year);

		if (!key || map_put(&years, key, n) < 0)
			goto done;
		map_get(&years, key, &g);
		if (g == n)
			n++;
		changed[g] |= c->entries[d->rec].changed;
	}
	for (i = 0; i < c->n_evaluations; i++) {
		const evaluation_row *r = &c->evaluations[i];
		const entry *e = &c->entries[r->rec];
		const char *key;

		if (!r->htxsnv || !n)
			continue;
		if (!(key = year_key(c, r->subject, r->year)))
			goto done;
		if (map_get(&years, key, &g) && (e->changed || changed[g]))
			finding(host, HOSO_FINDING_ERROR, e->id, "rating", RULE(7),
				"'%s' was disciplined in %d and cannot be rated htxsnv that year",
				r->subject, r->year);
	}
	error = 0;
done:
	map_free(&years);
	free(changed);
	return error;
}

/* 8: the 20% quota under qd124_2023, by parent and year. */
static int check_quota(index_ctx *c, hoso_host *host)
{
	map keys = { NULL, NULL, 0, 0 };
	group_row *groups = NULL;
	size_t i, n = 0, cap = 0, g, t;
	int error = -1;

	for (i = 0; i < c->n_evaluations; i++) {
		const evaluation_row *r = &c->evaluations[i];
		const entry *org;
		const char *key;

		if (!r->qd124 || !r->subject_org || !map_get(&c->ids, r->subject, &t))
			continue;
		org = &c->entries[t];
		if (org->type != T_ORGANIZATION || !org->parent_id)
			continue;
		if (!(key = year_key(c, org->parent_id, r->year)))
			goto done;
		if (!map_get(&keys, key, &g)) {
			if (grow((void **)&groups, &cap, n, sizeof(*groups)) < 0 || map_put(&keys, key, n) < 0)
				goto done;
			g = n++;
			memset(&groups[g], 0, sizeof(groups[g]));
			groups[g].parent = org->parent_id;
			groups[g].year = r->year;
		}
		groups[g].htxsnv += r->htxsnv ? 1 : 0;
		groups[g].httnv += r->httnv ? 1 : 0;
		groups[g].touched |= c->entries[r->rec].changed || org->changed;
	}
	for (g = 0; g < n; g++)
		if (groups[g].touched && groups[g].htxsnv * 5 > groups[g].httnv)
			finding(host, HOSO_FINDING_ERROR, groups[g].parent, NULL, RULE(8),
				"in %d, organizations under '%s' rated htxsnv: %zu, more than 20%% of those rated httnv: %zu",
				groups[g].year, groups[g].parent, groups[g].htxsnv, groups[g].httnv);
	error = 0;
done:
	map_free(&keys);
	free(groups);
	return error;
}

/* 10: small cells. */
static void check_cells(index_ctx *c, hoso_host *host)
{
	size_t i, t;

	for (i = 0; i < c->n_entries; i++) {
		const entry *m = &c->entries[i];

		if (m->type != T_MEMBER || !map_get(&c->ids, m->cell_id, &t) ||
		    c->entries[t].type != T_ORGANIZATION)
			continue;
		c->entries[t].full_members += m->full_active ? 1 : 0;
		c->entries[t].touched |= m->changed;
	}
	for (i = 0; i < c->n_entries; i++) {
		const entry *e = &c->entries[i];

		if (e->type == T_ORGANIZATION && e->is_cell && e->dissolved < 0 &&
		    (e->changed || e->touched) && e->full_members < 3)
			finding(host, HOSO_FINDING_WARNING, e->id, NULL, RULE(10),
				dngettext(HOSO_TEXTDOMAIN, "cell has %zu full member, fewer than 3",
				"cell has %zu full members, fewer than 3", e->full_members), e->full_members);
	}
}

/*
 * With a few changes, only what the rules need about them, found through the
 * host's index: each changed record, what it refers to and what refers to
 * it; for a discipline or an evaluation, the other of the two about its
 * subject; for an evaluation or an organization, every organization under
 * the same parent with their evaluations (the quota); for a member, its
 * cell's members. More changes than this, and one walk is cheaper.
 */
#define FEW_CHANGES 2000

static int visit_id(index_ctx *c, hoso_host *host, const char *id)
{
	char unit[64], *json = NULL;
	size_t len = 0;
	int rc;

	if (!id || map_get(&c->ids, id, NULL))
		return 0;
	if (api->record_get(host, id, &json, &len, unit) != 0 || !json)
		return 0; /* gone: rule 9 says so where it is referred to */
	rc = index_visit(c, unit, id, json, len);
	api->free(json);
	return rc;
}

static int visit_found(index_ctx *c, hoso_host *host, int type, const char *field, const char *value)
{
	char key[320];
	const char *kept;

	if (!value)
		return 0;
	/* Many changes share a cell or a parent: each lookup once. */
	snprintf(key, sizeof(key), "%d\x1f%s\x1f%.256s", type, field, value);
	if (map_get(&c->asked, key, NULL))
		return 0;
	if (!(kept = arena_strdup(&c->strings, key)) || map_put(&c->asked, kept, 0) < 0) {
		c->oom = 1;
		return -1;
	}
	return api->record_find(host, type_names[type], field, value, index_visit, c);
}

/* The organizations under `parent` and their evaluations. */
static int visit_quota_group(index_ctx *c, hoso_host *host, const char *parent)
{
	size_t first = c->n_entries, i;
	int rc;

	if (!parent)
		return 0;
	if ((rc = visit_found(c, host, T_ORGANIZATION, "parent_id", parent)) != 0)
		return rc;
	for (i = first; i < c->n_entries && rc == 0; i++)
		if (c->entries[i].type == T_ORGANIZATION)
			rc = visit_found(c, host, T_EVALUATION, "subject_id", c->entries[i].id);
	return rc;
}

static int gather(index_ctx *c, hoso_host *host, const char *const *ids, size_t n)
{
	size_t i, k, changed_end;
	int rc = 0;

	for (k = 0; k < n && rc == 0; k++) {
		rc = visit_id(c, host, ids[k]);
		for (i = 0; i < sizeof(ref_specs) / sizeof(ref_specs[0]) && rc == 0 && ids[k]; i++)
			rc = visit_found(c, host, ref_specs[i].type, ref_specs[i].field, ids[k]);
	}
	/* The targets of the changed records' references. */
	for (i = 0; i < c->n_refs && rc == 0; i++)
		if (c->entries[c->refs[i].rec].changed)
			rc = visit_id(c, host, c->refs[i].target_id);
	changed_end = c->n_entries;
	for (i = 0; i < changed_end && rc == 0; i++) {
		/* Copies: visiting may move the entries. */
		entry e = c->entries[i];
		const char *parent = NULL;
		size_t t;

		if (!e.changed)
			continue;
		if (e.type == T_DISCIPLINE || e.type == T_EVALUATION) {
			const char *subject = NULL;

			for (k = 0; k < c->n_disciplines && !subject; k++)
				if (c->disciplines[k].rec == i)
					subject = c->disciplines[k].subject;
			for (k = 0; k < c->n_evaluations && !subject; k++)
				if (c->evaluations[k].rec == i)
					subject = c->evaluations[k].subject;
			rc = visit_found(c, host, e.type == T_DISCIPLINE ? T_EVALUATION : T_DISCIPLINE,
				"subject_id", subject);
			if (rc == 0 && e.type == T_EVALUATION && subject && map_get(&c->ids, subject, &t) &&
				c->entries[t].type == T_ORGANIZATION)
				parent = c->entries[t].parent_id;
		} else if (e.type == T_ORGANIZATION) {
			parent = e.parent_id;
		} else if (e.type == T_MEMBER) {
			rc = visit_found(c, host, T_MEMBER, "cell_id", e.cell_id);
		} else if (e.type == T_MEMBER_EVENT && e.event_member) {
			/* Its member's cell, against all of the member's events. */
			rc = visit_id(c, host, e.event_member);
			if (rc == 0 && map_get(&c->ids, e.event_member, &t) && c->entries[t].type == T_MEMBER)
				rc = visit_id(c, host, c->entries[t].cell_id);
			if (rc == 0)
				rc = visit_found(c, host, T_MEMBER_EVENT, "member_id", e.event_member);
		}
		if (rc == 0)
			rc = visit_quota_group(c, host, parent);
	}
	return rc;
}

static int check_set(void *state, hoso_host *host, const char *const *ids, size_t n)
{
	index_ctx c;
	size_t i;
	int error = -1, rc;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.filter = ids != NULL;
	for (i = 0; ids && i < n; i++)
		if (ids[i] && map_put(&c.changed, ids[i], i) < 0)
			goto oom;
	if (ids && n <= FEW_CHANGES && api->struct_size >= offsetof(hoso_host_api, record_find) +
		sizeof(api->record_find) && api->record_find)
		rc = gather(&c, host, ids, n);
	else
		rc = api->record_foreach(host, NULL, NULL, index_visit, &c);
	if (c.oom)
		goto oom;
	if (rc != 0) {
		api->set_error(host, "cannot walk the records");
		goto done;
	}
	check_refs(&c, host);
	if (check_discipline_year(&c, host) < 0 || check_quota(&c, host) < 0)
		goto oom;
	check_cells(&c, host);
	error = 0;
	goto done;
oom:
	api->set_error(host, "out of memory");
done:
	map_free(&c.changed);
	map_free(&c.asked);
	map_free(&c.ids);
	free(c.entries);
	free(c.disciplines);
	free(c.evaluations);
	free(c.refs);
	arena_free(&c.strings);
	return error;
}

/* ---- descriptor ---- */

/* Every field of ref_specs: what gather() looks records up by. */
static const char *const indexes[] = {
	"organization.parent_id", "organization.predecessor_ids", "organization.successor_ids",
	"member.cell_id", "member_event.member_id", "member_event.decided_by", "candidate.cell_id",
	"candidate.introducer_ids", "candidate.member_id", "inspection.conducted_by",
	"inspection.subject_org_ids", "inspection.subject_member_ids", "supervision.conducted_by",
	"supervision.subject_org_ids", "supervision.subject_member_ids", "discipline.subject_id",
	"discipline.decided_by", "discipline.source_inspection_id", "evaluation.subject_id",
	"training_course.organizer_id", "training_course.participant_ids", "cell_meeting.cell_id",
	NULL
};

static const hoso_validator validator = {
	sizeof(hoso_validator), NULL, check_record, check_set, indexes, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "party-rules", "1.0.0", "MIT",
	"party rules: age at admission, probation, discipline forms, ratings, references, cell size",
	NULL, NULL, &validator, NULL, NULL, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api)
{
	size_t needed = offsetof(hoso_host_api, report) + sizeof(host_api->report);

	if (!host_api || host_api->abi_major != HOSO_PLUGIN_ABI_MAJOR)
		return NULL;
	if (host_api->struct_size < needed || !host_api->alloc || !host_api->free ||
	    !host_api->record_get || !host_api->record_foreach || !host_api->report) {
		if (host_api->struct_size >= offsetof(hoso_host_api, set_error) + sizeof(host_api->set_error) &&
		    host_api->set_error)
			host_api->set_error(NULL, "the host's API table is too small for party-rules");
		return NULL;
	}
	api = host_api;
	return &descriptor;
}
