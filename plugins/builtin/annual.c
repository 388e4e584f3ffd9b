/*
 * annual: the year's Party-building report (RECORDS.md, counting rules).
 *
 * One walk of each record type at the tip computes every figure into one
 * JSON object; the formats are renderings of it: json (the object itself),
 * md, and html (one self-contained page, readable on a phone, with inline
 * SVG charts and no external resource). Numbers are printed the Vietnamese
 * way (3.290). Options: year (required), as_of (default YEAR-12-31), unit
 * (only its records), commit (the tip the figures come from, set by hoso).
 *
 *   organizations  open on as_of (founded_on <= as_of < dissolved_on), by
 *                  level and sector;
 *   members        admitted on or before as_of, status dang_sinh_hoat,
 *                  mien_sinh_hoat, tam_thoi_di or dinh_chi, or gone since
 *                  (a leaving event after as_of): by unit, gender,
 *                  ethnicity, age band on as_of, general education, political
 *                  theory; movement: members at the start (the year before's
 *                  last day, by the same rule) and the end, the year's member
 *                  events in (ket_nap, ket_nap_lai, chuyen_den, phuc_hoi) and
 *                  out (chuyen_di, tu_tran, xoa_ten, xoa_ten_du_bi, khai_tru,
 *                  ra_khoi_dang), and what start + in - out leaves unexplained;
 *                  admissions (ket_nap events);
 *   inspections    of the year of start_date, by conducting role and kind:
 *   supervisions   records, organization and member visits, distinct subjects;
 *                  "party committees" are cap_uy and chi_bo for inspections,
 *                  every record for supervisions;
 *   discipline     decision_date in the year, organizations and members, by form;
 *   ratings        evaluations of the year by subject kind and rating, and the
 *                  qd124_2023 quota (htxsnv at most 20% of httnv) by parent;
 *   training       courses starting in the year and their participants.
 */
#define _POSIX_C_SOURCE 200809L

#include <hoso/plugin.h>

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/record_view.h"

static const hoso_host_api *api;

typedef struct {
	json_t *fig;
	json_t *sets;        /* the shape of fig: sets of ids where fig will hold their sizes */
	int year;
	char as_of[11], first[11], last[11], before[24]; /* before: the last day of the year before */
	json_t *parents;     /* organization id -> parent id, for the quota */
	json_t *rated;       /* organization id -> its qd124_2023 rating of the year, for the quota */
	json_t *left;        /* member id -> the date of its latest leaving event */
	json_t *arrived;     /* member id -> the date of its latest coming (back) into the province */
	int oom;
} report;

static int is(const char *s, const char *v) { return s && strcmp(s, v) == 0; }

/*
 * The object holding root.KEY...KEY's last key (the keys end with NULL),
 * made on the way; that last key in `*leaf`. NULL when out of memory.
 */
static json_t *reach(report *r, json_t *o, const char *key, va_list ap, const char **leaf)
{
	const char *after;
	json_t *next;

	while ((after = va_arg(ap, const char *)) != NULL) {
		if (!(next = json_object_get(o, key)) &&
			(!(next = json_object()) || json_object_set_new(o, key, next) < 0)) {
			r->oom = 1;
			return NULL;
		}
		o = next;
		key = after;
	}
	*leaf = key;
	return o;
}

/* fig.KEY...KEY += n. */
static void add(report *r, long n, const char *key, ...)
{
	va_list ap;
	const char *leaf;
	json_t *o;

	va_start(ap, key);
	o = reach(r, r->fig, key, ap, &leaf);
	va_end(ap);
	if (o)
		json_object_set_new(o, leaf, json_integer(json_integer_value(json_object_get(o, leaf)) + n));
}

/* `member` into the set whose size fig.KEY...KEY will hold. */
static void mark(report *r, const char *member, const char *key, ...)
{
	va_list ap;
	const char *leaf;
	json_t *o, *set;

	if (!member)
		return;
	va_start(ap, key);
	o = reach(r, r->sets, key, ap, &leaf);
	va_end(ap);
	if (o && !(set = json_object_get(o, leaf)))
		json_object_set_new(o, leaf, set = json_object());
	if (o)
		json_object_set_new(set, member, json_true());
}

