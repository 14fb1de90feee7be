"""After a send against the real sandbox gateway: the window offers to delete the file the
clinician picked, deletes it once they confirm it is in the patient record, and the audit
trail records it by hash alone."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.audit import TRAIL_FILE_NAME, default_folder
from app.runtime.services import Services
from tests.e2e.test_sign_off import signed_by_cecilia
from tests.support.window import attach, open_window, pick_case, preview_every_page
from ui.common.i18n import tr
from ui.dialogs.originals import OriginalsDialog

FILES = Path(__file__).resolve().parents[1] / "files"


def test_after_a_send_the_picked_file_is_offered_and_deleted(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")  # Karin Berg's
    window.compose.body_edit.setPlainText("Hej! Här är provsvaret.")
    # The clinician's own copy, with a personnummer in its name as file names often have
    # (the resident's own: the name is checked like the text, so a colleague signs off).
    picked = tmp_path / "Hemkatalog" / "Provsvar 19680102-9288.pdf"
    picked.parent.mkdir()
    shutil.copyfile(FILES / "corpus" / "ocrmypdf" / "tagged.pdf", picked)
    picked_sha256 = hashlib.sha256(picked.read_bytes()).hexdigest()

    attachment = attach(qtbot, window, picked)
    # The copy sent lost the properties the resident does not need; the file picked is
    # known by its own hash.
    assert attachment.original == picked and attachment.original_sha256 == picked_sha256
    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    signed_by_cecilia(qtbot, window)
    with qtbot.waitSignal(window.originals.dialog_opened, timeout=30_000) as opened:
        window.send_button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, OriginalsDialog) and dialog.isVisible()
    assert [(row.text(0), row.text(1)) for row in dialog.rows] == [
        ("Provsvar 19680102-9288.pdf", str(picked.parent))
    ]
    assert not dialog.delete_button.isEnabled(), "not before it is in the record"
    assert picked.exists()

    dialog.confirm.setChecked(True)
    with qtbot.waitSignal(dialog.delete_requested):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert not picked.exists()
    assert dialog.rows[0].text(3) == tr("original.deleted")
    dialog.keep_button.click()  # now "Stäng"
    qtbot.waitUntil(lambda: window.originals.dialog is None)

    trail = (default_folder() / TRAIL_FILE_NAME).read_text(encoding="utf-8")
    assert f'"data":{{"sha256":"{picked_sha256}"}},' in trail
    assert '"kind":"original_deleted"' in trail
    assert "0102-9288" not in trail and "Provsvar" not in trail
