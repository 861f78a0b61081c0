#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK: Debian's chromium for the browser tests.
# Idempotent; does nothing when everything is present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
  echo "installing chromium (Debian package) for the browser tests..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  echo "installing chromium (Debian package) for the browser tests..." >&2
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing and cannot be installed without root" >&2
  exit 1
fi
