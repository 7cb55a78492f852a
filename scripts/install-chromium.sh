#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver (packages `chromium`, `chromium-driver`)
# for the browser tests of the office TV page (tests/test_screen_browser.py).
#
#   bash scripts/install-chromium.sh
#
# Idempotent and non-interactive: skips apt when both are installed. Nothing is
# downloaded but Debian packages: the tests hand these binaries to Selenium.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

have_chromium() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

if have_chromium; then
    echo "install-chromium: Chromium already installed"
else
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        echo "install-chromium: must run as root (or with passwordless sudo)" >&2
        exit 1
    fi
    echo "install-chromium: installing chromium and chromium-driver"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q --no-install-recommends chromium chromium-driver </dev/null
fi

if ! have_chromium; then
    echo "install-chromium: /usr/bin/chromium or /usr/bin/chromedriver still missing" >&2
    exit 1
fi
echo "install-chromium: ready: $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?')"
