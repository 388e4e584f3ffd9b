/*
 * Import readers: JSONL (one object a line) and CSV (RFC 4180).
 *
 * Both read `fp` through one growing buffer (fread in large chunks) and keep
 * only the current line or row, so memory is bounded by
 * HOSO_RECORD_MAX_BYTES whatever the input. A bad line or row appends a
 * problem naming the file and the line and reading goes on, so that every
 * bad line is reported in one pass (up to HOSO_IMPORT_MAX_ERRORS of them,
 * so that the problems too stay bounded).
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "hoso/import.h"
#include "hoso/record.h"
#include "hoso/json.h"
#include "common.h"

#define CHUNK ((size_t)64 * 1024)
#define NO_POS ((size_t)-1)

/* The input: bytes [start, len) of buf are read and not yet consumed. */
typedef struct {
	FILE *fp;
	const char *where;
	char *buf;
	size_t start, len, cap;
	size_t total;     /* bytes read so far; at most HOSO_IMPORT_MAX_BYTES */
	int eof, too_big;
} source;

static const char *name_of(const char *where)
{
	return where ? where : "input";
}

static int oom(void)
{
	return hoso_error_set(HOSO_ERROR, "out of memory");
}

/*
 * Read more input, keeping the unconsumed bytes (moved to the front of the
 * buffer; positions relative to `start` stay valid). `*got` is the number of
 * bytes read, 0 at the end of the input.
 */
static int source_fill(source *s, size_t *got)
{
	size_t n;
	int error = 0;

	*got = 0;
	if (s->eof)
		goto done;
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->len - s->start);
		s->len -= s->start;
		s->start = 0;
	}
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : CHUNK;
		char *buf = realloc(s->buf, cap);
		if (!buf) {
			error = oom();
			goto done;
		}
		s->buf = buf;
		s->cap = cap;
	}
	n = fread(s->buf + s->len, 1, s->cap - s->len, s->fp);
	if ((s->total += n) > (size_t)HOSO_IMPORT_MAX_BYTES) {
		/* a stream (a regular file's size is checked before reading) */
		s->too_big = 1;
		error = hoso_error_set(HOSO_EINVALID, "'%s' is more than %d bytes",
			name_of(s->where), HOSO_IMPORT_MAX_BYTES);
		goto done;
	}
	if (n == 0) {
		if (ferror(s->fp)) {
			error = hoso_error_set(HOSO_ERROR, "cannot read '%s': %s",
				name_of(s->where), strerror(errno ? errno : EIO));
			goto done;
		}
		s->eof = 1;
	}
	s->len += n;
	*got = n;
done:
	return error;
}

/* Consume input up to and including the next newline (or to the end). */
static int source_skip_line(source *s)
{
	size_t got;
	int error = 0;

	for (;;) {
		char *nl = memchr(s->buf + s->start, '\n', s->len - s->start);
		if (nl) {
			s->start = (size_t)(nl - s->buf) + 1;
			break;
		}
		s->start = s->len;
		if ((error = source_fill(s, &got)) < 0 || got == 0)
			break;
	}
	return error;
}

/* Drop a UTF-8 byte order mark at the start of the input. */
static int source_skip_bom(source *s)
{
	size_t got = 1;
	int error = 0;

	while (s->len - s->start < 3 && got > 0)
		if ((error = source_fill(s, &got)) < 0)
			goto done;
	if (s->len - s->start >= 3 && memcmp(s->buf + s->start, "\xEF\xBB\xBF", 3) == 0)
		s->start += 3;
done:
	return error;
}

/*
 * The offset of the first byte of `s` that is not part of valid UTF-8
 * (shortest forms, no surrogates, at most U+10FFFF), or `len` if all is valid.
 */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}

static int is_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* After HOSO_IMPORT_MAX_ERRORS bad rows, say so (of the file, not a line) and stop. */
static int stop_reading(hoso_problems *problems, const char *where, size_t line)
{
	int error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, NULL,
		"import", "%d rows are not valid; the rest of the file, from line %zu, was not read",
		HOSO_IMPORT_MAX_ERRORS, line);

	return error < 0 ? error : 1;
}

/* JSONL */

