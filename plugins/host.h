#ifndef HOSO_PLUGINS_HOST_H
#define HOSO_PLUGINS_HOST_H

/* The host side of a plugin call; every function of the API table takes one. */

#include "hoso/plugins.h"
#include "hoso/record.h"

struct hoso_host {
	hoso_repo *repo;           /* NULL while a plugin is only being loaded */
	const char *plugin;        /* the name, for messages */
	hoso_problems *problems;   /* where findings go; may be NULL */
	char error[512];           /* what the plugin said with set_error */
};

/* The one API table every plugin receives at its entry point. */
extern const hoso_host_api hoso_host_api_table;

#endif
