#!/usr/bin/env bash
# Installs Debian's Chromium for the admin SPA's browser tests, once per
# machine. The tests drive it through playwright-core, which downloads no
# browser of its own.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "installing Debian's chromium"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
echo "installed $(/usr/bin/chromium --version)"