static int read_jsonl(source *s, hoso_row_cb cb, void *payload,
	hoso_problems *problems, size_t *bad)
{
	size_t lineno = 1;
	json_t *obj = NULL;
	int error = 0;

	for (;;) {
		size_t scanned = 0, linelen, len, got, before;
		const char *line, *nul;
		int newline = 0, too_long = 0;

		/* Find the end of the line, refusing one that is too long. */
		for (;;) {
			size_t avail = s->len - s->start;
			char *nl = memchr(s->buf + s->start + scanned, '\n', avail - scanned);
			if (nl) {
				linelen = (size_t)(nl - (s->buf + s->start));
				newline = 1;
				break;
			}
			scanned = avail;
			if (avail > (size_t)HOSO_RECORD_MAX_BYTES + 1) {
				too_long = 1;
				break;
			}
			if ((error = source_fill(s, &got)) < 0)
				goto done;
			if (got == 0) {
				linelen = avail;
				break;
			}
		}
		if (too_long) {
			/* Skip it without keeping it. */
			if ((error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR,
					s->where, lineno, NULL, "size",
					"line is longer than %d bytes", HOSO_RECORD_MAX_BYTES)) < 0)
				goto done;
			(*bad)++;
			s->start = s->len;
			if ((error = source_skip_line(s)) < 0)
				goto done;
			lineno++;
			continue;
		}
		if (!newline && linelen == 0)
			break;

		line = s->buf + s->start;
		len = linelen;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		s->start += linelen + (size_t)newline;

		if (is_blank(line, len)) {
			/* skipped */
		} else if (*bad >= HOSO_IMPORT_MAX_ERRORS) {
			error = stop_reading(problems, s->where, lineno);
			goto done;
		} else if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
			/* the file's own was skipped: as in a record file, one more is refused */
			if ((error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR,
					s->where, lineno, NULL, "json", "a byte order mark (U+FEFF) "
					"starts the line; only the start of the file may have one")) < 0)
				goto done;
			(*bad)++;
		} else if (len > (size_t)HOSO_RECORD_MAX_BYTES) {
			if ((error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR,
					s->where, lineno, NULL, "size",
					"line is longer than %d bytes", HOSO_RECORD_MAX_BYTES)) < 0)
				goto done;
			(*bad)++;
		} else if ((nul = memchr(line, '\0', len)) != NULL) {
			/* the column in characters, as in other messages about JSON */
			size_t col = 1, k;
			for (k = 0; k < (size_t)(nul - line); k++)
				col += ((unsigned char)line[k] & 0xC0) != 0x80;
			if ((error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR,
					s->where, lineno, NULL, "json",
					"line has a NUL byte at column %zu", col)) < 0)
				goto done;
			(*bad)++;
		} else {
			before = hoso_problems_count(problems);
			error = hoso_json_parse(&obj, line, len, problems);
			if (error == HOSO_EINVALID) {
				if ((error = hoso_problems_locate(problems, before,
						s->where, lineno)) < 0)
					goto done;
				(*bad)++;
			} else if (error < 0) {
				goto done;
			} else {
				error = cb(obj, lineno, 0, payload);
				json_decref(obj);
				obj = NULL;
				if (error)
					goto done;
			}
		}
		if (!newline)
			break;
		lineno++;
	}
done:
	json_decref(obj);
	return error;
}

/* CSV */

typedef struct {
	size_t off, len;  /* in the text buffer */
	size_t line;      /* where the cell starts */
	int quoted;
} csv_cell;

typedef struct {
	char *name;       /* trimmed, NFC; for problems */
	char *path;       /* the name with each '.' made a NUL */
	size_t nseg;
} csv_column;

typedef struct {
	source *src;
	hoso_problems *problems;
	size_t line;      /* the line the next row starts on */

	/* the current row */
	size_t rowline;
	char *text;       /* cell texts, unquoted, one after the other */
	size_t text_cap;
	csv_cell *cells;
	size_t ncells, cells_cap;

	/* the header */
	csv_column *cols;
	size_t ncols;
} csv_reader;

enum {
	ROW_OK = 1,       /* a row is in cells */
	ROW_BAD = 2,      /* a problem was added; the input is past it */
	ROW_EOF = 3       /* no more rows */
};

enum {
	ST_START,         /* at the start of a cell */
	ST_UNQ,           /* in an unquoted cell */
	ST_UNQ_CR,        /* a CR in an unquoted cell */
	ST_Q,             /* in a quoted cell */
	ST_Q_CR,          /* a CR in a quoted cell */
	ST_Q_QUOTE,       /* a quote in a quoted cell: escape or end */
	ST_END_CR         /* a CR after a closing quote */
};

static const char *column_name(const csv_reader *r, size_t col)
{
	return col < r->ncols ? r->cols[col].name : NULL;
}

