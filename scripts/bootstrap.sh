#!/usr/bin/env bash
# Prepare a fresh Debian machine: the system parts the project runs for real
# (mosquitto, espeak-ng, chromium, PostgreSQL, victoria-metrics; zbar-tools, with which
# the tests read QR codes off screenshots; pango and the DejaVu fonts, with which WeasyPrint
# renders the printouts; poppler-utils and tesseract's Vietnamese model, with which the tests
# read the printouts back), then a
# virtualenv in .venv with the project installed. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(mosquitto mosquitto-clients espeak-ng chromium postgresql victoria-metrics openssl zbar-tools
              libpango-1.0-0 fonts-dejavu-core poppler-utils tesseract-ocr tesseract-ocr-vie)
# command that proves each package is present, in the same order
APT_PROBES=(/usr/sbin/mosquitto /usr/bin/mosquitto_pub /usr/bin/espeak-ng /usr/bin/chromium /usr/lib/postgresql /usr/bin/victoria-metrics /usr/bin/openssl /usr/bin/zbarimg
            /usr/share/doc/libpango-1.0-0/copyright /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf /usr/bin/pdftoppm
            /usr/bin/tesseract /usr/share/tesseract-ocr/5/tessdata/vie.traineddata)

missing=()
for i in "${!APT_PACKAGES[@]}"; do
  [ -e "${APT_PROBES[$i]}" ] || missing+=("${APT_PACKAGES[$i]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing from Debian: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "ERROR: missing Debian packages: ${missing[*]}" >&2
    echo "       run as root, or install them yourself: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "ERROR: could not install ${missing[*]} with apt-get." >&2
    echo "       Check the network and apt sources, then run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  # Debian starts mosquitto/postgresql as services where an init system runs;
  # the project starts its own on its own ports, so stop the system ones.
  for svc in mosquitto postgresql; do
    command -v systemctl >/dev/null && $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtualenv .venv"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> installing the project into .venv"
  .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/pip install -q -e '.[dev]'
  touch .venv/.installed
fi
