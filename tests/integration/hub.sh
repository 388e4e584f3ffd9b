# shellcheck shell=bash
# A real git hub on 127.0.0.1 for the integration tests: lighttpd running
# git http-backend as a CGI, behind Basic auth (see the hub notes).
# Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/hub.sh"
#   make_repo "$TMP/r.git"
#   hub_start province
#   hub_add_repo records "$TMP/r.git"
#   git clone "$(hub_url_for clerk-026 pw-026 records)" "$TMP/c"
#
# Functions:
#   hub_start [NAME]   make $TMP/hub (repos/ run/ www/ tmp/ users lighttpd.conf)
#                      and start lighttpd on a free port of 127.0.0.1; exports
#                      HUB_DIR, HUB_PORT, HUB_PID and HUB_URL (http://127.0.0.1:PORT/git).
#                      NAME is the auth realm (default "hub"). Every request under
#                      /git needs a user; with HUB_ANON_READ=1 in the environment
#                      reads are anonymous and only pushes need one. After
#                      hub_stop, hub_start again restarts on the same port with
#                      the same repositories.
#                      HUB_CGI_ENV="NAME=VALUE ..." (words split on blanks; no
#                      blank, quote or backslash in a VALUE) adds variables to
#                      what the CGI, and so the hub's hooks, get: lighttpd hands
#                      git http-backend only the CGI variables, those set in its
#                      config and PATH=/usr/bin:/bin. E.g. HUB_CGI_ENV="HOSO=$HOSO"
#                      for a hook that runs hoso. Read at each hub_start.
#   hub_add_repo NAME SOURCE   bare copy of SOURCE at $HUB_DIR/repos/NAME.git,
#                      with denyNonFastForwards, denyDeletes, logAllRefUpdates
#                      and http.receivepack, and the users below in its
#                      access.json (one commit each), then those given a role
#                      by hub_add_user.
#   hub_add_user USER PASSWORD [ROLE [UNIT...]]   one more hub user, before
#                      or after hub_start (and kept over a restart); with a
#                      ROLE (admin, province, clerk of the UNITs) the user
#                      gets it in the access.json of each repository
#                      hub_add_repo adds afterwards.
#   hub_repo NAME      prints the hub repository's directory
#   hub_repo_url NAME  prints $HUB_URL/NAME.git (no credentials)
#   hub_url_for USER PASS NAME   prints http://USER:PASS@127.0.0.1:PORT/git/NAME.git
#   hub_stop           stops the server (by pid) and waits for it
#   hub_pause / hub_resume   SIGSTOP / SIGCONT the server: a hung hub (the
#                      kernel still accepts connections, nothing answers)
#   hub_closed_url [NAME]    prints a URL on 127.0.0.1 where nothing listens
#                      (connections are refused)
#
# Users (plain backend, $HUB_DIR/users): admin:admin-pw, clerk-026:pw-026,
# clerk-027:pw-027, province:province-pw.
#
# The server is stopped when the test exits (the EXIT trap of lib.sh is
# extended, not replaced), and a watchdog stops it if the test is killed.
# GIT_TERMINAL_PROMPT=0 is exported so that the git CLI fails instead of
# prompting for a missing password.

export GIT_TERMINAL_PROMPT=0

HUB_DIR="$TMP/hub"
HUB_PID=""
HUB_PORT=""
HUB_URL=""
HUB_WATCHDOG=""
_hub_keep_port=""
export HUB_DIR HUB_URL HUB_PORT

HUB_USERS="admin:admin-pw
clerk-026:pw-026
clerk-027:pw-027
province:province-pw"
_hub_roles=""

