#!/bin/bash
# hoso export through the exporter plugins, read back with real readers:
# CSV with Python's csv module (and imported again: the same records),
# JSONL line by line.
. "$(dirname "$0")/lib.sh"
R="$TMP/r.git"
make_repo "$R"
H() { "$HOSO" "$@"; }

member_fields 002080001234 's/Nguyễn Văn An/Nguyễn Văn "Tư", con/'
a=$(H -C "$R" add member --unit 030 "${MF[@]}" 'occupation=Làm ruộng
và chăn nuôi' 'positions=Bí thư;Trưởng thôn' education.general=12/12 2>/dev/null) || fail "add a"
member_fields 002180005678 's/gender=nam/gender=nu/; s/Nguyễn Văn An/Lò Thị Dung/'
b=$(H -C "$R" add member --unit 026 "${MF[@]}" 2>/dev/null) || fail "add b"

# CSV: a BOM, a header from the schema, a row a record, quoting that a reader undoes.
run -C "$R" export csv --type member -o "$TMP/m.csv"
expect_rc 0 "export csv"
[ "$(head -c 3 "$TMP/m.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "the CSV starts with a BOM"
H -C "$R" list member --json > "$TMP/members.json"
python3 - "$TMP/m.csv" "$TMP/members.json" <<'PY' || fail "the CSV read back"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
want = {r["id"]: r for r in json.load(open(sys.argv[2]))}
assert len(rows) == len(want) == 2, (len(rows), len(want))
head = list(rows[0].keys())
assert head[0] == "id" and "education.general" in head and "type" not in head, head
for row in rows:
    r = want[row["id"]]
    for k, v in r.items():
        if k in ("type", "unit"):
            continue
        if isinstance(v, dict):
            for k2, v2 in v.items():
                assert row[k + "." + k2] == v2, (k, k2, row)
        elif isinstance(v, list):
            assert row[k] == ";".join(v), (k, row[k])
        else:
            assert row[k] == str(v), (k, row[k], v)
PY
# Labels: the header and the codes in Vietnamese.
run -C "$R" export csv --type member --labels vi
expect_rc 0 "export csv --labels vi"
printf '%s' "$out" | head -1 | grep -q "Họ và tên khai sinh" || fail "the header in Vietnamese: $(printf '%s' "$out" | head -1)"
printf '%s' "$out" | grep -q ",Nữ," || fail "gender as its label"

# The CSV imports again into another repository: the same records.
make_repo "$TMP/r2.git"
H -C "$R" export jsonl --type organization > "$TMP/orgs.jsonl" || fail "export jsonl organizations"
H -C "$R" export csv --type member --unit 030 -o "$TMP/m030.csv" || fail "export csv of 030"
H -C "$TMP/r2.git" import member "$TMP/m030.csv" --unit 030 >/dev/null 2>&1 || fail "import the exported CSV"
H -C "$TMP/r2.git" list member --json > "$TMP/again.json"
python3 - "$TMP/members.json" "$TMP/again.json" <<'PY' || fail "the round trip"
import json, sys
a = [r for r in json.load(open(sys.argv[1])) if r["unit"] == "030"]
b = json.load(open(sys.argv[2]))
assert a == b, (a, b)
PY

# JSONL: one record a line, each the stored record.
run -C "$R" export jsonl
expect_rc 0 "export jsonl"
printf '%s\n' "$out" > "$TMP/all.jsonl"
python3 - "$TMP/all.jsonl" "$a" "$b" <<'PY' || fail "the JSONL read back"
import json, sys
recs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
ids = [r["id"] for r in recs]
assert len(recs) == 3 and sys.argv[2] in ids and sys.argv[3] in ids, ids
PY
diff <(H -C "$R" show "$a" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); r.pop("unit", None); print(json.dumps(r, sort_keys=True))') \
	<(grep "$a" "$TMP/all.jsonl" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))') >/dev/null ||
	fail "the JSONL line is the stored record"

# SQLite: a table a type, typed columns, references indexed; read back with sqlite3.
run -C "$R" export sqlite -o "$TMP/r.sqlite"
expect_rc 0 "export sqlite"
python3 - "$TMP/r.sqlite" "$a" "$CELL" <<'PY' || fail "the SQLite database read back"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
assert {"member", "organization", "inspection"} <= tables, tables
assert db.execute("select count(*) from member").fetchone()[0] == 2
name, unit, cell, edu, pos = db.execute("select m.full_name, m.unit, o.id, m.education, m.positions "
    "from member m join organization o on o.id = m.cell_id where m.id = ?", (sys.argv[2],)).fetchone()
assert name == 'Nguyễn Văn "Tư", con' and unit == "030" and cell == sys.argv[3], (name, unit, cell)
assert json.loads(edu) == {"general": "12/12"} and json.loads(pos) == ["Bí thư", "Trưởng thôn"], (edu, pos)
types = {r[1]: r[2] for r in db.execute("pragma table_info(evaluation)")}
assert types["year"] == "INTEGER" and types["score"] == "REAL" and types["id"] == "TEXT", types
indexes = {r[0] for r in db.execute("select name from sqlite_master where type = 'index' and tbl_name = 'member'")}
assert "member_cell_id" in indexes and "member_unit" in indexes, indexes
PY

# XLSX: a sheet a type, a header row, dates as dates; read back with openpyxl
# (Debian's python3-openpyxl, for Debian's python3).
run -C "$R" export xlsx --type member --type organization -o "$TMP/r.xlsx"
expect_rc 0 "export xlsx"
/usr/bin/python3 - "$TMP/r.xlsx" "$a" <<'PY' || fail "the workbook read back"
import datetime, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
assert wb.sheetnames == ["member", "organization"], wb.sheetnames
rows = list(wb["member"].iter_rows(values_only=True))
head, body = rows[0], rows[1:]
assert head[0] == "id" and "birth_date" in head and "education.general" in head, head
assert len(body) == 2, len(body)
row = dict(zip(head, next(r for r in body if r[0] == sys.argv[2])))
assert row["birth_date"] == datetime.datetime(1980, 5, 2), row["birth_date"]
assert row["full_name"] == 'Nguyễn Văn "Tư", con' and row["education.general"] == "12/12", row
assert row["positions"] == "Bí thư;Trưởng thôn", row["positions"]
assert len(list(wb["organization"].iter_rows(values_only=True))) == 2
PY

# Members come in Vietnamese order: by given name (a ă â b c d đ e ê ...,
# tones after letters), then the rest.
make_repo "$TMP/o.git"
n=0
for name in "Trần Văn Ê" "Lê Văn Đức" "Hà Thị Ân" "Lê Văn An" "Vũ Văn Em" "Trần Văn An" \
	"Đỗ Thị Ăng" "Phạm Văn Dũng" "Lò Văn Bình" "Lò Văn Bính" "Lò Văn Bỉnh"; do
	n=$((n + 1))
	member_fields "$(printf '00208000%04d' "$n")" "s/Nguyễn Văn An/$name/"
	H -C "$TMP/o.git" add member --unit 030 "${MF[@]}" >/dev/null 2>&1 || fail "add $name"
done
H -C "$TMP/o.git" export csv --type member -o "$TMP/o.csv" || fail "export the names"
python3 - "$TMP/o.csv" <<'PY' || fail "Vietnamese order"
import csv, sys
got = [r["full_name"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))]
want = ["Lê Văn An", "Trần Văn An", "Đỗ Thị Ăng", "Hà Thị Ân", "Lò Văn Bình", "Lò Văn Bỉnh",
        "Lò Văn Bính", "Phạm Văn Dũng", "Lê Văn Đức", "Vũ Văn Em", "Trần Văn Ê"]
