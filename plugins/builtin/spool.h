#ifndef HOSO_BUILTIN_SPOOL_H
#define HOSO_BUILTIN_SPOOL_H

/*
 * A temporary file for the exporters whose libraries want a file, not a
 * stream (SQLite, libxlsxwriter): made in $TMPDIR (else /tmp), then copied
 * through the host's write and removed. Header-only, on plugin.h.
 */

#include <hoso/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A new empty file's path in `path`: 0, or -1. */
static inline int spool_make(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, size, "%s/hoso-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		path[0] = '\0';
		return -1;
	}
	close(fd);
	return 0;
}

/* The file's bytes through api->write: 0, or -1. */
static inline int spool_copy(const hoso_host_api *api, hoso_host *host, const char *path)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = f ? 0 : -1;

	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		rc = api->write(host, buf, n);
	if (f && ferror(f))
		rc = -1;
	if (f)
		fclose(f);
	return rc;
}

#endif
