/*
 * The vn-identity plugin (plugins/builtin/vn-identity.c), loaded with dlopen
 * as hoso loads it, behind a fake host: its own hoso_host_api table over an
 * in-memory array of records, collecting the findings the plugin reports.
 */
#include <hoso/plugin.h>

#include <jansson.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef HOSO_VN_IDENTITY_PLUGIN
#error "HOSO_VN_IDENTITY_PLUGIN must name the built plugin"
#endif

/* ---- the fake host ---------------------------------------------------- */

#define MAX_RECORDS 8192
#define MAX_FINDINGS 64

typedef struct {
	const char *type;
	const char *unit;
	const char *id;
	char *json;
} fake_record;

typedef struct {
	hoso_finding_severity severity;
	char id[64];
	char field[64];
	char rule[64];
	char message[512];
} finding;

struct hoso_host {
	fake_record records[MAX_RECORDS];
	size_t nrecords;
	finding findings[MAX_FINDINGS];
	size_t nfindings;
	size_t foreach_calls;
	int foreach_fails;
	char error[256];
};

static void *fake_alloc(size_t size)
{
	return malloc(size);
}

static void *fake_realloc(void *ptr, size_t size)
{
	return realloc(ptr, size);
}

static void fake_free(void *ptr)
{
	free(ptr);
}

static void fake_log(hoso_host *host, hoso_log_level level, const char *message)
{
	(void)host;
	(void)level;
	(void)message;
}

static void fake_set_error(hoso_host *host, const char *message)
{
	if (host != NULL)
		snprintf(host->error, sizeof(host->error), "%s", message);
}

static int fake_record_get(hoso_host *host, const char *id, char **json, size_t *len,
	char unit[64])
{
	for (size_t i = 0; i < host->nrecords; i++) {
		const fake_record *r = &host->records[i];
		size_t n;

		if (strcmp(r->id, id) != 0)
			continue;
		n = strlen(r->json);
		*json = fake_alloc(n + 1);
		if (*json == NULL)
			return -1;
		memcpy(*json, r->json, n + 1);
		*len = n;
		snprintf(unit, 64, "%s", r->unit);
		return 0;
	}
	return -1;
}

