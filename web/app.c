#include <ctype.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "web.h"

#define _(s) dgettext(HOSO_TEXTDOMAIN, s)

/* The records a list shows at most; a search narrows them. */
#define LIST_MAX 200

struct web_app {
	hoso_repo *repo;
	hoso_plugin_set *plugins;     /* every validator, as the command line's writes */
	hoso_txn_options write;
	char *password;
	char host[128];
	char token[33];
};

int web_app_new(web_app **out, const web_options *opts, hoso_problems *problems)
{
	web_app *app = calloc(1, sizeof(*app));
	unsigned char raw[16];
	hoso_problems *refusals = NULL;
	size_t i;
	int error;

	*out = NULL;
	if (!app || hoso_problems_new(&refusals) < 0) {
		free(app);
		return HOSO_ERROR;
	}
	app->repo = opts->repo;
	if (opts->password && !(app->password = strdup(opts->password))) {
		free(app);
		hoso_problems_free(refusals);
		return HOSO_ERROR;
	}
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		error = HOSO_ERROR;
		goto fail;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(app->token + 2 * i, 3, "%02x", raw[i]);
	app->write = (hoso_txn_options)HOSO_TXN_OPTIONS_INIT;
	if ((error = hoso_plugin_set_open(&app->plugins, app->repo, opts->plugin_dir, refusals)) < 0)
		goto fail;
	hoso_plugin_set_write_options(app->plugins, &app->write, NULL); /* each write gives its own */
	/* A pinned plugin missing refuses every write, as on the command line. */
	if (hoso_problems_errors(refusals)) {
		error = HOSO_EPLUGIN;
		goto fail;
	}
	hoso_problems_free(refusals);
	*out = app;
	return 0;
fail:
	/* What refused it, for the caller to show. */
	for (i = 0; problems && i < hoso_problems_count(refusals); i++) {
		const hoso_problem *p = hoso_problems_get(refusals, i);
		hoso_problems_add(problems, p->severity, p->where, p->line, p->field, p->rule, "%s", p->message);
	}
	hoso_problems_free(refusals);
	web_app_free(app);
	return error;
}

void web_app_free(web_app *app)
{
	if (!app)
		return;
	hoso_plugin_set_free(app->plugins);
	free(app->password);
	free(app);
}

void web_app_set_host(web_app *app, const char *host)
{
	snprintf(app->host, sizeof(app->host), "%s", host);
}

const char *web_app_token(const web_app *app)
{
	return app->token;
}

void web_response_free(web_response *res)
{
	web_buf_free(&res->body);
}

/* Pages. */

static const char style[] =
	"*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#222}"
	"header{background:#a11;color:#fff;padding:.6em 1em}header a{color:#fff;margin-right:1em}"
	"main{padding:1em;max-width:60em}table{border-collapse:collapse;width:100%}"
	"td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}"
	"label{display:block;margin-top:.8em;font-weight:600}"
	"input,select{width:100%;padding:.5em;font-size:1em}"
	"button{margin-top:1em;padding:.6em 1.2em;font-size:1em}"
	".problem{color:#a11;font-weight:400}.problems{border:1px solid #a11;padding:.5em}"
	"@media(max-width:40em){td,th{display:block;border:0}tr{border-bottom:1px solid #ddd;display:block}}";

static void page_start(web_buf *b, web_app *app, const char *title)
{
	const hoso_schema_set *set = hoso_repo_schemas(app->repo);
	size_t i;

	web_buf_puts(b, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<link rel=\"stylesheet\" href=\"/style.css\"><title>");
	web_buf_html(b, title);
	web_buf_puts(b, " — hoso</title></head><body><header><nav>");
	for (i = 0; i < hoso_schema_set_count(set); i++) {
		const char *type = hoso_schema_set_type(set, i);
		const char *label = hoso_schema_label(hoso_schema_set_get(set, type), "", NULL, "vi");
		if (strcmp(type, "conflict") == 0)
			continue;
		web_buf_puts(b, "<a href=\"/list/");
		web_buf_html(b, type);
		web_buf_puts(b, "\">");
		web_buf_html(b, label ? label : type);
		web_buf_puts(b, "</a>");
	}
	web_buf_printf(b, "<a href=\"/conflicts\">%s</a><a href=\"/sync\">%s</a><a href=\"/report\">%s</a>",
		_("Conflicts"), _("Sync"), _("Report"));
	web_buf_puts(b, "</nav></header><main><h1>");
	web_buf_html(b, title);
	web_buf_puts(b, "</h1>");
}

static void page_end(web_buf *b)
{
	web_buf_puts(b, "</main></body></html>\n");
}

static void respond(web_response *res, int status, const char *type)
{
	res->status = status;
	res->type = type;
}

static void error_page(web_app *app, web_response *res, int status, const char *message)
{
	web_buf_free(&res->body);
	page_start(&res->body, app, status == 404 ? _("Not found") : _("Refused"));
	web_buf_puts(&res->body, "<p>");
	web_buf_html(&res->body, message);
	web_buf_puts(&res->body, "</p>");
	page_end(&res->body);
	respond(res, status, "text/html; charset=utf-8");
}

static void redirect(web_response *res, const char *location)
{
	snprintf(res->location, sizeof(res->location), "%s", location);
	respond(res, 303, "text/plain; charset=utf-8");
}

/* The value of query parameter `name`, decoded, or NULL. */
static char *query_get(const web_request *req, const char *name)
{
	return req->query ? web_form_get(req->query, strlen(req->query), name) : NULL;
}

/* A list: records of a type, in a unit, whose title holds the search. */

