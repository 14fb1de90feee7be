"""Labelled pictures and PDFs made on the spot, for ``bifoga pd-eval``, the tests and
``BENCH ocr_screenshot``: nothing is fetched, every identifier is generated (a real date,
a serial and the Luhn check digit), names and addresses are invented.

- screenshots of a journal system at several sizes, fonts and letter sizes;
- phone-style photos of a printed letter: turned a few degrees, soft, unevenly lit,
  JPEG-compressed;
- negatives: pictures of clinical text without identifiers (dates, times, lab values);
- PDFs with an identifier in one place beside the pages each (``PDF_PLACES``).

Every picture carries its labels: (kind, the text drawn), for recall and precision.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from app.protocol.identifiers import luhn_ok

Label = tuple[str, str]  # (kind, the text as drawn)

_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True, slots=True)
class Picture:
    id: str
    group: str  # "screenshot", "photo" or "negative"
    image: Image.Image
    labels: tuple[Label, ...]


def identifier(rng: random.Random, *, coordination: bool = False, year: int | None = None) -> str:
    """A valid personnummer (or samordningsnummer: day + 60), ``YYYYMMDD-NNNC``."""
    while True:
        y = year or rng.randint(1930, 2015)
        m, d = rng.randint(1, 12), rng.randint(1, 28)
        serial = rng.randint(1, 999)
        day = d + 60 if coordination else d
        nine = f"{y % 100:02d}{m:02d}{day:02d}{serial:03d}"
        for check in range(10):
            if luhn_ok(nine + str(check)):
                return f"{y}{m:02d}{day:02d}-{serial:03d}{check}"


def mobile(rng: random.Random) -> str:
    pairs = f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
    return f"07{rng.choice('0236')}-{rng.randint(100, 999)} {pairs}"


def fonts() -> list[tuple[str, ImageFont.FreeTypeFont | None]]:
    """The fonts at hand: the one Bifoga ships, and DejaVu's serif, mono, condensed and
    bold where the system has them (Pillow's own font has no å, ä, ö)."""
    found: list[tuple[str, ImageFont.FreeTypeFont | None]] = [("DejaVuSans", None)]
    for name in (
        "DejaVuSerif.ttf",
        "DejaVuSansMono.ttf",
        "DejaVuSansCondensed.ttf",
        "DejaVuSans-Bold.ttf",
    ):
        if (_SYSTEM_FONTS / name).exists():
            found.append((name.removesuffix(".ttf"), None))
    return found


def font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if name == "DejaVuSans":
        with as_file(files("resources").joinpath("fonts/DejaVuSans.ttf")) as path:
            return ImageFont.truetype(str(path), size)
    return ImageFont.truetype(str(_SYSTEM_FONTS / f"{name}.ttf"), size)


# -- what the pictures say ------------------------------------------------------------

_CLINICAL = (
    "Patienten söker för hosta sedan två veckor. Feber 38,5 i tre dagar.",
    "AT gott. Lungor: rassel basalt höger. Saturation 94 %. Puls 88.",
    "CRP 85 mg/L, Hb 132 g/L, LPK 11,2, Krea 78 µmol/L, provtaget 2024-03-12 kl 08:30.",
    "Ordineras Kåvepenin 1 g x 3 i 10 dagar. Återbesök om en vecka.",
    "Blodtryck 135/85. Vikt 72 kg. Längd 168 cm. BMI 25,5.",
    "Remiss skickad till lungmottagningen 2024-04-02, svar inom 4 veckor.",
    "Tidigare frisk. Inga kända allergier. Icke-rökare sedan 2015.",
)


def _journal_lines(rng: random.Random) -> tuple[list[str], list[Label]]:
    """A journal note: identifiers of the patient and of a relative among clinical text."""
    patient, relative = identifier(rng), identifier(rng, coordination=rng.random() < 0.3)
    phone = mobile(rng)
    short = relative[2:] if rng.random() < 0.5 else relative  # YYMMDD-NNNC too
    lines = [
        f"Patient: {patient}",
        "Anamnes",
        rng.choice(_CLINICAL),
        rng.choice(_CLINICAL),
        f"Kontaktperson (dotter) {short}, tel {phone}",
        "Bedömning",
        rng.choice(_CLINICAL),
    ]
    kind = "samordningsnummer" if int(relative[6:8]) > 60 else "personnummer"
    labels = [
        ("personnummer", patient),
        ("health", "Anamnes"),
        (kind, short),
        ("phone", phone),
        ("health", "Bedömning"),
    ]
    return lines, labels


def screenshot(
    rng: random.Random, size: tuple[int, int], font_name: str, letter: int
) -> tuple[Image.Image, list[Label]]:
    """A journal system's window: a title bar, a list of visits, the note."""
    width, height = size
    image = Image.new("RGB", size, (238, 240, 244))
    draw = ImageDraw.Draw(image)
    face = font(font_name, letter)
    bar = letter * 3
    draw.rectangle((0, 0, width, bar), fill=(28, 64, 120))
    draw.text((letter, letter), "Journal – Vårdcentralen Norr", fill="white", font=face)
    side = width // 6
    for row in range(max(0, (height - bar) // (letter * 2) - 1)):
        visit = f"Besök 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        draw.text((letter, bar + letter + row * letter * 2), visit, fill=(40, 40, 40), font=face)
    draw.rectangle((side, bar + letter, width - letter, height - letter), fill="white")
    labels: list[Label] = []
    y = bar + 2 * letter
    step = round(letter * 1.7)
    while True:
        lines, more = _journal_lines(rng)
        if y + step * len(lines) >= height - 2 * letter or len(labels) >= 25:
            break
        for line in lines:
            draw.text((side + letter, y), line, fill=(20, 20, 20), font=face)
            y += step
        y += step
        labels += more
    return image, labels


def _page(rng: random.Random, lines: list[str], font_name: str) -> Image.Image:
    paper = Image.new("RGB", (1700, 2200), (250, 250, 246))
    draw = ImageDraw.Draw(paper)
    face = font(font_name, 40)
    y = 160
    for line in lines:
        draw.text((140, y), line, fill=(25, 25, 30), font=face)
        y += 70
    return paper


def photo(rng: random.Random, lines: list[str], font_name: str, angle: float) -> Image.Image:
    """A phone's picture of a printed page: turned, soft, unevenly lit, compressed."""
    paper = _page(rng, lines, font_name)
    turned = paper.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(90, 80, 70)
    )
    # Light from one side: a gradient multiplied in (0.6 at the far edge).
    ramp = Image.linear_gradient("L").rotate(rng.choice((0, 90, 180, 270))).resize(turned.size)
    light = ramp.point(lambda v: 255 - v * 100 // 255)
    lit = Image.composite(turned, Image.new("RGB", turned.size, (0, 0, 0)), light)
    soft = lit.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    small = soft.resize((soft.width * 2 // 3, soft.height * 2 // 3), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=75)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _letter_lines(rng: random.Random) -> tuple[list[str], list[Label]]:
    person = identifier(rng)
    phone = mobile(rng)
    lines = [
        "Region Skåne",
        "Kallelse till mottagningen",
        f"Personnummer: {person}",
        "Du är välkommen den 12 mars kl 10.15.",
        rng.choice(_CLINICAL),
        f"Har du frågor, ring {phone}",
        "Med vänliga hälsningar",
    ]
    return lines, [("personnummer", person), ("phone", phone)]


def pictures(seed: int = 19, *, quick: bool = False) -> Iterator[Picture]:
    """The labelled pictures: screenshots, photos and negatives (fewer with ``quick``)."""
    rng = random.Random(seed)
    names = [name for name, _ in fonts()]
    sizes = [(1920, 1080), (1280, 720), (1366, 768), (2560, 1440)]
    letters = [13, 14, 15, 16, 18]
    count = 3 if quick else 12
    for index in range(count):
        size = sizes[index % len(sizes)]
        name = names[index % len(names)]
        letter = letters[index % len(letters)]
        image, labels = screenshot(rng, size, name, letter)
        yield Picture(
            f"screenshot-{index}-{size[0]}x{size[1]}-{name}-{letter}px",
            "screenshot",
            image,
            tuple(labels),
        )
    for index in range(2 if quick else 8):
        lines, labels = _letter_lines(rng)
        angle = rng.uniform(-6, 6)
        name = names[index % len(names)]
        yield Picture(
            f"photo-{index}-{name}-{angle:+.1f}deg",
            "photo",
            photo(rng, lines, name, angle),
            tuple(labels),
        )
    for index in range(2 if quick else 6):
        lines = [rng.choice(_CLINICAL) for _ in range(6)]
        if index % 2:
            yield Picture(
                f"negative-photo-{index}",
                "negative",
                photo(rng, lines, names[0], rng.uniform(-4, 4)),
                (),
            )
        else:
            image = Image.new("RGB", (1280, 720), "white")
            draw = ImageDraw.Draw(image)
            face = font(names[index % len(names)], 16)
            for row, line in enumerate(lines):
                draw.text((40, 40 + row * 32), line, fill="black", font=face)
            yield Picture(f"negative-screenshot-{index}", "negative", image, ())
