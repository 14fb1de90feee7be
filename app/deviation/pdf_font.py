"""DejaVu Sans, subset to the characters a report uses, as a PDF Type 0 font.

Why embedded: a PDF whose fonts are not embedded leaves the look to the reader's viewer
(PDF/UA 7.21.4 wants them embedded), and the standard 14 fonts cover only Latin-1-ish
text, while a colleague's name may need more. Why a subset: the whole font is 750 KB.
Text is written as glyph ids (Identity-H) with a ToUnicode map, so readers and screen
readers get the letters back.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_RESOURCE = "fonts/DejaVuSans.ttf"
FONT_NAME = "DejaVuSans"
#: Drawn for a character the font lacks (visible, and its ToUnicode says so honestly).
REPLACEMENT = "\ufffd"


@cache
def _font_bytes() -> bytes:
    return files("resources").joinpath(FONT_RESOURCE).read_bytes()


@cache
def _covered() -> frozenset[int]:
    return frozenset(TTFont(io.BytesIO(_font_bytes()), lazy=True).getBestCmap())


def _drawable_character(char: str, covered: frozenset[int]) -> str:
    if char == "\n" or ord(char) in covered:
        return char
    if char.isspace():
        return " "  # a tab or an unusual space is still a space
    return REPLACEMENT


def drawable(text: str) -> str:
    """``text`` with every character the font cannot draw replaced by U+FFFD."""
    covered = _covered()
    return "".join(_drawable_character(c, covered) for c in text)


@dataclass(frozen=True, slots=True)
class SubsetFont:
    program: bytes  # the subset TrueType font
    glyph_ids: dict[str, int]  # character -> glyph id in the subset
    widths: dict[int, int]  # glyph id -> advance in 1/1000 em
    units_per_em: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int

    @classmethod
    def for_text(cls, texts: Iterable[str]) -> SubsetFont:
        characters = sorted({c for text in texts for c in drawable(text) if c != "\n"} | {" "})
        options = subset.Options()
        options.layout_features = []  # no shaping: glyphs are placed one after another
        options.hinting = False
        options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a reader needs
        options.notdef_outline = True
        options.name_IDs = ["*"]  # keep the copyright and licence records
        options.name_languages = ["*"]
        subsetter = subset.Subsetter(options)
        # No new "modified" stamp: the same report must give the same bytes.
        font = TTFont(io.BytesIO(_font_bytes()), recalcTimestamp=False)
        subsetter.populate(unicodes=[ord(c) for c in characters])
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        scale = 1000 / font["head"].unitsPerEm
        cmap = font.getBestCmap()
        glyph_ids = {c: font.getGlyphID(cmap[ord(c)]) for c in characters if ord(c) in cmap}
        metrics = font["hmtx"].metrics
        order = font.getGlyphOrder()
        widths = {gid: round(metrics[order[gid]][0] * scale) for gid in glyph_ids.values()}
        head, hhea = font["head"], font["hhea"]
        return cls(
            program=buffer.getvalue(),
            glyph_ids=glyph_ids,
            widths=widths,
            units_per_em=head.unitsPerEm,
            bbox=(
                round(head.xMin * scale),
                round(head.yMin * scale),
                round(head.xMax * scale),
                round(head.yMax * scale),
            ),
            ascent=round(hhea.ascent * scale),
            descent=round(hhea.descent * scale),
            cap_height=round(getattr(font["OS/2"], "sCapHeight", hhea.ascent) * scale),
        )

    def width(self, text: str, size: float) -> float:
        """The advance of ``text`` at ``size`` points."""
        return sum(self.widths[self.glyph_ids[c]] for c in text) * size / 1000

    def encode(self, text: str) -> bytes:
        """``text`` as a PDF hex string of two-byte glyph ids."""
        return b"<" + "".join(f"{self.glyph_ids[c]:04X}" for c in text).encode("ascii") + b">"

    def _subset_tag(self) -> str:
        # PDF 9.6.4: six upper-case letters, the same for the same subset.
        digest = hashlib.sha256("".join(sorted(self.glyph_ids)).encode("utf-8")).digest()
        return "".join(chr(ord("A") + b % 26) for b in digest[:6])

    def _to_unicode(self) -> bytes:
        entries = []
        for char, gid in sorted(self.glyph_ids.items(), key=lambda item: item[1]):
            utf16 = char.encode("utf-16-be").hex().upper()
            entries.append(f"<{gid:04X}> <{utf16}>")
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(entries), 100):  # at most 100 entries per block
            chunk = entries[start : start + 100]
            lines += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")

    def to_pdf(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        """The Type 0 font object, made in ``pdf``."""
        name = pikepdf.Name(f"/{self._subset_tag()}+{FONT_NAME}")
        descriptor = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.FontDescriptor,
                FontName=name,
                Flags=32,  # nonsymbolic: Latin text
                FontBBox=pikepdf.Array(list(self.bbox)),
                ItalicAngle=0,
                Ascent=self.ascent,
                Descent=self.descent,
                CapHeight=self.cap_height,
                StemV=80,
                FontFile2=pdf.make_stream(self.program),
            )
        )
        widths: list[object] = []
        for gid in sorted(self.widths):
            widths += [gid, pikepdf.Array([self.widths[gid]])]
        descendant = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.CIDFontType2,
                BaseFont=name,
                CIDSystemInfo=pikepdf.Dictionary(
                    Registry=pikepdf.String("Adobe"),
                    Ordering=pikepdf.String("Identity"),
                    Supplement=0,
                ),
                FontDescriptor=descriptor,
                W=pikepdf.Array(widths),
                CIDToGIDMap=pikepdf.Name.Identity,
            )
        )
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type0,
                BaseFont=name,
                Encoding=pikepdf.Name("/Identity-H"),
                DescendantFonts=pikepdf.Array([descendant]),
                ToUnicode=pdf.make_stream(self._to_unicode()),
            )
        )
