/*
 * Tests for core/gen.c: the synthetic province. The whole province (scale
 * 1.0) is generated once and every record is checked as it arrives against
 * RECORDS.md's rules and counting rules, with an independent date
 * arithmetic; smaller runs check determinism, the callback's stop, bad
 * options, and the schemas.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <jansson.h>

#include "hoso/gen.h"
#include "hoso/id.h"
#include "hoso/json.h"
#include "hoso/schema.h"
#include "hoso/errors.h"

/* ------------------------------------------------------------- helpers */

static int32_t days_of(int y, int m, int d)
{
	/* Days since 1970-01-01, counted the slow way so as not to share code with gen.c. */
	static const int cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int32_t days = 0;
	int yy;

	for (yy = 1970; yy < y; yy++)
		days += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
	for (yy = y; yy < 1970; yy++)
		days -= 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
	days += cum[m - 1] + d - 1;
	if (m > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		days++;
	return days;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Parse YYYY-MM-DD; -1 on anything else. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*m < 1 || *m > 12 || *d < 1 || *d > dim[*m - 1] + (*m == 2 && is_leap(*y)))
		return -1;
	return 0;
}

static int32_t date_days(const char *s)
{
	int y, m, d;
	if (parse_date(s, &y, &m, &d) < 0)
		return INT32_MIN;
	return days_of(y, m, d);
}

/* The date `months` calendar months after `s` (a day past the end of the month: its last day). */
static int32_t date_plus_months(const char *s, int months)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, last;

	if (parse_date(s, &y, &m, &d) < 0)
		return INT32_MIN;
	m += months;
	while (m > 12)
		m -= 12, y++;
	last = dim[m - 1] + (m == 2 && is_leap(y));
	return days_of(y, m, d > last ? last : d);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ------------------------------------------------------ the id registry */

enum { T_ORG, T_MEMBER, T_EVENT, T_CAND, T_INSP, T_SUP, T_DISC, T_EVAL, T_COURSE, T_MEET, T_COUNT };
static const char *const type_names[] = { "organization", "member", "member_event", "candidate",
	"inspection", "supervision", "discipline", "evaluation", "training_course", "cell_meeting" };

typedef struct {
	char id[HOSO_ID_LEN + 1];
	char unit[8];
	int type;
	int parent;        /* org: info index of the parent, -1 */
	int cell;          /* member: info index of the cell */
	int level;         /* org: index in levels[] */
	int full;          /* member: chinh_thuc */
	int status;        /* member: index in statuses[] */
	int32_t admit, decision, official, end;
	int conclusion_discipline;   /* inspection: vi_pham_phai_ky_luat */
	int nfull_active;  /* cell: active full members */
	int htx, htt;      /* parent org: children rated htxsnv, httnv */
	int disciplined;
	int status_event;  /* member: has the event matching its status */
} info;

static const char *const levels[] = { "dang_bo_tinh", "dang_bo_cap_tren_co_so", "dang_bo_co_so",
	"chi_bo_co_so", "dang_bo_bo_phan", "chi_bo_truc_thuoc", "to_dang" };
static const char *const statuses[] = { "dang_sinh_hoat", "mien_sinh_hoat", "tam_thoi_di", "dinh_chi",
	"chuyen_di", "tu_tran", "xoa_ten", "khai_tru", "ra_khoi_dang" };

static int index_of(const char *const *list, int n, const char *s)
{
	int i;
	for (i = 0; s && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

#define TABLE_BITS 18
#define TABLE_SIZE (1u << TABLE_BITS)
#define MAX_MESSAGES 12

typedef struct {
	int year;
	info *infos;
	int ninfos;
	int *table;                /* id -> info index + 1 */
	uint64_t *cids;            /* citizen ids seen */
	size_t ncids;
	char **cards;
	size_t ncards;
	char last_id[HOSO_ID_LEN + 1];

	long counts[T_COUNT];
	long insp_n, insp_x, insp_y, insp_ubkt;
	long sup_n, sup_x, sup_y;
	long disc_org, disc_member;
	long members_eoy, grassroots, subordinate_cells, ket_nap, chinh_thuc, badges;
	long sources;              /* disciplines with a source inspection */

	long nproblems;
	char messages[MAX_MESSAGES][300];
} checker;

static void problem(checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nproblems < MAX_MESSAGES) {
		va_start(ap, fmt);
		vsnprintf(c->messages[c->nproblems], sizeof(c->messages[0]), fmt, ap);
		va_end(ap);
	}
	c->nproblems++;
}

static unsigned hash_id(const char *id)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return (unsigned)(h >> 20) & (TABLE_SIZE - 1);
}

