/*
 * The canonicalizer: any bytes through hoso_json_parse, and what it accepts
 * through hoso_json_canonical. Invariants: a refusal names one problem and
 * an acceptance none; normalizing the value changes nothing; its canonical text parses
 * again to an equal value whose canonical text is the same bytes.
 */
#include <hoso/json.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hoso_problems *problems = NULL;
	json_t *value = NULL, *normal = NULL, *again = NULL;
	char *text = NULL, *text2 = NULL;
	size_t len = 0, len2 = 0;
	int error;

	if (hoso_problems_new(&problems) < 0)
		abort();
	error = hoso_json_parse(&value, (const char *)data, size, problems);
	if (error < 0) {
		FUZZ_ASSERT(error == HOSO_EINVALID, "parse returned %d", error);
		FUZZ_ASSERT(!value, "a refused text gave a value");
		FUZZ_ASSERT(hoso_problems_errors(problems) == 1, "%zu problems for one refusal",
			hoso_problems_errors(problems));
		goto done;
	}
	FUZZ_ASSERT(json_is_object(value), "parse accepted a value that is not an object");
	FUZZ_ASSERT(hoso_problems_count(problems) == 0, "an accepted text has problems");

	FUZZ_ASSERT(hoso_json_normalize(&normal, value, NULL) == 0 && json_equal(normal, value),
		"a parsed value is not normal");
	FUZZ_ASSERT(hoso_json_canonical(&text, &len, value) == 0, "canonical: %s", hoso_error_last());
	FUZZ_ASSERT(len > 0 && text[len - 1] == '\n' && text[len] == '\0' && strlen(text) == len,
		"the canonical text does not end with one newline and a NUL");

	/* Indentation may take a text near the size limit over it: not a parse error. */
	if (len > HOSO_RECORD_MAX_BYTES)
		goto done;
	error = hoso_json_parse(&again, text, len, problems);
	FUZZ_ASSERT(error == 0, "the canonical text does not parse again: %s",
		hoso_problems_count(problems) ? hoso_problems_get(problems, 0)->message : "");
	FUZZ_ASSERT(json_equal(value, again), "the canonical text parses to another value");
	FUZZ_ASSERT(hoso_json_canonical(&text2, &len2, again) == 0, "canonical: %s",
		hoso_error_last());
	FUZZ_ASSERT(len == len2 && memcmp(text, text2, len) == 0,
		"canonical(parse(canonical)) differs:\n%s---\n%s", text, text2);
done:
	free(text2);
	free(text);
	json_decref(again);
	json_decref(normal);
	json_decref(value);
	hoso_problems_free(problems);
	return 0;
}
