/*
 * The loader's checks of a plugin's descriptor (hoso_plugin_check), without
 * dlopen: the descriptor and its tables are built from the input (ABI,
 * sizes, names, which functions and lists are there), each in memory of
 * exactly the size it claims, so that a read past what the plugin declared
 * is caught. A descriptor the loader accepts is then used as the host uses
 * one (plugins/registry.c, cli/cmd_plugin.c): the tables it picks by their
 * size, the functions it calls, the lists it reads. Invariants: a refusal
 * is HOSO_EPLUGIN and names the plugin; an accepted descriptor is safe to use.
 */
#include <hoso/plugin.h>
#include <hoso/plugins.h>

#include "host.h"
#include "fuzz.h"

/* The input, consumed from the front. */
typedef struct {
	const uint8_t *p;
	size_t n;
} input;

static unsigned byte(input *in)
{
	unsigned b = 0;

	if (in->n) {
		b = *in->p++;
		in->n--;
	}
	return b;
}

static uint32_t u32(input *in)
{
	uint32_t v = byte(in);

	v |= (uint32_t)byte(in) << 8;
	v |= (uint32_t)byte(in) << 16;
	return v | (uint32_t)byte(in) << 24;
}

/* Memory the test frees at the end of the run. */
static void *kept[64];
static size_t nkept;

static void *keep(size_t size)
{
	void *p;

	if (nkept == sizeof(kept) / sizeof(kept[0]) || !(p = calloc(1, size ? size : 1)))
		abort();
	return kept[nkept++] = p;
}

/* A string of the input (length byte first), the file's stem, or NULL. */
static const char *string(input *in, const char *stem)
{
	unsigned kind = byte(in) % 4, len;
	char *s;

	if (kind == 0)
		return NULL;
	if (kind == 1 && stem)
		return stem;
	len = byte(in) % 48;
	s = keep(len + 1);
	while (len-- > 0 && in->n)
		s[strlen(s)] = (char)(byte(in) | 1);
	return s;
}