static int lookup(const checker *c, const char *id)
{
	unsigned h;

	if (!id)
		return -1;
	for (h = hash_id(id); c->table[h]; h = (h + 1) & (TABLE_SIZE - 1))
		if (strcmp(c->infos[c->table[h] - 1].id, id) == 0)
			return c->table[h] - 1;
	return -1;
}

/* The info of an earlier record of type `type` with id `id`, or -1 with a problem. */
static int ref(checker *c, const char *where, const char *field, const char *id, int type)
{
	int i = lookup(c, id);

	if (i < 0)
		problem(c, "%s: %s '%s' is not an id emitted before", where, field, id ? id : "(null)");
	else if (c->infos[i].type != type)
		problem(c, "%s: %s '%s' is a %s, not a %s", where, field, id, type_names[c->infos[i].type],
			type_names[type]);
	else
		return i;
	return -1;
}

static void checker_init(checker *c, int year)
{
	memset(c, 0, sizeof(*c));
	c->year = year;
	c->infos = calloc(TABLE_SIZE / 2, sizeof(info));
	c->table = calloc(TABLE_SIZE, sizeof(int));
	c->cids = calloc(TABLE_SIZE, sizeof(uint64_t));
	c->cards = calloc(TABLE_SIZE, sizeof(char *));
	assert_non_null(c->infos);
	assert_non_null(c->table);
	assert_non_null(c->cids);
	assert_non_null(c->cards);
}

