/*
 * The party-rules plugin (RECORDS.md rules 3-10), loaded with dlopen like the
 * host loads it and driven through a fake host: an in-memory array of
 * (unit, id, json) records and a list of the findings reported.
 */
#include <jansson.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hoso/plugin.h>

#define MAX_RECORDS 64
#define MAX_FINDINGS 128

typedef struct {
	char unit[8];
	char id[32];
	char type[24];
	char *json;
} fake_record;

typedef struct {
	hoso_finding_severity severity;
	char id[32];
	char field[32];
	char rule[32];
	char message[512];
} fake_finding;

struct hoso_host {
	fake_record records[MAX_RECORDS];
	size_t n_records;
	fake_finding findings[MAX_FINDINGS];
	size_t n_findings;
	char error[256];
};

static struct hoso_host host;
static void *handle;
static const hoso_plugin *plugin;

/* ---- the fake host ---- */

static void *fake_alloc(size_t size) { return malloc(size); }
static void *fake_realloc(void *p, size_t size) { return realloc(p, size); }
static void fake_free(void *p) { free(p); }

static void fake_log(hoso_host *h, hoso_log_level level, const char *message)
{
	(void)h;
	(void)level;
	(void)message;
}

static void fake_set_error(hoso_host *h, const char *message)
{
	if (h)
		snprintf(h->error, sizeof(h->error), "%s", message);
}

static int fake_record_get(hoso_host *h, const char *id, char **json, size_t *len, char unit[64])
{
	size_t i;

	*json = NULL;
	for (i = 0; i < h->n_records; i++)
		if (strcmp(h->records[i].id, id) == 0) {
			size_t n = strlen(h->records[i].json);

			if (!(*json = malloc(n + 1)))
				return -1;
			memcpy(*json, h->records[i].json, n + 1);
			if (len)
				*len = n;
			snprintf(unit, 64, "%s", h->records[i].unit);
			return 0;
		}
	return -1;
}

static int fake_record_foreach(hoso_host *h, const char *type, const char *unit,
	hoso_record_visit_fn visit, void *payload)
{
	size_t i;
	int rc;

	for (i = 0; i < h->n_records; i++) {
		const fake_record *r = &h->records[i];

		if ((type && strcmp(type, r->type) != 0) || (unit && strcmp(unit, r->unit) != 0))
			continue;
		if ((rc = visit(payload, r->unit, r->id, r->json, strlen(r->json))) != 0)
			return rc;
	}
	return 0;
}

/* Matching by parsing every record: what the host's index answers. */
static int fake_record_find(hoso_host *h, const char *type, const char *field, const char *value,
	hoso_record_visit_fn visit, void *payload)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < h->n_records && rc == 0; i++) {
		const fake_record *r = &h->records[i];
		json_t *o, *v;
		int match;

		if (strcmp(type, r->type) != 0)
			continue;
		o = json_loads(r->json, 0, NULL);
		v = json_object_get(o, field);
		match = json_is_string(v) && strcmp(json_string_value(v), value) == 0;
		for (k = 0; !match && json_is_array(v) && k < json_array_size(v); k++)
			match = json_is_string(json_array_get(v, k)) &&
				strcmp(json_string_value(json_array_get(v, k)), value) == 0;
		json_decref(o);
		if (match)
			rc = visit(payload, r->unit, r->id, r->json, strlen(r->json));
	}
	return rc;
}

static void fake_report(hoso_host *h, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *message)
{
	fake_finding *f;

	assert_true(h->n_findings < MAX_FINDINGS);
	f = &h->findings[h->n_findings++];
	f->severity = severity;
	snprintf(f->id, sizeof(f->id), "%s", id ? id : "");
	snprintf(f->field, sizeof(f->field), "%s", field ? field : "");
	snprintf(f->rule, sizeof(f->rule), "%s", rule ? rule : "");
	snprintf(f->message, sizeof(f->message), "%s", message ? message : "");
}

static hoso_host_api fake_api = {
	HOSO_PLUGIN_ABI_MAJOR, HOSO_PLUGIN_ABI_MINOR, sizeof(hoso_host_api),
	fake_alloc, fake_realloc, fake_free, fake_log, fake_set_error,
	fake_record_get, fake_record_foreach, fake_report, NULL, NULL, fake_record_find, NULL, { NULL }
};

/* ---- helpers ---- */

/*
 * Records reach validators as hoso stores them: canonical text (sorted keys,
 * two spaces of indent). Text that does not parse is kept as it is.
 */
static char *canonical(char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	char *dumped = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL, *out;

	json_decref(o);
	if (!dumped)
		return text;
	out = malloc(strlen(dumped) + 2);
	assert_non_null(out);
	sprintf(out, "%s\n", dumped);
	free(dumped);
	free(text);
	return out;
}

