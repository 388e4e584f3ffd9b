#!/bin/sh
# Install every Debian package hoso's build, tests and demo need.
# Idempotent; run as root on Debian 12. README.md says why each is here.
set -eu

packages="
  build-essential cmake pkg-config git ca-certificates python3
  libgit2-dev libjansson-dev libutf8proc-dev libpcre2-dev libdeflate-dev libssl-dev
  libcmocka-dev libcurl4-openssl-dev libsqlite3-dev libicu-dev libxlsxwriter-dev
  lighttpd python3-openpyxl time
  clang libclang-rt-14-dev
  valgrind
  gettext locales groff-base file systemd
  libmicrohttpd-dev
  chromium
"
# node and npm for the browser test (tests/e2e/): Debian's, unless an npm is
# already on PATH (a nodesource nodejs provides npm and conflicts with Debian's).
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "setup: every package is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: these packages are missing:$missing" >&2
	echo "hint: run this script as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# lighttpd is only the tests' git hub (tests/integration/hub.sh starts its own
# on 127.0.0.1): keep its postinst from starting a system server on port 80,
# with a policy-rc.d that denies every start, unless one is already there.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	trap 'rm -f "$policy"' EXIT
	printf '#!/bin/sh\n# written by hoso packaging/setup.sh for the install only\nexit 101\n' >"$policy"
	chmod 755 "$policy"
fi
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
