#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "hoso/json.h"
#include "common.h"

/* Where in `text` byte `off` is, as 1-based line and column (in characters, as jansson counts). */
static void locate(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/*
 * 1 if `s` is valid UTF-8 made only of code points that NFC leaves alone in
 * any context: below U+0300 (ASCII, Latin-1, Latin Extended-A and B) or in
 * Latin Extended Additional (U+1E00-U+1EFF, the precomposed Vietnamese
 * letters), so no combining mark is present. Most Vietnamese text is; the
 * rest goes through utf8proc.
 */
static int is_stable_nfc(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + len;

	while (s < end) {
		if (s[0] < 0x80) {
			s++;
		} else if ((s[0] & 0xE0) == 0xC0) {
			/* Two bytes: U+0080-U+07FF; stable below U+0300 (lead byte < 0xCC). */
			if (s[0] < 0xC2 || s[0] >= 0xCC || end - s < 2 || (s[1] & 0xC0) != 0x80)
				return 0;
			s += 2;
		} else if (s[0] == 0xE1 && end - s >= 3 && (s[1] == 0xB8 || s[1] == 0xB9 ||
			s[1] == 0xBA || s[1] == 0xBB) && (s[2] & 0xC0) == 0x80) {
			s += 3; /* U+1E00-U+1EFF */
		} else {
			return 0;
		}
	}
	return 1;
}

/* A new string value in NFC, or NULL (problem added) when `s` is not text. */
static json_t *nfc_string(const char *s, size_t len, const char *field, hoso_problems *problems)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	json_t *v;

	if (memchr(s, '\0', len)) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
			"string contains a NUL character");
		return NULL;
	}
	if (is_stable_nfc(s, len))
		return json_stringn(s, len);
	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &nfc,
		UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
			"string is not valid UTF-8: %s", utf8proc_errmsg(n));
		return NULL;
	}
	v = json_stringn((const char *)nfc, (size_t)n);
	free(nfc);
	return v;
}

static int normalize(json_t **out, const json_t *in, int depth, char *path, size_t plen,
	hoso_problems *problems)
{
	const char *field = plen ? path : NULL;
	json_t *copy = NULL, *item = NULL;
	int error = HOSO_EINVALID;

	*out = NULL;
	/* Only objects and arrays are levels. */
	if (depth > HOSO_JSON_MAX_DEPTH && (json_is_object(in) || json_is_array(in))) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
			"nesting deeper than %d levels", HOSO_JSON_MAX_DEPTH);
		goto done;
	}
	switch (json_typeof(in)) {
	case JSON_STRING:
		if (!(copy = nfc_string(json_string_value(in), json_string_length(in), field, problems)))
			goto done;
		break;
	case JSON_REAL:
		if (!isfinite(json_real_value(in))) {
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, field, "json",
				"number is not finite");
			goto done;
		}
		copy = json_incref((json_t *)in);
		break;
	case JSON_OBJECT: {
		const char *key;
		json_t *value;
		copy = json_object();
		json_object_foreach((json_t *)in, key, value) {
			size_t klen = strlen(key), n = plen;
			json_t *nkey = nfc_string(key, klen, field, problems);
			if (!nkey) {
				error = HOSO_EINVALID;
				goto done;
			}
			if (n + 1 + json_string_length(nkey) + 1 < 512) {
				if (n)
					path[n++] = '.';
				memcpy(path + n, json_string_value(nkey), json_string_length(nkey) + 1);
				n += json_string_length(nkey);
			}
			if (json_object_get(copy, json_string_value(nkey))) {
				hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, path, "json",
					"duplicate key after Unicode normalization");
				json_decref(nkey);
				path[plen] = '\0';
				error = HOSO_EINVALID;
				goto done;
			}
			error = normalize(&item, value, depth + 1, path, n, problems);
			path[plen] = '\0';
			if (error < 0) {
				json_decref(nkey);
				goto done;
			}
			json_object_set_new(copy, json_string_value(nkey), item);
			json_decref(nkey);
			item = NULL;
		}
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		copy = json_array();
		for (i = 0; i < json_array_size(in); i++) {
			int n = snprintf(path + plen, 512 - plen, "[%zu]", i);
			error = normalize(&item, json_array_get(in, i), depth + 1, path,
				plen + (size_t)(n > 0 ? n : 0), problems);
			path[plen] = '\0';
			if (error < 0)
				goto done;
			json_array_append_new(copy, item);
			item = NULL;
		}
		break;
	}
	default:
		copy = json_incref((json_t *)in);
		break;
	}
	if (!copy) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	*out = copy;
	copy = NULL;
	error = 0;