typedef struct {
	web_buf *b;
	const hoso_schema *schema;
	const char *q;
	size_t shown, matched;
} list_state;

/* Case-insensitive for ASCII; Vietnamese letters compared as typed (NFC). */
static int contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i] && tolower((unsigned char)hay[i]) ==
			tolower((unsigned char)needle[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return n == 0;
}

static int list_each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	list_state *st = payload;
	json_t *record = json_loadb(data, len, 0, NULL);
	const char *title = record ? hoso_record_title(record, st->schema, "vi") : "";

	if (record && hoso_id_valid(id) &&
		(!st->q || contains(title, st->q) || strncmp(id, st->q, strlen(st->q)) == 0)) {
		st->matched++;
		if (st->shown < LIST_MAX) {
			st->shown++;
			web_buf_printf(st->b, "<tr><td><a href=\"/record/%s\">", id);
			web_buf_html(st->b, *title ? title : id);
			web_buf_puts(st->b, "</a></td><td>");
			web_buf_html(st->b, unit);
			web_buf_puts(st->b, "</td></tr>");
		}
	}
	json_decref(record);
	/* One more than it shows is enough to say that more match. */
	return st->matched > LIST_MAX;
}

static void page_list(web_app *app, const web_request *req, web_response *res, const char *type)
{
	const hoso_schema *schema = hoso_repo_schema(app->repo, type);
	const char *label = schema ? hoso_schema_label(schema, "", NULL, "vi") : NULL;
	char *q = query_get(req, "q"), *unit = query_get(req, "unit");
	list_state st = { &res->body, schema, q && *q ? q : NULL, 0, 0 };
	const char *own = hoso_repo_own_unit(app->repo), *in;
	web_buf *b = &res->body;
	size_t i;

	if (!schema || strcmp(type, "conflict") == 0) {
		error_page(app, res, 404, _("There is no such record type."));
		goto done;
	}
	if (unit && *unit && strcmp(unit, "*") != 0 && !hoso_repo_unit_find(app->repo, unit)) {
		error_page(app, res, 404, _("There is no such unit."));
		goto done;
	}
	/* A replica lists its own unit unless asked for another, or all ("*"). */
	in = unit && *unit ? (strcmp(unit, "*") == 0 ? NULL : unit) : own;
	page_start(b, app, label ? label : type);
	web_buf_printf(b, "<p><a href=\"/new/%s\">%s</a></p>", type, _("Add a record"));
	web_buf_printf(b, "<form method=\"get\" action=\"/list/%s\"><label for=\"q\">%s</label>"
		"<input id=\"q\" name=\"q\" type=\"search\" value=\"", type, _("Search by name or id"));
	web_buf_html(b, st.q ? st.q : "");
	web_buf_printf(b, "\"><label for=\"unit\">%s</label><select id=\"unit\" name=\"unit\">"
		"<option value=\"*\">%s</option>", _("Unit"), _("All units"));
	for (i = 0; i < hoso_repo_unit_count(app->repo); i++) {
		const hoso_unit *u = hoso_repo_unit_at(app->repo, i);
		web_buf_printf(b, "<option value=\"%s\"%s>", u->code, in && strcmp(in, u->code) == 0 ?
			" selected" : "");
		web_buf_html(b, u->code);
		web_buf_puts(b, " ");
		web_buf_html(b, u->name ? u->name : "");
		web_buf_puts(b, "</option>");
	}
	web_buf_printf(b, "</select><button>%s</button></form><table><thead><tr><th>%s</th><th>%s</th>"
		"</tr></thead><tbody>", _("Search"), _("Record"), _("Unit"));
	hoso_record_foreach(app->repo, NULL, type, in, list_each, &st);
	web_buf_puts(b, "</tbody></table>");
	if (st.matched > st.shown)
		web_buf_printf(b, "<p>%s</p>", _("More records match: search to narrow them."));
	page_end(b);
	respond(res, 200, "text/html; charset=utf-8");
done:
	free(q);
	free(unit);
}

/* A record: its fields by their labels, and its history. */

static void show_value(web_buf *b, const hoso_schema *schema, const char *field, const json_t *v)
{
	const char *label;
	size_t i;

	if (json_is_string(v)) {
		label = hoso_schema_label(schema, field, json_string_value(v), "vi");
		web_buf_html(b, label ? label : json_string_value(v));
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			web_buf_puts(b, i ? "; " : "");
			show_value(b, schema, field, json_array_get(v, i));
		}
	} else {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		web_buf_html(b, text ? text : "");
		free(text);
	}
}

static void show_fields(web_buf *b, const hoso_schema *schema, const json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		char field[256];
		const char *label;
		snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_is_object(v)) {
			show_fields(b, schema, v, field);
			continue;
		}
		label = hoso_schema_label(schema, field, NULL, "vi");
		web_buf_puts(b, "<tr><th>");
		web_buf_html(b, label ? label : field);
		web_buf_puts(b, "</th><td>");
		show_value(b, schema, field, v);
		web_buf_puts(b, "</td></tr>");
	}
}

