"""Content-addressed upload: hashing, sniffing and the size limit."""

from __future__ import annotations

import hashlib
import http.client
from pathlib import Path
from urllib.parse import urlsplit

from app.protocol.model import MAX_ATTACHMENT_BYTES
from app.storage.staging import StagingArea, StagingError
from sandbox.runner import SandboxHandle
from tests.gateway.helpers import Raw, codes, pdf_blob, png_blob


def test_upload_then_head_then_upload_again(raw: Raw, token: str) -> None:
    blob = pdf_blob()
    path = f"/v1/attachments/{blob.sha256}"
    assert raw.call("HEAD", path, token).status_code == 404
    assert raw.upload(token, blob).status_code == 201
    assert raw.call("HEAD", path, token).status_code == 200
    assert raw.upload(token, blob).status_code == 200  # the same PUT twice is harmless


def test_head_needs_a_token(raw: Raw) -> None:
    assert raw.call("HEAD", f"/v1/attachments/{pdf_blob().sha256}").status_code == 401


def test_hash_mismatch(raw: Raw, token: str) -> None:
    blob = pdf_blob()
    response = raw.call(
        "PUT",
        f"/v1/attachments/{hashlib.sha256(b'x').hexdigest()}",
        token,
        data=blob.data,
        headers={"Content-Type": "application/pdf"},
    )
    assert response.status_code == 422 and codes(response) == ["hash_mismatch"]


def test_type_is_judged_by_content(raw: Raw, token: str) -> None:
    png = png_blob()
    as_pdf = raw.call(
        "PUT",
        f"/v1/attachments/{png.sha256}",
        token,
        data=png.data,
        headers={"Content-Type": "application/pdf"},
    )
    assert as_pdf.status_code == 415 and codes(as_pdf) == ["media_type_mismatch"]
    text = b"just some text, not a document"
    sha = hashlib.sha256(text).hexdigest()
    plain = raw.call(
        "PUT",
        f"/v1/attachments/{sha}",
        token,
        data=text,
        headers={"Content-Type": "application/pdf"},
    )
    assert plain.status_code == 415 and codes(plain) == ["unsupported_media_type"]
    word = raw.call(
        "PUT",
        f"/v1/attachments/{sha}",
        token,
        data=text,
        headers={"Content-Type": "application/msword"},
    )
    assert word.status_code == 415


def test_the_gateway_accepts_exactly_what_the_client_stages(
    raw: Raw, token: str, tmp_path: Path
) -> None:
    # One sniffer (app/protocol/filetypes.py) for both: a PDF whose header is not at byte 0 (PDF
    # readers look further, so a polyglot can pass as a PDF) is refused by each, and the
    # real thing is taken by each.
    real = pdf_blob().data
    padded = b"GIF89a" + b"\0" * 10 + real  # "%PDF-" within the first KiB, not at 0
    staging = StagingArea(tmp_path / "staging", max_bytes=MAX_ATTACHMENT_BYTES)
    for data, accepted in ((real, True), (padded, False), (b" " + real, False)):
        source = tmp_path / "brev.pdf"
        source.write_bytes(data)
        try:
            staged: bool | str = bool(staging.stage(source))
        except StagingError as refused:
            staged = refused.code
        put = raw.call(
            "PUT",
            f"/v1/attachments/{hashlib.sha256(data).hexdigest()}",
            token,
            data=data,
            headers={"Content-Type": "application/pdf"},
        )
        if accepted:
            assert staged is True and put.status_code == 201
        else:
            assert staged in ("file.type_not_allowed", "file.extension_mismatch")
            assert put.status_code == 415, put.text


def test_gif_and_jpeg_are_accepted(raw: Raw, token: str) -> None:
    for data, media_type in (
        (b"GIF89a" + b"\0" * 20, "image/gif"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    ):
        sha = hashlib.sha256(data).hexdigest()
        response = raw.call(
            "PUT", f"/v1/attachments/{sha}", token, data=data, headers={"Content-Type": media_type}
        )
        assert response.status_code == 201, response.text


def test_more_than_20_mib_is_refused_from_content_length_alone(
    sandbox: SandboxHandle, token: str
) -> None:
    # Only the headers are sent: the gateway must answer without waiting for the body.
    url = urlsplit(sandbox.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        connection.putrequest("PUT", f"/v1/attachments/{'a' * 64}")
        connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Type", "application/pdf")
        connection.putheader("Content-Length", str(MAX_ATTACHMENT_BYTES + 1))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert b"payload_too_large" in response.read()
    finally:
        connection.close()


def test_exactly_20_mib_is_accepted(raw: Raw, token: str) -> None:
    data = b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_BYTES - 9)
    sha = hashlib.sha256(data).hexdigest()
    response = raw.call(
        "PUT",
        f"/v1/attachments/{sha}",
        token,
        data=data,
        headers={"Content-Type": "application/pdf"},
    )
    assert response.status_code == 201


def test_a_bad_hash_in_the_path_is_not_an_attachment(raw: Raw, token: str) -> None:
    assert raw.call("HEAD", "/v1/attachments/NOT-A-HASH", token).status_code == 404
