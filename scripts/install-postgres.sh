#!/usr/bin/env bash
# Install the PostgreSQL server binaries (Debian package `postgresql`) that
# tests/support/postgres.py runs with initdb + pg_ctl on a free loopback port, and
# PgBouncer (package `pgbouncer`), which tests/support/pgbouncer.py runs in front of it.
#
#   bash scripts/install-postgres.sh
#
# Idempotent and non-interactive: skips apt when initdb and pg_ctl are already
# there. The tests start their own server in a temporary directory; the
# package's own cluster is kept from starting (and stopped if it runs), so it
# holds no port and no memory on a CI machine.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

# shellcheck source=scripts/apt-lib.sh
source "$(dirname "$0")/apt-lib.sh"

server_bin() {
    # The newest installed major version's bin directory, or nothing.
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

have_pgbouncer() {
    command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]
}

missing=()
server_bin >/dev/null || missing+=(postgresql)
have_pgbouncer || missing+=(pgbouncer)
if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-postgres: PostgreSQL server and PgBouncer already installed ($(server_bin))"
else
    require_root install-postgres
    echo "install-postgres: installing ${missing[*]}"
    apt_install_without_starting "${missing[@]}"
fi

# The package's own cluster, if one was created and started: stop it, tests run theirs.
if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version name _port status _rest; do
        if [ "$status" = "online" ]; then
            echo "install-postgres: stopping the packaged cluster $version/$name"
            as_root pg_ctlcluster "$version" "$name" stop || true
        fi
    done
fi

# initdb refuses to run as root: the tests run the server as this user when they are root.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "install-postgres: the postgres user is missing" >&2
    exit 1
fi

bin="$(server_bin)" || { echo "install-postgres: initdb/pg_ctl still missing" >&2; exit 1; }
have_pgbouncer || { echo "install-postgres: pgbouncer still missing" >&2; exit 1; }
echo "install-postgres: ready: $("$bin/postgres" --version), $bin"