/* The JSON of blob `id`, or NULL. */
/* The fields that differ between `a` and `b` (either may be NULL), by their labels. */
static void changed_fields(web_buf *b, const hoso_schema *schema, const json_t *a, const json_t *c,
	const char *prefix, size_t *n)
{
	const json_t *objs[2] = { a, c };
	const char *key;
	json_t *v;
	size_t i;

	for (i = 0; i < 2; i++)
		json_object_foreach((json_t *)objs[i], key, v) {
			const json_t *va = json_object_get(a, key), *vb = json_object_get(c, key);
			char field[256];
			const char *label;
			if (i == 1 && va)
				continue; /* seen from `a` */
			if (va && vb && json_equal(va, vb))
				continue;
			snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", key);
			if ((json_is_object(va) || !va) && (json_is_object(vb) || !vb)) {
				changed_fields(b, schema, va, vb, field, n);
				continue;
			}
			label = hoso_schema_label(schema, field, NULL, "vi");
			web_buf_puts(b, (*n)++ ? ", " : "");
			web_buf_html(b, label ? label : field);
		}
}

/* A record's bytes in the repository as JSON, or NULL. */
static json_t *state_json(git_repository *git, const hoso_record_state *st)
{
	git_blob *blob = NULL;
	json_t *v = NULL;

	if (st->present && git_blob_lookup(&blob, git, &st->blob) == 0)
		v = json_loadb(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0, NULL);
	git_blob_free(blob);
	return v;
}

/*
 * The commits that changed record `id`, newest first: who, when, what (its
 * fields, or its unit when it moved), wherever it was then.
 */
static void show_history(web_app *app, web_buf *b, const char *type, const char *id,
	const hoso_schema *schema)
{
	git_repository *git = hoso_repo_git(app->repo);
	git_revwalk *walk = NULL;
	git_oid oid, tip;
	size_t shown = 0;

	if (hoso_repo_head(&tip, app->repo) < 0 || git_revwalk_new(&walk, git) < 0 ||
		git_revwalk_push(walk, &tip) < 0)
		goto done;
	git_revwalk_sorting(walk, GIT_SORT_TIME);
	web_buf_printf(b, "<h2>%s</h2><table><tbody>", _("History"));
	while (shown < 50 && git_revwalk_next(&oid, walk) == 0) {
		hoso_record_state now_at, before_at;
		git_commit *c = NULL;
		json_t *now, *before;
		char when[32];
		time_t at;
		struct tm tm;
		size_t n = 0;

		if (git_commit_lookup(&c, git, &oid) < 0 ||
			!hoso_record_changed(&now_at, &before_at, app->repo, c, type, id)) {
			git_commit_free(c);
			continue;
		}
		at = (time_t)git_commit_time(c);
		if (gmtime_r(&at, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		else
			snprintf(when, sizeof(when), "?");
		now = state_json(git, &now_at);
		before = state_json(git, &before_at);
		web_buf_printf(b, "<tr><td>%s</td><td>", when);
		web_buf_html(b, git_commit_author(c)->name);
		web_buf_puts(b, "</td><td>");
		web_buf_html(b, git_commit_summary(c));
		web_buf_puts(b, "<br>");
		if (!before)
			web_buf_html(b, _("created"));
		else if (!now)
			web_buf_html(b, _("removed"));
		else {
			/* Moved: its unit first, then the fields it changed. */
			if (strcmp(now_at.unit, before_at.unit) != 0) {
				web_buf_html(b, _("Unit"));
				n = 1;
			}
			changed_fields(b, schema, before, now, "", &n);
		}
		web_buf_puts(b, "</td></tr>");
		json_decref(now);
		json_decref(before);
		git_commit_free(c);
		shown++;
	}
	web_buf_puts(b, "</tbody></table>");
done:
	git_revwalk_free(walk);
}

static void page_record(web_app *app, web_response *res, const char *id)
{
	json_t *record = NULL;
	char *unit = NULL;
	const char *type;
	const hoso_schema *schema;
	web_buf *b = &res->body;

	if (!hoso_id_valid(id) || hoso_record_get(&record, &unit, app->repo, id) < 0) {
		error_page(app, res, 404, _("There is no such record."));
		goto done;
	}
	type = json_string_value(json_object_get(record, "type"));
	schema = hoso_repo_schema(app->repo, type);
	page_start(b, app, hoso_record_title(record, schema, "vi"));
	web_buf_printf(b, "<p><a href=\"/edit/%s\">%s</a></p><table><tbody><tr><th>%s</th><td>",
		id, _("Edit"), _("Unit"));
	web_buf_html(b, unit);
	web_buf_puts(b, "</td></tr>");
	show_fields(b, schema, record, "");
	web_buf_puts(b, "</tbody></table>");
	show_history(app, b, type, id, schema);
	page_end(b);
	respond(res, 200, "text/html; charset=utf-8");
done:
	free(unit);
	json_decref(record);
}

/* Forms, made from the schema: one input a field, the problems beside it. */

static const json_t *resolve(const json_t *doc, const json_t *prop)
{
	const char *ref = json_string_value(json_object_get(prop, "$ref"));

	if (ref && strncmp(ref, "#/$defs/", 8) == 0)
		return json_object_get(json_object_get(doc, "$defs"), ref + 8);
	return prop;
}

typedef struct {
	web_buf *b;
	hoso_repo *repo;
	const json_t *doc;
	const hoso_schema *schema;
	const json_t *record;        /* the values shown */
	const hoso_problems *problems;
	const json_t *required;      /* the top level's */
} form_state;

static const json_t *value_at(const json_t *record, const char *field)
{
	char path[256], *seg, *dot;
	const json_t *v = record;

	snprintf(path, sizeof(path), "%s", field);
	for (seg = path; v && (dot = strchr(seg, '.')); seg = dot + 1) {
		*dot = '\0';
		v = json_object_get(v, seg);
	}
	return v ? json_object_get(v, seg) : NULL;
}

/* A value as the form shows it: lists joined by ';', as the command line takes them. */
static void value_text(web_buf *b, const json_t *v)
{
	size_t i;

	if (json_is_string(v)) {
		web_buf_html(b, json_string_value(v));
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++) {
			web_buf_puts(b, i ? ";" : "");
			value_text(b, json_array_get(v, i));
		}
	} else if (v) {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		web_buf_html(b, text ? text : "");
		free(text);
	}
}

static void form_problems(form_state *f, const char *field)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(f->problems); i++) {
		const hoso_problem *p = hoso_problems_get(f->problems, i);
		if (p->field && strcmp(p->field, field) == 0) {
			web_buf_puts(f->b, "<span class=\"problem\" role=\"alert\">");
			web_buf_html(f->b, p->message);
			web_buf_puts(f->b, "</span>");
		}
	}
}

