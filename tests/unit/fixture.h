/*
 * The fixture of the unit tests that work on a repository. For the group:
 * HOME in a temporary directory, so no global or system git configuration
 * is read, and libgit2 started. For each test: a fresh repository made by
 * hoso_repo_init in a temporary directory (province 02, the source schemas,
 * the test's own units and author), removed with its directory afterwards.
 *
 * A test's own fixture starts with a fixture_repo and adds what it needs;
 * its setup calls fixture_setup and then does its own part.
 */

#ifndef HOSO_TEST_FIXTURE_H
#define HOSO_TEST_FIXTURE_H

#include <stddef.h>

#include "hoso/errors.h"
#include "hoso/repo.h"

/* The author of the commits unless the options name another. */
#define FIXTURE_AUTHOR "Ng\xC6\xB0\xE1\xBB\x9Di Th\xE1\xBB\xAD"
#define FIXTURE_EMAIL "thu@example.vn"

typedef struct {
	char dir[64];            /* the temporary directory */
	char path[128];          /* dir/repo.git */
	hoso_repo *repo;
	hoso_problems *problems; /* what hoso_repo_init reported */
} fixture_repo;

/* What the repository is made with. */
typedef struct {
	const char *province_name; /* of province 02 */
	const char *units;         /* {"units": [...]} as JSON text */
	const char *author_name;   /* NULL: FIXTURE_AUTHOR and FIXTURE_EMAIL */
	const char *author_email;
} fixture_options;

/* The group's setup and teardown, as cmocka_run_group_tests takes them. */
int fixture_group_setup(void **state);
int fixture_group_teardown(void **state);

/*
 * Set *state to `size` zeroed bytes, a test's fixture that starts with a
 * fixture_repo, and make its repository; fails the test if it cannot.
 * Returns 0.
 */
int fixture_setup(void **state, size_t size, const fixture_options *opts);

/* Free the repository, remove its directory and free *state. Returns 0. */
int fixture_teardown(void **state);

/* Print each of `problems` with cmocka's print_message, to say why a test failed. */
void fixture_print_problems(const hoso_problems *problems);

#endif