/* Every set of `sets` becomes its size at the same place in `fig`. */
static void count_sets(json_t *fig, json_t *sets)
{
	const char *key;
	json_t *v;

	json_object_foreach(sets, key, v) {
		json_t *f;

		/* A set holds `true`s; anything else is a level above sets. */
		if (json_is_true(json_object_iter_value(json_object_iter(v)))) {
			json_object_set_new(fig, key, json_integer((json_int_t)json_object_size(v)));
			continue;
		}
		if (!(f = json_object_get(fig, key)))
			json_object_set_new(fig, key, f = json_object());
		count_sets(f, v);
	}
}

static int in_year(const report *r, const char *date)
{
	return date && strlen(date) == 10 && strcmp(date, r->first) >= 0 && strcmp(date, r->last) <= 0;
}

static void count_org(report *r, const char *unit, const char *id, record_view *v)
{
	const char *founded = rv_str(v, "founded_on"), *dissolved = rv_str(v, "dissolved_on");
	const char *parent = rv_str(v, "parent_id");

	(void)unit;
	if (parent)
		json_object_set_new(r->parents, id, json_string(parent));
	if ((!founded || strcmp(founded, r->as_of) <= 0) && (!dissolved || strcmp(dissolved, r->as_of) > 0)) {
		const char *level = rv_str(v, "level"), *sector = rv_str(v, "sector");
		add(r, 1, "organizations", "total", NULL);
		add(r, 1, "organizations", "by_level", level ? level : "?", NULL);
		if (sector)
			add(r, 1, "organizations", "by_sector", sector, NULL);
	}
}

static const char *age_band(const char *birth, const char *as_of)
{
	int age;

	if (!birth || strlen(birth) != 10)
		return "?";
	age = atoi(as_of) - atoi(birth) - (strcmp(as_of + 5, birth + 5) < 0 ? 1 : 0);
	return age <= 30 ? "18-30" : age <= 40 ? "31-40" : age <= 50 ? "41-50" : age <= 60 ? "51-60" : "61+";
}

/*
 * 1 if a member of `status`, admitted on `admitted`, last gone on `left` and
 * last come in on `arrived`, was one here on `date`.
 */
static int member_on(const char *status, const char *admitted, const char *left,
	const char *arrived, const char *date)
{
	return (is(status, "dang_sinh_hoat") || is(status, "mien_sinh_hoat") || is(status, "tam_thoi_di") ||
		is(status, "dinh_chi") || (left && strcmp(left, date) > 0)) &&
		admitted && strcmp(admitted, date) <= 0 && !(arrived && strcmp(arrived, date) > 0);
}

static void count_member(report *r, const char *unit, const char *id, record_view *v)
{
	const char *status = rv_str(v, "status"), *admitted = rv_str(v, "admission_date");
	/* A member who has left since a date was still a member then. */
	const char *left = json_string_value(json_object_get(r->left, id));
	const char *arrived = json_string_value(json_object_get(r->arrived, id));

	if (member_on(status, admitted, left, arrived, r->before))
		add(r, 1, "movement", "start", NULL);
	if (member_on(status, admitted, left, arrived, r->as_of)) {
		const char *g = rv_str(v, "gender"), *e = rv_str(v, "ethnicity");
		const rv_field *f = v->o ? NULL : rv_field_of(v, "education");
		json_t *edu = v->o ? json_incref(json_object_get(v->o, "education")) : f ? rv_decode(f) : NULL;
		const char *gen = json_string_value(json_object_get(edu, "general"));
		const char *pol = json_string_value(json_object_get(edu, "political_theory"));
		const char *pro = json_string_value(json_object_get(edu, "professional"));

		add(r, 1, "members", "total", NULL);
		add(r, 1, "members", "by_unit", unit, NULL);
		add(r, 1, "members", "by_gender", g ? g : "?", NULL);
		add(r, 1, "members", "by_ethnicity", e ? e : "?", NULL);
		add(r, 1, "members", "by_age_band", age_band(rv_str(v, "birth_date"), r->as_of), NULL);
		add(r, 1, "members", "by_general_education", gen ? gen : "?", NULL);
		add(r, 1, "members", "by_political_theory", pol ? pol : "none", NULL);
		add(r, 1, "members", "by_professional", pro ? pro : "none", NULL);
		json_decref(edu);
	}
}

