#!/usr/bin/env bash
# `make test` runs this first: the end-to-end suite drives Debian's Chromium (/usr/bin/chromium; never a
# Playwright download). Installs it when missing and running as root; otherwise stops at once with the
# one command to run, instead of failing the end-to-end suite after the other suites have run.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "make test: installing Debian's chromium for the end-to-end tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
  echo "make test: apt-get did not install /usr/bin/chromium" >&2
  exit 1
fi
echo "make test: the end-to-end tests need Debian's chromium (/usr/bin/chromium), which is not installed. Run:" >&2
echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
echo "then run make test again." >&2
exit 1
