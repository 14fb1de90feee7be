#!/usr/bin/env bash
# Everything a fresh Debian/Ubuntu machine needs, then Bifoga:
#   bash packaging/dev.sh run    start the window on the embedded sandbox gateway (asked for: --sandbox)
#   bash packaging/dev.sh test   ruff, mypy and the whole test suite
#   bash packaging/dev.sh bench [--quick] [NAME ...]  the benchmark lines of docs/design.md
#                                (--quick: fewer repetitions, as CI runs them)
#   bash packaging/dev.sh bundle the PyInstaller bundle, built and smoke-tested (bundle.sh)
#   bash packaging/dev.sh bundle-smoke [DIR]  smoke-test a bundle already built
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

command=${1:-run}
[ $# -gt 0 ] && shift

# Qt's offscreen and xcb platforms, Xvfb for real windows and screenshots, fonts that
# cover Swedish, and poppler's pdftotext (the inspection benchmark's baseline).
DEBIAN_PACKAGES=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1
  xvfb xauth fonts-dejavu-core poppler-utils)

# install_debian_packages PACKAGE...: those not installed yet, with apt-get.
install_debian_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Bifoga needs Python 3.11 or newer (python3.11 and python3-venv)." >&2
  exit 1
}

install_python_packages() {
  local stamp=.venv/.installed
  local wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  [ -x .venv/bin/python ] || "$(find_python)" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$wanted" > "$stamp"
}

install_debian_packages "${DEBIAN_PACKAGES[@]}"
install_python_packages

case "$command" in
  run)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "No screen here: starting Bifoga on a virtual screen (xvfb-run)." >&2
      exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/bifoga --sandbox "$@"
    fi
    exec .venv/bin/bifoga --sandbox "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/ruff check app ui sandbox tests
    .venv/bin/ruff format --check app ui sandbox tests
    .venv/bin/mypy
    .venv/bin/lint-imports
    exec .venv/bin/python -m pytest "$@"
    ;;
  bench)
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m tests.benchmarks "$@"
    ;;
  bundle)
    # PyInstaller reads binaries with binutils; the smoke step validates the desktop entry
    # and the AppStream metainfo. The validators are worth having, not worth failing for:
    # the smoke step says when one is missing, and a missing objdump fails the build.
    install_debian_packages binutils desktop-file-utils appstream \
      || echo "Could not install binutils, desktop-file-utils or appstream." >&2
    exec bash packaging/bundle.sh
    ;;
  bundle-smoke)
    exec bash packaging/smoke_bundle.sh "$@"
    ;;
  *)
    echo "usage: bash packaging/dev.sh run|test|bench [--quick]|bundle|bundle-smoke [ARGS...]" >&2
    exit 2
    ;;
esac
