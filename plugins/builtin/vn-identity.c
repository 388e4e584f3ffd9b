/*
 * vn-identity: the built-in validator for Vietnamese citizen ids and party
 * card numbers (RECORDS.md, validation rules 1 and 2).
 *
 *   rule 1 (check_record): `citizen_id` is 12 digits; digits 1-3 are a
 *     province birth-registration code; digit 4 encodes the century and the
 *     gender and agrees with `gender` and `birth_date`; digits 5-6 are the
 *     birth year modulo 100.
 *   rule 2 (check_set): `citizen_id` is unique across members and candidates,
 *     except that a candidate admitted as a member (its `member_id`) shares
 *     that member's id; `party_card_no` is unique across members.
 *
 * Built against hoso/plugin.h only; parses the JSON text it receives with
 * jansson. Records that do not parse, or fields of the wrong type, are
 * skipped: the schema validator reports them.
 */
#include <hoso/plugin.h>

#include <jansson.h>
#include "../../core/record_view.h"
#include <libintl.h>
#define HOSO_TEXTDOMAIN "hoso"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_CITIZEN_ID "vn-identity/citizen-id"
#define RULE_UNIQUE "vn-identity/unique"

/* True when the host's table is large enough to hold `slot`. */
#define HAS_SLOT(api, slot) \
	((api) != NULL && (api)->struct_size >= offsetof(hoso_host_api, slot) + sizeof((api)->slot) && \
	 (api)->slot != NULL)

static const hoso_host_api *host_api;

/* The 63 province birth-registration codes, sorted. */
static const char *const province_codes[] = {
	"001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017",
	"019", "020", "022", "024", "025", "026", "027", "030", "031", "033", "034",
	"035", "036", "037", "038", "040", "042", "044", "045", "046", "048", "049",
	"051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068",
	"070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086",
	"087", "089", "091", "092", "093", "094", "095", "096"
};

