"""The whole path against a real sandbox gateway on loopback: sign in, attach a
multi-page PDF, page through it, send, and find the same bytes in the resident's inbox."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import open_window


def test_attach_preview_every_page_send_and_download_identical_bytes(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    window.case_list.setCurrentRow(0)
    case = window.desk.current.case
    assert case is not None
    window.compose.body_edit.setPlainText("Hej! Här kommer brevet vi pratade om.")

    original = write_text_pdf(
        tmp_path / "Kallelse.pdf", numbered_pages(3), title="Kallelse", lang="sv-SE"
    )
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        window.attaching.add_files([original])
    attachment = window.desk.current.attachments[0]
    assert attachment.sha256 == hashlib.sha256(original.read_bytes()).hexdigest()
    assert attachment.report is not None and not attachment.report.blocked

    # Page 1 is shown at once; Send stays disabled, naming the next unseen page.
    qtbot.waitUntil(lambda: attachment.seen_pages == {0}, timeout=10_000)
    assert attachment.page_count == 3
    assert not window.send_button.isEnabled()
    assert "Sida 2 av 3" in window.reason_button.text()

    window.preview.next_button.click()
    qtbot.waitUntil(lambda: attachment.seen_pages == {0, 1}, timeout=10_000)
    assert not window.send_button.isEnabled(), "Send must wait for the last page"
    assert window.preview.seen_label.text() == "2 av 3 sidor granskade"

    window.reason_button.click()  # the send bar's sentence takes you to the unseen page
    qtbot.waitUntil(lambda: attachment.seen_pages == {0, 1, 2}, timeout=10_000)
    assert window.preview.current_page == 2
    qtbot.waitUntil(window.send_button.isEnabled)

    staged_path = attachment.staged.path
    with qtbot.waitSignal(window.message_sent, timeout=30_000) as sent:
        window.send_button.click()
    message_id = sent.args[0]
    assert not staged_path.exists(), "the working copy is deleted once delivered"
    assert window.desk.current.attachments == []

    base = services.client.base_url
    inbox = requests.get(f"{base}/sandbox/inbox/{case.resident.id}", timeout=10)
    assert inbox.status_code == 200
    assert "Kallelse.pdf" in inbox.text
    links = re.findall(r'href="([^"]*/attachments/[0-9a-f]{64}[^"]*)"', inbox.text)
    assert links, "the inbox offers the attachment"
    download = requests.get(base + links[0].replace("&amp;", "&"), timeout=10)
    assert download.status_code == 200
    assert (
        hashlib.sha256(download.content).hexdigest()
        == hashlib.sha256(original.read_bytes()).hexdigest()
    )
    ledger = requests.get(f"{base}/sandbox/ledger", timeout=10).json()
    assert ledger and any(message_id in str(entry) for entry in _entries(ledger))


def _entries(ledger: object) -> list[object]:
    if isinstance(ledger, dict):
        for value in ledger.values():
            if isinstance(value, list):
                return value
    return ledger if isinstance(ledger, list) else []
