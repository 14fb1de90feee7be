"""The window's path with a file that carries hidden content: the real window stages it,
the inspect worker rewrites the staged copy before the preview, and the bytes previewed,
sent and downloaded from the resident's inbox (real sandbox gateway on loopback) are the
rewritten ones, never the hidden payload."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support import hostile
from tests.support.window import attach, open_window, preview_every_page


def test_hidden_content_never_reaches_the_resident(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    window.case_list.setCurrentRow(0)
    case = window.desk.current.case
    assert case is not None
    window.compose.body_edit.setPlainText("Hej! Här kommer brevet.")
    chosen = tmp_path / "Brev.pdf"
    chosen.write_bytes(hostile.letter_revised() + hostile.zip_archive())

    attachment = attach(qtbot, window, chosen)
    staged = services.staging.read(attachment.staged)
    assert attachment.sha256 == hashlib.sha256(staged).hexdigest()
    assert attachment.sha256 != hashlib.sha256(chosen.read_bytes()).hexdigest()
    assert hostile.MARKER not in staged
    report = attachment.report
    assert report is not None and not report.blocked
    assert report.sha256 == attachment.sha256
    removed = {f.code for f in report.findings if "hidden" in f.code}
    assert removed == {
        "file.hidden_after_end_removed",
        "file.hidden_format_removed",
        "pdf.hidden_old_revisions_removed",
    }
    assert "ZIP" in window.attachments.findings_label.text()

    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.message_sent, timeout=30_000):
        window.send_button.click()

    base = services.client.base_url
    inbox = requests.get(f"{base}/sandbox/inbox/{case.resident.id}", timeout=10)
    links = re.findall(r'href="([^"]*/attachments/[0-9a-f]{64}[^"]*)"', inbox.text)
    assert links, "the inbox offers the attachment"
    download = requests.get(base + links[0].replace("&amp;", "&"), timeout=10)
    assert download.status_code == 200
    assert download.content == staged  # what was previewed is what the resident gets
    assert hostile.MARKER not in download.content
