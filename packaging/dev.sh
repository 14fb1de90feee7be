#!/usr/bin/env bash
# Everything a fresh Debian/Ubuntu machine needs, then Bifoga:
#   bash packaging/dev.sh run    start the window on the embedded sandbox gateway (asked for: --sandbox)
#   bash packaging/dev.sh test   ruff, mypy and the whole test suite
#   bash packaging/dev.sh bench [--quick] [NAME ...]  the benchmark lines of docs/design.md
#                                (--quick: fewer repetitions, as CI runs them)
#   bash packaging/dev.sh bundle the PyInstaller bundle, built and smoke-tested (bundle.sh)
#   bash packaging/dev.sh bundle-smoke [DIR]  smoke-test a bundle already built
#   bash packaging/dev.sh lock [--upgrade | --upgrade-package NAME ...]  refresh the lockfile
#                                after pyproject.toml's requirements changed (commit it)
# Safe to run again: each step is skipped when it is already done.
# Python packages come only from packaging/requirements.lock: every one pinned, with hashes.
set -euo pipefail
cd "$(dirname "$0")/.."

command=${1:-run}
[ $# -gt 0 ] && shift

# Qt's offscreen and xcb platforms, Xvfb for real windows and screenshots, fonts that
# cover Swedish, poppler's pdftotext (the inspection benchmark's baseline), and Tesseract
# with Swedish data (text in pictures is read offline, docs/personal-data.md), and the
# accessibility bus with Debian's pyatspi, through which a test walks the window as Orca
# gets it (tests/e2e/test_atspi.py).
DEBIAN_PACKAGES=(libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1
  xvfb xauth fonts-dejavu-core poppler-utils tesseract-ocr tesseract-ocr-swe
  at-spi2-core python3-pyatspi dbus-daemon
  # Signing in opens the system browser at the identity provider (the sandbox's own in
  # `run`); chromium-driver lets tests/e2e/test_real_browser.py drive it headless.
  chromium chromium-driver)

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

LOCKFILE=packaging/requirements.lock

# requirements_digest: a digest of what pyproject.toml asks for (the build system's, the
# runtime's and every extra's requirements), recorded in the lockfile by `lock`, so a
# lockfile older than those requirements is caught before anything is installed.
requirements_digest() {
  "$(find_python)" - <<'PY'
import hashlib, json, tomllib
with open("pyproject.toml", "rb") as file:
    pyproject = tomllib.load(file)
project = pyproject["project"]
asked = {
    "build-system": pyproject["build-system"]["requires"],
    "requires-python": project["requires-python"],
    "dependencies": project["dependencies"],
    "optional-dependencies": project["optional-dependencies"],
}
print(hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest())
PY
}

DIGEST_LINE_PREFIX="# pyproject.toml's requirements, sha256:"

check_lockfile_is_current() {
  local recorded
  recorded=$(sed -n "s/^$DIGEST_LINE_PREFIX //p" "$LOCKFILE")
  if [ "$recorded" != "$(requirements_digest)" ]; then
    echo "$LOCKFILE is older than pyproject.toml's requirements." >&2
    echo "Refresh it with 'bash packaging/dev.sh lock' and commit it." >&2
    exit 1
  fi
}

# install_locked_packages: every package of the lockfile (the runtime's, the tests', the
# bundle's and the developers' tools), each checked against its hashes, into .venv.
install_locked_packages() {
  [ -x .venv/bin/python ] || "$(find_python)" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes \
    -r "$LOCKFILE"
}

install_python_packages() {
  local stamp=.venv/.installed
  local wanted
  wanted=$(cat pyproject.toml "$LOCKFILE" | sha256sum | cut -d' ' -f1)
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  check_lockfile_is_current
  install_locked_packages
  # Bifoga itself, editable; its dependencies are all in the lock, and setuptools (its
  # build backend) is too, so nothing unpinned is fetched to build it.
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps \
    --no-build-isolation -e .
  echo "$wanted" > "$stamp"
}

# write_lockfile [UV_ARGS...]: resolve pyproject.toml's requirements, every extra and the
# build backend, for every platform and Python 3.11 and newer (CI runs Linux x86_64 and
# the newest Python it finds), with the hashes of every file. Pins already in the lockfile
# are kept unless asked (--upgrade, --upgrade-package NAME).
write_lockfile() {
  local resolved
  resolved=$(mktemp)
  cp "$LOCKFILE" "$resolved" 2>/dev/null || true
  "$(find_python)" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' \
    | .venv/bin/uv pip compile pyproject.toml - --all-extras --universal \
        --python-version 3.11 --generate-hashes --quiet \
        --custom-compile-command "bash packaging/dev.sh lock" --output-file "$resolved" "$@"
  { echo "$DIGEST_LINE_PREFIX $(requirements_digest)"; cat "$resolved"; } > "$LOCKFILE"
  rm -f "$resolved"
  echo "Wrote $LOCKFILE; commit it with pyproject.toml."
}

if [ "$command" = lock ]; then
  # uv comes from the lockfile as it is (a stale lock still installs); then the new one.
  install_locked_packages
  write_lockfile "$@"
  exit 0
fi

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
    echo "usage: bash packaging/dev.sh run|test|bench [--quick]|bundle|bundle-smoke|lock [ARGS...]" >&2
    exit 2
    ;;
esac
