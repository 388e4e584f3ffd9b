#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const cli_option options[] = {
	{ "unit", "U", 0, N_("the unit the records belong to (default: the replica's own)") },
	{ "update", NULL, 0, N_("a row whose id exists patches that record's given fields") },
	{ NULL, NULL, 0, NULL }
};

typedef struct {
	hoso_txn *txn;
	const hoso_schema *schema;
	const char *type, *unit, *file;
	int update;
	hoso_problems *problems;
	size_t rows, added, updated;
	json_t *lines;  /* record id -> its line, to place what the rules across records find */
} import_state;


static int each_row(json_t *row, size_t line, int texts, void *payload)
{
	import_state *st = payload;
	size_t before = hoso_problems_count(st->problems);
	const char *given = json_string_value(json_object_get(row, "type"));
	const char *id = json_string_value(json_object_get(row, "id"));
	hoso_put_mode mode = HOSO_PUT_CREATE;
	json_t *record = NULL, *existing = NULL;
	const char *where_unit = NULL;
	char put_id[HOSO_ID_LEN + 1] = "";
	int error = 0;

	st->rows++;
	if (st->rows % 1000 == 0)
		cli_progress("checking rows", st->rows, 0);
	/* A JSONL row is kept (a new reference): the reader drops its row after this call. */
	if (hoso_import_row_record(&record, row, texts, st->schema, st->problems) < 0)
		error = HOSO_EINVALID;
	if (json_object_get(row, "type") && (!given || strcmp(given, st->type) != 0)) {
		hoso_problems_add(st->problems, HOSO_SEVERITY_ERROR, NULL, 0, "type", "const",
			"the row is a '%s', not a '%s'", given ? given : "(not a string)", st->type);
		error = HOSO_EINVALID;
	}
	if (error == 0 && st->update && id && hoso_id_valid(id) &&
		hoso_txn_get(&existing, &where_unit, st->txn, id) == 0) {
		if (strcmp(where_unit, st->unit) != 0) {
			hoso_problems_add(st->problems, HOSO_SEVERITY_ERROR, NULL, 0, "id", "unit",
				"record '%s' belongs to unit '%s', not '%s'", id, where_unit, st->unit);
			error = HOSO_EINVALID;
		} else {
			json_object_update_recursive(existing, record);
			json_decref(record);
			record = existing;
			existing = NULL;
			mode = HOSO_PUT_REPLACE;
		}
	}
	if (error == 0) {
		json_object_set_new(record, "type", json_string(st->type));
		error = hoso_txn_put(st->txn, st->unit, record, mode, st->file, line, st->problems, put_id);
		if (error == 0)
			json_object_set_new(st->lines, put_id, json_integer((json_int_t)line));
	}
	hoso_problems_locate(st->problems, before, st->file, line);
	if (error == 0 && mode == HOSO_PUT_REPLACE)
		st->updated++;
	else if (error == 0)
		st->added++;
	json_decref(existing);
	json_decref(record);
	/* Bad rows are reported and reading goes on, up to a limit; other failures stop. */
	if (error < 0 && error != HOSO_EINVALID && error != HOSO_EEXISTS && error != HOSO_ENOTFOUND)
		return error;
	if (hoso_problems_errors(st->problems) >= HOSO_IMPORT_MAX_ERRORS) {
		/* of the file, not of a line */
		hoso_problems_add(st->problems, HOSO_SEVERITY_ERROR, st->file, 0, NULL, "import",
			"%zu errors; the rest of the file, after line %zu, was not read",
			hoso_problems_errors(st->problems), line);
		return HOSO_EINVALID;
	}
	return 0;
}

/* Findings about imported records are placed at their rows. */
static void place(import_state *st)
{
	size_t i;

	for (i = 0; i < hoso_problems_count(st->problems); i++) {
		const hoso_problem *p = hoso_problems_get(st->problems, i);
		const json_t *line = p->record ? json_object_get(st->lines, p->record) : NULL;

		if (!p->where && line)
			hoso_problems_place(st->problems, i, st->file, (size_t)json_integer_value(line));
	}
}