static const char *const moves_in[] = { "ket_nap", "ket_nap_lai", "chuyen_den", "phuc_hoi", NULL };
static const char *const moves_out[] = { "chuyen_di", "tu_tran", "xoa_ten", "xoa_ten_du_bi",
	"khai_tru", "ra_khoi_dang", NULL };

static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (is(s, *list))
			return 1;
	return 0;
}

/* dates[member] = date, if later than what it holds. */
static void latest(json_t *dates, const char *member, const char *date)
{
	const char *was = json_string_value(json_object_get(dates, member));

	if (!was || strcmp(date, was) > 0)
		json_object_set_new(dates, member, json_string(date));
}

static void count_event(report *r, const char *unit, const char *id, record_view *v)
{
	const char *kind = rv_str(v, "kind"), *date = rv_str(v, "date"), *member = rv_str(v, "member_id");

	(void)unit, (void)id;
	if (!kind || !date)
		return;
	/* Gone, or come from elsewhere (an admission is dated by admission_date itself). */
	if (member && one_of(kind, moves_out))
		latest(r->left, member, date);
	if (member && one_of(kind, moves_in) && !is(kind, "ket_nap"))
		latest(r->arrived, member, date);
	if (!in_year(r, date))
		return;
	if (one_of(kind, moves_in))
		add(r, 1, "movement", "in", kind, NULL);
	if (one_of(kind, moves_out))
		add(r, 1, "movement", "out", kind, NULL);
	if (is(kind, "ket_nap"))
		add(r, 1, "admissions", NULL);
}

/*
 * Inspections and supervisions: records, visits and distinct subjects, by
 * role, by kind, and for the party committees' (when `committees`).
 */
static void count_check(report *r, const char *section, record_view *v, int committees)
{
	const char *role = rv_str(v, "conducted_by_role"), *kind = rv_str(v, "kind");
	const char *const groups[] = { "by_role", "by_kind", "party_committees" };
	const char *keys[3];
	const json_t *orgs = rv_array(v, "subject_org_ids");
	size_t g, i, norgs = json_array_size(orgs), nmembers;
	json_t *members;

	/* Both lists at once: rv_array lends one array at a time. */
	orgs = json_incref((json_t *)orgs);
	members = json_incref((json_t *)rv_array(v, "subject_member_ids"));
	nmembers = json_array_size(members);
	keys[0] = role ? role : "?";
	keys[1] = kind ? kind : "?";
	keys[2] = committees ? "" : NULL;
	for (g = 0; g < 3; g++) {
		/* by_role.ROLE.x, by_kind.KIND.x, party_committees.x */
		const char *k1 = groups[g], *k2 = g == 2 ? NULL : keys[g];

		if (!keys[g])
			continue;
		for (i = 0; i < norgs; i++)
			mark(r, json_string_value(json_array_get(orgs, i)), section, k1,
				k2 ? k2 : "distinct_orgs", k2 ? "distinct_orgs" : NULL, NULL);
		for (i = 0; i < nmembers; i++)
			mark(r, json_string_value(json_array_get(members, i)), section, k1,
				k2 ? k2 : "distinct_members", k2 ? "distinct_members" : NULL, NULL);
		add(r, 1, section, k1, k2 ? k2 : "records", k2 ? "records" : NULL, NULL);
		add(r, (long)norgs, section, k1, k2 ? k2 : "org_visits", k2 ? "org_visits" : NULL, NULL);
		add(r, (long)nmembers, section, k1, k2 ? k2 : "member_visits", k2 ? "member_visits" : NULL,
			NULL);
	}
	json_decref((json_t *)orgs);
	json_decref(members);
}

static void count_inspection(report *r, const char *unit, const char *id, record_view *v)
{
	const char *role = rv_str(v, "conducted_by_role");

	(void)unit, (void)id;
	if (in_year(r, rv_str(v, "start_date")))
		count_check(r, "inspections", v, is(role, "cap_uy") || is(role, "chi_bo"));
}