static void checker_free(checker *c)
{
	size_t i;
	for (i = 0; i < c->ncards; i++)
		free(c->cards[i]);
	free(c->cards);
	free(c->cids);
	free(c->table);
	free(c->infos);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rule 1: 12 digits, a province code, century and gender, the year of birth. */
static void check_citizen_id(checker *c, const char *where, const char *cid, const char *birth, const char *gender)
{
	static const char *const codes[] = { "001", "002", "004", "006", "008", "010", "011", "012", "014",
		"015", "017", "019", "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035",
		"036", "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056",
		"058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080",
		"082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096" };
	char prefix[4];
	int y, m, d, i, digit4;

	if (!cid || strlen(cid) != 12 || strspn(cid, "0123456789") != 12) {
		problem(c, "%s: citizen id '%s' is not 12 digits", where, cid ? cid : "(null)");
		return;
	}
	memcpy(prefix, cid, 3);
	prefix[3] = '\0';
	if (index_of(codes, (int)(sizeof(codes) / sizeof(codes[0])), prefix) < 0)
		problem(c, "%s: citizen id '%s' starts with no province code", where, cid);
	if (parse_date(birth, &y, &m, &d) < 0) {
		problem(c, "%s: birth date '%s' is not a date", where, birth ? birth : "(null)");
		return;
	}
	digit4 = (y / 100 - 19) * 2 + (gender && strcmp(gender, "nu") == 0);
	if (cid[3] - '0' != digit4)
		problem(c, "%s: citizen id '%s' has century/gender digit %c, expected %d", where, cid, cid[3], digit4);
	if ((cid[4] - '0') * 10 + (cid[5] - '0') != y % 100)
		problem(c, "%s: citizen id '%s' does not hold the year of birth %d", where, cid, y);
	for (i = 0; i < 1; i++)
		c->cids[c->ncids++] = strtoull(cid, NULL, 10);
}

/* An array of distinct ids of earlier records of `type`; returns the count. */
static long check_id_set(checker *c, const char *where, const json_t *rec, const char *field, int type,
	int *first)
{
	const json_t *arr = json_object_get(rec, field), *v, *w;
	size_t i, j;

	if (first)
		*first = -1;
	if (!arr)
		return 0;
	if (!json_is_array(arr)) {
		problem(c, "%s: %s is not an array", where, field);
		return 0;
	}
	json_array_foreach(arr, i, v) {
		int k = ref(c, where, field, json_string_value(v), type);
		if (first && i == 0)
			*first = k;
		for (j = 0; j < i; j++) {
			w = json_array_get(arr, j);
			if (json_equal(v, w))
				problem(c, "%s: %s holds '%s' twice", where, field, json_string_value(v));
		}
	}
	return (long)json_array_size(arr);
}

static int in_year(const checker *c, const char *date)
{
	int y, m, d;
	return parse_date(date, &y, &m, &d) == 0 && y == c->year;
}

static void check_record(checker *c, const char *unit, const char *type, const json_t *rec)
{
	const char *id = str(rec, "id");
	char where[64];
	int t = index_of(type_names, T_COUNT, type), self;
	info *me;
	unsigned h;

	snprintf(where, sizeof(where), "%s %s", type, id ? id : "?");
	if (t < 0) {
		problem(c, "%s: unknown type", where);
		return;
	}
	c->counts[t]++;
	if (!id || !hoso_id_valid(id)) {
		problem(c, "%s: not a valid id", where);
		return;
	}
	if (!str(rec, "type") || strcmp(str(rec, "type"), type) != 0)
		problem(c, "%s: the record's type is '%s'", where, str(rec, "type") ? str(rec, "type") : "(none)");
	if (strcmp(c->last_id, id) >= 0)
		problem(c, "%s: ids do not increase ('%s' came before)", where, c->last_id);
	strcpy(c->last_id, id);
	if (lookup(c, id) >= 0) {
		problem(c, "%s: id emitted twice", where);
		return;
	}
	if (c->ninfos >= (int)(TABLE_SIZE / 2)) {
		problem(c, "too many records for the checker");
		return;
	}
	self = c->ninfos++;
	me = &c->infos[self];
	memset(me, 0, sizeof(*me));
	strcpy(me->id, id);
	snprintf(me->unit, sizeof(me->unit), "%s", unit);
	me->type = t;
	me->parent = me->cell = -1;

	switch (t) {
	case T_ORG: {
		const char *parent = str(rec, "parent_id");
		me->level = index_of(levels, 7, str(rec, "level"));
		if (me->level < 0)
			problem(c, "%s: bad level", where);
		if (parent) {
			me->parent = ref(c, where, "parent_id", parent, T_ORG);
			if (me->parent >= 0 && c->infos[me->parent].level >= me->level)
				problem(c, "%s: its parent is not above it", where);
		} else if (me->level != 0) {
			problem(c, "%s: no parent", where);
		}
		if (me->level == 2 || me->level == 3)
			c->grassroots++;
		if (me->level == 5)
			c->subordinate_cells++;
		break;
	}
	case T_MEMBER: {
		const char *admission = str(rec, "admission_date"), *official = str(rec, "official_date");
		const char *membership = str(rec, "membership"), *card = str(rec, "party_card_no");
		int32_t a = date_days(admission);
		me->cell = ref(c, where, "cell_id", str(rec, "cell_id"), T_ORG);
		if (me->cell >= 0 && c->infos[me->cell].level != 3 && c->infos[me->cell].level != 5)
			problem(c, "%s: cell_id is not a cell", where);
		if (me->cell >= 0 && strcmp(c->infos[me->cell].unit, unit) != 0)
			problem(c, "%s: in unit %s but its cell is in unit %s", where, unit, c->infos[me->cell].unit);
		me->status = index_of(statuses, 9, str(rec, "status"));
		if (me->status < 0)
			problem(c, "%s: bad status", where);
		if (me->status >= 0 && me->status <= 3)
			c->members_eoy++;
		me->full = membership && strcmp(membership, "chinh_thuc") == 0;
		if (!me->full && (!membership || strcmp(membership, "du_bi") != 0))
			problem(c, "%s: bad membership", where);
		check_citizen_id(c, where, str(rec, "citizen_id"), str(rec, "birth_date"), str(rec, "gender"));
		/* Rule 3: 18 years old at admission. */
		if (a == INT32_MIN || date_plus_months(str(rec, "birth_date"), 18 * 12) > a)
			problem(c, "%s: under 18 at admission %s (born %s)", where, admission, str(rec, "birth_date"));
		/* Rule 4: full exactly 12 months after admission; rule 5. */
		if (me->full) {
			if (!official || date_days(official) != date_plus_months(admission, 12))
				problem(c, "%s: official_date %s is not 12 months after %s", where, official ? official : "(none)",
					admission);
			if (!card || strspn(card, "0123456789") != strlen(card) || !*card)
				problem(c, "%s: a full member without a party card number", where);
			else
				c->cards[c->ncards++] = strdup(card);
			if (me->status >= 0 && me->status <= 3 && me->cell >= 0)
				c->infos[me->cell].nfull_active++;
		} else {
			if (official)
				problem(c, "%s: probationary with official_date %s", where, official);
			if (card)
				problem(c, "%s: probationary with party card %s", where, card);
			if (date_plus_months(admission, 12) <= days_of(c->year, 12, 31) && me->status <= 3)
				problem(c, "%s: probationary since %s at the end of the year", where, admission);
		}
		me->decision = date_days(str(rec, "admission_decision_date"));
		if (me->decision == INT32_MIN || me->decision > a)
			problem(c, "%s: admission decision after admission", where);
		me->admit = a;
		me->official = official ? date_days(official) : 0;
		break;
	}
	case T_EVENT: {
		const char *kind = str(rec, "kind");
		int m = ref(c, where, "member_id", str(rec, "member_id"), T_MEMBER);
		int32_t day = date_days(str(rec, "date"));
		if (str(rec, "decided_by"))
			ref(c, where, "decided_by", str(rec, "decided_by"), T_ORG);
		if (!in_year(c, str(rec, "date")))
			problem(c, "%s: date %s not in the year", where, str(rec, "date"));
		if (m < 0 || !kind)
			break;
		if (strcmp(kind, "ket_nap") == 0) {
			c->ket_nap++;
			if (day != c->infos[m].admit)
				problem(c, "%s: ket_nap on %s, not the admission date", where, str(rec, "date"));
		} else if (strcmp(kind, "chinh_thuc") == 0) {
			c->chinh_thuc++;
			if (!c->infos[m].full || day != c->infos[m].official)
				problem(c, "%s: chinh_thuc on %s, not the official date", where, str(rec, "date"));
		} else if (strcmp(kind, "tang_huy_hieu") == 0) {
			json_int_t years = json_integer_value(json_object_get(rec, "badge_years"));
			c->badges++;
			/* Rule 10: the seniority reached the badge's years. */
			if (years < 30 || day < c->infos[m].admit + (int32_t)(years * 365 + years / 4) - 1 ||
				day < c->infos[m].decision + (int32_t)(years * 365 + years / 4) - 1)
				problem(c, "%s: a %d-year badge on %s for a member admitted %d days before", where,
					(int)years, str(rec, "date"), (int)(day - c->infos[m].admit));
		} else {
			static const char *const kinds[] = { "tu_tran", "chuyen_di", "xoa_ten", "khai_tru", "ra_khoi_dang",
				"xoa_ten_du_bi", "chuyen_di_tam_thoi" };
			static const int want[] = { 5, 4, 6, 7, 8, 6, 2 };
			int k = index_of(kinds, 7, kind);
			if (k >= 0) {
				if (c->infos[m].status != want[k])
					problem(c, "%s: a %s event for a member with status %s", where, kind,
						c->infos[m].status >= 0 ? statuses[c->infos[m].status] : "?");
				c->infos[m].status_event = 1;
			}
			if (strcmp(kind, "chuyen_di") == 0 || strcmp(kind, "chuyen_di_tam_thoi") == 0)
				ref(c, where, "from_org", str(rec, "from_org"), T_ORG);
			if (strcmp(kind, "chuyen_den") == 0)
				ref(c, where, "to_org", str(rec, "to_org"), T_ORG);
		}
		break;
	}
	case T_CAND: {
		int cell = ref(c, where, "cell_id", str(rec, "cell_id"), T_ORG), first, n;
		const json_t *arr = json_object_get(rec, "introducer_ids");
		size_t i;
		check_citizen_id(c, where, str(rec, "citizen_id"), str(rec, "birth_date"), str(rec, "gender"));
		n = (int)check_id_set(c, where, rec, "introducer_ids", T_MEMBER, &first);
		if (n != 2)
			problem(c, "%s: %d introducers", where, n);
		for (i = 0; i < json_array_size(arr); i++) {
			int k = lookup(c, json_string_value(json_array_get(arr, i)));
			if (k >= 0 && (c->infos[k].cell != cell || !c->infos[k].full))
				problem(c, "%s: introducer %s is not a full member of the cell", where, c->infos[k].id);
		}
		if (!str(rec, "outcome") || strcmp(str(rec, "outcome"), "dang_xem_xet") != 0)
			problem(c, "%s: outcome is not dang_xem_xet", where);
		break;
	}
	case T_INSP:
	case T_SUP: {
		const char *role = str(rec, "conducted_by_role");
		long x, y;
		int32_t start = date_days(str(rec, "start_date")), end = date_days(str(rec, "end_date"));
		ref(c, where, "conducted_by", str(rec, "conducted_by"), T_ORG);
		x = check_id_set(c, where, rec, "subject_org_ids", T_ORG, NULL);
		y = check_id_set(c, where, rec, "subject_member_ids", T_MEMBER, NULL);
		if (x + y == 0)
			problem(c, "%s: no subject", where);
		if (!in_year(c, str(rec, "start_date")))
			problem(c, "%s: starts outside the year", where);
		if (end == INT32_MIN || end < start)
			problem(c, "%s: ends before it starts", where);
		me->end = end;
		me->conclusion_discipline = str(rec, "conclusion") && strcmp(str(rec, "conclusion"), "vi_pham_phai_ky_luat") == 0;
		if (!role) {
			problem(c, "%s: no role", where);
		} else if (t == T_SUP) {
			c->sup_n++, c->sup_x += x, c->sup_y += y;
		} else if (strcmp(role, "cap_uy") == 0 || strcmp(role, "chi_bo") == 0) {
			c->insp_n++, c->insp_x += x, c->insp_y += y;
		} else {
			c->insp_ubkt++;
		}
		break;
	}
	case T_DISC: {
		const char *kind = str(rec, "subject_kind"), *form = str(rec, "form"), *src = str(rec, "source_inspection_id");
		int s, org = kind && strcmp(kind, "organization") == 0;
		s = ref(c, where, "subject_id", str(rec, "subject_id"), org ? T_ORG : T_MEMBER);
		ref(c, where, "decided_by", str(rec, "decided_by"), T_ORG);
		if (!in_year(c, str(rec, "decision_date")))
			problem(c, "%s: decided outside the year", where);
		if (org) {
			c->disc_org++;
			if (!form || (strcmp(form, "khien_trach") && strcmp(form, "canh_cao") && strcmp(form, "giai_tan")))
				problem(c, "%s: form %s for an organization", where, form ? form : "(none)");
		} else {
			c->disc_member++;
			/* Rule 6. */
			if (s >= 0 && !c->infos[s].full && form && strcmp(form, "khien_trach") && strcmp(form, "canh_cao"))
				problem(c, "%s: form %s for a probationary member", where, form);
			if (s >= 0 && form && strcmp(form, "khai_tru") == 0 && c->infos[s].status != 7)
				problem(c, "%s: expelled member's status is not khai_tru", where);
		}
		if (s >= 0)
			c->infos[s].disciplined = 1;
		if (src) {
			int k = ref(c, where, "source_inspection_id", src, T_INSP);
			c->sources++;
			if (k >= 0 && !c->infos[k].conclusion_discipline)
				problem(c, "%s: its source inspection did not conclude vi_pham_phai_ky_luat", where);
			if (k >= 0 && c->infos[k].end > date_days(str(rec, "decision_date")))
				problem(c, "%s: decided before its source inspection ended", where);
		}
		break;
	}
	case T_EVAL: {
		const char *rating = str(rec, "rating");
		int s = ref(c, where, "subject_id", str(rec, "subject_id"), T_ORG);
		if (json_integer_value(json_object_get(rec, "year")) != c->year)
			problem(c, "%s: not the year's rating", where);
		if (s < 0 || !rating)
			break;
		/* Rule 7. */
		if (c->infos[s].disciplined && strcmp(rating, "htxsnv") == 0)
			problem(c, "%s: a disciplined organization rated htxsnv", where);
		if (c->infos[s].parent >= 0) {
			c->infos[c->infos[s].parent].htx += strcmp(rating, "htxsnv") == 0;
			c->infos[c->infos[s].parent].htt += strcmp(rating, "httnv") == 0;
		}
		break;
	}
	case T_COURSE:
		ref(c, where, "organizer_id", str(rec, "organizer_id"), T_ORG);
		check_id_set(c, where, rec, "participant_ids", T_MEMBER, NULL);
		break;
	case T_MEET: {
		json_int_t total = json_integer_value(json_object_get(rec, "members_total"));
		json_int_t att = json_integer_value(json_object_get(rec, "attended"));
		json_int_t exc = json_integer_value(json_object_get(rec, "excused"));
		ref(c, where, "cell_id", str(rec, "cell_id"), T_ORG);
		if (att + exc > total || att < 0 || exc < 0)
			problem(c, "%s: %d attended and %d excused of %d", where, (int)att, (int)exc, (int)total);
		break;
	}
	}
	/* Insert after the checks: a record cannot refer to itself. */
	for (h = hash_id(id); c->table[h]; h = (h + 1) & (TABLE_SIZE - 1))
		;
	c->table[h] = self + 1;
}

/* After the last record: rules over the whole set. */
static void check_end(checker *c)
{
	size_t i;
	int k;

	qsort(c->cids, c->ncids, sizeof(uint64_t), cmp_u64);
	for (i = 1; i < c->ncids; i++)
		if (c->cids[i] == c->cids[i - 1])
			problem(c, "citizen id %012llu appears twice", (unsigned long long)c->cids[i]);
	qsort(c->cards, c->ncards, sizeof(char *), cmp_str);
	for (i = 1; i < c->ncards; i++)
		if (strcmp(c->cards[i], c->cards[i - 1]) == 0)
			problem(c, "party card number %s appears twice", c->cards[i]);
	for (k = 0; k < c->ninfos; k++) {
		const info *in = &c->infos[k];
		if (in->type == T_ORG && (in->level == 3 || in->level == 5) && in->nfull_active < 3)
			problem(c, "cell %s has %d active full members", in->id, in->nfull_active);
		/* Rule 8. */
		if (in->type == T_ORG && 5 * in->htx > in->htt)
			problem(c, "organization %s: %d htxsnv against %d httnv", in->id, in->htx, in->htt);
		if (in->type == T_MEMBER && in->status >= 2 && in->status != 3 && !in->status_event)
			problem(c, "member %s has status %s but no event for it", in->id, statuses[in->status]);
	}
}

static void assert_no_problems(const checker *c)
{
	long i;

	for (i = 0; i < c->nproblems && i < MAX_MESSAGES; i++)
		fprintf(stderr, "problem: %s\n", c->messages[i]);
	if (c->nproblems > MAX_MESSAGES)
		fprintf(stderr, "... and %ld more\n", c->nproblems - MAX_MESSAGES);
	assert_int_equal(c->nproblems, 0);
}

static int check_cb(const char *unit, const char *type, const json_t *record, void *payload)
{
	/* json_dumps refuses strings that are not valid UTF-8. */
	char *text = json_dumps(record, JSON_COMPACT);

	if (!text)
		problem(payload, "%s %s: cannot be dumped (invalid UTF-8?)", type, str(record, "id"));
	free(text);
	check_record(payload, unit, type, record);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --------------------------------------------------------------- tests */

static void test_units(void **state)
{
	json_t *u = hoso_gen_units(), *units, *it;
	size_t i;

	(void)state;
	assert_non_null(u);
	units = json_object_get(u, "units");
	assert_int_equal(json_array_size(units), 12);
	it = json_array_get(units, 0);
	assert_string_equal(str(it, "code"), "02");
	assert_string_equal(str(it, "level"), "tinh");
	assert_string_equal(str(it, "name"), "Cơ quan Tỉnh ủy Hà Giang");
	assert_null(json_object_get(it, "parent"));
	json_array_foreach(units, i, it) {
		if (i == 0)
			continue;
		assert_string_equal(str(it, "level"), "huyen");
		assert_string_equal(str(it, "parent"), "02");
		assert_int_equal(strlen(str(it, "code")), 3);
	}
	assert_string_equal(str(json_array_get(units, 1), "code"), "024");
	assert_string_equal(str(json_array_get(units, 1), "name"), "Thành phố Hà Giang");
	assert_string_equal(str(json_array_get(units, 11), "code"), "035");
	assert_string_equal(hoso_gen_province_code(), "02");
	assert_string_equal(hoso_gen_province_name(), "Tỉnh Hà Giang");
	json_decref(u);
}

/* The whole province: every rule, and the published figures by the counting rules. */
static void test_province(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	checker *c = malloc(sizeof(*c));
	long total = 0;
	double t0, t1;
	int k;

	(void)state;
	assert_non_null(c);
	checker_init(c, 2023);
	t0 = now();
	assert_int_equal(hoso_gen_province(&opts, check_cb, c), 0);
	t1 = now();
	check_end(c);

	for (k = 0; k < T_COUNT; k++) {
		fprintf(stderr, "%-16s %7ld\n", type_names[k], c->counts[k]);
		total += c->counts[k];
	}
	fprintf(stderr, "%-16s %7ld  (generated and checked in %.2f s)\n", "total", total, t1 - t0);
	fprintf(stderr, "members at the end of the year %ld; grassroots organizations %ld; subordinate cells %ld\n",
		c->members_eoy, c->grassroots, c->subordinate_cells);
	fprintf(stderr, "admissions %ld; made full %ld; badges %ld; inspections by commissions %ld; "
		"disciplines from an inspection %ld\n", c->ket_nap, c->chinh_thuc, c->badges, c->insp_ubkt, c->sources);
	assert_no_problems(c);

	/* The published 2023 figures. */
	assert_int_equal(c->insp_n, 3290);
	assert_int_equal(c->insp_x, 583);
	assert_int_equal(c->insp_y, 3456);
	assert_int_equal(c->sup_n, 3574);
	assert_int_equal(c->sup_x, 1073);
	assert_int_equal(c->sup_y, 3363);
	assert_int_equal(c->disc_org, 8);
	assert_int_equal(c->disc_member, 258);
	/* RECORDS.md's sizes. */
	assert_true(c->members_eoy >= 74000 && c->members_eoy < 75000);
	assert_true(c->grassroots >= 760 && c->grassroots <= 840);
	assert_true(c->subordinate_cells >= 3400 && c->subordinate_cells <= 3800);
	assert_true(c->ket_nap >= 1800 && c->ket_nap <= 2200);
	assert_true(c->insp_ubkt > 0);
	assert_true(c->sources > 0);
	assert_true(total >= 85000 && total <= 100000);
	checker_free(c);
	free(c);
}

typedef struct {
	uint64_t hash;
	long n;
	long stop_at;
} digest;

static int digest_cb(const char *unit, const char *type, const json_t *record, void *payload)
{
	digest *d = payload;
	char *text = json_dumps(record, JSON_SORT_KEYS | JSON_COMPACT);
	const char *parts[3] = { unit, type, text };
	int i;

	assert_non_null(text);
	for (i = 0; i < 3; i++) {
		const char *p;
		for (p = parts[i]; *p; p++)
			d->hash = (d->hash ^ (unsigned char)*p) * 1099511628211ULL;
		d->hash = (d->hash ^ '\n') * 1099511628211ULL;
	}
	free(text);
	d->n++;
	return d->stop_at && d->n == d->stop_at ? 7 : 0;
}

static void run_digest(digest *d, uint64_t seed, double scale)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;

	memset(d, 0, sizeof(*d));
	d->hash = 1469598103934665603ULL;
	opts.seed = seed;
	opts.scale = scale;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, d), 0);
}

