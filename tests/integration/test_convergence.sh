#!/bin/bash
# Convergence through a real hub (lighttpd + git http-backend): four replicas
# (the province, 02; two clerks of district 026; one of 030), each with its own
# hub user, do random adds, field edits, deliberate same-field clashes, edits
# against deletions, moves and deletions for several rounds, a random subset
# syncing in a random order after each round. Then every replica syncs twice,
# one after the other, and:
#   - every replica's main (and its tree) is the hub's, and the commit of
#     every operation is in the hub's history;
#   - no record id has two files; each record is where a move that nobody
#     overtook put it (or where it was made, if never moved);
#   - a record missing from the hub was deleted by someone, and no move made
#     without seeing that deletion was lost with it (a move is an edit, and an
#     edit against a deletion stays);
#   - every value written (by add or edit) and not overwritten or deleted by a
#     later operation that had seen it is in the final record, or in a conflict
#     record for that record and field (for an edit against a deletion, in the
#     whole record the conflict keeps); `hoso conflicts --json` lists the
#     conflict records the hub's tree holds;
#   - the git CLI clones the hub, and `git fsck --strict` is clean there, on
#     the hub and on every replica.
# "Had seen" is exact: every operation is one commit, and the check asks the
# hub's history whether one operation's commit is an ancestor of another's.
#
# The random sequence comes from a seed: CONVERGENCE_SEED=N reproduces a run's
# operations and sync orders (which side wins a clash also depends on commit
# times, so the outcome of a clash can differ between two runs).
# CONVERGENCE_ROUNDS=N changes the number of rounds (default 8);
# CONVERGENCE_JOURNAL=FILE keeps the journal of every operation (JSON lines).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"

seed=${CONVERGENCE_SEED:-20240917}
rounds=${CONVERGENCE_ROUNDS:-8}
echo "convergence: seed $seed, $rounds rounds (reproduce with CONVERGENCE_SEED=$seed)"

make_repo "$TMP/seed.git"
hub_start
hub_add_repo records "$TMP/seed.git"
hubrepo=$(hub_repo records)
url=$(hub_repo_url records)

# name unit user password: one hub user per replica, passwords by environment.
REPLICAS="p 02 province province-pw
a 026 clerk-026 pw-026
b 030 clerk-027 pw-027
c 026 admin admin-pw"
while read -r name unit user pw; do
	HOSO_USER=$user HOSO_PASSWORD=$pw run clone "$url" "$TMP/r-$name" --unit "$unit"
	expect_rc 0 "clone of replica $name for unit $unit"
done <<<"$REPLICAS"
[ "$failures" = 0 ] || finish

cat >"$TMP/convergence.py" <<'PYEOF'
import datetime, json, os, random, re, subprocess, sys, time

HOSO = os.environ["HOSO"]
TMP = os.environ["TMP"]
JOURNAL = os.path.join(TMP, "journal.jsonl")
SECTORS = ["xa", "phuong", "thi_tran", "thon_ban", "to_dan_pho", "co_quan_nha_nuoc",
           "su_nghiep_giao_duc", "su_nghiep_y_te", "hop_tac_xa", "doanh_nghiep_nha_nuoc"]
FIELDS = ["name", "sector", "founded_on", "admin_unit"]
UNITS = ["02", "030", "026"]


class Stop(Exception):
    pass


def replicas():
    out = []
    for line in os.environ["REPLICAS"].splitlines():
        name, unit, user, pw = line.split()
        out.append({"name": name, "unit": unit, "user": user, "pw": pw,
                    "dir": os.path.join(TMP, "r-" + name), "view": {}})
    return out