static void count_supervision(report *r, const char *unit, const char *id, record_view *v)
{
	(void)unit, (void)id;
	if (in_year(r, rv_str(v, "start_date")))
		count_check(r, "supervisions", v, 1);
}

static void count_discipline(report *r, const char *unit, const char *id, record_view *v)
{
	const char *kind = is(rv_str(v, "subject_kind"), "organization") ? "organizations" : "members";
	const char *form = rv_str(v, "form");

	(void)unit, (void)id;
	if (!in_year(r, rv_str(v, "decision_date")))
		return;
	add(r, 1, "discipline", kind, "total", NULL);
	add(r, 1, "discipline", kind, "by_form", form ? form : "?", NULL);
}

static void count_evaluation(report *r, const char *unit, const char *id, record_view *v)
{
	const char *kind = is(rv_str(v, "subject_kind"), "organization") ? "organizations" : "members";
	const char *rating = rv_str(v, "rating"), *subject = rv_str(v, "subject_id");
	long long year;

	(void)unit, (void)id;
	if (!rv_int(v, "year", &year) || year != r->year)
		return;
	add(r, 1, "ratings", kind, rating ? rating : "?", NULL);
	/* Grouped by parent once the organizations are read (see quota). */
	if (kind[0] == 'o' && is(rv_str(v, "rule_set"), "qd124_2023") && subject && rating)
		json_object_set_new(r->rated, subject, json_string(rating));
}

static void count_course(report *r, const char *unit, const char *id, record_view *v)
{
	const char *kind = rv_str(v, "kind");

	(void)unit, (void)id;
	if (!in_year(r, rv_str(v, "start_date")))
		return;
	add(r, 1, "training", "courses", NULL);
	add(r, (long)json_array_size(rv_array(v, "participant_ids")), "training", "participants", NULL);
	add(r, 1, "training", "by_kind", kind ? kind : "?", NULL);
}

typedef void (*count_fn)(report *r, const char *unit, const char *id, record_view *v);

typedef struct {
	report *r;
	count_fn count;
} walk_ctx;

static int visit(void *p, const char *unit, const char *id, const char *json, size_t len)
{
	walk_ctx *w = p;
	record_view v;

	if (rv_open(&v, json, len) < 0)
		return 0; /* not a record: the schemas say so elsewhere */
	w->count(w->r, unit, id, &v);
	rv_close(&v);
	return w->r->oom ? -1 : 0;
}

/* The quota: by parent, htxsnv at most 20% of httnv. */
static void quota(report *r)
{
	json_t *groups = json_object(), *out = json_array(), *g, *val;
	const char *key, *parent, *rating;
	size_t checked = 0;

	json_object_foreach(r->rated, key, val) {
		rating = json_string_value(val);
		if (!(parent = json_string_value(json_object_get(r->parents, key))))
			continue;
		if (!(g = json_object_get(groups, parent)))
			json_object_set_new(groups, parent, g = json_pack("{s:i, s:i}", "htxsnv", 0, "httnv", 0));
		if (is(rating, "htxsnv") || is(rating, "httnv"))
			json_object_set_new(g, rating, json_integer(json_integer_value(json_object_get(g, rating)) + 1));
	}
	json_object_foreach(groups, key, g) {
		json_int_t x = json_integer_value(json_object_get(g, "htxsnv"));
		json_int_t t = json_integer_value(json_object_get(g, "httnv"));
		checked++;
		if (x * 5 > t)
			json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "parent", key, "htxsnv", x,
				"httnv", t));
	}
	json_object_set_new(json_object_get(r->fig, "ratings") ? json_object_get(r->fig, "ratings") :
		r->fig, "quota", json_pack("{s:I, s:o}", "groups", (json_int_t)checked, "over_20_percent", out));
	json_decref(groups);
}

/* ---- rendering ---- */

/* n the Vietnamese way: 3.290, 74.215. */
static const char *vn(char buf[32], json_int_t n)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT, n < 0 ? -n : n);
	len = strlen(digits);
	if (n < 0)
		buf[o++] = '-';
	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = '.';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static json_int_t num(const json_t *o, const char *a, const char *b, const char *c)
{
	const json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_integer_value(v);
}

