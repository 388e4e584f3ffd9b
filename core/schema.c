/*
 * JSON Schemas of the record types, and the validator.
 *
 * A schema document is compiled once, at load, into a graph of `struct node`:
 * each subschema becomes a node holding its keywords in C form (type bits,
 * sorted property table, required names, bounds, enum, ...), and each `$ref`
 * becomes a pointer to the node of its definition. Validation then walks the
 * record and the graph together without any hash lookup of keywords, any
 * allocation per keyword or any string building but the field path, which
 * lives in a stack buffer. Patterns are compiled by PCRE2 on first use and
 * kept in their node; a compiled pattern and one match data block are shared
 * through atomics, so one schema may validate from several threads.
 *
 * The field queries (kind, label, x-ref, x-set) read the JSON document itself.
 */

#define PCRE2_CODE_UNIT_WIDTH 8

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcre2.h>

#include "hoso/schema.h"
#include "common.h"

#define SCHEMA_SUFFIX ".schema.json"
#define SCHEMA_FILE_MAX (4 * 1024 * 1024)
#define REF_CHAIN_MAX 32      /* $ref hops from one subschema to a real one */
#define COMPILE_DEPTH_MAX 64  /* nesting of subschemas in one document */
#define RECORD_DEPTH_MAX 32   /* nesting of a record while validating */
#define PATH_MAX_LEN 512      /* field path buffer */
#define ENUM_LIST_MAX 12      /* codes listed in an enum message */
#define QUOTE_MAX 40          /* bytes of a bad value quoted in messages */

/* Type bits; an integer value carries T_INTEGER | T_NUMBER. */
enum {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_OBJECT = 1 << 2,
	T_ARRAY = 1 << 3,
	T_NUMBER = 1 << 4,
	T_STRING = 1 << 5,
	T_INTEGER = 1 << 6
};

static const struct {
	const char *name;
	const char *article; /* as in "expected an integer" (translated where used) */
	unsigned bit;
	hoso_field_kind kind;
} type_names[] = {
	{ "string", N_("a string"), T_STRING, HOSO_FIELD_STRING },
	{ "integer", N_("an integer"), T_INTEGER, HOSO_FIELD_INTEGER },
	{ "number", N_("a number"), T_NUMBER, HOSO_FIELD_NUMBER },
	{ "boolean", N_("a boolean"), T_BOOLEAN, HOSO_FIELD_BOOLEAN },
	{ "object", N_("an object"), T_OBJECT, HOSO_FIELD_OBJECT },
	{ "array", N_("an array"), T_ARRAY, HOSO_FIELD_ARRAY },
	{ "null", "null", T_NULL, HOSO_FIELD_UNKNOWN }
};

/* Flags of a node. */
enum {
	H_MIN_LENGTH = 1 << 0,
	H_MAX_LENGTH = 1 << 1,
	H_DATE = 1 << 2,
	H_UNIQUE = 1 << 3,
	H_NO_ADDITIONAL = 1 << 4
};

struct node;

struct prop {
	const char *name; /* borrowed from the document */
	struct node *node;
};

struct node {
	struct node *ref;           /* the definition named by $ref, applied first */
	unsigned types;             /* T_* accepted; 0 when `type` is absent */
	char *types_text;           /* "a string or null" */
	unsigned flags;             /* H_* */
	size_t min_length, max_length;
	const json_t *minimum, *maximum;
	const json_t *enumeration;  /* an array */
	char *enum_text;            /* "nam, nu"; NULL when too many to list */
	const json_t *constant;
	const char *pattern;        /* borrowed from the document */
	_Atomic(pcre2_code *) re;   /* compiled on first use */
	struct node *items;
	struct prop *props;         /* sorted bytewise by name */
	size_t nprops;
	const char **required;      /* borrowed from the document */
	size_t nrequired;
	struct node *additional;    /* additionalProperties as a schema */
};

struct def {
	const char *name;           /* borrowed from the document */
	const json_t *json;
	struct node *node;
};

struct hoso_schema {
	char *type;
	json_t *doc;
	struct node *root;
	struct node **nodes;        /* every node, for freeing */
	size_t nnodes, anodes;
	_Atomic(pcre2_match_data *) md; /* spare match data for the next validation */
};

struct hoso_schema_set {
	hoso_schema **items;        /* sorted by type */
	size_t count, alloc;
};

/* Small helpers. */

static const char *article_of(unsigned bits)
{
	size_t i;

	if (bits & T_INTEGER)
		return _("an integer");
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (bits & type_names[i].bit)
			return _(type_names[i].article);
	return _("a value");
}

static unsigned bits_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return T_OBJECT;
	case JSON_ARRAY: return T_ARRAY;
	case JSON_STRING: return T_STRING;
	case JSON_INTEGER: return T_INTEGER | T_NUMBER;
	case JSON_REAL: return T_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return T_BOOLEAN;
	case JSON_NULL: return T_NULL;
	}
	return 0;
}

/* Copy at most `max` bytes of `s` into `buf`, cut on a UTF-8 boundary, with "…" when cut. */
static void copy_short(char *buf, size_t size, const char *s, size_t len, size_t max)
{
	size_t n = len, i, o = 0;
	int cut = 0;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	for (i = 0; i < n && o + 1 < size; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[o++] = ch < 0x20 ? ' ' : (char)ch;
	}
	if (cut && o + 4 < size) {
		memcpy(buf + o, "\xE2\x80\xA6", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* A short rendering of a value for messages: 'text', 12, true, an object. */
static const char *show(char *buf, size_t size, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (size < 3)
			break;
		buf[0] = '\'';
		copy_short(buf + 1, size - 2, json_string_value(v), json_string_length(v), QUOTE_MAX);
		strcat(buf, "'");
		return buf;
	case JSON_INTEGER:
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, size, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	case JSON_OBJECT: return _("an object");
	case JSON_ARRAY: return _("an array");
	}
	return _("a value");
}

/* An enumeration code as listed: strings unquoted, the rest as show() renders it. */
static const char *show_code(char *buf, size_t size, const json_t *v)
{
	if (json_is_string(v)) {
		copy_short(buf, size, json_string_value(v), json_string_length(v), QUOTE_MAX);
		return buf;
	}
	return show(buf, size, v);
}

/* -1, 0 or 1 as number a is below, equal to or above number b. */
static int number_cmp(const json_t *a, const json_t *b)
{
	double x, y;

	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t i = json_integer_value(a), j = json_integer_value(b);
		return i < j ? -1 : i > j;
	}
	x = json_number_value(a);
	y = json_number_value(b);
	return x < y ? -1 : x > y;
}

static size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static int prop_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prop *)a)->name, ((const struct prop *)b)->name);
}

