#!/usr/bin/env bash
# Installs the Debian packages the app needs beside Python, if they are missing:
#   always      — Pango (WeasyPrint renders PDF documents with it) and the fonts of the documents:
#                 Liberation Serif, metric-compatible with Times New Roman (NĐ 30/2020's font) —
#                 version 2 (fonts-liberation2): Debian's fonts-liberation (1.07) lacks Ư, ơ, ệ
#                 and most Vietnamese letters, which then came out in DejaVu Serif — and HarfBuzz's
#                 subsetting library (libharfbuzz-subset0), with which WeasyPrint subsets the PDFs'
#                 fonts; without it fontTools does, at about twice the conference pack's CPU;
#   --browser   — Debian's Chromium and ChromeDriver for the browser tests, and poppler-utils
#                 (pdftoppm, pdftotext) for the documents' screenshots.
# Nothing is downloaded outside Debian's packages. Needs root (or sudo) only when something is missing.
set -euo pipefail

want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core)
if [ "${1:-}" = "--browser" ]; then
  want+=(chromium chromium-driver poppler-utils)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system: no apt-get here; install these yourself: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system: need root to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