static int push_cell(csv_reader *r, size_t off, size_t len, size_t line, int quoted)
{
	csv_cell *c;

	if (r->ncells == r->cells_cap) {
		size_t n = r->cells_cap ? r->cells_cap * 2 : 64;
		csv_cell *cells = realloc(r->cells, n * sizeof(*cells));
		if (!cells)
			return oom();
		r->cells = cells;
		r->cells_cap = n;
	}
	c = &r->cells[r->ncells++];
	c->off = off;
	c->len = len;
	c->line = line;
	c->quoted = quoted;
	return 0;
}

/* Cell texts are never longer than the row's bytes, which fit the buffer. */
static int reserve_text(csv_reader *r)
{
	char *text;

	if (r->text_cap >= r->src->cap)
		return 0;
	if (!(text = realloc(r->text, r->src->cap)))
		return oom();
	r->text = text;
	r->text_cap = r->src->cap;
	return 0;
}

static int row_problem(csv_reader *r, size_t line, size_t col, const char *what)
{
	if (line != r->rowline)
		return hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			r->src->where, line, column_name(r, col), "csv",
			"%s (in the row that starts on line %zu)", what, r->rowline);
	return hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR, r->src->where,
		line, column_name(r, col), "csv", "%s", what);
}

/*
 * Scan the row at the input's start into cells. Returns ROW_OK, ROW_BAD (a
 * problem was added and the input resynchronized at a following line),
 * ROW_EOF, or a negative code.
 */
static int csv_scan(csv_reader *r)
{
	static const char lone_cr[] = "carriage return (CR) without a line feed outside "
		"quotes; lines must end in LF or CRLF";
	source *s = r->src;
	const size_t max = (size_t)HOSO_RECORD_MAX_BYTES;
	size_t i = 0, tl = 0, cell_off = 0, line = r->line, cell_line = r->line;
	size_t nl1 = NO_POS, term = 0, got;
	int state = ST_START, quoted = 0, error = 0;
	const char *what = NULL;

	r->rowline = r->line;
	r->ncells = 0;
	if ((error = reserve_text(r)) < 0)
		goto done;

#define END_CELL() do { \
		if ((error = push_cell(r, cell_off, tl - cell_off, cell_line, quoted)) < 0) \
			goto done; \
		cell_off = tl; \
		cell_line = line; \
		quoted = 0; \
	} while (0)

	for (;;) {
		const unsigned char *p = (const unsigned char *)s->buf + s->start;
		size_t avail = s->len - s->start;
		size_t lim = avail < max + 2 ? avail : max + 2;
		char *text = r->text;

		while (i < lim) {
			unsigned char c = p[i++];
			switch (state) {
			case ST_START:
				if (c == '"') {
					quoted = 1;
					state = ST_Q;
					break;
				}
				state = ST_UNQ;
				/* fall through */
			case ST_UNQ:
				if (c == ',') {
					END_CELL();
					state = ST_START;
				} else if (c == '\n') {
					term = 1;
					goto row_end;
				} else if (c == '\r') {
					state = ST_UNQ_CR;
				} else if (c == '"') {
					what = "quote inside an unquoted cell";
					goto bad_quote;
				} else {
					text[tl++] = (char)c;
				}
				break;
			case ST_UNQ_CR:
				if (c == '\n') {
					term = 2;
					goto row_end;
				}
				/* a CR alone, as in a file whose lines end in CR only */
				i--;
				what = lone_cr;
				goto bad_quote;
			case ST_Q:
				if (c == '"') {
					state = ST_Q_QUOTE;
				} else if (c == '\r') {
					state = ST_Q_CR;
				} else {
					if (c == '\n') {
						line++;
						if (nl1 == NO_POS)
							nl1 = i - 1;
					}
					text[tl++] = (char)c;
				}
				break;
			case ST_Q_CR:
				/* CRLF in a cell becomes LF, as LF-only files have it */
				state = ST_Q;
				if (c == '\n') {
					text[tl++] = '\n';
					line++;
					if (nl1 == NO_POS)
						nl1 = i - 1;
				} else {
					text[tl++] = '\r';
					i--;
				}
				break;
			case ST_Q_QUOTE:
				if (c == '"') {
					text[tl++] = '"';
					state = ST_Q;
				} else if (c == ',') {
					END_CELL();
					state = ST_START;
				} else if (c == '\n') {
					term = 1;
					goto row_end;
				} else if (c == '\r') {
					state = ST_END_CR;
				} else {
					what = "text after the closing quote of a cell";
					goto bad_quote;
				}
				break;
			case ST_END_CR:
				if (c == '\n') {
					term = 2;
					goto row_end;
				}
				i--;
				what = "text after the closing quote of a cell";
				goto bad_quote;
			}
		}
		if (i >= max + 2)
			goto too_long;
		if ((error = source_fill(s, &got)) < 0)
			goto done;
		if ((error = reserve_text(r)) < 0)
			goto done;
		if (got == 0)
			break;
	}

	/* The end of the input. */
	if (i == 0) {
		error = ROW_EOF;
		goto done;
	}
	if (state == ST_Q || state == ST_Q_CR) {
		if ((error = row_problem(r, r->rowline, r->ncells,
				"quoted cell is not closed at the end of the file")) < 0)
			goto done;
		goto resync_quote;
	}
	term = state == ST_UNQ_CR || state == ST_END_CR ? 1 : 0;

