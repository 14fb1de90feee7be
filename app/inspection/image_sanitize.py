"""Remove hidden metadata from a staged image, losslessly, before it is previewed.

Photos carry where and when they were taken, the camera, sometimes a thumbnail of the
uncropped picture; none of it should reach a resident. The staged copy is rewritten
so that the bytes previewed are the bytes sent (docs/design.md, "The path of one message").

Everything works on the container, never on pixels: JPEG segments, PNG chunks and GIF
blocks that carry metadata are dropped and the rest is copied byte for byte. No
decoder runs, so this is cheap and cannot change how the picture looks. What is kept:
colour information (ICC profiles, gamma, Adobe colour transform), animation control,
and, for JPEG, the EXIF orientation (rewritten as a minimal EXIF block) so that a photo
taken upright stays upright. Bytes after the format's end marker (where polyglots hide
a ZIP) are dropped too.
"""

from __future__ import annotations

import struct
from pathlib import Path

from app.storage.sealed import read_plain, replace_plain


class _Malformed(ValueError):
    pass


# -- JPEG -----------------------------------------------------------------------------

_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _exif_orientation(segment_data: bytes) -> int:
    """The orientation tag from an APP1 Exif payload; 1 (upright) when absent or bad."""
    tiff = segment_data[6:]
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return 1
    order = "<" if tiff[:2] == b"II" else ">"
    try:
        (ifd,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, ifd)
        for i in range(min(count, 512)):
            tag, kind, _n = struct.unpack_from(order + "HHI", tiff, ifd + 2 + 12 * i)
            if tag == 0x0112 and kind == 3:
                (value,) = struct.unpack_from(order + "H", tiff, ifd + 2 + 12 * i + 8)
                return value if 1 <= value <= 8 else 1
    except struct.error:
        return 1
    return 1


def _orientation_segment(orientation: int) -> bytes:
    payload = (
        b"Exif\0\0MM\0*"
        + struct.pack(">I", 8)
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
        + struct.pack(">I", 0)
    )
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _keep_jpeg_segment(marker: int, data: bytes) -> bool:
    if marker == 0xE0:
        return data.startswith(b"JFIF\0")  # JFXX carries a thumbnail
    if marker == 0xE2:
        return data.startswith(b"ICC_PROFILE\0")
    if marker == 0xEE:
        return data.startswith(b"Adobe")  # colour transform: needed to decode CMYK right
    return not (0xE1 <= marker <= 0xEF or marker == 0xFE)


def strip_jpeg(data: bytes) -> bytes:
    return _strip_jpeg(data)[0]


