#!/usr/bin/env bash
# System packages the tests need on a fresh Debian machine: Chromium (maps are checked in a real
# headless browser) and a TrueType font with Chinese glyphs (PDF documents embed it).
# Installs what is missing when run as root; otherwise says what to install and fails.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${need[*]} — run: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing system packages: ${need[*]}"
apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q "${need[@]}" >/dev/null
}