static int fake_record_foreach(hoso_host *host, const char *type, const char *unit,
	hoso_record_visit_fn visit, void *payload)
{
	host->foreach_calls++;
	if (host->foreach_fails) {
		fake_set_error(host, "cannot read the tree");
		return -1;
	}
	for (size_t i = 0; i < host->nrecords; i++) {
		const fake_record *r = &host->records[i];
		int rc;

		if ((type != NULL && strcmp(r->type, type) != 0) ||
		    (unit != NULL && strcmp(r->unit, unit) != 0))
			continue;
		rc = visit(payload, r->unit, r->id, r->json, strlen(r->json));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Matching by parsing every record: what the host's index answers. */
static int fake_record_find(hoso_host *host, const char *type, const char *field,
	const char *value, hoso_record_visit_fn visit, void *payload)
{
	int rc = 0;

	for (size_t i = 0; i < host->nrecords && rc == 0; i++) {
		const fake_record *r = &host->records[i];
		json_t *o;
		const char *v;

		if (strcmp(r->type, type) != 0)
			continue;
		o = json_loads(r->json, 0, NULL);
		v = json_string_value(json_object_get(o, field));
		if (v != NULL && strcmp(v, value) == 0)
			rc = visit(payload, r->unit, r->id, r->json, strlen(r->json));
		json_decref(o);
	}
	return rc;
}

static void fake_report(hoso_host *host, hoso_finding_severity severity, const char *id,
	const char *field, const char *rule, const char *message)
{
	finding *f;

	assert_true(host->nfindings < MAX_FINDINGS);
	f = &host->findings[host->nfindings++];
	f->severity = severity;
	snprintf(f->id, sizeof(f->id), "%s", id != NULL ? id : "");
	snprintf(f->field, sizeof(f->field), "%s", field != NULL ? field : "");
	snprintf(f->rule, sizeof(f->rule), "%s", rule != NULL ? rule : "");
	snprintf(f->message, sizeof(f->message), "%s", message != NULL ? message : "");
}

static hoso_host_api fake_api = {
	HOSO_PLUGIN_ABI_MAJOR, HOSO_PLUGIN_ABI_MINOR, sizeof(hoso_host_api),
	fake_alloc, fake_realloc, fake_free, fake_log, fake_set_error,
	fake_record_get, fake_record_foreach, fake_report, NULL, NULL, fake_record_find, NULL, { NULL }
};

static hoso_host *host_new(void)
{
	hoso_host *host = calloc(1, sizeof(*host));

	assert_non_null(host);
	return host;
}

static void host_free(hoso_host *host)
{
	for (size_t i = 0; i < host->nrecords; i++)
		free(host->records[i].json);
	free(host);
}

/*
 * Records reach validators as hoso stores them: canonical text (sorted keys,
 * two spaces of indent). Text that does not parse is kept as it is.
 */
static char *canonical(const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	char *dumped = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL, *out;

	json_decref(o);
	if (dumped == NULL)
		return strdup(text);
	out = malloc(strlen(dumped) + 2);
	if (out != NULL)
		sprintf(out, "%s\n", dumped);
	free(dumped);
	return out;
}

static void add_json(hoso_host *host, const char *type, const char *id, const char *json)
{
	fake_record *r;

	assert_true(host->nrecords < MAX_RECORDS);
	r = &host->records[host->nrecords++];
	r->type = type;
	r->unit = "030";
	r->id = id;
	r->json = canonical(json);
	assert_non_null(r->json);
}

/* A member; NULL leaves a field out. `id` must outlive the host. */
static void add_member(hoso_host *host, const char *id, const char *cid, const char *card)
{
	char json[512];

	if (card != NULL)
		snprintf(json, sizeof(json),
			"{\"id\": \"%s\", \"type\": \"member\", \"gender\": \"nam\", "
			"\"birth_date\": \"1994-11-02\", \"citizen_id\": \"%s\", \"party_card_no\": \"%s\"}",
			id, cid, card);
	else
		snprintf(json, sizeof(json),
			"{\"id\": \"%s\", \"type\": \"member\", \"gender\": \"nam\", "
			"\"birth_date\": \"1994-11-02\", \"citizen_id\": \"%s\"}", id, cid);
	add_json(host, "member", id, json);
}

static void add_candidate(hoso_host *host, const char *id, const char *cid, const char *member_id)
{
	char json[512];

	if (member_id != NULL)
		snprintf(json, sizeof(json),
			"{\"id\": \"%s\", \"type\": \"candidate\", \"citizen_id\": \"%s\", "
			"\"outcome\": \"ket_nap\", \"member_id\": \"%s\"}", id, cid, member_id);
	else
		snprintf(json, sizeof(json),
			"{\"id\": \"%s\", \"type\": \"candidate\", \"citizen_id\": \"%s\"}", id, cid);
	add_json(host, "candidate", id, json);
}

/* ---- the plugin ------------------------------------------------------- */

static void *handle;
static const hoso_plugin *plugin;

static int load_plugin(void **state)
{
	hoso_plugin_entry_fn entry;

	(void)state;
	handle = dlopen(HOSO_VN_IDENTITY_PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		fprintf(stderr, "cannot load '%s': %s\n", HOSO_VN_IDENTITY_PLUGIN, dlerror());
		return -1;
	}
	*(void **)&entry = dlsym(handle, HOSO_PLUGIN_ENTRY);
	if (entry == NULL)
		return -1;
	plugin = entry(&fake_api);
	return plugin != NULL && plugin->validator != NULL ? 0 : -1;
}

static int unload_plugin(void **state)
{
	(void)state;
	if (handle != NULL)
		dlclose(handle);
	handle = NULL;
	plugin = NULL;
	return 0;
}

static int setup_host(void **state)
{
	*state = host_new();
	return 0;
}

static int teardown_host(void **state)
{
	host_free(*state);
	return 0;
}

/* check_record on one record; returns the number of findings. */
static size_t check(hoso_host *host, const char *type, const char *json)
{
	host->nfindings = 0;
	assert_int_equal(plugin->validator->check_record(NULL, host, type, "030", json,
		strlen(json)), 0);
	return host->nfindings;
}

static size_t check_person(hoso_host *host, const char *type, const char *cid, const char *gender,
	const char *birth_date)
{
	char json[512];

	snprintf(json, sizeof(json),
		"{\"id\": \"R1\", \"type\": \"%s\", \"gender\": \"%s\", \"birth_date\": \"%s\", "
		"\"citizen_id\": \"%s\"}", type, gender, birth_date, cid);
	return check(host, type, json);
}

static void assert_finding(const finding *f, const char *id, const char *field, const char *rule,
	const char *message)
{
	assert_int_equal(f->severity, HOSO_FINDING_ERROR);
	assert_string_equal(f->id, id);
	assert_string_equal(f->field, field);
	assert_string_equal(f->rule, rule);
	if (message != NULL)
		assert_string_equal(f->message, message);
}

/* ---- the descriptor --------------------------------------------------- */

static void test_descriptor_name_is_file_stem(void **state)
{
	const char *base = strrchr(HOSO_VN_IDENTITY_PLUGIN, '/');
	char stem[64];

	(void)state;
	base = base != NULL ? base + 1 : HOSO_VN_IDENTITY_PLUGIN;
	snprintf(stem, sizeof(stem), "%s", base);
	assert_non_null(strstr(stem, ".so"));
	*strstr(stem, ".so") = '\0';
	assert_string_equal(plugin->name, stem);
	assert_string_equal(plugin->name, "vn-identity");
	assert_string_equal(plugin->version, "1.0.0");
	assert_string_equal(plugin->license, "MIT");
	assert_non_null(plugin->description);
	assert_true(strlen(plugin->description) > 0);
}

static void test_built_for_host_abi(void **state)
{
	hoso_plugin_entry_fn entry;
	hoso_host_api other = fake_api;
	const char *const *t;
	int member = 0, candidate = 0;

	(void)state;
	assert_int_equal(plugin->abi_major, HOSO_PLUGIN_ABI_MAJOR);
	assert_true(plugin->struct_size >= offsetof(hoso_plugin, reserved));
	assert_true(plugin->validator->struct_size >= offsetof(hoso_validator, reserved));
	assert_null(plugin->exporter);
	assert_null(plugin->report);
	assert_non_null(plugin->validator->check_record);
	assert_non_null(plugin->validator->check_set);
	assert_non_null(plugin->validator->types);
	for (t = plugin->validator->types; *t != NULL; t++) {
		member |= strcmp(*t, "member") == 0;
		candidate |= strcmp(*t, "candidate") == 0;
	}
	assert_true(member && candidate);
	assert_int_equal(t - plugin->validator->types, 2);

	/* Only the one symbol is exported. */
	assert_null(dlsym(handle, "check_record"));
	assert_null(dlsym(handle, "province_codes"));

	/* A host of another ABI major, or one too small for the slots it uses, is refused. */
	*(void **)&entry = dlsym(handle, HOSO_PLUGIN_ENTRY);
	assert_non_null(entry);
	other.abi_major = HOSO_PLUGIN_ABI_MAJOR + 1;
	assert_null(entry(&other));
	other = fake_api;
	other.struct_size = (uint32_t)offsetof(hoso_host_api, record_foreach);
	assert_null(entry(&other));
	assert_null(entry(NULL));
	assert_ptr_equal(entry(&fake_api), plugin);
}

/* ---- rule 1 ----------------------------------------------------------- */

static void test_valid_ids(void **state)
{
	hoso_host *host = *state;

	assert_int_equal(check_person(host, "member", "002094006218", "nam", "1994-11-02"), 0);
	assert_int_equal(check_person(host, "member", "002194006218", "nu", "1994-11-02"), 0);
	assert_int_equal(check_person(host, "member", "001203000001", "nam", "2003-01-01"), 0);
	assert_int_equal(check_person(host, "member", "096303999999", "nu", "2003-12-31"), 0);
	assert_int_equal(check_person(host, "candidate", "030400000000", "nam", "2100-06-01"), 0);
	assert_int_equal(check_person(host, "candidate", "079599000000", "nu", "2199-06-01"), 0);
	assert_int_equal(check_person(host, "member", "002000000000", "nam", "1900-01-01"), 0);
	/* Every one of the 63 province codes. */
	{
		static const char *const codes[] = {
			"001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017",
			"019", "020", "022", "024", "025", "026", "027", "030", "031", "033", "034",
			"035", "036", "037", "038", "040", "042", "044", "045", "046", "048", "049",
			"051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068",
			"070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086",
			"087", "089", "091", "092", "093", "094", "095", "096"
		};
		char cid[16];

		assert_int_equal(sizeof(codes) / sizeof(codes[0]), 63);
		for (size_t i = 0; i < 63; i++) {
			snprintf(cid, sizeof(cid), "%s094006218", codes[i]);
			assert_int_equal(check_person(host, "member", cid, "nam", "1994-11-02"), 0);
		}
	}
}

static void test_not_twelve_digits(void **state)
{
	hoso_host *host = *state;
	static const char *const bad[] = {
		"00209400621", "0020940062180", "", "00209400621x", "002 94006218", "-02094006218",
		"００２０９４００６２１８"
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expected[128];

		assert_int_equal(check_person(host, "member", bad[i], "nam", "1994-11-02"), 1);
		snprintf(expected, sizeof(expected), "'%s' is not 12 digits", bad[i]);
		assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
			strlen(bad[i]) <= 40 ? expected : NULL);
	}
}

static void test_bad_province(void **state)
{
	hoso_host *host = *state;
	static const char *const bad[] = { "000", "003", "005", "097", "099", "100", "900", "028" };
	char cid[16], expected[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cid, sizeof(cid), "%s094006218", bad[i]);
		assert_int_equal(check_person(host, "member", cid, "nam", "1994-11-02"), 1);
		snprintf(expected, sizeof(expected),
			"'%s' starts with '%s', which is not a province code", cid, bad[i]);
		assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
			expected);
	}
}

