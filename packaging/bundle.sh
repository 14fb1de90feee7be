#!/usr/bin/env bash
# Builds the PyInstaller one-folder bundle from packaging/bifoga.spec, then smoke-tests it
# (packaging/smoke_bundle.sh). Run through `bash packaging/dev.sh bundle`, which has made
# .venv first. The bundle lands in build/bundle/dist/bifoga-VERSION/.
set -euo pipefail
cd "$(dirname "$0")/.."

# PyInstaller on Linux reads binaries with binutils' objdump and objcopy; the smoke step
# validates the desktop entry and the AppStream metainfo with these two tools.
BUNDLE_DEBIAN_PACKAGES=(binutils desktop-file-utils appstream)

install_bundle_debian_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for package in "${BUNDLE_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages for the bundle: ${missing[*]}"
  # Validation tools are worth having but not worth failing the build for: the smoke step
  # says so when one is missing, while a missing objdump fails the build itself.
  { $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } || echo "Could not install ${missing[*]} with apt-get." >&2
}

install_pyinstaller() {
  local stamp=.venv/.installed-packaging
  local wanted
  wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -x .venv/bin/pyinstaller ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return 0
  fi
  .venv/bin/python -m pip install -q -e '.[packaging]'
  echo "$wanted" > "$stamp"
}

install_bundle_debian_packages
install_pyinstaller

version=$(.venv/bin/python -c \
  'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
bundle=build/bundle/dist/bifoga-$version
started=$(date +%s)
# --noconfirm: replace the previous bundle; the work folder is kept, so a rebuild on a
# developer's machine is quicker (CI starts from a fresh clone anyway).
.venv/bin/pyinstaller --noconfirm --log-level WARN \
  --distpath build/bundle/dist --workpath build/bundle/work packaging/bifoga.spec
echo "bundle: built $bundle in $(( $(date +%s) - started )) s," \
  "$(du -sm "$bundle" | cut -f1) MB in $(find "$bundle" -type f | wc -l) files"
exec bash packaging/smoke_bundle.sh "$bundle"
