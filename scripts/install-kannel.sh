#!/usr/bin/env bash
# Install the Kannel SMS gateway (bearerbox + smsbox, Debian package `kannel`)
# that tests/test_kannel_harness.py and the SMS tests start on free ports.
#
#   bash scripts/install-kannel.sh
#
# Idempotent and non-interactive: skips apt when bearerbox and smsbox are
# already installed. Either way it leaves no packaged Kannel daemon running
# (the package's init script would hold port 13000 and friends), and it keeps
# the package from starting one during the install.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/sbin:/sbin"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "install-kannel: must run as root (or with passwordless sudo)" >&2
    exit 1
fi

have_kannel() {
    command -v bearerbox >/dev/null 2>&1 && command -v smsbox >/dev/null 2>&1
}

stop_packaged_daemons() {
    # The Debian package runs its boxes from /etc/init.d/kannel under
    # run_kannel_box with pid files in /var/run/kannel; stop exactly those.
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl stop kannel.service >/dev/null 2>&1 || true
        as_root systemctl disable kannel.service >/dev/null 2>&1 || true
    fi
    if [ -x /etc/init.d/kannel ]; then
        as_root env START_SMSBOX=1 START_WAPBOX=1 /etc/init.d/kannel stop </dev/null \
            >/dev/null 2>&1 || true
    fi
    local pidfile pid
    for pidfile in /var/run/kannel/kannel_smsbox.pid /var/run/kannel/kannel_wapbox.pid \
        /var/run/kannel/kannel_bearerbox.pid; do
        [ -r "$pidfile" ] || continue
        pid="$(tr -dc '0-9' <"$pidfile")"
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "install-kannel: stopping packaged Kannel process $pid ($pidfile)"
            as_root kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            as_root kill -KILL "$pid" 2>/dev/null || true
        fi
        as_root rm -f "$pidfile"
    done
    # Do not start it again at boot (harmless where there is no init system).
    if command -v update-rc.d >/dev/null 2>&1 && [ -x /etc/init.d/kannel ]; then
        as_root update-rc.d kannel disable >/dev/null 2>&1 || true
    fi
}

if have_kannel; then
    echo "install-kannel: Kannel already installed ($(command -v bearerbox))"
else
    # Keep the package's postinst from starting the daemons at all.
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

    echo "install-kannel: installing the kannel package"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q --no-install-recommends kannel </dev/null

    cleanup_policy
    trap - EXIT
    added_policy=""
fi

stop_packaged_daemons

if ! have_kannel; then
    echo "install-kannel: bearerbox/smsbox still missing after the install" >&2
    exit 1
fi
echo "install-kannel: ready: kannel $(dpkg-query -W -f='${Version}' kannel 2>/dev/null || echo '?')," \
    "$(command -v bearerbox), $(command -v smsbox)"