/* How many distinct lines have an error (one about the whole file is not a line's). */
static size_t bad_lines(const hoso_problems *problems)
{
	size_t i, n = 0, last = 0;

	for (i = 0; i < hoso_problems_count(problems); i++) {
		const hoso_problem *p = hoso_problems_get(problems, i);
		if (p->severity == HOSO_SEVERITY_ERROR && p->line && (n == 0 || p->line != last)) {
			n++;
			last = p->line;
		}
	}
	return n;
}

static int run(cli_args *args, hoso_repo *repo)
{
	const hoso_txn_options *wopts;
	import_state st = { 0 };
	hoso_import_format format;
	struct stat sb;
	FILE *fp = NULL;
	git_oid commit;
	char message[512];
	int rc = EXIT_OK, error;

	if (args->npos != 2)
		return cli_usage(args->cmd, "give a record type and a file");
	st.type = args->pos[0];
	st.file = args->pos[1];
	st.update = cli_has(args, "update");
	if (!(st.schema = cli_type(args->cmd, repo, st.type)))
		return EXIT_USAGE;
	if (!(st.unit = cli_unit(args, repo, &rc)))
		return rc;
	if (!(format = hoso_import_format_of(st.file)))
		return cli_usage(args->cmd, "'%s': give a .csv or a .jsonl file", st.file);
	if (!(fp = fopen(st.file, "rb")))
		return cli_error(EXIT_USAGE, "cannot open '%s': %s", st.file, strerror(errno));
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		rc = cli_error(EXIT_USAGE, "cannot read '%s': it is a directory", st.file);
		goto done;
	}
	if (!(st.lines = json_object()) || hoso_problems_new(&st.problems) < 0) {
		rc = cli_fail(HOSO_ERROR);
		goto done;
	}
	if (!(wopts = cli_write_options(repo, st.problems))) {
		rc = EXIT_DATA;
		goto done;
	}
	if ((error = hoso_txn_begin(&st.txn, repo, wopts)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	error = hoso_import_read(fp, st.file, format, each_row, &st, st.problems);
	cli_progress_end();
	if (error < 0 && error != HOSO_EINVALID) {
		rc = cli_fail(error);
		goto done;
	}
	if (hoso_problems_errors(st.problems)) {
		rc = cli_problems(st.problems);
		if (bad_lines(st.problems))
			cli_error(EXIT_DATA, "'%s': %zu rows are not valid; nothing was imported",
				st.file, bad_lines(st.problems));
		else
			cli_error(EXIT_DATA, "'%s': nothing was imported", st.file);
		cli_hint("fix the rows above and import the file again");
		goto done;
	}
	if (st.rows == 0) {
		rc = cli_error(EXIT_DATA, "'%s' has no rows: nothing was imported", st.file);
		cli_hint(format == HOSO_FORMAT_CSV ? "the first line names the fields; each line "
			"after it is a record" : "each line is a record, a JSON object");
		goto done;
	}
	snprintf(message, sizeof(message), "import %zu %s records into %s\n\n"
		"from %s: %zu new, %zu updated\n", st.added + st.updated, st.type, st.unit,
		st.file, st.added, st.updated);
	if (hoso_txn_count(st.txn) == 0) {
		cli_info("'%s' changes nothing", st.file);
		goto done;
	}
	if (isatty(2))
		fprintf(stderr, _("writing %zu records..."), st.added + st.updated);
	error = hoso_txn_commit(st.txn, message, &commit);
	place(&st);
	if ((rc = cli_committed(error, st.problems)) != EXIT_OK)
		goto done;
	cli_info(ngettext("imported %zu %s record into unit %s (%zu new, %zu updated) in commit %.12s",
		"imported %zu %s records into unit %s (%zu new, %zu updated) in commit %.12s",
		st.added + st.updated), st.added + st.updated, st.type, st.unit, st.added, st.updated,
		git_oid_tostr_s(&commit));
done:
	hoso_txn_free(st.txn);
	hoso_problems_free(st.problems);
	json_decref(st.lines);
	if (fp)
		fclose(fp);
	return rc;
}

const cli_command cmd_import = {
	"import", N_("import a CSV or JSONL file as one commit: all rows or none"),
	"TYPE FILE.csv|FILE.jsonl [--unit U] [--update]", options, 1, run
};