def _strip_jpeg(data: bytes) -> tuple[bytes, int]:
    """The JPEG without metadata, and where its end-of-image marker ends in ``data``."""
    if not data.startswith(b"\xff\xd8"):
        raise _Malformed("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pos = 2
    orientation = 1
    end = len(data)
    while pos < end:
        if data[pos] != 0xFF:
            raise _Malformed("marker expected")
        while pos + 1 < end and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 1 >= end:
            raise _Malformed("truncated")
        marker = data[pos + 1]
        if marker == 0xD9:
            out += b"\xff\xd9"
            return bytes(out), pos + 2
        if marker in _JPEG_STANDALONE:
            out += data[pos : pos + 2]
            pos += 2
            continue
        if pos + 4 > end:
            raise _Malformed("truncated")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        segment_end = pos + 2 + length
        if length < 2 or segment_end > end:
            raise _Malformed("bad segment length")
        payload = data[pos + 4 : segment_end]
        if marker == 0xE1 and payload.startswith(b"Exif\0\0"):
            orientation = _exif_orientation(payload)
        if marker == 0xDA:
            # Entropy-coded data runs to the next marker that is not a stuffed byte or RST.
            scan = segment_end
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= end:
                    raise _Malformed("scan without end")
                following = data[scan + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan += 1 if following == 0xFF else 2
                    continue
                break
            out += data[pos:scan]
            pos = scan
            continue
        if orientation != 1 and not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            # After the application segments, before the tables: where EXIF would be.
            out += _orientation_segment(orientation)
            orientation = 1
        if _keep_jpeg_segment(marker, payload):
            out += data[pos:segment_end]
        pos = segment_end
    raise _Malformed("no end of image")


# -- PNG ------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
    b"hIST",
    b"acTL",
    b"fcTL",
    b"fdAT",
    b"cICP",
    b"mDCv",
    b"cLLi",
}


def strip_png(data: bytes) -> bytes:
    return _strip_png(data)[0]


def _strip_png(data: bytes) -> tuple[bytes, int]:
    if not data.startswith(_PNG_SIGNATURE):
        raise _Malformed("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise _Malformed("truncated")
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > len(data):
            raise _Malformed("truncated chunk")
        if kind in _PNG_KEEP:
            out += data[pos:chunk_end]
        pos = chunk_end
        if kind == b"IEND":
            return bytes(out), chunk_end


# -- GIF ------------------------------------------------------------------------------

_GIF_KEEP_APPLICATIONS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _sub_blocks_end(data: bytes, pos: int) -> int:
    while True:
        if pos >= len(data):
            raise _Malformed("truncated")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def strip_gif(data: bytes) -> bytes:
    return _strip_gif(data)[0]


def _strip_gif(data: bytes) -> tuple[bytes, int]:
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 13:
        raise _Malformed("not a GIF")
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out = bytearray(data[:pos])
    while pos < len(data):
        introducer = data[pos]
        if introducer == 0x3B:
            out.append(0x3B)
            return bytes(out), pos + 1
        if introducer == 0x21:
            if pos + 2 > len(data):
                raise _Malformed("truncated")
            label = data[pos + 1]
            block_end = _sub_blocks_end(data, pos + 2)
            keep = label in (0xF9, 0x01)
            if label == 0xFF:
                keep = data[pos + 3 : pos + 14] in _GIF_KEEP_APPLICATIONS
            if keep:
                out += data[pos:block_end]
            pos = block_end
        elif introducer == 0x2C:
            if pos + 10 > len(data):
                raise _Malformed("truncated")
            local = data[pos + 9]
            header_end = pos + 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            block_end = _sub_blocks_end(data, header_end + 1)  # after the LZW code size
            out += data[pos:block_end]
            pos = block_end
        else:
            raise _Malformed("unknown block")
    raise _Malformed("no trailer")


# -- the staged copy ------------------------------------------------------------------

_STRIPPERS = (
    (b"\xff\xd8\xff", _strip_jpeg),
    (_PNG_SIGNATURE, _strip_png),
    (b"GIF87a", _strip_gif),
    (b"GIF89a", _strip_gif),
)


def _stripped(data: bytes) -> tuple[bytes, int] | None:
    for signature, strip in _STRIPPERS:
        if data.startswith(signature):
            try:
                return strip(data)
            except (_Malformed, IndexError, struct.error):
                return None
    return None


def strip_image_metadata(data: bytes) -> bytes:
    """``data`` without metadata; unchanged when it is not an image this module knows
    or is too broken to rewrite (inspection refuses such files anyway)."""
    stripped = _stripped(data)
    return data if stripped is None else stripped[0]


def image_end(data: bytes) -> int | None:
    """Where the image's own end marker ends in ``data`` (what follows is not part of
    the picture); ``None`` when it is not an image this module can walk."""
    stripped = _stripped(data)
    return None if stripped is None else stripped[1]


def sanitize_staged_image(path: Path) -> bool:
    """Rewrite the staged image at ``path`` without metadata; True when it changed.

    The replacement is atomic (a temporary file in the same folder, then a rename), so
    a crash leaves either the old or the new copy, never half of one; a sealed working
    copy is written sealed again (``app.storage.sealed.replace_plain``).
    """
    data = read_plain(path)
    cleaned = strip_image_metadata(data)
    if cleaned == data:
        return False
    replace_plain(path, cleaned)  # sealed again when it was (never in clear on disk)
    return True
