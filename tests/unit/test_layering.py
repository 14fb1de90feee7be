"""The layering holds: the core runs without a screen and without the sandbox, the sandbox
without the window and with only the protocol it shares with the client, the window
without a parser of untrusted files, the window's controllers without the window.

Which package may import which is checked by import-linter's contracts in pyproject.toml
(``lint-imports``, in the test command). Here each contract is shown to catch the import it
forbids (a probe module added to a copy of the code breaks exactly that contract), and what
is loaded at run time is checked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_command_line_runs_without_qt_loaded() -> None:
    # Importing every core module for `bifoga inspect` / `bifoga sandbox` loads no Qt.
    code = (
        "import sys, app.commands.cli, app.runtime.services, app.send.send_gate;"
        "import app.send.sending, app.isolation.worker;"
        "import sandbox.cli, sandbox.runner, sandbox.embedded, app.commands.inspect_cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_core_loads_no_sandbox() -> None:
    # The core's modules, the window's start-up path included, leave the sandbox unloaded.
    code = (
        "import sys, app.commands.cli, app.runtime.services, app.send.sending;"
        "import app.gateway.client, app.config.settings;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sandbox'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_starting_the_embedded_sandbox_loads_no_werkzeug_until_it_starts() -> None:
    # The sign-in window's start-up imports sandbox.embedded; Werkzeug waits for the thread.
    code = (
        "import sys, sandbox.embedded;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'werkzeug'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def _lint_a_copy_with(tmp_path: Path, probe: str, text: str, broken: int = 1) -> str:
    """lint-imports' report on a copy of the code with ``text`` written to ``probe`` (a
    path relative to the repository); it must have failed, breaking ``broken`` contracts."""
    for name in ("app", "ui", "sandbox"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / probe).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=tmp_path
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    # That contract alone (or the ones named), so it is the probe's doing.
    assert f"{broken} broken" in report, report
    return report


@pytest.mark.parametrize(
    ("package", "probe_import", "forbidden"),
    [
        # (external packages are named by their top level; a bare ``ui`` or ``sandbox``
        # breaks only the contract under test, where a module of theirs would reach others;
        # a probe in app/ goes into a room: one at app's top would be a room not placed)
        ("app.drafts", "PySide6.QtCore", "PySide6"),
        ("app.drafts", "ui", "ui"),
        ("app.drafts", "sandbox.runner", "sandbox.runner"),
        ("sandbox", "ui", "ui"),
        ("sandbox", "PySide6.QtWidgets", "PySide6"),
        ("sandbox", "app.outbox", "app.outbox"),
        # the sandbox shares only the protocol: no room but app.protocol, directly
        ("sandbox", "app.config.texts", "app.config.texts"),
        ("ui.common", "pypdfium2", "pypdfium2"),
        # the rooms' layers: no room imports one above it ...
        ("app.protocol", "app.drafts", "app.drafts"),
        ("app.storage", "app.commands.cli", "app.commands.cli"),
        # ... nor its sibling on the same line (independent: no circle between them)
        ("app.send", "app.after_send.sent_list", "app.after_send.sent_list"),
        ("app.gateway", "app.inspection", "app.inspection"),
        # the window's rooms: shell, window, dialogs, preview, common, each only downwards
        ("ui.common", "ui.preview.pane", "ui.preview.pane"),
        ("ui.preview", "ui.dialogs.review", "ui.dialogs.review"),
        ("ui.dialogs", "ui.window.main_window", "ui.window.main_window"),
        ("ui.window", "ui.shell.start", "ui.shell.start"),
    ],
)
def test_each_contract_catches_the_import_it_forbids(
    package: str, probe_import: str, forbidden: str, tmp_path: Path
) -> None:
    probe = Path(*package.split("."), "layering_probe.py")
    report = _lint_a_copy_with(tmp_path, str(probe), f"import {probe_import}\n")
    assert f"{package}.layering_probe -> {forbidden}" in report, report


@pytest.mark.parametrize("package", ["app", "ui"])
def test_the_layers_contract_catches_a_room_not_placed(package: str, tmp_path: Path) -> None:
    # Exhaustive: a new room, or a module left at the package's top, must be given its layer.
    report = _lint_a_copy_with(tmp_path, f"{package}/layering_probe.py", "")
    assert "not listed as layers" in report, report
    assert f"- {package}.layering_probe" in report, report


def test_the_worker_stays_below_its_jobs(tmp_path: Path) -> None:
    """The isolated worker runs the jobs table it is started with and knows none of them
    (``app.isolation.worker.DEFAULT_JOBS`` names it): its room lies below the jobs'
    (runtime, preview, inspection). ``app.isolation.worker`` is a module: the probe import
    goes into it (a copy)."""
    worker = REPO / "app" / "isolation" / "worker.py"
    text = worker.read_text(encoding="utf-8") + "\nimport app.runtime.worker_ops\n"
    report = _lint_a_copy_with(tmp_path, "app/isolation/worker.py", text)
    assert "app.isolation.worker -> app.runtime.worker_ops" in report, report


def test_the_sandbox_contract_lists_every_room_but_the_protocol() -> None:
    # A forbidden contract names what it forbids: a room added later must be added to it.
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    sandbox = next(
        c
        for c in contracts["tool"]["importlinter"]["contracts"]
        if c["source_modules"] == ["sandbox"] and "app.protocol" in c["name"]
    )
    rooms = {f"app.{p.parent.name}" for p in (REPO / "app").glob("*/__init__.py")}
    assert set(sandbox["forbidden_modules"]) == rooms - {"app.protocol"}


#: The modules the composition root wires; none may import it (issue 22, item 1).
WIRED = (
    "ui.window.drafts_controller",
    "ui.window.attach_controller",
    "ui.window.send_controller",
    "ui.window.session_controller",
    "ui.window.waiting_controller",
    "ui.window.thread_controller",
    "ui.window.side_views",
)


def test_the_window_contract_names_every_controller_and_side_view() -> None:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    window = next(
        c
        for c in contracts["tool"]["importlinter"]["contracts"]
        if c.get("forbidden_modules") == ["ui.window.main_window"]
    )
    assert sorted(window["source_modules"]) == sorted(WIRED)
    independent = next(
        c for c in contracts["tool"]["importlinter"]["contracts"] if c["type"] == "independence"
    )
    assert sorted(independent["modules"]) == sorted(WIRED)


def test_the_independence_contract_catches_one_controller_calling_another(
    tmp_path: Path,
) -> None:
    """The root connects the controllers' signals; one importing another breaks that."""
    source = Path("ui", "window", "send_controller.py")
    text = (REPO / source).read_text(encoding="utf-8") + "\nimport ui.window.drafts_controller\n"
    report = _lint_a_copy_with(tmp_path, str(source), text)
    assert "ui.window.send_controller -> ui.window.drafts_controller" in report, report