# _hub_accepts PORT: something accepts TCP connections on 127.0.0.1:PORT.
_hub_accepts() {
	(: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _hub_running PID: PID exists and is not a zombie.
_hub_running() {
	local _a _b st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r _a _b st _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# _hub_free_port: prints a port of 127.0.0.1 that refuses connections, below
# the ephemeral range (32768-60999) so that client sockets never hold it.
_hub_free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		_hub_accepts "$p" || { echo "$p"; return 0; }
	done
	echo "hub: no free port found" >&2
	return 1
}

# _hub_cgi_env: HUB_CGI_ENV's NAME=VALUE words as entries of lighttpd's
# setenv.set-environment, each with a leading ", ". The sanitizers' settings
# (tests/sanitize.sh), when set, go to the hooks too.
_hub_cgi_env() {
	local -a words
	local w
	read -ra words <<<"${HUB_CGI_ENV:-} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${LSAN_OPTIONS:+LSAN_OPTIONS=$LSAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS}"
	for w in ${words[@]+"${words[@]}"}; do
		if ! [[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || [[ $w == *[\"\\]* ]]; then
			echo "hub_start: HUB_CGI_ENV: '$w' is not NAME=VALUE (a VALUE without quotes or backslashes)" >&2
			return 1
		fi
		printf ', "%s" => "%s"' "${w%%=*}" "${w#*=}"
	done
}

_hub_write_conf() {
	local realm=$1 port=$2 req cgi_env
	req="( \"\" => ( \"method\" => \"basic\", \"realm\" => \"$realm\", \"require\" => \"valid-user\" ) )"
	cgi_env=$(_hub_cgi_env) || exit 1
	{
		cat <<EOF
var.hub = "$HUB_DIR"
server.modules = ( "mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi", "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $port
server.document-root = hub + "/www"
server.pid-file = hub + "/run/lighttpd.pid"
server.errorlog = hub + "/run/error.log"
accesslog.filename = hub + "/run/access.log"
server.upload-dirs = ( hub + "/tmp" )
alias.url = ( "/git" => "/usr/lib/git-core/git-http-backend" )
\$HTTP["url"] =~ "^/git" {
  cgi.assign = ( "" => "" )
  setenv.set-environment = ( "GIT_PROJECT_ROOT" => hub + "/repos", "GIT_HTTP_EXPORT_ALL" => "1", "GIT_CONFIG_NOSYSTEM" => "1"$cgi_env )
}
auth.backend = "plain"
auth.backend.plain.userfile = hub + "/users"
# Pushes always need a user: the receive-pack advertisement and the push itself.
\$HTTP["querystring"] =~ "(^|&)service=git-receive-pack(&|$)" {
  auth.require = $req
}
\$HTTP["url"] =~ "/git-receive-pack$" {
  auth.require = $req
}
EOF
		if [ "${HUB_ANON_READ:-0}" != 1 ]; then
			cat <<EOF
# Reads too.
\$HTTP["url"] =~ "^/git(/|$)" {
  auth.require = $req
}
EOF
		fi
	} >"$HUB_DIR/lighttpd.conf"
}

# _hub_launch PORT: start lighttpd on PORT and wait (max 5 s) until it accepts.
# Returns 1 if it exited (e.g. the port was taken), 2 if it never got ready.
_hub_launch() {
	local port=$1 i
	: >"$HUB_DIR/run/error.log"
	lighttpd -D -f "$HUB_DIR/lighttpd.conf" </dev/null >>"$HUB_DIR/run/stdout.log" 2>&1 &
	HUB_PID=$!
	for i in $(seq 500); do
		if ! _hub_running "$HUB_PID"; then
			wait "$HUB_PID" 2>/dev/null
			HUB_PID=""
			return 1
		fi
		# "server started" is written once our own socket is listening.
		if grep -q "server started" "$HUB_DIR/run/error.log" 2>/dev/null && _hub_accepts "$port"; then
			return 0
		fi
		sleep 0.01
	done
	_hub_kill
	return 2
}

# _hub_kill: stop the server started by this test, by its pid, and reap it.
_hub_kill() {
	local i
	[ -n "$HUB_PID" ] || return 0
	kill -TERM "$HUB_PID" 2>/dev/null
	kill -CONT "$HUB_PID" 2>/dev/null
	for i in $(seq 300); do
		_hub_running "$HUB_PID" || break
		sleep 0.01
	done
	_hub_running "$HUB_PID" && kill -KILL "$HUB_PID" 2>/dev/null
	wait "$HUB_PID" 2>/dev/null
	HUB_PID=""
}

_hub_cleanup() {
	_hub_kill
	if [ -n "$HUB_WATCHDOG" ]; then
		kill -TERM "$HUB_WATCHDOG" 2>/dev/null
		wait "$HUB_WATCHDOG" 2>/dev/null
		HUB_WATCHDOG=""
	fi
}

# Run _hub_cleanup before whatever EXIT trap is set (lib.sh's rm -rf "$TMP").
_hub_chain_trap() {
	local prev
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		# "trap -- 'COMMAND' EXIT", quoted for reuse: the third word is COMMAND.
		eval "local -a words=($prev)"
		# shellcheck disable=SC2064,SC2154
		trap "_hub_cleanup; ${words[2]}" EXIT
	else
		trap _hub_cleanup EXIT
	fi
}
_hub_chain_trap

# _hub_watchdog: if the test shell dies without running its EXIT trap
# (SIGKILL, e.g. a ctest timeout), stop the server anyway.
_hub_watchdog() {
	local parent=$$ pid=$HUB_PID
	[ -z "$HUB_WATCHDOG" ] || { kill -TERM "$HUB_WATCHDOG" 2>/dev/null; wait "$HUB_WATCHDOG" 2>/dev/null; }
	(
		exec </dev/null >/dev/null 2>&1
		trap 'exit 0' TERM
		while kill -0 "$parent" 2>/dev/null; do sleep 1 & wait $!; done
		if grep -q lighttpd "/proc/$pid/cmdline" 2>/dev/null; then
			kill -CONT "$pid"
			kill -TERM "$pid"
		fi
	) &
	HUB_WATCHDOG=$!
}

hub_start() {
	local realm=${1:-hub} attempt rc=1 line
	[ -z "$HUB_PID" ] || { echo "hub_start: the hub is already running (pid $HUB_PID)" >&2; return 1; }
	command -v lighttpd >/dev/null || { echo "hub_start: lighttpd is not installed (packaging/setup.sh)" >&2; exit 1; }
	mkdir -p "$HUB_DIR/repos" "$HUB_DIR/run" "$HUB_DIR/www" "$HUB_DIR/tmp"
	printf '%s\n' "$HUB_USERS" >"$HUB_DIR/users"
	chmod 600 "$HUB_DIR/users"
	for attempt in $(seq 10); do
		# A restart keeps its port; a first start picks a free one, and
		# another if lighttpd could not bind it (a race with another test).
		if [ -n "$_hub_keep_port" ]; then
			[ "$attempt" -le 3 ] || break
			[ "$attempt" = 1 ] || sleep 0.2
		elif [ "$attempt" = 1 ] || [ "$rc" = 1 ]; then
			HUB_PORT=$(_hub_free_port) || exit 1
		fi
		_hub_write_conf "$realm" "$HUB_PORT"
		_hub_launch "$HUB_PORT"
		rc=$?
		[ "$rc" = 0 ] && break
		[ "$rc" = 2 ] && break
	done
	if [ "$rc" != 0 ]; then
		echo "hub_start: lighttpd did not start on 127.0.0.1:$HUB_PORT:" >&2
		while IFS= read -r line; do echo "  $line" >&2; done <"$HUB_DIR/run/error.log"
		tail -n 5 "$HUB_DIR/run/stdout.log" >&2 2>/dev/null
		exit 1
	fi
	_hub_keep_port=1
	HUB_URL="http://127.0.0.1:$HUB_PORT/git"
	export HUB_DIR HUB_URL HUB_PORT
	_hub_watchdog
}

hub_stop() {
	_hub_kill
}

hub_pause() {
	[ -n "$HUB_PID" ] || { echo "hub_pause: the hub is not running" >&2; return 1; }
	kill -STOP "$HUB_PID"
}

hub_resume() {
	[ -n "$HUB_PID" ] || { echo "hub_resume: the hub is not running" >&2; return 1; }
	kill -CONT "$HUB_PID"
}

hub_repo() {
	printf '%s\n' "$HUB_DIR/repos/$1.git"
}

hub_add_repo() {
	local name=$1 src=$2 dir
	dir=$(hub_repo "$name")
	[ -d "$HUB_DIR/repos" ] || mkdir -p "$HUB_DIR/repos"
	[ ! -e "$dir" ] || { echo "hub_add_repo: $dir exists" >&2; return 1; }
	git clone -q --bare --no-hardlinks "$src" "$dir" || { echo "hub_add_repo: cannot copy $src" >&2; exit 1; }
	# The hub's users in access.json (a replica verifies what it sends as the
	# hub will): province, clerk-026 of 026 and clerk-027 of 030, where the
	# repository has those units.
	HOSO_USER=admin "$HOSO" -C "$dir" access set province --role province >/dev/null 2>&1
	HOSO_USER=admin "$HOSO" -C "$dir" access set clerk-026 --role clerk --unit 026 >/dev/null 2>&1
	HOSO_USER=admin "$HOSO" -C "$dir" access set clerk-027 --role clerk --unit 030 >/dev/null 2>&1
	local user role units unit
	local -a unit_args
	while read -r user role units; do
		[ -n "$user" ] || continue
		unit_args=()
		for unit in $units; do unit_args+=(--unit "$unit"); done
		HOSO_USER=admin "$HOSO" -C "$dir" access set "$user" --role "$role" ${unit_args[@]+"${unit_args[@]}"} >/dev/null 2>&1 ||
			{ echo "hub_add_repo: cannot give $user the role $role in $dir" >&2; exit 1; }
	done <<<"$_hub_roles"
	git -C "$dir" remote remove origin 2>/dev/null
	git -C "$dir" config receive.denyNonFastForwards true
	git -C "$dir" config receive.denyDeletes true
	git -C "$dir" config core.logAllRefUpdates true
	git -C "$dir" config http.receivepack true
}

hub_add_user() {
	local user=$1 pass=$2
	shift 2
	[[ $user$pass != *:* && $user$pass != *$'\n'* ]] || { echo "hub_add_user: no ':' or newline in a user or password" >&2; return 1; }
	HUB_USERS+=$'\n'"$user:$pass"
	[ -e "$HUB_DIR/users" ] && printf '%s:%s\n' "$user" "$pass" >>"$HUB_DIR/users"
	[ $# -eq 0 ] || _hub_roles+="$user $*"$'\n'
}

hub_repo_url() {
	printf '%s/%s.git\n' "$HUB_URL" "$1"
}

# _hub_urlencode STRING: percent-encodes all but RFC 3986 unreserved characters.
_hub_urlencode() {
	local LC_ALL=C s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[a-zA-Z0-9.~_-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

hub_url_for() {
	printf 'http://%s:%s@127.0.0.1:%s/git/%s.git\n' \
		"$(_hub_urlencode "$1")" "$(_hub_urlencode "$2")" "$HUB_PORT" "$3"
}

hub_closed_url() {
	local p
	p=$(_hub_free_port) || return 1
	if [ -n "${1:-}" ]; then
		printf 'http://127.0.0.1:%s/git/%s.git\n' "$p" "$1"
	else
		printf 'http://127.0.0.1:%s/git\n' "$p"
	fi
}
