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

# shellcheck source=scripts/apt-lib.sh
source "$(dirname "$0")/apt-lib.sh"
require_root install-kannel

have_kannel() {
    command -v bearerbox >/dev/null 2>&1 && command -v smsbox >/dev/null 2>&1
}

alive() {
    # True while process $1 exists and is not a zombie.
    local state
    state="$(ps -o stat= -p "$1" 2>/dev/null || true)"
    [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

stop_packaged_daemons() {
    # The Debian package runs each box under run_kannel_box from
    # /etc/init.d/kannel, with pid files in /var/run/kannel: stop exactly those
    # supervisors and the boxes they started, and wait until they are gone.
    local pidfile pid child pids=()
    for pidfile in /var/run/kannel/kannel_smsbox.pid /var/run/kannel/kannel_wapbox.pid \
        /var/run/kannel/kannel_bearerbox.pid; do
        [ -r "$pidfile" ] || continue
        pid="$(tr -dc '0-9' <"$pidfile")"
        [ -n "$pid" ] && alive "$pid" || continue
        pids+=("$pid")
        for child in $(pgrep -P "$pid" 2>/dev/null || true); do
            pids+=("$child")
        done
    done

    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl stop kannel.service >/dev/null 2>&1 || true
        as_root systemctl disable kannel.service >/dev/null 2>&1 || true
    fi
    if [ -x /etc/init.d/kannel ]; then
        as_root env START_SMSBOX=1 START_WAPBOX=1 /etc/init.d/kannel stop </dev/null \
            >/dev/null 2>&1 || true
        # Do not start it again at boot (harmless where there is no init system).
        if command -v update-rc.d >/dev/null 2>&1; then
            as_root update-rc.d kannel disable >/dev/null 2>&1 || true
        fi
    fi

    for pid in "${pids[@]}"; do
        alive "$pid" || continue
        echo "install-kannel: stopping packaged Kannel process $pid"
        as_root kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            echo "install-kannel: killing packaged Kannel process $pid"
            as_root kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    as_root rm -f /var/run/kannel/kannel_*.pid
}

if have_kannel; then
    echo "install-kannel: Kannel already installed ($(command -v bearerbox))"
else
    echo "install-kannel: installing the kannel package"
    apt_install_without_starting kannel
fi

stop_packaged_daemons

if ! have_kannel; then
    echo "install-kannel: bearerbox/smsbox still missing after the install" >&2
    exit 1
fi
echo "install-kannel: ready: kannel $(dpkg-query -W -f='${Version}' kannel 2>/dev/null || echo '?')," \
    "$(command -v bearerbox), $(command -v smsbox)"