static void test_bad_century_digit(void **state)
{
	hoso_host *host = *state;
	char cid[16], expected[160];

	for (char d = '6'; d <= '9'; d++) {
		snprintf(cid, sizeof(cid), "002%c94006218", d);
		assert_int_equal(check_person(host, "member", cid, "nam", "1994-11-02"), 1);
		snprintf(expected, sizeof(expected),
			"'%s' has '%c' as its 4th digit, which is not a century and gender code (0 to 5)",
			cid, d);
		assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
			expected);
	}
}

static void test_gender_mismatch(void **state)
{
	hoso_host *host = *state;

	assert_int_equal(check_person(host, "member", "002180001234", "nam", "1980-03-04"), 1);
	assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
		"'002180001234' says a woman born in 1980, the record says nam");

	assert_int_equal(check_person(host, "candidate", "002205001234", "nu", "2005-03-04"), 1);
	assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
		"'002205001234' says a man born in 2005, the record says nu");

	assert_int_equal(check_person(host, "member", "002505001234", "nam", "2105-03-04"), 1);
	assert_int_equal(check_person(host, "member", "002405001234", "nu", "2105-03-04"), 1);

	/* A gender the schema rejects is not compared. */
	assert_int_equal(check_person(host, "member", "002180001234", "khac", "1980-03-04"), 0);
}

