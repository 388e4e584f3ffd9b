#!/bin/sh
# Install every Debian package hoso's build, tests and demo need.
# Idempotent; run as root on Debian 12. README.md says why each is here.
set -eu

packages="
  build-essential cmake pkg-config git ca-certificates python3
  libgit2-dev libjansson-dev libutf8proc-dev libpcre2-dev libdeflate-dev libssl-dev
  libcmocka-dev
"

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
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