/* The records a reference may name, as choices: their titles, the chosen one selected. */
typedef struct {
	web_buf *b;
	const hoso_schema *schema;
	const char *chosen;
	size_t n;
} ref_state;

#define REF_CHOICES_MAX 500

static int ref_each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	ref_state *st = payload;
	json_t *record;

	(void)type;
	if (st->n >= REF_CHOICES_MAX)
		return 1; /* enough: the walk stops */
	if (!hoso_id_valid(id) || (st->chosen && strcmp(st->chosen, id) == 0))
		return 0;
	if (!(record = json_loadb(data, len, 0, NULL)))
		return 0;
	st->n++;
	web_buf_printf(st->b, "<option value=\"%s\">", id);
	web_buf_html(st->b, hoso_record_title(record, st->schema, "vi"));
	web_buf_puts(st->b, " (");
	web_buf_html(st->b, unit);
	web_buf_puts(st->b, ")</option>");
	json_decref(record);
	return 0;
}

/* "<TAG id="f-FIELD" name="FIELD"", the field's name escaped (it comes from a schema). */
static void control(web_buf *b, const char *tag, const char *field)
{
	web_buf_printf(b, "<%s id=\"f-", tag);
	web_buf_html(b, field);
	web_buf_puts(b, "\" name=\"");
	web_buf_html(b, field);
	web_buf_puts(b, "\"");
}

static void form_field(form_state *f, const char *field, const json_t *raw, int required)
{
	const json_t *prop = resolve(f->doc, raw), *e = json_object_get(prop, "enum");
	const json_t *v = value_at(f->record, field);
	const char *label = hoso_schema_label(f->schema, field, NULL, "vi");
	const char *format = json_string_value(json_object_get(prop, "format"));
	const char *type = json_string_value(json_object_get(prop, "type"));
	size_t i;

	web_buf_puts(f->b, "<label for=\"f-");
	web_buf_html(f->b, field);
	web_buf_puts(f->b, "\">");
	web_buf_html(f->b, label ? label : field);
	web_buf_puts(f->b, required ? " *" : "");
	form_problems(f, field);
	web_buf_puts(f->b, "</label>");
	/* A reference to one record (an organization, a member): its records as choices, the replica's unit's. */
	if (!e && (!v || json_is_string(v))) {
		const char *ref = hoso_schema_field_ref(f->schema, field);
		const hoso_schema *rs = ref && !json_object_get(prop, "items") ? hoso_repo_schema(f->repo, ref) : NULL;
		if (rs) {
			ref_state st = { f->b, rs, json_string_value(v), 0 };
			json_t *cur = NULL;
			char *unit = NULL;
			control(f->b, "select", field);
			web_buf_puts(f->b, "><option value=\"\"></option>");
			if (st.chosen) {
				/* The record named now, by its title; one that is gone, by the id it had. */
				int found = hoso_record_get(&cur, &unit, f->repo, st.chosen) == 0;
				web_buf_puts(f->b, "<option value=\"");
				web_buf_html(f->b, st.chosen);
				web_buf_puts(f->b, "\" selected>");
				web_buf_html(f->b, found ? hoso_record_title(cur, rs, "vi") : st.chosen);
				web_buf_puts(f->b, "</option>");
			}
			json_decref(cur);
			free(unit);
			hoso_record_foreach(f->repo, NULL, ref, hoso_repo_own_unit(f->repo), ref_each, &st);
			web_buf_puts(f->b, "</select>");
			return;
		}
	}
	if (e) {
		int listed = 0;
		control(f->b, "select", field);
		web_buf_puts(f->b, "><option value=\"\"></option>");
		for (i = 0; i < json_array_size(e); i++) {
			const char *code = json_string_value(json_array_get(e, i));
			const char *cl = code ? hoso_schema_label(f->schema, field, code, "vi") : NULL;
			if (!code)
				continue;
			int chosen = json_is_string(v) && strcmp(json_string_value(v), code) == 0;
			listed |= chosen;
			web_buf_puts(f->b, "<option value=\"");
			web_buf_html(f->b, code);
			web_buf_puts(f->b, chosen ? "\" selected>" : "\">");
			web_buf_html(f->b, cl ? cl : code);
			web_buf_puts(f->b, "</option>");
		}
		/* A value the schema no longer lists stays what it is, unless changed. */
		if (json_is_string(v) && !listed) {
			web_buf_puts(f->b, "<option value=\"");
			web_buf_html(f->b, json_string_value(v));
			web_buf_puts(f->b, "\" selected>");
			web_buf_html(f->b, json_string_value(v));
			web_buf_puts(f->b, "</option>");
		}
		web_buf_puts(f->b, "</select>");
		return;
	}
	control(f->b, "input", field);
	web_buf_printf(f->b, " type=\"%s\" value=\"",
		format && strcmp(format, "date") == 0 ? "date" :
		type && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0) ? "text\" inputmode=\"decimal" :
		"text");
	value_text(f->b, v);
	web_buf_puts(f->b, "\">");
}

