"""Protocol 1.1: an attachment's file name ends in an extension of its media type, is no
reserved device name, and holds nothing that hides what it is (422 otherwise)."""

from __future__ import annotations

import pytest

from app.gateway.filenames import filename_problem
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