assert got == want, got
PY
# The names come from the field index when it is there, else from the records: the same file.
rm -f "$TMP/o.git"/hoso-index.sqlite*
mkdir "$TMP/o.git/hoso-index.sqlite"
H -C "$TMP/o.git" export csv --type member -o "$TMP/o-walk.csv" || fail "export without the index"
cmp -s "$TMP/o.csv" "$TMP/o-walk.csv" || fail "the order is the same with and without the index"

# Refusals: nothing left behind.
run -C "$R" export csv -o "$TMP/two.csv"
expect_rc 2 "a CSV of two types"; expect_err "a CSV file holds one record type: give one --type" "says why"
[ -e "$TMP/two.csv" ] && fail "a failed export left a file"
ls "$TMP" | grep -q "two.csv.tmp" && fail "a failed export left its temporary file"
# What is not a file is written, never replaced (as /dev/null must not be):
# a pipe stays a pipe and its reader gets the export; a link stays a link
# and the file it names gets the export.
mkfifo "$TMP/pipe"
timeout 30 cat "$TMP/pipe" >"$TMP/from-pipe" &
reader=$!
run -C "$R" export csv --type member -o "$TMP/pipe"
expect_rc 0 "export into a pipe"
wait "$reader"
[ -p "$TMP/pipe" ] || fail "the pipe was replaced by a file"
cmp -s "$TMP/from-pipe" "$TMP/m.csv" || fail "the pipe's reader got the export"
: >"$TMP/target.csv"
ln -s target.csv "$TMP/link.csv"
run -C "$R" report annual --year 2023 -o "$TMP/link.csv"
expect_rc 0 "a report through a link"
[ -L "$TMP/link.csv" ] || fail "the link was replaced by a file"
grep -q "2023" "$TMP/target.csv" || fail "the file the link names got the report"
run -C "$R" export pdf
expect_rc 2 "an unknown format"; expect_err "no plugin exports 'pdf'" "names it"
run -C "$R" export csv --type nothing
expect_rc 2 "an unknown type"
finish
