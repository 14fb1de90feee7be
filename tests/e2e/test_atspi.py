"""The window as Orca gets it: through AT-SPI (Debian's at-spi2-core and python3-pyatspi,
in packaging/dev.sh's Debian packages), under Xvfb, on a session bus of its own. A
window with the preview (a tagged letter, "Uppläst" open) and a value label runs as its
own process with Qt's AT-SPI bridge on (tests/support/atspi_probe.py); Debian's system
python walks the accessibility tree (tests/support/atspi_walk.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
/usr/libexec/at-spi-bus-launcher --launch-immediately >/dev/null 2>&1 &
launcher=$!
QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 "$PROJECT_PYTHON" \
    -m tests.support.atspi_probe "$FOLDER" >"$FOLDER/probe.out" 2>"$FOLDER/probe.err" &
probe=$!
for _ in $(seq 200); do grep -q ready "$FOLDER/probe.out" 2>/dev/null && break; sleep 0.1; done
/usr/bin/python3 tests/support/atspi_walk.py "Rubrik nivå 1"
kill $probe $launcher 2>/dev/null
wait $probe $launcher 2>/dev/null
true
"""


def test_orca_hears_the_values_and_the_page_text(tmp_path: Path) -> None:
    for tool in ("dbus-run-session", "xvfb-run"):
        assert shutil.which(tool), f"{tool} missing: bash packaging/dev.sh installs it"
    assert Path("/usr/libexec/at-spi-bus-launcher").exists(), "at-spi2-core missing (dev.sh)"
    environment = dict(
        os.environ, PROJECT_PYTHON=sys.executable, FOLDER=str(tmp_path), PYTHONPATH=str(ROOT)
    )
    environment.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        ["dbus-run-session", "--", "xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
         "bash", "-c", SCRIPT],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    nodes = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert nodes, (done.stdout[-2000:], done.stderr[-2000:], (tmp_path / "probe.err").read_text())
    # A value label says its value; its caption is the description.
    assert {
        "role": "label",
        "name": "Karin Berg, 19680102-****",
        "description": "Mottagare",
    } in nodes
    # The page tells its text, in reading order, after where it is.
    page = next(n for n in nodes if "Rubrik nivå 1: Provsvar" in (n["description"] or ""))
    assert page["description"].startswith("Sida 1 av")
    assert "Prov: Hb" in page["description"]
    # "Uppläst" is there by its name, and its toggle says what it does.
    names = {n["name"] for n in nodes}
    assert "Uppläst: filen som en skärmläsare läser upp den" in names
    assert "Visa filen som en skärmläsare läser upp den" in names