static void test_deterministic(void **state)
{
	digest a, b, other;

	(void)state;
	run_digest(&a, 2023, 0.05);
	run_digest(&b, 2023, 0.05);
	assert_true(a.n > 3000);
	assert_int_equal(a.n, b.n);
	assert_true(a.hash == b.hash);
	run_digest(&other, 2024, 0.05);
	assert_true(other.hash != a.hash);
}

/* A small province still follows every rule; the figures scale down. */
static void test_small(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	checker *c = malloc(sizeof(*c));
	int k;

	(void)state;
	assert_non_null(c);
	checker_init(c, 2023);
	opts.scale = 0.05;
	opts.seed = 7;
	assert_int_equal(hoso_gen_province(&opts, check_cb, c), 0);
	check_end(c);
	assert_no_problems(c);
	for (k = 0; k < T_COUNT; k++)
		assert_true(c->counts[k] > 0);
	assert_int_equal(c->insp_n, 165);
	assert_int_equal(c->insp_x, 29);
	assert_int_equal(c->insp_y, 173);
	assert_int_equal(c->sup_n, 179);
	assert_int_equal(c->sup_x, 54);
	assert_int_equal(c->sup_y, 168);
	assert_int_equal(c->disc_member, 13);
	assert_true(c->members_eoy >= 3600 && c->members_eoy <= 3900);
	checker_free(c);
	free(c);
}