row_end:
	if (i - term > max)
		goto too_long;
	END_CELL();
	s->start += i;
	r->line = line + (term ? 1 : 0);
	error = ROW_OK;
	goto done;

too_long:
	if (state == ST_Q || state == ST_Q_CR) {
		/* most likely a quote that is never closed */
		if ((error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
				s->where, r->rowline, column_name(r, r->ncells), "size",
				"row is longer than %d bytes; the quoted cell that starts "
				"on line %zu may lack its closing quote",
				HOSO_RECORD_MAX_BYTES, cell_line)) < 0)
			goto done;
		goto resync_quote;
	}
	if ((error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			s->where, r->rowline, NULL, "size",
			"row is longer than %d bytes", HOSO_RECORD_MAX_BYTES)) < 0)
		goto done;
	s->start += i;
	if (term == 0 && (error = source_skip_line(s)) < 0)
		goto done;
	r->line = line + 1;
	error = ROW_BAD;
	goto done;

bad_quote:
	if ((error = row_problem(r, line, r->ncells, what)) < 0)
		goto done;
	s->start += i;
	if ((error = source_skip_line(s)) < 0)
		goto done;
	r->line = line + 1;
	error = ROW_BAD;
	goto done;

resync_quote:
	/* Read on from the line after the row's first, as if it had ended there. */
	if (nl1 == NO_POS) {
		s->start += i;
		if ((error = source_skip_line(s)) < 0)
			goto done;
		r->line = line + 1;
	} else {
		s->start += nl1 + 1;
		r->line = r->rowline + 1;
	}
	error = ROW_BAD;
#undef END_CELL
done:
	return error;
}

static int row_is_blank(const csv_reader *r)
{
	return r->ncells == 1 && !r->cells[0].quoted
		&& is_blank(r->text + r->cells[0].off, r->cells[0].len);
}

/*
 * Check a cell's text: valid UTF-8 without NUL. Adds a problem and returns 1
 * if it is bad, 0 if good, or a negative code.
 */
static int check_cell(csv_reader *r, size_t col, const char *label)
{
	const csv_cell *c = &r->cells[col];
	const char *t = r->text + c->off;
	size_t bad = utf8_invalid_at((const unsigned char *)t, c->len);
	const char *nul = memchr(t, '\0', bad);
	const char *rule = "utf8", *what = "invalid UTF-8";
	size_t at = bad, line = c->line, k;
	int error = 0;

	if (!nul && bad == c->len)
		goto done;
	if (nul) {
		at = (size_t)(nul - t);
		rule = "json";
		what = "a NUL byte";
	}
	for (k = 0; k < at; k++)
		if (t[k] == '\n')
			line++;
	if (label)
		error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			r->src->where, line, label, rule, "%s in column '%s'", what, label);
	else
		error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			r->src->where, line, NULL, rule, "%s in column %zu", what, col + 1);
	if (error == 0)
		error = 1;
done:
	return error;
}

static void free_columns(csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->ncols; i++) {
		free(r->cols[i].name);
		free(r->cols[i].path);
	}
	free(r->cols);
	r->cols = NULL;
	r->ncols = 0;
}

/* The first column at or under `node` of the header tree. */
static size_t first_column(json_t *node)
{
	const char *key;
	json_t *v;

	if (json_is_integer(node))
		return (size_t)json_integer_value(node);
	json_object_foreach(node, key, v)
		return first_column(v);
	return 0;
}

/*
 * Check a column's dotted name and add it to `tree` (part → subtree, or the
 * column's index at a leaf). Returns 1 if it is bad (a problem was added), 0
 * if good, or a negative code.
 */