static const struct node *prop_find(const struct node *n, const char *name)
{
	size_t lo = 0, hi = n->nprops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, n->props[mid].name);
		if (c == 0)
			return n->props[mid].node;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * The definition a `$ref` names: "#/$defs/NAME" or "#/definitions/NAME" in
 * `doc`; NULL when the form is another or the definition is missing.
 * `*form_ok` tells which.
 */
static const json_t *ref_target(const json_t *doc, const char *ref, int *form_ok)
{
	const char *name = NULL;
	const char *defs_key = NULL;

	*form_ok = 0;
	if (strncmp(ref, "#/$defs/", 8) == 0) {
		defs_key = "$defs";
		name = ref + 8;
	} else if (strncmp(ref, "#/definitions/", 14) == 0) {
		defs_key = "definitions";
		name = ref + 14;
	} else {
		return NULL;
	}
	if (!*name || strchr(name, '/') || strchr(name, '~') || strchr(name, '%'))
		return NULL;
	*form_ok = 1;
	return json_object_get(json_object_get(doc, defs_key), name);
}

/* Schema nodes. */

static void node_free(struct node *n)
{
	pcre2_code *re;

	if (!n)
		return;
	re = atomic_load(&n->re);
	pcre2_code_free(re);
	free(n->types_text);
	free(n->enum_text);
	free(n->props);
	free(n->required);
	free(n);
}

static struct node *node_new(hoso_schema *s)
{
	struct node *n = NULL;

	if (s->nnodes == s->anodes) {
		size_t alloc = s->anodes ? s->anodes * 2 : 32;
		struct node **nodes = realloc(s->nodes, alloc * sizeof(*nodes));
		if (!nodes)
			return NULL;
		s->nodes = nodes;
		s->anodes = alloc;
	}
	if (!(n = calloc(1, sizeof(*n))))
		return NULL;
	atomic_init(&n->re, NULL);
	s->nodes[s->nnodes++] = n;
	return n;
}

static void schema_free(hoso_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nnodes; i++)
		node_free(s->nodes[i]);
	free(s->nodes);
	pcre2_match_data_free(atomic_load(&s->md));
	json_decref(s->doc);
	free(s->type);
	free(s);
}

/* Compiling a document. */

struct compiler {
	hoso_schema *s;
	const char *origin;
	struct def *defs;
	size_t ndefs;
	char loc[PATH_MAX_LEN];     /* JSON pointer of the subschema being compiled */
	size_t len;
	int depth;
};

static int invalid(struct compiler *cc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int invalid(struct compiler *cc, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	return hoso_error_set(HOSO_EINVALID, "invalid schema '%s': %s", cc->origin, msg);
}

static int oom(void)
{
	return hoso_error_set(HOSO_ERROR, "out of memory");
}

static const char *loc_of(struct compiler *cc)
{
	return cc->len ? cc->loc : "/";
}

static size_t loc_push(struct compiler *cc, const char *a, const char *b)
{
	size_t old = cc->len;
	int n = snprintf(cc->loc + cc->len, sizeof(cc->loc) - cc->len, "/%s%s%s",
		a, b ? "/" : "", b ? b : "");

	if (n < 0 || (size_t)n >= sizeof(cc->loc) - cc->len)
		cc->len = sizeof(cc->loc) - 1;
	else
		cc->len += (size_t)n;
	return old;
}

static void loc_pop(struct compiler *cc, size_t old)
{
	cc->len = old;
	cc->loc[old] = '\0';
}

static struct node *def_node(struct compiler *cc, const json_t *def)
{
	size_t i;

	for (i = 0; i < cc->ndefs; i++)
		if (cc->defs[i].json == def)
			return cc->defs[i].node;
	return NULL;
}

static int compile_into(struct compiler *cc, const json_t *js, struct node *n);

static int compile_sub(struct compiler *cc, const json_t *js, struct node **out,
	const char *a, const char *b)
{
	struct node *n = NULL;
	size_t old = loc_push(cc, a, b);
	int error = 0;

	if (!(n = node_new(cc->s))) {
		error = oom();
		goto done;
	}
	if ((error = compile_into(cc, js, n)) < 0)
		goto done;
	*out = n;
done:
	loc_pop(cc, old);
	return error;
}

static int compile_type(struct compiler *cc, struct node *n, const json_t *type)
{
	const json_t *names[8];
	size_t count = 0, i, j, textlen = 0;
	int error = 0;

	if (json_is_string(type)) {
		names[count++] = type;
	} else if (json_is_array(type) && json_array_size(type) > 0 &&
		json_array_size(type) <= sizeof(names) / sizeof(names[0])) {
		for (i = 0; i < json_array_size(type); i++)
			names[count++] = json_array_get(type, i);
	} else {
		error = invalid(cc, "'type' at %s must be a type name or an array of them", loc_of(cc));
		goto done;
	}
	for (i = 0; i < count; i++) {
		const char *name = json_string_value(names[i]);
		for (j = 0; name && j < sizeof(type_names) / sizeof(type_names[0]); j++)
			if (strcmp(name, type_names[j].name) == 0)
				break;
		if (!name || j == sizeof(type_names) / sizeof(type_names[0])) {
			error = invalid(cc, "'type' at %s names an unknown type '%s'",
				loc_of(cc), name ? name : "(not a string)");
			goto done;
		}
		n->types |= type_names[j].bit;
		textlen += strlen(_(type_names[j].article)) + strlen(_(" or "));
	}
	if (!(n->types_text = malloc(textlen + 1))) {
		error = oom();
		goto done;
	}
	n->types_text[0] = '\0';
	for (i = 0; i < count; i++) {
		for (j = 0; strcmp(json_string_value(names[i]), type_names[j].name) != 0; j++)
			;
		if (i > 0)
			strcat(n->types_text, _(" or "));
		strcat(n->types_text, _(type_names[j].article));
	}
done:
	return error;
}

static int compile_enum(struct compiler *cc, struct node *n, const json_t *e)
{
	char buf[64];
	size_t i, len = 0;
	int error = 0;

	if (!json_is_array(e) || json_array_size(e) == 0) {
		error = invalid(cc, "'enum' at %s must be a non-empty array", loc_of(cc));
		goto done;
	}
	n->enumeration = e;
	if (json_array_size(e) > ENUM_LIST_MAX)
		goto done;
	for (i = 0; i < json_array_size(e); i++)
		len += strlen(show_code(buf, sizeof(buf), json_array_get(e, i))) + 2;
	if (!(n->enum_text = malloc(len + 1))) {
		error = oom();
		goto done;
	}
	n->enum_text[0] = '\0';
	for (i = 0; i < json_array_size(e); i++) {
		if (i > 0)
			strcat(n->enum_text, ", ");
		strcat(n->enum_text, show_code(buf, sizeof(buf), json_array_get(e, i)));
	}
done:
	return error;
}

static int compile_properties(struct compiler *cc, struct node *n, const json_t *props)
{
	const char *key;
	json_t *sub;
	size_t i = 0;
	int error = 0;

	if (!json_is_object(props)) {
		error = invalid(cc, "'properties' at %s must be an object", loc_of(cc));
		goto done;
	}
	if (json_object_size(props) == 0)
		goto done;
	if (!(n->props = calloc(json_object_size(props), sizeof(*n->props)))) {
		error = oom();
		goto done;
	}
	json_object_foreach((json_t *)props, key, sub) {
		n->props[i].name = key;
		if ((error = compile_sub(cc, sub, &n->props[i].node, "properties", key)) < 0)
			goto done;
		n->nprops = ++i;
	}
	qsort(n->props, n->nprops, sizeof(*n->props), prop_cmp);
done:
	return error;
}

static int compile_required(struct compiler *cc, struct node *n, const json_t *req)
{
	size_t i;
	int error = 0;

	if (!json_is_array(req)) {
		error = invalid(cc, "'required' at %s must be an array of names", loc_of(cc));
		goto done;
	}
	if (json_array_size(req) == 0)
		goto done;
	if (!(n->required = calloc(json_array_size(req), sizeof(*n->required)))) {
		error = oom();
		goto done;
	}
	for (i = 0; i < json_array_size(req); i++) {
		if (!(n->required[i] = json_string_value(json_array_get(req, i)))) {
			error = invalid(cc, "'required' at %s must be an array of names", loc_of(cc));
			goto done;
		}
		n->nrequired = i + 1;
	}
done:
	return error;
}

static int compile_length(struct compiler *cc, const json_t *v, const char *keyword, size_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return invalid(cc, "'%s' at %s must be a non-negative integer", keyword, loc_of(cc));
	*out = (size_t)json_integer_value(v);
	return 0;
}

/*
 * A pattern PCRE2 refuses is refused with the schema, not at every write:
 * compiled here only to be checked (validation compiles it on first use).
 */
static int check_pattern(struct compiler *cc, const char *pattern)
{
	PCRE2_UCHAR text[256];
	PCRE2_SIZE offset;
	pcre2_code *re;
	int rc;

	if (!(re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &rc,
		&offset, NULL))) {
		pcre2_get_error_message(rc, text, sizeof(text));
		return invalid(cc, "'pattern' at %s is not a valid regular expression: %s at offset %zu",
			loc_of(cc), (const char *)text, (size_t)offset);
	}
	pcre2_code_free(re);
	return 0;
}

