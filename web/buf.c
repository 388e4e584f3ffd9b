#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

void web_buf_add(web_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			free(b->p);
			b->p = NULL;
			b->len = b->cap = 0;
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void web_buf_puts(web_buf *b, const char *s)
{
	web_buf_add(b, s, strlen(s));
}

void web_buf_printf(web_buf *b, const char *fmt, ...)
{
	char small[1024], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		web_buf_add(b, small, (size_t)n);
		return;
	}
	if (!(big = malloc((size_t)n + 1))) {
		web_buf_free(b);
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	web_buf_add(b, big, (size_t)n);
	free(big);
}

void web_buf_html(web_buf *b, const char *s)
{
	const char *start = s;

	for (; s && *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
			*s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
		if (!rep)
			continue;
		web_buf_add(b, start, (size_t)(s - start));
		web_buf_puts(b, rep);
		start = s + 1;
	}
	if (start && s)
		web_buf_add(b, start, (size_t)(s - start));
}

void web_buf_free(web_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void web_buf_urlencode(web_buf *b, const char *s)
{
	char esc[4];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			strchr("-._~", c))
			web_buf_add(b, s, 1);
		else {
			snprintf(esc, sizeof(esc), "%%%02X", c);
			web_buf_add(b, esc, 3);
		}
	}
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode `len` bytes of urlencoded text into a new string ('+' is a space). */
static char *decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < len && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0 &&
			hex(s[i + 1]) * 16 + hex(s[i + 2]) != 0) { /* a NUL would cut the text: kept as "%00" */
			*o++ = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

char *web_form_get(const char *body, size_t len, const char *name)
{
	const char *p = body, *end = body ? body + len : NULL;
	size_t nlen = strlen(name);

	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		char *key = decode(p, (size_t)((eq ? eq : stop) - p));
		int match = key && strlen(key) == nlen && memcmp(key, name, nlen) == 0;

		free(key);
		if (match)
			return eq ? decode(eq + 1, (size_t)(stop - eq - 1)) : strdup("");
		p = amp ? amp + 1 : end;
	}
	return NULL;
}