static int is_required(const json_t *required, const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(required); i++)
		if (json_is_string(json_array_get(required, i)) &&
			strcmp(json_string_value(json_array_get(required, i)), name) == 0)
			return 1;
	return 0;
}

/* Every field under `props`, nested objects by dotted names; not id and type. */
static void form_fields(form_state *f, const json_t *props, const json_t *required, const char *prefix)
{
	const char *key;
	json_t *raw;

	json_object_foreach((json_t *)props, key, raw) {
		const json_t *prop = resolve(f->doc, raw);
		char field[256];
		if (!*prefix && (strcmp(key, "id") == 0 || strcmp(key, "type") == 0))
			continue;
		snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_object_get(prop, "properties"))
			form_fields(f, json_object_get(prop, "properties"), json_object_get(prop, "required"), field);
		else
			form_field(f, field, raw, is_required(required, key));
	}
}

static void form_page(web_app *app, web_response *res, int status, const char *title,
	const char *action, const hoso_schema *schema, const json_t *record, const char *unit,
	const hoso_problems *problems)
{
	const json_t *doc = hoso_schema_json(schema);
	form_state f = { &res->body, app->repo, doc, schema, record, problems, NULL };
	web_buf *b = &res->body;
	size_t i, general = 0;

	web_buf_free(b);
	page_start(b, app, title);
	for (i = 0; i < hoso_problems_count(problems); i++)
		general += !hoso_problems_get(problems, i)->field;
	if (general) {
		web_buf_puts(b, "<div class=\"problems\" role=\"alert\">");
		for (i = 0; i < hoso_problems_count(problems); i++) {
			const hoso_problem *p = hoso_problems_get(problems, i);
			if (p->field)
				continue;
			web_buf_puts(b, "<p>");
			web_buf_html(b, p->message);
			web_buf_puts(b, "</p>");
		}
		web_buf_puts(b, "</div>");
	}
	web_buf_printf(b, "<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"_csrf\" "
		"value=\"%s\">", action, app->token);
	if (unit) {
		const char *own = hoso_repo_own_unit(app->repo);
		web_buf_printf(b, "<label for=\"f-_unit\">%s *</label><select id=\"f-_unit\" name=\"_unit\">",
			_("Unit"));
		for (i = 0; i < hoso_repo_unit_count(app->repo); i++) {
			const hoso_unit *u = hoso_repo_unit_at(app->repo, i);
			web_buf_printf(b, "<option value=\"%s\"%s>", u->code,
				strcmp(u->code, *unit ? unit : own ? own : "") == 0 ? " selected" : "");
			web_buf_html(b, u->code);
			web_buf_puts(b, " ");
			web_buf_html(b, u->name ? u->name : "");
			web_buf_puts(b, "</option>");
		}
		web_buf_puts(b, "</select>");
	}
	form_fields(&f, json_object_get(doc, "properties"), json_object_get(doc, "required"), "");
	web_buf_printf(b, "<button type=\"submit\">%s</button></form>", _("Save"));
	page_end(b);
	respond(res, status, "text/html; charset=utf-8");
}

/* Apply every field of the form to `record`, as FIELD=VALUE on the command line. */
typedef struct {
	const web_request *req;
	json_t *record;
	const hoso_schema *schema;
	hoso_problems *problems;
	int bad;
} apply_state;

static void apply_fields(apply_state *a, const json_t *doc, const json_t *props, const char *prefix)
{
	const char *key;
	json_t *raw;

	json_object_foreach((json_t *)props, key, raw) {
		const json_t *prop = resolve(doc, raw);
		char field[256], *value;
		if (!*prefix && (strcmp(key, "id") == 0 || strcmp(key, "type") == 0))
			continue;
		snprintf(field, sizeof(field), "%s%s%s", prefix, *prefix ? "." : "", key);
		if (json_object_get(prop, "properties")) {
			apply_fields(a, doc, json_object_get(prop, "properties"), field);
			continue;
		}
		if (!(value = web_form_get(a->req->body, a->req->body_len, field)))
			continue; /* not in the form: left as it is */
		if (!*value)
			hoso_record_unset(a->record, field);
		else if (hoso_record_set(a->record, a->schema, field, value, 0, a->problems) < 0)
			a->bad = 1;
		free(value);
	}
}