typedef struct {
	hoso_host *host;
	int failed;
	json_t *labels;   /* group key -> (code -> Vietnamese label), from the schemas */
} out_t;

/* The words of the figures' own keys. */
static const char *const words[][2] = {
	{ "total", "Tổng số" }, { "by_level", "Theo loại hình" }, { "by_sector", "Theo lĩnh vực" },
	{ "by_unit", "Theo đơn vị" }, { "by_gender", "Theo giới tính" }, { "by_ethnicity", "Theo dân tộc" },
	{ "by_age_band", "Theo độ tuổi" }, { "by_general_education", "Theo trình độ giáo dục phổ thông" },
	{ "by_political_theory", "Theo trình độ lý luận chính trị" },
	{ "by_professional", "Theo trình độ chuyên môn" }, { "by_role", "Theo chủ thể" },
	{ "by_kind", "Theo loại" }, { "by_form", "Theo hình thức" },
	{ "party_committees", "Cấp ủy các cấp" }, { "records", "Số cuộc" },
	{ "org_visits", "Lượt tổ chức đảng" }, { "member_visits", "Lượt đảng viên" },
	{ "distinct_orgs", "Số tổ chức đảng" }, { "distinct_members", "Số đảng viên" },
	{ "organizations", "Tổ chức đảng" }, { "members", "Đảng viên" }, { "in", "Tăng" },
	{ "out", "Giảm" }, { "start", "Đầu năm" }, { "end", "Cuối năm" }, { "in_total", "Tổng tăng" },
	{ "out_total", "Tổng giảm" }, { "unexplained", "Chênh lệch không do biến động trong năm" }, { "courses", "Số lớp" }, { "participants", "Lượt học viên" },
	{ "quota", "Tỷ lệ hoàn thành xuất sắc (tối đa 20%)" }, { "groups", "Số nhóm xét" },
	{ "none", "Chưa qua đào tạo" },
};

/* Where each group's codes come from: a schema's field, for its x-enum-labels. */
static const char *const coded[][3] = {
	{ "by_level", "organization", "level" }, { "by_sector", "organization", "sector" },
	{ "by_gender", "member", "gender" }, { "by_ethnicity", "member", "ethnicity" },
	{ "by_political_theory", "member", "education.political_theory" },
	{ "by_professional", "member", "education.professional" },
	{ "by_role", "inspection", "conducted_by_role" }, { "by_form", "discipline", "form" },
	{ "in", "member_event", "kind" }, { "out", "member_event", "kind" },
	{ "organizations", "evaluation", "rating" }, { "members", "evaluation", "rating" },
};

static const char *word(const out_t *o, const char *group, const char *key)
{
	const char *l = group ? json_string_value(json_object_get(json_object_get(o->labels, group), key)) : NULL;
	static char unit[192];
	size_t i;

	if (l)
		return l;
	if (group && strcmp(group, "by_unit") == 0) {
		char name[80];
		snprintf(name, sizeof(name), "unit-name:%.64s", key);
		if ((l = api->option(o->host, name)) != NULL) {
			snprintf(unit, sizeof(unit), "%s %s", key, l);
			return unit;
		}
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i][0], key) == 0)
			return words[i][1];
	return key;
}

/* The Vietnamese labels of every coded group, from the repository's schemas. */
static json_t *load_labels(hoso_host *host)
{
	json_t *all = json_object();
	size_t i;

	for (i = 0; all && api->schema_get && i < sizeof(coded) / sizeof(coded[0]); i++) {
		char *text = NULL, path[96], *seg, *dot;
		size_t len = 0;
		json_t *schema, *prop, *map;
		const char *code;
		json_t *lab;

		if (api->schema_get(host, coded[i][1], &text, &len) != 0 || !text)
			continue;
		schema = json_loadb(text, len, 0, NULL);
		api->free(text);
		snprintf(path, sizeof(path), "%s", coded[i][2]);
		prop = schema;
		for (seg = path; prop && (dot = strchr(seg, '.')); seg = dot + 1) {
			*dot = '\0';
			prop = json_object_get(json_object_get(prop, "properties"), seg);
		}
		prop = json_object_get(json_object_get(prop, "properties"), seg);
		if (!(map = json_object_get(all, coded[i][0])))
			json_object_set_new(all, coded[i][0], map = json_object());
		json_object_foreach(json_object_get(prop, "x-enum-labels"), code, lab)
			if (json_string_value(json_object_get(lab, "vi")))
				json_object_set(map, code, json_object_get(lab, "vi"));
		json_decref(schema);
	}
	return all;
}

