#!/usr/bin/env bash
# Installs the Debian packages the tests need (`make test`): nginx, which the scale profile's
# test puts in front of two Rasa servers with deploy/nginx.conf. (Chromium is installed by the
# browser tests' fixture, tests/e2e/browser.py, the same way.)
set -euo pipefail
packages=("$@")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
  echo "the tests need: ${missing[*]} (apt-get install ${missing[*]}, as root)" >&2
  exit 1
fi
echo "==> installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
