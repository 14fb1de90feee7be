"""Argument parsing for Bifoga's commands: a usage error is exit status 2 with the usage
and the reason on standard error, never argparse's own exit in the middle of a command
(which tests and the bundle's smoke run could not catch)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, TextIO

EXIT_USAGE = 2


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit; the command returns 2
        raise UsageError(message)


def parse(parser: Parser, argv: Sequence[str], err: TextIO) -> argparse.Namespace | int:
    """The options, or the exit status to return (2 for a usage error, 0 after --help)."""
    try:
        return parser.parse_args(list(argv))
    except UsageError as error:
        print(parser.format_usage().rstrip(), file=err)
        print(f"{parser.prog}: {error}", file=err)
        return EXIT_USAGE
    except SystemExit as done:  # --help
        return int(done.code or 0)
