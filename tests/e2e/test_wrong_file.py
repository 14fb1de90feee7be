"""After a wrong file: "Fel fil skickad" retracts it from the resident's inbox, fills in
the deviation report, shows the IMY deadline for personal data, the contacts and the
deletion request for the service portal, and saves the report as an accessible PDF that
Bifoga's own inspection passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.e2e.test_sign_off import lab_result, open_review, sign
from tests.support.window import attach, open_window, pick_case, preview_every_page

KARIN = "196801029288"


def test_wrong_file_sent_is_retracted_reported_and_saved_as_an_accessible_pdf(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    services.settings.service_portal_url = "https://serviceportal.example/arende"
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    attachment = attach(qtbot, window, lab_result(tmp_path))
    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled)
    dialog = open_review(qtbot, window)
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        sign(dialog, "bertil")
    qtbot.waitUntil(window.send_button.isEnabled)
    with qtbot.waitSignal(window.message_sent, timeout=30_000) as sent:
        window.send_button.click()
    message_id = sent.args[0]

    inbox = f"{services.client.base_url}/sandbox/inbox/{KARIN}"
    assert attachment.sha256 in requests.get(inbox, timeout=10).text

    view = window.side_views.show_sent()
    qtbot.waitUntil(view.reload_button.isEnabled, timeout=10_000)
    item = view.current()
    assert item is not None and item.message_id == message_id
    assert item.signed_off_by == "Bertil Berg"
    with qtbot.waitSignal(view.wrong_file_requested) as asked:
        view.wrong_file_button.click()
    wrong = window.side_views.start_wrong_file(asked.args[0])

    # The report is filled in from the start; the IMY deadline shows (personal data).
    report_text = wrong.report_text.toPlainText()
    assert message_id in report_text and attachment.sha256 in report_text
    assert "19680102-****" in report_text and KARIN not in report_text
    assert "Bertil Berg (bertil)" in report_text  # the reviewer's staff id too
    assert "72 timmar" in wrong.imy_label.text()
    contacts = wrong.contacts_label.text()
    assert "Närmaste chef" in contacts and "dataskyddssamordnare" in contacts.lower()
    # The shipped example names nobody: the window says so, not "Fyll i: ..." as a person.
    assert "Fyll i" not in contacts and "regionen har inte fyllt i" in contacts
    assert contacts.count("Närmaste chef") == 1
    assert "serviceportal.example" in wrong.deletion_where.text()
    assert attachment.sha256 in wrong.deletion_text.toPlainText()
    assert wrong.deletion_text.isVisibleTo(wrong), "a request to make is shown"

    with qtbot.waitSignal(wrong.retraction_changed, timeout=10_000):
        wrong.retract_button.click()
    qtbot.waitUntil(lambda: "Klart" in wrong.retraction_status.text(), timeout=10_000)
    page = requests.get(inbox, timeout=10).text
    assert attachment.sha256 not in page and "återkallats" in page
    assert "återkall" in wrong.report_text.toPlainText().lower()

    target = tmp_path / "Avvikelserapport.pdf"
    with qtbot.waitSignal(wrong.pdf_saved, timeout=30_000):
        wrong.save_pdf(target)
    verdict = subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", "inspect", "--json", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    (result,) = json.loads(verdict.stdout)
    assert result["verdict"] == "ok", result["findings"]
    assert not [f for f in result["findings"] if f["severity"] != "info"]
    # Escape closes the topmost dialog first ("Fel fil skickad"), then "Skickat".
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    def open_dialogs() -> int:
        return sum(d.isVisible() for d in window.findChildren(QDialog, "wrong-file"))

    # (The button's signal opened one dialog, the test's own call a second.)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wrong.isVisible())
    assert view.isVisible()
    while open_dialogs():
        before = open_dialogs()
        qtbot.keyClick(view, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda before=before: open_dialogs() < before)  # type: ignore[misc]
        assert view.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible())

    # The audit trail of all this is sound, holds no personnummer, and records each step.
    from app.audit import KeyringKeyProvider, default_folder, verify_file
    from app.audit.trail import TRAIL_FILE_NAME

    trail = default_folder() / TRAIL_FILE_NAME
    result = verify_file(trail, KeyringKeyProvider(create=False)())
    assert result.sound, result
    written = trail.read_text(encoding="utf-8")
    assert KARIN not in written and "19680102-9288" not in written
    kinds = [json.loads(line)["kind"] for line in written.splitlines()]
    for kind in ("sign_in", "attach", "page_seen", "sign_off", "send", "retraction"):
        assert kind in kinds, kinds
    assert "deviation_report" in kinds
