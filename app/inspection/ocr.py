"""Text in pictures: Tesseract (Swedish and English data), offline, in the inspect worker.

Tesseract is run as its own command, fed through a pipe and read back through a pipe
(``tesseract stdin stdout ... tsv``), not through pytesseract: pytesseract writes the
decoded picture and its text to files in the temporary folder, in plain, while Bifoga's
working copies are sealed at rest (docs/storage.md). The pipe keeps the pixels and the
words in memory. The process is a child of the inspect worker, so it inherits the
worker's memory and CPU limits and its process group (a killed worker takes it along);
each call also has its own wall-clock limit here.

The words come back with their boxes, in picture pixels, so a hit found in the text is
drawn where it sits on the picture (``WordText.rect``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageFilter, ImageOps

#: Swedish (å, ä, ö; its model reads the Latin alphabet too). Adding English made
#: Tesseract read "Bedömning" as "Bedomning" more often on screenshots, and took longer.
LANGUAGES = "swe"
#: Below this many pixels a picture is drawn twice as large first: Tesseract reads
#: letters of 20-30 pixels best, and a small picture's text is usually tiny.
_UPSCALE_BELOW = 600_000
#: Words Tesseract marks as words but is less sure of than this (0-100) are "uncertain".
_CONFIDENT = 60.0
#: One core per OCR: the machines have two, and the window's own work needs the other.
_ENV = {"OMP_THREAD_LIMIT": "1"}
#: Sauvola's local threshold (Tesseract 5): a phone photo lit from one side has no one
#: grey level between paper and ink, which the default (Otsu, global) needs.
_OPTIONS = ("--oem", "1", "--psm", "3")
_SAUVOLA = ("-c", "thresholding_method=2")
#: Turns tried to straighten a photographed page (degrees); Tesseract reads lines that
#: lean a degree or two, not five.
_TURNS = tuple(range(-10, 11))
#: A gap between words wider than this many letter heights starts a new line: a
#: screenshot's columns (a list of visits beside the note) share rows.
_COLUMN_GAP = 3.0
#: Digits split by a gap narrower than this many letter heights are one number: Tesseract
#: breaks "970814" into "9708 14" where the letters are set tight.
_DIGIT_GAP = 0.25


class OcrUnavailable(Exception):
    """Tesseract is not installed (or not runnable) on this computer."""


class OcrTimeout(Exception):
    """Reading the picture took longer than its limit."""


@dataclass(frozen=True, slots=True)
class WordText:
    """The words read in one picture, as one text, and where each word sits."""

    text: str
    #: (start, end, (left, top, right, bottom)) per word: offsets into ``text``, pixels.
    boxes: tuple[tuple[int, int, tuple[int, int, int, int]], ...] = ()
    #: Mean confidence (0-100) over the words; None when no word was read.
    confidence: float | None = None
    words: int = 0
    uncertain_words: int = field(default=0)

    def rect(self, start: int, end: int) -> tuple[float, float, float, float] | None:
        """The union of the boxes of the words that ``text[start:end]`` touches."""
        touched = [box for s, e, box in self.boxes if s < end and start < e]
        if not touched:
            return None
        return (
            float(min(b[0] for b in touched)),
            float(min(b[1] for b in touched)),
            float(max(b[2] for b in touched)),
            float(max(b[3] for b in touched)),
        )


def engine() -> str | None:
    """The Tesseract command, or None when this computer has none."""
    return shutil.which("tesseract")


def prepare(image: Image.Image, max_pixels: int) -> tuple[Image.Image, float]:
    """A grey picture for Tesseract and the factor from its pixels back to the original's.

    Transparency is laid on white (a screenshot's transparent parts are background);
    a picture over ``max_pixels`` is made smaller (time and memory are bounded by it),
    a small one larger (its letters are small)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    grey = ImageOps.grayscale(image.convert("RGB") if image.mode not in ("L", "RGB") else image)
    pixels = grey.width * grey.height
    scale = 1.0
    if pixels > max_pixels > 0:
        scale = (max_pixels / pixels) ** 0.5
    elif 0 < pixels < _UPSCALE_BELOW:
        scale = 2.0
    if scale != 1.0:
        size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
        grey = grey.resize(size, Image.Resampling.LANCZOS if scale > 1 else Image.Resampling.BOX)
    return grey, 1.0 / scale


def lean(grey: Image.Image) -> int:
    """The turn (degrees, counter-clockwise) that makes the lines of text level.

    Rows of a level page alternate between ink and paper, so the row averages vary most
    at the right turn (a projection profile). Tried on a small copy: each turn is a
    resize to one column, done by Pillow in C."""
    small = grey.copy()
    small.thumbnail((500, 500), Image.Resampling.BOX)
    # Ink is what is darker than the paper around it (a page lit from one side has no
    # one level of grey between them): the local maximum is the paper.
    paper = small.filter(ImageFilter.MaxFilter(9))
    ink = ImageChops.subtract(paper, small).point(lambda v: 255 if v > 40 else 0)
    best, best_score = 0, -1.0
    for turn in _TURNS:
        rows = ink.rotate(turn, resample=Image.Resampling.NEAREST, expand=False)
        profile = rows.resize((1, rows.height), Image.Resampling.BOX).tobytes()
        mean = sum(profile) / len(profile)
        score = sum((v - mean) ** 2 for v in profile)
        if score > best_score * 1.02:  # level wins ties: screenshots stay untouched
            best, best_score = turn, score
    return best


def read_words(image: Image.Image, *, timeout_s: float, max_pixels: int) -> WordText:
    """The text Tesseract reads in ``image`` (any mode), with word boxes in its pixels.

    Raises :class:`OcrUnavailable` without Tesseract and :class:`OcrTimeout` after
    ``timeout_s`` seconds (the Tesseract process is killed)."""
    command = engine()
    if command is None:
        raise OcrUnavailable("tesseract")
    grey, back = prepare(image, max_pixels)
    turn = lean(grey)
    if turn:
        # Boxes on a straightened copy are not the picture's: its hits are found but carry
        # no box (the preview names them in a banner on the frame, not in a wrong place).
        grey = grey.rotate(turn, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    # PGM: a header and the bytes, nothing to compress; Leptonica reads it from stdin.
    header = f"P5\n{grey.width} {grey.height}\n255\n".encode("ascii")
    started = time.monotonic()
    pixels = header + grey.tobytes()
    output = _tesseract(command, pixels, _SAUVOLA, timeout_s)
    words = parse_tsv(output.splitlines(), back)
    if words.words == 0:
        # Sauvola finds no ink in text that is soft all over; Otsu's one threshold still
        # reads words there, with the low confidence that makes the picture say so.
        left = timeout_s - (time.monotonic() - started)
        words = parse_tsv(_tesseract(command, pixels, (), left).splitlines(), back)
    if turn:
        return WordText(words.text, (), words.confidence, words.words, words.uncertain_words)
    return words


def _tesseract(command: str, pixels: bytes, options: tuple[str, ...], timeout_s: float) -> str:
    """Tesseract's TSV for a PGM picture, through pipes, within ``timeout_s``."""
    if timeout_s <= 0:
        raise OcrTimeout("no time left")
    try:
        done = subprocess.run(
            [command, "stdin", "stdout", "-l", LANGUAGES, *_OPTIONS, *options, "tsv"],
            input=pixels,
            capture_output=True,
            timeout=timeout_s,
            env={**os.environ, **_ENV},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise OcrTimeout(f"{timeout_s:.1f} s") from error
    except OSError as error:
        raise OcrUnavailable(type(error).__name__) from error
    if done.returncode != 0:
        raise OcrUnavailable(f"exit {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def parse_tsv(lines: Sequence[str], back: float = 1.0) -> WordText:
    """Tesseract's TSV (one row per word) as one text: words of a line joined by a space,
    lines by a line break, so the detector sees lines as the picture shows them."""
    parts: list[str] = []
    boxes: list[tuple[int, int, tuple[int, int, int, int]]] = []
    confidences: list[float] = []
    line_key: tuple[str, ...] | None = None
    length = 0
    previous_right = 0
    for row in lines[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        try:
            conf = float(cells[10])
            left, top, width, height = (int(c) for c in cells[6:10])
        except ValueError:
            continue
        if not word:
            continue
        key = tuple(cells[1:5])  # page, block, paragraph, line
        if line_key is not None:
            gap = left - previous_right
            same_line = key == line_key and gap < _COLUMN_GAP * height
            joined = same_line and gap < _DIGIT_GAP * height and parts[-1][-1:].isdigit()
            if not (joined and word[:1].isdigit()):
                parts.append(" " if same_line else "\n")
                length += 1
        line_key, previous_right = key, left + width
        box = (
            int(left * back),
            int(top * back),
            int((left + width) * back + 0.999),
            int((top + height) * back + 0.999),
        )
        boxes.append((length, length + len(word), box))
        parts.append(word)
        length += len(word)
        confidences.append(max(conf, 0.0))
    mean = sum(confidences) / len(confidences) if confidences else None
    uncertain = sum(1 for c in confidences if c < _CONFIDENT)
    return WordText("".join(parts), tuple(boxes), mean, len(confidences), uncertain)
