"""The ``bifoga`` console script: the window, or a command that needs none.

Commands without a window go to :mod:`app.commands.cli` (the core's) or :mod:`sandbox.cli`
(``bifoga sandbox``) before Qt is imported, so they work on a server without a screen.
This module may import both; ``app`` imports no sandbox.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # the worker processes of a frozen bundle start here
        import multiprocessing  # (only there: importing it costs the window's start-up)

        multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    from app.commands import cli

    if args and args[0] == "sandbox":
        cli.setup_logging()  # personnummer masked in the sandbox's log too
        from sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args and (args[0] in cli.COMMANDS or not args[0].startswith("-")):
        return _quiet_when_cut_off(lambda: cli.main(args))
    cli.setup_logging()
    if "--smoke-test" in args:  # CI's check of a built bundle: see ui/shell/smoke_test.py
        from ui.shell.smoke_test import close_dialogs_when_shown

        args.remove("--smoke-test")
        close_dialogs_when_shown(args)
    from ui.shell.start import run_gui

    return run_gui(args)


def _quiet_when_cut_off(command: Callable[[], int]) -> int:
    """A command whose output is cut off by the reader (``bifoga inspect --json | head``)
    ends quietly, as other command-line tools do, not with a traceback."""
    try:
        return command()
    except BrokenPipeError:
        # Nothing more can be written; Python would complain again at exit otherwise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a shell reports a pipe closed under a command (128 + SIGPIPE)


if __name__ == "__main__":
    sys.exit(main())
