"""Personal data wherever it hides, in the real window on the real sandbox (issue 19): a
screenshot naming another resident is stopped with a box on the picture, shown before its
words are read (only Send waits, and the list says the words are being read); a comment
with personal data is listed under the preview, and in the colleague's sign-off dialog."""

from __future__ import annotations

import io
import threading
from collections.abc import Collection
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.inspection import samples
from app.inspection.report import InspectionReport
from app.protocol.model import MessageKind
from app.runtime.services import Services
from tests.e2e.test_sign_off import open_review
from tests.support.pdfgen import text_pdf
from tests.support.window import attach, open_window, pick_case, preview_every_page
from ui.window.attachments import attachment_summary
from ui.window.main_window import MainWindow

# Case 2024-118 in the sandbox is Karin Berg's, test personnummer 19680102-9288.
CASE_ID = "2024-118"
AT = (420, 300)  # where the other resident's number is drawn on the screenshot


def screenshot(path: Path) -> Path:
    image = Image.new("RGB", (1920, 1080), (240, 242, 246))
    draw = ImageDraw.Draw(image)
    face = samples.font("DejaVuSans", 16)
    draw.text((40, 40), "Journal – Vårdcentralen Norr", fill="black", font=face)
    draw.text((40, 120), "CRP 85 mg/L, Hb 132 g/L, provtaget 2024-03-12.", fill="black", font=face)
    draw.text((40, AT[1]), "Anhörig:", fill="black", font=face)
    draw.text(AT, "19121212-1212", fill="black", font=face)  # Tolvan, not Karin
    image.save(path)
    return path


def held_inspections(window: MainWindow) -> threading.Event:
    """Inspections wait until the returned event is set: the test sees the file while its
    words are still being read (the wait is on the pool thread, never the GUI thread)."""
    pipeline = window.attaching.pipeline
    inspect = pipeline.inspect
    go_on = threading.Event()

    def held(
        attachment: Attachment, recipients: Collection[str], kind: MessageKind
    ) -> InspectionReport:
        go_on.wait(60)
        return inspect(attachment, recipients, kind)

    pipeline.inspect = held  # type: ignore[method-assign]
    return go_on


def test_a_screenshot_naming_another_resident_is_stopped_with_a_box_on_it(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services, "anna")
    pick_case(window, CASE_ID)
    go_on = held_inspections(window)
    try:
        window.attaching.add_files([screenshot(tmp_path / "skarmbild.png")])
        qtbot.waitUntil(lambda: len(window.desk.current.attachments) == 1, timeout=30_000)
        attachment = window.desk.current.attachments[0]
        # The picture is on screen before its words are read; the list says they are.
        qtbot.waitUntil(lambda: window.preview.page_view.image() is not None, timeout=20_000)
        assert attachment.report is None
        assert "läser text i bilden" in attachment_summary(attachment, window.desk.current)
        assert "läser text i bilden" in window.attachments.list.item(0).text()
        assert not window.send_button.isEnabled()
    finally:
        go_on.set()
    qtbot.waitUntil(lambda: attachment.report is not None, timeout=60_000)
    report = attachment.report
    assert report is not None and report.verdict.value == "blocked"
    assert "personal_data.other_person" in {f.code for f in report.findings}
    [hit] = [h for h in report.hits if h.kind == "personnummer"]
    assert hit.rect is not None
    # The box is drawn on the picture where the number is, at the preview's scale.
    qtbot.waitUntil(lambda: bool(window.preview.page_view.overlay.hits), timeout=10_000)
    [box] = window.preview.page_view.overlay.hits
    scale = window.preview.scale
    assert abs(box.left() - hit.rect[0] * scale) < 1 and abs(box.top() - hit.rect[1] * scale) < 1
    assert abs(hit.rect[0] - AT[0]) < 5 and abs(hit.rect[1] - AT[1]) < 8
    window.attachments.select(attachment.id)
    assert "19121212-****" in window.attachments.findings_label.text()
    assert not window.send_button.isEnabled()


def commented_letter(path: Path) -> Path:
    """Karin's lab result with a sticky note on page 1 naming her daughter's phone."""
    with pikepdf.open(
        io.BytesIO(text_pdf([["Provsvar", "Hb 135 g/L"]], title="Provsvar", lang="sv-SE"))
    ) as pdf:
        note = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Text,
                Rect=pikepdf.Array([72, 700, 92, 720]),
                Contents=pikepdf.String("Ring dottern på 070-123 45 67"),
            )
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([note]))
        pdf.save(path)
    return path


def _signed_off_list(window: MainWindow, attachment: Attachment) -> list[str]:
    dialog = window.send_bar.review_dialog
    assert dialog is not None
    shown = dialog.preview.attachment  # the colleague's own copy of the file
    return dialog.preview.outside.entries() if shown and shown.id == attachment.id else []


def test_a_comment_with_personal_data_is_listed_for_the_sender_and_the_colleague(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services, "anna")
    pick_case(window, CASE_ID)
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    attachment = attach(qtbot, window, commented_letter(tmp_path / "Provsvar.pdf"))
    assert attachment.detected_personal_data is True
    window.attachments.select(attachment.id)
    qtbot.waitUntil(lambda: window.preview.attachment is attachment)
    outside = window.preview.outside
    assert outside.isVisible()
    assert outside.heading.text() == "Text i filen utanför sidorna"
    expected = "Kommentar, sida 1: Ring dottern på 070-123 45 67 — personuppgifter: 07x-xxx xx 67"
    assert expected in outside.entries()

    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled)
    dialog = open_review(qtbot, window)
    qtbot.waitUntil(lambda: expected in _signed_off_list(window, attachment))
    assert dialog.preview.outside.isVisibleTo(dialog)
    dialog.reject()
