#ifndef HOSO_WEB_SERVE_H
#define HOSO_WEB_SERVE_H

/* The HTTP server of `hoso serve` (libmicrohttpd), answering with web_handle. */

#include "web.h"

typedef struct web_server web_server;

/*
 * Listen on `address` (IPv4, e.g. "127.0.0.1") and `port` (0: any free
 * one): 0, -1 when the server cannot start, -2 for a bad address.
 */
int web_server_start(web_server **out, web_app *app, const char *address, unsigned short port);
/* The port listened on. */
unsigned short web_server_port(const web_server *s);
void web_server_stop(web_server *s);

#endif
