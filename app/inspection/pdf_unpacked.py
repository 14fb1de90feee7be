"""How large a PDF becomes unpacked, found without unpacking it into memory.

A decompression bomb is a small file whose compressed streams inflate to far more than
any parser should hold: 1 MB of Flate that is 1 GiB of spaces. qpdf (the hidden-content
rewrite) and PDFium (the pages) inflate a stream whole when they read it, so the worker
would grow past its memory limit and end as ``file.inspection_crashed``, saying nothing
useful. This check runs first, on the raw bytes, with no PDF parser at all: every
``stream … endstream`` body is inflated (Flate, the one filter with a ratio of 1000:1)
through a bounded buffer and only counted. Past ``limit`` bytes in all, the file is
refused as ``pdf.too_large_unpacked``. Memory stays at about one buffer whatever the
ratio; the time is that of inflating up to ``limit`` bytes (about 0.4 s for 512 MiB).

Streams of other filters, and streams whose data is encrypted, count as nothing here:
none of the other standard filters has a large ratio (RunLength at most 128:1, LZW about
the same), and a PDF that needs a password is refused anyway.
"""

from __future__ import annotations

import re
import zlib

_BUFFER = 1 << 20
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


def unpacked_beyond(data: bytes, limit: int) -> bool:
    """Whether the Flate streams of the PDF ``data`` inflate to more than ``limit``
    bytes in all."""
    left = limit
    position = 0
    while True:
        opening = _STREAM.search(data, position)
        if opening is None:
            return False
        end = data.find(b"endstream", opening.end())
        if end < 0:
            end = len(data)
        left -= _inflated(memoryview(data)[opening.end() : end], left)
        if left < 0:
            return True
        position = end


def _inflated(body: memoryview, budget: int) -> int:
    """How many bytes ``body`` inflates to, counting no further than just past
    ``budget``; 0 for a body that is not zlib data."""
    inflater = zlib.decompressobj()
    size = 0
    pending: bytes | memoryview = body
    try:
        # Until its end (what follows the zlib data, the line end before "endstream",
        # may stay in unconsumed_tail for ever), its input, or the budget.
        while pending and not inflater.eof and size <= budget:
            size += len(inflater.decompress(pending, _BUFFER))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # not Flate (or damaged): what was inflated until then still counts
    return size
