#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "serve.h"

/*
 * libmicrohttpd with its one internal polling thread: requests are answered
 * one at a time, on that thread, so the repository handle is never shared.
 */

struct web_server {
	struct MHD_Daemon *daemon;
	web_app *app;
	unsigned short port;
};

/* A request's body as it arrives, refused past WEB_MAX_BODY. */
typedef struct {
	web_buf body;
	int too_big;
} upload;

static enum MHD_Result queue(struct MHD_Connection *c, web_response *res)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(res->body.len,
		res->body.p ? res->body.p : (char *)"", MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", res->type ? res->type : "text/plain; charset=utf-8");
	/* Nothing from elsewhere: no scripts, no frames, no other site's resources. */
	MHD_add_response_header(r, "Content-Security-Policy", res->inline_style ?
		"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
		"frame-ancestors 'none'; base-uri 'none'" :
		"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
		"frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* same-origin: a browser then sends its Origin on a form (no-referrer makes it "null"). */
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (res->location[0])
		MHD_add_response_header(r, "Location", res->location);
	if (res->ask_password)
		ok = MHD_queue_basic_auth_fail_response(c, "hoso", r);
	else
		ok = MHD_queue_response(c, (unsigned int)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* Each query argument (decoded by libmicrohttpd) encoded again into "k=v&...". */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	web_buf *q = cls;

	(void)kind;
	if (q->len)
		web_buf_puts(q, "&");
	web_buf_urlencode(q, key);
	web_buf_puts(q, "=");
	web_buf_urlencode(q, value ? value : "");
	return MHD_YES;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
	const char *method, const char *version, const char *upload_data, size_t *upload_size,
	void **state)
{
	web_server *s = cls;
	upload *u = *state;
	web_request req;
	web_response res;
	web_buf query = { 0 };
	enum MHD_Result ok;
	char *user = NULL, *password = NULL;

	(void)version;
	if (!u) {
		/* The first call: headers only. A body said to be too large is refused unread. */
		const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (!(u = calloc(1, sizeof(*u))))
			return MHD_NO;
		*state = u;
		if (!length || strtoull(length, NULL, 10) <= WEB_MAX_BODY)
			return MHD_YES;
		u->too_big = 1;
	}
	if (*upload_size) {
		/* Past the limit, the rest is read and dropped: the answer comes at the end. */
		if (u->body.len + *upload_size > WEB_MAX_BODY)
			u->too_big = 1;
		else if (!u->too_big)
			web_buf_add(&u->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&res, 0, sizeof(res));
	if (u->too_big || u->body.failed) {
		web_buf_puts(&res.body, "request too large\n");
		res.status = 413;
		ok = queue(c, &res);
		web_response_free(&res);
		return ok;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	req.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	req.body = u->body.p;
	req.body_len = u->body.len;
	user = MHD_basic_auth_get_username_password(c, &password);
	req.password = password;
	/* libmicrohttpd has split the query off the URL and decoded it. */
	req.path = url;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &query);
	req.query = query.p;
	web_handle(s->app, &req, &res);
	ok = queue(c, &res);
	web_response_free(&res);
	web_buf_free(&query);
	if (password)
		explicit_bzero(password, strlen(password));
	MHD_free(user);
	MHD_free(password);
	return ok;
}

static void completed(void *cls, struct MHD_Connection *c, void **state,
	enum MHD_RequestTerminationCode why)
{
	upload *u = *state;

	(void)cls;
	(void)c;
	(void)why;
	if (u) {
		web_buf_free(&u->body);
		free(u);
		*state = NULL;
	}
}

int web_server_start(web_server **out, web_app *app, const char *address, unsigned short port)
{
	web_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	*out = NULL;
	if (!s)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
		free(s);
		return -2;
	}
	s->app = app;
	s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, answer, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_END);
	if (!s->daemon) {
		free(s);
		return -1;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	*out = s;
	return 0;
}

unsigned short web_server_port(const web_server *s)
{
	return s->port;
}

void web_server_stop(web_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
