"""Bifoga's data files (policy, texts, demo documents), shipped as package data.

Read them with :func:`resources.path` so the program finds them both in a checkout and
in an installed wheel or a frozen bundle.
"""

from importlib.resources import as_file, files
from pathlib import Path


def read_text(name: str) -> str:
    """The text of a resource file, by its path below this folder."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_bytes(name: str) -> bytes:
    return files(__name__).joinpath(name).read_bytes()


def path(name: str) -> Path:
    """A real file path for a resource (the package is a plain folder in every build we make)."""
    with as_file(files(__name__).joinpath(name)) as p:
        return Path(p)
