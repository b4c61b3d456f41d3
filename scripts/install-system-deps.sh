#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the Datasette browser tests; iproute2 and
# util-linux (ip, unshare) for the check that `newsmon serve` is not reachable from the network;
# redis-server for the scale-out tests (each test starts its own on a free port; no service is used).
# Installed from Debian's archive; no browser is ever downloaded by a test tool.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium fonts-dejavu-core)
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
command -v unshare >/dev/null 2>&1 || packages+=(util-linux)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