static int header_add(csv_reader *r, json_t *tree, size_t i)
{
	const csv_column *col = &r->cols[i];
	const char *seg = col->path, *why = NULL;
	json_t *node = tree, *next;
	size_t k, other = 0;
	int error = 0;

	if (col->name[0] == '\0') {
		error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			r->src->where, r->rowline, NULL, "csv",
			"column %zu has no name", i + 1);
		goto bad;
	}
	for (k = 0; k < col->nseg; k++, seg += strlen(seg) + 1) {
		if (seg[0] == '\0') {
			error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
				r->src->where, r->rowline, col->name, "csv",
				"column %zu '%s' has an empty part in its dotted name",
				i + 1, col->name);
			goto bad;
		}
	}
	seg = col->path;
	for (k = 0; k < col->nseg; k++, seg += strlen(seg) + 1) {
		int last = k + 1 == col->nseg;

		next = json_object_get(node, seg);
		if (next && json_is_integer(next)) {
			other = (size_t)json_integer_value(next);
			why = last ? "repeats" : "conflicts with";
			break;
		}
		if (next && last) {
			other = first_column(next);
			why = "conflicts with";
			break;
		}
		if (!next) {
			/* set_new takes the reference, also when it fails */
			next = last ? json_integer((json_int_t)i) : json_object();
			if (!next || json_object_set_new_nocheck(node, seg, next)) {
				error = oom();
				goto done;
			}
		}
		node = next;
	}
	if (!why)
		goto done;
	error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR, r->src->where,
		r->rowline, col->name, "csv", "column %zu '%s' %s column %zu '%s'",
		i + 1, col->name, why, other + 1, r->cols[other].name);
bad:
	if (error == 0)
		error = 1;
done:
	return error;
}

/*
 * Take the scanned row as the header. Returns 0, 1 if it is bad (problems
 * were added), or a negative code.
 */
static int csv_header(csv_reader *r)
{
	json_t *names = NULL, *norm = NULL, *tree = NULL;
	size_t i, before, nbad = 0;
	int error = 0;

	if (!(r->cols = calloc(r->ncells, sizeof(*r->cols)))) {
		error = oom();
		goto done;
	}
	r->ncols = r->ncells;

	/* Trim and check each name, then normalize them all in one go. */
	if (!(names = json_array())) {
		error = oom();
		goto done;
	}
	for (i = 0; i < r->ncells; i++) {
		csv_cell *c = &r->cells[i];
		const char *t = r->text + c->off;
		size_t len = c->len;

		while (len > 0 && (*t == ' ' || *t == '\t')) {
			t++;
			len--;
		}
		while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
			len--;
		c->off = (size_t)(t - r->text);
		c->len = len;
		if ((error = check_cell(r, i, NULL)) < 0)
			goto done;
		if (error) {
			nbad++;
			continue;
		}
		if (json_array_append_new(names, json_stringn_nocheck(t, len))) {
			error = oom();
			goto done;
		}
	}
	if (nbad) {
		error = 1;
		goto done;
	}
	before = hoso_problems_count(r->problems);
	error = hoso_json_normalize(&norm, names, r->problems);
	if (error == HOSO_EINVALID) {
		if ((error = hoso_problems_locate(r->problems, before, r->src->where,
				r->rowline)) == 0)
			error = 1;
		goto done;
	}
	if (error < 0)
		goto done;

	for (i = 0; i < r->ncols; i++) {
		json_t *v = json_array_get(norm, i);
		size_t len = json_string_length(v), k;
		csv_column *col = &r->cols[i];

		if (!(col->name = malloc(len + 1)) || !(col->path = malloc(len + 1))) {
			error = oom();
			goto done;
		}
		memcpy(col->name, json_string_value(v), len + 1);
		memcpy(col->path, col->name, len + 1);
		col->nseg = 1;
		for (k = 0; k < len; k++) {
			if (col->path[k] == '.') {
				col->path[k] = '\0';
				col->nseg++;
			}
		}
	}

	/* Names and their parts not empty, no repeats, no name inside another. */
	if (!(tree = json_object())) {
		error = oom();
		goto done;
	}
	for (i = 0; i < r->ncols; i++) {
		if ((error = header_add(r, tree, i)) < 0)
			goto done;
		nbad += (size_t)error;
	}
	error = nbad ? 1 : 0;
done:
	json_decref(tree);
	json_decref(norm);
	json_decref(names);
	return error;
}

/* Set `value` (stolen; NULL when it could not be made) at the column's path. */
static int set_path(json_t *obj, const csv_column *col, json_t *value)
{
	const char *seg = col->path;
	size_t k;
	int error = 0;

	if (!value) {
		error = oom();
		goto done;
	}
	for (k = 0; k + 1 < col->nseg; k++, seg += strlen(seg) + 1) {
		json_t *next = json_object_get(obj, seg);
		if (!next) {
			/* set_new takes the reference, also when it fails */
			if (!(next = json_object())
					|| json_object_set_new_nocheck(obj, seg, next)) {
				error = oom();
				goto done;
			}
		}
		obj = next;
	}
	if (json_object_set_new_nocheck(obj, seg, value))
		error = oom();
	value = NULL;
done:
	json_decref(value);
	return error;
}