static void say(out_t *o, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && api->write(o->host, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) != 0)
		o->failed = 1;
}

/* A table of an object's counts, its rows named by `group`'s labels: md or html. */
static void table(out_t *o, int html, const char *title, const char *group, const json_t *counts)
{
	const char *k;
	json_t *v;
	char b[32];
	int any = 0;

	json_object_foreach((json_t *)counts, k, v)
		any |= json_is_integer(v);
	if (!any)
		return;
	if (html)
		say(o, "<h3>%s</h3><table>", title);
	else
		say(o, "\n### %s\n\n| | |\n|---|---:|\n", title);
	json_object_foreach((json_t *)counts, k, v)
		if (json_is_integer(v)) {
			if (html)
				say(o, "<tr><td>%s</td><td>%s</td></tr>", word(o, group, k),
					vn(b, json_integer_value(v)));
			else
				say(o, "| %s | %s |\n", word(o, group, k), vn(b, json_integer_value(v)));
		}
	if (html)
		say(o, "</table>");
}

static void headline(out_t *o, int html, const report *r)
{
	const json_t *f = r->fig;
	char a[32], b[32], c[32], d[32], e[32], g[32];

	say(o, html ? "<p class=lead>" : "\n");
	say(o, "Cấp ủy các cấp kiểm tra %s cuộc đối với %s tổ chức đảng và %s đảng viên; "
		"giám sát %s cuộc đối với %s tổ chức đảng và %s đảng viên. ",
		vn(a, num(f, "inspections", "party_committees", "records")),
		vn(b, num(f, "inspections", "party_committees", "org_visits")),
		vn(c, num(f, "inspections", "party_committees", "member_visits")),
		vn(d, num(f, "supervisions", "party_committees", "records")),
		vn(e, num(f, "supervisions", "party_committees", "org_visits")),
		vn(g, num(f, "supervisions", "party_committees", "member_visits")));
	say(o, "Thi hành kỷ luật %s tổ chức đảng và %s đảng viên. Tổng số đảng viên: %s.",
		vn(a, num(f, "discipline", "organizations", "total")),
		vn(b, num(f, "discipline", "members", "total")), vn(c, num(f, "members", "total", NULL)));
	say(o, html ? "</p>" : "\n");
}

/* Inline SVG: a bar a unit, then a pie of the discipline forms. */
static void charts(out_t *o, const report *r)
{
	static const char *const colors[] = { "#c0392b", "#2980b9", "#27ae60", "#f39c12", "#8e44ad" };
	const json_t *units = json_object_get(json_object_get(r->fig, "members"), "by_unit");
	const json_t *forms = json_object_get(json_object_get(json_object_get(r->fig, "discipline"),
		"members"), "by_form");
	json_int_t max = 1, total = 0;
	const char *k;
	json_t *v;
	double angle = 0;
	size_t i = 0;
	char b[32];

	json_object_foreach((json_t *)units, k, v)
		if (json_integer_value(v) > max)
			max = json_integer_value(v);
	say(o, "<h3>Đảng viên theo đơn vị</h3><svg viewBox='0 0 320 %zu' role=img>",
		json_object_size(units) * 22 + 4);
	json_object_foreach((json_t *)units, k, v) {
		double w = 220.0 * (double)json_integer_value(v) / (double)max;
		say(o, "<text x=0 y=%zu font-size=12>%s</text><rect x=40 y=%zu width=%.1f height=16 "
			"fill='#2980b9'/><text x=%.1f y=%zu font-size=11>%s</text>", i * 22 + 14, k, i * 22 + 2,
			w, 44 + w, i * 22 + 14, vn(b, json_integer_value(v)));
		i++;
	}
	say(o, "</svg>");
	json_object_foreach((json_t *)forms, k, v)
		total += json_integer_value(v);
	if (!total)
		return;
	say(o, "<h3>Kỷ luật đảng viên theo hình thức</h3><svg viewBox='-110 -110 330 220' role=img>");
	i = 0;
	json_object_foreach((json_t *)forms, k, v) {
		double a0 = angle, a1 = angle + 6.283185307179586 * (double)json_integer_value(v) / (double)total;
		double x0 = 100 * cos(a0), y0 = 100 * sin(a0);
		double x1 = 100 * cos(a1), y1 = 100 * sin(a1);
		if (json_integer_value(v) == total)
			say(o, "<circle r=100 fill='%s'/>", colors[i % 5]);
		else
			say(o, "<path d='M0,0 L%.2f,%.2f A100,100 0 %d,1 %.2f,%.2f Z' fill='%s'/>", x0, y0,
				a1 - a0 > 3.141592653589793 ? 1 : 0, x1, y1, colors[i % 5]);
		say(o, "<rect x=115 y=%zu width=10 height=10 fill='%s'/><text x=130 y=%zu font-size=11>%s: %s"
			"</text>", i * 16 - 100, colors[i % 5], i * 16 - 91, k, vn(b, json_integer_value(v)));
		angle = a1;
		i++;
	}
	say(o, "</svg>");
}

