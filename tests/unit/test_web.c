/*
 * Tests for web/app.c, the handlers of 'hoso serve', without a socket: a
 * request in, a response out, checked as a browser and a clerk would see
 * it (status, the page's text, the record on main). Setup makes a fresh
 * repository with hoso_repo_init (province 02, units 030 and 026) and an
 * app with the built-in validators.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <git2.h>
#include <jansson.h>

#include "hoso/hoso.h"
#include "web.h"
#include "fixture.h"

#define HOST "127.0.0.1:8080"

typedef struct {
	fixture_repo base;
	web_app *app;
	web_response res;
} fixture;

/* Province 02 with units 030 and 026; the clerk writes. */
static const fixture_options repo_options = {
	.province_name = "T\xE1\xBB\x89nh Th\xE1\xBB\xAD",
	.units = "{\"units\":[{\"code\":\"030\",\"name\":\"Huy\xE1\xBB\x87n A\"},"
		"{\"code\":\"026\",\"name\":\"Huy\xE1\xBB\x87n B\"}]}",
	.author_name = "Th\xC6\xB0 k\xC3\xBD",
	.author_email = "clerk@example.invalid",
};

static int setup(void **state)
{
	web_options wopts = { NULL, HOSO_BUILTIN_PLUGIN_DIR, NULL };
	git_config *cfg = NULL;
	fixture *f;

	fixture_setup(state, sizeof(*f), &repo_options);
	f = *state;
	/* The writes of the pages are the repository's git user's. */
	assert_int_equal(git_repository_config(&cfg, hoso_repo_git(f->base.repo)), 0);
	git_config_set_string(cfg, "user.name", "Th\xC6\xB0 k\xC3\xBD");
	git_config_set_string(cfg, "user.email", "clerk@example.invalid");
	git_config_set_string(cfg, "hoso.unit", "030");
	git_config_free(cfg);
	hoso_repo_free(f->base.repo);
	assert_int_equal(hoso_repo_open(&f->base.repo, f->base.path), 0);
	wopts.repo = f->base.repo;
	if (web_app_new(&f->app, &wopts, NULL) != 0)
		fail_msg("web_app_new: %s", hoso_error_last());
	web_app_set_host(f->app, HOST);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	web_response_free(&f->res);
	web_app_free(f->app);
	return fixture_teardown(state);
}

/* Helpers */

static web_response *get(fixture *f, const char *path, const char *query)
{
	web_request req = { "GET", path, query, NULL, 0, HOST, NULL, NULL };

	web_response_free(&f->res);
	web_handle(f->app, &req, &f->res);
	return &f->res;
}

/* POST `body`, with the page's token first unless `token` is NULL. */
static web_response *post(fixture *f, const char *path, const char *token, const char *body)
{
	char *full = malloc(strlen(body) + 64);
	web_request req = { "POST", path, NULL, NULL, 0, HOST, "http://" HOST, NULL };

	assert_non_null(full);
	sprintf(full, "_csrf=%s&%s", token ? token : "", body);
	req.body = full;
	req.body_len = strlen(full);
	web_response_free(&f->res);
	web_handle(f->app, &req, &f->res);
	free(full);
	return &f->res;
}

static void assert_page_has(const web_response *res, const char *text)
{
	if (!res->body.p || !strstr(res->body.p, text))
		fail_msg("the page lacks '%s':\n%s", text, res->body.p ? res->body.p : "(empty)");
}

/* A valid member of unit 030 in cell `cell`, urlencoded, with `citizen` as citizen id. */
static void member_form(char *out, size_t size, const char *cell, const char *citizen)
{
	snprintf(out, size, "_unit=030&full_name=Nguy%%E1%%BB%%85n+V%%C4%%83n+An&gender=nam"
		"&birth_date=1980-05-02&ethnicity=01&citizen_id=%s&admission_date=2005-03-01"
		"&official_date=2006-03-01&membership=chinh_thuc&status=dang_sinh_hoat&cell_id=%s",
		citizen, cell);
}

/* The id the redirect after a write names. */
static const char *written_id(const web_response *res)
{
	if (res->status != 303) {
		const char *p = res->body.p ? strstr(res->body.p, "class=\"problem") : NULL;
		fail_msg("not written (%d): %.300s", res->status, p ? p : res->body.p ? res->body.p : "");
	}
	assert_memory_equal(res->location, "/record/", 8);
	return res->location + 8;
}

/* Tests */

