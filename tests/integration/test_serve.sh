#!/bin/bash
# hoso serve over real HTTP on 127.0.0.1, on a replica of a hub on a path:
# pages, a member added through the form, the sync button sending it to the
# hub (found there with the git CLI), and the refusals: another Host, a form
# without the token or from another origin, a body too large. SIGTERM stops it.
. "$(dirname "$0")/lib.sh"
HUB="$TMP/hub.git"
make_repo "$HUB"
R="$TMP/replica"
"$HOSO" clone "$HUB" "$R" --unit 030 2>/dev/null || fail "clone"

serve_start "$R"
port=${url#http://127.0.0.1:}
port=${port%/}
# It listens on 127.0.0.1 alone (/proc/net/tcp: 0100007F is 127.0.0.1).
grep -qi " 0100007F:$(printf '%04X' "$port") 00000000:0000 0A " /proc/net/tcp ||
	fail "serve listens on 127.0.0.1:$port only: $(cat /proc/net/tcp)"

python3 - "$port" "$CELL" >"$TMP/py.out" 2>&1 <<'EOF' || fail "the HTTP checks: $(cat "$TMP/py.out")"
import http.client, re, sys, urllib.parse
port, cell = int(sys.argv[1]), sys.argv[2]
host = "127.0.0.1:%d" % port

def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Host": host}
    h.update(headers or {})
    if body is not None:
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    c.close()
    return r, data

r, page = req("GET", "/list/member")
assert r.status == 200 and "<h1>Đảng viên</h1>" in page, (r.status, page[:300])
assert "default-src 'none'" in r.getheader("Content-Security-Policy"), r.getheaders()
r, page = req("GET", "/new/member")
token = re.search(r'name="_csrf" value="([0-9a-f]+)"', page).group(1)
form = {"_unit": "030", "full_name": "Nguyễn Văn An", "gender": "nam", "birth_date": "1980-05-02",
        "ethnicity": "01", "citizen_id": "002080001234", "admission_date": "2005-03-01",
        "official_date": "2006-03-01", "membership": "chinh_thuc", "status": "dang_sinh_hoat",
        "cell_id": cell}
origin = {"Origin": "http://" + host}

# Refused: another Host, no token, another origin, too large; nothing written.
r, _ = req("GET", "/list/member", headers={"Host": "evil.example:%d" % port})
assert r.status == 403, r.status
r, _ = req("POST", "/new/member", urllib.parse.urlencode(form), origin)
assert r.status == 403, r.status
r, _ = req("POST", "/new/member", urllib.parse.urlencode(dict(form, _csrf=token)), {"Origin": "http://evil.example"})
assert r.status == 403, r.status
r, _ = req("POST", "/new/member", "x=" + "a" * 300000, origin)
assert r.status == 413, r.status

# A bad citizen id: the form again, the message beside the field.
r, page = req("POST", "/new/member", urllib.parse.urlencode(dict(form, _csrf=token, citizen_id="12345")), origin)
assert r.status == 422 and 'class="problem"' in page, (r.status, page[:300])
# Fixed: written, and the browser sent to the record's page.
r, _ = req("POST", "/new/member", urllib.parse.urlencode(dict(form, _csrf=token)), origin)
assert r.status == 303, r.status
written = r.getheader("Location")[len("/record/"):]
# The sync page: one commit waiting; the button sends it.
r, page = req("GET", "/sync")
assert r.status == 200 and '<td id="waiting">1</td>' in page, page[-600:]
r, page = req("POST", "/sync", urllib.parse.urlencode({"_csrf": token}), origin)
assert r.status == 200 and '<td id="waiting">0</td>' in page, page[-600:]
print(written)
EOF
id=$(tail -1 "$TMP/py.out")
[[ "$id" =~ ^[0-7][0-9A-HJKMNP-TV-Z]{25}$ ]] || fail "the form's write named no id: $(cat "$TMP/py.out")"
git -C "$HUB" show "main:data/030/member/${id:25:1}/$id.json" 2>/dev/null | grep -q '"citizen_id": "002080001234"' ||
	fail "the member reached the hub's main"
git -C "$HUB" log --format=%s main | grep -q "^add member $id in 030 (web)$" || fail "one commit, said so: $(git -C "$HUB" log -3 --format=%s main)"
fsck_clean "$R"
fsck_clean "$HUB"

kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "serve stops on SIGTERM with exit 0, not $rc"
finish
