#!/bin/sh
# deps.sh - install the Debian packages limes needs, only those missing.
# Used by `make deps`, which both README commands run first.  Needs root
# (or sudo) only when something is missing.
set -eu
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3
libsqlite3-dev sqlite3 libmicrohttpd-dev libjansson-dev libicu-dev libsodium-dev libxml2-dev
libjemalloc-dev
iso-codes curl openssl ca-certificates
chromium fonts-noto-core
libpq-dev postgresql-15
wrk"
# Node.js runs the browser tests: take Debian's only when the machine has none
# (a NodeSource node already brings its own npm, which Debian's would clash with).
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
[ -n "${LIMES_EXTRA_PKGS:-}" ] && PKGS="$PKGS $LIMES_EXTRA_PKGS"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
