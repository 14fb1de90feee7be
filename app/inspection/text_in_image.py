"""Does a picture look like a page of text (a photographed or scanned letter)?

A cheap heuristic, not OCR: a mostly plain light background, a modest share of dark
"ink", and ink arranged in several horizontal bands (lines of text) separated by
blank rows. It only ever leads to a warning that asks for the text itself, so a miss
costs little and a false alarm costs a sentence.
"""

from __future__ import annotations

from PIL import Image, ImageOps

_WIDTH = 600
_MIN_LINES = 5


def looks_like_text(image: Image.Image) -> bool:
    grey = ImageOps.grayscale(image.convert("RGB") if image.mode in ("P", "PA") else image)
    if grey.width > _WIDTH:
        grey = grey.resize(
            (_WIDTH, max(1, grey.height * _WIDTH // grey.width)), Image.Resampling.BOX
        )
    if grey.width < 100 or grey.height < 60:
        return False
    histogram = grey.histogram()
    total = grey.width * grey.height
    light = sum(histogram[170:]) / total
    ink_level = 110
    ink = sum(histogram[:ink_level]) / total
    if light < 0.6 or not 0.01 <= ink <= 0.3:
        return False
    # One byte per pixel, 1 for ink: counting per row then runs in C.
    marks = grey.tobytes().translate(bytes(int(v < ink_level) for v in range(256)))
    width = grey.width
    needed = max(2, width // 200)
    row_has_ink = [marks.count(1, y * width, (y + 1) * width) >= needed for y in range(grey.height)]
    lines = 0
    previous = False
    run = 0
    for has_ink in row_has_ink:
        if has_ink:
            run += 1
        elif previous and 2 <= run <= grey.height // 4:
            lines += 1
        if not has_ink:
            run = 0
        previous = has_ink
    return lines >= _MIN_LINES