static void test_pages(void **state)
{
	fixture *f = *state;

	assert_int_equal(get(f, "/", NULL)->status, 303);
	assert_string_equal(f->res.location, "/list/member");
	assert_int_equal(get(f, "/list/member", NULL)->status, 200);
	/* The type by its Vietnamese label, a search box, the form's way in. */
	assert_page_has(&f->res, "<h1>\xC4\x90\xE1\xBA\xA3ng vi\xC3\xAAn</h1>");
	assert_page_has(&f->res, "href=\"/new/member\"");
	assert_int_equal(get(f, "/style.css", NULL)->status, 200);
	assert_string_equal(f->res.type, "text/css; charset=utf-8");
	assert_int_equal(get(f, "/list/nothing", NULL)->status, 404);
	assert_int_equal(get(f, "/list/conflict", NULL)->status, 404);
	assert_int_equal(get(f, "/record/01HQ8Z5K3V00000000000000ZZ", NULL)->status, 404);
	assert_int_equal(get(f, "/nowhere", NULL)->status, 404);
}

static void test_form_from_schema(void **state)
{
	fixture *f = *state;

	assert_int_equal(get(f, "/new/member", NULL)->status, 200);
	/* Labels, enumerations as choices with their labels, dates as date inputs, the token. */
	assert_page_has(&f->res, "<select id=\"f-gender\" name=\"gender\">");
	assert_page_has(&f->res, "<option value=\"nam\">Nam</option>");
	assert_page_has(&f->res, "<input id=\"f-birth_date\" name=\"birth_date\" type=\"date\"");
	assert_page_has(&f->res, "name=\"education.general\"");
	/* A reference: the unit's organizations as choices (none yet but the empty one). */
	assert_page_has(&f->res, "<select id=\"f-cell_id\" name=\"cell_id\"><option value=\"\"></option></select>");
	assert_page_has(&f->res, web_app_token(f->app));
	/* The replica's own unit is chosen. */
	assert_page_has(&f->res, "<option value=\"030\" selected>");
}

static void test_add_edit(void **state)
{
	fixture *f = *state;
	char body[1024], id[HOSO_ID_LEN + 1], cell[HOSO_ID_LEN + 1], path[64];
	json_t *record = NULL;
	hoso_txn *txn = NULL;
	char *unit = NULL;

	/* The cell the member belongs to, added through its own form. */
	snprintf(cell, sizeof(cell), "%s", written_id(post(f, "/new/organization", web_app_token(f->app),
		"_unit=030&name=Chi+b%E1%BB%99+th%C3%B4n+Th%C6%B0%E1%BB%A3ng&level=chi_bo_co_so&sector=thon_ban")));
	/* A bad citizen id: refused, the message beside its field, what was typed kept. */
	member_form(body, sizeof(body), cell, "12345");
	assert_int_equal(post(f, "/new/member", web_app_token(f->app), body)->status, 422);
	assert_page_has(&f->res, "<label for=\"f-citizen_id\">S\xE1\xBB\x91 c\xC4\x83n c\xC6\xB0\xE1\xBB\x9B" "c *"
		"<span class=\"problem\" role=\"alert\">");
	assert_page_has(&f->res, "value=\"12345\"");
	/* Fixed: written through the validators, one commit, the record on main. */
	member_form(body, sizeof(body), cell, "002080001234");
	snprintf(id, sizeof(id), "%s", written_id(post(f, "/new/member", web_app_token(f->app), body)));
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	assert_int_equal(hoso_record_get(&record, &unit, f->base.repo, id), 0);
	assert_string_equal(unit, "030");
	assert_string_equal(json_string_value(json_object_get(record, "citizen_id")), "002080001234");
	json_decref(record);
	free(unit);
	/* The cell is now a choice of the member's form, by its name. */
	assert_int_equal(get(f, "/new/member", NULL)->status, 200);
	assert_page_has(&f->res, "Chi b\xE1\xBB\x99 th\xC3\xB4n Th\xC6\xB0\xE1\xBB\xA3ng (030)</option>");
	/* Its page: fields by label, codes by label, its history. */
	snprintf(path, sizeof(path), "/record/%s", id);
	assert_int_equal(get(f, path, NULL)->status, 200);
	assert_page_has(&f->res, "Nguy\xE1\xBB\x85n V\xC4\x83n An");
	assert_page_has(&f->res, "(web)");
	/* An edit of one field keeps the others. */
	snprintf(path, sizeof(path), "/edit/%s", id);
	assert_int_equal(get(f, path, NULL)->status, 200);
	assert_page_has(&f->res, "value=\"002080001234\"");
	assert_string_equal(written_id(post(f, path, web_app_token(f->app), "occupation=Gi%C3%A1o+vi%C3%AAn")), id);
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	assert_int_equal(hoso_record_get(&record, &unit, f->base.repo, id), 0);
	assert_string_equal(json_string_value(json_object_get(record, "occupation")), "Gi\xC3\xA1o vi\xC3\xAAn");
	assert_string_equal(json_string_value(json_object_get(record, "citizen_id")), "002080001234");
	json_decref(record);
	free(unit);
	/* The history says who changed what: the edit named the one field it changed. */
	snprintf(path, sizeof(path), "/record/%s", id);
	assert_int_equal(get(f, path, NULL)->status, 200);
	assert_page_has(&f->res, "(web)<br>Ngh\xE1\xBB\x81 nghi\xE1\xBB\x87p</td>");
	assert_page_has(&f->res, "(web)<br>created</td>");
	/* Moved to another unit: its history is still whole, the move named by the unit. */
	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	assert_int_equal(hoso_txn_get(&record, NULL, txn, id), 0);
	assert_int_equal(hoso_txn_put(txn, "026", record, HOSO_PUT_REPLACE, NULL, 0, f->base.problems, NULL), 0);
	assert_int_equal(hoso_txn_commit(txn, "move the member to 026\n", NULL), 0);
	hoso_txn_free(txn);
	json_decref(record);
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	assert_int_equal(get(f, path, NULL)->status, 200);
	assert_page_has(&f->res, "move the member to 026<br>Unit</td>");
	assert_page_has(&f->res, "(web)<br>Ngh\xE1\xBB\x81 nghi\xE1\xBB\x87p</td>");
	assert_page_has(&f->res, "(web)<br>created</td>");
}