static int compile_into(struct compiler *cc, const json_t *js, struct node *n)
{
	const json_t *v;
	int error = 0;

	cc->depth++;
	if (!json_is_object(js)) {
		error = invalid(cc, "the subschema at %s is not an object", loc_of(cc));
		goto done;
	}
	if (cc->depth > COMPILE_DEPTH_MAX) {
		error = invalid(cc, "subschemas nest more than %d levels deep at %s",
			COMPILE_DEPTH_MAX, loc_of(cc));
		goto done;
	}

	if ((v = json_object_get(js, "$ref"))) {
		const json_t *target;
		int form_ok;

		if (!json_is_string(v)) {
			error = invalid(cc, "'$ref' at %s must be a string", loc_of(cc));
			goto done;
		}
		target = ref_target(cc->s->doc, json_string_value(v), &form_ok);
		if (!form_ok) {
			error = invalid(cc, "$ref '%s' at %s is not supported (only #/$defs/NAME "
				"or #/definitions/NAME in the same file)", json_string_value(v), loc_of(cc));
			goto done;
		}
		if (!target || !(n->ref = def_node(cc, target))) {
			error = invalid(cc, "$ref '%s' at %s names a missing definition",
				json_string_value(v), loc_of(cc));
			goto done;
		}
	}
	if ((v = json_object_get(js, "type")) && (error = compile_type(cc, n, v)) < 0)
		goto done;
	if ((v = json_object_get(js, "enum")) && (error = compile_enum(cc, n, v)) < 0)
		goto done;
	n->constant = json_object_get(js, "const");
	if ((v = json_object_get(js, "pattern"))) {
		if (!(n->pattern = json_string_value(v))) {
			error = invalid(cc, "'pattern' at %s must be a string", loc_of(cc));
			goto done;
		}
		if ((error = check_pattern(cc, n->pattern)) < 0)
			goto done;
	}
	if ((v = json_object_get(js, "format"))) {
		if (!json_is_string(v)) {
			error = invalid(cc, "'format' at %s must be a string", loc_of(cc));
			goto done;
		}
		if (strcmp(json_string_value(v), "date") == 0)
			n->flags |= H_DATE;
	}
	if ((v = json_object_get(js, "minLength"))) {
		if ((error = compile_length(cc, v, "minLength", &n->min_length)) < 0)
			goto done;
		n->flags |= H_MIN_LENGTH;
	}
	if ((v = json_object_get(js, "maxLength"))) {
		if ((error = compile_length(cc, v, "maxLength", &n->max_length)) < 0)
			goto done;
		n->flags |= H_MAX_LENGTH;
	}
	if ((v = json_object_get(js, "minimum"))) {
		if (!json_is_number(v)) {
			error = invalid(cc, "'minimum' at %s must be a number", loc_of(cc));
			goto done;
		}
		n->minimum = v;
	}
	if ((v = json_object_get(js, "maximum"))) {
		if (!json_is_number(v)) {
			error = invalid(cc, "'maximum' at %s must be a number", loc_of(cc));
			goto done;
		}
		n->maximum = v;
	}
	if ((v = json_object_get(js, "required")) && (error = compile_required(cc, n, v)) < 0)
		goto done;
	if ((v = json_object_get(js, "properties")) && (error = compile_properties(cc, n, v)) < 0)
		goto done;
	if ((v = json_object_get(js, "additionalProperties"))) {
		if (json_is_false(v)) {
			n->flags |= H_NO_ADDITIONAL;
		} else if (json_is_object(v)) {
			if ((error = compile_sub(cc, v, &n->additional, "additionalProperties", NULL)) < 0)
				goto done;
		} else if (!json_is_true(v)) {
			error = invalid(cc, "'additionalProperties' at %s must be a boolean or a schema",
				loc_of(cc));
			goto done;
		}
	}
	if ((v = json_object_get(js, "items"))) {
		if (!json_is_object(v)) {
			error = invalid(cc, "'items' at %s must be a schema object", loc_of(cc));
			goto done;
		}
		if ((error = compile_sub(cc, v, &n->items, "items", NULL)) < 0)
			goto done;
	}
	if ((v = json_object_get(js, "uniqueItems"))) {
		if (!json_is_boolean(v)) {
			error = invalid(cc, "'uniqueItems' at %s must be a boolean", loc_of(cc));
			goto done;
		}
		if (json_is_true(v))
			n->flags |= H_UNIQUE;
	}
done:
	cc->depth--;
	return error;
}

