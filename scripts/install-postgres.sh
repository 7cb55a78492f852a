#!/usr/bin/env bash
# Install the PostgreSQL server binaries (Debian package `postgresql`) that
# tests/support/postgres.py runs with initdb + pg_ctl on a free loopback port.
#
#   bash scripts/install-postgres.sh
#
# Idempotent and non-interactive: skips apt when initdb and pg_ctl are already
# there. The tests start their own server in a temporary directory; the
# package's own cluster is kept from starting (and stopped if it runs), so it
# holds no port and no memory on a CI machine.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

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

if server_bin >/dev/null; then
    echo "install-postgres: PostgreSQL server already installed ($(server_bin))"
else
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        echo "install-postgres: must run as root (or with passwordless sudo)" >&2
        exit 1
    fi
    added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    cleanup_policy() {
        if [ -n "$added_policy" ]; then
            as_root rm -f /usr/sbin/policy-rc.d
        fi
    }
    trap cleanup_policy EXIT
    echo "install-postgres: installing the postgresql package"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q --no-install-recommends postgresql </dev/null
    cleanup_policy
    trap - EXIT
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
echo "install-postgres: ready: $("$bin/postgres" --version), $bin"