/* A conflict sync would have left on the member's occupation: both values. */
static void add_conflict(fixture *f, const char *id)
{
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "conflict", "record_id", id,
		"record_type", "member", "field", "occupation", "ours", "N\xC3\xB4ng d\xC3\xA2n",
		"theirs", "Gi\xC3\xA1o vi\xC3\xAAn");

	assert_int_equal(hoso_problems_new(&problems), 0);
	assert_int_equal(hoso_txn_begin(&txn, f->base.repo, NULL), 0);
	if (hoso_txn_put(txn, "030", c, HOSO_PUT_CREATE, NULL, 0, problems, NULL) != 0)
		fail_msg("the conflict: %s", hoso_problems_count(problems) ?
			hoso_problems_get(problems, 0)->message : hoso_error_last());
	assert_int_equal(hoso_txn_commit(txn, "a conflict\n", NULL), 0);
	hoso_txn_free(txn);
	hoso_problems_free(problems);
	json_decref(c);
}

static void test_conflicts_sync_report(void **state)
{
	fixture *f = *state;
	char body[1024], cell[HOSO_ID_LEN + 1], id[HOSO_ID_LEN + 1];
	json_t *record = NULL;
	char *unit = NULL;

	snprintf(cell, sizeof(cell), "%s", written_id(post(f, "/new/organization", web_app_token(f->app),
		"_unit=030&name=Chi+b%E1%BB%99&level=chi_bo_co_so&sector=thon_ban")));
	member_form(body, sizeof(body), cell, "002080001234");
	snprintf(id, sizeof(id), "%s", written_id(post(f, "/new/member", web_app_token(f->app), body)));
	assert_int_equal(get(f, "/conflicts", NULL)->status, 200);
	assert_page_has(&f->res, "No open conflicts.");
	add_conflict(f, id);
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	/* Both values side by side, a button for each. */
	assert_int_equal(get(f, "/conflicts", NULL)->status, 200);
	assert_page_has(&f->res, "N\xC3\xB4ng d\xC3\xA2n");
	assert_page_has(&f->res, "Gi\xC3\xA1o vi\xC3\xAAn");
	assert_page_has(&f->res, "name=\"take\" value=\"theirs\"");
	/* Keep theirs: the record takes it, the conflict is gone. */
	snprintf(body, sizeof(body), "record_id=%s&field=occupation&take=theirs", id);
	assert_int_equal(post(f, "/resolve", web_app_token(f->app), body)->status, 303);
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	assert_int_equal(hoso_record_get(&record, &unit, f->base.repo, id), 0);
	assert_string_equal(json_string_value(json_object_get(record, "occupation")), "Gi\xC3\xA1o vi\xC3\xAAn");
	json_decref(record);
	free(unit);
	assert_int_equal(post(f, "/resolve", web_app_token(f->app), body)->status, 404);
	/* A repository with no hub says so; the report is a page of its own. */
	assert_int_equal(get(f, "/sync", NULL)->status, 200);
	assert_page_has(&f->res, "This repository has no hub to sync with.");
	assert_int_equal(get(f, "/report", "year=2019")->status, 200);
	assert_page_has(&f->res, "2019");
	/* The report brings its own style; no other page may. */
	assert_true(f->res.inline_style);
	assert_false(get(f, "/conflicts", NULL)->inline_style);
}

