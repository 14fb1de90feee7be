"""Run by Debian's system python (python3-pyatspi), not the project's: walk the AT-SPI
tree of every application on the session's accessibility bus, as Orca gets it, and print
it as JSON lines (role, name, description), until a name holding ``argv[1]`` appears or
10 s pass. Imports nothing of Bifoga."""

import json
import sys
import time

import pyatspi


def _walk(node, depth, out):  # type: ignore[no-untyped-def]
    if node is None or depth > 20 or len(out) > 5000:
        return
    out.append({"role": node.getRoleName(), "name": node.name, "description": node.description})
    for index in range(node.childCount):
        _walk(node.getChildAtIndex(index), depth + 1, out)


def main() -> int:
    wanted = sys.argv[1]
    deadline = time.monotonic() + 10
    out: list = []
    while time.monotonic() < deadline:
        out = []
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            _walk(desktop.getChildAtIndex(index), 0, out)
        if any(wanted in (node["name"] or "") + (node["description"] or "") for node in out):
            break
        time.sleep(0.2)
    for node in out:
        print(json.dumps(node, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