static void test_century_mismatch(void **state)
{
	hoso_host *host = *state;

	assert_int_equal(check_person(host, "member", "002094006218", "nam", "2094-11-02"), 1);
	assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
		"'002094006218' says born in the 1900s, the record's birth_date is 2094-11-02");

	assert_int_equal(check_person(host, "member", "002303006218", "nu", "1903-11-02"), 1);
	assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
		"'002303006218' says born in the 2000s, the record's birth_date is 1903-11-02");
}

static void test_year_mismatch(void **state)
{
	hoso_host *host = *state;

	assert_int_equal(check_person(host, "member", "002094006218", "nam", "1995-11-02"), 1);
	assert_finding(&host->findings[0], "R1", "citizen_id", "vn-identity/citizen-id",
		"'002094006218' says born in a year ending in 94, the record's birth_date is 1995-11-02");

	/* Every violation is its own finding. */
	assert_int_equal(check_person(host, "member", "003194006218", "nam", "2095-11-02"), 4);
	for (size_t i = 0; i < 4; i++)
		assert_finding(&host->findings[i], "R1", "citizen_id", "vn-identity/citizen-id", NULL);
}

static void test_bad_input_is_skipped(void **state)
{
	hoso_host *host = *state;

	/* No citizen id: the schema reports a missing required field. */
	assert_int_equal(check(host, "member", "{\"id\": \"R1\", \"gender\": \"nam\"}"), 0);
	assert_int_equal(check(host, "member", "{\"id\": \"R1\", \"citizen_id\": null}"), 0);
	assert_int_equal(check(host, "member", "{\"id\": \"R1\", \"citizen_id\": 2094006218}"), 0);
	assert_int_equal(check(host, "member", "{\"id\": \"R1\", \"citizen_id\": [\"x\"]}"), 0);
	assert_int_equal(check(host, "member", "{\"id\": \"R1\", \"citizen_id\": \"002"), 0);
	assert_int_equal(check(host, "member", "not json"), 0);
	assert_int_equal(check(host, "member", "[\"002094006218\"]"), 0);
	assert_int_equal(check(host, "member", ""), 0);
	assert_int_equal(check(host, "member",
		"{\"citizen_id\": \"002094006218\", \"citizen_id\": \"002094006218\"}"), 0);
	/* Wrong types of gender and birth_date: the id alone is still checked. */
	assert_int_equal(check(host, "member",
		"{\"id\": \"R1\", \"citizen_id\": \"002094006218\", \"gender\": 1, \"birth_date\": 1994}"),
		0);
	assert_int_equal(check(host, "member",
		"{\"id\": 7, \"citizen_id\": \"002094006218\", \"birth_date\": \"19\"}"), 0);
	assert_int_equal(check(host, "member", "{\"id\": 7, \"citizen_id\": \"003094006218\"}"), 1);
	assert_string_equal(host->findings[0].id, "");
	/* Other types are not this validator's. */
	assert_int_equal(check(host, "organization", "{\"citizen_id\": \"x\"}"), 0);
	host->nfindings = 0;
	assert_int_equal(plugin->validator->check_record(NULL, host, "member", NULL, NULL, 0), 0);
	assert_int_equal(host->nfindings, 0);
}

