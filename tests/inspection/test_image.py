"""Image checks: pixel and frame limits, metadata, flashing and long animations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.inspection import inspect_file
from app.inspection.animation import Timeline, max_flashes_per_second
from app.inspection.report import Severity, Verdict
from tests.inspection.conftest import CORPUS, codes
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]


def test_every_image_needs_alt_text_and_personal_data_is_unknown(write: Write) -> None:
    report = inspect_file(write("bild.png", samples.png()))
    assert codes(report) == {"image.alt_text_required"}
    assert report.personal_data_found is None
    assert report.verdict is Verdict.REVIEW
    assert report.pages == 1


def test_decompression_bomb_is_refused_before_decoding(write: Write) -> None:
    report = inspect_file(write("bomb.png", samples.decompression_bomb_png()))
    assert "image.too_many_pixels" in codes(report)
    assert report.blocked


def test_just_over_the_pixel_limit_is_an_error_not_a_warning(write: Write) -> None:
    # Pillow only warns between the limit and twice the limit; we refuse.
    report = inspect_file(write("stor.png", samples.decompression_bomb_png(side=8000)))
    assert "image.too_many_pixels" in codes(report)


def test_gif_with_thousands_of_frames_is_capped(write: Write) -> None:
    report = inspect_file(write("manga.gif", samples.many_frames_gif(3000)))
    assert "image.too_many_frames" in codes(report)
    assert report.blocked


def test_flashing_gif_is_blocked(write: Write) -> None:
    report = inspect_file(write("blink.gif", samples.flashing_gif()))
    flashing = next(f for f in report.findings if f.code == "image.flashing")
    assert flashing.severity is Severity.BLOCK
    assert "image.animation_too_long" in codes(report)  # loops forever


def test_gentle_short_animation_passes(write: Write) -> None:
    report = inspect_file(write("tona.gif", samples.slow_fade_gif()))
    assert not {"image.flashing", "image.animation_too_long"} & codes(report)


def test_animation_longer_than_five_seconds_warns(write: Write) -> None:
    data = samples.gif([0, 10, 20, 30, 40, 50, 60], duration=1000, loop=None)
    report = inspect_file(write("lang.gif", data))
    finding = next(f for f in report.findings if f.code == "image.animation_too_long")
    assert finding.severity is Severity.WARN
    assert finding.param_dict["seconds"] == "7"


def test_flash_counting() -> None:
    dark, light = (0.0,) * 16, (1.0,) * 16
    fast = Timeline([100] * 10, None)  # ten transitions within one second
    assert max_flashes_per_second([dark, light] * 5, fast) > 3
    slow = Timeline([500] * 10, None)
    assert max_flashes_per_second([dark, light] * 5, slow) <= 3
    assert max_flashes_per_second([dark], fast) == 0


def test_exif_gps_and_comments_are_reported(write: Write) -> None:
    report = inspect_file(write("foto.jpg", samples.jpeg(exif_data=samples.exif())))
    assert {"image.metadata", "image.location_metadata"} <= codes(report)
    assert not report.blocked


def test_png_text_chunks_are_reported(write: Write) -> None:
    assert "image.metadata" in codes(inspect_file(write("t.png", samples.png_with_text_chunks())))


def test_truncated_image_is_unreadable(write: Write) -> None:
    report = inspect_file(write("halv.png", samples.truncated(samples.png((300, 300)))))
    assert "image.unreadable" in codes(report)


def test_photographed_text_asks_for_the_text() -> None:
    report = inspect_file(CORPUS / "ocrmypdf" / "typewriter.png")
    assert "image.of_text" in codes(report)
    plain = inspect_file(CORPUS / "ocrmypdf" / "baiona_color.jpg")
    assert "image.of_text" not in codes(plain)
