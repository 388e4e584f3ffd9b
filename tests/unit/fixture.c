/* The fixture shared by the unit tests that work on a repository: see fixture.h. */

#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <git2.h>
#include <jansson.h>

#include "fixture.h"

static char home[64];

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fixture_group_setup(void **state)
{
	(void)state;
	strcpy(home, "/tmp/hoso-test-home-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	return git_libgit2_init() < 0;
}

int fixture_group_teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	nftw(home, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int fixture_setup(void **state, size_t size, const fixture_options *opts)
{
	hoso_init_options init = HOSO_INIT_OPTIONS_INIT;
	fixture_repo *r;
	json_t *units;
	json_error_t jerr;

	assert_true(size >= sizeof(*r));
	r = calloc(1, size);
	assert_non_null(r);
	strcpy(r->dir, "/tmp/hoso-test-repo-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->path, sizeof(r->path), "%s/repo.git", r->dir);
	assert_int_equal(hoso_problems_new(&r->problems), 0);
	units = json_loads(opts->units, 0, &jerr);
	if (!units)
		fail_msg("units: %s at line %d", jerr.text, jerr.line);
	init.province = "02";
	init.name = opts->province_name;
	init.units = units;
	init.schema_dir = HOSO_SOURCE_SCHEMA_DIR;
	init.author_name = opts->author_name ? opts->author_name : FIXTURE_AUTHOR;
	init.author_email = opts->author_name ? opts->author_email : FIXTURE_EMAIL;
	if (hoso_repo_init(&r->repo, r->path, &init, r->problems) != 0)
		fail_msg("hoso_repo_init: %s", hoso_error_last());
	json_decref(units);
	*state = r;
	return 0;
}

int fixture_teardown(void **state)
{
	fixture_repo *r = *state;

	hoso_repo_free(r->repo);
	hoso_problems_free(r->problems);
	nftw(r->dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(r);
	return 0;
}

void fixture_print_problems(const hoso_problems *problems)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		print_message("  %s: field '%s' [%s]: %s\n", p->where ? p->where : "-",
			p->field ? p->field : "-", p->rule, p->message);
	}
}
