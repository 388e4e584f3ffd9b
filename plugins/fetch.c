#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "hoso/plugins.h"
#include "common.h"

/* A plugin is small: refuse a download larger than this. */
#define PLUGIN_MAX_BYTES (64L << 20)

int hoso_plugin_download(const char *url, const char *path, unsigned int timeout_s)
{
	char why[CURL_ERROR_SIZE] = "";
	FILE *out = NULL;
	CURL *curl = NULL;
	CURLcode rc;
	long status = 0;
	int error = 0;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return hoso_error_set(HOSO_EUSAGE, "'%s' is not an http or https URL", url);
	if (!(out = fopen(path, "wb")))
		return hoso_error_set(HOSO_ERROR, "cannot write '%s': %s", path, strerror(errno));
	if (!(curl = curl_easy_init())) {
		error = hoso_error_set(HOSO_ERROR, "cannot start a download");
		goto done;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PLUGIN_MAX_BYTES);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)(timeout_s ? timeout_s : 120));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, why);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_HTTP_RETURNED_ERROR)
		error = hoso_error_set(HOSO_ENOTFOUND, "cannot download '%s': the server answered %ld",
			url, status);
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		rc == CURLE_OPERATION_TIMEDOUT)
		error = hoso_error_set(HOSO_EOFFLINE, "cannot download '%s': %s", url,
			why[0] ? why : curl_easy_strerror(rc));
	else if (rc != CURLE_OK)
		error = hoso_error_set(HOSO_ERROR, "cannot download '%s': %s", url,
			why[0] ? why : curl_easy_strerror(rc));
done:
	if (curl)
		curl_easy_cleanup(curl);
	/* On disk before it is renamed into place (hoso_plugin_fetch_pinned). */
	if (error == 0 && (fflush(out) != 0 || fsync(fileno(out)) < 0))
		error = hoso_error_set(HOSO_ERROR, "cannot write '%s': %s", path, strerror(errno));
	if (fclose(out) != 0 && error == 0)
		error = hoso_error_set(HOSO_ERROR, "cannot write '%s': %s", path, strerror(errno));
	if (error < 0)
		unlink(path);
	return error;
}