/* Make a node for every definition before compiling any, so $refs can point anywhere. */
static int compile_defs(struct compiler *cc, int pass)
{
	static const char *const keys[] = { "$defs", "definitions" };
	size_t k;
	int error = 0;

	for (k = 0; k < 2; k++) {
		const json_t *defs = json_object_get(cc->s->doc, keys[k]);
		const char *name;
		json_t *def;

		if (!defs)
			continue;
		if (!json_is_object(defs)) {
			error = invalid(cc, "'%s' must be an object", keys[k]);
			goto done;
		}
		json_object_foreach((json_t *)defs, name, def) {
			if (pass == 0) {
				struct node *n = node_new(cc->s);
				if (!n) {
					error = oom();
					goto done;
				}
				cc->defs[cc->ndefs].name = name;
				cc->defs[cc->ndefs].json = def;
				cc->defs[cc->ndefs++].node = n;
			} else {
				size_t old = loc_push(cc, keys[k], name);
				error = compile_into(cc, def, def_node(cc, def));
				loc_pop(cc, old);
				if (error < 0)
					goto done;
			}
		}
	}
done:
	return error;
}

/* Refuse $ref cycles and chains longer than REF_CHAIN_MAX. */
static int check_refs(struct compiler *cc)
{
	size_t i, j, hops;
	int error = 0;

	for (i = 0; i < cc->s->nnodes; i++) {
		const struct node *n = cc->s->nodes[i];
		for (hops = 0; n->ref; hops++) {
			if (hops == REF_CHAIN_MAX) {
				const char *name = "?";
				for (j = 0; j < cc->ndefs; j++)
					if (cc->defs[j].node == n)
						name = cc->defs[j].name;
				error = invalid(cc, "the $ref chain through definition '%s' loops or is "
					"longer than %d", name, REF_CHAIN_MAX);
				goto done;
			}
			n = n->ref;
		}
	}
done:
	return error;
}

static int check_root(struct compiler *cc, const char *type)
{
	const json_t *doc = cc->s->doc, *t, *c;
	int form_ok, hops = 0;

	t = json_object_get(doc, "type");
	if (!json_is_string(t) || strcmp(json_string_value(t), "object") != 0)
		return invalid(cc, "the root 'type' must be \"object\"");
	t = json_object_get(json_object_get(doc, "properties"), "type");
	while (t && json_is_string(json_object_get(t, "$ref")) && !json_object_get(t, "const") &&
		hops++ < REF_CHAIN_MAX)
		t = ref_target(doc, json_string_value(json_object_get(t, "$ref")), &form_ok);
	c = json_object_get(t, "const");
	if (c && (!json_is_string(c) || strcmp(json_string_value(c), type) != 0))
		return invalid(cc, "properties.type.const is not \"%s\"", type);
	return 0;
}

static int schema_create(hoso_schema **out, const char *type, const char *text, size_t len,
	const char *origin)
{
	struct compiler cc;
	hoso_schema *s = NULL;
	json_error_t jerr;
	size_t ndefs;
	int error = 0;

	memset(&cc, 0, sizeof(cc));
	cc.origin = origin;
	if (!(s = calloc(1, sizeof(*s))) || !(s->type = strdup(type))) {
		error = oom();
		goto done;
	}
	atomic_init(&s->md, NULL);
	cc.s = s;
	if (!(s->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr))) {
		error = hoso_error_set(HOSO_EINVALID, "cannot parse schema '%s' at %d:%d: %s",
			origin, jerr.line, jerr.column, jerr.text);
		goto done;
	}
	if (!json_is_object(s->doc)) {
		error = invalid(&cc, "the document is not an object");
		goto done;
	}
	if ((error = check_root(&cc, type)) < 0)
		goto done;

	ndefs = json_object_size(json_object_get(s->doc, "$defs")) +
		json_object_size(json_object_get(s->doc, "definitions"));
	if (ndefs && !(cc.defs = calloc(ndefs, sizeof(*cc.defs)))) {
		error = oom();
		goto done;
	}
	if ((error = compile_defs(&cc, 0)) < 0 || (error = compile_defs(&cc, 1)) < 0)
		goto done;
	if (!(s->root = node_new(s))) {
		error = oom();
		goto done;
	}
	if ((error = compile_into(&cc, s->doc, s->root)) < 0 || (error = check_refs(&cc)) < 0)
		goto done;
	*out = s;
	s = NULL;
done:
	free(cc.defs);
	schema_free(s);
	return error;
}

/* Validation. */

struct vctx {
	const hoso_schema *schema;
	hoso_problems *problems;
	pcre2_match_data *md;
	int errors;
	size_t len;
	char path[PATH_MAX_LEN];
};

static int refuse(struct vctx *c, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int refuse(struct vctx *c, const char *rule, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	c->errors++;
	if (!c->problems)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), _(fmt), ap);
	va_end(ap);
	return hoso_problems_add(c->problems, HOSO_SEVERITY_ERROR, NULL, 0,
		c->len ? c->path : NULL, rule, "%s", msg);
}

/* Append raw bytes to the path, cutting at the end of the buffer. */
static void path_append(struct vctx *c, const char *s, size_t n)
{
	if (n > sizeof(c->path) - 1 - c->len)
		n = sizeof(c->path) - 1 - c->len;
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
}

static size_t path_push_key(struct vctx *c, const char *key, size_t keylen)
{
	size_t old = c->len;

	if (c->len)
		path_append(c, ".", 1);
	path_append(c, key, keylen);
	return old;
}