/* Add (`id` NULL) or edit a record from the posted form. */
static void post_record(web_app *app, const web_request *req, web_response *res,
	const char *type, const char *id)
{
	const hoso_schema *schema = NULL;
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *record = NULL;
	char *unit = NULL, new_id[HOSO_ID_LEN + 1] = "", message[512], action[128];
	apply_state a;
	int error;

	if (hoso_problems_new(&problems) < 0)
		goto fail;
	if (id) {
		if (!hoso_id_valid(id) || hoso_record_get(&record, &unit, app->repo, id) < 0) {
			error_page(app, res, 404, _("There is no such record."));
			goto done;
		}
		type = json_string_value(json_object_get(record, "type"));
	} else {
		record = json_pack("{s:s}", "type", type ? type : "");
		unit = web_form_get(req->body, req->body_len, "_unit");
		if (!unit || !hoso_repo_unit_find(app->repo, unit)) {
			error_page(app, res, 400, _("Choose the record's unit."));
			goto done;
		}
	}
	if (!type || !(schema = hoso_repo_schema(app->repo, type)) || strcmp(type, "conflict") == 0) {
		error_page(app, res, 404, _("There is no such record type."));
		goto done;
	}
	a = (apply_state){ req, record, schema, problems, 0 };
	apply_fields(&a, hoso_schema_json(schema), json_object_get(hoso_schema_json(schema), "properties"), "");
	app->write.problems = problems;
	if (!a.bad && (error = hoso_txn_begin(&txn, app->repo, &app->write)) == 0 &&
		(error = hoso_txn_put(txn, unit, record, id ? HOSO_PUT_REPLACE : HOSO_PUT_CREATE, NULL, 0,
			problems, new_id)) == 0) {
		hoso_record_commit_message(message, sizeof(message), id ? "edit" : "add", type,
			id ? id : new_id, unit, record, "web");
		error = hoso_txn_commit(txn, message, NULL);
	}
	if (!a.bad && error == 0) {
		snprintf(action, sizeof(action), "/record/%s", id ? id : new_id);
		redirect(res, action);
		goto done;
	}
	/* Refused: the form again, with what was typed and why (not only the warnings). */
	if (!hoso_problems_errors(problems))
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "write", "%s", hoso_error_last());
	if (id)
		snprintf(action, sizeof(action), "/edit/%s", id);
	else
		snprintf(action, sizeof(action), "/new/%s", type);
	form_page(app, res, 422, id ? _("Edit the record") : _("Add a record"), action, schema, record,
		id ? NULL : unit, problems);
	goto done;
fail:
	error_page(app, res, 500, _("Out of memory."));
done:
	app->write.problems = NULL;
	hoso_txn_free(txn);
	json_decref(record);
	free(unit);
	hoso_problems_free(problems);
}

/* Conflicts: both values side by side, a button to keep each. */

typedef struct {
	web_app *app;
	web_buf *b;
	size_t n;
} conflicts_state;

static void conflict_value(web_buf *b, const hoso_schema *schema, const char *field, const json_t *v)
{
	if (!v)
		web_buf_html(b, _("(absent)"));
	else if (json_is_object(v))
		web_buf_html(b, hoso_record_title(v, schema, "vi"));
	else
		show_value(b, schema, field, v);
}

static int conflict_each(const char *unit, const char *type, const char *id, const char *data,
	size_t len, void *payload)
{
	conflicts_state *st = payload;
	web_buf *b = st->b;
	json_t *c = json_loadb(data, len, 0, NULL);
	const char *rid = json_string_value(json_object_get(c, "record_id"));
	const char *field = json_string_value(json_object_get(c, "field"));
	const char *rtype = json_string_value(json_object_get(c, "record_type"));
	const hoso_schema *schema = rtype ? hoso_repo_schema(st->app->repo, rtype) : NULL;
	const char *label = field && *field ? hoso_schema_label(schema, field, NULL, "vi") : NULL;
	static const char *const sides[] = { "ours", "theirs" };
	size_t i;

	(void)type;
	(void)id;
	if (!rid || !field || !hoso_id_valid(rid)) {
		json_decref(c);
		return 0;
	}
	st->n++;
	{
		/* The record by its name, as it is now (gone: by its id). */
		json_t *record = NULL;
		char *where = NULL;
		const char *title = hoso_record_get(&record, &where, st->app->repo, rid) == 0 ?
			hoso_record_title(record, schema, "vi") : "";
		web_buf_printf(b, "<tr><td><a href=\"/record/%s\">", rid);
		web_buf_html(b, *title ? title : rid);
		web_buf_puts(b, "</a> (");
		json_decref(record);
		free(where);
	}
	web_buf_html(b, unit);
	web_buf_puts(b, ")<br>");
	web_buf_html(b, label ? label : *field ? field : _("the whole record"));
	web_buf_puts(b, "</td>");
	for (i = 0; i < 2; i++) {
		web_buf_puts(b, "<td>");
		conflict_value(b, schema, field, json_object_get(c, sides[i]));
		web_buf_printf(b, "<form method=\"post\" action=\"/resolve\"><input type=\"hidden\" "
			"name=\"_csrf\" value=\"%s\"><input type=\"hidden\" name=\"record_id\" value=\"%s\">"
			"<input type=\"hidden\" name=\"field\" value=\"", st->app->token, rid);
		web_buf_html(b, *field ? field : ".");
		web_buf_printf(b, "\"><input type=\"hidden\" name=\"take\" value=\"%s\">"
			"<button type=\"submit\" name=\"keep\">%s</button></form></td>", sides[i],
			i == 0 ? _("Keep this one (ours)") : _("Keep this one (theirs)"));
	}
	web_buf_puts(b, "</tr>");
	json_decref(c);
	return 0;
}

static void page_conflicts(web_app *app, web_response *res)
{
	conflicts_state st = { app, &res->body, 0 };
	web_buf *b = &res->body;

	page_start(b, app, _("Conflicts"));
	web_buf_printf(b, "<p>%s</p><table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		_("Sync had to choose between two values: keep the right one."), _("Record"),
		_("Ours (this replica)"), _("Theirs (the hub)"));
	hoso_record_foreach(app->repo, NULL, "conflict", NULL, conflict_each, &st);
	web_buf_puts(b, "</tbody></table>");
	if (!st.n)
		web_buf_printf(b, "<p>%s</p>", _("No open conflicts."));
	page_end(b);
	respond(res, 200, "text/html; charset=utf-8");
}