/* A record {"id": id, "type": type, <fields>} in unit "026". */
static void put(const char *type, const char *id, const char *fields)
{
	fake_record *r;
	size_t n;

	assert_true(host.n_records < MAX_RECORDS);
	r = &host.records[host.n_records++];
	snprintf(r->unit, sizeof(r->unit), "026");
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->type, sizeof(r->type), "%s", type);
	n = strlen(id) + strlen(type) + strlen(fields) + 64;
	r->json = malloc(n);
	assert_non_null(r->json);
	snprintf(r->json, n, "{\"id\":\"%s\",\"type\":\"%s\"%s%s}", id, type, *fields ? "," : "", fields);
	r->json = canonical(r->json);
}

static void drop(const char *id)
{
	size_t i;

	for (i = 0; i < host.n_records; i++)
		if (strcmp(host.records[i].id, id) == 0) {
			free(host.records[i].json);
			memmove(&host.records[i], &host.records[i + 1],
				(host.n_records - i - 1) * sizeof(host.records[0]));
			host.n_records--;
			return;
		}
	fail();
}

static void clear_findings(void)
{
	host.n_findings = 0;
}

/* check_record on the stored record `id`; returns the number of findings. */
static size_t check(const char *id)
{
	size_t i;

	clear_findings();
	for (i = 0; i < host.n_records; i++)
		if (strcmp(host.records[i].id, id) == 0) {
			const fake_record *r = &host.records[i];

			assert_int_equal(plugin->validator->check_record(NULL, &host, r->type, r->unit,
				r->json, strlen(r->json)), 0);
			return host.n_findings;
		}
	fail();
	return 0;
}

static size_t check_all(void)
{
	clear_findings();
	assert_int_equal(plugin->validator->check_set(NULL, &host, NULL, 0), 0);
	return host.n_findings;
}

/*
 * A changed set is checked twice: by one walk of every record (a host
 * without record_find) and by looking up only the neighbours; both must
 * find the same.
 */
static size_t check_changed(const char *const *ids, size_t n)
{
	fake_finding walked[MAX_FINDINGS];
	size_t n_walked, i, j;

	clear_findings();
	fake_api.record_find = NULL;
	assert_int_equal(plugin->validator->check_set(NULL, &host, ids, n), 0);
	fake_api.record_find = fake_record_find;
	n_walked = host.n_findings;
	memcpy(walked, host.findings, sizeof(walked));
	clear_findings();
	assert_int_equal(plugin->validator->check_set(NULL, &host, ids, n), 0);
	assert_int_equal(host.n_findings, n_walked);
	for (i = 0; i < n_walked; i++) {
		for (j = 0; j < host.n_findings; j++)
			if (strcmp(walked[i].id, host.findings[j].id) == 0 &&
				strcmp(walked[i].rule, host.findings[j].rule) == 0 &&
				strcmp(walked[i].message, host.findings[j].message) == 0)
				break;
		if (j == host.n_findings)
			fail_msg("found by the walk, not by the lookups: %s %s %s", walked[i].rule,
				walked[i].id, walked[i].message);
	}
	return host.n_findings;
}

/* The finding of `rule` about `id` (and `field` unless NULL), or NULL. */
static const fake_finding *found(const char *rule, const char *id, const char *field)
{
	size_t i;

	for (i = 0; i < host.n_findings; i++) {
		const fake_finding *f = &host.findings[i];

		if (strcmp(f->rule, rule) == 0 && strcmp(f->id, id) == 0 &&
		    (!field || strcmp(f->field, field) == 0))
			return f;
	}
	return NULL;
}

static void print_findings(void)
{
	size_t i;

	for (i = 0; i < host.n_findings; i++)
		print_message("finding: %s %s.%s: %s\n", host.findings[i].rule, host.findings[i].id,
			host.findings[i].field, host.findings[i].message);
}

/* A member in `cell` with the given extra fields (later keys are the caller's). */
static void member(const char *id, const char *cell, const char *membership, const char *extra)
{
	char fields[1024];

	snprintf(fields, sizeof(fields),
		"\"full_name\":\"Giàng A Pó\",\"birth_date\":\"1990-01-01\",\"admission_date\":\"2015-05-10\","
		"\"admission_decision_date\":\"2015-05-01\",\"membership\":\"%s\",\"status\":\"dang_sinh_hoat\","
		"\"cell_id\":\"%s\"%s%s%s",
		membership, cell,
		strcmp(membership, "chinh_thuc") == 0 ? ",\"official_date\":\"2016-05-10\"" : "",
		*extra ? "," : "", extra);
	put("member", id, fields);
}

