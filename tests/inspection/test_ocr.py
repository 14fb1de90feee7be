"""Text in pictures (issue 19): pictures the tests draw themselves (nothing fetched), read
with Tesseract in the inspection, checked like a PDF's text, each hit placed on its frame
and where it is drawn; and the limits (time, frames, no engine) said as findings."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFilter

from app.inspection import inspect_file, ocr, samples
from app.inspection.isolated import inspect_isolated
from app.inspection.report import InspectionReport
from app.isolation.worker import IsolatedWorker
from tests.inspection.conftest import codes

RECIPIENT = "196801029288"  # Karin Berg, the message's resident
OTHER = "19121212-1212"  # another resident
AT = (300, 200)  # where the other resident's number is drawn


def note(width: int = 1280, height: int = 720, number: str = OTHER) -> Image.Image:
    """A journal-like screenshot naming ``number`` at ``AT``."""
    image = Image.new("RGB", (width, height), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    face = samples.font("DejaVuSans", 16)
    draw.text((40, 40), "Journalanteckning, Vårdcentralen Norr", fill="black", font=face)
    draw.text((40, 120), "CRP 85 mg/L, Hb 132 g/L, provtaget 2024-03-12 kl 08:30.", fill="black",
              font=face)  # fmt: skip
    draw.text((40, AT[1]), "Kontaktperson:", fill="black", font=face)
    draw.text(AT, number, fill="black", font=face)
    return image


def save(image: Image.Image, path: Path, **options: Any) -> Path:
    image.save(path, **options)
    return path


def _reply(path: Path, **kwargs: object) -> InspectionReport:
    return inspect_file(path, recipients=[RECIPIENT], kind="reply", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "options"), [("note.png", {}), ("note.jpg", {"quality": 85})])
def test_another_residents_number_in_a_screenshot_blocks_the_reply(
    tmp_path: Path, name: str, options: dict[str, Any]
) -> None:
    report = _reply(save(note(), tmp_path / name, **options))
    assert report.verdict.value == "blocked"
    assert "personal_data.other_person" in codes(report)
    [hit] = [h for h in report.hits if h.kind == "personnummer"]
    assert (hit.page, hit.masked, hit.place) == (1, "19121212-****", None)
    assert hit.rect is not None
    left, top, right, bottom = hit.rect  # in the picture's pixels: the preview's units
    assert left - 4 <= AT[0] <= left + 4 and top - 6 <= AT[1] + 2 <= bottom
    assert right - left > 80
    assert report.personal_data_found is True


def test_every_gif_frame_is_read_and_the_hit_is_on_its_frame(tmp_path: Path) -> None:
    first = Image.new("RGB", (640, 360), "white")
    ImageDraw.Draw(first).text(
        (40, 40), "Välkommen", fill="black", font=samples.font("DejaVuSans", 20)
    )
    second = note(640, 360)
    path = tmp_path / "anim.gif"
    first.save(path, save_all=True, append_images=[second], duration=[2000, 2000], loop=1)
    report = _reply(path)
    assert report.pages == 2
    assert [(h.kind, h.page) for h in report.hits if h.kind == "personnummer"] == [
        ("personnummer", 2)
    ]
    assert "personal_data.other_person" in codes(report)


def test_a_photographed_letter_turned_soft_and_unevenly_lit_is_read(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = ["Kallelse", f"Personnummer: {OTHER}", "Du är välkommen den 12 mars."]
    path = save(samples.photo(rng, lines, "DejaVuSans", 4.5), tmp_path / "foto.jpg", quality=80)
    report = _reply(path)
    assert "personal_data.other_person" in codes(report)


def test_a_picture_of_text_without_identifiers_is_left_to_the_sender(tmp_path: Path) -> None:
    image = Image.new("RGB", (800, 300), "white")
    draw = ImageDraw.Draw(image)
    face = samples.font("DejaVuSans", 18)
    for row, line in enumerate(["CRP 85 mg/L, Hb 132 g/L", "Provtaget 2024-03-12 kl 08:30",
                                "Blodtryck 135/85, puls 72"]):  # fmt: skip
        draw.text((30, 30 + row * 40), line, fill="black", font=face)
    report = _reply(save(image, tmp_path / "labb.png"))
    assert report.hits == ()
    # No words read make no verdict on a picture: what it shows is the sender's call.
    assert report.personal_data_found is None
    assert report.verdict.value == "review"


def test_a_page_of_text_too_soft_to_read_says_so(tmp_path: Path) -> None:
    image = Image.new("RGB", (900, 400), "white")
    draw = ImageDraw.Draw(image)
    face = samples.font("DejaVuSans", 14)
    for row in range(8):
        draw.text((20, 20 + row * 40), f"Kontakt {OTHER}, CRP 85 mg/L, Hb 132", fill="black",
                  font=face)  # fmt: skip
    report = _reply(save(image.filter(ImageFilter.GaussianBlur(2.0)), tmp_path / "suddig.png"))
    assert "image.text_uncertain" in codes(report)
    assert report.personal_data_found is None  # the sender answers for it


def _policy(tmp_path: Path, **limits: int) -> str:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"limits": limits}), encoding="utf-8")
    return str(path)


def test_out_of_time_the_picture_says_its_text_was_not_read(tmp_path: Path) -> None:
    path = save(note(), tmp_path / "note.png")
    report = _reply(path, policy_path=_policy(tmp_path, ocr_timeout_s=0))
    [finding] = [f for f in report.findings if f.code == "image.text_not_read"]
    assert finding.param_dict == {"reason": "time", "read": 0, "frames": 1}
    assert report.hits == () and report.personal_data_found is None


def test_frames_beyond_the_limit_are_said_not_read(tmp_path: Path) -> None:
    frames = [note(480, 270, number=f"Ruta {n}") for n in range(3)]
    path = tmp_path / "many.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=2000, loop=1)
    report = _reply(path, policy_path=_policy(tmp_path, ocr_max_frames=2))
    [finding] = [f for f in report.findings if f.code == "image.text_not_read"]
    assert finding.param_dict == {"reason": "frames", "read": 2, "frames": 3}


def test_without_tesseract_the_picture_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "engine", lambda: None)
    report = _reply(save(note(), tmp_path / "note.png"))
    assert "image.text_not_read" in codes(report)
    assert report.personal_data_found is None


def test_in_the_isolated_worker_as_the_window_inspects(tmp_path: Path) -> None:
    path = save(note(), tmp_path / "note.png")
    with IsolatedWorker() as worker:
        report = inspect_isolated(worker, path, [RECIPIENT], "reply")
    assert "personal_data.other_person" in codes(report)
    assert any(h.rect for h in report.hits)


def test_tesseract_rows_become_lines_columns_split_and_tight_digits_join() -> None:
    header = "level\tpage\tblock\tpar\tline\tword\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t10\t10\t60\t12\t95\tBesök",  # the list of visits ...
        "5\t1\t1\t1\t1\t2\t400\t10\t40\t12\t95\tAnamnes",  # ... beside the note's heading
        "5\t1\t1\t1\t2\t1\t400\t40\t40\t12\t95\t9708",
        "5\t1\t1\t1\t2\t2\t441\t40\t60\t12\t30\t14-6338",  # "970814-6338" set tight
    ]
    words = ocr.parse_tsv([header, *rows], back=0.5)
    assert words.text == "Besök\nAnamnes\n970814-6338"
    assert words.rect(14, 25) == (200.0, 20.0, 251.0, 26.0)  # in the original's pixels
    assert (words.words, words.uncertain_words) == (4, 1)


def test_a_large_picture_is_read_smaller_and_a_small_one_larger() -> None:
    big, back = ocr.prepare(Image.new("RGB", (6000, 4000), "white"), 9_000_000)
    assert big.width * big.height <= 9_000_000 and back > 1
    small, back = ocr.prepare(Image.new("RGBA", (300, 200), (0, 0, 0, 0)), 9_000_000)
    assert small.size == (600, 400) and back == 0.5
    assert small.getpixel((0, 0)) == 255  # transparency laid on white


def test_a_turned_page_is_straightened() -> None:
    rng = random.Random(3)
    lines = [f"Rad {n}: CRP 85 mg/L, Hb 132 g/L, provtaget 2024-03-12" for n in range(8)]
    image = samples.photo(rng, lines, "DejaVuSans", -6.0)
    assert 4 <= ocr.lean(image.convert("L")) <= 8
    assert ocr.lean(note().convert("L")) == 0  # a screenshot is left as it is


def test_the_pixels_never_touch_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract reads from a pipe and answers on one: no picture or text in a temp file."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words = ocr.read_words(note(), timeout_s=60, max_pixels=9_000_000)
    assert "19121212" in words.text.replace(" ", "")
    assert list(tmp_path.iterdir()) == []


def test_words_are_read_from_memory_not_from_a_file_name() -> None:
    buffer = io.BytesIO()
    note().save(buffer, "PNG")
    words = ocr.read_words(Image.open(buffer), timeout_s=60, max_pixels=9_000_000)
    assert words.confidence is not None and words.confidence > 80