static int csv_row(csv_reader *r, hoso_row_cb cb, void *payload, size_t *bad)
{
	json_t *row = NULL, *norm = NULL;
	size_t i, before;
	int error = 0, nbad = 0;

	if (r->ncells != r->ncols) {
		error = hoso_problems_add(r->problems, HOSO_SEVERITY_ERROR,
			r->src->where, r->rowline, NULL, "csv",
			dngettext(HOSO_TEXTDOMAIN, "row has %zu cell, the header has %zu",
			"row has %zu cells, the header has %zu", r->ncells), r->ncells, r->ncols);
		(*bad)++;
		goto done;
	}
	if (!(row = json_object())) {
		error = oom();
		goto done;
	}
	for (i = 0; i < r->ncells; i++) {
		const csv_cell *c = &r->cells[i];
		if (c->len == 0)
			continue;
		if ((error = check_cell(r, i, r->cols[i].name)) < 0)
			goto done;
		if (error) {
			nbad = 1;
			error = 0;
			continue;
		}
		if (nbad)
			continue;
		if ((error = set_path(row, &r->cols[i],
				json_stringn_nocheck(r->text + c->off, c->len))) < 0)
			goto done;
	}
	if (nbad) {
		(*bad)++;
		goto done;
	}
	before = hoso_problems_count(r->problems);
	error = hoso_json_normalize(&norm, row, r->problems);
	if (error == HOSO_EINVALID) {
		error = hoso_problems_locate(r->problems, before, r->src->where, r->rowline);
		(*bad)++;
		goto done;
	}
	if (error < 0)
		goto done;
	error = cb(norm, r->rowline, 1, payload);
done:
	json_decref(norm);
	json_decref(row);
	return error;
}

static int read_csv(source *s, hoso_row_cb cb, void *payload,
	hoso_problems *problems, size_t *bad)
{
	csv_reader r;
	int error = 0, have_header = 0;

	memset(&r, 0, sizeof(r));
	r.src = s;
	r.problems = problems;
	r.line = 1;

	for (;;) {
		if ((error = csv_scan(&r)) < 0)
			goto done;
		if (error == ROW_EOF) {
			error = 0;
			break;
		}
		if (*bad >= HOSO_IMPORT_MAX_ERRORS) {
			error = stop_reading(problems, s->where, r.rowline);
			goto done;
		}
		if (error == ROW_BAD) {
			error = 0;
			(*bad)++;
			if (!have_header)
				break;   /* no header to read the rows by */
			continue;
		}
		if (row_is_blank(&r))
			continue;
		if (!have_header) {
			if ((error = csv_header(&r)) < 0)
				goto done;
			if (error) {
				/* every header problem is reported; no row can be read */
				error = 0;
				(*bad)++;
				break;
			}
			have_header = 1;
			continue;
		}
		if ((error = csv_row(&r, cb, payload, bad)) != 0)
			goto done;
	}
done:
	free_columns(&r);
	free(r.cells);
	free(r.text);
	return error;
}

/*
 * Reading ahead: the reader runs in its own thread, parsing rows while the
 * caller's thread checks and stores the rows before them. Rows, and the
 * problems found before each, reach the caller in file order.
 */

#define AHEAD 512

typedef struct {
	json_t *row;             /* NULL: only problems (or the end) */
	size_t line;
	int texts;
	hoso_problems *problems; /* found since the previous item; may be NULL */
} ahead_item;

typedef struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	ahead_item ring[AHEAD];
	size_t head, count;
	int finished, stop;

	/* the reader's side */
	source *src;
	hoso_import_format format;
	hoso_problems *found;    /* the reader's own list, emptied at each item */
	size_t bad;
	int error;
	char message[1024];      /* the reader's hoso_error_last(), which is per thread */
} ahead;

/* Move what the reader found so far into a list of its own (reader's thread). */
static hoso_problems *take_found(ahead *a)
{
	hoso_problems *out = NULL;
	size_t i;

	if (hoso_problems_count(a->found) == 0 || hoso_problems_new(&out) < 0)
		return NULL;
	for (i = 0; i < hoso_problems_count(a->found); i++) {
		const hoso_problem *p = hoso_problems_get(a->found, i);
		hoso_problems_add(out, p->severity, p->where, p->line, p->field, p->rule, "%s",
			p->message);
	}
	hoso_problems_truncate(a->found, 0);
	return out;
}