static void post_resolve(web_app *app, const web_request *req, web_response *res)
{
	char *rid = web_form_get(req->body, req->body_len, "record_id");
	char *field = web_form_get(req->body, req->body_len, "field");
	char *take = web_form_get(req->body, req->body_len, "take");
	hoso_problems *problems = NULL;
	int error;

	if (!rid || !field || !take || !hoso_id_valid(rid) ||
		(strcmp(take, "ours") != 0 && strcmp(take, "theirs") != 0)) {
		error_page(app, res, 400, _("This is not a conflict to settle."));
		goto done;
	}
	if (hoso_problems_new(&problems) < 0) {
		error_page(app, res, 500, _("Out of memory."));
		goto done;
	}
	app->write.problems = problems;
	error = hoso_conflict_resolve(app->repo, &app->write, rid, field, take, problems);
	app->write.problems = NULL;
	if (error < 0) {
		error_page(app, res, error == HOSO_ENOTFOUND ? 404 : 422, hoso_problems_count(problems) ?
			hoso_problems_get(problems, 0)->message : hoso_error_last());
		goto done;
	}
	redirect(res, "/conflicts");
done:
	hoso_problems_free(problems);
	free(take);
	free(field);
	free(rid);
}

/* Sync: its state (commits waiting, last sync), and a button. */

static void page_sync(web_app *app, web_response *res, const char *said)
{
	git_config *cfg = NULL;
	size_t ahead = 0, behind = 0;
	web_buf *b = &res->body;
	const char *last = NULL;
	git_buf value = { 0 }, hub = { 0 };

	page_start(b, app, _("Sync with the hub"));
	if (said) {
		web_buf_puts(b, "<p class=\"problems\" role=\"status\">");
		web_buf_html(b, said);
		web_buf_puts(b, "</p>");
	}
	/* From the configuration (a remote looked up leaks in libgit2 1.5's pattern matching). */
	if (git_repository_config_snapshot(&cfg, hoso_repo_git(app->repo)) < 0 ||
		git_config_get_string_buf(&hub, cfg, "remote.origin.url") < 0) {
		web_buf_printf(b, "<p>%s</p>", _("This repository has no hub to sync with."));
		goto end;
	}
	if (git_config_get_string_buf(&value, cfg, "hoso.lastSync") == 0)
		last = value.ptr;
	hoso_sync_ahead_behind(&ahead, &behind, app->repo);
	web_buf_puts(b, "<table><tbody><tr><th>");
	web_buf_html(b, _("Hub"));
	web_buf_puts(b, "</th><td>");
	web_buf_html(b, hub.ptr);
	web_buf_printf(b, "</td></tr><tr><th>%s</th><td>", _("Last sync"));
	web_buf_html(b, last ? last : _("never"));
	web_buf_printf(b, "</td></tr><tr><th>%s</th><td id=\"waiting\">%zu</td></tr></tbody></table>",
		_("Commits waiting to be sent"), ahead);
	web_buf_printf(b, "<form method=\"post\" action=\"/sync\"><input type=\"hidden\" name=\"_csrf\" "
		"value=\"%s\"><button type=\"submit\">%s</button></form>", app->token, _("Sync now"));
end:
	page_end(b);
	respond(res, 200, "text/html; charset=utf-8");
	git_buf_dispose(&value);
	git_buf_dispose(&hub);
	git_config_free(cfg);
}

static void post_sync(web_app *app, web_response *res)
{
	hoso_sync_options opts = HOSO_SYNC_OPTIONS_INIT;
	hoso_problems *problems = NULL;
	hoso_sync_stats st;
	hoso_verify_options verify = HOSO_VERIFY_OPTIONS_INIT;
	char said[2048];
	int error;

	if (hoso_problems_new(&problems) < 0) {
		error_page(app, res, 500, _("Out of memory."));
		return;
	}
	app->write.problems = problems;
	hoso_plugin_set_verify_options(app->plugins, &verify);
	opts.write = &app->write;
	opts.verify = &verify;
	error = hoso_sync_run(app->repo, &opts, &st);
	app->write.problems = NULL;
	if (error == 0) {
		size_t n = (size_t)snprintf(said, sizeof(said),
			_("Synced: %zu commits received, %zu sent, %zu conflicts."),
			st.received_commits, st.sent_commits, st.conflicts);
		/* The admin closed this replica's unit. */
		if (*st.unit_now && n < sizeof(said))
			snprintf(said + n, sizeof(said) - n, _(" Unit %s was closed: this replica now works "
				"for unit %s, which took its place."), st.unit_was, st.unit_now);
		else if (*st.unit_choice && n < sizeof(said))
			snprintf(said + n, sizeof(said) - n, _(" Unit %s was split into %s: choose this "
				"replica's unit with 'hoso unit use CODE'."), st.unit_was, st.unit_choice);
	}
	else if (error == HOSO_EOFFLINE)
		snprintf(said, sizeof(said), _("Offline: the hub cannot be reached. Your work is kept here "
			"and goes with the next sync. (%s)"), hoso_error_last());
	else
		snprintf(said, sizeof(said), "%s%s%s", hoso_error_last(), hoso_problems_count(problems) ?
			": " : "", hoso_problems_count(problems) ? hoso_problems_get(problems, 0)->message : "");
	hoso_repo_reload(app->repo);
	page_sync(app, res, said);
	hoso_problems_free(problems);
}

