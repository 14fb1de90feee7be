"""The words in a picture (every frame of a GIF), checked for personal data.

A screenshot of a journal note or a phone photo of a letter naming another resident is
exactly what clinicians send, so the text drawn in it is read with OCR (``ocr``) and fed
to the same detector as a PDF's text. Hits keep their place: the frame (as the preview's
page) and the words' box in the picture's pixels, so the preview draws them where they
are. Bounded like every parser: pixels (``ocr_max_pixels``), seconds for the whole file
(``ocr_timeout_s``) and frames (``ocr_max_frames``; identical frames are read once).

What could not be read says so (``image.text_not_read``, ``image.text_uncertain``); the
sender then answers for the picture, as for any picture without hits.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from PIL import Image, ImageSequence

from app.inspection import ocr, text_in_image
from app.inspection.findings import FindingSink
from app.inspection.pdf_pages import DetectorLike
from app.inspection.report import PersonalDataHit

#: Mean word confidence (0-100) below which text that is there is "not read with
#: confidence": Tesseract gives clean screen text 85-95.
_MIN_CONFIDENCE = 65.0
#: Words it takes to say a picture holds text at all (a photo gives a few stray ones).
_TEXT_WORDS = 8


@dataclass(frozen=True, slots=True)
class FrameText:
    frame: int  # 1-based
    words: ocr.WordText


def read_frames(image: Image.Image, sink: FindingSink) -> list[FrameText]:
    """The words of each distinct frame (the first frame of a still picture)."""
    limits = sink.policy.limits
    deadline = time.monotonic() + limits.ocr_timeout_s
    frames = max(1, int(getattr(image, "n_frames", 1) or 1))
    out: list[FrameText] = []
    read: dict[bytes, ocr.WordText] = {}
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= limits.ocr_max_frames:
            sink.add("image.text_not_read", reason="frames", read=index, frames=frames)
            break
        pixels = frame.convert("RGBA")
        digest = hashlib.blake2b(pixels.tobytes(), digest_size=16).digest()
        words = read.get(digest)
        if words is None:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise ocr.OcrTimeout("budget")
                words = ocr.read_words(pixels, timeout_s=left, max_pixels=limits.ocr_max_pixels)
            except ocr.OcrTimeout:
                sink.add("image.text_not_read", reason="time", read=index, frames=frames)
                break
            except ocr.OcrUnavailable:
                sink.add("image.text_not_read", reason="engine", read=index, frames=frames)
                break
            read[digest] = words
        out.append(FrameText(index + 1, words))
    image.seek(0)
    return out


def find_in_picture(
    image: Image.Image, sink: FindingSink, detector: DetectorLike
) -> tuple[PersonalDataHit, ...]:
    """Personal data in the words of every frame, placed on the picture."""
    frames = read_frames(image, sink)
    hits: list[PersonalDataHit] = []
    uncertain = False
    for frame in frames:
        words = frame.words
        if _uncertain(image, words):
            uncertain = True
        for hit in detector.find(words.text):
            hits.append(
                PersonalDataHit(
                    kind=str(hit.kind),
                    page=frame.frame,
                    masked=str(hit.masked),
                    rect=words.rect(hit.start, hit.end),
                    identifier=getattr(hit, "identifier", None),
                )
            )
    if uncertain:
        sink.add("image.text_uncertain")
    return tuple(hits)


def _uncertain(image: Image.Image, words: ocr.WordText) -> bool:
    """Text is there (the look of a page, or many words) but was read with little
    confidence, or not at all (a soft photo of a letter can give no word)."""
    looks = text_in_image.looks_like_text(image)
    if words.confidence is None:
        return looks
    if words.words < _TEXT_WORDS and not looks:
        return False
    return words.confidence < _MIN_CONFIDENCE
