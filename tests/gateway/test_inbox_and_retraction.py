"""What the resident sees: the inbox page, byte-identical files, and retraction."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from tests.gateway.helpers import (
    KARIN,
    Blob,
    Raw,
    attachment_json,
    codes,
    pdf_blob,
    png_blob,
    reply,
)


def _send_two_files(raw: Raw, token: str) -> tuple[dict[str, Any], list[Blob]]:
    pdf = pdf_blob("Provsvar", "provsvar åäö.pdf")
    image = png_blob()
    for blob in (pdf, image):
        raw.upload(token, blob)
    message = reply(
        [attachment_json(pdf), attachment_json(image, alt_text="Diagram")],
        subject="Ditt <provsvar> & mer",
        body="Rad ett\n<script>alert(1)</script>",
    )
    response = raw.send(token, message)
    assert response.status_code == 201, response.text
    return response.json(), [pdf, image]


def test_inbox_lists_the_message_and_serves_identical_bytes(raw: Raw, token: str) -> None:
    _, blobs = _send_two_files(raw, token)
    page = raw.call("GET", f"/sandbox/inbox/{KARIN}")
    assert page.status_code == 200 and "Karin Berg" in page.text
    assert "Ditt &lt;provsvar&gt; &amp; mer" in page.text
    assert "<script>" not in page.text  # every value is escaped
    links = sorted(set(re.findall(r'href="(/sandbox/deliveries/[^"?]+)"', page.text)))
    assert len(links) == 2
    by_sha = {b.sha256: b for b in blobs}
    for link in links:
        link = html.unescape(link)
        opened = raw.call("GET", link)
        blob = by_sha[link.rsplit("/", 1)[1]]
        assert hashlib.sha256(opened.content).hexdigest() == blob.sha256
        assert opened.headers["Content-Type"] == blob.media_type
        assert opened.headers["Content-Disposition"].startswith("inline")
        downloaded = raw.call("GET", link + "?download=1")
        assert downloaded.content == opened.content
        assert downloaded.headers["Content-Disposition"].startswith("attachment")
    pdf_link = next(x for x in links if x.endswith(blobs[0].sha256))
    disposition = raw.call("GET", pdf_link + "?download=1").headers["Content-Disposition"]
    assert "filename*=UTF-8''provsvar%20%C3%A5%C3%A4%C3%B6.pdf" in disposition


def test_retraction_removes_the_file_from_the_inbox(raw: Raw, token: str) -> None:
    sent, blobs = _send_two_files(raw, token)
    message_id = sent["message_id"]
    pdf_sha = blobs[0].sha256
    delivery_id = sent["deliveries"][0]["delivery_id"]
    file_url = f"/sandbox/deliveries/{delivery_id}/attachments/{pdf_sha}"
    assert raw.call("GET", file_url).status_code == 200

    response = raw.call(
        "POST",
        f"/v1/messages/{message_id}/retraction-requests",
        token,
        json={"reason": "Fel fil bifogad", "attachments": [pdf_sha]},
    )
    assert response.status_code == 202
    assert response.json()["status"] == "requested" and response.json()["retraction_id"]

    listed = raw.call("GET", f"/v1/messages/{message_id}/retraction-requests", token).json()
    assert [r["status"] for r in listed["retractions"]] == ["done"]
    assert listed["retractions"][0]["attachments"] == [pdf_sha]
    gone = raw.call("GET", file_url)
    assert gone.status_code == 410 and codes(gone) == ["retracted"]
    page = raw.call("GET", f"/sandbox/inbox/{KARIN}").text
    assert pdf_sha not in page and "återkallats" in page
    assert blobs[1].sha256 in page  # the other file stays
    message = raw.call("GET", f"/v1/messages/{message_id}", token).json()
    assert message["deliveries"][0]["status"] == "retracted"
    assert message["deliveries"][0]["retracted_attachments"] == [pdf_sha]


def test_retraction_requests_are_validated(raw: Raw, token: str) -> None:
    sent, _ = _send_two_files(raw, token)
    path = f"/v1/messages/{sent['message_id']}/retraction-requests"
    response = raw.call("POST", path, token, json={"reason": "", "attachments": ["f" * 64]})
    assert response.status_code == 422
    assert {e["field"]: e["code"] for e in response.json()["errors"]} == {
        "reason": "reason_required",
        "attachments": "attachment_not_in_message",
    }
    assert (
        raw.call(
            "POST",
            "/v1/messages/msg_nope/retraction-requests",
            token,
            json={"reason": "x", "attachments": []},
        ).status_code
        == 404
    )


def test_an_unknown_inbox_or_file_is_not_found(raw: Raw) -> None:
    assert raw.call("GET", "/sandbox/inbox/123").status_code == 404
    empty = raw.call("GET", f"/sandbox/inbox/{KARIN}")
    assert "Inga meddelanden" in empty.text
    assert raw.call("GET", f"/sandbox/deliveries/dlv_x/attachments/{'a' * 64}").status_code == 404