/* ---- rule 2 ----------------------------------------------------------- */

static size_t check_all(hoso_host *host)
{
	host->nfindings = 0;
	assert_int_equal(plugin->validator->check_set(NULL, host, NULL, 0), 0);
	return host->nfindings;
}

/*
 * A changed set is checked twice: by one walk (a host without record_find)
 * and by looking up only the neighbours; both must find the same.
 */
static size_t check_changed(hoso_host *host, const char *const *ids, size_t n)
{
	finding walked[MAX_FINDINGS];
	size_t n_walked;

	host->nfindings = 0;
	fake_api.record_find = NULL;
	assert_int_equal(plugin->validator->check_set(NULL, host, ids, n), 0);
	fake_api.record_find = fake_record_find;
	n_walked = host->nfindings;
	memcpy(walked, host->findings, sizeof(walked));
	host->nfindings = 0;
	assert_int_equal(plugin->validator->check_set(NULL, host, ids, n), 0);
	assert_int_equal(host->nfindings, n_walked);
	for (size_t i = 0; i < n_walked; i++) {
		size_t j = 0;

		while (j < host->nfindings && (strcmp(walked[i].id, host->findings[j].id) != 0 ||
			strcmp(walked[i].message, host->findings[j].message) != 0))
			j++;
		if (j == host->nfindings)
			fail_msg("found by the walk, not by the lookups: %s %s", walked[i].id,
				walked[i].message);
	}
	return host->nfindings;
}

static void test_unique_ids_pass(void **state)
{
	hoso_host *host = *state;
	const char *const ids[] = { "M1", "M2", "C1" };

	add_member(host, "M1", "002094006218", "26019876");
	add_member(host, "M2", "002094006219", "26019877");
	add_member(host, "M3", "002094006220", NULL);
	add_candidate(host, "C1", "002094006221", NULL);
	add_json(host, "organization", "O1",
		"{\"id\": \"O1\", \"citizen_id\": \"002094006218\", \"party_card_no\": \"26019876\"}");
	assert_int_equal(check_all(host), 0);
	assert_int_equal(check_changed(host, ids, 3), 0);
}

