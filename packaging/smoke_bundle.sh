#!/usr/bin/env bash
# Starts a built bundle the way a clinician's workstation would, offscreen, and checks it:
#   bash packaging/smoke_bundle.sh [BUNDLE_DIR]   (default: build/bundle/dist/bifoga-VERSION)
# (or `bash packaging/dev.sh bundle-smoke`). Each check prints ok/FAIL; the last line is
# "bundle smoke: N passed, N failed" and the exit status is 1 when one failed.
set -uo pipefail
cd "$(dirname "$0")/.."

python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
bundle=${1:-build/bundle/dist/bifoga-$("$python" -c 'import app; print(app.__version__)')}
if [ ! -x "$bundle/bifoga" ]; then
  echo "No bundle in $bundle: build one with bash packaging/dev.sh bundle" >&2
  exit 2
fi
bundle=$(cd "$bundle" && pwd)
executable=$bundle/bifoga
export QT_QPA_PLATFORM=offscreen
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Bifoga's settings, staging area and drafts go to a fresh home, never the user's own.
export BIFOGA_CONFIG_DIR=$scratch/config BIFOGA_DATA_DIR=$scratch/data

passed=0
failed=0
check() {
  local name=$1
  shift
  local started
  started=$(date +%s)
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name ($(( $(date +%s) - started )) s)"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

validate_desktop_entry() {
  if ! command -v desktop-file-validate >/dev/null; then
    echo "notice: desktop-file-validate is missing (Debian's desktop-file-utils could not be" \
      "installed): the desktop entry is not validated"
    return 0
  fi
  desktop-file-validate packaging/linux/se.bifoga.Bifoga.desktop
}

validate_metainfo() {
  if ! command -v appstreamcli >/dev/null; then
    echo "notice: appstreamcli is missing (Debian's appstream could not be installed):" \
      "the AppStream metainfo is not validated"
    return 0
  fi
  appstreamcli validate --no-net packaging/linux/se.bifoga.Bifoga.metainfo.xml
}

# The bundle's own inspection (worker processes, PDFium, qpdf, Pillow) on an accessible PDF,
# a scan and a photo: each must get the verdict the development install gives.
inspect_files() {
  local corpus=tests/files/corpus status=0
  timeout 180 "$executable" inspect --json \
    "$corpus/verapdf-pdfua1/5-t01-pass-a.pdf" \
    "$corpus/ocrmypdf/skew.pdf" \
    "$corpus/ocrmypdf/baiona_color.jpg" > "$scratch/inspect.json" || status=$?
  if [ "$status" -ne 1 ]; then  # 1: one file (the scan) is blocked
    echo "bifoga inspect ended with status $status, expected 1 (one file blocked)"
    return 1
  fi
  "$python" - "$scratch/inspect.json" <<'PY'
import json
import sys

expected = {"5-t01-pass-a.pdf": "ok", "skew.pdf": "blocked", "baiona_color.jpg": "review"}
verdicts = {entry["file"].rsplit("/", 1)[-1]: entry["verdict"] for entry in json.load(open(sys.argv[1]))}
if verdicts != expected:
    sys.exit(f"verdicts {verdicts}, expected {expected}")
PY
}

# The window as a clinician starts it, on the sandbox gateway: the hidden --smoke-test flag
# (ui/shell/smoke_test.py) reports each dialog shown and closes it. --sandbox asks for the
# embedded sandbox; a Bifoga that still starts it for an empty gateway_url ignores the flag.
show_sign_in_window() {
  local status=0
  timeout 120 "$executable" --smoke-test --sandbox > "$scratch/window.out" \
    2> "$scratch/window.err" || status=$?
  cat "$scratch/window.out"
  if [ "$status" -ne 0 ] || ! grep -q "^smoke-test: shown SignInDialog" "$scratch/window.out"
  then
    echo "bifoga --smoke-test ended with status $status; its log:"
    cat "$scratch/window.err"
    return 1
  fi
}

# The sandbox gateway alone, as `bifoga sandbox --data DIR` (its own package, sandbox/): the
# first line is its URL, it serves the protocol's OpenAPI document (package data of
# app.gateway) and the demo directory, and it ends with status 0 on SIGTERM.
serve_sandbox() {
  "$python" - "$executable" "$scratch/gateway" <<'PY'
import json
import signal
import subprocess
import sys
import urllib.request

process = subprocess.Popen(
    [sys.argv[1], "sandbox", "--data", sys.argv[2]],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
)
try:
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        sys.exit(f"bifoga sandbox printed {url!r} first, not its URL")
    with urllib.request.urlopen(url + "/v1/openapi.json", timeout=30) as answer:
        if json.load(answer).get("openapi") is None:
            sys.exit("/v1/openapi.json is not the OpenAPI document")
    asked = urllib.request.Request(url + "/sandbox/", headers={"Accept": "application/json"})
    with urllib.request.urlopen(asked, timeout=30) as answer:
        if not json.load(answer).get("staff"):
            sys.exit("/sandbox/ lists no demo staff")
    process.send_signal(signal.SIGTERM)
    if (code := process.wait(timeout=30)) != 0:
        sys.exit(f"bifoga sandbox ended with status {code} on SIGTERM")
finally:
    if process.poll() is None:
        process.kill()
        process.wait()
PY
}

# Worker processes are the bundle's own executable: none may outlive the command that
# started it.
bundle_processes() {
  local exe pid
  for exe in /proc/[0-9]*/exe; do
    pid=${exe#/proc/}
    pid=${pid%/exe}
    [[ "$(readlink "$exe" 2>/dev/null)" == "$bundle"/* ]] && echo "$pid"
  done
  return 0
}

# A helper that ends by itself once its parent has gone (multiprocessing's resource
# tracker notices the closed pipe) is not left behind: give it 5 s, then name what stays.
no_process_left() {
  local left tries=50
  while [ $tries -gt 0 ]; do
    left=$(bundle_processes)
    [ -z "$left" ] && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  echo "still running from the bundle: $(echo $left)"
  for pid in $left; do tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null; echo; done
  return 1
}

smoke_started=$(date +%s)
check "desktop entry is valid" validate_desktop_entry
check "AppStream metainfo is valid" validate_metainfo
check "bifoga inspect --json gives the expected verdicts" inspect_files
check "the sign-in window is shown and closed" show_sign_in_window
check "bifoga sandbox serves the protocol and stops on SIGTERM" serve_sandbox
check "no process of the bundle is left" no_process_left
echo "bundle smoke took $(( $(date +%s) - smoke_started )) s"
echo "bundle smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