static int ahead_push(ahead *a, json_t *row, size_t line, int texts)
{
	hoso_problems *found = take_found(a);
	int stop;

	pthread_mutex_lock(&a->lock);
	while (a->count == AHEAD && !a->stop)
		pthread_cond_wait(&a->changed, &a->lock);
	if (!(stop = a->stop)) {
		ahead_item *it = &a->ring[(a->head + a->count) % AHEAD];
		it->row = row ? json_incref(row) : NULL;
		it->line = line;
		it->texts = texts;
		it->problems = found;
		found = NULL;
		if (a->count++ == 0)
			pthread_cond_broadcast(&a->changed); /* the caller may be waiting */
	}
	pthread_mutex_unlock(&a->lock);
	hoso_problems_free(found);
	return stop;
}

static int ahead_row_cb(json_t *row, size_t line, int texts, void *payload)
{
	return ahead_push(payload, row, line, texts);
}

static void *ahead_main(void *arg)
{
	ahead *a = arg;
	int error;

	if (a->format == HOSO_FORMAT_JSONL)
		error = read_jsonl(a->src, ahead_row_cb, a, a->found, &a->bad);
	else
		error = read_csv(a->src, ahead_row_cb, a, a->found, &a->bad);
	/* The last problems, and the end. */
	ahead_push(a, NULL, 0, 0);
	pthread_mutex_lock(&a->lock);
	a->error = error < 0 ? error : 0;
	if (error < 0)
		snprintf(a->message, sizeof(a->message), "%s", hoso_error_last());
	a->finished = 1;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static int read_ahead(source *s, hoso_import_format format, hoso_row_cb cb, void *payload,
	hoso_problems *problems, size_t *bad)
{
	sigset_t all, old;
	pthread_t thread;
	ahead *a = calloc(1, sizeof(*a));
	int error = 0, started;

	if (!a)
		return oom();
	a->src = s;
	a->format = format;
	if ((error = hoso_problems_new(&a->found)) < 0) {
		free(a);
		return error;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->changed, NULL);
	/* The reader takes no signals: they stay with the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	started = pthread_create(&thread, NULL, ahead_main, a) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		error = hoso_error_set(HOSO_ERROR, "cannot start reading '%s': no thread", name_of(s->where));
		goto done;
	}

	pthread_mutex_lock(&a->lock);
	for (;;) {
		ahead_item it;
		size_t i;
		while (a->count == 0 && !a->finished)
			pthread_cond_wait(&a->changed, &a->lock);
		if (a->count == 0)
			break;
		it = a->ring[a->head];
		a->head = (a->head + 1) % AHEAD;
		if (a->count-- == AHEAD)
			pthread_cond_broadcast(&a->changed); /* the reader may be waiting */
		pthread_mutex_unlock(&a->lock);

		/* After the caller said stop, what was read ahead is dropped. */
		for (i = 0; error == 0 && i < hoso_problems_count(it.problems); i++) {
			const hoso_problem *p = hoso_problems_get(it.problems, i);
			hoso_problems_add(problems, p->severity, p->where, p->line, p->field, p->rule,
				"%s", p->message);
		}
		hoso_problems_free(it.problems);
		if (it.row && error == 0)
			error = cb(it.row, it.line, it.texts, payload);
		json_decref(it.row);

		pthread_mutex_lock(&a->lock);
		if (error && !a->stop) {
			a->stop = 1;
			pthread_cond_broadcast(&a->changed);
		}
	}
	pthread_mutex_unlock(&a->lock);
	pthread_join(thread, NULL);
	if (error == 0 && a->error < 0)
		error = hoso_error_set(a->error, "%s", a->message);
	*bad = a->bad;
done:
	hoso_problems_free(a->found);
	pthread_cond_destroy(&a->changed);
	pthread_mutex_destroy(&a->lock);
	free(a);
	return error;
}