static void test_duplicate_members(void **state)
{
	hoso_host *host = *state;
	const char *const a[] = { "M1" }, *const b[] = { "M3" }, *const both[] = { "M1", "M3" };
	const char *const other[] = { "M2" };

	add_member(host, "M1", "002094006218", NULL);
	add_member(host, "M2", "002094006219", NULL);
	add_member(host, "M3", "002094006218", NULL);

	assert_int_equal(check_all(host), 1);
	assert_finding(&host->findings[0], "M3", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M1'");

	assert_int_equal(check_changed(host, a, 1), 1);
	assert_finding(&host->findings[0], "M1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M3'");
	assert_int_equal(check_changed(host, b, 1), 1);
	assert_finding(&host->findings[0], "M3", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M1'");
	assert_int_equal(check_changed(host, both, 2), 2);
	assert_string_equal(host->findings[0].id, "M1");
	assert_string_equal(host->findings[1].id, "M3");
	/* A record not involved in the duplicate: nothing to say. */
	assert_int_equal(check_changed(host, other, 1), 0);
}

static void test_duplicate_group_of_three(void **state)
{
	hoso_host *host = *state;

	add_member(host, "M1", "002094006218", NULL);
	add_member(host, "M2", "002094006218", NULL);
	add_member(host, "M3", "002094006218", NULL);
	assert_int_equal(check_all(host), 2);
	assert_string_equal(host->findings[0].id, "M2");
	assert_string_equal(host->findings[1].id, "M3");
	assert_non_null(strstr(host->findings[0].message, "'M1'"));
	assert_non_null(strstr(host->findings[1].message, "'M1'"));
}

static void test_duplicate_member_and_candidate(void **state)
{
	hoso_host *host = *state;
	const char *const m[] = { "M1" }, *const c[] = { "C1" };

	add_member(host, "M1", "002094006218", NULL);
	add_member(host, "M2", "002094006219", NULL);
	add_candidate(host, "C1", "002094006218", NULL);      /* not admitted */
	add_candidate(host, "C2", "002094006219", "M1");      /* admitted as someone else */

	assert_int_equal(check_all(host), 2);
	assert_finding(&host->findings[0], "C1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M1'");
	assert_finding(&host->findings[1], "C2", "citizen_id", "vn-identity/unique",
		"citizen id '002094006219' is also on record 'M2'");

	assert_int_equal(check_changed(host, m, 1), 1);
	assert_finding(&host->findings[0], "M1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'C1'");
	assert_int_equal(check_changed(host, c, 1), 1);
	assert_finding(&host->findings[0], "C1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M1'");
}

static void test_duplicate_candidates(void **state)
{
	hoso_host *host = *state;

	add_candidate(host, "C1", "002094006218", NULL);
	add_candidate(host, "C2", "002094006218", NULL);
	assert_int_equal(check_all(host), 1);
	assert_finding(&host->findings[0], "C2", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'C1'");
}

static void test_admitted_candidate_shares_member_id(void **state)
{
	hoso_host *host = *state;
	const char *const ids[] = { "M1", "C1" };

	add_member(host, "M1", "002094006218", "26019876");
	add_candidate(host, "C1", "002094006218", "M1");
	assert_int_equal(check_all(host), 0);
	assert_int_equal(check_changed(host, ids, 2), 0);

	/* But a second member with that id is still a duplicate, of both. */
	add_member(host, "M2", "002094006218", NULL);
	assert_int_equal(check_all(host), 2);
	assert_finding(&host->findings[0], "M2", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M1'");
	assert_finding(&host->findings[1], "C1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M2'");
	assert_int_equal(check_changed(host, ids, 2), 2);
	assert_finding(&host->findings[0], "M1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M2'");
	assert_finding(&host->findings[1], "C1", "citizen_id", "vn-identity/unique",
		"citizen id '002094006218' is also on record 'M2'");
}

static void test_duplicate_party_cards(void **state)
{
	hoso_host *host = *state;
	const char *const ids[] = { "M1" };

	add_member(host, "M1", "002094006218", "26019876");
	add_member(host, "M2", "002094006219", "26019876");
	add_member(host, "M3", "002094006220", "26019877");
	/* A candidate's stray party_card_no is not a member's card. */
	add_json(host, "candidate", "C1",
		"{\"id\": \"C1\", \"citizen_id\": \"002094006221\", \"party_card_no\": \"26019877\"}");

	assert_int_equal(check_all(host), 1);
	assert_finding(&host->findings[0], "M2", "party_card_no", "vn-identity/unique",
		"party card '26019876' is also on member 'M1'");
	assert_int_equal(check_changed(host, ids, 1), 1);
	assert_finding(&host->findings[0], "M1", "party_card_no", "vn-identity/unique",
		"party card '26019876' is also on member 'M2'");

	/* Both numbers duplicated: two findings on the one record. */
	add_member(host, "M4", "002094006220", "26019877");
	assert_int_equal(check_all(host), 3);
	assert_string_equal(host->findings[1].id, "M4");
	assert_string_equal(host->findings[1].field, "citizen_id");
	assert_string_equal(host->findings[2].id, "M4");
	assert_string_equal(host->findings[2].field, "party_card_no");
}

static void test_changed_set(void **state)
{
	hoso_host *host = *state;
	const char *const unknown[] = { "NOPE", NULL, "O1" };
	const char *const twice[] = { "M2", "M2" };

	add_member(host, "M1", "002094006218", NULL);
	add_member(host, "M2", "002094006218", NULL);
	add_json(host, "organization", "O1", "{\"id\": \"O1\"}");

	/* Ids of no member or candidate, or none at all: nothing to check. */
	assert_int_equal(check_changed(host, unknown, 3), 0);
	host->foreach_calls = 0;
	assert_int_equal(check_changed(host, unknown, 0), 0);
	assert_int_equal(host->foreach_calls, 0);

	/* One pass over each type, whatever the number of changed records. */
	host->foreach_calls = 0;
	assert_int_equal(check_changed(host, twice, 2), 1);
	assert_int_equal(host->foreach_calls, 2);
	host->foreach_calls = 0;
	assert_int_equal(check_all(host), 1);
	assert_int_equal(host->foreach_calls, 2);
}

static void test_bad_records_in_set(void **state)
{
	hoso_host *host = *state;

	add_member(host, "M1", "002094006218", NULL);
	add_json(host, "member", "M2", "{\"id\": \"M2\", \"citizen_id\": 2094006218}");
	add_json(host, "member", "M3", "not json");
	add_json(host, "member", "M4", "[1, 2]");
	add_json(host, "member", "M5", "{\"id\": \"M5\", \"citizen_id\": \"\"}");
	add_json(host, "member", "M6", "{\"id\": \"M6\", \"citizen_id\": \"\"}");
	add_json(host, "member", "M7", "{\"id\": \"M7\", \"party_card_no\": [\"1\"]}");
	add_json(host, "candidate", "C1", "{\"id\": \"C1\", \"member_id\": 5}");
	add_json(host, "candidate", "C2",
		"{\"id\": \"C2\", \"citizen_id\": \"002094006218\", \"member_id\": null}");
	assert_int_equal(check_all(host), 1);
	assert_string_equal(host->findings[0].id, "C2");
}

static void test_host_failure(void **state)
{
	hoso_host *host = *state;

	add_member(host, "M1", "002094006218", NULL);
	host->foreach_fails = 1;
	assert_int_equal(plugin->validator->check_set(NULL, host, NULL, 0), -1);
	assert_string_equal(host->error, "cannot read the tree");
}

static void test_many_records(void **state)
{
	hoso_host *host = *state;
	static char ids[6000][16];
	static char cids[6000][16];
	const char *const changed[] = { ids[0], ids[5999] };

	for (size_t i = 0; i < 6000; i++) {
		snprintf(ids[i], sizeof(ids[i]), "M%05zu", i);
		snprintf(cids[i], sizeof(cids[i]), "0020940%05zu", i);
		add_member(host, ids[i], i == 5999 ? cids[0] : cids[i], NULL);
	}
	assert_int_equal(check_all(host), 1);
	assert_finding(&host->findings[0], "M05999", "citizen_id", "vn-identity/unique",
		"citizen id '002094000000' is also on record 'M00000'");
	assert_int_equal(check_changed(host, changed, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor_name_is_file_stem),
		cmocka_unit_test(test_built_for_host_abi),
		cmocka_unit_test_setup_teardown(test_valid_ids, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_not_twelve_digits, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_bad_province, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_bad_century_digit, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_gender_mismatch, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_century_mismatch, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_year_mismatch, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_bad_input_is_skipped, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_unique_ids_pass, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_duplicate_members, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_duplicate_group_of_three, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_duplicate_member_and_candidate, setup_host,
			teardown_host),
		cmocka_unit_test_setup_teardown(test_duplicate_candidates, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_admitted_candidate_shares_member_id, setup_host,
			teardown_host),
		cmocka_unit_test_setup_teardown(test_duplicate_party_cards, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_changed_set, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_bad_records_in_set, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_host_failure, setup_host, teardown_host),
		cmocka_unit_test_setup_teardown(test_many_records, setup_host, teardown_host),
	};

	return cmocka_run_group_tests_name("vn_identity", tests, load_plugin, unload_plugin);
}
