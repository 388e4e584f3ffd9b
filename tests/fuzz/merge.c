/*
 * The three-way merge of one record. Input: BASE NUL OURS NUL THEIRS, each
 * a JSON object parsed as hoso parses records, or empty for none (no base;
 * a side that deleted the record). The schema is the one its "type" names
 * (for the arrays merged as sets), if any.
 *
 * Invariants: a side equal to the base gives the other side, and equal sides
 * give that value, without conflicts; the merge does not depend on which
 * side is "ours" (the same record, the same canonical bytes, the same
 * conflicts won by the same version); conflicts come sorted by field; two
 * present objects merge into an object in normal form.
 */
#include <hoso/json.h>
#include <hoso/merge.h>
#include <hoso/schema.h>

#include "fuzz.h"

static hoso_schema_set *schemas;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (hoso_schema_set_new(&schemas) < 0 ||
		hoso_schema_set_load_dir(schemas, HOSO_FUZZ_SCHEMA_DIR) < 0) {
		fprintf(stderr, "cannot load the schemas of %s: %s\n", HOSO_FUZZ_SCHEMA_DIR,
			hoso_error_last());
		abort();
	}
	return 0;
}

static int same(const json_t *a, const json_t *b)
{
	return !a || !b ? a == b : json_equal(a, b);
}

/* The canonical bytes of `v`, or NULL for none. */
static char *canonical(const json_t *v)
{
	char *text = NULL;
	size_t len;

	if (v && hoso_json_canonical(&text, &len, v) < 0)
		abort();
	return text;
}

static void check_result(const hoso_merge_result *r, const json_t *base, const json_t *ours,
	const json_t *theirs)
{
	json_t *normal = NULL;
	size_t i;

	for (i = 1; i < r->nconflicts; i++)
		FUZZ_ASSERT(strcmp(r->conflicts[i - 1].field, r->conflicts[i].field) <= 0,
			"conflicts not sorted: '%s' before '%s'", r->conflicts[i - 1].field,
			r->conflicts[i].field);
	for (i = 0; i < r->nconflicts; i++) {
		const hoso_merge_conflict *c = &r->conflicts[i];
		FUZZ_ASSERT(c->winner == HOSO_MERGE_OURS || c->winner == HOSO_MERGE_THEIRS,
			"winner %d", (int)c->winner);
		FUZZ_ASSERT(!same(c->ours, c->theirs), "a conflict between equal values at '%s'",
			c->field);
	}
	if (same(ours, theirs) || same(base, ours) || same(base, theirs)) {
		const json_t *want = same(base, ours) ? theirs : ours;
		FUZZ_ASSERT(r->nconflicts == 0, "%zu conflicts where a side did not change",
			r->nconflicts);
		FUZZ_ASSERT(same(r->merged, want), "a side did not change and the merge is not the other");
	}
	if (ours && theirs) {
		FUZZ_ASSERT(json_is_object(r->merged), "two objects merged into no object");
		FUZZ_ASSERT(hoso_json_normalize(&normal, r->merged, NULL) == 0 &&
			json_equal(normal, r->merged),
			"the merged record is not in normal form");
		json_decref(normal);
	}
	if (!ours && !theirs)
		FUZZ_ASSERT(!r->merged, "a record deleted on both sides is still there");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *parts[3];
	size_t lens[3], nparts = fuzz_split(data, size, parts, lens, 3), i;
	json_t *v[3] = { NULL, NULL, NULL };
	hoso_merge_options a = HOSO_MERGE_OPTIONS_INIT, b = HOSO_MERGE_OPTIONS_INIT;
	hoso_merge_result ra = { 0 }, rb = { 0 };
	const hoso_schema *schema = NULL;
	char *ca = NULL, *cb = NULL;
	int ea, eb;

	if (nparts != 3)
		return 0;
	for (i = 0; i < 3; i++)
		if (lens[i] && hoso_json_parse(&v[i], parts[i], lens[i], NULL) < 0)
			goto done;
	for (i = 0; i < 3 && !schema; i++) {
		const char *type = json_string_value(json_object_get(v[i], "type"));
		schema = type ? hoso_schema_set_get(schemas, type) : NULL;
	}

	/* The same two versions merged on either side: the stamps travel with the versions. */
	a.ours_stamp = b.theirs_stamp = (int64_t)(size % 3);
	a.theirs_stamp = b.ours_stamp = (int64_t)(lens[0] % 3);
	a.ours_tiebreak = b.theirs_tiebreak = "c0ffee";
	a.theirs_tiebreak = b.ours_tiebreak = "decade";
	ea = hoso_merge_record(&ra, v[0], v[1], v[2], schema, &a);
	eb = hoso_merge_record(&rb, v[0], v[2], v[1], schema, &b);
	FUZZ_ASSERT(ea == eb, "merging on either side returned %d and %d", ea, eb);
	if (ea < 0) {
		FUZZ_ASSERT(ea == HOSO_EINVALID, "merge returned %d: %s", ea, hoso_error_last());
		goto done;
	}
	check_result(&ra, v[0], v[1], v[2]);
	check_result(&rb, v[0], v[2], v[1]);

	FUZZ_ASSERT(same(ra.merged, rb.merged), "the merge depends on which side is ours");
	ca = canonical(ra.merged);
	cb = canonical(rb.merged);
	FUZZ_ASSERT(!ca == !cb && (!ca || strcmp(ca, cb) == 0),
		"the merged bytes depend on which side is ours:\n%s---\n%s", ca ? ca : "(none)",
		cb ? cb : "(none)");
	FUZZ_ASSERT(ra.nconflicts == rb.nconflicts, "%zu and %zu conflicts", ra.nconflicts,
		rb.nconflicts);
	for (i = 0; i < ra.nconflicts; i++) {
		const hoso_merge_conflict *x = &ra.conflicts[i], *y = &rb.conflicts[i];
		FUZZ_ASSERT(strcmp(x->field, y->field) == 0 && same(x->ours, y->theirs) &&
			same(x->theirs, y->ours) && x->winner != y->winner && x->deleted == y->deleted,
			"conflict '%s' differs by side", x->field);
	}
done:
	free(cb);
	free(ca);
	hoso_merge_result_clear(&rb);
	hoso_merge_result_clear(&ra);
	for (i = 0; i < 3; i++)
		json_decref(v[i]);
	return 0;
}
