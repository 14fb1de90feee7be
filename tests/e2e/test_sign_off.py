"""A colleague's sign-off on the sender's screen, against the real sandbox gateway and
its identity provider: the colleague approves at the provider (the robot browser picks
their card and types their PIN), decline, a self-review, a reviewer without the role, one
from another unit, a cancel, and a change after sign-off that voids it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.runtime.services import Services
from tests.support.pdfgen import write_text_pdf
from tests.support.window import (
    as_person,
    attach,
    colleague_looks,
    open_window,
    pick_case,
    preview_every_page,
)
from ui.common.i18n import strip_mnemonic
from ui.dialogs.review import ReviewDialog
from ui.window.main_window import MainWindow

# Case 2024-118 in the sandbox is Karin Berg's, test personnummer 19680102-9288.
CASE_ID = "2024-118"


def lab_result(folder: Path) -> Path:
    return write_text_pdf(
        folder / "Provsvar.pdf",
        [
            [
                "Vårdcentralen Lund",
                "Provsvar",
                "Patient: Karin Berg",
                "Personnummer: 19680102-9288",
            ],
            ["Hb 135 g/L (referens 117-153)", "Bedömning: normalt värde."],
        ],
        title="Provsvar",
        lang="sv-SE",
    )


@pytest.fixture
def ready_window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    """Anna's reply in case 2024-118 with a lab result, every page previewed."""
    window = open_window(qtbot, services, "anna")
    pick_case(window, CASE_ID)
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    attachment = attach(qtbot, window, lab_result(tmp_path))
    assert attachment.detected_personal_data is True
    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled)
    return window


def open_review(qtbot: QtBot, window: MainWindow) -> ReviewDialog:
    assert strip_mnemonic(window.send_button.text()) == "Be en kollega granska"
    window.send_button.click()
    dialog = window.send_bar.review_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    colleague_looks(qtbot, dialog)
    return dialog


def sign(dialog: ReviewDialog, staff_id: str) -> None:
    """``staff_id`` approves at the identity provider (their card and PIN)."""
    as_person(dialog.services, staff_id)
    dialog.approve_button.click()


def signed_by_cecilia(qtbot: QtBot, window: MainWindow) -> None:
    """A colleague's sign-off through the dialog; Send is then Send."""
    dialog = open_review(qtbot, window)
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        sign(dialog, "cecilia")
    assert strip_mnemonic(window.send_button.text()) == "Skicka"


def attachment_of(window: MainWindow) -> Attachment:
    return window.desk.current.attachments[0]


def test_approved_by_a_colleague_the_message_is_sent_and_records_who(
    qtbot: QtBot, ready_window: MainWindow, services: Services
) -> None:
    window = ready_window
    dialog = open_review(qtbot, window)
    assert "19680102-****" in dialog.recipients_label.text()
    assert "9288" not in dialog.recipients_label.text()
    assert dialog.files.count() == 1
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        sign(dialog, "bertil")
    assert window.desk.current.sign_off is not None
    assert window.desk.current.sign_off.reviewer_name == "Bertil Berg"
    assert strip_mnemonic(window.send_button.text()) == "Skicka" and window.send_button.isEnabled()
    # Said beside the file too, where "a colleague must sign off" stood before.
    assert "Granskad av Bertil Berg" in window.attachments.personal_data_label.text()

    with qtbot.waitSignal(window.message_sent, timeout=30_000) as sent:
        window.send_button.click()
    message = services.client.get_message(sent.args[0])
    assert message.reviewer is not None and message.reviewer.staff_id == "bertil", (
        "the gateway recorded who signed off"
    )


def test_declining_needs_a_reason_and_the_sender_sees_it(
    qtbot: QtBot, ready_window: MainWindow
) -> None:
    window = ready_window
    dialog = open_review(qtbot, window)
    dialog.decline_button.click()
    assert dialog.isVisible()
    assert "Skriv varför" in dialog.status.text()
    dialog.decline_reason_edit.setText("Fel provsvar, det gäller en annan vecka.")
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        dialog.decline_button.click()
    assert window.desk.current.sign_off is None
    assert "Fel provsvar" in window.statusBar().currentMessage()
    assert strip_mnemonic(window.send_button.text()) == "Be en kollega granska"


@pytest.mark.parametrize(
    ("staff_id", "expected"),
    [
        ("anna", "annan person än du"),
        ("david", "inte behörighet att granska"),
        ("erik", "annan enhet"),
    ],
)
def test_the_gateway_refuses_the_wrong_colleague_and_the_dialog_says_why(
    qtbot: QtBot, ready_window: MainWindow, staff_id: str, expected: str
) -> None:
    dialog = open_review(qtbot, ready_window)
    sign(dialog, staff_id)
    qtbot.waitUntil(dialog.approve_button.isEnabled, timeout=20_000)  # the gateway answered
    assert expected in dialog.status.text()
    assert dialog.isVisible() and dialog.sign_off is None
    assert ready_window.desk.current.sign_off is None
    # The colleague's next key press goes to a button, never into a free-text field.
    assert dialog.focusWidget() is dialog.approve_button
    dialog.reject()


def test_the_sign_message_at_the_provider_says_what_is_approved(
    qtbot: QtBot, ready_window: MainWindow
) -> None:
    """What the provider's page shows the colleague: who sends what to how many, each
    file with its pages and that it holds personal data; bound to this sign-off."""
    import json
    import urllib.parse

    from tests.support.idp_robot import robot_browser

    dialog = open_review(qtbot, ready_window)
    seen: list[str] = []
    robot = robot_browser("bertil", "2222")

    class Watching:
        def open(self, url: str) -> bool:
            seen.append(url)
            return robot.open(url)

    dialog.services.browser = Watching()
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        dialog.approve_button.click()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen[0]).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    assert query["nonce"] == [ready_window.desk.current.review_subject().digest]
    message = json.loads(query["https://id.oidc.se/param/userMessage"][0])["message"]["sv"]
    assert message.startswith("Anna Andersson skickar ett svar i ärende 2024-118")
    assert "till 1 invånare" in message
    assert "Provsvar.pdf (2 sidor) med personuppgifter" in message
    assert "9288" not in message, "no personnummer in the sign message"


