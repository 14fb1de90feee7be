"""Protocol 1.1: an attachment's file name ends in an extension of its media type, is no
reserved device name, and holds nothing that hides what it is (422 otherwise)."""

from __future__ import annotations

import pytest

from app.protocol.filenames import filename_problem, has_visible_text
from tests.gateway.helpers import Raw, attachment_json, pdf_blob, png_blob, reply


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("setup.exe", "filename_extension_mismatch"),
        ("invoice.html", "filename_extension_mismatch"),
        ("provsvar.pdf.exe", "filename_extension_mismatch"),
        ("provsvar", "filename_extension_mismatch"),
        ("provsvar.pdf ", "filename_extension_mismatch"),
        ("..", "filename_extension_mismatch"),
        ("CON", "filename_reserved_name"),
        ("con.pdf", "filename_reserved_name"),
        ("NUL.txt.pdf", "filename_reserved_name"),
        ("COM1.pdf", "filename_reserved_name"),
        ("lpt9 .pdf", "filename_reserved_name"),
        ("../provsvar.pdf", "filename_unsafe_character"),
        ("..\\provsvar.pdf", "filename_unsafe_character"),
        ("C:provsvar.pdf", "filename_unsafe_character"),
        ("prov\x00svar.pdf", "filename_unsafe_character"),
        ("prov\nsvar.pdf", "filename_unsafe_character"),
        ("svar\u202eexe.pdf", "filename_unsafe_character"),  # right-to-left override
        ("prov\u200bsvar.pdf", "filename_unsafe_character"),  # zero-width space
        ("\ufeffprovsvar.pdf", "filename_unsafe_character"),  # byte order mark
        (".pdf", "invalid_filename"),
        ("", "invalid_filename"),
        ("a" * 252 + ".pdf", "invalid_filename"),
    ],
)
def test_a_misleading_name_is_refused(raw: Raw, token: str, filename: str, code: str) -> None:
    blob = pdf_blob()
    assert raw.upload(token, blob).status_code == 201
    response = raw.send(token, reply([dict(attachment_json(blob), filename=filename)]))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "code": code,
            "message": response.json()["errors"][0]["message"],
            "field": "attachments[0].filename",
        }
    ]
    assert raw.ledger() == []


@pytest.mark.parametrize(
    "filename", ["Provsvar 2024-11-18.PDF", "Åsa Öberg – provsvar.pdf", "a" * 251 + ".pdf", "x.pdf"]
)
def test_a_plain_name_of_its_type_is_accepted(raw: Raw, token: str, filename: str) -> None:
    blob = pdf_blob()
    assert raw.upload(token, blob).status_code == 201
    response = raw.send(token, reply([dict(attachment_json(blob), filename=filename)]))
    assert response.status_code == 201, response.text
    message = raw.call("GET", f"/v1/messages/{response.json()['message_id']}", token).json()
    assert message["attachments"][0]["filename"] == filename


def test_an_image_carries_an_extension_of_its_own_type(raw: Raw, token: str) -> None:
    image = png_blob()
    assert raw.upload(token, image).status_code == 201
    as_jpeg = raw.send(
        token, reply([attachment_json(png_blob(filename="bild.jpg"), alt_text="Kurva")])
    )
    assert as_jpeg.status_code == 422
    assert [e["code"] for e in as_jpeg.json()["errors"]] == ["filename_extension_mismatch"]
    as_png = raw.send(
        token, reply([attachment_json(png_blob(filename="BILD.Png"), alt_text="Kurva")])
    )
    assert as_png.status_code == 201, as_png.text


@pytest.mark.parametrize(
    ("filename", "media_type"),
    [("foto.jpg", "image/jpeg"), ("foto.JPEG", "image/jpeg"), ("anim.gif", "image/gif")],
)
def test_each_type_has_its_extensions(filename: str, media_type: str) -> None:
    assert filename_problem(filename, media_type) is None
    assert filename_problem(filename, "application/pdf") == "filename_extension_mismatch"


# Issue 21: invisible, blank-looking and slash-like characters, checked after NFKC too.
_HIDDEN = {
    "\u3164": "HANGUL FILLER",
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
    "\u034f": "COMBINING GRAPHEME JOINER",
    "\ufe0f": "VARIATION SELECTOR-16",
    "\u200b": "ZERO WIDTH SPACE",
    "\u2060": "WORD JOINER",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\U000e0041": "TAG LATIN CAPITAL LETTER A",
    "\u2800": "BRAILLE PATTERN BLANK",
    "\u00a0": "NO-BREAK SPACE",
    "\u3000": "IDEOGRAPHIC SPACE",
    "\u1680": "OGHAM SPACE MARK",
    "\u2215": "DIVISION SLASH",
    "\u2044": "FRACTION SLASH",
    "\uff0f": "FULLWIDTH SOLIDUS",
    "\uff3c": "FULLWIDTH REVERSE SOLIDUS",
    "\u29f8": "BIG SOLIDUS",
    "\u0338": "COMBINING LONG SOLIDUS OVERLAY",
}


@pytest.mark.parametrize("char", list(_HIDDEN), ids=list(_HIDDEN.values()))
def test_a_name_hiding_or_faking_a_character_is_refused_by_the_shared_rule(char: str) -> None:
    assert filename_problem(f"prov{char}svar.pdf", "application/pdf") == "filename_unsafe_character"
    assert filename_problem(f"{char}.pdf", "application/pdf") is not None


def test_nfkc_that_makes_a_path_is_refused() -> None:
    # Fullwidth full stops and solidus: "../x.pdf" once NFKC'd.
    assert filename_problem("．．／x.pdf", "application/pdf") == "filename_unsafe_character"
    assert filename_problem("ＣＯＮ.pdf", "application/pdf") == "filename_reserved_name"
    # An extension that only NFKC makes right is not one: the resident's computer sees ".ｐｄｆ".
    assert filename_problem("x.ｐｄｆ", "application/pdf") == "filename_extension_mismatch"


@pytest.mark.parametrize("filename", ["Smørrebrød.pdf", "Ærø ½ dos.pdf", "ﬁle.pdf", "Œuvre №2.pdf"])
def test_letters_and_ligatures_that_only_look_unusual_are_kept(filename: str) -> None:
    assert filename_problem(filename, "application/pdf") is None


@pytest.mark.parametrize(
    "alt_text", ["\u200b", "\u3164\u3164", " \u115f ", "\ufe0f", "\u2800", "\u00a0\u2060"]
)
def test_an_alt_text_that_shows_nothing_is_none(raw: Raw, token: str, alt_text: str) -> None:
    assert not has_visible_text(alt_text)
    image = png_blob()
    assert raw.upload(token, image).status_code == 201
    response = raw.send(token, reply([attachment_json(image, alt_text=alt_text)]))
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["alt_text_required"]


def test_a_real_alt_text_with_an_emoji_variation_is_kept() -> None:
    assert has_visible_text("Kurva \u2764\ufe0f")
    assert has_visible_text("١")