static int is_province_code(const char *digits)
{
	size_t lo = 0, hi = sizeof(province_codes) / sizeof(province_codes[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(digits, province_codes[mid], 3);

		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static void report(hoso_host *host, const char *id, const char *field, const char *rule,
	const char *fmt, ...)
{
	char message[512];
	va_list ap;

	if (!HAS_SLOT(host_api, report))
		return;
	/* A built-in plugin speaks in hoso's messages (po/), in the person's language. */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), dgettext(HOSO_TEXTDOMAIN, fmt), ap);
	va_end(ap);
	host_api->report(host, HOSO_FINDING_ERROR, id, field, rule, message);
}

static void fail(hoso_host *host, const char *message)
{
	if (HAS_SLOT(host_api, set_error))
		host_api->set_error(host, message);
}

/* A string member of `root`, or NULL when absent or not a string. */
static const char *get_string(record_view *root, const char *key)
{
	return rv_str(root, key);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The year of a `YYYY-...` date, or -1. */
static int date_year(const char *date)
{
	if (date == NULL || strlen(date) < 4 || !all_digits(date, 4))
		return -1;
	return (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
}

/* ---- rule 1 ---------------------------------------------------------- */

static int check_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	record_view view, *root = &view;
	const char *id, *cid, *gender, *birth_date;
	int digit, female, century, yy, year;

	(void)state;
	(void)unit;
	if (type == NULL || (strcmp(type, "member") != 0 && strcmp(type, "candidate") != 0))
		return 0;
	if (rv_open(root, json, len) < 0)
		return 0;
	cid = get_string(root, "citizen_id");
	if (cid == NULL)
		goto done;
	id = get_string(root, "id");

	if (strlen(cid) != 12 || !all_digits(cid, 12)) {
		report(host, id, "citizen_id", RULE_CITIZEN_ID, "'%.40s%s' is not 12 digits", cid,
			strlen(cid) > 40 ? "..." : "");
		goto done;
	}
	if (!is_province_code(cid))
		report(host, id, "citizen_id", RULE_CITIZEN_ID,
			"'%s' starts with '%.3s', which is not a province code", cid, cid);

	digit = cid[3] - '0';
	if (digit > 5) {
		report(host, id, "citizen_id", RULE_CITIZEN_ID,
			"'%s' has '%c' as its 4th digit, which is not a century and gender code (0 to 5)",
			cid, cid[3]);
		goto done;
	}
	female = digit % 2;
	century = 1900 + (digit / 2) * 100;
	yy = (cid[4] - '0') * 10 + (cid[5] - '0');

	gender = get_string(root, "gender");
	if (gender != NULL && (strcmp(gender, "nam") == 0 || strcmp(gender, "nu") == 0) &&
	    (strcmp(gender, "nu") == 0) != female)
		report(host, id, "citizen_id", RULE_CITIZEN_ID,
			"'%s' says a %s born in %d, the record says %s", cid, female ? dgettext(HOSO_TEXTDOMAIN, "woman") : dgettext(HOSO_TEXTDOMAIN, "man"),
			century + yy, gender);

	birth_date = get_string(root, "birth_date");
	year = date_year(birth_date);
	if (year >= 0) {
		if (year / 100 * 100 != century)
			report(host, id, "citizen_id", RULE_CITIZEN_ID,
				"'%s' says born in the %ds, the record's birth_date is %.10s", cid, century,
				birth_date);
		if (year % 100 != yy)
			report(host, id, "citizen_id", RULE_CITIZEN_ID,
				"'%s' says born in a year ending in %02d, the record's birth_date is %.10s", cid,
				yy, birth_date);
	}

done:
	rv_close(root);
	return 0;
}

/* ---- rule 2 ---------------------------------------------------------- */

/* One member or candidate of the repository, in walk order. */
typedef struct {
	char *id;
	char *cid;        /* citizen_id, or NULL */
	char *card;       /* party_card_no (members), or NULL */
	char *person;     /* borrowed: id for a member, member_id or id for a candidate */
	char *member_id;  /* candidate's member_id, or NULL */
} entry;

/* All records with the same key: the first, and the first of another person. */
typedef struct {
	size_t first;
	size_t other;     /* (size_t)-1 while none */
} group;

#define NONE ((size_t)-1)

/* Open addressing: string key -> index (into entries or groups). */
typedef struct {
	const char **keys;
	size_t *values;
	size_t cap;
} table;

typedef struct {
	entry *entries;
	size_t n, cap;
	int failed;
} walk;

static uint64_t hash_string(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int table_init(table *t, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2 + 1)
		cap *= 2;
	t->keys = calloc(cap, sizeof(*t->keys));
	t->values = calloc(cap, sizeof(*t->values));
	t->cap = cap;
	return t->keys != NULL && t->values != NULL ? 0 : -1;
}

static void table_free(table *t)
{
	free(t->keys);
	free(t->values);
}

/* The slot of `key`: holds it, or is empty. */
static size_t table_slot(const table *t, const char *key)
{
	size_t i = (size_t)hash_string(key) & (t->cap - 1);

	while (t->keys[i] != NULL && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static size_t table_get(const table *t, const char *key)
{
	size_t i = table_slot(t, key);

	return t->keys[i] != NULL ? t->values[i] : NONE;
}

static char *dup_or_null(const char *s)
{
	size_t len;
	char *copy;

	if (s == NULL)
		return NULL;
	len = strlen(s) + 1;
	copy = malloc(len);
	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}

static int visit(void *payload, const char *unit, const char *id, const char *json, size_t len,
	int is_member)
{
	walk *w = payload;
	record_view view, *root = &view;
	entry *e;
	const char *cid, *card = NULL, *member_id = NULL;

	(void)unit;
	if (id == NULL)
		return 0;
	if (rv_open(root, json, len) < 0)
		return 0;
	cid = get_string(root, "citizen_id");
	if (is_member)
		card = get_string(root, "party_card_no");
	else
		member_id = get_string(root, "member_id");
	if (w->n == w->cap) {
		size_t cap = w->cap != 0 ? w->cap * 2 : 64;
		entry *grown = realloc(w->entries, cap * sizeof(*grown));

		if (grown == NULL)
			goto oom;
		w->entries = grown;
		w->cap = cap;
	}
	e = &w->entries[w->n];
	memset(e, 0, sizeof(*e));
	e->id = dup_or_null(id);
	e->cid = dup_or_null(cid);
	e->card = dup_or_null(card);
	e->member_id = dup_or_null(member_id);
	w->n++;
	if (e->id == NULL || (cid != NULL && e->cid == NULL) || (card != NULL && e->card == NULL) ||
	    (member_id != NULL && e->member_id == NULL))
		goto oom;
	e->person = e->member_id != NULL && e->member_id[0] != '\0' ? e->member_id : e->id;
	rv_close(root);
	return 0;

oom:
	rv_close(root);
	w->failed = 1;
	return -1;
}

static int visit_member(void *payload, const char *unit, const char *id, const char *json,
	size_t len)
{
	return visit(payload, unit, id, json, len, 1);
}

static int visit_candidate(void *payload, const char *unit, const char *id, const char *json,
	size_t len)
{
	return visit(payload, unit, id, json, len, 0);
}

/*
 * Groups the entries by a key (the citizen id or the party card number):
 * `by_key` maps the key to a group, `of` gives each entry's group (NONE
 * without a key). One pass, in walk order.
 */
static int index_key(const walk *w, int card, table *by_key, group **groups_out, size_t **of_out)
{
	group *groups = malloc((w->n + 1) * sizeof(*groups));
	size_t *of = malloc((w->n + 1) * sizeof(*of));
	size_t ngroups = 0;

	*groups_out = groups;
	*of_out = of;
	if (groups == NULL || of == NULL || table_init(by_key, w->n) < 0)
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		const entry *e = &w->entries[i];
		const char *key = card ? e->card : e->cid;
		size_t slot;
		group *g;

		of[i] = NONE;
		if (key == NULL || key[0] == '\0')
			continue;
		slot = table_slot(by_key, key);
		if (by_key->keys[slot] == NULL) {
			by_key->keys[slot] = key;
			by_key->values[slot] = ngroups;
			groups[ngroups].first = i;
			groups[ngroups].other = NONE;
			ngroups++;
		}
		of[i] = by_key->values[slot];
		g = &groups[of[i]];
		if (g->other == NONE && strcmp(w->entries[g->first].person, e->person) != 0)
			g->other = i;
	}
	return 0;
}

/* The record that entry `i` conflicts with, or NONE. `before`: only earlier ones. */
static size_t conflict_of(const walk *w, const group *groups, const size_t *of, size_t i,
	int before)
{
	const group *g;
	size_t other;

	if (of[i] == NONE)
		return NONE;
	g = &groups[of[i]];
	if (strcmp(w->entries[g->first].person, w->entries[i].person) != 0)
		other = g->first;
	else
		other = g->other;
	if (other == NONE || (before && other > i))
		return NONE;
	return other;
}

static void report_conflicts(hoso_host *host, const walk *w, const group *groups,
	const size_t *of, size_t i, int before, int card)
{
	size_t other = conflict_of(w, groups, of, i, before);
	const entry *e = &w->entries[i];

	if (other == NONE)
		return;
	if (card)
		report(host, e->id, "party_card_no", RULE_UNIQUE,
			"party card '%.40s' is also on member '%.64s'", e->card, w->entries[other].id);
	else
		report(host, e->id, "citizen_id", RULE_UNIQUE,
			"citizen id '%.40s' is also on record '%.64s'", e->cid, w->entries[other].id);
}

/*
 * With a few changes, only their neighbours: each changed member or
 * candidate and every record sharing its citizen id or card number, found
 * through the host's index. More than this many, and one walk is cheaper.
 */
#define FEW_CHANGES 2000

static int find_into(hoso_host *host, walk *w, const char *type, const char *field,
	const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 0;
	return host_api->record_find(host, type, field, value,
		strcmp(type, "member") == 0 ? visit_member : visit_candidate, w);
}

static int gather(hoso_host *host, walk *w, const char *const *ids, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char unit[64], *json = NULL;
		size_t len = 0;
		record_view view, *root = &view;
		const char *type;
		int rc = 0;

		if (ids[k] == NULL || host_api->record_get(host, ids[k], &json, &len, unit) != 0 ||
		    json == NULL)
			continue; /* removed: it can clash with nothing */
		if (rv_open(root, json, len) < 0) {
			host_api->free(json);
			continue;
		}
		type = get_string(root, "type");
		if (type != NULL && (strcmp(type, "member") == 0 || strcmp(type, "candidate") == 0)) {
			const char *cid = get_string(root, "citizen_id");

			rc = find_into(host, w, "member", "citizen_id", cid);
			if (rc == 0)
				rc = find_into(host, w, "candidate", "citizen_id", cid);
			if (rc == 0 && strcmp(type, "member") == 0)
				rc = find_into(host, w, "member", "party_card_no", get_string(root, "party_card_no"));
		}
		rv_close(root);
		host_api->free(json);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int check_set(void *state, hoso_host *host, const char *const *ids, size_t n)
{
	walk w = { NULL, 0, 0, 0 };
	table by_cid = { NULL, NULL, 0 }, by_card = { NULL, NULL, 0 }, by_id = { NULL, NULL, 0 };
	group *cid_groups = NULL, *card_groups = NULL;
	size_t *cid_of = NULL, *card_of = NULL;
	unsigned char *seen = NULL;
	int rc = -1;

	(void)state;
	if (ids != NULL && n == 0)
		return 0;
	if (!HAS_SLOT(host_api, record_foreach)) {
		fail(host, "the host offers no record_foreach");
		return -1;
	}
	if (ids != NULL && n <= FEW_CHANGES && HAS_SLOT(host_api, record_find)) {
		if (gather(host, &w, ids, n) != 0) {
			if (w.failed)
				fail(host, "out of memory while indexing citizen ids");
			goto done;
		}
	} else if (host_api->record_foreach(host, "member", NULL, visit_member, &w) != 0 ||
	    host_api->record_foreach(host, "candidate", NULL, visit_candidate, &w) != 0) {
		if (w.failed)
			fail(host, "out of memory while indexing citizen ids");
		goto done;
	}
	if (index_key(&w, 0, &by_cid, &cid_groups, &cid_of) < 0 ||
	    index_key(&w, 1, &by_card, &card_groups, &card_of) < 0) {
		fail(host, "out of memory while indexing citizen ids");
		goto done;
	}

	if (ids == NULL) {
		for (size_t i = 0; i < w.n; i++) {
			report_conflicts(host, &w, cid_groups, cid_of, i, 1, 0);
			report_conflicts(host, &w, card_groups, card_of, i, 1, 1);
		}
	} else {
		if (table_init(&by_id, w.n) < 0) {
			fail(host, "out of memory while indexing citizen ids");
			goto done;
		}
		for (size_t i = 0; i < w.n; i++) {
			size_t slot = table_slot(&by_id, w.entries[i].id);

			if (by_id.keys[slot] == NULL) {
				by_id.keys[slot] = w.entries[i].id;
				by_id.values[slot] = i;
			}
		}
		seen = calloc(w.n + 1, 1);
		if (seen == NULL) {
			fail(host, "out of memory while indexing citizen ids");
			goto done;
		}
		for (size_t k = 0; k < n; k++) {
			size_t i = ids[k] != NULL ? table_get(&by_id, ids[k]) : NONE;

			if (i == NONE || seen[i])
				continue; /* not a member or candidate, or given twice */
			seen[i] = 1;
			report_conflicts(host, &w, cid_groups, cid_of, i, 0, 0);
			report_conflicts(host, &w, card_groups, card_of, i, 0, 1);
		}
	}
	rc = 0;

done:
	free(seen);
	table_free(&by_id);
	table_free(&by_card);
	table_free(&by_cid);
	free(card_of);
	free(card_groups);
	free(cid_of);
	free(cid_groups);
	for (size_t i = 0; i < w.n; i++) {
		free(w.entries[i].member_id);
		free(w.entries[i].card);
		free(w.entries[i].cid);
		free(w.entries[i].id);
	}
	free(w.entries);
	return rc;
}

/* ---- descriptor ------------------------------------------------------ */

static const char *const types[] = { "member", "candidate", NULL };

static const char *const indexes[] = {
	"member.citizen_id", "member.party_card_no", "candidate.citizen_id", NULL
};

static const hoso_validator validator = {
	sizeof(hoso_validator), types, check_record, check_set, indexes, { NULL }
};

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "vn-identity", "1.0.0", "MIT",
	"checks Vietnamese citizen ids (province, century, gender, birth year) and that citizen ids "
	"and party card numbers are unique",
	NULL, NULL, &validator, NULL, NULL, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *api)
{
	if (api == NULL || api->struct_size < offsetof(hoso_host_api, alloc))
		return NULL;
	/* Another major's table may be laid out differently: touch nothing more. */
	if (api->abi_major != HOSO_PLUGIN_ABI_MAJOR)
		return NULL;
	if (!HAS_SLOT(api, report) || !HAS_SLOT(api, record_foreach)) {
		/* No call is under way yet: there is no host to pass. */
		if (HAS_SLOT(api, set_error))
			api->set_error(NULL, "the host's API table lacks report or record_foreach");
		return NULL;
	}
	host_api = api;
	return &descriptor;
}
