"""Generated files for the inspection tests: good, bad and hostile.

Each builder returns bytes, written by hand where a library would hide what is in the
file (scans, actions, broken containers), and with Pillow or pikepdf where the format
details do not matter to the test.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence

from PIL import Image, PngImagePlugin

from tests.support.pdfgen import assemble_pdf, numbered_pages, text_pdf

A4 = (595, 842)


def _pdf(objects: Sequence[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    return assemble_pdf(objects, root)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def scanned_pdf(*, ocr_text: str | None = None, visible_text: str | None = None) -> bytes:
    """One A4 page that is a full-page grey image; optionally with OCR text (invisible,
    render mode 3) or with visible text drawn over it."""
    pixels = zlib.compress(bytes([200]) * (64 * 64))
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q\n"
    if ocr_text is not None:
        content += b"BT 3 Tr /F1 12 Tf 56 700 Td (" + ocr_text.encode("latin-1") + b") Tj ET\n"
    if visible_text is not None:
        content += b"BT /F1 12 Tf 56 650 Td (" + visible_text.encode("latin-1") + b") Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        _stream(content),
        _stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode",
        ),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def pdf_with_catalog_entries(entries: bytes, extra_objects: Sequence[bytes] = ()) -> bytes:
    """A one-page text PDF whose catalog also holds ``entries`` (objects from 5 on)."""
    content = b"BT /F1 12 Tf 56 790 Td (Hej! Ett vanligt brev.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + entries + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (5 + len(extra_objects)),
        _stream(content),
        *extra_objects,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def javascript_pdf() -> bytes:
    return pdf_with_catalog_entries(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


def launch_pdf() -> bytes:
    return pdf_with_catalog_entries(
        b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /Launch /F (calc.exe) >> >>"
    )


def embedded_file_pdf() -> bytes:
    return pdf_with_catalog_entries(
        b"/Names << /EmbeddedFiles << /Names [(a.txt) 5 0 R] >> >>",
        [
            b"<< /Type /Filespec /F (a.txt) /EF << /F 6 0 R >> >>",
            _stream(b"hello", b"/Type /EmbeddedFile"),
        ],
    )


def encrypted_pdf(*, user_password: str = "", extract: bool = False) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(letter_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(
            out,
            fix_metadata_version=False,  # the XMP as the letter has it (no dates added)
            encryption=pikepdf.Encryption(
                R=4,
                owner="owner-secret",
                user=user_password,
                allow=pikepdf.Permissions(extract=extract, modify_other=False),
            ),
        )
    return out.getvalue()


def letter_pdf(lines: Sequence[str] | None = None, **kwargs: object) -> bytes:
    return text_pdf(
        [list(lines or ["Hej!", "Här kommer ditt provsvar."])],
        title=kwargs.get("title", "Provsvar"),  # type: ignore[arg-type]
        lang=kwargs.get("lang", "sv-SE"),  # type: ignore[arg-type]
    )


def long_letter_pdf(pages: int) -> bytes:
    return text_pdf(numbered_pages(pages, lines_per_page=10), title="Brev", lang="sv-SE")


def polyglot_pdf_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.txt", "surprise")
    return letter_pdf() + archive.getvalue()


def header_then_garbage() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40


# -- images -------------------------------------------------------------------------


def png(size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def png_with_text_chunks() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr. Test")
    info.add_text("Comment", "patient 19121212-1212")
    return png(pnginfo=info)


def exif(*, gps: bool = True, orientation: int = 1) -> Image.Exif:
    data = Image.Exif()
    data[0x010F] = "PhoneMaker"  # Make
    data[0x0112] = orientation
    if gps:
        data[0x8825] = {1: "N", 2: (55.0, 42.0, 0.0), 3: "E", 4: (13.0, 11.0, 0.0)}
    return data


def jpeg(*, size: tuple[int, int] = (64, 48), exif_data: Image.Exif | None = None) -> bytes:
    image = Image.new("RGB", size)
    for x in range(size[0]):
        for y in range(size[1]):
            image.putpixel((x, y), (x * 4 % 256, y * 5 % 256, 90))
    out = io.BytesIO()
    kwargs: dict[str, object] = {"quality": 90}
    if exif_data is not None:
        kwargs["exif"] = exif_data
    image.save(out, "JPEG", comment=b"made by a test", **kwargs)
    return out.getvalue()


def gif(
    frames: Sequence[int],
    *,
    duration: int | Sequence[int] = 100,
    loop: int | None = 0,
    size: tuple[int, int] = (32, 32),
    comment: bytes | None = None,
) -> bytes:
    """An animated GIF whose frames are flat grey levels."""
    images = [Image.new("L", size, level) for level in frames]
    out = io.BytesIO()
    kwargs: dict[str, object] = {
        "save_all": True,
        "append_images": images[1:],
        "duration": duration,
    }
    if loop is not None:
        kwargs["loop"] = loop
    if comment is not None:
        kwargs["comment"] = comment
    images[0].save(out, "GIF", **kwargs)
    return out.getvalue()


def flashing_gif() -> bytes:
    return gif([0, 255] * 10, duration=50)  # ten flashes a second, forever


def slow_fade_gif() -> bytes:
    return gif([0, 20, 40, 60], duration=500, loop=None)  # 2 s, gentle, plays once


def many_frames_gif(count: int = 3000) -> bytes:
    return gif([i % 2 * 10 for i in range(count)], duration=100, loop=None, size=(2, 2))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb_png(side: int = 100_000) -> bytes:
    """A PNG that claims side x side pixels in a few hundred bytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: max(1, int(len(data) * keep))]