static void test_other_year(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	checker *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	checker_init(c, 2024);   /* a leap year */
	opts.year = 2024;
	opts.scale = 0.02;
	assert_int_equal(hoso_gen_province(&opts, check_cb, c), 0);
	check_end(c);
	assert_no_problems(c);
	checker_free(c);
	free(c);
}

static void test_stop(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	digest d;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.stop_at = 10;
	opts.scale = 0.01;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, &d), 7);
	assert_int_equal(d.n, 10);
}

static void test_bad_options(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	digest d;

	(void)state;
	memset(&d, 0, sizeof(d));
	opts.scale = 0;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, &d), HOSO_EUSAGE);
	assert_non_null(strstr(hoso_error_last(), "scale"));
	opts.scale = -1;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, &d), HOSO_EUSAGE);
	opts.scale = 1.0;
	opts.version = 99;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, &d), HOSO_EUSAGE);
	opts.version = HOSO_GEN_OPTIONS_VERSION;
	opts.year = 1800;
	assert_int_equal(hoso_gen_province(&opts, digest_cb, &d), HOSO_EUSAGE);
	opts.year = 2023;
	assert_int_equal(hoso_gen_province(&opts, NULL, NULL), HOSO_EUSAGE);
	assert_int_equal(d.n, 0);
}

