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

# shellcheck source=scripts/apt-lib.sh
source "$(dirname "$0")/apt-lib.sh"

have_chromium() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

if have_chromium; then
    echo "install-chromium: Chromium already installed"
else
    require_root install-chromium
    echo "install-chromium: installing chromium and chromium-driver"
    apt_install_without_starting chromium chromium-driver
fi

if ! have_chromium; then
    echo "install-chromium: /usr/bin/chromium or /usr/bin/chromedriver still missing" >&2
    exit 1
fi
echo "install-chromium: ready: $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?')"
