#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <openssl/evp.h>

#include "hoso/plugins.h"
#include "host.h"
#include "common.h"

struct hoso_loaded_plugin {
	void *handle;
	const hoso_plugin *desc;
	char *path;
	char sha256[65];
};

int hoso_sha256_file(char out[65], const char *path)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = NULL;
	FILE *fp = fopen(path, "rb");
	size_t n;
	int error = 0;

	if (!fp)
		return hoso_error_set(HOSO_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
	if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		error = hoso_error_set(HOSO_ERROR, "cannot hash '%s'", path);
		goto done;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (ferror(fp) || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		error = hoso_error_set(HOSO_ERROR, "cannot read '%s'", path);
		goto done;
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
done:
	EVP_MD_CTX_free(ctx);
	fclose(fp);
	return error;
}

/* "vn-identity" for ".../vn-identity.so". */
static void stem_of(char *out, size_t size, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	snprintf(out, size, "%.*s", (int)(dot && dot > base ? (size_t)(dot - base) : strlen(base)), base);
}

int hoso_plugin_check(const hoso_plugin *desc, const char *path)
{
	const hoso_exporter *x;
	char stem[256];
	int error = HOSO_EPLUGIN;

	stem_of(stem, sizeof(stem), path);
	if (desc->abi_major != HOSO_PLUGIN_ABI_MAJOR) {
		hoso_error_set(error, "plugin '%s' was built for plugin ABI %u; this hoso supports ABI %d",
			stem, desc->abi_major, HOSO_PLUGIN_ABI_MAJOR);
		hoso_error_set_hint("get a version of '%s' built for ABI %d", stem, HOSO_PLUGIN_ABI_MAJOR);
		goto done;
	}
	if (desc->struct_size < offsetof(hoso_plugin, reserved) || !desc->name) {
		hoso_error_set(error, "plugin '%s' has a descriptor too small to be one (%u bytes)", stem,
			desc->struct_size);
		goto done;
	}
	if (strcmp(desc->name, stem) != 0) {
		hoso_error_set(error, "plugin file '%s' says its name is '%s'", path, desc->name);
		hoso_error_set_hint("a plugin's file is named after it: rename it to '%s.so'",
			desc->name);
		goto done;
	}
	/* An export calls all three of an exporter's functions. */
	x = desc->exporter;
	if (x && x->struct_size >= offsetof(hoso_exporter, end) + sizeof(x->end) &&
		(!x->begin || !x->record || !x->end)) {
		hoso_error_set(error, "plugin '%s' has an exporter without its begin, record or end "
			"function", stem);
		hoso_error_set_hint("an exporter of hoso/plugin.h sets all three");
		goto done;
	}
	error = 0;
done:
	return error;
}

int hoso_plugin_open(hoso_loaded_plugin **out, const char *path, const char *pinned_sha256)
{
	hoso_loaded_plugin *p = NULL;
	hoso_plugin_entry_fn entry;
	char stem[256];
	int error = HOSO_EPLUGIN;

	*out = NULL;
	stem_of(stem, sizeof(stem), path);
	if (!(p = calloc(1, sizeof(*p))) || !(p->path = strdup(path))) {
		error = hoso_error_set(HOSO_ERROR, "out of memory");
		goto done;
	}
	if (access(path, R_OK) != 0) {
		error = hoso_error_set(HOSO_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	/* A pinned plugin runs only if it is the very file that was pinned. */
	if (pinned_sha256 && (error = hoso_sha256_file(p->sha256, path)) < 0)
		goto done;
	error = HOSO_EPLUGIN;
	if (pinned_sha256 && strcasecmp(pinned_sha256, p->sha256) != 0) {
		hoso_error_set(error, "plugin '%s' is not the file pinned: its sha256 is %s, the pin "
			"is %s", stem, p->sha256, pinned_sha256);
		hoso_error_set_hint("install the pinned version again with 'hoso plugin install', "
			"or ask an admin to pin this one");
		goto done;
	}
	if (!(p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		hoso_error_set(error, "cannot load plugin '%s': %s", stem, dlerror());
		hoso_error_set_hint("is '%s' a plugin built for this system?", path);
		goto done;
	}
	dlerror();
	*(void **)(&entry) = dlsym(p->handle, HOSO_PLUGIN_ENTRY);
	if (!entry) {
		const char *why = dlerror();
		hoso_error_set(error, "'%s' is not a hoso plugin: no entry point %s (%s)", path,
			HOSO_PLUGIN_ENTRY, why ? why : "the symbol is NULL");
		hoso_error_set_hint("a plugin exports hoso_plugin_entry; see hoso/plugin.h");
		goto done;
	}
	if (!(p->desc = entry(&hoso_host_api_table))) {
		hoso_error_set(error, "plugin '%s' refused to load: its entry point returned nothing",
			stem);
		goto done;
	}
	if ((error = hoso_plugin_check(p->desc, path)) < 0)
		goto done;
	*out = p;
	p = NULL;
	error = 0;
done:
	hoso_plugin_close(p);
	return error;
}

void hoso_plugin_close(hoso_loaded_plugin *p)
{
	if (!p)
		return;
	if (p->handle)
		dlclose(p->handle);
	free(p->path);
	free(p);
}

const hoso_plugin *hoso_plugin_descriptor(const hoso_loaded_plugin *p) { return p->desc; }
const char *hoso_plugin_path(const hoso_loaded_plugin *p) { return p->path; }
const char *hoso_plugin_sha256(const hoso_loaded_plugin *p)
{
	/* Hashed when loaded against a pin, else when first asked. */
	if (!p->sha256[0] && hoso_sha256_file(((hoso_loaded_plugin *)p)->sha256, p->path) < 0)
		return "";
	return p->sha256;
}