static void render(out_t *o, int html, const report *r)
{
	const json_t *f = r->fig;
	const char *commit = json_string_value(json_object_get(f, "commit"));
	static const char *const sections[][2] = {
		{ "organizations", "Tổ chức đảng" }, { "members", "Đảng viên" }, { "movement", "Biến động" },
		{ "inspections", "Kiểm tra" }, { "supervisions", "Giám sát" }, { "discipline", "Kỷ luật" },
		{ "ratings", "Đánh giá, xếp loại" }, { "training", "Bồi dưỡng" },
	};
	size_t i;

	if (html)
		say(o, "<!doctype html><html lang=vi><head><meta charset=utf-8>"
			"<meta name=viewport content='width=device-width,initial-scale=1'>"
			"<title>Báo cáo công tác xây dựng Đảng năm %d</title><style>"
			"body{font-family:sans-serif;margin:1em;max-width:48em}table{border-collapse:collapse;"
			"margin:.5em 0}td{border-bottom:1px solid #ddd;padding:2px 8px}td+td{text-align:right}"
			"svg{max-width:100%%;height:auto}.lead{font-weight:bold}</style></head><body>", r->year);
	say(o, html ? "<h1>Báo cáo công tác xây dựng Đảng năm %d</h1><p>Số liệu đến ngày %s, từ commit %s.</p>"
		: "# Báo cáo công tác xây dựng Đảng năm %d\n\nSố liệu đến ngày %s, từ commit `%s`.\n",
		r->year, r->as_of, commit ? commit : "?");
	headline(o, html, r);
	if (html)
		charts(o, r);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const json_t *s = json_object_get(f, sections[i][0]);
		const char *k;
		json_t *v;

		say(o, html ? "<h2>%s</h2>" : "\n## %s\n", sections[i][1]);
		table(o, html, "Tổng hợp", NULL, s);
		json_object_foreach((json_t *)s, k, v) {
			const char *k2;
			json_t *v2;
			if (!json_is_object(v))
				continue;
			table(o, html, word(o, NULL, k), k, v);
			json_object_foreach(v, k2, v2)
				if (json_is_object(v2)) {
					char title[200];
					snprintf(title, sizeof(title), "%s: %s", word(o, NULL, k), word(o, k, k2));
					table(o, html, title, k2, v2);
				}
		}
	}
	if (html)
		say(o, "</body></html>\n");
}

static void report_free(report *r)
{
	json_decref(r->fig);
	json_decref(r->sets);
	json_decref(r->parents);
	json_decref(r->rated);
	json_decref(r->left);
	json_decref(r->arrived);
}

