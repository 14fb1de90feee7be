"""Helpers for the gateway tests: the demo world they rely on, test files, an injected
clock, and raw HTTP for what the client would never send."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from PIL import Image

from app.protocol.review import message_sha256, subject_digest
from tests.support.idp_robot import sandbox_approval, sandbox_tokens
from tests.support.pdfgen import text_pdf

_FILES = Path(__file__).resolve().parents[1] / "files"

#: Demo world (sandbox/demo.py), as the tests rely on it.
LUND = "Vårdcentralen Lund"
CASE_PROVSVAR = "2024-118"  # open, Karin Berg
KARIN = "196801029288"
GUNNAR = "194501103297"  # resident of open case 2024-119
ANSWERED_CASE = "2024-101"  # answered (Erik Johansson)
MALMO_CASE = "2024-201"
#: The demo cards' PINs at the sandbox's identity provider.
PINS = {"anna": "1111", "bertil": "2222", "cecilia": "3333", "david": "4444", "erik": "5555"}


def bulk_personnummer() -> list[str]:
    """260 of Skatteverket's test numbers (attribution in tests/files/README.md), born
    1999 and so valid in the 12-digit form whatever today's date."""
    lines = (_FILES / "testpersonnummer.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.startswith("1999")][:260]


class FakeClock:
    """The sandbox's clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Blob:
    data: bytes
    media_type: str
    filename: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def pdf_blob(text: str = "Provsvar", filename: str = "provsvar.pdf") -> Blob:
    return Blob(text_pdf([[text]], title=text, lang="sv-SE"), "application/pdf", filename)


def png_blob(colour: tuple[int, int, int] = (200, 30, 30), filename: str = "bild.png") -> Blob:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, format="PNG")
    return Blob(out.getvalue(), "image/png", filename)


class Raw:
    """Plain requests against the sandbox, for what the client would never send."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, self.base_url + path, headers=headers, **kwargs)

    def token(self, staff_id: str = "anna") -> str:
        """An access token of ``staff_id`` from the sandbox's identity provider."""
        return str(sandbox_tokens(self.base_url, staff_id)["access_token"])

    def upload(self, token: str, blob: Blob) -> requests.Response:
        return self.call(
            "PUT",
            f"/v1/attachments/{blob.sha256}",
            token,
            data=blob.data,
            headers={"Content-Type": blob.media_type},
        )

    def send(
        self, token: str, message: dict[str, Any], key: str | None = None
    ) -> requests.Response:
        return self.call(
            "POST",
            "/v1/messages",
            token,
            json=message,
            headers={"Idempotency-Key": f'"{key or uuid.uuid4()}"'},
        )

    def review(
        self,
        token: str,
        subject: dict[str, Any],
        reviewer: str = "bertil",
        digest: str | None = None,
        approval: str | None = None,
    ) -> requests.Response:
        """Ask for a sign-off of ``subject``: ``reviewer`` approves it at the provider
        (unless an ``approval`` is given), ``digest`` says which digest is claimed."""
        real = subject_digest(subject)
        return self.call(
            "POST",
            "/v1/reviews",
            token,
            json={
                "approval": approval or sandbox_approval(self.base_url, reviewer, real),
                "digest": digest or real,
                "subject": subject,
            },
        )

    def ledger(self) -> list[dict[str, Any]]:
        deliveries: list[dict[str, Any]] = self.call("GET", "/sandbox/ledger").json()["deliveries"]
        return deliveries

    def set_fault(self, mode: str | None, count: int = 1, **extra: Any) -> None:
        response = self.call(
            "POST", "/sandbox/faults", json={"mode": mode, "count": count, **extra}
        )
        assert response.status_code == 200, response.text


def attachment_json(
    blob: Blob, personal_data: bool = False, alt_text: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sha256": blob.sha256,
        "filename": blob.filename,
        "media_type": blob.media_type,
        "personal_data": personal_data,
    }
    if alt_text is not None:
        item["alt_text"] = alt_text
    return item


def reply(
    attachments: list[dict[str, Any]] | None = None, review_id: str | None = None, **changes: Any
) -> dict[str, Any]:
    message = {
        "kind": "reply",
        "case_id": CASE_PROVSVAR,
        "recipients": [KARIN],
        "subject": "Ditt provsvar",
        "body": "Hej! Här kommer ditt provsvar.\nVänliga hälsningar",
        "attachments": attachments or [],
        "review_id": review_id,
    }
    message.update(changes)
    return message


def subject_of(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": message["kind"],
        "case_id": message["case_id"],
        "recipients": message["recipients"],
        "attachments": [
            {"sha256": a["sha256"], "filename": a["filename"], "personal_data": a["personal_data"]}
            for a in message["attachments"]
        ],
        "message_sha256": message_sha256(message["subject"], message["body"]),
    }


def codes(response: requests.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


class RecordingSleep:
    """Stands in for time.sleep in the client: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class AnswerLog(requests.Session):
    """Notes (method, path, status) of each answer the client got."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[str, str, int]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = super().send(request, **kwargs)
        path = urllib.parse.urlsplit(request.url or "").path
        self.answers.append((request.method or "", path, response.status_code))
        return response