typedef struct {
	hoso_schema_set *set;
	hoso_problems *problems;
	long records, invalid, not_nfc;
} schema_run;

static int schema_cb(const char *unit, const char *type, const json_t *record, void *payload)
{
	schema_run *s = payload;
	const hoso_schema *schema = hoso_schema_set_get(s->set, type);
	size_t before = hoso_problems_count(s->problems);
	int rc;

	json_t *nfc = NULL;

	(void)unit;
	s->records++;
	/* Already canonical text: NFC strings, so normalizing changes nothing. */
	if (hoso_json_normalize(&nfc, record, s->problems) != 0 || !json_equal(nfc, record))
		s->not_nfc++;
	json_decref(nfc);
	if (!schema) {
		hoso_problems_add(s->problems, HOSO_SEVERITY_ERROR, type, 0, NULL, "schema", "no schema for this type");
		s->invalid++;
		return 0;
	}
	rc = hoso_schema_validate(schema, record, s->problems);
	assert_true(rc >= 0);
	if (rc > 0) {
		s->invalid++;
		hoso_problems_locate(s->problems, before, str(record, "id"), 0);
	}
	return 0;
}

/* Every record is valid against its schema in schemas/. */
static void test_schemas(void **state)
{
	hoso_gen_options opts = HOSO_GEN_OPTIONS_INIT;
	schema_run s;
	size_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(hoso_schema_set_new(&s.set), 0);
	assert_int_equal(hoso_schema_set_load_dir(s.set, HOSO_SOURCE_SCHEMA_DIR), 0);
	assert_int_equal(hoso_problems_new(&s.problems), 0);
	{
		/* The validator is awake: a record without its required fields fails. */
		json_t *bad = json_pack("{s:s, s:s, s:s}", "id", "01HGZZZZZZZZZZZZZZZZZZZZZZ", "type", "member",
			"gender", "x");
		assert_non_null(hoso_schema_set_get(s.set, "member"));
		assert_true(hoso_schema_validate(hoso_schema_set_get(s.set, "member"), bad, s.problems) > 0);
		hoso_problems_truncate(s.problems, 0);
		json_decref(bad);
	}
	opts.scale = 0.05;
	assert_int_equal(hoso_gen_province(&opts, schema_cb, &s), 0);
	for (i = 0; i < hoso_problems_count(s.problems) && i < 20; i++) {
		const hoso_problem *p = hoso_problems_get(s.problems, i);
		fprintf(stderr, "schema: %s: %s: %s (%s)\n", p->where ? p->where : "?", p->field ? p->field : "-",
			p->message, p->rule);
	}
	assert_true(s.records > 3000);
	assert_int_equal(s.invalid, 0);
	assert_int_equal(s.not_nfc, 0);
	assert_int_equal(hoso_problems_errors(s.problems), 0);
	hoso_problems_free(s.problems);
	hoso_schema_set_free(s.set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_other_year),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_province),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
