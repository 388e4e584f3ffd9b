#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "hoso/plugins.h"

static const cli_option options[] = {
	{ "json", NULL, 0, N_("print the plugins as JSON") },
	{ "sha256", "H", 0, N_("install only a file with this SHA-256") },
	{ NULL, NULL, 0, NULL }
};

/* fsync the directory holding `path`, so that a rename or unlink in it lasts. */
static int sync_parent(const char *path)
{
	char dir[4400];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')))
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Copy `from` to `to` through a temporary file renamed into place, durably. */
static int copy_file(const char *from, const char *to)
{
	char tmp[4400], buf[65536];
	FILE *in = fopen(from, "rb"), *out = NULL;
	size_t n;
	int ok = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", to, (long)getpid());
	if (in && (out = fopen(tmp, "wb"))) {
		ok = 1;
		while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			ok = fwrite(buf, 1, n, out) == n;
		ok = ok && !ferror(in) && fflush(out) == 0 && fsync(fileno(out)) == 0;
	}
	if (out && fclose(out) != 0)
		ok = 0;
	if (in)
		fclose(in);
	if (ok && rename(tmp, to) == 0)
		return sync_parent(to);
	unlink(tmp);
	return -1;
}

static int install(cli_args *args, hoso_repo *repo)
{
	hoso_loaded_plugin *p = NULL;
	const hoso_plugin *d;
	const char *user = cli_user(repo), *role = user ? hoso_repo_role(repo, user) : NULL;
	const char *from = args->pos[1], *url = NULL;
	char dir[4096], dest[4200], file[4400], tmpdir[4200];
	int rc = EXIT_OK, error;

	if (args->npos != 2)
		return cli_usage(args->cmd, "give the plugin's file or URL");
	if ((error = hoso_plugin_user_dir(dir, sizeof(dir), 1)) < 0)
		return cli_fail(error);
	if (strstr(args->pos[1], "://")) {
		/* Downloaded next to where it goes, then treated as a file. */
		const char *base = strrchr(args->pos[1], '/');
		url = args->pos[1];
		/* Under the URL's own file name: a plugin is named after its file. */
		snprintf(tmpdir, sizeof(tmpdir), "%s/.download-%ld", dir, (long)getpid());
		snprintf(file, sizeof(file), "%s/%s", tmpdir, base && base[1] ? base + 1 : "plugin.so");
		if (mkdir(tmpdir, 0700) < 0 && errno != EEXIST)
			return cli_error(EXIT_FAILURE_, "cannot make '%s': %s", tmpdir, strerror(errno));
		if ((error = hoso_plugin_download(url, file, 0)) < 0) {
			rmdir(tmpdir);
			return cli_fail(error);
		}
		from = file;
	}
	/* The file is checked as a plugin (and against --sha256) before anything is copied. */
	if ((error = hoso_plugin_open(&p, from, cli_get(args, "sha256"))) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	d = hoso_plugin_descriptor(p);
	snprintf(dest, sizeof(dest), "%s/%s.so", dir, d->name);
	if (copy_file(from, dest) < 0) {
		rc = cli_error(EXIT_FAILURE_, "cannot install '%s' into '%s': %s", d->name, dir,
			strerror(errno));
		goto done;
	}
	if (role && strcmp(role, "admin") == 0) {
		if ((error = hoso_repo_pin_plugin(repo, d->name, d->version, hoso_plugin_sha256(p),
			url)) < 0) {
			rc = cli_fail(error);
			goto done;
		}
		cli_info("installed plugin '%s' %s and pinned it in hoso.json (sha256 %s)",
			d->name, d->version ? d->version : "", hoso_plugin_sha256(p));
	} else {
		cli_info("installed plugin '%s' %s into '%s'", d->name,
			d->version ? d->version : "", dir);
		cli_hint("it runs once an admin pins it in hoso.json with 'hoso plugin install'");
	}
done:
	hoso_plugin_close(p);
	if (url) {
		unlink(file);
		rmdir(tmpdir);
	}
	return rc;
}

static int remove_plugin(cli_args *args, hoso_repo *repo)
{
	const char *user = cli_user(repo), *role = user ? hoso_repo_role(repo, user) : NULL;
	char dir[4096], path[4352];
	int error;

	if (args->npos != 2)
		return cli_usage(args->cmd, "give the plugin's name");
	hoso_plugin_user_dir(dir, sizeof(dir), 0);
	snprintf(path, sizeof(path), "%s/%s.so", dir, args->pos[1]);
	/*
	 * The pin goes first: a removal stopped between the two leaves a file
	 * nobody pins (ignored), never a pin without its file (which stops
	 * every write).
	 */
	if (role && strcmp(role, "admin") == 0 &&
		(error = hoso_repo_pin_plugin(repo, args->pos[1], NULL, NULL, NULL)) < 0)
		return cli_fail(error);
	if (unlink(path) == 0) {
		if (sync_parent(path) < 0)
			return cli_error(EXIT_FAILURE_, "cannot sync '%s': %s", dir, strerror(errno));
	} else if (errno != ENOENT) {
		return cli_error(EXIT_FAILURE_, "cannot remove '%s': %s", path, strerror(errno));
	}
	if (role && strcmp(role, "admin") == 0)
		cli_info("removed plugin '%s' and its pin", args->pos[1]);
	else
		cli_info("removed plugin '%s'", args->pos[1]);
	return EXIT_OK;
}

static void kinds(char *out, size_t size, const hoso_plugin *d)
{
	snprintf(out, size, "%s%s%s%s%s", d->validator ? "validator" : "",
		d->validator && (d->exporter || d->report) ? "," : "", d->exporter ? "exporter" : "",
		d->exporter && d->report ? "," : "", d->report ? "report" : "");
}

static int list(cli_args *args, hoso_repo *repo)
{
	hoso_plugin_set *set = NULL;
	hoso_problems *refusals = NULL;
	json_t *arr = json_array();
	size_t i;
	int error;

	if (hoso_problems_new(&refusals) < 0 ||
		(error = hoso_plugin_set_open(&set, repo, cli_builtin_plugin_dir(), refusals)) < 0) {
		json_decref(arr);
		hoso_problems_free(refusals);
		return cli_fail(HOSO_ERROR);
	}
	for (i = 0; i < hoso_plugin_set_count(set); i++) {
		const hoso_loaded_plugin *p = hoso_plugin_set_at(set, i);
		const hoso_plugin *d = hoso_plugin_descriptor(p);
		char k[64];
		kinds(k, sizeof(k), d);
		if (cli_has(args, "json"))
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "name",
				d->name, "version", d->version ? d->version : "", "kinds", k,
				"from", hoso_plugin_set_origin(set, i), "pinned", hoso_plugin_set_pinned(set, i),
				"path", hoso_plugin_path(p), "sha256", hoso_plugin_sha256(p)));
		else
			printf("%-16s %-8s %-24s %-9s %-10s %s\n", d->name, d->version ? d->version : "", k,
				hoso_plugin_set_origin(set, i), hoso_plugin_set_pinned(set, i) ? "pinned" : "not pinned",
				hoso_plugin_path(p));
	}
	if (cli_has(args, "json")) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	cli_problems(refusals);
	json_decref(arr);
	hoso_plugin_set_free(set);
	hoso_problems_free(refusals);
	return EXIT_OK;
}

static int run(cli_args *args, hoso_repo *repo)
{
	if (args->npos == 1 && strcmp(args->pos[0], "list") == 0)
		return list(args, repo);
	if (args->npos >= 1 && strcmp(args->pos[0], "install") == 0)
		return install(args, repo);
	if (args->npos >= 1 && strcmp(args->pos[0], "remove") == 0)
		return remove_plugin(args, repo);
	return cli_usage(args->cmd, "list, install FILE or remove NAME?");
}

const cli_command cmd_plugin = {
	"plugin", N_("the plugins hoso runs: where each came from, its version and kinds"),
	"list [--json] | install FILE|URL [--sha256 H] | remove NAME", options, 1, run
};