def _import_circles() -> list[list[str]]:
    """Every set of modules of app, ui and sandbox that import each other round in a
    circle (imports under ``TYPE_CHECKING`` count: a type-only circle still ties the
    modules together)."""
    graph = grimp.build_graph("app", "ui", "sandbox", include_external_packages=False)
    edges = {
        module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }
    return strongly_connected(edges)


def strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of more than one node that reach each
    other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, [])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_modules_import_each_other_in_a_circle() -> None:
    # Inside a room the layers contracts cannot see; this looks at every module.
    assert _import_circles() == []


def test_the_circle_check_finds_a_circle() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e2"], "e2": []}
    assert strongly_connected(edges) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", WIRED)
def test_the_window_contract_catches_a_controller_importing_the_window(
    module: str, tmp_path: Path
) -> None:
    """Not even under ``TYPE_CHECKING``: a module-level import into a copy of it breaks
    that contract, and the controllers' independence too (the window imports them all,
    so through it the controller would reach the others)."""
    source = Path(*module.split(".")).with_suffix(".py")
    text = (REPO / source).read_text(encoding="utf-8") + "\nimport ui.window.main_window\n"
    report = " ".join(_lint_a_copy_with(tmp_path, str(source), text, broken=2).split())
    assert f"{module} -> ui.window.main_window" in report, report
    assert "know no window: they get their collaborators" in report, report
    assert "wires them BROKEN" in report and "connects them BROKEN" in report, report
