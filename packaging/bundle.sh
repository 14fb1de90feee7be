#!/usr/bin/env bash
# Builds the PyInstaller one-folder bundle from packaging/bifoga.spec, then smoke-tests it
# (packaging/smoke_bundle.sh). Run through `bash packaging/dev.sh bundle`, which has made
# .venv from the lockfile (PyInstaller, the `packaging` extra, included) and installed the
# Debian packages it needs first. The bundle lands in
# build/bundle/dist/bifoga-VERSION/.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(.venv/bin/python -c 'import app; print(app.__version__)')  # written once, there
bundle=build/bundle/dist/bifoga-$version
started=$(date +%s)
# --noconfirm: replace the previous bundle; the work folder is kept, so a rebuild on a
# developer's machine is quicker (CI starts from a fresh clone anyway).
.venv/bin/pyinstaller --noconfirm --log-level WARN \
  --distpath build/bundle/dist --workpath build/bundle/work packaging/bifoga.spec
echo "bundle: built $bundle in $(( $(date +%s) - started )) s," \
  "$(du -sm "$bundle" | cut -f1) MB in $(find "$bundle" -type f | wc -l) files"
exec bash packaging/smoke_bundle.sh "$bundle"
