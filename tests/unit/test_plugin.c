/* The plugin loader: each refusal is precise, with a next step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hoso/plugins.h"

#define FIXTURE(name) HOSO_TEST_PLUGIN_DIR "/" name ".so"

static void assert_refused(const char *path, const char *pin, const char *message, const char *hint)
{
	hoso_loaded_plugin *p = (hoso_loaded_plugin *)1;

	assert_int_equal(hoso_plugin_open(&p, path, pin), HOSO_EPLUGIN);
	assert_null(p);
	if (!strstr(hoso_error_last(), message))
		fail_msg("message '%s' lacks '%s'", hoso_error_last(), message);
	if (hint && (!hoso_error_hint() || !strstr(hoso_error_hint(), hint)))
		fail_msg("hint '%s' lacks '%s'", hoso_error_hint() ? hoso_error_hint() : "(none)", hint);
}

static void test_good_plugin_loads(void **state)
{
	hoso_loaded_plugin *p = NULL;
	char sha[65];

	(void)state;
	assert_int_equal(hoso_plugin_open(&p, FIXTURE("good"), NULL), 0);
	assert_string_equal(hoso_plugin_descriptor(p)->name, "good");
	assert_string_equal(hoso_plugin_descriptor(p)->version, "1.0.0");
	assert_non_null(hoso_plugin_descriptor(p)->validator);
	assert_null(hoso_plugin_descriptor(p)->exporter);
	assert_int_equal(hoso_sha256_file(sha, FIXTURE("good")), 0);
	assert_string_equal(hoso_plugin_sha256(p), sha);
	hoso_plugin_close(p);
	/* Pinned to its own hash, it loads too. */
	assert_int_equal(hoso_plugin_open(&p, FIXTURE("good"), sha), 0);
	hoso_plugin_close(p);
}

static void test_other_abi_names_both(void **state)
{
	(void)state;
	assert_refused(FIXTURE("abi2"), NULL,
		"plugin 'abi2' was built for plugin ABI 2; this hoso supports ABI 1", "built for ABI 1");
}

static void test_no_entry_point_quotes_dlerror(void **state)
{
	(void)state;
	assert_refused(FIXTURE("noentry"), NULL, "no entry point hoso_plugin_entry (", "hoso/plugin.h");
	assert_non_null(strstr(hoso_error_last(), "undefined symbol"));
}

static void test_name_must_be_the_stem(void **state)
{
	(void)state;
	assert_refused(FIXTURE("wrongname"), NULL, "says its name is 'other'", "rename it to 'other.so'");
}

static void test_entry_may_refuse(void **state)
{
	(void)state;
	assert_refused(FIXTURE("refuses"), NULL, "plugin 'refuses' refused to load", NULL);
}

static void test_tampered_file_is_refused_before_loading(void **state)
{
	char sha[65], copy[] = "/tmp/hoso-plugin-XXXXXX", path[64];
	FILE *in, *out;
	int c;

	(void)state;
	assert_int_equal(hoso_sha256_file(sha, FIXTURE("good")), 0);
	assert_non_null(mkdtemp(copy));
	snprintf(path, sizeof(path), "%s/good.so", copy);
	assert_non_null(in = fopen(FIXTURE("good"), "rb"));
	assert_non_null(out = fopen(path, "wb"));
	while ((c = fgetc(in)) != EOF)
		fputc(c, out);
	fputc(0, out); /* one byte more: another file */
	fclose(in);
	fclose(out);
	assert_refused(path, sha, "is not the file pinned", "hoso plugin install");
	unlink(path);
	rmdir(copy);
}

static void test_not_a_shared_library(void **state)
{
	char dir[] = "/tmp/hoso-plugin-XXXXXX", path[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/junk.so", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("not a library\n", f);
	fclose(f);
	assert_refused(path, NULL, "cannot load plugin 'junk'", "built for this system");
	unlink(path);
	rmdir(dir);
	assert_int_equal(hoso_plugin_open((hoso_loaded_plugin **)&f, "/nonexistent/x.so", NULL),
		HOSO_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_plugin_loads),
		cmocka_unit_test(test_other_abi_names_both),
		cmocka_unit_test(test_no_entry_point_quotes_dlerror),
		cmocka_unit_test(test_name_must_be_the_stem),
		cmocka_unit_test(test_entry_may_refuse),
		cmocka_unit_test(test_tampered_file_is_refused_before_loading),
		cmocka_unit_test(test_not_a_shared_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