done:
	json_decref(copy);
	if (error == HOSO_EINVALID)
		hoso_error_set(HOSO_EINVALID, "invalid JSON");
	return error;
}

/*
 * 1 if `in` is already normal: within the depth, finite, no NUL, every
 * string and key stable under NFC. Read only; the common case.
 */
static int is_normal(const json_t *in, int depth)
{
	const char *key;
	json_t *value;
	size_t i;

	if (depth > HOSO_JSON_MAX_DEPTH && (json_is_object(in) || json_is_array(in)))
		return 0;
	switch (json_typeof(in)) {
	case JSON_STRING:
		return !memchr(json_string_value(in), '\0', json_string_length(in)) &&
			is_stable_nfc(json_string_value(in), json_string_length(in));
	case JSON_REAL:
		return isfinite(json_real_value(in));
	case JSON_OBJECT:
		json_object_foreach((json_t *)in, key, value)
			if (!is_stable_nfc(key, strlen(key)) || !is_normal(value, depth + 1))
				return 0;
		return 1;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(in); i++)
			if (!is_normal(json_array_get(in, i), depth + 1))
				return 0;
		return 1;
	default:
		return 1;
	}
}

int hoso_json_normalize(json_t **out, const json_t *in, hoso_problems *problems)
{
	char path[512] = "";

	if (is_normal(in, 1)) {
		*out = json_incref((json_t *)in);
		return 0;
	}
	return normalize(out, in, 1, path, 0, problems);
}

/* 1 if the number `num` (`n` bytes, as JSON writes it) reads as zero. */
static int reads_as_zero(const char *num, size_t n)
{
	char small[64], *copy = n < sizeof(small) ? small : malloc(n + 1);
	int zero;

	if (!copy)
		return 0;
	memcpy(copy, num, n);
	copy[n] = '\0';
	zero = strtod(copy, NULL) == 0.0;
	if (copy != small)
		free(copy);
	return zero;
}

size_t hoso_json_underflow_at(const char *text, size_t len)
{
	size_t i = 0, start;
	int nonzero, real;

	while (i < len) {
		if (text[i] == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			i++;
		} else if (text[i] == '-' || (text[i] >= '0' && text[i] <= '9')) {
			start = i;
			nonzero = real = 0;
			for (i += text[i] == '-'; i < len && ((text[i] >= '0' && text[i] <= '9') ||
				text[i] == '.'); i++) {
				nonzero |= text[i] >= '1' && text[i] <= '9';
				real |= text[i] == '.';
			}
			if (i < len && (text[i] == 'e' || text[i] == 'E')) {
				real = 1;
				for (i++; i < len && (text[i] == '+' || text[i] == '-' ||
					(text[i] >= '0' && text[i] <= '9')); i++)
					;
			}
			if (nonzero && real && reads_as_zero(text + start, i - start))
				return start;
		} else {
			i++;
		}
	}
	return len;
}

int hoso_json_parse(json_t **out, const char *text, size_t len, hoso_problems *problems)
{
	json_error_t jerr;
	json_t *raw = NULL;
	const char *nul;
	size_t at;
	int error = HOSO_EINVALID;

	*out = NULL;
	if (len > HOSO_RECORD_MAX_BYTES) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "size",
			"record is %zu bytes, more than the limit of %d", len, HOSO_RECORD_MAX_BYTES);
		goto done;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if ((nul = memchr(text, '\0', len))) {
		size_t line, col;
		locate(text, (size_t)(nul - text), &line, &col);
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "json",
			"invalid JSON at line %zu, column %zu: NUL byte", line, col);
		goto done;
	}
	if (!(raw = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr))) {
		if (memchr(text, '\n', len))
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "json",
				"invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		else
			hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "json",
				"invalid JSON at column %d: %s", jerr.column, jerr.text);
		goto done;
	}
	if (!json_is_object(raw)) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "json",
			"expected a JSON object, got %s",
			json_is_array(raw) ? _("an array") : json_is_string(raw) ? _("a string") :
			json_is_null(raw) ? "null" : json_is_boolean(raw) ? _("a boolean") : _("a number"));
		goto done;
	}
	/* jansson reads 1e-999999 as 0: refused, as 1e999999 is, rather than changed. */
	if ((at = hoso_json_underflow_at(text, len)) < len) {
		size_t line, col, n = strspn(text + at, "+-.0123456789eE");
		locate(text, at, &line, &col);
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "json",
			"invalid JSON at line %zu, column %zu: number '%.*s%s' is too small: it "
			"would be stored as 0", line, col, (int)(n > 40 ? 40 : n), text + at,
			n > 40 ? "..." : "");
		goto done;
	}
	error = hoso_json_normalize(out, raw, problems);