static size_t path_push_index(struct vctx *c, size_t i)
{
	char digits[24];
	size_t old = c->len, n = sizeof(digits);

	digits[--n] = ']';
	do {
		digits[--n] = (char)('0' + i % 10);
		i /= 10;
	} while (i);
	digits[--n] = '[';
	path_append(c, digits + n, sizeof(digits) - n);
	return old;
}

static void path_pop(struct vctx *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

static int pattern_code(struct vctx *c, const struct node *cn, pcre2_code **out)
{
	struct node *n = (struct node *)cn; /* only the atomic cache is written */
	pcre2_code *re = atomic_load_explicit(&n->re, memory_order_acquire), *expected = NULL;
	PCRE2_UCHAR text[256];
	PCRE2_SIZE offset;
	int rc, error = 0;

	if (re)
		goto done;
	re = pcre2_compile((PCRE2_SPTR)n->pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &rc,
		&offset, NULL);
	if (!re) {
		pcre2_get_error_message(rc, text, sizeof(text));
		error = hoso_error_set(HOSO_ERROR, "schema '%s': invalid pattern '%s' at offset %zu: %s",
			c->schema->type, n->pattern, (size_t)offset, (const char *)text);
		goto done;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: interpreted when it fails */
	if (!atomic_compare_exchange_strong(&n->re, &expected, re)) {
		pcre2_code_free(re);
		re = expected;
	}
done:
	*out = re;
	return error;
}

static int check(struct vctx *c, const struct node *n, const json_t *v, int depth);

static int check_string(struct vctx *c, const struct node *n, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	char buf[64];
	int error = 0, rc;

	/* A string has at least as many bytes as code points: count only when needed. */
	if ((n->flags & H_MIN_LENGTH) && len / 4 < n->min_length &&
		utf8_length(s, len) < n->min_length &&
		(error = refuse(c, "minLength", dngettext(HOSO_TEXTDOMAIN,
			"%s is shorter than %zu character", "%s is shorter than %zu characters", n->min_length),
			show(buf, sizeof(buf), v), n->min_length)) < 0)
		goto done;
	if ((n->flags & H_MAX_LENGTH) && len > n->max_length &&
		utf8_length(s, len) > n->max_length &&
		(error = refuse(c, "maxLength", dngettext(HOSO_TEXTDOMAIN,
			"%s is longer than %zu character", "%s is longer than %zu characters", n->max_length),
			show(buf, sizeof(buf), v), n->max_length)) < 0)
		goto done;
	if ((n->flags & H_DATE) && !hoso_date_valid(s) &&
		(error = refuse(c, "format", "%s is not a real date (YYYY-MM-DD)",
			show(buf, sizeof(buf), v))) < 0)
		goto done;
	if (n->pattern) {
		pcre2_code *re = NULL;
		if ((error = pattern_code(c, n, &re)) < 0)
			goto done;
		if (!c->md) {
			c->md = atomic_exchange(&((hoso_schema *)c->schema)->md, NULL);
			if (!c->md && !(c->md = pcre2_match_data_create(1, NULL))) {
				error = oom();
				goto done;
			}
		}
		rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, c->md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			error = refuse(c, "pattern", "%s does not match %s", show(buf, sizeof(buf), v),
				n->pattern);
		else if (rc < 0)
			error = refuse(c, "pattern", "%s could not be matched against %s (pcre2 error %d)",
				show(buf, sizeof(buf), v), n->pattern, rc);
	}
done:
	return error;
}

static int check_object(struct vctx *c, const struct node *n, const json_t *v, int depth)
{
	const char *key;
	json_t *member;
	size_t i, old, keylen;
	int error = 0;

	for (i = 0; i < n->nrequired; i++) {
		if (json_object_get(v, n->required[i]))
			continue;
		old = path_push_key(c, n->required[i], strlen(n->required[i]));
		error = refuse(c, "required", "is required");
		path_pop(c, old);
		if (error < 0)
			goto done;
	}
	if (!n->nprops && !n->additional && !(n->flags & H_NO_ADDITIONAL))
		goto done;
	json_object_keylen_foreach((json_t *)v, key, keylen, member) {
		const struct node *sub = prop_find(n, key);
		old = path_push_key(c, key, keylen);
		if (sub)
			error = check(c, sub, member, depth + 1);
		else if (n->additional)
			error = check(c, n->additional, member, depth + 1);
		else if (n->flags & H_NO_ADDITIONAL)
			error = refuse(c, "additionalProperties", "unknown field");
		path_pop(c, old);
		if (error < 0)
			goto done;
	}
done:
	return error;
}

/* A hash of `v` under which values json_equal() holds equal hash equal. */
static uint64_t value_hash(const json_t *v)
{
	uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)json_typeof(v), x = 0;
	const char *s = NULL, *key;
	json_t *item;
	size_t i, n = 0;
	double d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		x = (uint64_t)json_integer_value(v);
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (d == 0.0)
			d = 0.0; /* -0.0 equals 0.0 */
		memcpy(&x, &d, sizeof(x));
		break;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++)
			h = (h ^ value_hash(json_array_get(v, i))) * 0x100000001b3u;
		return h;
	case JSON_OBJECT:
		/* a sum over the members: the same in any order */
		json_object_foreach((json_t *)v, key, item) {
			uint64_t k = 0xcbf29ce484222325u;
			for (i = 0; key[i]; i++)
				k = (k ^ (unsigned char)key[i]) * 0x100000001b3u;
			x += (k ^ value_hash(item)) * 0x9e3779b97f4a7c15u;
		}
		break;
	default:
		break;
	}
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
	return (h ^ x) * 0x100000001b3u;
}

typedef struct {
	uint64_t hash;
	size_t index;
} hashed_item;

