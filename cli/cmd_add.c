#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unit", "U", 0, N_("the unit the record belongs to (default: the replica's own)") },
	{ "file", "F", 0, N_("read the record from a JSON file ('-' for stdin)") },
	{ NULL, NULL, 0, NULL }
};

/* Read a record file of at most HOSO_RECORD_MAX_BYTES (plus one, to notice more). */
static int read_record_file(json_t **out, const char *path, hoso_problems *problems)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = HOSO_RECORD_MAX_BYTES + 1, n;
	struct stat st;
	char *buf;
	int error;

	*out = NULL;
	if (!fp)
		return cli_error(EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) < 0)
		st.st_mode = 0; /* not known: read as a stream */
	if (S_ISDIR(st.st_mode)) {
		if (fp != stdin)
			fclose(fp);
		return cli_error(EXIT_USAGE, "cannot read '%s': it is a directory", path);
	}
	if (S_ISREG(st.st_mode) && st.st_size > HOSO_RECORD_MAX_BYTES) {
		/* refused by its size, unread */
		hoso_problems_add(problems, HOSO_SEVERITY_ERROR, path, 0, NULL, "size",
			"record is %lld bytes, more than the limit of %d", (long long)st.st_size,
			HOSO_RECORD_MAX_BYTES);
		if (fp != stdin)
			fclose(fp);
		return EXIT_DATA;
	}
	if (!(buf = malloc(cap))) {
		if (fp != stdin)
			fclose(fp);
		return cli_error(EXIT_FAILURE_, "out of memory");
	}
	n = fread(buf, 1, cap, fp);
	if (ferror(fp))
		error = cli_error(EXIT_FAILURE_, "cannot read '%s': %s", path, strerror(errno));
	else if (n > HOSO_RECORD_MAX_BYTES)
		/* a stream: its size is not known, only that it is too large */
		error = hoso_problems_add(problems, HOSO_SEVERITY_ERROR, NULL, 0, NULL, "size",
			"record is more than the limit of %d bytes", HOSO_RECORD_MAX_BYTES) < 0 ?
			EXIT_FAILURE_ : EXIT_DATA;
	else if (hoso_json_parse(out, buf, n, problems) < 0)
		error = EXIT_DATA;
	else
		error = 0;
	hoso_problems_locate(problems, 0, path, 0);
	if (fp != stdin)
		fclose(fp);
	free(buf);
	return error;
}

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	const hoso_schema *schema;
	const char *unit, *file = cli_get(args, "file"), *given;
	hoso_problems *problems = NULL;
	hoso_txn *txn = NULL;
	json_t *record = NULL;
	char id[HOSO_ID_LEN + 1], message[256];
	int rc = EXIT_OK, error;

	if (args->npos < 1)
		return cli_usage(args->cmd, "which record type?");
	if (!(schema = cli_type(args->cmd, repo, args->pos[0])))
		return EXIT_USAGE;
	if (!(unit = cli_unit(args, repo, &rc)))
		return rc;
	if (file && args->npos > 1)
		return cli_usage(args->cmd, "give fields or --file, not both");
	if (hoso_problems_new(&problems) < 0)
		return cli_fail(HOSO_ERROR);

	if (file) {
		if ((rc = read_record_file(&record, file, problems)) != 0) {
			if (hoso_problems_count(problems))
				rc = cli_problems(problems);
			goto done;
		}
		given = json_string_value(json_object_get(record, "type"));
		if (json_object_get(record, "type") && (!given || strcmp(given, args->pos[0]) != 0)) {
			rc = cli_error(EXIT_DATA, "%s: field 'type': the record is a '%s', not a '%s'",
				file, given ? given : "(not a string)", args->pos[0]);
			goto done;
		}
	} else {
		record = json_object();
		if ((error = cli_set_fields(record, schema, args->pos + 1, args->npos - 1, problems)) < 0) {
			rc = cli_problems(problems);
			if (error == HOSO_EUSAGE)
				rc = EXIT_USAGE;
			goto done;
		}
	}
	json_object_set_new(record, "type", json_string(args->pos[0]));
	if (!(wopts = cli_write_options(repo, problems))) {
		rc = EXIT_DATA;
		goto done;
	}
	if ((error = hoso_txn_begin(&txn, repo, wopts)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	if ((error = hoso_txn_put(txn, unit, record, HOSO_PUT_CREATE, file, 0, problems, id)) < 0) {
		rc = hoso_problems_count(problems) ? cli_problems(problems) : cli_fail(error);
		goto done;
	}
	hoso_record_commit_message(message, sizeof(message), "add", args->pos[0], id, unit, record,
		NULL);
	if ((rc = cli_commit(txn, message, NULL, problems)) == EXIT_OK)
		printf("%s\n", id);
done:
	hoso_txn_free(txn);
	json_decref(record);
	hoso_problems_free(problems);
	return rc;
}

const cli_command cmd_add = {
	"add", N_("add a record and print its new id"),
	"TYPE [--unit U] (FIELD=VALUE | FIELD:=JSON)... | --file F", options, 1, run
};