/* A small, valid world: the province, a district, a cell of three full members. */
static void world(void)
{
	put("organization", "PROV", "\"name\":\"Đảng bộ tỉnh\",\"level\":\"dang_bo_tinh\"");
	put("organization", "DIST", "\"name\":\"Đảng bộ huyện\",\"level\":\"dang_bo_cap_tren_co_so\","
		"\"parent_id\":\"PROV\"");
	put("organization", "CELL", "\"name\":\"Chi bộ thôn\",\"level\":\"chi_bo_co_so\",\"parent_id\":\"DIST\","
		"\"founded_on\":\"2000-01-01\"");
	member("M1", "CELL", "chinh_thuc", "");
	member("M2", "CELL", "chinh_thuc", "");
	member("M3", "CELL", "chinh_thuc", "");
}

static int setup(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	world();
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < host.n_records; i++)
		free(host.records[i].json);
	host.n_records = 0;
	return 0;
}

static int group_setup(void **state)
{
	hoso_plugin_entry_fn entry;

	(void)state;
	if (!(handle = dlopen(HOSO_PARTY_RULES_PLUGIN, RTLD_NOW | RTLD_LOCAL))) {
		print_error("cannot load '%s': %s\n", HOSO_PARTY_RULES_PLUGIN, dlerror());
		return -1;
	}
	*(void **)(&entry) = dlsym(handle, HOSO_PLUGIN_ENTRY);
	if (!entry || !(plugin = entry(&fake_api)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (handle)
		dlclose(handle);
	return 0;
}

/* ---- the descriptor ---- */

static void test_descriptor(void **state)
{
	(void)state;
	assert_int_equal(plugin->abi_major, HOSO_PLUGIN_ABI_MAJOR);
	assert_string_equal(plugin->name, "party-rules");
	assert_string_equal(plugin->version, "1.0.0");
	assert_string_equal(plugin->license, "MIT");
	assert_non_null(plugin->validator);
	assert_null(plugin->validator->types);
	assert_non_null(plugin->validator->check_record);
	assert_non_null(plugin->validator->check_set);
	assert_null(plugin->exporter);
}

static void test_small_host_table_refused(void **state)
{
	hoso_plugin_entry_fn entry;
	hoso_host_api small = fake_api;

	(void)state;
	*(void **)(&entry) = dlsym(handle, HOSO_PLUGIN_ENTRY);
	small.struct_size = (uint32_t)offsetof(hoso_host_api, record_get);
	assert_null(entry(&small));
	small = fake_api;
	small.abi_major = 2;
	assert_null(entry(&small));
	/* The plugin still uses the good table. */
	assert_non_null(entry(&fake_api));
}

static void test_world_is_clean(void **state)
{
	(void)state;
	if (check_all() != 0)
		print_findings();
	assert_int_equal(host.n_findings, 0);
	assert_int_equal(check("M1"), 0);
}

/* ---- 3: age at admission ---- */

static void test_rule3_age(void **state)
{
	const fake_finding *f;

	(void)state;
	put("member", "A18", "\"birth_date\":\"2002-06-01\",\"admission_date\":\"2020-06-01\","
		"\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	put("member", "A17", "\"birth_date\":\"2002-06-01\",\"admission_date\":\"2020-05-31\","
		"\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("A18"), 0);
	assert_int_equal(check("A17"), 1);
	assert_non_null(f = found("party-rules/3", "A17", "admission_date"));
	assert_int_equal(f->severity, HOSO_FINDING_ERROR);
	assert_string_equal(f->message, "member born 2002-06-01 is 17 at admission on 2020-05-31, under 18");
}

static void test_rule3_born_on_feb29(void **state)
{
	(void)state;
	/* Born 29 February 2004: 18 on 1 March 2022, not on 28 February. */
	put("member", "L1", "\"birth_date\":\"2004-02-29\",\"admission_date\":\"2022-02-28\","
		"\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	put("member", "L2", "\"birth_date\":\"2004-02-29\",\"admission_date\":\"2022-03-01\","
		"\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	put("member", "L3", "\"birth_date\":\"2004-02-29\",\"admission_date\":\"2024-02-29\","
		"\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("L1"), 1);
	assert_non_null(found("party-rules/3", "L1", "admission_date"));
	assert_int_equal(check("L2"), 0);
	assert_int_equal(check("L3"), 0);
}

/* ---- 4: official date ---- */

static void test_rule4_official_date(void **state)
{
	const fake_finding *f;

	(void)state;
	put("member", "O1", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"official_date\":\"2021-05-10\",\"membership\":\"chinh_thuc\",\"cell_id\":\"CELL\"");
	put("member", "O2", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"official_date\":\"2021-05-11\",\"membership\":\"chinh_thuc\",\"cell_id\":\"CELL\"");
	put("member", "O3", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"membership\":\"chinh_thuc\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("O1"), 0);
	assert_int_equal(check("O2"), 1);
	assert_non_null(f = found("party-rules/4", "O2", "official_date"));
	assert_string_equal(f->message,
		"official_date 2021-05-11 is not 12 months after admission_date 2020-05-10: expected 2021-05-10");
	assert_int_equal(check("O3"), 1);
	assert_non_null(found("party-rules/4", "O3", "official_date"));
}

static void test_rule4_feb29_admission(void **state)
{
	(void)state;
	put("member", "F1", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-02-29\","
		"\"official_date\":\"2021-02-28\",\"membership\":\"chinh_thuc\",\"cell_id\":\"CELL\"");
	put("member", "F2", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-02-29\","
		"\"official_date\":\"2021-03-01\",\"membership\":\"chinh_thuc\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("F1"), 0);
	assert_int_equal(check("F2"), 1);
	assert_non_null(found("party-rules/4", "F2", "official_date"));
	assert_non_null(strstr(host.findings[0].message, "expected 2021-02-28"));
}

/* ---- 5: decision before admission; no past official date while du_bi ---- */

static void test_rule5_decision_date(void **state)
{
	(void)state;
	put("member", "D1", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"admission_decision_date\":\"2020-05-10\",\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	put("member", "D2", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"admission_decision_date\":\"2020-05-11\",\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("D1"), 0);
	assert_int_equal(check("D2"), 1);
	assert_string_equal(found("party-rules/5", "D2", "admission_decision_date")->message,
		"admission_decision_date 2020-05-11 is after admission_date 2020-05-10");
}

static void test_rule5_du_bi_official_date(void **state)
{
	(void)state;
	put("member", "P1", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2098-05-10\","
		"\"official_date\":\"2099-05-10\",\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	put("member", "P2", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2020-05-10\","
		"\"official_date\":\"2021-05-10\",\"membership\":\"du_bi\",\"cell_id\":\"CELL\"");
	assert_int_equal(check("P1"), 0);
	assert_int_equal(check("P2"), 1);
	assert_non_null(found("party-rules/5", "P2", "official_date"));
}

/* ---- 6: discipline forms ---- */

static void discipline(const char *id, const char *kind, const char *subject, const char *form,
	const char *date)
{
	char fields[512];

	snprintf(fields, sizeof(fields), "\"subject_kind\":\"%s\",\"subject_id\":\"%s\",\"form\":\"%s\","
		"\"decision_date\":\"%s\",\"decided_by\":\"DIST\"", kind, subject, form, date);
	put("discipline", id, fields);
}

static void test_rule6_forms(void **state)
{
	(void)state;
	discipline("K1", "organization", "CELL", "giai_tan", "2023-06-20");
	discipline("K2", "organization", "CELL", "khai_tru", "2023-06-20");
	discipline("K3", "member", "M1", "khai_tru", "2023-06-20");
	discipline("K4", "member", "M1", "giai_tan", "2023-06-20");
	assert_int_equal(check("K1"), 0);
	assert_int_equal(check("K2"), 1);
	assert_string_equal(found("party-rules/6", "K2", "form")->message,
		"form 'khai_tru' is not allowed for an organization");
	assert_int_equal(check("K3"), 0);
	assert_int_equal(check("K4"), 1);
	assert_string_equal(found("party-rules/6", "K4", "form")->message,
		"form 'giai_tan' is not allowed for a member");
}

static void test_rule6_probationary(void **state)
{
	(void)state;
	member("PB", "CELL", "du_bi", "");
	discipline("K5", "member", "PB", "canh_cao", "2023-06-20");
	discipline("K6", "member", "PB", "khai_tru", "2023-06-20");
	discipline("K7", "member", "PB", "cach_chuc", "2023-06-20");
	discipline("K8", "member", "PB", "khien_trach", "2023-06-20");
	/* M1 became full on 2016-05-10: probationary when disciplined in 2016-01. */
	discipline("K9", "member", "M1", "cach_chuc", "2016-01-15");
	assert_int_equal(check("K5"), 0);
	assert_int_equal(check("K8"), 0);
	assert_int_equal(check("K6"), 1);
	assert_string_equal(found("party-rules/6", "K6", "form")->message,
		"form 'khai_tru' is not allowed for probationary member 'PB'");
	assert_int_equal(check("K7"), 1);
	assert_non_null(found("party-rules/6", "K7", "form"));
	assert_int_equal(check("K9"), 1);
	assert_non_null(found("party-rules/6", "K9", "form"));
}

/* ---- 7: no htxsnv in a year of discipline ---- */

static void evaluation(const char *id, const char *rule_set, const char *kind, const char *subject,
	int year, const char *rating, const char *score)
{
	char fields[512];

	snprintf(fields, sizeof(fields), "\"year\":%d,\"rule_set\":\"%s\",\"subject_kind\":\"%s\","
		"\"subject_id\":\"%s\",\"rating\":\"%s\"%s%s", year, rule_set, kind, subject, rating,
		score ? ",\"score\":" : "", score ? score : "");
	put("evaluation", id, fields);
}

static void test_rule7_disciplined_year(void **state)
{
	const char *const unrelated[] = { "M3" };
	const char *const the_eval[] = { "E1" };
	const char *const the_discipline[] = { "K1" };
	const fake_finding *f;

	(void)state;
	discipline("K1", "member", "M1", "canh_cao", "2023-06-20");
	evaluation("E1", "qd124_2023", "member", "M1", 2023, "htxsnv", NULL);
	evaluation("E2", "qd124_2023", "member", "M1", 2024, "htxsnv", NULL);
	evaluation("E3", "qd124_2023", "member", "M2", 2023, "htxsnv", NULL);
	evaluation("E4", "qd124_2023", "member", "M1", 2023, "httnv", NULL);
	check_all();
	assert_non_null(f = found("party-rules/7", "E1", "rating"));
	assert_string_equal(f->message, "'M1' was disciplined in 2023 and cannot be rated htxsnv that year");
	assert_null(found("party-rules/7", "E2", NULL));
	assert_null(found("party-rules/7", "E3", NULL));
	assert_null(found("party-rules/7", "E4", NULL));
	assert_int_equal(host.n_findings, 1);
	/* Only what the change affects. */
	assert_int_equal(check_changed(unrelated, 1), 0);
	assert_int_equal(check_changed(the_eval, 1), 1);
	assert_non_null(found("party-rules/7", "E1", "rating"));
	assert_int_equal(check_changed(the_discipline, 1), 1);
	assert_non_null(found("party-rules/7", "E1", "rating"));
}

/* ---- 8: the 20% quota (qd124_2023) and the score (qd366_2025) ---- */

static void quota_world(size_t excellent, size_t good, int year)
{
	char id[32], eid[32];
	size_t i;

	for (i = 0; i < excellent + good; i++) {
		snprintf(id, sizeof(id), "Q%d_%zu", year, i);
		snprintf(eid, sizeof(eid), "EQ%d_%zu", year, i);
		put("organization", id, "\"name\":\"Chi bộ\",\"level\":\"dang_bo_co_so\",\"parent_id\":\"DIST\"");
		evaluation(eid, "qd124_2023", "organization", id, year, i < excellent ? "htxsnv" : "httnv", NULL);
	}
}

static void test_rule8_quota_boundary(void **state)
{
	const fake_finding *f;
	const char *const changed[] = { "EQ2023_0" };
	const char *const other[] = { "M1" };

	(void)state;
	quota_world(2, 10, 2022); /* 2 of 10: exactly 20% */
	quota_world(2, 9, 2023);  /* 2 of 9: over */
	check_all();
	assert_int_equal(host.n_findings, 1);
	assert_non_null(f = found("party-rules/8", "DIST", NULL));
	assert_int_equal(f->severity, HOSO_FINDING_ERROR);
	assert_string_equal(f->message,
		"in 2023, organizations under 'DIST' rated htxsnv: 2, more than 20% of those rated httnv: 9");
	assert_int_equal(check_changed(changed, 1), 1);
	assert_int_equal(check_changed(other, 1), 0);
}

static void test_rule8_quota_one_of_five(void **state)
{
	(void)state;
	quota_world(1, 5, 2024);
	assert_int_equal(check_all(), 0);
	quota_world(1, 4, 2025);
	assert_int_equal(check_all(), 1);
	assert_non_null(strstr(host.findings[0].message, "in 2025, organizations under 'DIST' rated htxsnv: 1,"));
	/* qd366_2025 has no quota. */
	drop("EQ2025_0");
	evaluation("EQ2025_0", "qd366_2025", "organization", "Q2025_0", 2025, "htxsnv", "95");
	assert_int_equal(check_all(), 0);
}

static void test_rule8_score(void **state)
{
	const fake_finding *f;

	(void)state;
	evaluation("S1", "qd366_2025", "member", "M1", 2025, "htxsnv", "90");
	evaluation("S2", "qd366_2025", "member", "M1", 2025, "httnv", "89.99");
	evaluation("S3", "qd366_2025", "member", "M1", 2025, "htxsnv", "89.99");
	evaluation("S4", "qd366_2025", "member", "M1", 2025, "htnv", "50");
	evaluation("S5", "qd366_2025", "member", "M1", 2025, "htnv", "49.9");
	evaluation("S6", "qd366_2025", "member", "M1", 2025, "khtnv", "0");
	evaluation("S7", "qd124_2023", "member", "M1", 2023, "khtnv", "95");
	assert_int_equal(check("S1"), 0);
	assert_int_equal(check("S2"), 0);
	assert_int_equal(check("S3"), 1);
	assert_non_null(f = found("party-rules/8", "S3", "rating"));
	assert_string_equal(f->message, "rating 'htxsnv' does not follow score 89.99: expected 'httnv'");
	assert_int_equal(check("S4"), 0);
	assert_int_equal(check("S5"), 1);
	assert_non_null(strstr(host.findings[0].message, "expected 'khtnv'"));
	assert_int_equal(check("S6"), 0);
	assert_int_equal(check("S7"), 0);
}

/* ---- 9: references ---- */

static void test_rule9_references_exist(void **state)
{
	const fake_finding *f;

	(void)state;
	put("inspection", "I1", "\"conducted_by\":\"DIST\",\"conducted_by_role\":\"ubkt\",\"kind\":\"to_cao\","
		"\"start_date\":\"2023-01-10\",\"subject_org_ids\":[\"CELL\"],\"subject_member_ids\":[\"M1\",\"M2\"]");
	put("discipline", "K1", "\"subject_kind\":\"member\",\"subject_id\":\"M1\",\"form\":\"canh_cao\","
		"\"decision_date\":\"2023-06-20\",\"decided_by\":\"DIST\",\"source_inspection_id\":\"I1\"");
	put("member_event", "V1", "\"member_id\":\"M1\",\"kind\":\"phat_the\",\"date\":\"2017-01-01\","
		"\"decided_by\":\"DIST\",\"to_org\":\"Tỉnh Lào Cai\"");
	put("training_course", "T1", "\"name\":\"Lớp\",\"organizer_id\":\"DIST\",\"participant_ids\":[\"M1\"]");
	put("cell_meeting", "C1", "\"cell_id\":\"CELL\",\"date\":\"2024-01-05\"");
	put("candidate", "Z1", "\"full_name\":\"Vàng Thị Mai\",\"cell_id\":\"CELL\","
		"\"introducer_ids\":[\"M1\",\"M2\"],\"member_id\":\"M3\"");
	evaluation("E1", "qd124_2023", "organization", "CELL", 2023, "httnv", NULL);
	assert_int_equal(check_all(), 0);

	/* Now break some. */
	put("inspection", "I2", "\"conducted_by\":\"NOPE\",\"subject_member_ids\":[\"M1\",\"GHOST\"]");
	put("discipline", "K2", "\"subject_kind\":\"organization\",\"subject_id\":\"M1\",\"form\":\"canh_cao\","
		"\"decision_date\":\"2023-06-20\",\"source_inspection_id\":\"K1\"");
	put("organization", "ORPH", "\"name\":\"Chi bộ\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"LOST\",\"predecessor_ids\":[\"CELL\",\"OLD\"]");
	member("M9", "CELL", "chinh_thuc", "");
	check_all();
	assert_non_null(f = found("party-rules/9", "I2", "conducted_by"));
	assert_string_equal(f->message, "organization 'NOPE' does not exist");
	assert_non_null(f = found("party-rules/9", "I2", "subject_member_ids"));
	assert_string_equal(f->message, "member 'GHOST' does not exist");
	assert_non_null(f = found("party-rules/9", "K2", "subject_id"));
	assert_string_equal(f->message, "'M1' is a member, not an organization");
	assert_non_null(f = found("party-rules/9", "K2", "source_inspection_id"));
	assert_string_equal(f->message, "'K1' is a discipline, not an inspection");
	assert_non_null(found("party-rules/9", "ORPH", "parent_id"));
	assert_non_null(f = found("party-rules/9", "ORPH", "predecessor_ids"));
	assert_string_equal(f->message, "organization 'OLD' does not exist");
}

static void test_rule9_changed_set(void **state)
{
	const char *const changed[] = { "V1" };
	const char *const deleted[] = { "M2" };

	(void)state;
	put("member_event", "V1", "\"member_id\":\"GONE\",\"kind\":\"phat_the\",\"date\":\"2017-01-01\"");
	put("member_event", "V2", "\"member_id\":\"M2\",\"kind\":\"phat_the\",\"date\":\"2017-01-01\"");
	put("member_event", "V3", "\"member_id\":\"GONE2\",\"kind\":\"phat_the\",\"date\":\"2017-01-01\"");
	assert_int_equal(check_changed(changed, 1), 1);
	assert_non_null(found("party-rules/9", "V1", "member_id"));
	/* Deleting M2 breaks V2, which refers to it. */
	drop("M2");
	check_changed(deleted, 1);
	assert_non_null(found("party-rules/9", "V2", "member_id"));
	assert_null(found("party-rules/9", "V3", NULL));
}

static void test_rule9_cell(void **state)
{
	const fake_finding *f;
	const char *const closed[] = { "OLDCELL" };

	(void)state;
	member("W1", "DIST", "chinh_thuc", "");
	put("organization", "OLDCELL", "\"name\":\"Chi bộ cũ\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"DIST\",\"dissolved_on\":\"2015-05-10\"");
	put("organization", "LATECELL", "\"name\":\"Chi bộ\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"DIST\",\"dissolved_on\":\"2015-05-11\"");
	member("W2", "OLDCELL", "chinh_thuc", "");   /* admitted 2015-05-10: closed that day */
	member("W3", "LATECELL", "chinh_thuc", "");  /* closed the day after */
	check_all();
	assert_non_null(f = found("party-rules/9", "W1", "cell_id"));
	assert_string_equal(f->message, "cell_id 'DIST' is not a cell: its level is dang_bo_cap_tren_co_so");
	assert_non_null(f = found("party-rules/9", "W2", "cell_id"));
	assert_string_equal(f->message,
		"cell 'OLDCELL' was dissolved on 2015-05-10, before admission_date 2015-05-10");
	assert_null(found("party-rules/9", "W3", NULL));
	/* Closing the cell reports its members. */
	check_changed(closed, 1);
	assert_non_null(found("party-rules/9", "W2", "cell_id"));
	assert_null(found("party-rules/9", "W1", NULL));
}

/* A member's cell must have been open at its latest event, not only at its admission. */
static void test_rule9_cell_at_latest_event(void **state)
{
	const fake_finding *f;
	const char *const event[] = { "EV2" };

	(void)state;
	put("organization", "GONE", "\"name\":\"Chi bộ\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"DIST\",\"dissolved_on\":\"2017-01-01\"");
	member("V1", "GONE", "chinh_thuc", "");   /* admitted 2015-05-10, cell open then */
	put("member_event", "EV1", "\"member_id\":\"V1\",\"kind\":\"ket_nap\",\"date\":\"2015-05-10\"");
	check_all();
	assert_null(found("party-rules/9", "V1", NULL));
	/* A later event, after the cell was dissolved: the member is in a cell that is gone. */
	put("member_event", "EV2", "\"member_id\":\"V1\",\"kind\":\"chuyen_den\",\"date\":\"2018-03-01\"");
	check_all();
	assert_non_null(f = found("party-rules/9", "V1", "cell_id"));
	assert_string_equal(f->message,
		"cell 'GONE' was dissolved on 2017-01-01, before the member's latest event on 2018-03-01");
	/* Only the event changed: still reported, on the member. */
	check_changed(event, 1);
	assert_non_null(found("party-rules/9", "V1", "cell_id"));
}

/* ---- 10: small cells, early badges ---- */

static void test_rule10_small_cell(void **state)
{
	const fake_finding *f;
	const char *const touched[] = { "N2" };
	const char *const untouched[] = { "M1" };

	(void)state;
	put("organization", "SMALL", "\"name\":\"Chi bộ nhỏ\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"DIST\"");
	put("organization", "SHUT", "\"name\":\"Chi bộ đã giải thể\",\"level\":\"chi_bo_truc_thuoc\","
		"\"parent_id\":\"DIST\",\"dissolved_on\":\"2024-01-01\"");
	member("N1", "SMALL", "chinh_thuc", "");
	member("N2", "SMALL", "chinh_thuc", "");
	member("N3", "SMALL", "du_bi", "");
	put("member", "N4", "\"birth_date\":\"1990-01-01\",\"admission_date\":\"2015-05-10\","
		"\"official_date\":\"2016-05-10\",\"membership\":\"chinh_thuc\",\"status\":\"chuyen_di\","
		"\"cell_id\":\"SMALL\"");
	check_all();
	assert_int_equal(host.n_findings, 1);
	assert_non_null(f = found("party-rules/10", "SMALL", NULL));
	assert_int_equal(f->severity, HOSO_FINDING_WARNING);
	assert_string_equal(f->message, "cell has 2 full members, fewer than 3");
	assert_null(found("party-rules/10", "CELL", NULL));
	assert_int_equal(check_changed(touched, 1), 1);
	assert_int_equal(check_changed(untouched, 1), 0);
	/* A third full member: no warning. */
	member("N5", "SMALL", "chinh_thuc", "");
	assert_int_equal(check_all(), 0);
}

static void test_rule10_badge(void **state)
{
	const fake_finding *f;

	(void)state;
	/* M1: admission_decision_date 2015-05-01, admission_date 2015-05-10. */
	put("member_event", "B1", "\"member_id\":\"M1\",\"kind\":\"tang_huy_hieu\",\"date\":\"2045-05-01\","
		"\"badge_years\":30");
	put("member_event", "B2", "\"member_id\":\"M1\",\"kind\":\"tang_huy_hieu\",\"date\":\"2045-04-30\","
		"\"badge_years\":30");
	put("member", "NODEC", "\"birth_date\":\"1950-01-01\",\"admission_date\":\"1980-09-02\","
		"\"membership\":\"chinh_thuc\",\"official_date\":\"1981-09-02\",\"cell_id\":\"CELL\"");
	put("member_event", "B3", "\"member_id\":\"NODEC\",\"kind\":\"tang_huy_hieu\",\"date\":\"2020-09-01\","
		"\"badge_years\":40");
	put("member_event", "B4", "\"member_id\":\"NODEC\",\"kind\":\"tang_huy_hieu\",\"date\":\"2020-09-02\","
		"\"badge_years\":40");
	assert_int_equal(check("B1"), 0);
	assert_int_equal(check("B2"), 1);
	assert_non_null(f = found("party-rules/10", "B2", "badge_years"));
	assert_int_equal(f->severity, HOSO_FINDING_WARNING);
	assert_string_equal(f->message, "badge for 30 years given on 2045-04-30, before the member's "
		"seniority from 2015-05-01 reaches 30 years");
	assert_int_equal(check("B3"), 1);
	assert_non_null(strstr(host.findings[0].message, "from 1980-09-02"));
	assert_int_equal(check("B4"), 0);
}

/* ---- robustness ---- */

static void test_bad_input_is_skipped(void **state)
{
	static const char *const bad[] = {
		"", "{", "[1,2]", "null", "{\"a\":1,\"a\":2}",
		"{\"birth_date\":20,\"admission_date\":[1],\"membership\":{}}",
		"{\"birth_date\":\"2002-13-45\",\"admission_date\":\"2020-xx-01\",\"membership\":\"chinh_thuc\"}",
		"{\"subject_kind\":\"member\",\"subject_id\":7,\"form\":\"khai_tru\"}",
		"{\"rule_set\":\"qd366_2025\",\"score\":\"90\",\"rating\":\"htnv\"}",
		"{\"kind\":\"tang_huy_hieu\",\"badge_years\":\"30\",\"member_id\":\"M1\",\"date\":\"2000-01-01\"}",
	};
	static const char *const types[] = { "member", "discipline", "evaluation", "member_event", "x", NULL };
	const char *const weird[] = { NULL, "" };
	size_t i, t;

	(void)state;
	clear_findings();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			assert_int_equal(plugin->validator->check_record(NULL, &host, types[t], "026",
				bad[i], strlen(bad[i])), 0);
	assert_int_equal(plugin->validator->check_record(NULL, &host, "member", "026", NULL, 0), 0);
	assert_int_equal(host.n_findings, 0);

	/* The same junk in the tree, and records of the wrong shape. */
	put("member", "J1", "\"cell_id\":7,\"membership\":[],\"admission_date\":null");
	put("organization", "J2", "\"parent_id\":{},\"predecessor_ids\":\"CELL\",\"successor_ids\":[1,null]");
	put("evaluation", "J3", "\"year\":\"2023\",\"subject_id\":\"CELL\",\"rating\":\"htxsnv\"");
	put("discipline", "J4", "\"subject_id\":[],\"decision_date\":\"2023\"");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char id[8];

		assert_true(host.n_records < MAX_RECORDS);
		snprintf(id, sizeof(id), "X%zu", i);
		snprintf(host.records[host.n_records].id, sizeof(host.records[0].id), "%s", id);
		snprintf(host.records[host.n_records].type, sizeof(host.records[0].type), "member");
		snprintf(host.records[host.n_records].unit, sizeof(host.records[0].unit), "026");
		host.records[host.n_records].json = strdup(bad[i]);
		host.n_records++;
	}
	assert_int_equal(check_all(), 0);
	assert_int_equal(check_changed(weird, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_small_host_table_refused),
		cmocka_unit_test_setup_teardown(test_world_is_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule3_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule3_born_on_feb29, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule4_official_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule4_feb29_admission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule5_decision_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule5_du_bi_official_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule6_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule6_probationary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule7_disciplined_year, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule8_quota_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule8_quota_one_of_five, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule8_score, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule9_references_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule9_changed_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule9_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule9_cell_at_latest_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule10_small_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule10_badge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_is_skipped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