/* The annual report, as the report plugin writes it for a browser. */
static void page_report(web_app *app, const web_request *req, web_response *res)
{
	char *year = query_get(req, "year"), *text = NULL, y[16];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	hoso_problems *problems = NULL;
	json_t *opts = NULL;
	time_t now = time(NULL);
	int error = HOSO_ERROR;

	snprintf(y, sizeof(y), "%s", year && strlen(year) == 4 && strspn(year, "0123456789") == 4 ? year : "");
	if (!*y)
		strftime(y, sizeof(y), "%Y", localtime(&now));
	/* Each record in the unit it was in at the year's end (the units may have changed since). */
	if (out && hoso_problems_new(&problems) == 0 &&
		(opts = json_pack("{s:s, s:s+}", "year", y, "as_of", y, "-12-31")))
		error = hoso_plugin_set_report(app->plugins, "annual", "html", out, opts, problems);
	if (out)
		fclose(out);
	if (error < 0)
		error_page(app, res, 500, hoso_error_last());
	else {
		web_buf_add(&res->body, text, len);
		respond(res, 200, "text/html; charset=utf-8");
		res->inline_style = 1;
	}
	json_decref(opts);
	hoso_problems_free(problems);
	free(text);
	free(year);
}

/* Routing and the checks every request passes. */

/* 1 if `a` equals `b`, in a time that does not tell how much of it matched. */
static int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i;
	unsigned char diff = (unsigned char)(n != m);

	for (i = 0; i < m; i++)
		diff |= (unsigned char)(a[i % (n ? n : 1)] ^ b[i]);
	return diff == 0 && n == m;
}

/* 1 if `host` is the one this server was started for (no DNS rebinding). */
static int host_ok(const web_app *app, const char *host)
{
	const char *port = strrchr(app->host, ':');
	char local[160];

	if (!host || !app->host[0])
		return 0;
	if (strcmp(host, app->host) == 0)
		return 1;
	/* "localhost" for 127.0.0.1 alone. */
	snprintf(local, sizeof(local), "localhost%s", port ? port : "");
	return strncmp(app->host, "127.0.0.1:", 10) == 0 && strcmp(host, local) == 0;
}

/* A form from this server's own page: the same origin, and its token. */
static int form_ok(const web_app *app, const web_request *req)
{
	char *token = web_form_get(req->body, req->body_len, "_csrf");
	int ok = token && strcmp(token, app->token) == 0;

	if (ok && req->origin) {
		char mine[200];
		snprintf(mine, sizeof(mine), "http://%s", req->host ? req->host : "");
		ok = strcmp(req->origin, mine) == 0;
	}
	free(token);
	return ok;
}

/* The rest of `path` after `prefix`, when it is one segment of letters, digits, '_' or '-'. */
static const char *segment(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *s;

	if (strncmp(path, prefix, n) != 0 || !path[n])
		return NULL;
	for (s = path + n; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return NULL;
	return path + n;
}

void web_handle(web_app *app, const web_request *req, web_response *res)
{
	int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	int post = strcmp(req->method, "POST") == 0;
	const char *arg;

	memset(res, 0, sizeof(*res));
	if (app->password && (!req->password || !same_secret(req->password, app->password))) {
		web_buf_puts(&res->body, _("The password is needed.\n"));
		respond(res, 401, "text/plain; charset=utf-8");
		res->ask_password = 1;
		return;
	}
	if (!host_ok(app, req->host)) {
		error_page(app, res, 403, _("This server answers only on its own address."));
		return;
	}
	if (post && !form_ok(app, req)) {
		error_page(app, res, 403, _("This form did not come from this server's page: open the page again."));
		return;
	}
	if (get && strcmp(req->path, "/style.css") == 0) {
		web_buf_puts(&res->body, style);
		respond(res, 200, "text/css; charset=utf-8");
	} else if (get && strcmp(req->path, "/") == 0) {
		redirect(res, "/list/member");
	} else if (get && (arg = segment(req->path, "/list/"))) {
		page_list(app, req, res, arg);
	} else if (get && (arg = segment(req->path, "/record/"))) {
		page_record(app, res, arg);
	} else if ((arg = segment(req->path, "/new/"))) {
		const hoso_schema *schema = hoso_repo_schema(app->repo, arg);
		char action[128];
		if (post)
			post_record(app, req, res, arg, NULL);
		else if (!get || !schema || strcmp(arg, "conflict") == 0)
			error_page(app, res, 404, _("There is no such record type."));
		else {
			json_t *empty = json_object();
			snprintf(action, sizeof(action), "/new/%s", arg);
			form_page(app, res, 200, _("Add a record"), action, schema, empty, "", NULL);
			json_decref(empty);
		}
	} else if ((arg = segment(req->path, "/edit/"))) {
		json_t *record = NULL;
		char *unit = NULL, action[128];
		if (post)
			post_record(app, req, res, NULL, arg);
		else if (!get || !hoso_id_valid(arg) || hoso_record_get(&record, &unit, app->repo, arg) < 0)
			error_page(app, res, 404, _("There is no such record."));
		else {
			snprintf(action, sizeof(action), "/edit/%s", arg);
			form_page(app, res, 200, _("Edit the record"), action, hoso_repo_schema(app->repo,
				json_string_value(json_object_get(record, "type"))), record, NULL, NULL);
		}
		json_decref(record);
		free(unit);
	} else if (get && strcmp(req->path, "/conflicts") == 0) {
		page_conflicts(app, res);
	} else if (post && strcmp(req->path, "/resolve") == 0) {
		post_resolve(app, req, res);
	} else if (get && strcmp(req->path, "/sync") == 0) {
		page_sync(app, res, NULL);
	} else if (post && strcmp(req->path, "/sync") == 0) {
		post_sync(app, res);
	} else if (get && strcmp(req->path, "/report") == 0) {
		page_report(app, req, res);
	} else {
		error_page(app, res, 404, _("There is no such page."));
	}
	if (res->body.failed)
		res->status = 500;
}