def hoso(r, *args, sync=False):
    env = dict(os.environ)
    env.pop("HOSO_USER", None)
    env.pop("HOSO_PASSWORD", None)
    if sync:
        env["HOSO_USER"], env["HOSO_PASSWORD"] = r["user"], r["pw"]
    p = subprocess.run([HOSO, "-C", r["dir"]] + list(args), env=env, capture_output=True,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def git(d, *args, data=None):
    return subprocess.run(["git", "-C", d] + list(args), input=data, capture_output=True,
                          check=True).stdout


def tip(r):
    return git(r["dir"], "rev-parse", "main").decode().strip()


# ---------------------------------------------------------------- the run

def simulate(seed, rounds):
    rng = random.Random(seed)
    reps = replicas()
    handle = {}      # record id -> creation number: choices do not depend on the ULIDs
    counter = [0]
    stats = {"add": 0, "edit": 0, "move": 0, "rm": 0, "sync": 0, "clash": 0,
             "sync_conflicts": 0}
    journal = open(JOURNAL, "w")
    t0 = time.monotonic()

    def nxt():
        counter[0] += 1
        return counter[0]

    def refresh(r):
        rc, out, err = hoso(r, "list", "organization", "--json")
        if rc != 0:
            raise Stop("hoso list on replica %s: exit %d: %s" % (r["name"], rc, err.strip()))
        r["view"] = {rec["id"]: rec for rec in json.loads(out)}

    def log(entry):
        journal.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        journal.flush()

    def commit_of(r, before, what):
        after = tip(r)
        if after == before:
            raise Stop("%s on replica %s made no commit" % (what, r["name"]))
        return after

    def eligible(r):
        """Records the replica may change: the province any, a district its own unit's."""
        ids = [i for i, rec in r["view"].items()
               if i in handle and (r["unit"] == "02" or rec["unit"] == r["unit"])]
        return sorted(ids, key=lambda i: handle[i])

    def value(r, rid, field, avoid=()):
        n = nxt()
        if field == "name":
            return "Tổ đảng %s số %d" % (r["name"].upper(), n)
        if field == "founded_on":
            return (datetime.date(1930, 2, 3) + datetime.timedelta(days=n)).isoformat()
        if field == "admin_unit":
            return "%05d" % (700 + n)
        current = r["view"].get(rid, {}).get("sector")
        i = rng.randrange(len(SECTORS))
        while SECTORS[i] == current or SECTORS[i] in avoid:
            i = (i + 1) % len(SECTORS)
        return SECTORS[i]

    def op_add(r, rnd):
        unit = r["unit"]
        if r["unit"] == "02" and rng.random() < 0.5:
            unit = rng.choice(UNITS)
        fields = {"level": "to_dang", "name": value(r, None, "name")}
        before = tip(r)
        rc, out, err = hoso(r, "add", "organization", "--unit", unit,
                            *["%s=%s" % kv for kv in sorted(fields.items())])
        if rc != 0:
            raise Stop("add on replica %s: exit %d: %s" % (r["name"], rc, err.strip()))
        rid = out.strip()
        handle[rid] = len(handle)
        c = commit_of(r, before, "add")
        r["view"][rid] = dict(fields, id=rid, type="organization", unit=unit)
        log({"op": "add", "replica": r["name"], "round": rnd, "commit": c, "id": rid,
             "unit": unit, "fields": fields})
        stats["add"] += 1
        return rid

    def op_edit(r, rnd, rid, fields, clash=False):
        before = tip(r)
        rc, out, err = hoso(r, "edit", rid, *["%s=%s" % kv for kv in sorted(fields.items())])
        if rc != 0:
            raise Stop("edit %s %s on replica %s: exit %d: %s" % (rid, fields, r["name"], rc,
                                                                  err.strip()))
        c = commit_of(r, before, "edit %s" % rid)
        r["view"][rid].update(fields)
        log({"op": "edit", "replica": r["name"], "round": rnd, "commit": c, "id": rid,
             "fields": fields, "clash": clash})
        stats["edit"] += 1

    def op_move(r, rnd, rid, unit, clash=False):
        before = tip(r)
        rc, out, err = hoso(r, "edit", rid, "--unit", unit)
        if rc != 0:
            raise Stop("move %s to %s on replica %s: exit %d: %s" % (rid, unit, r["name"], rc,
                                                                    err.strip()))
        c = commit_of(r, before, "move %s" % rid)
        r["view"][rid]["unit"] = unit
        log({"op": "move", "replica": r["name"], "round": rnd, "commit": c, "id": rid,
             "unit": unit, "clash": clash})
        stats["move"] += 1

    def op_rm(r, rnd, rid, clash=False):
        before = tip(r)
        rc, out, err = hoso(r, "rm", rid)
        if rc != 0:
            raise Stop("rm %s on replica %s: exit %d: %s" % (rid, r["name"], rc, err.strip()))
        c = commit_of(r, before, "rm %s" % rid)
        del r["view"][rid]
        log({"op": "rm", "replica": r["name"], "round": rnd, "commit": c, "id": rid,
             "clash": clash})
        stats["rm"] += 1

    def move_target(r, rid):
        """Another unit for the record; a district's clerk may write no other unit: None."""
        if r["unit"] != "02":
            return None
        here = r["view"][rid]["unit"]
        return rng.choice([u for u in UNITS if u != here])

    def clash(rnd):
        """Two replicas change the same record before either syncs."""
        pairs = []
        for r1 in reps:
            for r2 in reps:
                if r1 is not r2:
                    common = [i for i in eligible(r1) if i in set(eligible(r2))]
                    if common:
                        pairs.append((r1, r2, common))
        if not pairs:
            return
        r1, r2, common = rng.choice(pairs)
        rid = rng.choice(common)
        kind = rng.choices(["field", "delete", "move", "move-delete"], weights=[4, 1, 1, 1])[0]
        if kind.startswith("move") and r1["unit"] != "02":
            # Only the province moves a record out of a unit.
            if r2["unit"] != "02":
                kind = "field"
            else:
                r1, r2 = r2, r1
        stats["clash"] += 1
        if kind == "field":
            field = rng.choice(FIELDS)
            v1 = value(r1, rid, field)
            v2 = value(r2, rid, field, avoid=(v1,))
            op_edit(r1, rnd, rid, {field: v1}, clash=True)
            op_edit(r2, rnd, rid, {field: v2}, clash=True)
        elif kind == "delete":
            field = rng.choice(FIELDS)
            op_edit(r1, rnd, rid, {field: value(r1, rid, field)}, clash=True)
            op_rm(r2, rnd, rid, clash=True)
        elif kind == "move":
            op_move(r1, rnd, rid, move_target(r1, rid), clash=True)
            field = rng.choice(FIELDS)
            op_edit(r2, rnd, rid, {field: value(r2, rid, field)}, clash=True)
        else:
            op_move(r1, rnd, rid, move_target(r1, rid), clash=True)
            op_rm(r2, rnd, rid, clash=True)

    def random_op(r, rnd):
        pool = eligible(r)
        kind = rng.choices(["add", "edit", "edit2", "move", "rm"], weights=[3, 5, 1, 1, 1])[0]
        if kind == "add" or not pool or (kind == "rm" and len(pool) < 3):
            op_add(r, rnd)
            return
        rid = rng.choice(pool)
        if kind == "edit":
            field = rng.choice(FIELDS)
            op_edit(r, rnd, rid, {field: value(r, rid, field)})
        elif kind == "edit2":
            fields = rng.sample(FIELDS, 2)
            op_edit(r, rnd, rid, {f: value(r, rid, f) for f in fields})
        elif kind == "move" and move_target(r, rid):
            op_move(r, rnd, rid, move_target(r, rid))
        elif kind == "move":
            field = rng.choice(FIELDS)
            op_edit(r, rnd, rid, {field: value(r, rid, field)})
        else:
            op_rm(r, rnd, rid)

    def sync(r, rnd):
        rc, out, err = hoso(r, "sync", sync=True)
        if rc != 0:
            raise Stop("sync of replica %s in round %d: exit %d: %s" % (r["name"], rnd, rc,
                                                                       err.strip()))
        stats["sync"] += 1
        m = re.search(r"^hoso: synced: .* (\d+) conflicts? \(", err, re.M)
        if not m:
            raise Stop("sync of replica %s in round %d said: %s" % (r["name"], rnd, err.strip()))
        stats["sync_conflicts"] += int(m.group(1))
        refresh(r)
        log({"op": "sync", "replica": r["name"], "round": rnd, "commit": tip(r)})

    try:
        # Round 0: something to work on; everyone syncs, in a random order.
        for r in reps:
            for _ in range(2):
                op_add(r, 0)
        order = reps[:]
        rng.shuffle(order)
        for r in order:
            sync(r, 0)
        for rnd in range(1, rounds + 1):
            for _ in range(rng.choice([1, 2, 2])):
                clash(rnd)
            order = reps[:]
            rng.shuffle(order)
            for r in order:
                for _ in range(rng.randint(1, 3)):
                    random_op(r, rnd)
            syncing = [r for r in reps if rng.random() < 0.6] or [rng.choice(reps)]
            rng.shuffle(syncing)
            for r in syncing:
                sync(r, rnd)
            print("round %d: synced %s" % (rnd, " ".join(r["name"] for r in syncing)))
    except Stop as e:
        print("FAIL: %s (seed %d)" % (e, seed), file=sys.stderr)
        return 1
    finally:
        journal.close()
        print("run: %(add)d adds, %(edit)d edits, %(move)d moves, %(rm)d deletions, "
              "%(clash)d deliberate clashes, %(sync)d syncs reporting %(sync_conflicts)d "
              "conflicts" % stats + " in %.1f s" % (time.monotonic() - t0))
    return 0


# ---------------------------------------------------------------- the check

def check(hubrepo, conflicts_json):
    failures = []
    fail = failures.append
    ops = [json.loads(line) for line in open(JOURNAL, encoding="utf-8")]
    ops = [o for o in ops if o["op"] != "sync"]

    # The hub's history: which commit has which ancestors (bit sets).
    order = git(hubrepo, "rev-list", "--topo-order", "--reverse", "--parents", "main")
    bit, anc = {}, {}
    for line in order.decode().splitlines():
        c, *parents = line.split()
        bit[c] = 1 << len(bit)
        a = 0
        for p in parents:
            a |= anc[p] | bit[p]
        anc[c] = a
    for o in ops:
        if o["commit"] not in bit:
            fail("%s of %s by replica %s (commit %s) is not in the hub's history"
                 % (o["op"], o["id"], o["replica"], o["commit"]))
    if failures:
        return failures

    def seen(a, b):
        """The operation of commit b was made by a replica that had a's."""
        return a != b and bool(anc[b] & bit[a])

    # The hub's tree: every record, read at once.
    listing = git(hubrepo, "ls-tree", "-r", "--full-tree", "main", "--", "data").decode()
    files = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        parts = path.split("/")
        if len(parts) != 5 or not parts[4].endswith(".json"):
            fail("a file that is not a record: %s" % path)
            continue
        rid = parts[4][:-5]
        if parts[3] != rid[-1:]:
            fail("%s is not in its shard" % path)
        files.setdefault(rid, []).append((parts[1], parts[2], meta.split()[2], path))
    blobs = [f[2] for fs in files.values() for f in fs]
    raw = git(hubrepo, "cat-file", "--batch", data=("\n".join(blobs) + "\n").encode())
    content, pos = {}, 0
    while pos < len(raw):
        nl = raw.index(b"\n", pos)
        oid, _, size = raw[pos:nl].decode().split()
        content[oid] = json.loads(raw[nl + 1:nl + 1 + int(size)].decode())
        pos = nl + 1 + int(size) + 1
    orgs, conflicts = {}, []
    for rid, fs in files.items():
        if len(fs) != 1:
            fail("record %s has %d files: %s" % (rid, len(fs), " ".join(f[3] for f in fs)))
        unit, typ, oid, path = fs[0]
        rec = content[oid]
        if rec.get("id") != rid:
            fail("%s holds the id %s" % (path, rec.get("id")))
        if typ == "organization":
            orgs[rid] = (unit, rec)
        elif typ == "conflict":
            conflicts.append(rec)
        else:
            fail("a record of an unexpected type: %s" % path)

    # hoso conflicts --json lists the same conflict records.
    listed = json.load(open(conflicts_json, encoding="utf-8"))
    a = sorted(c["id"] for c in listed)
    b = sorted(c["id"] for c in conflicts)
    if a != b:
        fail("hoso conflicts --json lists %d conflicts, the hub's tree holds %d" % (len(a), len(b)))

    def in_conflict(rid, field, v):
        for c in conflicts:
            if c.get("record_id") != rid:
                continue
            if c.get("field") == field and v in (c.get("ours"), c.get("theirs")):
                return "conflict"
            if c.get("field") == "" and c.get("deleted"):
                for side in ("ours", "theirs"):
                    if isinstance(c.get(side), dict) and c[side].get(field) == v:
                        return "deleted-conflict"
            # A clerk's edit of a record the province moved out of their unit:
            # the hub's record stays, the clerk's whole record is the conflict.
            if c.get("field") == "" and isinstance(c.get("ours"), dict) and c["ours"].get(field) == v:
                return "kept-conflict"
        return None

    by_id = {}
    for o in ops:
        by_id.setdefault(o["id"], []).append(o)

    def history(rid):
        return "\n".join("    round %d, replica %s: %s %s (commit %s)%s" % (
            o["round"], o["replica"], o["op"],
            json.dumps(o.get("fields", o.get("unit", "")), ensure_ascii=False),
            o["commit"][:10], " [clash]" if o.get("clash") else "") for o in by_id[rid])

    counts = {"writes": 0, "live": 0, "final": 0, "conflict": 0, "deleted-conflict": 0, "kept-conflict": 0,
              "gone": 0, "move_races": 0}
    for rid, its in by_id.items():
        def overtaken(o, kinds):
            """Someone who had seen operation o did one of these kinds on the record."""
            return any(seen(o["commit"], p["commit"]) and p["op"] in kinds for p in its)

        moves = [o for o in its if o["op"] == "move"]
        live_moves = [m for m in moves if not overtaken(m, ("move", "rm"))]
        rec = orgs[rid][1] if rid in orgs else None
        if rec is None:
            # Gone: someone deleted it, and no move made without seeing that
            # deletion is lost (a move is an edit: against a deletion it stays).
            if not any(o["op"] == "rm" for o in its):
                fail("record %s vanished from the hub, nobody deleted it; its operations:\n%s"
                     % (rid, history(rid)))
            for m in live_moves:
                fail("record %s was deleted although replica %s moved it to unit %s in round %d "
                     "without having seen the deletion (a move against a deletion is lost, "
                     "with no conflict record); its operations:\n%s"
                     % (rid, m["replica"], m["unit"], m["round"], history(rid)))
        else:
            unit = orgs[rid][0]
            # Where it lives: a move nobody overtook, or where it was made.
            if len({m["unit"] for m in live_moves}) > 1:
                counts["move_races"] += 1
            if live_moves and unit not in {m["unit"] for m in live_moves}:
                fail("record %s is in unit %s, not where a move nobody overtook put it; its "
                     "operations:\n%s" % (rid, unit, history(rid)))
            if not moves and unit != its[0]["unit"]:
                fail("record %s is in unit %s, never moved from %s" % (rid, unit, its[0]["unit"]))
        # Every value written that nobody who saw it overwrote or deleted is in
        # the final record or in a conflict record (the record itself may be
        # gone: an edit that lost a clash to a value the deleter had seen).
        for o in its:
            for field, v in o.get("fields", {}).items():
                counts["writes"] += 1
                if any(seen(o["commit"], p["commit"]) and
                       (p["op"] == "rm" or field in p.get("fields", {})) for p in its):
                    continue
                counts["live"] += 1
                if rec is not None and rec.get(field) == v:
                    counts["final"] += 1
                    continue
                where = in_conflict(rid, field, v)
                if where:
                    counts[where] += 1
                    if rec is None:
                        counts["gone"] += 1
                    continue
                fail("record %s: %s=%s written by replica %s in round %d is neither in the "
                     "final record (%s) nor in a conflict record; its operations:\n%s" % (
                         rid, field, json.dumps(v, ensure_ascii=False), o["replica"], o["round"],
                         "%s=%s" % (field, json.dumps(rec.get(field), ensure_ascii=False))
                         if rec is not None else "deleted", history(rid)))
    print("check: %d records on the hub, %d conflict records; %d values written, %d not "
          "overtaken: %d in the final records, %d in conflict records (%d of deleted records), "
          "%d in a deletion's conflict; %d records moved to two units at once" % (
              len(orgs), len(conflicts), counts["writes"], counts["live"], counts["final"],
              counts["conflict"], counts["gone"], counts["deleted-conflict"],
              counts["move_races"]))
    return failures


if __name__ == "__main__":
    if sys.argv[1] == "sim":
        sys.exit(simulate(int(sys.argv[2]), int(sys.argv[3])))
    problems = check(sys.argv[2], sys.argv[3])
    for p in problems:
        print("FAIL: %s" % p, file=sys.stderr)
    sys.exit(1 if problems else 0)
PYEOF

export REPLICAS TMP
t0=${EPOCHREALTIME/./}
python3 "$TMP/convergence.py" sim "$seed" "$rounds" || fail "the random run stopped (seed $seed)"

# Every replica syncs twice, one after the other.
for pass in 1 2; do
	while read -r name unit user pw; do
		HOSO_USER=$user HOSO_PASSWORD=$pw run -C "$TMP/r-$name" sync
		expect_rc 0 "final sync $pass of replica $name"
	done <<<"$REPLICAS"
done
[ -n "${CONVERGENCE_JOURNAL:-}" ] && cp "$TMP/journal.jsonl" "$CONVERGENCE_JOURNAL"

hubtree=$(git -C "$hubrepo" rev-parse 'main^{tree}')
while read -r name unit user pw; do
	[ "$(git -C "$TMP/r-$name" rev-parse 'main^{tree}')" = "$hubtree" ] ||
		fail "replica $name does not have the hub's tree"
	[ "$(git -C "$TMP/r-$name" rev-parse main)" = "$(git -C "$hubrepo" rev-parse main)" ] ||
		fail "replica $name's main is not the hub's"
done <<<"$REPLICAS"

run -C "$TMP/r-p" conflicts --json
expect_rc 0 "hoso conflicts --json"
printf '%s' "$out" >"$TMP/conflicts.json"
python3 "$TMP/convergence.py" check "$hubrepo" "$TMP/conflicts.json" ||
	fail "the merged records lost work (seed $seed)"

git clone -q "$(hub_url_for admin admin-pw records)" "$TMP/cli" || fail "git clone of the hub"
[ "$(git -C "$TMP/cli" rev-parse 'HEAD^{tree}')" = "$hubtree" ] || fail "the git CLI's clone has the hub's tree"
fsck_clean "$TMP/cli"
fsck_clean "$hubrepo"
while read -r name unit user pw; do
	fsck_clean "$TMP/r-$name"
done <<<"$REPLICAS"
t1=${EPOCHREALTIME/./}
echo "convergence: seed $seed, $(((t1 - t0) / 1000)) ms after the clones"
[ "$failures" = 0 ] || echo "reproduce with CONVERGENCE_SEED=$seed" >&2
finish