static int by_hash(const void *a, const void *b)
{
	const hashed_item *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The least index j of an item equal to an item before it, or `size` if all
 * differ. Items are sorted by hash, so only items of equal hash are compared:
 * an array of many items costs n log n, not n squared.
 */
static size_t first_duplicate(const json_t *v)
{
	size_t size = json_array_size(v), first = size, i, j, k, end;
	hashed_item *items = size > 16 ? malloc(size * sizeof(*items)) : NULL;

	if (!items) {
		/* small (or no memory): every pair */
		for (j = 1; j < size; j++)
			for (i = 0; i < j; i++)
				if (json_equal(json_array_get(v, i), json_array_get(v, j)))
					return j;
		return size;
	}
	for (i = 0; i < size; i++) {
		items[i].hash = value_hash(json_array_get(v, i));
		items[i].index = i;
	}
	qsort(items, size, sizeof(*items), by_hash);
	for (k = 0; k < size; k = end) {
		for (end = k + 1; end < size && items[end].hash == items[k].hash; end++)
			;
		/* a run of equal hash, by index: its first item equal to one before it */
		for (j = k + 1; j < end && items[j].index < first; j++) {
			for (i = k; i < j; i++)
				if (json_equal(json_array_get(v, items[i].index),
					json_array_get(v, items[j].index)))
					break;
			if (i < j) {
				first = items[j].index;
				break;
			}
		}
	}
	free(items);
	return first;
}

static int check_array(struct vctx *c, const struct node *n, const json_t *v, int depth)
{
	size_t i, j, size = json_array_size(v), old;
	int error = 0;

	if (n->items) {
		for (i = 0; i < size; i++) {
			old = path_push_index(c, i);
			error = check(c, n->items, json_array_get(v, i), depth + 1);
			path_pop(c, old);
			if (error < 0)
				goto done;
		}
	}
	if ((n->flags & H_UNIQUE) && (j = first_duplicate(v)) < size)
		error = refuse(c, "uniqueItems", "has a duplicate item at [%zu]", j);
done:
	return error;
}

static int in_enum(const json_t *e, const json_t *v)
{
	size_t i, size = json_array_size(e), len;
	const char *s;

	if (!json_is_string(v)) {
		for (i = 0; i < size; i++)
			if (json_equal(json_array_get(e, i), (json_t *)v))
				return 1;
		return 0;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	for (i = 0; i < size; i++) {
		const json_t *item = json_array_get(e, i);
		if (json_is_string(item) && json_string_length(item) == len &&
			memcmp(json_string_value(item), s, len) == 0)
			return 1;
	}
	return 0;
}

static int check(struct vctx *c, const struct node *n, const json_t *v, int depth)
{
	char buf[64], lim[64];
	unsigned bits = bits_of(v);
	int error = 0;

	if (depth > RECORD_DEPTH_MAX) {
		error = refuse(c, "depth", "nests more than %d levels deep", RECORD_DEPTH_MAX);
		goto done;
	}
	if (n->ref && (error = check(c, n->ref, v, depth)) < 0)
		goto done;
	if (n->types && !(n->types & bits)) {
		error = refuse(c, "type", "expected %s, got %s", n->types_text, article_of(bits));
		goto done; /* the other keywords would only repeat it */
	}
	if (n->constant && !json_equal((json_t *)n->constant, (json_t *)v) &&
		(error = refuse(c, "const", "%s is not %s", show(buf, sizeof(buf), v),
			show(lim, sizeof(lim), n->constant))) < 0)
		goto done;
	if (n->enumeration && !in_enum(n->enumeration, v)) {
		if (n->enum_text)
			error = refuse(c, "enum", "%s is not one of %s", show(buf, sizeof(buf), v),
				n->enum_text);
		else
			error = refuse(c, "enum", "%s is not a known code", show(buf, sizeof(buf), v));
		if (error < 0)
			goto done;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		error = check_string(c, n, v);
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		if (n->minimum && number_cmp(v, n->minimum) < 0 &&
			(error = refuse(c, "minimum", "must be at least %s",
				show(lim, sizeof(lim), n->minimum))) < 0)
			goto done;
		if (n->maximum && number_cmp(v, n->maximum) > 0)
			error = refuse(c, "maximum", "must be at most %s", show(lim, sizeof(lim), n->maximum));
		break;
	case JSON_OBJECT:
		error = check_object(c, n, v, depth);
		break;
	case JSON_ARRAY:
		error = check_array(c, n, v, depth);
		break;
	default:
		break;
	}
done:
	return error;
}

int hoso_schema_validate(const hoso_schema *schema, const json_t *record, hoso_problems *problems)
{
	struct vctx c;
	pcre2_match_data *spare;
	int error = 0;

	c.md = NULL;
	if (!schema || !record) {
		error = hoso_error_set(HOSO_EUSAGE, "no schema or no record to validate");
		goto done;
	}
	c.schema = schema;
	c.problems = problems;
	c.errors = 0;
	c.len = 0;
	c.path[0] = '\0';
	if ((error = check(&c, schema->root, record, 0)) < 0)
		goto done;
	error = c.errors;
done:
	if (schema && c.md) {
		spare = atomic_exchange(&((hoso_schema *)schema)->md, c.md);
		pcre2_match_data_free(spare);
	}
	return error;
}

/* Field queries, on the document. */

static const json_t *resolve(const json_t *doc, const json_t *js)
{
	const json_t *ref;
	int hops = 0, form_ok;

	while (js && json_is_string(ref = json_object_get(js, "$ref")) && hops++ < REF_CHAIN_MAX)
		js = ref_target(doc, json_string_value(ref), &form_ok);
	return js;
}

/*
 * The property at dotted path `field` ("a.b", "a[1].b", "a[].b"; a name on an
 * array looks into its items): `*raw` as written in its parent (it may hold a
 * $ref beside annotations), `*res` resolved. The root for a NULL or empty path.
 */
static int walk(const hoso_schema *schema, const char *field, const json_t **raw,
	const json_t **res)
{
	const json_t *doc, *cur, *cur_raw, *props;
	const char *p = field;
	int hops;

	*raw = *res = NULL;
	if (!schema)
		return -1;
	doc = schema->doc;
	cur_raw = cur = doc;
	while (p && *p) {
		size_t n = strcspn(p, ".[");
		if (n == 0 && *p != '[')
			return -1; /* an empty name: ".a", "a..b" */
		if (n > 0) {
			for (hops = 0; cur && !json_object_get(cur, "properties") &&
				json_object_get(cur, "items") && hops < REF_CHAIN_MAX; hops++)
				cur = resolve(doc, json_object_get(cur, "items"));
			props = json_object_get(cur, "properties");
			if (!(cur_raw = json_object_getn(props, p, n)))
				return -1;
			cur = resolve(doc, cur_raw);
			p += n;
		}
		while (*p == '[') {
			const char *close = strchr(p, ']');
			if (!close || !(cur_raw = json_object_get(cur, "items")))
				return -1;
			cur = resolve(doc, cur_raw);
			p = close + 1;
		}
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			return -1;
		if (!cur)
			return -1;
	}
	*raw = cur_raw;
	*res = cur;
	return 0;
}

/* `key` of the raw property, else of its resolved schema. */
static const json_t *annotation(const json_t *raw, const json_t *res, const char *key)
{
	const json_t *v = json_object_get(raw, key);

	return v ? v : json_object_get(res, key);
}

static hoso_field_kind kind_of_type(const json_t *type)
{
	const char *name = NULL;
	size_t i;

	if (json_is_string(type)) {
		name = json_string_value(type);
	} else {
		for (i = 0; i < json_array_size(type); i++) {
			name = json_string_value(json_array_get(type, i));
			if (name && strcmp(name, "null") != 0)
				break;
			name = NULL;
		}
	}
	for (i = 0; name && i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i].name) == 0)
			return type_names[i].kind;
	return HOSO_FIELD_UNKNOWN;
}

