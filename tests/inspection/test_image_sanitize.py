"""Metadata leaves the staged copy; pixels do not change."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from app.inspection import inspect_file
from app.inspection.image_sanitize import sanitize_staged_image, strip_image_metadata
from tests.inspection.conftest import codes
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def test_jpeg_loses_exif_gps_and_comment_but_not_a_pixel(write: Write) -> None:
    original = samples.jpeg(exif_data=samples.exif(orientation=1))
    path = write("foto.jpg", original)
    assert sanitize_staged_image(path) is True
    cleaned = path.read_bytes()
    assert _pixels(cleaned) == _pixels(original)
    with Image.open(path) as image:
        assert not image.getexif()
        assert "comment" not in image.info
    assert not {"image.metadata", "image.location_metadata"} & codes(inspect_file(path))
    assert sanitize_staged_image(path) is False  # nothing left to remove


def test_jpeg_orientation_survives(write: Write) -> None:
    path = write("stende.jpg", samples.jpeg(exif_data=samples.exif(orientation=6)))
    sanitize_staged_image(path)
    with Image.open(path) as image:
        exif = image.getexif()
    assert dict(exif) == {0x0112: 6}


def test_png_text_chunks_go_and_pixels_stay(write: Write) -> None:
    original = samples.png_with_text_chunks()
    path = write("bild.png", original)
    assert sanitize_staged_image(path)
    assert _pixels(path.read_bytes()) == _pixels(original)
    assert b"19121212" not in path.read_bytes()


def test_gif_comment_goes_and_animation_stays(write: Write) -> None:
    original = samples.gif([0, 80, 160], duration=200, comment=b"secret note")
    path = write("anim.gif", original)
    assert sanitize_staged_image(path)
    data = path.read_bytes()
    assert b"secret note" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert getattr(image, "n_frames", 1) == 3
        assert image.info.get("loop") == 0


def test_bytes_after_the_end_marker_are_dropped() -> None:
    tail = b"PK\x03\x04 hidden archive"
    for data in (samples.png(), samples.jpeg(), samples.slow_fade_gif()):
        assert strip_image_metadata(data + tail) == strip_image_metadata(data)


def test_broken_or_foreign_data_is_left_alone(write: Write) -> None:
    half = samples.truncated(samples.jpeg())
    assert strip_image_metadata(half) == half
    assert strip_image_metadata(b"%PDF-1.7 ...") == b"%PDF-1.7 ..."
    path = write("a.pdf", samples.letter_pdf())
    assert sanitize_staged_image(path) is False