/* A NULL-terminated list of 0 to 3 strings, or NULL. */
static const char *const *list(input *in)
{
	unsigned n = byte(in) % 5, i;
	const char **l;

	if (n == 4)
		return NULL;
	l = keep((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		if (!(l[i] = string(in, NULL)))
			l[i] = "member";
	return (const char *const *)l;
}

/*
 * The struct_size a plugin's table says, and the memory it has: its own
 * size for a plugin built with this header, or an older header's (smaller),
 * or a newer one's (larger), or any.
 */
static size_t size_of(input *in, size_t full, size_t *mem)
{
	unsigned kind = byte(in) % 4;
	size_t size = full;

	if (kind == 1)
		size = full - 8 * (byte(in) % (full / 8));
	else if (kind == 2)
		size = full + 8 * (byte(in) % 16);
	else if (kind == 3)
		size = u32(in) & 0xFFFF;
	/* Every table at least holds its struct_size (and the descriptor its ABI). */
	*mem = size < 8 ? 8 : size;
	return size;
}

/* What a table of `full` bytes that claims `size` holds: its first `mem` bytes. */
static void *table(const void *full, size_t fullsize, size_t mem)
{
	void *t = keep(mem);

	memcpy(t, full, mem < fullsize ? mem : fullsize);
	return t;
}

static int calls;

static void *stub_init(hoso_host *host) { (void)host; calls++; return &calls; }
static void stub_shutdown(void *state) { (void)state; calls++; }
static int stub_check_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	(void)state; (void)host; (void)type; (void)unit; (void)json; (void)len;
	return calls++ & 0;
}
static int stub_check_set(void *state, hoso_host *host, const char *const *ids, size_t n)
{
	(void)state; (void)host; (void)ids; (void)n;
	return calls++ & 0;
}
static int stub_begin(void *state, hoso_host *host, const char *type)
{
	(void)state; (void)host; (void)type;
	return calls++ & 0;
}
static int stub_record(void *state, hoso_host *host, const char *type, const char *unit,
	const char *json, size_t len)
{
	(void)state; (void)host; (void)type; (void)unit; (void)json; (void)len;
	return calls++ & 0;
}
static int stub_end(void *state, hoso_host *host) { (void)state; (void)host; return calls++ & 0; }
static int stub_run(void *state, hoso_host *host, const char *format)
{
	(void)state; (void)host; (void)format;
	return calls++ & 0;
}

/* Read a string, or a NULL-terminated list to its end, as the host does. */
static volatile size_t read_bytes;

static void read_string(const char *s)
{
	read_bytes += strlen(s);
}

static size_t walk(const char *const *l)
{
	size_t n = 0;

	while (l && l[n])
		read_string(l[n++]);
	return n;
}

#define COVERS(t, field) ((t)->struct_size >= offsetof(__typeof__(*(t)), field) + sizeof((t)->field))

/* What the host does with an accepted descriptor, in the order of a command's life. */
static void use(const hoso_plugin *d)
{
	const hoso_validator *v = d->validator;
	const hoso_exporter *x = d->exporter;
	const hoso_report *r = d->report;
	void *state = NULL;

	/* hoso plugin list, install: the name and version. */
	FUZZ_ASSERT(strlen(d->name) < 256, "an accepted name of %zu bytes", strlen(d->name));
	if (d->version)
		read_string(d->version);
	if (d->init)
		state = d->init(NULL);
	/* registry.c validator_of, checks_type, check_in, gather_fields, check_ids. */
	if (v && COVERS(v, check_set)) {
		walk(v->types);
		if (v->check_record)
			v->check_record(state, NULL, "member", "u", "{}\n", 3);
		if (COVERS(v, indexes) && v->indexes)
			walk(v->indexes);
		if (v->check_set)
			v->check_set(state, NULL, NULL, 0);
	}
	/* registry.c hoso_plugin_set_export, for whichever format the exporter has. */
	if (x && COVERS(x, end) && x->format) {
		read_string(x->format);
		x->begin(state, NULL, "member");
		x->record(state, NULL, "member", "u", "{}\n", 3);
		x->end(state, NULL);
	}
	/* registry.c hoso_plugin_set_report. */
	if (r && COVERS(r, run) && r->run && r->formats && walk(r->formats) > 0)
		r->run(state, NULL, r->formats[0]);
	if (d->shutdown)
		d->shutdown(state);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input in = { data, size };
	hoso_plugin full = { 0 };
	hoso_validator vfull = { 0 };
	hoso_exporter xfull = { 0 };
	hoso_report rfull = { 0 };
	const hoso_plugin *desc;
	const char *stem;
	char path[128];
	size_t dsize, mem, i;
	int error;

	nkept = 0;
	stem = string(&in, NULL);
	snprintf(path, sizeof(path), "/nonexistent/plugins/%s.so", stem ? stem : "x");

	full.abi_major = byte(&in) % 4 ? HOSO_PLUGIN_ABI_MAJOR : u32(&in);
	full.struct_size = (uint32_t)(dsize = size_of(&in, sizeof(hoso_plugin), &mem));
	full.name = string(&in, stem ? stem : "x");
	full.version = string(&in, NULL);
	full.license = string(&in, NULL);
	full.description = string(&in, NULL);
	full.init = byte(&in) & 1 ? stub_init : NULL;
	full.shutdown = byte(&in) & 1 ? stub_shutdown : NULL;
	if (byte(&in) & 1) {
		size_t vmem;
		vfull.struct_size = (uint32_t)size_of(&in, sizeof(hoso_validator), &vmem);
		vfull.types = list(&in);
		vfull.check_record = byte(&in) & 1 ? stub_check_record : NULL;
		vfull.check_set = byte(&in) & 1 ? stub_check_set : NULL;
		vfull.indexes = list(&in);
		full.validator = table(&vfull, sizeof(vfull), vmem);
	}
	if (byte(&in) & 1) {
		size_t xmem;
		unsigned fns = byte(&in);
		xfull.struct_size = (uint32_t)size_of(&in, sizeof(hoso_exporter), &xmem);
		xfull.format = string(&in, NULL);
		xfull.extension = string(&in, NULL);
		xfull.begin = fns & 1 ? stub_begin : NULL;
		xfull.record = fns & 2 ? stub_record : NULL;
		xfull.end = fns & 4 ? stub_end : NULL;
		full.exporter = table(&xfull, sizeof(xfull), xmem);
	}
	if (byte(&in) & 1) {
		size_t rmem;
		rfull.struct_size = (uint32_t)size_of(&in, sizeof(hoso_report), &rmem);
		rfull.formats = list(&in);
		rfull.run = byte(&in) & 1 ? stub_run : NULL;
		full.report = table(&rfull, sizeof(rfull), rmem);
	}
	desc = table(&full, sizeof(full), mem);
	(void)dsize;

	error = hoso_plugin_check(desc, path);
	if (error < 0) {
		FUZZ_ASSERT(error == HOSO_EPLUGIN, "check returned %d", error);
		FUZZ_ASSERT(strstr(hoso_error_last(), "plugin") != NULL, "a refusal that names no plugin: %s",
			hoso_error_last());
	} else {
		use(desc);
	}
	for (i = 0; i < nkept; i++)
		free(kept[i]);
	nkept = 0;
	return 0;
}