static hoso_field_kind kind_of_value(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return HOSO_FIELD_STRING;
	case JSON_INTEGER: return HOSO_FIELD_INTEGER;
	case JSON_REAL: return HOSO_FIELD_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return HOSO_FIELD_BOOLEAN;
	case JSON_OBJECT: return HOSO_FIELD_OBJECT;
	case JSON_ARRAY: return HOSO_FIELD_ARRAY;
	default: return HOSO_FIELD_UNKNOWN;
	}
}

hoso_field_kind hoso_schema_field_kind(const hoso_schema *schema, const char *field)
{
	const json_t *raw, *res, *v;
	size_t i;

	if (walk(schema, field, &raw, &res) < 0)
		return HOSO_FIELD_UNKNOWN;
	if ((v = annotation(raw, res, "type")))
		return kind_of_type(v);
	/* No `type`: what the other keywords imply. */
	if (annotation(raw, res, "properties"))
		return HOSO_FIELD_OBJECT;
	if (annotation(raw, res, "items"))
		return HOSO_FIELD_ARRAY;
	if ((v = annotation(raw, res, "const")))
		return kind_of_value(v);
	v = annotation(raw, res, "enum");
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_null(json_array_get(v, i)))
			return kind_of_value(json_array_get(v, i));
	return HOSO_FIELD_UNKNOWN;
}

const json_t *hoso_schema_field(const hoso_schema *schema, const char *field)
{
	const json_t *raw, *res;

	return walk(schema, field, &raw, &res) < 0 ? NULL : res;
}

int hoso_schema_field_is_set(const hoso_schema *schema, const char *field)
{
	const json_t *raw, *res;

	if (hoso_schema_field_kind(schema, field) != HOSO_FIELD_ARRAY ||
		walk(schema, field, &raw, &res) < 0)
		return 0;
	return json_is_true(annotation(raw, res, "x-set"));
}

const char *hoso_schema_field_ref(const hoso_schema *schema, const char *field)
{
	const json_t *raw, *res, *v, *items;

	if (walk(schema, field, &raw, &res) < 0)
		return NULL;
	if ((v = annotation(raw, res, "x-ref")))
		return json_string_value(v);
	items = json_object_get(res, "items");
	return json_string_value(annotation(items, resolve(schema->doc, items), "x-ref"));
}

static const char *label_in(const json_t *labels, const char *lang)
{
	if (json_is_string(labels))
		return json_string_value(labels);
	return json_string_value(json_object_get(labels, lang));
}

const char *hoso_schema_label(const hoso_schema *schema, const char *field,
	const char *code, const char *lang)
{
	const json_t *raw, *res, *items, *labels;

	if (!lang)
		lang = "vi";
	if (walk(schema, field, &raw, &res) < 0)
		return NULL;
	if (!code)
		return label_in(annotation(raw, res, "x-label"), lang);
	labels = annotation(raw, res, "x-enum-labels");
	if (!json_object_get(labels, code)) {
		items = json_object_get(res, "items");
		labels = annotation(items, resolve(schema->doc, items), "x-enum-labels");
	}
	return label_in(json_object_get(labels, code), lang);
}

/* 1 if `labels` (a label, or {"vi": ..., "en": ...}) names `label` in any language. */
static int labels_name(const json_t *labels, const char *label)
{
	const char *lang;
	json_t *l;

	if (json_is_string(labels))
		return strcmp(json_string_value(labels), label) == 0;
	json_object_foreach((json_t *)labels, lang, l)
		if (json_is_string(l) && strcmp(json_string_value(l), label) == 0)
			return 1;
	return 0;
}

/* Depth first under `props`: the dotted path of the field labelled `label`, into out[len..]. */
static int find_label(const hoso_schema *schema, const json_t *props, const char *label,
	char *out, size_t size, size_t len, int depth)
{
	const char *key;
	json_t *raw;

	json_object_foreach((json_t *)props, key, raw) {
		const json_t *res = resolve(schema->doc, raw);
		int n = snprintf(out + len, size - len, "%s%s", len ? "." : "", key);
		if (n < 0 || (size_t)n >= size - len)
			continue;
		if (labels_name(annotation(raw, res, "x-label"), label) ||
			(depth < 8 && find_label(schema, json_object_get(res, "properties"),
			label, out, size, len + (size_t)n, depth + 1)))
			return 1;
		out[len] = '\0';
	}
	return 0;
}

int hoso_schema_field_named(char *out, size_t size, const hoso_schema *schema, const char *name)
{
	const json_t *raw, *res;

	if (size == 0)
		return HOSO_ENOTFOUND;
	out[0] = '\0';
	if (walk(schema, name, &raw, &res) == 0) {
		if (strlen(name) >= size)
			return HOSO_ENOTFOUND;
		strcpy(out, name);
		return 0;
	}
	return schema && find_label(schema, json_object_get(schema->doc, "properties"), name, out,
		size, 0, 0) ? 0 : HOSO_ENOTFOUND;
}

const char *hoso_schema_code_named(const hoso_schema *schema, const char *field, const char *label)
{
	const json_t *raw, *res, *items, *sets[2];
	const char *code;
	json_t *labels;
	size_t i;

	if (walk(schema, field, &raw, &res) < 0)
		return NULL;
	items = json_object_get(res, "items");
	sets[0] = annotation(raw, res, "x-enum-labels");
	sets[1] = annotation(items, resolve(schema->doc, items), "x-enum-labels");
	for (i = 0; i < 2; i++)
		json_object_foreach((json_t *)sets[i], code, labels)
			if (labels_name(labels, label))
				return code;
	return NULL;
}

const char *hoso_schema_type(const hoso_schema *schema)
{
	return schema ? schema->type : NULL;
}

