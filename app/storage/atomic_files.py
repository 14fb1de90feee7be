"""Replacing a working copy in place, all or nothing.

A staged copy is rewritten (metadata stripped, hidden content removed) before anyone
previews it. A crash halfway must leave the old copy or the new one, never half of each:
the new bytes go to a temporary file beside it, are flushed to disk, take the old file's
permissions, and then replace it in one rename.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: Path, write: Callable[[Path], object], *, prefix: str) -> None:
    """Replace ``path`` with what ``write(temporary_path)`` writes there."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=path.suffix)
    os.close(handle)
    try:
        write(Path(temporary))
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
