#!/usr/bin/env bash
# install-chromium.sh — Debian's Chromium for the browser tier (tools/e2e/editor.e2e.test.ts).
#
# Idempotent: does nothing when /usr/bin/chromium is already there. Otherwise installs the
# Debian package `chromium` with apt-get (needs root, or sudo without a password). No browser
# is downloaded by playwright: the test drives this binary through playwright-core.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "[install-chromium] $("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed at $CHROMIUM" >&2
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "[install-chromium] ERROR: $CHROMIUM is missing and installing it needs root: run 'sudo apt-get install -y chromium'" >&2
    exit 1
  fi
fi
command -v apt-get >/dev/null || { echo "[install-chromium] ERROR: no apt-get; install Chromium so that $CHROMIUM exists" >&2; exit 1; }

echo "[install-chromium] installing Debian's chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update >&2
"${SUDO[@]}" apt-get install -y --no-install-recommends chromium >&2
[ -x "$CHROMIUM" ] || { echo "[install-chromium] ERROR: apt-get finished but $CHROMIUM is missing" >&2; exit 1; }
echo "[install-chromium] installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)" >&2