const json_t *hoso_schema_json(const hoso_schema *schema)
{
	return schema ? schema->doc : NULL;
}

/* The set. */

int hoso_schema_set_new(hoso_schema_set **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : oom();
}

void hoso_schema_set_free(hoso_schema_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++)
		schema_free(set->items[i]);
	free(set->items);
	free(set);
}

/* The index of `type` in the set, or where it would go (with *found 0). */
static size_t set_find(const hoso_schema_set *set, const char *type, int *found)
{
	size_t lo = 0, hi = set->count;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(type, set->items[mid]->type);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int set_reserve(hoso_schema_set *set, size_t more)
{
	hoso_schema **items;
	size_t alloc = set->alloc ? set->alloc : 8;

	while (alloc < set->count + more)
		alloc *= 2;
	if (alloc == set->alloc)
		return 0;
	if (!(items = realloc(set->items, alloc * sizeof(*items))))
		return oom();
	set->items = items;
	set->alloc = alloc;
	return 0;
}

/* Insert `s`, whose type is known absent, with room already reserved. */
static void set_insert(hoso_schema_set *set, hoso_schema *s)
{
	int found;
	size_t at = set_find(set, s->type, &found);

	memmove(set->items + at + 1, set->items + at, (set->count - at) * sizeof(*set->items));
	set->items[at] = s;
	set->count++;
}

int hoso_schema_set_add(hoso_schema_set *set, const char *type, const char *text,
	size_t len, const char *origin)
{
	hoso_schema *s = NULL;
	int found, error = 0;

	if (!set || !type || !*type || !text) {
		error = hoso_error_set(HOSO_EUSAGE, "no schema set, type or text to add");
		goto done;
	}
	if (!origin)
		origin = type;
	set_find(set, type, &found);
	if (found) {
		error = hoso_error_set(HOSO_EEXISTS, "schema '%s': type '%s' is already loaded",
			origin, type);
		goto done;
	}
	if ((error = schema_create(&s, type, text, len, origin)) < 0 ||
		(error = set_reserve(set, 1)) < 0)
		goto done;
	set_insert(set, s);
	s = NULL;
done:
	schema_free(s);
	return error;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read at most SCHEMA_FILE_MAX bytes of `path` into a new buffer. */
static int read_file(char **out, size_t *outlen, const char *path)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0;
	int error = 0;

	if (!(f = fopen(path, "rb"))) {
		error = hoso_error_set(HOSO_ERROR, "cannot open schema '%s': %s", path, strerror(errno));
		goto done;
	}
	if (!(buf = malloc(SCHEMA_FILE_MAX + 1))) {
		error = oom();
		goto done;
	}
	len = fread(buf, 1, SCHEMA_FILE_MAX + 1, f);
	if (ferror(f)) {
		error = hoso_error_set(HOSO_ERROR, "cannot read schema '%s': %s", path, strerror(errno));
		goto done;
	}
	if (len > SCHEMA_FILE_MAX) {
		error = hoso_error_set(HOSO_EINVALID, "schema '%s' is larger than %d MB", path,
			SCHEMA_FILE_MAX / (1024 * 1024));
		goto done;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
done:
	free(buf);
	if (f)
		fclose(f);
	return error;
}

int hoso_schema_set_load_dir(hoso_schema_set *set, const char *dir)
{
	DIR *d = NULL;
	struct dirent *e;
	char **names = NULL, *path = NULL, *text = NULL, **grown;
	hoso_schema **loaded = NULL;
	size_t count = 0, alloc = 0, nloaded = 0, i, len, slen = strlen(SCHEMA_SUFFIX);
	int found, error = 0;

	if (!set || !dir) {
		error = hoso_error_set(HOSO_EUSAGE, "no schema set or directory to load");
		goto done;
	}
	if (!(d = opendir(dir))) {
		error = hoso_error_set(errno == ENOENT ? HOSO_ENOTFOUND : HOSO_ERROR,
			"cannot open schema directory '%s': %s", dir, strerror(errno));
		goto done;
	}
	while ((errno = 0, e = readdir(d))) {
		len = strlen(e->d_name);
		if (len <= slen || e->d_name[0] == '.' ||
			strcmp(e->d_name + len - slen, SCHEMA_SUFFIX) != 0)
			continue;
		if (count == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			if (!(grown = realloc(names, alloc * sizeof(*names)))) {
				error = oom();
				goto done;
			}
			names = grown;
		}
		if (!(names[count] = strndup(e->d_name, len - slen))) {
			error = oom();
			goto done;
		}
		count++;
	}
	if (errno) {
		error = hoso_error_set(HOSO_ERROR, "cannot list schema directory '%s': %s", dir,
			strerror(errno));
		goto done;
	}
	if (count == 0)
		goto done;
	qsort(names, count, sizeof(*names), name_cmp);

	/* Load them all before adding any, so that a failure leaves the set as it was. */
	if (!(loaded = calloc(count, sizeof(*loaded)))) {
		error = oom();
		goto done;
	}
	for (i = 0; i < count; i++) {
		if (!(path = hoso_strdupf("%s/%s%s", dir, names[i], SCHEMA_SUFFIX))) {
			error = oom();
			goto done;
		}
		set_find(set, names[i], &found);
		if (found) {
			error = hoso_error_set(HOSO_EEXISTS, "schema '%s': type '%s' is already loaded",
				path, names[i]);
			goto done;
		}
		if ((error = read_file(&text, &len, path)) < 0 ||
			(error = schema_create(&loaded[nloaded], names[i], text, len, path)) < 0)
			goto done;
		nloaded++;
		free(text);
		text = NULL;
		free(path);
		path = NULL;
	}
	if ((error = set_reserve(set, nloaded)) < 0)
		goto done;
	for (i = 0; i < nloaded; i++)
		set_insert(set, loaded[i]);
	nloaded = 0;
done:
	for (i = 0; i < nloaded; i++)
		schema_free(loaded[i]);
	free(loaded);
	free(text);
	free(path);
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return error;
}

const hoso_schema *hoso_schema_set_get(const hoso_schema_set *set, const char *type)
{
	int found;
	size_t i;

	if (!set || !type)
		return NULL;
	i = set_find(set, type, &found);
	return found ? set->items[i] : NULL;
}

size_t hoso_schema_set_count(const hoso_schema_set *set)
{
	return set ? set->count : 0;
}

const char *hoso_schema_set_type(const hoso_schema_set *set, size_t i)
{
	return set && i < set->count ? set->items[i]->type : NULL;
}