def test_a_cancelled_approval_loses_nothing_and_can_be_tried_again(
    qtbot: QtBot, ready_window: MainWindow
) -> None:
    dialog = open_review(qtbot, ready_window)

    class NoBrowser:
        def open(self, url: str) -> bool:
            return False

    dialog.services.browser = NoBrowser()
    dialog.approve_button.click()
    panel = dialog.wait_panel
    qtbot.waitUntil(lambda: panel.address.text().startswith("http"), timeout=10_000)
    qtbot.waitUntil(lambda: "kunde öppnas" in panel.message.text(), timeout=10_000)
    assert panel.isVisible() and panel.copy_button.isVisible()
    panel.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == panel.address.text()
    panel.cancel_button.click()
    qtbot.waitUntil(dialog.approve_button.isEnabled, timeout=10_000)
    assert "avbröts" in dialog.status.text()
    assert dialog.focusWidget() is dialog.approve_button
    assert ready_window.desk.current.sign_off is None and ready_window.desk.current.attachments
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        sign(dialog, "bertil")
    assert ready_window.desk.current.sign_off is not None


def test_a_change_after_sign_off_voids_it_visibly(
    qtbot: QtBot, ready_window: MainWindow, tmp_path: Path
) -> None:
    window = ready_window
    signed_by_cecilia(qtbot, window)

    window.compose.kind_buttons[window.desk.current.kind.PARTIAL_REPLY].setChecked(True)
    assert window.send_bar.reasons[0].code == "send.sign_off_void"
    assert "Granskad" not in window.attachments.personal_data_label.text()
    assert "ändrades efter att Cecilia Carlsson granskade" in window.reason_button.text()
    assert strip_mnemonic(window.send_button.text()) == "Be en kollega granska"

    window.compose.kind_buttons[window.desk.current.kind.REPLY].setChecked(True)
    assert strip_mnemonic(window.send_button.text()) == "Skicka", "back to exactly what was signed"
    attachment_of(window).declared_personal_data = False
    attachment_of(window).unmark_reason = "testar"
    window.send_bar.update_gate()
    assert window.send_bar.reasons == [], "no personal data left: no sign-off needed"


def test_the_colleague_sees_the_text_and_starts_on_the_first_page_with_personal_data(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services, "anna")
    pick_case(window, CASE_ID)
    window.compose.subject_edit.setText("Ditt provsvar")
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    letter = write_text_pdf(
        tmp_path / "Remissvar.pdf",
        [["Information", "Se nästa sida."], ["Patient: Karin Berg", "Pnr 19680102-9288"]],
        title="Remissvar",
        lang="sv-SE",
    )
    attachment = attach(qtbot, window, letter)
    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled)
    dialog = open_review(qtbot, window)
    assert dialog.subject_label.text() == "Ditt provsvar"
    assert dialog.body_view.toPlainText() == "Hej Karin! Här är ditt provsvar."
    assert dialog.body_view.isReadOnly()
    qtbot.waitUntil(lambda: dialog.preview.attachment is not None)
    assert attachment.report is not None
    assert {h.page for h in attachment.report.hits} == {2}, attachment.report.hits
    assert dialog.preview.current_page == 1, "page 2 holds the personnummer"
    dialog.reject()


def test_an_edit_of_the_text_after_sign_off_voids_it_and_the_gateway_agrees(
    qtbot: QtBot, ready_window: MainWindow, services: Services
) -> None:
    from app.gateway.client import GatewayError
    from app.send.sending import outgoing_message

    window = ready_window
    signed_by_cecilia(qtbot, window)

    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar. PS: ring oss.")
    assert window.send_bar.reasons[0].code == "send.sign_off_void"
    assert "Cecilia Carlsson" in window.reason_button.text()
    assert strip_mnemonic(window.send_button.text()) == "Be en kollega granska"

    # A client that sent it anyway is refused by the gateway: the text is signed.
    draft = window.desk.current
    for a in draft.attachments:
        services.client.upload_attachment(services.staging.read(a.staged), a.sha256, a.media_type)
    with pytest.raises(GatewayError) as refused:
        services.client.send_message(outgoing_message(draft), draft.idempotency_key)
    assert refused.value.status == 403 and "review_mismatch" in refused.value.codes

    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    assert strip_mnemonic(window.send_button.text()) == "Skicka", "back to the signed text"


def test_the_colleague_must_see_every_page_with_personal_data_before_approving(
    qtbot: QtBot, ready_window: MainWindow
) -> None:
    window = ready_window
    window.resize(1280, 720)  # the workstation's screen
    window.send_button.click()
    dialog = window.send_bar.review_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    # The sender saw every page; that does not count for the colleague.
    assert not dialog.approve_button.isEnabled()
    assert "innan du godkänner" in dialog.look_label.text()
    dialog.approve()  # pressing it anyway (a shortcut, Enter) asks nothing of anyone
    assert dialog.login is None
    # The preview takes most of the dialog.
    preview, whole = dialog.preview.size(), dialog.size()
    assert preview.width() * preview.height() > 0.5 * whole.width() * whole.height()
    colleague_looks(qtbot, dialog)
    assert dialog.look_label.text() == "Du har sett alla sidor med personuppgifter."
    assert window.desk.current.attachments[0].seen_pages, "the sender's own look is kept apart"
