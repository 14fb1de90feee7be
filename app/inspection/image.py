"""Inspecting one image (PNG, JPEG, GIF) with Pillow.

Pillow opens only the format the magic bytes announced (``formats=[...]``), with the
pixel limit as an error rather than a warning, so a decompression bomb is refused
before it is decoded. Frames are counted up to the cap, never further.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence

from app.inspection import animation, text_in_image
from app.inspection.findings import FindingSink
from app.inspection.pdf_pages import DetectorLike
from app.inspection.report import PersonalDataHit
from app.protocol.filetypes import GIF, JPEG, PNG
from app.storage.sealed import read_plain

_PILLOW_FORMAT = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF"}
#: EXIF tags that say nothing about the person or the place (kept by the sanitizer).
_HARMLESS_EXIF = {0x0112, 0x011A, 0x011B, 0x0128, 0x0213}  # orientation, resolution
_GPS_IFD = 0x8825


@dataclass(frozen=True, slots=True)
class ImageResult:
    frames: int | None
    #: Personal data in the words read in the picture (``image_text``).
    hits: tuple[PersonalDataHit, ...] = ()


@contextmanager
def _pixel_limit(limit: int) -> Iterator[None]:
    # MAX_IMAGE_PIXELS is process-wide; the worker inspects one file at a time.
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def inspect_image(
    path: Path, media_type: str, sink: FindingSink, detector: DetectorLike | None = None
) -> ImageResult:
    """Facts and findings of one picture; with ``detector``, its words read and checked."""
    limits = sink.policy.limits
    try:
        with (
            _pixel_limit(limits.max_image_pixels),
            # A working copy is sealed at rest: Pillow reads its plain bytes from memory.
            Image.open(io.BytesIO(read_plain(path)), formats=[_PILLOW_FORMAT[media_type]]) as image,
        ):
            return _inspect_open(image, sink, detector)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        sink.add("image.too_many_pixels", limit_mp=f"{limits.max_image_pixels / 1e6:.0f}")
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError):
        # Pillow reports broken and truncated files with all of these.
        sink.add("image.unreadable")
    except MemoryError:
        sink.add("image.too_many_pixels", limit_mp=f"{limits.max_image_pixels / 1e6:.0f}")
    finally:
        sink.add("image.alt_text_required")
    return ImageResult(None)


def _inspect_open(
    image: Image.Image, sink: FindingSink, detector: DetectorLike | None
) -> ImageResult:
    limits = sink.policy.limits
    if image.width * image.height > limits.max_image_pixels:
        raise Image.DecompressionBombError("pixel limit")
    _metadata(image, sink)
    image.load()  # a truncated or corrupt first frame fails here, before anything else
    if text_in_image.looks_like_text(image):
        sink.add("image.of_text")
    frames = _animation(image, sink)
    if detector is None:
        return ImageResult(frames)
    from app.inspection.image_text import find_in_picture

    image.seek(0)
    return ImageResult(frames, find_in_picture(image, sink, detector))


def _metadata(image: Image.Image, sink: FindingSink) -> None:
    """Hidden information a resident should not receive (the sanitizer removes it)."""
    info = image.info
    kinds = []
    exif = image.getexif()
    if set(exif) - _HARMLESS_EXIF:
        kinds.append("EXIF")
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        kinds.append("XMP")
    if info.get("photoshop") or info.get("iptc"):
        kinds.append("IPTC")
    if info.get("comment") or (image.format == "PNG" and getattr(image, "text", None)):
        kinds.append("text")
    if _GPS_IFD in exif:
        sink.add("image.location_metadata")
    if kinds:
        sink.add("image.metadata", kinds=", ".join(kinds))


def _animation(image: Image.Image, sink: FindingSink) -> int:
    limits = sink.policy.limits
    if not getattr(image, "is_animated", False):
        return 1
    durations: list[int] = []
    thumbnails = []
    for frame in ImageSequence.Iterator(image):
        if len(durations) >= limits.max_frames:
            sink.add("image.too_many_frames", limit=limits.max_frames)
            return len(durations)
        durations.append(int(frame.info.get("duration", 0) or 0))
        thumbnails.append(animation.luminance_thumbnail(frame))
    loop = image.info.get("loop")
    timeline = animation.Timeline(durations, loop if isinstance(loop, int) else None)
    if animation.max_flashes_per_second(thumbnails, timeline) > limits.max_flashes_per_second:
        sink.add("image.flashing")
    seconds = timeline.total_seconds()
    if seconds > limits.max_animation_seconds:
        sink.add(
            "image.animation_too_long",
            seconds="∞" if seconds == float("inf") else f"{seconds:.0f}",
        )
    return len(durations)