int hoso_import_read(FILE *fp, const char *where, hoso_import_format format,
	hoso_row_cb cb, void *payload, hoso_problems *problems)
{
	source s;
	struct stat st;
	size_t bad = 0;
	int error = 0;

	memset(&s, 0, sizeof(s));
	s.fp = fp;
	s.where = where;
	if (!fp || !cb || (format != HOSO_FORMAT_JSONL && format != HOSO_FORMAT_CSV)) {
		error = hoso_error_set(HOSO_EUSAGE, "cannot read '%s': no file, callback or format",
			name_of(where));
		goto done;
	}
	/* Refused by its size before it is read (a stream, when it has read that much). */
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
		st.st_size > (off_t)HOSO_IMPORT_MAX_BYTES) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, NULL, "size",
			"file is %lld bytes, more than the limit of %d for one import",
			(long long)st.st_size, HOSO_IMPORT_MAX_BYTES);
		error = hoso_error_set(HOSO_EINVALID, "cannot import '%s': too large", name_of(where));
		goto done;
	}
	if ((error = source_skip_bom(&s)) < 0)
		goto done;
	error = read_ahead(&s, format, cb, payload, problems, &bad);
	if (s.too_big) {
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, where, 0, NULL, "size",
			"file is more than %d bytes, the limit for one import", HOSO_IMPORT_MAX_BYTES);
		error = hoso_error_set(HOSO_EINVALID, "cannot import '%s': too large", name_of(where));
	}
	if (error == 0 && bad > 0)
		error = hoso_error_set(HOSO_EINVALID, dngettext(HOSO_TEXTDOMAIN,
			"cannot import '%s': %zu bad row", "cannot import '%s': %zu bad rows", bad),
			name_of(where), bad);
done:
	free(s.buf);
	return error;
}

static int ends_with(const char *s, size_t len, const char *ext)
{
	size_t n = strlen(ext), i;

	if (len < n)
		return 0;
	s += len - n;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != ext[i])
			return 0;
	}
	return 1;
}

hoso_import_format hoso_import_format_of(const char *path)
{
	size_t len;

	if (!path)
		return 0;
	len = strlen(path);
	if (ends_with(path, len, ".csv"))
		return HOSO_FORMAT_CSV;
	if (ends_with(path, len, ".jsonl") || ends_with(path, len, ".ndjson"))
		return HOSO_FORMAT_JSONL;
	return 0;
}

/* Set the texts of `row` (nested objects: dotted names under `path`) on `record`. */
/* The code a text names: itself, or the code whose label it is (export --labels). */
static const char *code_of(const hoso_schema *schema, const char *field, const char *text)
{
	const char *code;

	if (hoso_schema_label(schema, field, text, "vi") || !(code = hoso_schema_code_named(schema, field, text)))
		return text;
	return code;
}

/*
 * A cell's text with each coded value (each item of a ';' list) as its
 * code: into `buf` when it changed, else the text itself.
 */
static const char *unlabel(const hoso_schema *schema, const char *field, const char *text,
	char *buf, size_t size)
{
	const char *p = text, *end;
	size_t used = 0;

	if (!strchr(text, ';'))
		return code_of(schema, field, text);
	for (; ; p = end + 1) {
		char item[256];
		const char *s;
		size_t n;
		end = strchr(p, ';');
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n >= sizeof(item))
			return text;
		memcpy(item, p, n);
		item[n] = '\0';
		s = code_of(schema, field, item);
		if (used + strlen(s) + 2 > size)
			return text;
		used += (size_t)sprintf(buf + used, "%s%s", used ? ";" : "", s);
		if (!end)
			return buf;
	}
}

/*
 * Set the row's texts, converted by the schema. A top-level header may be a
 * field's label and a coded value its code's label, as export --labels
 * writes them, so that such a file imports back.
 */
static int set_texts(json_t *record, const hoso_schema *schema, const json_t *row,
	char *path, size_t plen, hoso_problems *problems)
{
	const char *key;
	json_t *value;
	int bad = 0;

	json_object_foreach((json_t *)row, key, value) {
		size_t n = plen;
		char text[4096];
		if (n + strlen(key) + 2 >= 256)
			continue;
		if (n)
			path[n++] = '.';
		if (n > 0 || json_is_object(value) ||
			hoso_schema_field_named(path, 256, schema, key) < 0)
			strcpy(path + n, key);
		if (json_is_object(value))
			bad |= set_texts(record, schema, value, path, strlen(path), problems) < 0;
		else
			bad |= hoso_record_set(record, schema, path, unlabel(schema, path,
				json_string_value(value), text, sizeof(text)), 0, problems) < 0;
		path[plen] = '\0';
	}
	return bad ? HOSO_EINVALID : 0;
}

int hoso_import_row_record(json_t **out, const json_t *row, int texts, const hoso_schema *schema,
	hoso_problems *problems)
{
	char path[256] = "";

	if (!texts) {
		*out = json_incref((json_t *)row);
		return 0;
	}
	if (!(*out = json_object()))
		return hoso_error_set(HOSO_ERROR, "out of memory");
	return set_texts(*out, schema, row, path, 0, problems);
}
