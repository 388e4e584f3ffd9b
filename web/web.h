#ifndef HOSO_WEB_H
#define HOSO_WEB_H

/*
 * The clerk's screen: pages and their handlers, apart from the HTTP server
 * (serve.c), so that a handler is a function from a request to a response
 * and its tests need no socket. Every write goes through the same calls as
 * the command line's: the same validators, the same transaction, the same
 * lock.
 */

#include <stddef.h>
#include "hoso/hoso.h"
#include "hoso/plugins.h"

/* A growing text; NULL `p` after a failed allocation (`failed` set). */
typedef struct {
	char *p;
	size_t len, cap;
	int failed;
} web_buf;

void web_buf_add(web_buf *b, const char *s, size_t n);
void web_buf_puts(web_buf *b, const char *s);
void web_buf_printf(web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `s` escaped for HTML text and attribute values. */
void web_buf_html(web_buf *b, const char *s);
/* `s` percent-encoded for a query or form. */
void web_buf_urlencode(web_buf *b, const char *s);
void web_buf_free(web_buf *b);

/* The largest request body taken: a form of one record is a few KiB. */
#define WEB_MAX_BODY (256 * 1024)

typedef struct {
	const char *method;   /* "GET", "POST" */
	const char *path;     /* without the query */
	const char *query;    /* after '?', or NULL */
	const char *body;     /* application/x-www-form-urlencoded, or NULL */
	size_t body_len;
	const char *host;     /* the Host header, or NULL */
	const char *origin;   /* the Origin header, or NULL */
	const char *password; /* the Basic authorization's password, or NULL */
} web_request;

typedef struct {
	int status;
	const char *type;     /* Content-Type */
	int ask_password;     /* 401: ask for the password (WWW-Authenticate) */
	int inline_style;     /* the page carries its own <style> (the report) */
	web_buf body;
	char location[512];   /* for a redirect */
} web_response;

typedef struct web_app web_app;

typedef struct {
	hoso_repo *repo;             /* borrowed; used by one thread at a time */
	const char *plugin_dir;      /* the built-in plugins */
	const char *password;        /* NULL: none asked (127.0.0.1 only); else asked of every request */
} web_options;

/*
 * 0, or a negative code with hoso_error_last(); HOSO_EPLUGIN when a plugin
 * hoso.json pins is missing, with why in `problems` (may be NULL).
 */
int web_app_new(web_app **out, const web_options *opts, hoso_problems *problems);
void web_app_free(web_app *app);
/*
 * The Host a request must name ("127.0.0.1:8080"; "localhost:8080" too):
 * until it is set, every request is refused.
 */
void web_app_set_host(web_app *app, const char *host);
/* The token every form carries (against requests from other sites). */
const char *web_app_token(const web_app *app);

/* Answer `req` into `res` (initialised here; freed with web_response_free). */
void web_handle(web_app *app, const web_request *req, web_response *res);
void web_response_free(web_response *res);

/* Decode the form field `name` of an urlencoded `body` into a new string, or NULL. */
char *web_form_get(const char *body, size_t len, const char *name);

#endif