static void test_refusals(void **state)
{
	fixture *f = *state;
	web_request other_host = { "GET", "/list/member", NULL, NULL, 0, "evil.example:8080", NULL, NULL };
	web_request other_origin = { "POST", "/new/member", NULL, NULL, 0, HOST, "http://evil.example", NULL };
	char body[1024], with_token[1100];
	git_oid before, after;

	assert_int_equal(hoso_repo_head(&before, f->base.repo), 0);
	/* Another name for this address (DNS rebinding): refused. */
	web_response_free(&f->res);
	web_handle(f->app, &other_host, &f->res);
	assert_int_equal(f->res.status, 403);
	/* A form without the token, with a wrong one, from another origin: refused, nothing written. */
	member_form(body, sizeof(body), "01HQ8Z5K3V0000000000000000", "002080001234");
	assert_int_equal(post(f, "/new/member", NULL, body)->status, 403);
	assert_int_equal(post(f, "/new/member", "0123456789abcdef0123456789abcdef", body)->status, 403);
	snprintf(with_token, sizeof(with_token), "_csrf=%s&%s", web_app_token(f->app), body);
	other_origin.body = with_token;
	other_origin.body_len = strlen(with_token);
	web_response_free(&f->res);
	web_handle(f->app, &other_origin, &f->res);
	assert_int_equal(f->res.status, 403);
	/* No path from a request reaches the file system. */
	assert_int_equal(get(f, "/record/../../hoso.json", NULL)->status, 404);
	assert_int_equal(get(f, "/list/..%2F..%2Fetc", NULL)->status, 404);
	assert_int_equal(post(f, "/new/..", web_app_token(f->app), body)->status, 404);
	assert_int_equal(hoso_repo_reload(f->base.repo), 0);
	assert_int_equal(hoso_repo_head(&after, f->base.repo), 0);
	assert_true(git_oid_equal(&before, &after));
}

/* Bound elsewhere than 127.0.0.1: every request gives the password. */
static void test_password(void **state)
{
	fixture *f = *state;
	web_options opts = { f->base.repo, HOSO_BUILTIN_PLUGIN_DIR, "a long enough secret" };
	web_request req = { "GET", "/list/member", NULL, NULL, 0, "192.0.2.7:8080", NULL, NULL };
	web_app *app = NULL;
	web_response res;

	assert_int_equal(web_app_new(&app, &opts, NULL), 0);
	web_app_set_host(app, "192.0.2.7:8080");
	web_handle(app, &req, &res);
	assert_int_equal(res.status, 401);
	assert_true(res.ask_password);
	web_response_free(&res);
	req.password = "a long enough secreT";
	web_handle(app, &req, &res);
	assert_int_equal(res.status, 401);
	web_response_free(&res);
	req.password = "a long enough secret";
	web_handle(app, &req, &res);
	assert_int_equal(res.status, 200);
	web_response_free(&res);
	/* "localhost" names 127.0.0.1 only. */
	req.host = "localhost:8080";
	web_handle(app, &req, &res);
	assert_int_equal(res.status, 403);
	web_response_free(&res);
	web_app_free(app);
}

static void test_form_decoding(void **state)
{
	char *v;

	(void)state;
	v = web_form_get("a=1&full_name=L%C3%BD+Th%E1%BB%8B&b=", 36, "full_name");
	assert_string_equal(v, "L\xC3\xBD Th\xE1\xBB\x8B");
	free(v);
	v = web_form_get("a=1&b=", 6, "b");
	assert_string_equal(v, "");
	free(v);
	assert_null(web_form_get("a=1&b=2", 7, "c"));
	/* A broken escape stays as it is; so does a NUL, which would cut the text. */
	v = web_form_get("a=%zz%4", 7, "a");
	assert_string_equal(v, "%zz%4");
	free(v);
	v = web_form_get("a=x%00y", 7, "a");
	assert_string_equal(v, "x%00y");
	free(v);
	/* Encoded back: every byte of a non-ASCII letter. */
	{
		web_buf b = { 0 };
		web_buf_urlencode(&b, "L\xC3\xBD &");
		assert_string_equal(b.p, "L%C3%BD%20%26");
		web_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_decoding),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form_from_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_sync_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup, fixture_group_teardown);
}