done:
	json_decref(raw);
	if (error == HOSO_EINVALID)
		hoso_error_set(HOSO_EINVALID, "invalid JSON");
	return error;
}

/*
 * The canonical writer. Its bytes are jansson's json_dumps() with
 * JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17) (the form the
 * first repositories were written in; a unit test holds the two equal),
 * written directly into one buffer: it runs once for every record written.
 * One difference: -0.0, equal to 0.0, is written as 0.0, so that equal
 * values are equal bytes (a merge keeping either side writes the same blob).
 */
typedef struct {
	char *buf;
	size_t len, cap;
	int failed;
} writer;

static void put(writer *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n + 2 > w->cap) {
		size_t cap = (w->cap ? w->cap : 1024);
		char *b;
		while (w->len + n + 2 > cap)
			cap *= 2;
		if (!(b = realloc(w->buf, cap))) {
			w->failed = 1;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_indent(writer *w, int depth)
{
	static const char spaces[] = "\n                                ";
	int n = 2 * depth;

	put(w, "\n", 1);
	while (n > 0) {
		int k = n < 32 ? n : 32;
		put(w, spaces + 1, (size_t)k);
		n -= k;
	}
}

static void put_string(writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run = 0;

	put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_value(writer *w, const json_t *v, int depth)
{
	char num[64];
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key, *small[64], **keys = small;
		json_t *item;
		n = json_object_size(v);
		if (n == 0) {
			put(w, "{}", 2);
			break;
		}
		if (n > 64 && !(keys = malloc(n * sizeof(char *)))) {
			w->failed = 1;
			break;
		}
		i = 0;
		json_object_foreach((json_t *)v, key, item)
			keys[i++] = key;
		qsort(keys, n, sizeof(char *), by_key);
		put(w, "{", 1);
		for (i = 0; i < n; i++) {
			put_indent(w, depth + 1);
			put_string(w, keys[i], strlen(keys[i]));
			put(w, ": ", 2);
			put_value(w, json_object_get(v, keys[i]), depth + 1);
			if (i + 1 < n)
				put(w, ",", 1);
		}
		put_indent(w, depth);
		put(w, "}", 1);
		if (keys != small)
			free(keys);
		break;
	}
	case JSON_ARRAY:
		n = json_array_size(v);
		if (n == 0) {
			put(w, "[]", 2);
			break;
		}
		put(w, "[", 1);
		for (i = 0; i < n; i++) {
			put_indent(w, depth + 1);
			put_value(w, json_array_get(v, i), depth + 1);
			if (i + 1 < n)
				put(w, ",", 1);
		}
		put_indent(w, depth);
		put(w, "]", 1);
		break;
	case JSON_STRING:
		put_string(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		put(w, num, n);
		break;
	case JSON_REAL: {
		/* jansson's own formatting of reals, and -0.0 as 0.0 (see above). */
		char *text = json_real_value(v) == 0.0 ? strdup("0.0") :
			json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
		if (!text) {
			w->failed = 1;
			break;
		}
		put(w, text, strlen(text));
		free(text);
		break;
	}
	case JSON_TRUE:
		put(w, "true", 4);
		break;
	case JSON_FALSE:
		put(w, "false", 5);
		break;
	case JSON_NULL:
		put(w, "null", 4);
		break;
	}
}

int hoso_json_canonical(char **out, size_t *len, const json_t *value)
{
	writer w = { NULL, 0, 0, 0 };

	*out = NULL;
	*len = 0;
	put_value(&w, value, 0);
	put(&w, "\n", 1);
	if (w.failed) {
		free(w.buf);
		return hoso_error_set(HOSO_ERROR, "out of memory");
	}
	w.buf[w.len] = '\0';
	*out = w.buf;
	*len = w.len;
	return 0;
}
