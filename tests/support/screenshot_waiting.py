"""A screenshot of a new case waiting in the outbox: its own row in the case list and the
waiting panel, at 1280×720, against the embedded sandbox (stopped after the message is
written, so the send waits).

    xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python -m tests.support.screenshot_waiting

Saves docs/screenshots/new-case.png (the new case written, before Send) and
docs/screenshots/new-case-waiting.png (see tests/support/screenshots.py for the rest).
"""

from __future__ import annotations

import sys

from tests.support.screenshots import OUT, _settle, _wait, attach_and_see, shooting


def main() -> int:
    from app.outbox import DeliveryPolicy, JobState
    from tests.support.pdfgen import write_text_pdf
    from tests.support.session import sign_in_as
    from ui.window.main_window import MainWindow

    with shooting() as (app, services, home):
        staff = sign_in_as(services, "anna", "1111")
        window = MainWindow(services, staff)
        window.outbox_runner.policy = DeliveryPolicy(
            settle_within_s=1.0, first_wait_s=0.1, max_wait_s=0.2
        )
        window.resize(1280, 720)
        window.show()
        _wait(app, lambda: window.case_list.count() > 0)
        window.drafts.start_new_case()
        window.compose.recipients_edit.setPlainText("19680102-9288\n19450110-3297")
        window.compose.subject_edit.setText("Influensavaccination")
        window.compose.body_edit.setPlainText(
            "Hej!\n\nDu är välkommen på influensavaccination på vårdcentralen i vecka 46."
        )
        leaflet = write_text_pdf(
            home / "Kallelse vaccination.pdf",
            [["Vårdcentralen Lund", "", "Influensavaccination vecka 46", "Drop-in kl. 8–11."]],
            title="Kallelse vaccination",
            lang="sv-SE",
        )
        attach_and_see(app, window, leaflet)
        _settle(app)
        window.grab().save(str(OUT / "new-case.png"))  # the form scrolls; the window fits
        print(OUT / "new-case.png")
        _wait(app, window.send_button.isEnabled)
        assert services.sandbox is not None
        services.sandbox.stop()  # the gateway is down: the send waits in the outbox
        ended: list[object] = []
        window.outbox_runner.ended.connect(ended.append)
        window.send_button.click()
        _wait(app, lambda: bool(ended))
        job = ended[0]
        assert getattr(job, "state", None) is JobState.NEEDS_ACTION
        _settle(app)
        window.grab().save(str(OUT / "new-case-waiting.png"))
        print(OUT / "new-case-waiting.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