static int run(void *state, hoso_host *host, const char *format)
{
	/* The events before the members: who left and who came, and when. */
	static const struct {
		const char *type;
		count_fn count;
	} walks[] = {
		{ "organization", count_org }, { "member_event", count_event }, { "member", count_member },
		{ "inspection", count_inspection }, { "supervision", count_supervision },
		{ "discipline", count_discipline }, { "evaluation", count_evaluation },
		{ "training_course", count_course },
	};
	report r;
	const char *year = api->option(host, "year"), *as_of = api->option(host, "as_of");
	const char *unit = api->option(host, "unit"), *commit = api->option(host, "commit");
	out_t o = { host, 0, NULL };
	json_int_t in, out, end;
	size_t i;
	int rc = 0;

	(void)state;
	memset(&r, 0, sizeof(r));
	if (!year || (r.year = atoi(year)) < 1930 || r.year > 2200) {
		api->set_error(host, "give the report's year (--year)");
		return -1;
	}
	snprintf(r.first, sizeof(r.first), "%04d-01-01", r.year);
	snprintf(r.last, sizeof(r.last), "%04d-12-31", r.year);
	snprintf(r.before, sizeof(r.before), "%04d-12-31", r.year - 1);
	snprintf(r.as_of, sizeof(r.as_of), "%.10s", as_of ? as_of : r.last);
	r.fig = json_pack("{s:i, s:s, s:s?, s:s?}", "year", r.year, "as_of", r.as_of, "unit", unit,
		"commit", commit);
	r.sets = json_object();
	r.parents = json_object();
	r.rated = json_object();
	r.left = json_object();
	r.arrived = json_object();
	r.oom = !r.fig || !r.sets || !r.parents || !r.rated || !r.left || !r.arrived;
	for (i = 0; i < sizeof(walks) / sizeof(walks[0]) && rc == 0 && !r.oom; i++) {
		walk_ctx w = { &r, walks[i].count };
		rc = api->record_foreach(host, walks[i].type, unit, visit, &w);
	}
	if (rc != 0 || r.oom) {
		api->set_error(host, r.oom ? "out of memory" : "cannot read the records");
		report_free(&r);
		return -1;
	}
	count_sets(r.fig, r.sets);
	/* Start and end are counted; what the year's events do not explain is shown. */
	in = out = 0;
	end = num(r.fig, "members", "total", NULL);
	{
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(json_object_get(r.fig, "movement"), "in"), k, v)
			in += json_integer_value(v);
		json_object_foreach(json_object_get(json_object_get(r.fig, "movement"), "out"), k, v)
			out += json_integer_value(v);
	}
	add(&r, end, "movement", "end", NULL);
	add(&r, 0, "movement", "start", NULL);
	add(&r, in, "movement", "in_total", NULL);
	add(&r, out, "movement", "out_total", NULL);
	add(&r, end - (num(r.fig, "movement", "start", NULL) + in - out), "movement", "unexplained", NULL);
	quota(&r);
	if (strcmp(format, "json") == 0) {
		char *text = json_dumps(r.fig, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (!text || api->write(host, text, strlen(text)) != 0 || api->write(host, "\n", 1) != 0)
			o.failed = 1;
		free(text);
	} else {
		o.labels = load_labels(host);
		render(&o, strcmp(format, "html") == 0, &r);
		json_decref(o.labels);
	}
	report_free(&r);
	if (o.failed) {
		api->set_error(host, "cannot write the report");
		return -1;
	}
	return 0;
}

static const char *const formats[] = { "md", "html", "json", NULL };

static const hoso_report report_table = { sizeof(hoso_report), formats, run, { NULL } };

static const hoso_plugin descriptor = {
	HOSO_PLUGIN_ABI_MAJOR, sizeof(hoso_plugin), "annual", "1.0.0", "MIT",
	"the annual Party-building report: organizations, members, inspections, supervisions, "
	"discipline, ratings, training",
	NULL, NULL, NULL, NULL, &report_table, { NULL }
};

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api);

HOSO_PLUGIN_EXPORT const hoso_plugin *hoso_plugin_entry(const hoso_host_api *host_api)
{
	if (!host_api || host_api->abi_major != HOSO_PLUGIN_ABI_MAJOR ||
		host_api->struct_size < offsetof(hoso_host_api, option) + sizeof(host_api->option) ||
		!host_api->set_error || !host_api->record_foreach || !host_api->write || !host_api->option)
		return NULL;
	api = host_api;
	return &descriptor;
}
