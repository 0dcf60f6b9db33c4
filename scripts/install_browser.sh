#!/usr/bin/env bash
# Install Debian's Chromium and its WebDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the
# headless browser test of `govtag view` (tests/test_view.py). Idempotent: does nothing when
# /usr/bin/chromium is there. Needs root (or sudo) and apt; elsewhere it says so and the browser
# test is skipped.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install_browser: no apt-get here; install Chromium and chromedriver by hand (the view browser test is skipped without them)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "install_browser: not root and no sudo; the view browser test is skipped" >&2
        exit 0
    fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null
echo "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
