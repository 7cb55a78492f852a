# Shared by scripts/install-*.sh (sourced, not run): root or passwordless sudo, and an
# apt install that keeps a package's daemons from starting (Kannel's and PostgreSQL's
# postinst would otherwise start services holding ports the tests want).

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

require_root() {
    # $1: the calling script's name, for the message.
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        echo "$1: must run as root (or with passwordless sudo)" >&2
        exit 1
    fi
}

apt_install_without_starting() {
    # apt-get install "$@" with a policy-rc.d that refuses every service start, removed
    # again afterwards (only if we added it).
    local added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    local status=0
    as_root apt-get update -q </dev/null || status=$?
    if [ "$status" -eq 0 ]; then
        as_root apt-get install -y -q --no-install-recommends "$@" </dev/null || status=$?
    fi
    if [ -n "$added_policy" ]; then
        as_root rm -f /usr/sbin/policy-rc.d
    fi
    return "$status"
}
